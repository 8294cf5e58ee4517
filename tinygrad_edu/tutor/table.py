"""check_gradients: a hand-filled table of ∂L/∂node, checked node by node from the root."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from .. import checks
from ..engine import Value, topo_order
from .graphs import names, reference_grads, users_text, uses
from .report import Report, Wrong, factor, fmt
from .tolerance import HandTolerance, number_text

TOLERANCE = HandTolerance().statement([])
MAX_NODES = 100_000  # a table filled by hand is far smaller; beyond this it is a mistake

_REUSES_OUTPUT = {"tanh": lambda x: 1.0 - x * x, "sigmoid": lambda x: x * (1.0 - x)}


def _sigmoid(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))


_AT_OUTPUT = {
    "tanh": lambda out: 1.0 - math.tanh(out) ** 2,
    "sigmoid": lambda out: _sigmoid(out) * (1.0 - _sigmoid(out)),
}


def _derivative_at_output(user: Value) -> float | None:
    """The local derivative a learner gets by applying σ′ or tanh′ to the output itself."""
    p = user.primitive
    if p is None or p.name not in _AT_OUTPUT:
        return None
    return float(_AT_OUTPUT[p.name](user.data))


def _input_instead_of_output(user: Value, parent: Value) -> float | None:
    """The local derivative a learner gets by feeding the input to an output formula."""
    p = user.primitive
    if p is None:
        return None
    if p.name in _REUSES_OUTPUT:
        return float(_REUSES_OUTPUT[p.name](parent.data))
    if p.name == "exp":
        return parent.data
    return None


def _diagnose_node(
    node: Value,
    got: float,
    users: list[tuple[Value, float]],
    want: Mapping[Value, float],
    is_root: bool,
    close: Callable[[float, float], bool],
) -> str | None:
    """The catalogued mistake that explains ``got`` for one node whose users are right
    (``close(got, candidate)`` is the hand-work tolerance of that answer)."""
    if is_root:
        return "unseeded-root"
    parts = [loc * want[u] for u, loc in users]
    total = sum(parts)
    if len(parts) >= 2 and any(close(got, c) for c in parts):
        return "assign-not-accumulate"
    if close(got, sum(loc for _, loc in users)):
        return "missing-upstream"
    if close(got, -total) or any(close(got, total - 2.0 * c) for c in parts):
        return "sign"
    for i, (u, _) in enumerate(users):
        alt = _input_instead_of_output(u, node)
        if alt is not None and close(got, total - parts[i] + alt * want[u]):
            return "input-instead-of-output"
        alt = _derivative_at_output(u)
        if alt is not None and close(got, total - parts[i] + alt * want[u]):
            return "derivative-at-output"
        if len(u.parents) == 2 and u.parents[0] is not u.parents[1]:
            k = u.parents.index(node)
            swapped = float(u.local_grads[1 - k])
            if close(got, total - parts[i] + swapped * want[u]):
                return "reversed-operands"
    return None


_ADVICE = {
    "unseeded-root": "The root's own gradient is always 1.",
    "missing-upstream": "Multiply each local derivative by the gradient of the node that uses it.",
    "assign-not-accumulate": "A node used more than once gets the sum over all its uses.",
    "sign": "Check the sign of each local derivative on the way.",
    "input-instead-of-output": "tanh′ = 1 − out² and σ′ = out(1 − out) use the node's output.",
    "derivative-at-output": "out is already tanh(x) or σ(x): the local derivative is 1 − out² "
    "or out(1 − out), without applying the function again.",
    "reversed-operands": "For a·b, ∂/∂a is b and ∂/∂b is a.",
}


def check_gradients(
    root: Value,
    answers: Mapping[str, float | str | None],
    *,
    digits: int | None = None,
    tol: float | None = None,
) -> Report:
    """Check a hand-filled table ``{label: ∂root/∂node}`` against the graph of ``root``.

    Entries are compared from the root backwards; every wrong one is listed, the first
    named with the sum it should be, and the likely mistake. Every node with a label needs
    an entry. Hand work is right to the digits written: an answer must agree with the exact
    value within one unit of its last digit, read to at least 3 significant digits or 3
    decimals (a number as text, ``"0.4500"``, keeps its trailing zeros). ``digits=k`` or
    ``tol=t`` set the tolerance instead: k significant digits, or
    |got − exact| ≤ t·max(1, |exact|).

    >>> from tinygrad_edu import examples
    >>> check_gradients(examples.neuron_loss()["L"], {"w": 0.0557, "b": 0.111}).ok
    False

    >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
    >>> L = a * b
    >>> L.label = "L"
    >>> check_gradients(L, {"L": 1.0, "a": -3.0, "b": 2.0}).ok
    True
    >>> check_gradients(L, {"L": 1.0, "a": 2.0, "b": -3.0}).diagnosis
    'reversed-operands'
    """
    if not isinstance(root, Value):
        raise TypeError(f"check_gradients: root must be a Value, got {checks.show(root)}")
    if not isinstance(answers, Mapping):
        raise TypeError(
            f"check_gradients: answers must be a dict {{label: gradient}}, got "
            f"{checks.show(answers)}"
        )
    order = topo_order(root)
    if len(order) > MAX_NODES:
        raise ValueError(
            f"check_gradients: the graph has {len(order):,} nodes, more than a hand-filled table "
            f"can cover (at most {MAX_NODES:,}); check a smaller graph"
        )
    label = names(order)
    by_label: dict[str, Value] = {}
    for n in order:
        if n.label:
            if n.label in by_label:
                raise ValueError(f"check_gradients: two nodes are labelled {n.label!r}")
            by_label[n.label] = n
    if not by_label:
        raise ValueError("check_gradients: no node of the graph has a label to answer for")
    policy = HandTolerance(
        None if digits is None else checks.count(digits, "check_gradients", "digits", 1),
        None if tol is None else checks.positive(tol, "check_gradients", "tol"),
    )
    given: dict[Value, float | None] = {}
    texts: dict[Value, str] = {}
    for key, value in answers.items():
        if key in by_label:
            node = by_label[key]
            if value is None or (isinstance(value, str) and not value.strip()):
                given[node] = None
            elif isinstance(value, str):
                given[node] = _from_text(value, key)
                texts[node] = value.strip().replace("−", "-")
            else:
                given[node] = checks.real(value, "check_gradients", f"the answer for {key!r}")
                texts[node] = number_text(value)
    unknown = sorted(str(k) for k in answers if k not in by_label)
    extra = (f"labels not in the graph, ignored: {', '.join(unknown)}",) if unknown else ()
    want = reference_grads(root)
    users = uses(order)
    asked = [n for n in reversed(order) if n.label]
    checked = (f"{len(asked)} entries: {', '.join(n.label for n in asked)}",)
    title = "check_gradients"

    def right(n: Value) -> bool:
        return policy.accepts(given.get(n), texts.get(n, ""), want[n])

    wrong = [n for n in asked if not right(n)]
    tolerance = policy.statement([texts[n] for n in asked if n in texts])
    listed = tuple(f"node {label[n]}" for n in wrong)
    if not wrong:
        return Report(title, True, tolerance, checked, extra=extra)
    missing = [n for n in asked if given.get(n) is None]
    first = wrong[0]
    got = given.get(first)
    if got is None:
        names_missing = ", ".join(label[n] for n in missing)
        return Report(
            title, False, tolerance, checked, Wrong(f"node {label[first]}", want[first], None),
            "missing-answer", f"Fill in every gradient: missing {names_missing}.",
            len(wrong), extra, listed, ("missing-answer",),
        )  # fmt: skip
    text = texts.get(first, "")

    def near(g: float, candidate: float) -> bool:
        return policy.accepts(g, text, candidate)

    code = _diagnose_node(first, got, users[first], want, first is root, near)
    if first is root:
        hint = f"{label[first]} is the root: ∂{label[first]}/∂{label[first]} = 1, not {fmt(got)}."
    else:
        terms = " + ".join(f"{factor(loc)}·{factor(want[u])}" for u, loc in users[first])
        by = users_text(users[first], label)
        hint = (
            f"{label[first]} is used by {by}, so its gradient is {terms} = {fmt(want[first])}; "
            f"you wrote {fmt(got)}."
        )
    if code == "sign":
        hint += " " + _sign_advice(first, users[first])
    elif code in _ADVICE:
        hint += " " + _ADVICE[code]
    if len(wrong) > 1:
        hint += f" {len(wrong)} entries are wrong: {', '.join(label[n] for n in wrong)}."
    return Report(
        title, False, tolerance, checked, Wrong(f"node {label[first]}", want[first], got),
        code, hint, len(wrong), extra, listed, (code,) if code else (),
    )  # fmt: skip


def _sign_advice(node: Value, users: list[tuple[Value, float]]) -> str:
    """Sign advice that fits the operation the node goes through."""
    for user, _ in users:
        p = user.primitive
        if p is not None and p.name == "neg":
            return "It goes through a subtraction: ∂(a − b)/∂b = −1."
        if p is not None and p.name == "powc" and p.params == (-1.0,):
            return "It goes through a division: ∂(a / b)/∂b = −a/b², negative for a/b > 0."
        if p is not None and p.name == "mul":
            return "A product passes the sign of the other factor: ∂(a·b)/∂a = b."
    return _ADVICE["sign"]


def _from_text(text: str, key: str) -> float:
    try:
        return float(text.strip().replace("−", "-"))
    except ValueError:
        raise ValueError(
            f"check_gradients: the answer for {key!r} is not a number: {checks.show(text)}"
        ) from None
