"""check_backward: a learner's backward pass, on graphs chosen to expose the classic bugs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..engine import Value, topo_order
from . import sandbox
from .graphs import (
    VARIANTS,
    Grads,
    micrograd_second_call,
    names,
    reference_grads,
    same,
    users_text,
    uses,
)
from .report import Report, Wrong, factor, fmt
from .tolerance import CODE_RTOL, code_rtol, dtype_of

BACKWARD_RTOL = CODE_RTOL
TOLERANCE = f"|got − expected| ≤ {BACKWARD_RTOL:g}·max(1, |expected|) on every node (float64)"
DEEP = 2500  # nodes in the deep chain: more than Python's default recursion limit of 1000


def close(got: float | None, expected: float, rtol: float = BACKWARD_RTOL) -> bool:
    """The code tolerance of check_backward: |got − expected| ≤ rtol·max(1, |expected|)."""
    if got is None or not isinstance(got, (int, float)) or math.isnan(got):
        return False
    if math.isinf(got) or math.isinf(expected):
        return got == expected
    return abs(got - expected) <= rtol * max(1.0, abs(expected))


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


def _first_wrong(order: list[Value], got: Grads, want: Grads, rtol: float) -> Value | None:
    return next((n for n in reversed(order) if not close(got[n], want[n], rtol)), None)


def _explain(node: Value, order: list[Value], want: Grads, label: dict[Value, str]) -> str:
    users = uses(order)[node]
    if not users:
        return f"{label[node]} is the root, so its gradient is 1."
    terms = " + ".join(f"{factor(loc)}·{factor(want[u])}" for u, loc in users)
    by = users_text(users, label)
    return f"{label[node]} is used by {by}: its gradient is {terms} = {fmt(want[node])}."


def _diagnose(root: Value, got: Grads, rtol: float) -> str | None:
    if not close(got[root], 1.0, rtol):
        return "unseeded-root"

    def near(g: float | None, w: float) -> bool:
        return close(g, w, rtol)

    for code, variant in VARIANTS:
        if same(variant(root), got, near):
            return code
    return None


_ADVICE = {
    "unseeded-root": "Start with root.grad = 1.",
    "missing-upstream": "Each edge adds local · node.grad, not just local.",
    "assign-not-accumulate": "Use += so every path adds its share.",
    "not-topological": "Visit a node only after every node that uses it (reverse topological "
    "order).",
    "doubled-on-second-call": "Reset the interior gradients to 0 before each pass.",
    "double-counting": "Send a node's gradient on once, when it is complete: sort the nodes "
    "topologically first, then walk them in reverse with a loop.",
}

_LIKELY = {
    "chain": "the walk probably never reaches the leaves, or revisits a node",
    "deep": "the walk is probably quadratic or worse in the chain's length (searching a list "
    "for each node?)",
}


@dataclass(frozen=True)
class _Fail:
    where: str
    want: float
    got: float | None
    code: str | None
    hint: str


def _read_grads(order: list[Value]) -> tuple[dict[Value, float | None], str | None, str]:
    """Every node's .grad as a float (None where it is not a number), the low-precision
    dtype seen, and the first problem (runs inside the sandbox: a .grad may be anything)."""
    out: dict[Value, float | None] = {}
    low: str | None = None
    problem = ""
    for n in order:
        g = n.grad
        low = low or dtype_of(g)
        x, why = sandbox.as_number(g)
        out[n] = x
        if x is None and not problem:
            problem = why
    return out, low, problem


def _second_call_ok(
    root: Value, order: list[Value], want: Grads, again: Grads, rtol: float
) -> tuple[bool, str]:
    """Whether the grads after a second call follow a known convention, and its note."""
    interior = all(close(again[n], want[n], rtol) for n in order if n.parents)
    leaves = [n for n in order if not n.parents]
    if interior and (
        all(close(again[n], want[n], rtol) for n in leaves)
        or all(close(again[n], 2.0 * want[n], rtol) for n in leaves)
    ):
        return True, ""
    for seed in (1.0, 2.0):
        conv = micrograd_second_call(root, want, seed)
        if all(close(again[n], conv[n], rtol) for n in order):
            return True, (
                "your backward does not reset gradients between calls, like micrograd's: each "
                "call adds onto what the last one left, so a second call on the same graph "
                "gives more than the gradient. That is a "
                "convention, not a chain-rule error: call zero_grad() (set every .grad to 0) "
                "before each backward()"
            )
    return False, ""


def check_backward(my_backward: Callable[[Value], Any], *, timeout: float = 5.0) -> Report:
    """Run ``my_backward(root)`` on a battery of graphs and compare every node's ``.grad``.

    The graphs: a chain, ``a*a``, a diamond, a node used three times, an interior root, a leaf
    root, a second call on the same graph, and a deep chain (a recursive walk fails there).
    Every graph is tried; the report lists each one that fails and details the first. A
    backward that accumulates across calls, as micrograd's does, passes with a note. Each call
    runs under ``timeout`` seconds, and anything the learner's code replaces in the library
    is put back.

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
    seconds = checks.positive(timeout, "check_backward", "timeout")
    title = "check_backward"
    checked = tuple(f"{c.name} ({c.exposes})" for c in CASES)
    fails: list[_Fail] = []
    notes: list[str] = []
    low: str | None = None
    for case in CASES:
        root = case.build()
        order = topo_order(root)
        label = names(order)
        want = reference_grads(root)
        _fresh_grads(root)
        where = f"graph '{case.name}'"
        graph = f"graph '{case.name}' ({case.exposes})"

        def first_call(root: Value = root, order: list[Value] = order) -> Any:
            my_backward(root)
            return _read_grads(order)

        res = sandbox.run(first_call, seconds)
        if res.patched:
            notes.append(_patched(res.patched))
            fails.append(_Fail(f"{where}, the library", 1.0, None, "changed-the-library",
                               f"Your backward replaced part of the library on {graph}; the "
                               "tutor put it back. Compute gradients without changing Value "
                               "or the library's functions."))  # fmt: skip
            continue
        if res.timed_out:
            likely = _LIKELY.get(case.name, "a node is probably visited again and again")
            fails.append(_Fail(f"{where}, node {label[root]}", 1.0, None, "did-not-finish",
                               f"Your backward did not finish on {graph} within {seconds:g} s: "
                               f"{likely}.{res.note}"))  # fmt: skip
            break  # another graph would likely cost the whole limit again
        if isinstance(res.error, RecursionError):
            fails.append(_Fail(f"{where}, node {label[root]}", 1.0, None, "recursion-depth",
                               f"Your backward hit Python's recursion limit on {graph}. Walk "
                               "the graph with a loop and an explicit stack."))  # fmt: skip
            continue
        if res.error is not None or res.value is None:
            err = res.error
            text = sandbox.describe(str(err))[1:-1] if err is not None else ""
            fails.append(_Fail(f"{where}, node {label[root]}", 1.0, None, None,
                               f"Your backward raised {type(err).__name__}: {text} on "
                               f"{graph}."))  # fmt: skip
            continue
        got, dtype, problem = res.value
        low = low or dtype
        rtol = code_rtol(low, BACKWARD_RTOL)
        odd = next((n for n in reversed(order) if got[n] is None), None)
        if odd is not None:
            fails.append(_Fail(f"{where}, node {label[odd]}", want[odd], None, None,
                               f"After your backward, {label[odd]}.grad is {problem}; every "
                               ".grad must be a number."))  # fmt: skip
            continue
        grads = {n: float(g) for n, g in got.items() if g is not None}
        bad = _first_wrong(order, grads, want, rtol)
        if bad is not None:
            fails.append(_Fail(f"{where}, node {label[bad]}", want[bad], grads[bad],
                               _diagnose(root, grads, rtol),
                               f"On {graph}: {_explain(bad, order, want, label)} Your "
                               f"backward left {fmt(grads[bad])}."))  # fmt: skip
            continue
        if case.twice:
            res2 = sandbox.run(first_call, seconds)
            if not res2.ok or res2.value is None or res2.patched:
                fails.append(_Fail(f"{where}, the second call", 1.0, None,
                                   "did-not-finish" if res2.timed_out else None,
                                   "Your backward failed when called a second time on the "
                                   "same graph."))  # fmt: skip
                continue
            again2, _, _ = res2.value
            again = {n: (float(g) if g is not None else math.nan) for n, g in again2.items()}
            fine, note = _second_call_ok(root, order, want, again, rtol)
            if fine:
                if note:
                    notes.append(note)
                continue
            n = next(n for n in reversed(order) if not close(again[n], want[n], rtol))
            fails.append(_Fail(f"{where}, node {label[n]} after the second call", want[n],
                               again[n], "doubled-on-second-call",
                               f"The first call gave {label[n]} = {fmt(want[n])}, the second "
                               f"{fmt(again[n])}."))  # fmt: skip
    tol = _tolerance(low)
    if not fails:
        return Report(title, True, tol, checked, extra=tuple(notes))
    f = fails[0]
    hint = f.hint + (f" {_ADVICE[f.code]}" if f.code in _ADVICE else "")
    codes = tuple(dict.fromkeys(x.code for x in fails if x.code))
    return Report(
        title, False, tol, checked, Wrong(f.where, f.want, f.got), f.code, hint, len(fails),
        tuple(notes), tuple(x.where for x in fails), codes,
    )  # fmt: skip


def _tolerance(low: str | None) -> str:
    if low is None:
        return TOLERANCE
    return (
        f"|got − expected| ≤ {code_rtol(low, BACKWARD_RTOL):g}·max(1, |expected|) on every "
        f"node (your gradients are {low}: compared at {low} precision)"
    )


def _patched(patched: tuple[str, ...]) -> str:
    shown = ", ".join(patched[:5]) + (" …" if len(patched) > 5 else "")
    return f"your code replaced {shown}; the tutor put it back"
