"""compile under hostile labels, branches, literals, huge neurons, threads and long runs."""

from __future__ import annotations

import ast
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from tinygrad_edu import losses
from tinygrad_edu.compile import CompiledStep, CompileMismatch, compile
from tinygrad_edu.compile.compiled import MAX_VARIANTS
from tinygrad_edu.engine import Value
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.train import fit

# One payload per class of character that could end or disguise a comment or a string; each
# is followed by code that would run (and fail the test) if the label became code.
PAYLOADS = {
    "newline": "h\nraise SystemExit('injected')",
    "carriage return": "h\rraise SystemExit('injected')",
    "NUL": "h\x00raise SystemExit('injected')",
    "lone surrogate": "h\ud800raise SystemExit('injected')",
    "bidi override": "h\u202e\nraise SystemExit('injected') #\u202c",
    "triple quote": "h''' + raise SystemExit('injected') + '''",
    "hash": "h # \n raise SystemExit('injected')",
    "line separator": "h\u2028raise SystemExit('injected')\x0c\x1c\x85",
}


def labelled(label: str) -> Any:
    """f(x, y) = tanh(x·w + y), every node labelled ``label``."""
    w = Value(0.5, label=label)

    def f(x: Value, y: Value) -> Value:
        z = x * w
        z.label = label
        s = z + y
        s.label = label
        t = s.tanh()
        t.label = label
        return t

    return f, w


def assert_safe_source(source: str, plain_source: str) -> None:
    """``source`` is valid UTF-8 of printable lines, and the same program as ``plain_source``."""
    source.encode("utf-8")  # a lone surrogate would raise here
    for line in source.splitlines():
        assert line.isprintable(), repr(line)  # no control, bidi, NUL or separator characters
    assert len(source.splitlines()) == len(plain_source.splitlines())
    assert ast.dump(ast.parse(source)) == ast.dump(ast.parse(plain_source))


@pytest.mark.parametrize("label", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_labels_never_become_code_in_compile(label: str) -> None:
    f, w = labelled(label)
    compiled = compile(f, [0.3, -0.1], params=[w])
    plain_f, plain_w = labelled("")
    plain = compile(plain_f, [0.3, -0.1], params=[plain_w])
    assert_safe_source(compiled.source, plain.source)
    assert repr(label) in compiled.source  # shown, as a string literal in a comment
    assert compiled(0.7, 0.2) == plain(0.7, 0.2)


class Disguised(str):
    """A label whose own repr and str would print raw code."""

    def __repr__(self) -> str:
        return "\nraise SystemExit('injected')"

    def __str__(self) -> str:
        return self


def test_a_str_subclass_label_is_written_as_a_plain_repr() -> None:
    f, w = labelled(Disguised("h\nraise SystemExit('injected')"))
    compiled = compile(f, [0.3, -0.1], params=[w])
    plain_f, plain_w = labelled("")
    assert_safe_source(compiled.source, compile(plain_f, [0.3, -0.1], params=[plain_w]).source)


def labelled_model(label: str) -> Any:
    model = MLP(2, [3, 1], activation="tanh", seed=3)

    def run(x: Sequence[Value]) -> list[Value]:
        outs = model(x)
        for o in outs if isinstance(outs, list) else [outs]:
            o.label = label
        return outs if isinstance(outs, list) else [outs]

    return model, run


@pytest.mark.parametrize("label", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_labels_never_become_code_in_compiled_step_and_fit(label: str) -> None:
    X, y = [[0.1, 0.2], [0.5, -0.3], [-0.4, 0.8]], [[1.0], [0.0], [0.5]]
    model, run = labelled_model(label)
    step = CompiledStep(run, losses.mse, model.parameters())
    step.step(X, y)
    plain_model, plain_run = labelled_model("")
    plain = CompiledStep(plain_run, losses.mse, plain_model.parameters())
    plain.step(X, y)
    assert_safe_source(step.source, plain.source)
    assert step.compiled_steps == 1 and not step.fallback
    history = train(run, X, y, model, compile=True)
    plain_history = train(plain_run, X, y, plain_model, compile=False)
    assert history.loss == plain_history.loss


def train(run: Any, X: Any, y: Any, model: MLP, compile: bool) -> Any:
    optimizer = SGD(model.parameters(), lr=0.1)
    return fit(
        run, X, y, loss="mse", optimizer=optimizer, epochs=2, progress=False, compile=compile
    )


# ----------------------------------------------------------------------- literals and checks
def test_a_function_with_literals_compiles_and_passes_its_checks() -> None:
    f = compile(lambda x: x * 2.0 + 1.0, [3.0], check=3)
    assert f.params == []  # 2.0 and 1.0 are lifted anew on every call: constants
    assert f.value_and_grad(5.0) == (11.0, [2.0])
    assert f(4.0) == 9.0
    assert f.value_and_grad(-1.5) == (-2.0, [2.0])


def test_closed_over_values_are_parameters_and_literals_are_not() -> None:
    w = Value(3.0)
    f = compile(lambda x: x * w + 2.0, [1.0])
    assert f.params == [w]
    assert f.value_and_grad(2.0) == (8.0, [3.0]) and w.grad == 2.0


def test_calling_the_compiled_function_directly_is_checked() -> None:
    f = compile(lambda x: x - x.data, [1.0])  # the shift is frozen at the traced 1.0
    with pytest.raises(CompileMismatch, match=r"the value: 1\.0 != 0\.0"):
        f(2.0)
    g = compile(lambda x: x - x.data, [1.0], check=0)
    assert g(2.0) == 1.0  # unchecked: the documented limit


# ----------------------------------------------------------------------- branches are guards
def relu_by_branch(x: Value) -> Value:
    return x * 2.0 if x > 0 else -x


def test_a_branch_on_a_comparison_is_retraced_not_replayed_wrongly() -> None:
    f = compile(relu_by_branch, [1.0], check=0)
    assert "raise _GuardFailed" in f.source
    assert f.value_and_grad(3.0) == (6.0, [2.0]) and f.variants == 1
    assert f.value_and_grad(-3.0) == (3.0, [-1.0]) and f.variants == 2
    assert f(5.0) == 10.0 and f(-0.5) == 0.5 and f.variants == 2


@pytest.mark.parametrize(
    "branch",
    [
        lambda x, y: x if x > 0 else y,  # reflected: x.__gt__(0)
        lambda x, y: x if x >= y else y,  # two Values
        lambda x, y: x if x <= 1.5 else y * y,
        lambda x, y: x if (x * y) < 0.25 else y,  # an interior node
        lambda x, y: x if (y * y) > 1.0 else y,  # a node the result may not use
        lambda x, y: x * y if x == y else y,  # == is identity: the same on every call
    ],
)
def test_every_comparison_on_a_traced_value_is_a_guard(branch: Any) -> None:
    f = compile(branch, [1.0, 2.0], check=0)
    for x, y in [(1.0, 2.0), (-1.0, 0.5), (2.0, 1.0), (3.0, -2.0), (0.1, 0.1)]:
        lx, ly = Value(x), Value(y)
        root = branch(lx, ly)
        root.backward()
        assert f.value_and_grad(x, y) == (root.data, [lx.grad, ly.grad])


class Truthy(Value):
    """A Value whose truth is its data (Value's own truth is its identity)."""

    def __bool__(self) -> bool:
        return self.data != 0.0


def test_truth_of_a_value_that_defines_it_is_a_guard() -> None:
    gate = Truthy(0.0)
    f = compile(lambda x: x * gate if gate else x * 3.0, [1.0], params=[gate], check=0)
    assert "bool(p0)" in f.source
    assert f.value_and_grad(2.0) == (6.0, [3.0])
    gate.data = 0.5
    assert f.value_and_grad(2.0) == (1.0, [0.5]) and f.variants == 2


def test_past_the_trace_budget_calls_run_eagerly_and_stay_right() -> None:
    steps = [float(t) for t in range(MAX_VARIANTS + 3)]

    def staircase(x: Value) -> Value:
        return x * float(sum(1 for t in steps if x > t))

    f = compile(staircase, [0.5], check=0)
    for x in [t + 0.5 for t in steps]:
        assert f.value_and_grad(x) == (x * (x + 0.5), [x + 0.5])
    assert f.variants == MAX_VARIANTS and f.eager_calls == len(steps) - MAX_VARIANTS


def test_compiled_step_with_a_branching_model_falls_back_to_eager() -> None:
    w = Value(0.5)

    def model(x: Sequence[Value]) -> Value:
        return w * x[0] if x[0] > 0 else w * x[0] * 3.0

    step = CompiledStep(model, losses.mse, [w], check=0)
    X, y = [[1.0], [-2.0]], [[0.0], [1.0]]
    value, _ = step.step(X, y)
    # eager: outputs 0.5 and -3.0; mse = (0.25 + 16) / 2
    assert value == 8.125 and "branch" in step.fallback
    assert w.grad == (2 * 0.5 * 1.0 + 2 * -4.0 * -6.0) / 2


# ----------------------------------------------------------------------- size, threads, memory
def test_a_5000_input_neuron_compiles_without_deep_code() -> None:
    mlp = MLP(5000, [1], activation="tanh", seed=1)

    def model(v: list[Value]) -> Value:
        out = mlp(v)
        return out[0] if isinstance(out, list) else out

    xs = [((i * 37) % 101) / 101.0 - 0.5 for i in range(5000)]
    f = compile(lambda *v: model(list(v)), xs, params=mlp.parameters(), check=1)
    leaves = [Value(x) for x in xs]
    mlp.zero_grad()
    root = model(leaves)
    root.backward()
    eager = [p.grad for p in mlp.parameters()]
    mlp.zero_grad()
    value, grads = f.value_and_grad(*xs)
    assert value.hex() == root.data.hex()
    assert [g.hex() for g in grads] == [v.grad.hex() for v in leaves]
    assert [p.grad.hex() for p in mlp.parameters()] == [g.hex() for g in eager]


def test_fit_compile_on_a_4000_input_model() -> None:
    X = [[((i * j) % 7) / 7.0 for i in range(4000)] for j in range(1, 4)]
    y = [[0.5], [-0.5], [0.25]]
    a, b = MLP(4000, [2, 1], seed=2), MLP(4000, [2, 1], seed=2)
    ha = train(a, X, y, a, compile=True)
    hb = train(b, X, y, b, compile=False)
    assert ha.loss == hb.loss
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_threads_sharing_a_compiled_function_lose_no_gradient() -> None:
    w, c = Value(0.5), Value(-1.0)
    f = compile(lambda x: (x * w + c) * x, [1.0], params=[w, c], check=50)
    calls, threads = 200, 8

    def work() -> None:
        for _ in range(calls):
            f.value_and_grad(2.0)  # ∂/∂w = x² = 4, ∂/∂c = x = 2: exact sums

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert (w.grad, c.grad) == (4.0 * calls * threads, 2.0 * calls * threads)


def test_compiled_step_caches_stay_bounded_over_shuffled_batches() -> None:
    import random

    model = MLP(2, [3, 1], seed=4)
    step = CompiledStep(model, losses.mse, model.parameters(), check=0, cache_size=2)
    rng = random.Random(0)
    rows = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(12)]
    targets = [[rng.uniform(-1, 1)] for _ in range(12)]
    seen = []
    for _ in range(150):
        order = rng.sample(range(12), 4)
        step.step([rows[i] for i in order], [targets[i] for i in order])
        seen.append(step.cache_info())
    assert max(s["loss_code"] for s in seen) <= 2
    assert max(s["seen"] for s in seen) <= CompiledStep.SEEN_PER_GLUE * 2
    assert seen[-1]["programs"] == 1 and step.compiled_steps == 150


def test_a_loss_that_branches_on_its_values_is_never_replayed_wrongly() -> None:
    w = Value(1.0)

    def model(x: Sequence[Value]) -> Value:
        return w * x[0]

    def kinked(preds: list[Value], targets: Sequence[float]) -> Value:
        terms = [(p - t) * 2.0 if p > t else (t - p) * 3.0 for p, t in zip(preds, targets)]
        return terms[0] + terms[1]

    step = CompiledStep(model, kinked, [w], check=0)
    X, y = [[1.0], [2.0]], [1.5, 1.0]
    for w_data in [1.0, 1.0, 1.0, 0.25, 0.25, 2.0]:  # the first branch flips at the 4th step
        w.data = w_data
        value, _ = step.step(X, y)
        p0, p1 = w_data, 2.0 * w_data
        want = ((p0 - 1.5) * 2.0 if p0 > 1.5 else (1.5 - p0) * 3.0) + (
            (p1 - 1.0) * 2.0 if p1 > 1.0 else (1.0 - p1) * 3.0
        )
        assert value == want
    assert step.cache_info()["loss_code"] == 0


def test_compiling_under_a_profiler_keeps_the_profiler() -> None:
    import cProfile
    import sys

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        f = compile(relu_by_branch, [1.0], check=0)
        assert sys.getprofile() is profiler
        assert f.value_and_grad(-2.0) == (2.0, [-1.0])
    finally:
        profiler.disable()
    seen: list[str] = []

    def mine(frame: Any, event: str, arg: Any) -> None:
        seen.append(event)

    sys.setprofile(mine)
    try:
        compile(relu_by_branch, [1.0], check=0)
        assert sys.getprofile() is mine
    finally:
        sys.setprofile(None)
    assert "call" in seen
