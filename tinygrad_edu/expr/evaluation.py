"""From a syntax tree to Values: one labelled leaf per name, constant exponents folded.

Number literals become constant leaves; errors of the engine (``log(-1)``, ``1/0``,
``exp(1000)``) and a result that overflows to inf (``1e308*10``) are reported as
:class:`ExprError` pointing at the operation. A constant exponent (``x**2``, ``x**(1/3)``) is
folded to a number, so it uses xⁿ, which accepts negative bases; an exponent that depends on a
name (``2**x``) uses aᵇ, which needs a > 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .. import checks
from ..engine import Value, no_grad
from .language import FUNCTIONS, MAX_EXPONENT, ExprError
from .syntax import Binary, Call, Node, Num, Unary, Var, children, parse, walk

__all__ = ["build", "constant", "evaluate"]


def build(text: str, values: Mapping[str, float | Value]) -> tuple[Value, dict[str, Value]]:
    """Parse and evaluate ``text``: (root, {name: leaf}) for the names it uses.

    A number in ``values`` becomes a new leaf labelled with its name; a ``Value`` is used
    as it is. Names in ``values`` that the text does not use are ignored.

    >>> root, leaves = build("x*x", {"x": 3.0}); root.backward(); (root.data, leaves["x"].grad)
    (9.0, 6.0)
    """
    node = parse(text)
    leaves = _leaves(node, text, values)
    return _evaluate(node, leaves, text), leaves


def evaluate(text: str, values: Mapping[str, float | Value]) -> Value:
    """The root Value of ``text`` with the given values (see :func:`build`).

    >>> evaluate("atan(w*x)", {"w": 0.5, "x": 2.0}).data  # atan(1) = π/4
    0.7853981633974483
    """
    return build(text, values)[0]


def constant(text: str) -> float:
    """The value of an expression without names, such as ``-0.8`` or ``1/3``.

    >>> constant("1/4")
    0.25
    """
    node = parse(text)
    for n in walk(node):
        if isinstance(n, Var):
            raise ExprError(f"expected a number, got the name {n.name!r}", text, n.pos)
    with no_grad():
        return _evaluate(node, {}, text).data


def _leaves(node: Node, text: str, values: Mapping[str, float | Value]) -> dict[str, Value]:
    leaves: dict[str, Value] = {}
    for n in walk(node):
        if not isinstance(n, Var) or n.name in leaves:
            continue
        if n.name not in values:
            given = ", ".join(sorted(values)) or "none"
            raise ExprError(
                f"no value for the name {n.name!r} (values were given for: {given})", text, n.pos
            )
        v = values[n.name]
        if isinstance(v, Value):
            leaves[n.name] = v
        elif checks.is_real(v):  # NumPy scalars and Fractions too; an int beyond floats: named
            leaves[n.name] = Value(checks.real(v, "expression", f"the value of {n.name!r}"), n.name)
        else:
            raise TypeError(
                f"expression: the value of {n.name!r} must be a number or a Value, got "
                f"{type(v).__name__}"
            )
    return leaves


def _evaluate(root: Node, leaves: Mapping[str, Value], text: str) -> Value:
    # An explicit stack: ``a + b + c + …`` nests as deep as it is long.
    results: list[Value] = []
    stack: list[tuple[Node, float | None, bool]] = [(root, None, False)]
    while stack:
        node, exponent, expanded = stack.pop()
        if isinstance(node, Num):
            results.append(Value(node.value))
            continue
        if isinstance(node, Var):
            results.append(leaves[node.name])
            continue
        if not expanded:
            if isinstance(node, Binary) and node.op == "**" and _is_constant(node.right):
                exponent = _constant_value(node.right, text, node.pos)
                stack.append((node, exponent, True))
                stack.append((node.left, None, False))
                continue
            stack.append((node, None, True))
            stack.extend((child, None, False) for child in reversed(children(node)))
            continue
        k = 1 if exponent is not None else len(children(node))
        args = results[-k:]
        del results[-k:]
        results.append(_apply(node, args, text, exponent))
    return results[0]


def _is_constant(node: Node) -> bool:
    return not any(isinstance(n, Var) for n in walk(node))


def _constant_value(node: Node, text: str, pos: int) -> float:
    """A subtree without names, as a float (computed with the engine, recording nothing)."""
    with no_grad():
        value = _evaluate(node, {}, text).data
    if isinstance(node, Num) or abs(value) <= MAX_EXPONENT:
        return value
    what = "too large" if math.isfinite(value) else "not a finite number"
    raise ExprError(
        f"the exponent {value:g} is {what} (|n| ≤ {MAX_EXPONENT:g}: beyond it xⁿ over- or "
        "underflows a float)",
        text,
        pos,
    )


def _apply(node: Node, args: list[Value], text: str, exponent: float | None) -> Value:
    out = _apply_op(node, args, text, exponent)
    # The engine checks exp and ** for overflow but not + and *: 1e308*10 would be inf.
    if not math.isfinite(out.data) and all(math.isfinite(a.data) for a in args):
        shown = ", ".join(f"{a.data:g}" for a in args)
        raise ExprError(
            f"{_op_name(node)}: the result overflows the float range (inputs {shown})",
            text,
            node.pos,
        )
    return out


def _op_name(node: Node) -> str:
    if isinstance(node, Call):
        return node.func
    if isinstance(node, Binary):
        return {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}[node.op]
    return "neg"


def _apply_op(node: Node, args: list[Value], text: str, exponent: float | None) -> Value:
    try:
        if isinstance(node, Unary):
            return -args[0]
        if isinstance(node, Call):
            return FUNCTIONS[node.func](args[0])
        assert isinstance(node, Binary)
        if node.op == "**":
            return args[0] ** (exponent if exponent is not None else args[1])
        a, b = args
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        return a / b
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise ExprError(str(err), text, node.pos) from None
