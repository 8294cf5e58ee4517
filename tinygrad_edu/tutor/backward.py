"""check_backward: a learner's backward pass, on graphs chosen to expose the classic bugs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..engine import Value, topo_order
from .graphs import VARIANTS, Grads, names, reference_grads, same, users_text, uses
from .report import Report, Wrong, factor, fmt

BACKWARD_RTOL = 1e-9
TOLERANCE = f"|got − expected| ≤ {BACKWARD_RTOL:g}·max(1, |expected|) on every node"
DEEP = 2500  # nodes in the deep chain: more than Python's default recursion limit of 1000


def close(got: float | None, expected: float) -> bool:
    """The tolerance of check_backward and check_gradients."""
    if got is None or not isinstance(got, (int, float)) or math.isnan(got):
        return False
    return abs(got - expected) <= BACKWARD_RTOL * max(1.0, abs(expected))


def _leaves(**values: float) -> list[Value]:
    return [Value(v, k) for k, v in values.items()]


def _name(v: Value, label: str) -> Value:
    v.label = label
    return v


def chain() -> Value:
    """L = tanh(a·b + c): three leaves, one path each."""
    a, b, c = _leaves(a=0.7, b=-1.3, c=0.4)
    return _name(_name(_name(a * b, "ab") + c, "s").tanh(), "L")


def square() -> Value:
    """L = (a·a)·b: one node on both edges of one op."""
    a, b = _leaves(a=-1.5, b=0.8)
    return _name(_name(a * a, "aa") * b, "L")


def diamond() -> Value:
    """L = tanh(tanh(a·b))·(a + c), a = p + q: a reaches L along a long and a short path."""
    p, q, b, c = _leaves(p=0.2, q=0.4, b=1.7, c=-0.9)
    a = _name(p + q, "a")
    u = _name(a * b, "u")
    w = _name(_name(u.tanh(), "w").tanh(), "t")
    v = _name(a + c, "v")
    return _name(w * v, "L")


def triple() -> Value:
    """L = (a·b + a)·a: one node used three times."""
    a, b = _leaves(a=1.1, b=-0.7)
    t = _name(a * b, "t")
    s = _name(t + a, "s")
    return _name(s * a, "L")


def interior() -> Value:
    """The interior node s of L = exp(s)·d, s = a − b / c: backward from s, not from L."""
    a, b, c, d = _leaves(a=0.3, b=2.0, c=-1.6, d=0.5)
    s = _name(a - _name(b / c, "q"), "s")
    _name(s.exp() * d, "L")
    return s


def leaf() -> Value:
    """A root that is a leaf: its own gradient is 1."""
    return Value(2.5, "r")


def deep() -> Value:
    """A chain of DEEP multiplications by 0.999: a recursive walk exceeds Python's limit."""
    x = Value(1.0, "x0")
    for i in range(DEEP):
        x = _name(x * 0.999, f"x{i + 1}")
    return x


@dataclass(frozen=True)
class Case:
    """One graph of the battery: its name, a builder, what it exposes."""

    name: str
    build: Callable[[], Value]
    exposes: str
    twice: bool = False


CASES: tuple[Case, ...] = (
    Case("chain", chain, "the chain rule along one path"),
    Case("square", square, "a*a: one node on two edges"),
    Case("diamond", diamond, "fan-out along paths of different lengths"),
    Case("triple", triple, "one node used three times"),
    Case("interior", interior, "an interior root"),
    Case("leaf", leaf, "a root that is a leaf"),
    Case("second call", diamond, "backward called twice", twice=True),
    Case("deep", deep, f"a chain of {DEEP} nodes"),
)


def _fresh_grads(root: Value) -> None:
    for n in topo_order(root):
        n.grad = 0.0


def _read(order: list[Value]) -> Grads:
    return {n: n.grad for n in order}


def _first_wrong(order: list[Value], got: Grads, want: Grads) -> Value | None:
    return next((n for n in reversed(order) if not close(got[n], want[n])), None)


def _explain(node: Value, order: list[Value], want: Grads, label: dict[Value, str]) -> str:
    users = uses(order)[node]
    if not users:
        return f"{label[node]} is the root, so its gradient is 1."
    terms = " + ".join(f"{factor(loc)}·{factor(want[u])}" for u, loc in users)
    by = users_text(users, label)
    return f"{label[node]} is used by {by}: its gradient is {terms} = {fmt(want[node])}."


def _diagnose(root: Value, got: Grads) -> str | None:
    if not close(got[root], 1.0):
        return "unseeded-root"
    for code, variant in VARIANTS:
        if same(variant(root), got, close):
            return code
    return None


_ADVICE = {
    "unseeded-root": "Start with root.grad = 1.",
    "missing-upstream": "Each edge adds local · node.grad, not just local.",
    "assign-not-accumulate": "Use += so every path adds its share.",
    "not-topological": "Visit a node only after every node that uses it (reverse topological "
    "order).",
    "doubled-on-second-call": "Reset the interior gradients to 0 before each pass.",
}


def check_backward(my_backward: Callable[[Value], Any]) -> Report:
    """Run ``my_backward(root)`` on a battery of graphs and compare every node's ``.grad``.

    The graphs: a chain, ``a*a``, a diamond, a node used three times, an interior root, a leaf
    root, a second call on the same graph, and a deep chain (a recursive walk fails there).

    >>> def good(root):
    ...     order = topo_order(root)
    ...     for n in order:
    ...         n.grad = 0.0 if n.parents else n.grad
    ...     root.grad = 1.0
    ...     for n in reversed(order):
    ...         for p, g in zip(n.parents, n.local_grads):
    ...             p.grad += g * n.grad
    >>> check_backward(good).ok
    True
    """
    if not callable(my_backward):
        raise TypeError(
            f"check_backward: my_backward must be a function, got {checks.show(my_backward)}"
        )
    title = "check_backward"
    checked = tuple(f"{c.name} ({c.exposes})" for c in CASES)

    def fail(where: str, want: float, got: float | None, code: str | None, hint: str) -> Report:
        if code in _ADVICE:
            hint = f"{hint} {_ADVICE[code]}"
        return Report(title, False, TOLERANCE, checked, Wrong(where, want, got), code, hint, 1)

    for case in CASES:
        root = case.build()
        order = topo_order(root)
        label = names(order)
        want = reference_grads(root)
        _fresh_grads(root)
        where = f"graph '{case.name}'"
        try:
            my_backward(root)
        except RecursionError:
            return fail(
                f"{where}, node {label[root]}",
                1.0,
                None,
                "recursion-depth",
                f"Your backward hit Python's recursion limit on graph '{case.name}' "
                f"({case.exposes}). Walk the graph with a loop and an explicit stack.",
            )
        except Exception as err:  # the learner's code: report any error as the answer
            return fail(
                f"{where}, node {label[root]}",
                1.0,
                None,
                None,
                f"Your backward raised {type(err).__name__}: {err}.",
            )
        got = _read(order)
        bad = _first_wrong(order, got, want)
        if bad is not None:
            return fail(
                f"{where}, node {label[bad]}",
                want[bad],
                got[bad],
                _diagnose(root, got),
                f"{_explain(bad, order, want, label)} Your backward left {fmt(got[bad])}.",
            )
        if case.twice:
            my_backward(root)
            again = _read(order)
            for n in reversed(order):
                if n.parents and not close(again[n], want[n]):
                    return fail(
                        f"{where}, node {label[n]} after the second call",
                        want[n],
                        again[n],
                        "doubled-on-second-call",
                        f"The first call gave {label[n]} = {fmt(want[n])}, the second "
                        f"{fmt(again[n])}.",
                    )
            leaves = [n for n in order if not n.parents]
            one = all(close(again[n], want[n]) for n in leaves)
            two = all(close(again[n], 2.0 * want[n]) for n in leaves)
            if not (one or two):
                n = next(n for n in leaves if not close(again[n], 2.0 * want[n]))
                return fail(
                    f"{where}, leaf {label[n]} after the second call",
                    2.0 * want[n],
                    again[n],
                    None,
                    "After a second call the leaves hold either one gradient (recomputed) or "
                    f"two (accumulated); {label[n]} holds {fmt(again[n])}.",
                )
    return Report(
        title,
        True,
        TOLERANCE,
        checked,
        extra=(
            "a second call may recompute or accumulate the leaves' gradients (both accepted); "
            "interior gradients must be recomputed",
        ),
    )
