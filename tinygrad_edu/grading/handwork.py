"""Hand work judged as hand work: a written number is right to the digits it was written with.

A number written with at least three significant digits is right when it is within half a
unit of its last digit of the exact value (``-0.761594`` for −0.76159416…, ``0.450`` for
0.4502); a shorter one only when it is exact (``1``, ``-0.5``). Until ``Worksheet.check``
judges written digits itself, :func:`hand_answers` turns what was written into the numbers the
tutor compares: the exact value where the writing agrees with it, and where it agrees with the
value one catalogued mistake gives, that value (so the tutor names the mistake).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from ..engine import Value
from ..tutor import Worksheet

__all__ = ["MIN_DIGITS", "POLICY", "agrees", "hand_answers", "written"]

MIN_DIGITS = 3
POLICY = (
    f"a written number is right to the digits written (within half a unit of its last digit, "
    f"at least {MIN_DIGITS} significant digits unless exact)"
)
_EXACT = 1e-9


def written(text: str) -> tuple[float, int, float] | None:
    """(value, significant digits, half a unit of the last digit) of a written number.

    None for a blank; ValueError naming the text when it is not a number.

    >>> written("−0.450")
    (-0.45, 3, 0.0005)
    """
    cell = text.strip().replace("−", "-").replace("\u2009", "").replace(" ", "")
    if not cell:
        return None
    try:
        d = Decimal(cell)
    except InvalidOperation:
        raise ValueError(f"grade: {text.strip()!r} is not a number") from None
    if not d.is_finite():
        raise ValueError(f"grade: {text.strip()!r} is not a finite number")
    _sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    significant = len("".join(map(str, digits)).lstrip("0")) or 1
    return float(d), significant, 0.5 * 10.0**exponent


def agrees(text: str, exact: float) -> bool:
    """True when ``text`` is ``exact`` to the digits written (see the module's policy).

    >>> agrees("-0.762", -0.76159416), agrees("-0.76", -0.76159416), agrees("2", 2.0)
    (True, False, True)
    """
    got = written(text)
    if got is None or not math.isfinite(exact):
        return False
    value, significant, half = got
    if abs(value - exact) <= _EXACT * max(1.0, abs(exact)):
        return True
    return significant >= MIN_DIGITS and abs(value - exact) <= half * (1 + 1e-9) + 1e-15


def _candidates(ws: Worksheet, node: Value) -> list[float]:
    """The values the catalogued mistakes give for ``node`` when its users are right."""
    want = ws.answer_key
    users = [(u, float(loc)) for u in ws.nodes for p, loc in zip(u.parents, u.local_grads)
             if p is node]  # fmt: skip
    parts = [loc * want[u.label] for u, loc in users]
    total = sum(parts)
    out = [-total, sum(loc for _, loc in users)]
    out += [total - 2.0 * c for c in parts]
    if len(parts) >= 2:
        out += parts
    for (u, _), part in zip(users, parts):
        prim = u.primitive.name if u.primitive is not None else ""
        x = node.data
        alt = {"tanh": 1.0 - x * x, "sigmoid": x * (1.0 - x), "exp": x}.get(prim)
        if alt is not None:
            out.append(total - part + alt * want[u.label])
        if len(u.parents) == 2 and u.parents[0] is not u.parents[1]:
            k = u.parents.index(node)
            out.append(total - part + float(u.local_grads[1 - k]) * want[u.label])
    return out


def hand_answers(ws: Worksheet, texts: Mapping[str, str | None]) -> dict[str, float | None]:
    """{node: number} for ``ws.check`` from {node: text as written} (blank → None)."""
    by_label = {n.label: n for n in ws.nodes}
    out: dict[str, float | None] = {}
    for label, text in texts.items():
        got = None if text is None else written(text)
        if got is None:
            out[label] = None
            continue
        exact = ws.answer_key.get(label)
        if exact is None or label not in by_label:
            out[label] = got[0]
        elif agrees(str(text), exact):
            out[label] = exact
        else:
            near = [c for c in _candidates(ws, by_label[label]) if agrees(str(text), c)]
            out[label] = near[0] if near else got[0]
    return out
