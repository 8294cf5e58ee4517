"""Numbers as the drawings print them: significant digits, sums of paths, no '-0'."""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_TERMS = 6  # a gradient summed over more paths than this shows the first few


def fmt(x: float, precision: int) -> str:
    """``x`` with ``precision`` significant digits; no '-0'.

    >>> fmt(-0.0, 4), fmt(0.123456, 3), fmt(float("inf"), 4)
    ('0', '0.123', 'inf')
    """
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{precision}g}"
    return "0" if text == "-0" else text


def sum_expr(terms: Sequence[float], precision: int) -> str:
    """'1.5 + 2 - 0.25' (the first terms only when there are many).

    >>> sum_expr([1.5, 2.0, -0.25], 4)
    '1.5 + 2 - 0.25'
    """
    shown = terms if len(terms) <= MAX_TERMS else terms[: MAX_TERMS - 1]
    text = fmt(shown[0], precision)
    for t in shown[1:]:
        text += f" - {fmt(-t, precision)}" if t < 0 else f" + {fmt(t, precision)}"
    if len(terms) > len(shown):
        text += f" + … ({len(terms)} paths)"
    return text


def grad_sum_text(terms: Sequence[float], total: float, precision: int) -> str:
    """'grad 3.5' for one path, 'grad 1.5 + 2 = 3.5' for several.

    >>> grad_sum_text([1.5, 2.0], 3.5, 4)
    'grad 1.5 + 2 = 3.5'
    """
    if len(terms) < 2:
        return f"grad {fmt(total, precision)}"
    s = 0.0
    for t in terms:
        s += t
    expr = sum_expr(terms, precision)
    if math.isclose(s, total, rel_tol=1e-9, abs_tol=1e-300) or (
        math.isnan(s) and math.isnan(total)
    ):
        return f"grad {expr} = {fmt(total, precision)}"
    # Paths outside this drawing, or a leaf's gradient kept from an earlier backward.
    return f"grad {fmt(total, precision)} (paths drawn here: {expr})"


def plural(n: int, word: str) -> str:
    """'1 neuron', '3 neurons'.

    >>> plural(1, "neuron"), plural(2, "neuron")
    ('1 neuron', '2 neurons')
    """
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def math_name(name: str) -> str:
    """A node name fit to follow ∂: parenthesised when it is an expression ('y − ŷ').

    >>> math_name("w"), math_name("y − ŷ")
    ('w', '(y − ŷ)')
    """
    return f"({name})" if any(ch in name for ch in " +−-*/·×^") else name
