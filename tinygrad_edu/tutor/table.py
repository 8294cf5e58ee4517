"""check_gradients: a hand-filled table of ∂L/∂node, checked node by node from the root."""

from __future__ import annotations

from collections.abc import Mapping

from .. import checks
from ..engine import Value, topo_order
from .backward import TOLERANCE as _BACKWARD_TOLERANCE
from .backward import close
from .graphs import names, reference_grads, users_text, uses
from .report import Report, Wrong, factor, fmt

TOLERANCE = _BACKWARD_TOLERANCE.replace("on every node", "for every entry of the table")

_REUSES_OUTPUT = {"tanh": lambda x: 1.0 - x * x, "sigmoid": lambda x: x * (1.0 - x)}


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
) -> str | None:
    """The catalogued mistake that explains ``got`` for one node whose users are right."""
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
    "sign": "Check the sign of the local derivatives (subtraction's second edge is −1).",
    "input-instead-of-output": "tanh′ = 1 − out² and σ′ = out(1 − out) use the node's output.",
    "reversed-operands": "For a·b, ∂/∂a is b and ∂/∂b is a.",
}


def check_gradients(root: Value, answers: Mapping[str, float | None]) -> Report:
    """Check a hand-filled table ``{label: ∂root/∂node}`` against the graph of ``root``.

    Entries are compared from the root backwards; the first wrong one is named with the sum
    it should be, and the likely mistake. Every node with a label needs an entry.

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
    label = names(order)
    by_label: dict[str, Value] = {}
    for n in order:
        if n.label:
            if n.label in by_label:
                raise ValueError(f"check_gradients: two nodes are labelled {n.label!r}")
            by_label[n.label] = n
    if not by_label:
        raise ValueError("check_gradients: no node of the graph has a label to answer for")
    given: dict[Value, float | None] = {}
    for key, value in answers.items():
        if key in by_label:
            given[by_label[key]] = (
                None
                if value is None
                else checks.real(value, "check_gradients", f"the answer for {key!r}")
            )
    unknown = sorted(str(k) for k in answers if k not in by_label)
    extra = (f"labels not in the graph, ignored: {', '.join(unknown)}",) if unknown else ()
    want = reference_grads(root)
    users = uses(order)
    asked = [n for n in reversed(order) if n.label]
    checked = (f"{len(asked)} entries: {', '.join(n.label for n in asked)}",)
    title = "check_gradients"
    wrong = [n for n in asked if not close(given.get(n), want[n])]
    if not wrong:
        return Report(title, True, TOLERANCE, checked, extra=extra)
    missing = [n for n in asked if given.get(n) is None]
    first = wrong[0]
    got = given.get(first)
    if got is None:
        names_missing = ", ".join(label[n] for n in missing)
        return Report(
            title, False, TOLERANCE, checked, Wrong(f"node {label[first]}", want[first], None),
            "missing-answer", f"Fill in every gradient: missing {names_missing}.",
            len(wrong), extra,
        )  # fmt: skip
    code = _diagnose_node(first, got, users[first], want, first is root)
    if first is root:
        hint = f"{label[first]} is the root: ∂{label[first]}/∂{label[first]} = 1, not {fmt(got)}."
    else:
        terms = " + ".join(f"{factor(loc)}·{factor(want[u])}" for u, loc in users[first])
        by = users_text(users[first], label)
        hint = (
            f"{label[first]} is used by {by}, so its gradient is {terms} = {fmt(want[first])}; "
            f"you wrote {fmt(got)}."
        )
    if code in _ADVICE:
        hint += " " + _ADVICE[code]
    return Report(
        title, False, TOLERANCE, checked, Wrong(f"node {label[first]}", want[first], got),
        code, hint, len(wrong), extra,
    )  # fmt: skip
