"""A set of realistic learner submissions to the tutor, each labelled right or with its mistake.

The mistakes are the ones learners report in public around micrograd (accumulating gradients
across calls, '=' for '+=', a recursive topological sort that dies on deep graphs, σ′ of the
output), nn-zero-to-hero (tanh′ written in the input, forgetting the upstream gradient),
minitorch (swapped operands, signs of sub and div) and from-scratch NumPy networks (a missing
transpose, σ′ left out or taken of a, 1/m forgotten, on the biases only, dW the wrong way
round, y − a for a − y). The right ones vary in honest style: rounding, float32, lists or
arrays, micrograd's convention, recursive sorts, Kahn's algorithm, keepdims biases.

Run ``python tests/learner_set.py`` (with ``PYTHONPATH`` at a checkout) to print the counts
for that checkout's tutor; each submission gets at most 20 s there, so an older tutor that
hangs on learner code is measured too.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygrad_edu import examples, tutor
from tinygrad_edu.engine import Value
from tinygrad_edu.nn import MLP


@dataclass(frozen=True)
class Submission:
    """One learner's answer: what it is, how to check it, and the expected code (None: right)."""

    name: str
    check: Callable[[], Any]  # runs the tutor, returns its report
    expected: str | None  # None: right; "": wrong with no catalogued code; else the code


def sig(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))


# ----------------------------------------------------------------------------- rules
def _rule(op: str, fn: Callable[..., Any], code: str | None, name: str) -> Submission:
    return Submission(f"rule {op}: {name}", lambda: tutor.check_rule(op, fn), code)


def _spin(*args: float) -> float:
    while True:
        pass


def _patch_add(x: float, out: float) -> float:
    Value.__add__ = lambda self, other: self  # type: ignore[method-assign,assignment]
    return 1.0 - out * out


RULES = [
    _rule("tanh", lambda x, out: 1 - out**2, None, "1 - out**2"),
    _rule("tanh", lambda x, out: 1 / math.cosh(x) ** 2, None, "sech²"),
    _rule("tanh", lambda x, out: round(1 - out**2, 12), None, "rounded to 12 places"),
    _rule("sigmoid", lambda x, out: out * (1 - out), None, "out(1 − out)"),
    _rule("sigmoid", lambda x, out: math.exp(-x) / (1 + math.exp(-x)) ** 2, None, "e⁻ˣ/(1+e⁻ˣ)²"),
    _rule("exp", lambda x, out: out, None, "out"),
    _rule("log", lambda x, out: 1 / x, None, "1/x"),
    _rule("relu", lambda x, out: 1.0 if x >= 0 else 0.0, None, "relu′(0) = 1"),
    _rule("relu", lambda x, out: float(x > 0), None, "float(x > 0)"),
    _rule("abs", lambda x, out: math.copysign(1.0, x), None, "copysign (±1 at 0)"),
    _rule("mul", lambda a, b, out: [b, a], None, "a list"),
    _rule("mul", lambda a, b, out: np.array([b, a]), None, "a NumPy array"),
    _rule("mul", lambda a, b, out: np.array([b, a], dtype=np.float32), None, "float32 array"),
    _rule("div", lambda a, b, out: (1 / b, -a / b**2), None, "(1/b, −a/b²)"),
    _rule("div", lambda a, b, out: (1 / b, -out / b), None, "(1/b, −out/b)"),
    _rule("pow", lambda a, b, out: (b * a ** (b - 1), out * math.log(a)), None, "pow"),
    _rule("sub", lambda a, b, out: (1, -1), None, "ints"),
    _rule("atan", lambda x, out: 1 / (1 + x * x), None, "atan"),
    _rule("leaky_relu", lambda x, out: 1.0 if x >= 0 else 0.01, None, "leaky′(0) = 1"),
    _rule("clamp", lambda x, out: 1.0 if -1 <= x <= 1 else 0.0, None, "clamp, inclusive"),
    _rule("softplus", lambda x, out: sig(x), None, "σ(x)"),
    _rule("sqrt", lambda x, out: 0.5 / out, None, "0.5/out"),
    _rule("sin", lambda x, out: math.cos(x), None, "cos"),
    _rule("cos", lambda x, out: -math.sin(x), None, "−sin"),
    _rule("powc", lambda x, out: 3 * x * x, None, "3x²"),
    _rule("neg", lambda x, out: -1, None, "−1"),
    _rule("sum", lambda x1, x2, x3, out: np.ones(3), None, "np.ones(3)"),
    _rule("dot", lambda w1, w2, x1, x2, b, out: (x1, x2, w1, w2, 1), None, "dot"),
    # wrong
    _rule("tanh", lambda x, out: 1 - x**2, "input-instead-of-output", "1 − x²"),
    _rule("sigmoid", lambda x, out: x * (1 - x), "input-instead-of-output", "x(1 − x)"),
    _rule("exp", lambda x, out: x, "input-instead-of-output", "x"),
    _rule("sqrt", lambda x, out: 0.5 / x, "input-instead-of-output", "0.5/x"),
    _rule("log", lambda x, out: 1 / out, "output-instead-of-input", "1/out"),
    _rule("tanh", lambda x, out: 1 - math.tanh(out) ** 2, "derivative-at-output", "tanh′(out)"),
    _rule("sigmoid", lambda x, out: sig(out) * (1 - sig(out)), "derivative-at-output", "σ′(out)"),
    _rule("sub", lambda a, b, out: (1, 1), "sign", "(1, 1)"),
    _rule("cos", lambda x, out: math.sin(x), "sign", "sin"),
    _rule("sin", lambda x, out: -math.cos(x), "sign", "−cos"),
    _rule("neg", lambda x, out: 1, "sign", "1"),
    _rule("log", lambda x, out: -1 / x, "sign", "−1/x"),
    _rule("atan", lambda x, out: -1 / (1 + x * x), "sign", "atan negated"),
    _rule("softplus", lambda x, out: -sig(x), "sign", "−σ"),
    _rule("div", lambda a, b, out: (1 / b, a / b**2), "sign", "(1/b, a/b²)"),
    _rule("mul", lambda a, b, out: (a, b), "reversed-operands", "(a, b)"),
    _rule("div", lambda a, b, out: (-a / b**2, 1 / b), "reversed-operands", "swapped"),
    _rule(
        "pow",
        lambda a, b, out: (out * math.log(a), b * a ** (b - 1)),
        "reversed-operands",
        "swapped",
    ),
    _rule("abs", lambda x, out: -1.0 if x > 0 else 1.0, "sign", "−sign(x)"),
    _rule("relu", lambda x, out: -1.0 if x > 0 else 0.0, "sign", "−1 for x > 0"),
    _rule("leaky_relu", lambda x, out: -1.0 if x > 0 else -0.01, "sign", "negated"),
    _rule("exp", lambda x, out: -out, "sign", "−out"),
    _rule("tanh", lambda x, out: out**2 - 1, "sign", "out² − 1"),
    _rule("sigmoid", lambda x, out: out * (out - 1), "sign", "out(out − 1)"),
    _rule("sqrt", lambda x, out: 0.5 / math.sqrt(out), "derivative-at-output", "0.5/√out"),
    _rule("powc", lambda x, out: 3 * x, "", "3x (the power rule half done)"),
    _rule("sigmoid", lambda x, out: out, "", "σ′ = σ"),
    _rule("tanh", lambda x, out: "1 - out**2", "", "a string"),
    _rule("tanh", lambda x, out: None, "missing-answer", "forgot return"),
    _rule("exp", _spin, "did-not-finish", "an endless loop"),
    _rule("tanh", _patch_add, "changed-the-library", "patches Value.__add__"),
]


# ----------------------------------------------------------------------------- backward
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


def _recursive_topo(root: Value) -> list[Value]:  # micrograd's build_topo
    topo: list[Value] = []
    visited: set[Value] = set()

    def build(v: Value) -> None:
        if v not in visited:
            visited.add(v)
            for child in v.parents:
                build(child)
            topo.append(v)

    build(root)
    return topo


def _chain(order: list[Value], upstream: bool = True, accumulate: bool = True) -> None:
    for node in order:
        for p, local in zip(node.parents, node.local_grads):
            c = local * node.grad if upstream else local
            p.grad = p.grad + c if accumulate else c


def bw_right(root: Value) -> None:
    order = _postorder(root)
    for n in order:
        if n.parents:
            n.grad = 0.0
    root.grad = 1.0
    _chain(order[::-1])


def bw_micrograd(root: Value) -> None:  # the lecture's loop with an iterative sort
    root.grad = 1.0
    _chain(_postorder(root)[::-1])


def bw_dict(root: Value) -> None:  # totals in a dict, written back at the end
    order = _postorder(root)
    g = {n: 0.0 for n in order}
    g[root] = 1.0
    for node in reversed(order):
        for p, local in zip(node.parents, node.local_grads):
            g[p] += local * g[node]
    for n in order:
        n.grad = g[n] + (n.grad if not n.parents and n is not root else 0.0)


def bw_kahn(root: Value) -> None:
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


def bw_depth_sorted(root: Value) -> None:  # sorted by longest distance from the root
    depth: dict[Value, int] = {root: 0}
    for node in reversed(_postorder(root)):
        for p in node.parents:
            depth[p] = max(depth.get(p, 0), depth[node] + 1)
    order = sorted(depth, key=depth.__getitem__)
    for n in order:
        if n.parents:
            n.grad = 0.0
    root.grad = 1.0
    _chain(order)


def bw_recursive_deep_limit(root: Value) -> None:  # recursion, with the limit raised
    sys.setrecursionlimit(10_000)
    order = _recursive_topo(root)
    for n in order:
        if n.parents:
            n.grad = 0.0
    root.grad = 1.0
    _chain(order[::-1])


def bw_zero_all(root: Value) -> None:  # zeroes the leaves too: recomputed every call
    order = _postorder(root)
    for n in order:
        n.grad = 0.0
    root.grad = 1.0
    _chain(order[::-1])


def bw_missing_upstream(root: Value) -> None:
    root.grad = 1.0
    _chain(_postorder(root)[::-1], upstream=False)


def bw_assign(root: Value) -> None:
    root.grad = 1.0
    _chain(_postorder(root)[::-1], accumulate=False)


def bw_forward_order(root: Value) -> None:
    root.grad = 1.0
    _chain(_postorder(root))


def bw_bfs(root: Value) -> None:
    order, i = [root], 0
    while i < len(order):
        order.extend(p for p in order[i].parents if p not in order)
        i += 1
    root.grad = 1.0
    _chain(order)


def bw_preorder(root: Value) -> None:
    order: list[Value] = []
    stack = [root]
    while stack:
        n = stack.pop()
        if n not in order:
            order.append(n)
            stack.extend(reversed(n.parents))
    root.grad = 1.0
    _chain(order)


def bw_unseeded(root: Value) -> None:
    _chain(_postorder(root)[::-1])


def bw_lecture(root: Value) -> None:  # micrograd's lecture code: recursive build_topo
    root.grad = 1.0
    _chain(_recursive_topo(root)[::-1])


def bw_resend(root: Value) -> None:
    root.grad = 1.0

    def back(v: Value) -> None:
        for p, local in zip(v.parents, v.local_grads):
            p.grad += local * v.grad
            back(p)

    back(root)


def bw_leaves_only_reset(root: Value) -> None:
    order = _postorder(root)
    for n in order:
        if not n.parents:
            n.grad = 0.0
    root.grad = 1.0
    _chain(order[::-1])


def bw_kahn_assign(root: Value) -> None:
    order = _postorder(root)
    pending = {n: 0 for n in order}
    for n in order:
        for p in n.parents:
            pending[p] += 1
    root.grad = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        for p, local in zip(node.parents, node.local_grads):
            p.grad = local * node.grad
            pending[p] -= 1
            if pending[p] == 0:
                ready.append(p)


def bw_revisits(root: Value) -> None:  # a queue that never marks what it has seen
    queue = [root]
    root.grad = 1.0
    while queue:
        node = queue.pop(0)
        for p, local in zip(node.parents, node.local_grads):
            p.grad += local * node.grad
            queue.append(p)
            queue.append(p)


def bw_forgets_pop(root: Value) -> None:  # a stack whose finished nodes are never popped
    stack, order, seen = [root], [], {root}
    while stack:
        node = stack[-1]
        fresh = [p for p in node.parents if p not in seen]
        if fresh:
            seen.update(fresh)
            stack.extend(fresh)
        else:
            order.append(node)
    root.grad = 1.0
    _chain(order[::-1])


def bw_kahn_upstream(root: Value) -> None:  # Kahn's order, the upstream gradient forgotten
    bw_kahn(root)
    for n in _postorder(root):
        n.grad = 0.0
    root.grad = 1.0
    for node in reversed(_postorder(root)):
        for p, local in zip(node.parents, node.local_grads):
            p.grad += local


def bw_recursive_resend_seeded(root: Value) -> None:  # resets, then resends recursively
    for n in _postorder(root):
        if n.parents:
            n.grad = 0.0
    bw_resend(root)


def bw_half_grads(root: Value) -> None:  # ½ on every edge (MSE's ½ applied everywhere)
    order = _postorder(root)
    for n in order:
        if n.parents:
            n.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for p, local in zip(node.parents, node.local_grads):
            p.grad += 0.5 * local * node.grad


def bw_patches(root: Value) -> None:
    bw_right(root)
    Value.backward = lambda self, gradient=1.0: None  # type: ignore[method-assign]


def _bw(fn: Callable[[Value], None], code: str | None) -> Submission:
    return Submission(
        f"backward: {fn.__name__}",
        lambda: (
            tutor.check_backward(fn, timeout=3.0) if _has_timeout() else tutor.check_backward(fn)
        ),
        code,
    )


def _has_timeout() -> bool:
    import inspect

    return "timeout" in inspect.signature(tutor.check_backward).parameters


BACKWARD = [
    _bw(bw_right, None),
    _bw(bw_micrograd, None),
    _bw(bw_dict, None),
    _bw(bw_kahn, None),
    _bw(bw_depth_sorted, None),
    _bw(bw_recursive_deep_limit, None),
    _bw(bw_zero_all, None),
    _bw(bw_missing_upstream, "missing-upstream"),
    _bw(bw_assign, "assign-not-accumulate"),
    _bw(bw_forward_order, "not-topological"),
    _bw(bw_bfs, "not-topological"),
    _bw(bw_preorder, "not-topological"),
    _bw(bw_unseeded, "unseeded-root"),
    _bw(bw_lecture, "recursion-depth"),
    _bw(bw_resend, "double-counting"),
    _bw(bw_leaves_only_reset, "doubled-on-second-call"),
    _bw(bw_kahn_assign, "assign-not-accumulate"),
    _bw(bw_revisits, ""),
    _bw(bw_forgets_pop, "did-not-finish"),
    _bw(bw_kahn_upstream, "missing-upstream"),
    _bw(bw_recursive_resend_seeded, "double-counting"),
    _bw(bw_half_grads, ""),
    _bw(bw_patches, "changed-the-library"),
]


# ----------------------------------------------------------------------------- hand tables
def _neuron_key() -> dict[str, float]:
    x, w, b = 0.5, 1.2, -0.8
    s = sig(w * x + b)
    dz = s * s * (1 - s)
    return {"L": 1.0, "ŷ": s, "z": dz, "w": dz * x, "b": dz, "x": dz * w}


def _table(name: str, answers: dict[str, Any], code: str | None) -> Submission:
    def run() -> Any:
        return tutor.check_gradients(examples.neuron_loss()["L"], answers)

    return Submission(f"table: {name}", run, code)


def _sheet(
    seed: int, level: int, change: Callable[[Any], dict[str, Any]], code: str | None, name: str
) -> Submission:
    def run() -> Any:
        ws = tutor.worksheet(seed, level)
        return ws.check(change(ws))

    return Submission(f"worksheet {level}/{seed}: {name}", run, code)


def _printed_key(ws: Any) -> dict[str, float]:
    return {k: float(f"{v:.6g}") for k, v in ws.answer_key.items()}


def _tanh_input_wrong(ws: Any) -> dict[str, float]:
    key = dict(ws.answer_key)
    z = next(n for n in ws.nodes if n.label in ("n", "z1[0]"))
    a = next(n for n in ws.nodes if n.label in ("o", "a1[0]"))
    key[z.label] = (1 - z.data**2) * key[a.label]  # tanh′ fed the input
    return key


def _leaf_sign(ws: Any) -> dict[str, float]:
    key = dict(ws.answer_key)
    leaf = next(n for n in reversed(ws.nodes) if not n.parents and key[n.label] != 0)
    key[leaf.label] = -key[leaf.label]
    return key


def _shared_one_path(ws: Any) -> dict[str, float]:
    key = dict(ws.answer_key)
    a = next(n for n in ws.nodes if n.label == "a")
    key["a"] = ws.root.local_grads[ws.root.parents.index(a)] * 1.0
    return key


K = _neuron_key()
TABLES = [
    _table("exact", dict(K), None),
    _table(
        "textbook rounding",
        {"L": 1, "ŷ": 0.450, "z": 0.111, "w": 0.056, "b": 0.111, "x": 0.134},
        None,
    ),
    _table("README's w = 0.0557", {**{k: round(v, 4) for k, v in K.items()}, "w": 0.0557}, None),
    _table("4 significant digits", {k: float(f"{v:.4g}") for k, v in K.items()}, None),
    _sheet(3, 1, _printed_key, None, "the key as printed"),
    _sheet(5, 2, _printed_key, None, "the key as printed"),
    _sheet(7, 3, _printed_key, None, "the key as printed"),
    _sheet(11, 4, _printed_key, None, "the key as printed"),
    _sheet(12, 4, lambda ws: {k: round(v, 3) for k, v in ws.answer_key.items()}, None, "3 places"),
    _sheet(
        2,
        3,
        lambda ws: {k: float(f"{v:.3g}") for k, v in ws.answer_key.items()},
        None,
        "3 significant digits",
    ),
    # wrong
    _table("σ′ without upstream", {**K, "z": K["ŷ"] * (1 - K["ŷ"])}, "missing-upstream"),
    _table("σ′ of z written in z", {**K, "z": -0.2 * 1.2 * K["ŷ"]}, "input-instead-of-output"),
    _table("σ′ of ŷ", {**K, "z": sig(K["ŷ"]) * (1 - sig(K["ŷ"])) * K["ŷ"]}, "derivative-at-output"),
    _table("w gets w's value", {**K, "w": 1.2 * K["z"]}, "reversed-operands"),
    _table("b with a minus", {**K, "b": -K["z"]}, "sign"),
    _table("root 0", {**K, "L": 0.0}, "unseeded-root"),
    _table("x left blank", {**K, "x": None}, "missing-answer"),
    _table("w rounded to 0.06", {**K, "w": 0.06}, ""),
    _sheet(7, 2, _shared_one_path, "assign-not-accumulate", "a counted once"),
    _sheet(7, 3, _tanh_input_wrong, "input-instead-of-output", "tanh′(z) = 1 − z²"),
    _sheet(9, 4, _leaf_sign, "sign", "a leaf negated"),
    _sheet(4, 1, lambda ws: {**ws.answer_key, "L": 2.0}, "unseeded-root", "root 2"),
]


# ----------------------------------------------------------------------------- delta
XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0.0, 1.0, 1.0, 0.0]


def backprop(
    weights: Any,
    X: Any,
    Y: Any,
    *,
    bug: str = "",
    hidden: str = "sigmoid",
    dtype: Any = np.float64,
    loss: str = "bce",
) -> list[Any]:
    """Batch delta equations, rows as examples (Z = A Wᵀ + b), with one mistake injected."""
    X = np.asarray(X, dtype=dtype)
    Y = np.asarray(Y, dtype=dtype).reshape(len(X), -1)
    m = len(X)
    As, Zs = [X], []
    for i, (W, b) in enumerate(weights):
        W, b = np.asarray(W, dtype=dtype), np.asarray(b, dtype=dtype)
        Zs.append(As[-1] @ W.T + b)
        last = i == len(weights) - 1
        As.append(1 / (1 + np.exp(-Zs[-1])) if last or hidden == "sigmoid" else np.tanh(Zs[-1]))

    def slope(Z: Any, A: Any) -> Any:
        if bug == "no-sigma-prime":
            return 1.0
        if hidden == "tanh":
            if bug == "sigma-of-a":
                return 1 - np.tanh(A) ** 2
            return 1 - Z**2 if bug == "tanh-z" else 1 - A**2
        S = 1 / (1 + np.exp(-(A if bug == "sigma-of-a" else Z)))
        return S * (1 - S)

    A = As[-1]
    if loss == "bce":  # the library's BCE is the mean over the outputs too: δᴸ = (a − y)/n
        D = (A - Y) / Y.shape[1]
        if bug == "output":
            D = D * A * (1 - A)
    else:  # ½(y − a)² for one output
        D = (A - Y) * (1.0 if bug == "no-sigma-prime" else A * (1 - A))
    if bug == "negated":
        D = -D
    grads = []
    for i in range(len(weights) - 1, -1, -1):
        dW = (As[i].T @ D) if bug in ("dW-T", "dW-T-shape") else D.T @ As[i]
        db = D.sum(axis=0)
        scale = 1.0 if bug == "m" else 1.0 / m
        grads.append((dW * scale, db * (1.0 if bug in ("m", "bias-m") else 1.0 / m)))
        if i:
            W = np.asarray(weights[i][0], dtype=dtype)
            back = D @ (W.T if bug == "transpose" else W)
            D = back * slope(Zs[i - 1], As[i])
    return grads[::-1]


def _spin_backprop(weights: Any, X: Any, Y: Any) -> Any:
    while True:
        pass


def _delta(
    name: str,
    net: Callable[[], MLP],
    fn: Callable[..., Any],
    code: str | None,
    X: Any = XOR_X,
    y: Any = XOR_Y,
    loss: str = "bce",
) -> Submission:
    return Submission(f"delta: {name}", lambda: tutor.check_delta(fn, net(), X, y, loss=loss), code)


def xor() -> MLP:
    return examples.xor_network()


def square() -> MLP:
    return MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=4)


def tanh_net() -> MLP:
    return MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=2)


def wide() -> MLP:
    return MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=1)


def neuron() -> MLP:
    return MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=0)


SQ_X, SQ_Y = [[0.1, -0.5], [1.0, 0.2]], [[1.0, 0.0], [0.0, 1.0]]


def _lists(w: Any, X: Any, Y: Any) -> Any:
    return [(dW.tolist(), db.tolist()) for dW, db in backprop(w, X, Y)]


def _keepdims(w: Any, X: Any, Y: Any) -> Any:
    return [(dW, db.reshape(1, -1)) for dW, db in backprop(w, X, Y)]


def _per_example(w: Any, X: Any, Y: Any) -> Any:
    total = None
    for x, y in zip(X, Y):
        g = backprop(w, [x], [y])
        total = g if total is None else [(a + c, b + d) for (a, b), (c, d) in zip(total, g)]
    assert total is not None
    return [(a / len(X), b / len(X)) for a, b in total]


def _float32(w: Any, X: Any, Y: Any) -> Any:
    return backprop(w, X, Y, dtype=np.float32)


def _db_not_summed(w: Any, X: Any, Y: Any) -> Any:  # db left as m × n
    out = backprop(w, X, Y)
    return [(dW, np.tile(db, (len(X), 1))) for dW, db in out]


def _bug(bug: str, **kw: Any) -> Callable[..., Any]:
    return lambda w, X, Y: backprop(w, X, Y, bug=bug, **kw)


DELTA = [
    _delta("batch", xor, backprop, None),
    _delta("lists", xor, _lists, None),
    _delta("keepdims db", xor, _keepdims, None),
    _delta("one example at a time", xor, _per_example, None),
    _delta("float32 (PyTorch's default)", xor, _float32, None),
    _delta("tanh hidden", tanh_net, _bug("", hidden="tanh"), None),
    _delta("square layers", square, backprop, None, SQ_X, SQ_Y),
    _delta(
        "worked neuron, ½(y − ŷ)²", neuron, _bug("", loss="half"), None, [[0.5]], [0.0], "half_sse"
    ),
    # wrong
    _delta("no 1/m", xor, _bug("m"), "missing-1-over-m"),
    _delta(
        "no 1/m, float32",
        xor,
        lambda w, X, Y: backprop(w, X, Y, bug="m", dtype=np.float32),
        "missing-1-over-m",
    ),
    _delta("σ′(a)", xor, _bug("sigma-of-a"), "sigma-prime-of-a"),
    _delta("σ′ on δᴸ for BCE", xor, _bug("output"), "wrong-output-delta"),
    _delta("Wδ, square", square, _bug("transpose"), "missing-transpose", SQ_X, SQ_Y),
    _delta("Wδ, non-square raises", wide, _bug("transpose"), "missing-transpose"),
    _delta("y − a", xor, _bug("negated"), "all-negated"),
    _delta("y − a, tanh", tanh_net, _bug("negated", hidden="tanh"), "all-negated"),
    _delta("db summed", xor, _bug("bias-m"), "bias-missing-1-over-m"),
    _delta(
        "db summed, lists",
        xor,
        lambda w, X, Y: [(a.tolist(), b.tolist()) for a, b in backprop(w, X, Y, bug="bias-m")],
        "bias-missing-1-over-m",
    ),
    _delta("σ′ left out", xor, _bug("no-sigma-prime"), "missing-sigma-prime"),
    _delta(
        "tanh′ left out", tanh_net, _bug("no-sigma-prime", hidden="tanh"), "missing-sigma-prime"
    ),
    _delta(
        "σ′ left out, ½(y − ŷ)²",
        neuron,
        _bug("no-sigma-prime", loss="half"),
        "missing-sigma-prime",
        [[0.5], [1.5]],
        [0.0, 1.0],
        "half_sse",
    ),
    _delta("tanh′ = 1 − z²", tanh_net, _bug("tanh-z", hidden="tanh"), "tanh-prime-of-z"),
    _delta("tanh′ of a", tanh_net, _bug("sigma-of-a", hidden="tanh"), "sigma-prime-of-a"),
    _delta("dW = aδᵀ, square", square, _bug("dW-T"), "dW-transposed", SQ_X, SQ_Y),
    _delta("dW = aδᵀ, shapes", xor, _bug("dW-T-shape"), "dW-transposed"),
    _delta("db not summed over the batch", xor, _db_not_summed, ""),
    _delta("an endless loop", xor, _spin_backprop, "did-not-finish"),
    _delta(
        "no 1/m, lists",
        xor,
        lambda w, X, Y: [(a.tolist(), b.tolist()) for a, b in backprop(w, X, Y, bug="m")],
        "missing-1-over-m",
    ),
    _delta(
        "σ′(a), float32",
        xor,
        lambda w, X, Y: backprop(w, X, Y, bug="sigma-of-a", dtype=np.float32),
        "sigma-prime-of-a",
    ),
    _delta(
        "σ′ left out, square", square, _bug("no-sigma-prime"), "missing-sigma-prime", SQ_X, SQ_Y
    ),
    _delta("y − a, square", square, _bug("negated"), "all-negated", SQ_X, SQ_Y),
    _delta("db summed, square", square, _bug("bias-m"), "bias-missing-1-over-m", SQ_X, SQ_Y),
    _delta("returns None", xor, lambda w, X, Y: None, "missing-answer"),
    _delta("one pair short", xor, lambda w, X, Y: backprop(w, X, Y)[:2], ""),
]

SUBMISSIONS: list[Submission] = [*RULES, *BACKWARD, *TABLES, *DELTA]


def outcome(sub: Submission) -> tuple[bool, str | None, str]:
    """(ok, diagnosis, '' or what went wrong in the tutor itself) for one submission."""
    try:
        report = sub.check()
    except Exception as err:  # an older tutor may refuse or crash: that is its outcome
        return False, None, f"raised {type(err).__name__}"
    return bool(report.ok), report.diagnosis, ""


def measure(limit: float = 20.0) -> dict[str, int]:
    """Counts over the set: right ones accepted, wrong ones detected and named."""
    import signal

    counts = {"right": 0, "accepted": 0, "wrong": 0, "detected": 0, "named": 0, "crashed": 0}

    hung = [False]

    def alarm(signum: int, frame: Any) -> None:
        hung[0] = True  # an older tutor may catch this in the learner's code: it repeats
        raise TimeoutError("the tutor itself hung")

    from tinygrad_edu import engine

    signal.signal(signal.SIGALRM, alarm)
    classes = [engine.Value, getattr(engine, "_Node", engine.Value)]
    for sub in SUBMISSIONS:
        # the harness puts back what a submission patched, so that one monkeypatching
        # submission does not spoil the measurement of the others on a tutor that does not
        saved = [(c, dict(vars(c))) for c in classes]
        hung[0] = False
        signal.setitimer(signal.ITIMER_REAL, limit, 0.5)
        try:
            ok, code, crash = outcome(sub)
        except TimeoutError:
            ok, code, crash = False, None, "hung"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for c, attrs in saved:
                for k, v in attrs.items():
                    if vars(c).get(k) is not v:
                        setattr(c, k, v)
        if hung[0]:
            ok, code, crash = False, None, "hung"
        counts["crashed"] += bool(crash)
        if sub.expected is None:
            counts["right"] += 1
            counts["accepted"] += ok
        else:
            counts["wrong"] += 1
            counts["detected"] += not ok and not crash
            counts["named"] += (code or "") == sub.expected and not ok and not crash
        if "-v" in sys.argv:
            print(f"{sub.name:55} expected {sub.expected!s:24} ok={ok} code={code} {crash}")
    return counts


if __name__ == "__main__":
    print(measure())
