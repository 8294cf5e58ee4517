"""The tutor: right answers pass, every catalogued bug gets its own code, anything else is caught.

References are independent of the tutor: closed forms written here with ``math``, exact
forward-mode tangents (``strategies.dags``), a delta-equation solution written here in NumPy,
and the lesson's worked numbers (LESSON.md §6, checked against PyTorch float64 by hand:
z = −0.2, ŷ = 0.450166, σ′ = 0.247517, ∂L/∂w = 0.055712, ∂L/∂b = 0.111424).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import sigmoid as _sig
from strategies import dags, leaves_for, seeds

from tinygrad_edu import examples, manual, tutor
from tinygrad_edu.engine import Value, topo_order
from tinygrad_edu.nn import MLP

np = pytest.importorskip(
    "numpy", reason="check_delta needs NumPy: pip install 'tinygrad_edu[numpy]'"
)


# --------------------------------------------------------------------------- check_rule
# Right rules written from the closed forms, without the tutor's or the table's code.
RIGHT_RULES: dict[str, Callable[..., Any]] = {
    "tanh": lambda x, out: 1.0 / math.cosh(x) ** 2,
    "sigmoid": lambda x, out: _sig(x) * _sig(-x),
    "exp": lambda x, out: math.exp(x),
    "log": lambda x, out: 1.0 / x,
    "relu": lambda x, out: 1.0 if x > 0 else 0.0,
    "abs": lambda x, out: math.copysign(1.0, x) if x != 0 else 0.0,
    "sqrt": lambda x, out: 0.5 / math.sqrt(x),
    "sin": lambda x, out: math.cos(x),
    "cos": lambda x, out: -math.sin(x),
    "softplus": lambda x, out: _sig(x),
    "neg": lambda x, out: -1.0,
    "powc": lambda x, out: 3.0 * x * x,
    "add": lambda a, b, out: (1.0, 1.0),
    "sub": lambda a, b, out: (1.0, -1.0),
    "mul": lambda a, b, out: (b, a),
    "div": lambda a, b, out: (1.0 / b, -a / b**2),
    "pow": lambda a, b, out: (b * a ** (b - 1.0), a**b * math.log(a)),
    "log1p": lambda x, out: 1.0 / (1.0 + x),
    "atan": lambda x, out: 1.0 / (1.0 + x * x),
    "clamp": lambda x, out: 1.0 if -1.0 < x < 1.0 else 0.0,  # the table's clamp(-1, 1)
    "leaky_relu": lambda x, out: 1.0 if x > 0 else 0.01,
    "sum": lambda x1, x2, x3, out: [1.0, 1.0, 1.0],
    "dot": lambda w1, w2, x1, x2, b, out: (x1, x2, w1, w2, 1.0),
    "eq": lambda a, b, out: (0.0, 0.0),
    "lt": lambda a, b, out: (0.0, 0.0),
    "gt": lambda a, b, out: (0.0, 0.0),
}


def test_check_rule_covers_every_primitive_of_the_table_and_the_composites() -> None:
    from tinygrad_edu import ops

    assert set(tutor.RULES) == set(ops.TABLE) | {"sub", "div"}
    assert set(RIGHT_RULES) == set(tutor.RULES)


@pytest.mark.slow
@settings(max_examples=15)  # every op of the table per example
@given(seed=st.integers(0, 2**31 - 1))
def test_check_rule_never_flags_a_right_rule(seed: int) -> None:
    for name, rule in RIGHT_RULES.items():
        report = tutor.check_rule(name, rule, seed=seed)
        assert report.ok, (name, str(report))
        assert report.first_wrong is None and report.diagnosis is None


RULE_BUGS = [
    ("tanh", lambda x, out: 1.0 - x * x, "input-instead-of-output"),
    ("sigmoid", lambda x, out: x * (1.0 - x), "input-instead-of-output"),
    ("exp", lambda x, out: x, "input-instead-of-output"),
    ("sqrt", lambda x, out: 0.5 / x, "input-instead-of-output"),
    ("log", lambda x, out: 1.0 / out, "output-instead-of-input"),
    ("sub", lambda a, b, out: (1.0, 1.0), "sign"),
    ("cos", lambda x, out: math.sin(x), "sign"),
    ("neg", lambda x, out: 1.0, "sign"),
    ("mul", lambda a, b, out: (a, b), "reversed-operands"),
    ("div", lambda a, b, out: (-a / b**2, 1.0 / b), "reversed-operands"),
    ("pow", lambda a, b, out: (out * math.log(a), b * a ** (b - 1.0)), "reversed-operands"),
    ("tanh", lambda x, out: None, "missing-answer"),
    ("tanh", lambda x, out: 1.0 - math.tanh(out) ** 2, "derivative-at-output"),
    ("sigmoid", lambda x, out: _sig(out) * (1.0 - _sig(out)), "derivative-at-output"),
    ("atan", lambda x, out: -1.0 / (1.0 + x * x), "sign"),
    ("leaky_relu", lambda x, out: -1.0 if x > 0 else -0.01, "sign"),
]


@pytest.mark.parametrize(("op", "rule", "code"), RULE_BUGS)
def test_check_rule_names_each_injected_bug(op: str, rule: Callable[..., Any], code: str) -> None:
    report = tutor.check_rule(op, rule)
    assert not report.ok
    assert report.diagnosis == code, str(report)


def test_check_rule_reports_the_first_wrong_input_with_numbers() -> None:
    report = tutor.check_rule("tanh", lambda x, out: 1.0 - x * x)
    # the awkward inputs come first: the domain's end x = −3 (tanh′(−3) = 1/cosh² 3)
    assert report.first_wrong is not None
    assert report.first_wrong.where.startswith("tanh at x = -3")
    assert report.first_wrong.expected == pytest.approx(1.0 / math.cosh(3.0) ** 2, rel=1e-12)
    assert report.first_wrong.got == -8.0
    assert "-8" in report.hint and "0.00986604" in report.hint


@pytest.mark.slow
@settings(max_examples=60)
@given(
    op=st.sampled_from(sorted(RIGHT_RULES)),
    rel=st.floats(1e-6, 0.4),
    where=st.integers(0, 15),
)
def test_check_rule_catches_a_random_perturbation_without_naming_a_bug(
    op: str, rel: float, where: int
) -> None:
    right = RIGHT_RULES[op]
    calls = {"n": 0}

    kinks = tutor.RULES[op].kinks

    def perturbed(*args: float) -> Any:
        r = right(*args)
        if args[0] in kinks:  # at a kink any subgradient is right: not a perturbation
            return r
        calls["n"] += 1
        if calls["n"] - 1 != where % 14:
            return r
        if isinstance(r, tuple):
            return (r[0] + rel * (1.0 + abs(r[0])), r[1])
        return r + rel * (1.0 + abs(r))

    report = tutor.check_rule(op, perturbed)
    assert not report.ok and report.wrong_count == 1
    assert report.diagnosis is None, str(report)


def test_check_rule_refuses_an_unknown_op_by_name() -> None:
    with pytest.raises(ValueError, match="check_rule: op_name must be one of"):
        tutor.check_rule("tan", lambda x, out: 1.0)
    with pytest.raises(TypeError, match="check_rule: my_rule must be a function"):
        tutor.check_rule("tanh", 3.0)  # type: ignore[arg-type]


def test_check_rule_reports_an_exception_of_the_learner() -> None:
    report = tutor.check_rule("log", lambda x, out: 1.0 / (x - x))
    assert not report.ok and report.diagnosis is None
    assert "ZeroDivisionError" in report.hint


# --------------------------------------------------------------------------- check_backward
def _postorder(root: Value) -> list[Value]:
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p not in seen)
    return order


def right_backward(root: Value) -> None:
    order = _postorder(root)
    for n in order:
        if n.parents:
            n.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for p, local in zip(node.parents, node.local_grads):
            p.grad += local * node.grad


def kahn_backward(root: Value) -> None:
    """A second right answer, written differently: counts of pending users (Kahn)."""
    order = _postorder(root)
    pending = {n: 0 for n in order}
    for n in order:
        for p in n.parents:
            pending[p] += 1
    for n in order:
        if n.parents:
            n.grad = 0.0
    root.grad = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        for p, local in zip(node.parents, node.local_grads):
            p.grad += local * node.grad
            pending[p] -= 1
            if pending[p] == 0:
                ready.append(p)


def _loop(order: list[Value], upstream: bool = True, accumulate: bool = True) -> None:
    for node in order:
        for p, local in zip(node.parents, node.local_grads):
            c = local * node.grad if upstream else local
            p.grad = p.grad + c if accumulate else c


def bug_missing_upstream(root: Value) -> None:
    root.grad = 1.0
    _loop(_postorder(root)[::-1], upstream=False)


def bug_assign(root: Value) -> None:
    root.grad = 1.0
    _loop(_postorder(root)[::-1], accumulate=False)


def bug_forward_order(root: Value) -> None:
    root.grad = 1.0
    _loop(_postorder(root))


def bug_breadth_first(root: Value) -> None:
    order, seen, i = [root], {root}, 0
    while i < len(order):
        for p in order[i].parents:
            if p not in seen:
                seen.add(p)
                order.append(p)
        i += 1
    root.grad = 1.0
    _loop(order)


def bug_unseeded(root: Value) -> None:
    _loop(_postorder(root)[::-1])


def micrograd_convention(root: Value) -> None:  # micrograd's loop: never resets a gradient
    root.grad = 1.0
    _loop(_postorder(root)[::-1])


def bug_resets_leaves_only(root: Value) -> None:  # interior nodes keep the last call's share
    order = _postorder(root)
    for n in order:
        if not n.parents:
            n.grad = 0.0
    root.grad = 1.0
    _loop(order[::-1])


def bug_resend(root: Value) -> None:  # recursive, no topological order: shared nodes resent
    root.grad = 1.0

    def back(v: Value) -> None:
        for p, local in zip(v.parents, v.local_grads):
            p.grad += local * v.grad
            back(p)

    back(root)


def bug_recursive(root: Value) -> None:
    order: list[Value] = []
    seen: set[Value] = set()

    def visit(v: Value) -> None:
        if v not in seen:
            seen.add(v)
            for p in v.parents:
                visit(p)
            order.append(v)

    visit(root)
    for n in order:
        if n.parents:
            n.grad = 0.0
    root.grad = 1.0
    _loop(order[::-1])


BACKWARD_BUGS = [
    (bug_missing_upstream, "missing-upstream"),
    (bug_assign, "assign-not-accumulate"),
    (bug_forward_order, "not-topological"),
    (bug_breadth_first, "not-topological"),
    (bug_unseeded, "unseeded-root"),
    (bug_resets_leaves_only, "doubled-on-second-call"),
    (bug_recursive, "recursion-depth"),
    (bug_resend, "double-counting"),
]


@pytest.mark.slow
def test_check_backward_passes_micrograds_accumulating_convention_with_a_note() -> None:
    report = tutor.check_backward(micrograd_convention)
    assert report.ok, str(report)
    assert any("convention" in note and "zero_grad" in note for note in report.extra)
    assert tutor.check_backward(right_backward).extra == ()


@pytest.mark.parametrize("good", [right_backward, kahn_backward])
def test_check_backward_accepts_right_backward_passes(good: Callable[[Value], None]) -> None:
    report = tutor.check_backward(good)
    assert report.ok, str(report)
    assert report.diagnosis is None


@pytest.mark.slow
@pytest.mark.parametrize(("bug", "code"), BACKWARD_BUGS)
def test_check_backward_names_each_injected_bug(bug: Callable[[Value], None], code: str) -> None:
    report = tutor.check_backward(bug)
    assert not report.ok
    assert report.diagnosis == code, str(report)


def test_check_backward_names_the_first_wrong_node_with_its_sum() -> None:
    report = tutor.check_backward(bug_assign)
    # graph 'square': L = (a·a)·b with a = −1.5, b = 0.8; aa's gradient is b = 0.8 and
    # a's is 2·a·b = −2.4, the sum of two edges of (−1.5)·0.8 = −1.2 each
    assert report.first_wrong is not None
    assert report.first_wrong.where == "graph 'square', node a"
    assert report.first_wrong.expected == pytest.approx(-2.4, rel=1e-12)
    assert report.first_wrong.got == pytest.approx(-1.2, rel=1e-12)
    assert "a is used by aa (on both of its edges)" in report.hint
    assert "(-1.5)·0.8 + (-1.5)·0.8 = -2.4" in report.hint


@pytest.mark.slow
@settings(max_examples=15)  # a whole battery per example
@given(case=st.integers(0, 5), node=st.integers(0, 50), delta=st.floats(1e-6, 0.5))
def test_check_backward_catches_a_random_perturbation_without_naming_a_bug(
    case: int, node: int, delta: float
) -> None:
    target = tutor.backward.CASES[case].name

    def perturbed(root: Value) -> None:
        right_backward(root)
        if _graph_of(root) == target:
            order = topo_order(root)[:-1]  # not the root: a wrong root is 'unseeded-root'
            n = order[node % len(order)]
            n.grad += delta * (1.0 + abs(n.grad))

    report = tutor.check_backward(perturbed)
    assert not report.ok
    assert report.diagnosis is None, str(report)


def _graph_of(root: Value) -> str:
    """Which case of the battery a root belongs to (by its label and size)."""
    for c in tutor.backward.CASES:
        r = c.build()
        if r.label == root.label and len(topo_order(r)) == len(topo_order(root)):
            return c.name
    return ""


def test_check_backward_reports_an_exception_of_the_learner() -> None:
    def broken(root: Value) -> None:
        raise KeyError("grad")

    report = tutor.check_backward(broken)
    assert not report.ok and report.diagnosis is None and "KeyError" in report.hint


# --------------------------------------------------------------------------- check_gradients
def _neuron() -> tuple[Value, dict[str, float]]:
    """The worked neuron's graph and its gradients by the closed forms."""
    nodes = examples.neuron_loss()
    x, w, b, y = 0.5, 1.2, -0.8, 0.0
    z = w * x + b
    s = _sig(z)
    dz = (s - y) * s * (1.0 - s)
    key = {"L": 1.0, "ŷ": s - y, "z": dz, "w": dz * x, "b": dz, "x": dz * w}
    return nodes["L"], key


def test_check_gradients_accepts_the_worked_neuron_with_the_lessons_numbers() -> None:
    root, key = _neuron()
    assert key["w"] == pytest.approx(0.055712, abs=5e-7)
    assert key["b"] == pytest.approx(0.111424, abs=5e-7)
    report = tutor.check_gradients(root, key)
    assert report.ok, str(report)


def _level2_with_shared_node() -> tutor.Worksheet:
    ws = tutor.worksheet(seed=7, level=2)
    assert [n.label for n in ws.nodes][-1] == "L"
    return ws


GRADIENT_BUGS = (
    "missing-upstream",
    "input-instead-of-output",
    "derivative-at-output",
    "reversed-operands",
    "sign",
    "unseeded-root",
    "missing-answer",
    "assign-not-accumulate",
)


def test_check_gradients_names_each_injected_bug() -> None:
    root, key = _neuron()
    s, dz = key["ŷ"], key["z"]
    sp = s * (1.0 - s)
    z = -0.2
    wrong = {  # the codes must be GRADIENT_BUGS, in this order
        "missing-upstream": {"z": sp},
        "input-instead-of-output": {"z": z * (1.0 - z) * s},
        "derivative-at-output": {"z": _sig(s) * (1.0 - _sig(s)) * s},
        "reversed-operands": {"w": 1.2 * dz},
        "sign": {"b": -dz},
        "unseeded-root": {"L": 0.0},
        "missing-answer": {"x": None},
    }
    assert tuple(wrong) == GRADIENT_BUGS[:-1]
    for code, change in wrong.items():
        report = tutor.check_gradients(root, {**key, **change})
        assert not report.ok
        assert report.diagnosis == code, (code, str(report))
        # credit assignment: L = e·a uses a twice; one path only is '=' instead of '+='
    ws = _level2_with_shared_node()
    a = next(n for n in ws.nodes if n.label == "a")
    L = ws.root
    one_path = L.local_grads[L.parents.index(a)]
    report = ws.check({**ws.answer_key, "a": one_path})
    assert report.diagnosis == "assign-not-accumulate", str(report)


def test_check_gradients_hint_shows_the_sum_for_a_shared_node() -> None:
    ws = _level2_with_shared_node()  # L = e·a, e = d + c, d = a − b: a is used by d and L
    report = ws.check({**ws.answer_key, "a": 0.0})
    assert report.first_wrong is not None and report.first_wrong.where == "node a"
    assert report.first_wrong.expected == pytest.approx(ws.answer_key["a"], rel=1e-12)
    assert "a is used by" in report.hint and "you wrote 0" in report.hint


@pytest.mark.slow
@given(dag=dags())
def test_check_gradients_never_flags_exact_gradients(dag: Any) -> None:
    leaves = leaves_for(dag)
    root = dag(*leaves)
    exact = dag.grad_floats()
    report = tutor.check_gradients(root, {v.label: g for v, g in zip(leaves, exact)})
    assert report.ok, (dag, str(report))


@given(which=st.sampled_from(["x", "w", "b", "z", "ŷ"]), rel=st.floats(1e-6, 0.05))
def test_check_gradients_catches_a_random_perturbation_without_naming_a_bug(
    which: str, rel: float
) -> None:
    root, key = _neuron()
    report = tutor.check_gradients(root, {**key, which: key[which] * (1.0 + rel)})
    assert not report.ok
    assert report.diagnosis is None, str(report)


def test_check_gradients_leaves_the_graphs_own_gradients_alone() -> None:
    root, key = _neuron()
    before = [n.grad for n in topo_order(root)]
    tutor.check_gradients(root, key)
    assert [n.grad for n in topo_order(root)] == before


def test_check_gradients_refuses_bad_arguments_by_name() -> None:
    root, _ = _neuron()
    with pytest.raises(TypeError, match="check_gradients: answers must be a dict"):
        tutor.check_gradients(root, [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="check_gradients: the answer for 'w' must be a number"):
        tutor.check_gradients(root, {"w": True})


# --------------------------------------------------------------------------- check_delta
XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0.0, 1.0, 1.0, 0.0]


def right_backprop(
    weights: Any, X: Any, Y: Any, *, bug: str = "", hidden: str = "sigmoid"
) -> list[Any]:
    """The delta equations for ``hidden`` layers, a sigmoid output and BCE, example by example
    (one at a time), written here independently of tinygrad_edu.manual; ``bug`` injects one
    mistake."""
    m = len(X)
    grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in weights]

    def act(z: Any, last: bool) -> Any:
        return 1.0 / (1.0 + np.exp(-z)) if last or hidden == "sigmoid" else np.tanh(z)

    def slope(z: Any, a: Any) -> Any:
        if bug == "no-sigma-prime":
            return 1.0
        if hidden == "tanh":
            return 1.0 - z**2 if bug == "tanh-z" else 1.0 - a**2
        s = 1.0 / (1.0 + np.exp(-(a if bug == "sigma-of-a" else z)))
        return s * (1.0 - s)

    for x, y in zip(X, Y):
        acts, zs = [np.asarray(x, dtype=float)], []
        for i, (W, b) in enumerate(weights):
            zs.append(W @ acts[-1] + b)
            acts.append(act(zs[-1], i == len(weights) - 1))
        a = acts[-1]
        delta = (a - y) * a * (1.0 - a) if bug == "output" else (a - y) / a.size
        if bug == "negated":
            delta = -delta
        for i in range(len(weights) - 1, -1, -1):
            dW, db = grads[i]
            dW += np.outer(acts[i], delta) if bug == "dW-T" else np.outer(delta, acts[i])
            db += delta
            if i:
                W = weights[i][0]
                back = W @ delta if bug == "transpose" else W.T @ delta
                delta = back * slope(zs[i - 1], acts[i])
    scale = 1.0 if bug == "m" else 1.0 / m
    bias_scale = 1.0 if bug in ("m", "bias-m") else 1.0 / m
    return [(dW * scale, db * bias_scale) for dW, db in grads]


DELTA_BUGS = [
    ("m", "missing-1-over-m"),
    ("sigma-of-a", "sigma-prime-of-a"),
    ("output", "wrong-output-delta"),
    ("transpose", "missing-transpose"),
    ("negated", "all-negated"),
    ("bias-m", "bias-missing-1-over-m"),
    ("no-sigma-prime", "missing-sigma-prime"),
]


def _square_net() -> tuple[MLP, list[list[float]], list[list[float]]]:
    net = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=4)
    return net, [[0.1, -0.5], [1.0, 0.2]], [[1.0, 0.0], [0.0, 1.0]]


def test_check_delta_names_dw_the_wrong_way_round_on_square_layers() -> None:
    net, X, Y = _square_net()

    def mine(weights: Any, X: Any, Y: Any) -> list[Any]:
        return right_backprop(weights, X, Y, bug="dW-T")

    report = tutor.check_delta(mine, net, X, Y, loss="bce")
    assert report.diagnosis == "dW-transposed", str(report)


def test_check_delta_names_tanh_prime_written_in_z() -> None:
    net = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=2)
    assert tutor.check_delta(
        lambda w, X, Y: right_backprop(w, X, Y, hidden="tanh"), net, XOR_X, XOR_Y
    ).ok
    report = tutor.check_delta(
        lambda w, X, Y: right_backprop(w, X, Y, hidden="tanh", bug="tanh-z"), net, XOR_X, XOR_Y
    )
    assert report.diagnosis == "tanh-prime-of-z", str(report)
    # the advice speaks of the network's own activation, tanh, not of σ
    wrong_sig = tutor.check_delta(
        lambda w, X, Y: right_backprop(w, X, Y, hidden="tanh", bug="no-sigma-prime"),
        net, XOR_X, XOR_Y,
    )  # fmt: skip
    assert wrong_sig.diagnosis == "missing-sigma-prime" and "1 − a²" in wrong_sig.hint


def test_check_delta_accepts_the_right_equations_on_xor() -> None:
    report = tutor.check_delta(right_backprop, examples.xor_network(), XOR_X, XOR_Y, loss="bce")
    assert report.ok, str(report)


@pytest.mark.parametrize(("bug", "code"), DELTA_BUGS)
def test_check_delta_names_each_injected_bug_on_xor(bug: str, code: str) -> None:
    def mine(weights: Any, X: Any, Y: Any) -> list[Any]:
        return right_backprop(weights, X, Y, bug=bug)

    report = tutor.check_delta(mine, examples.xor_network(), XOR_X, XOR_Y, loss="bce")
    assert not report.ok
    assert report.diagnosis == code, str(report)


def test_check_delta_names_a_missing_transpose_on_square_layers_too() -> None:
    net, X, Y = _square_net()
    assert tutor.check_delta(right_backprop, net, X, Y, loss="bce").ok

    def mine(weights: Any, X: Any, Y: Any) -> list[Any]:
        return right_backprop(weights, X, Y, bug="transpose")

    report = tutor.check_delta(mine, net, X, Y, loss="bce")
    assert report.diagnosis == "missing-transpose", str(report)
    # the output layer is right; the first wrong entry is in layer 1
    assert report.first_wrong is not None and report.first_wrong.where.startswith("∂L/∂W1[")


def test_check_delta_on_the_worked_neuron_names_the_first_wrong_parameter() -> None:
    net = MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=0)
    manual.load_weights(net, [([[1.2]], [-0.8])])

    def mine(weights: Any, X: Any, Y: Any) -> list[Any]:
        ((W, b),) = weights
        a = 1.0 / (1.0 + np.exp(-(X @ W.T + b)))
        d = (a - Y) * a * (1.0 - a)  # ½(y − ŷ)²: δ = (a − y)·σ′(z)
        return [(d.T @ X * 2.0, d.sum(axis=0))]  # dW doubled: a wrong answer

    report = tutor.check_delta(mine, net, [[0.5]], [0.0], loss="half_sse")
    assert not report.ok and report.diagnosis is None
    assert report.first_wrong is not None
    assert report.first_wrong.where == "∂L/∂W1[0, 0]"
    assert report.first_wrong.expected == pytest.approx(0.055712, abs=5e-7)
    assert report.first_wrong.got == pytest.approx(2 * 0.055712, abs=1e-6)


@settings(max_examples=25)
@given(seed=seeds(), sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_check_delta_never_flags_the_right_equations(seed: int, sizes: list[int]) -> None:
    net = MLP(2, [*sizes, 1], activation="sigmoid", output_activation="sigmoid", seed=seed)
    report = tutor.check_delta(right_backprop, net, XOR_X, XOR_Y, loss="bce")
    assert report.ok, str(report)


@pytest.mark.slow
@settings(max_examples=25)
@given(layer=st.integers(0, 2), entry=st.integers(0, 20), rel=st.floats(1e-5, 0.5))
def test_check_delta_catches_a_random_perturbation_without_naming_a_bug(
    layer: int, entry: int, rel: float
) -> None:
    def mine(weights: Any, X: Any, Y: Any) -> list[Any]:
        grads = right_backprop(weights, X, Y)
        dW = grads[layer][0]
        flat = dW.reshape(-1)
        k = entry % flat.size
        flat[k] += rel * (1e-2 + abs(flat[k]))  # ≥ 1e-7: ten times the tolerance
        return grads

    report = tutor.check_delta(mine, examples.xor_network(), XOR_X, XOR_Y, loss="bce")
    assert not report.ok
    assert report.diagnosis is None, str(report)


def test_check_delta_explains_a_wrong_shape() -> None:
    def transposed(weights: Any, X: Any, Y: Any) -> list[Any]:
        return [(dW.T, db) for dW, db in right_backprop(weights, X, Y)]

    report = tutor.check_delta(transposed, examples.xor_network(), XOR_X, XOR_Y)
    assert not report.ok and report.diagnosis == "dW-transposed"
    assert "dW1 must have shape (4, 2)" in report.hint


# --------------------------------------------------------------------------- reports
def test_report_shows_the_same_facts_as_text_markdown_and_html() -> None:
    report = tutor.check_rule("sub", lambda a, b, out: (1.0, 1.0))
    text, md, page = str(report), report._repr_markdown_(), report._repr_html_()
    for view in (text, md, page):
        assert "sign" in view and "1e-09" in view and "expected -1, got 1" in view
    assert md.startswith("**check_rule('sub')** ❌")  # textsafe.md_text: "_" inside a word is inert
    assert page.count("<tr>") == len(report.lines()) - 1
    ok = tutor.check_rule("sub", RIGHT_RULES["sub"])
    assert "✔" in ok._repr_html_() and "diagnosis" not in str(ok)


def test_report_html_escapes_the_learners_text() -> None:
    def evil(x: float, out: float) -> float:
        raise ValueError("<script>")

    page = tutor.check_rule("tanh", evil)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


# --------------------------------------------------------------------------- the catalogue
def test_every_catalogued_bug_is_diagnosed_by_some_test() -> None:
    # each table is tested above entry by entry, requiring exactly its code
    required = {code for _, _, code in RULE_BUGS} | {code for _, code in BACKWARD_BUGS}
    required |= {code for _, code in DELTA_BUGS} | set(GRADIENT_BUGS)
    required |= {"dW-transposed", "tanh-prime-of-z"}  # the two delta tests after DELTA_BUGS
    required |= {"did-not-finish", "changed-the-library"}  # tests/test_tutor_sandbox.py
    assert required == set(tutor.BUGS)


def test_check_delta_accepts_plain_lists() -> None:
    def as_lists(weights: Any, X: Any, Y: Any) -> list[Any]:
        return [(dW.tolist(), db.tolist()) for dW, db in right_backprop(weights, X, Y)]

    assert tutor.check_delta(as_lists, examples.xor_network(), XOR_X, XOR_Y).ok
