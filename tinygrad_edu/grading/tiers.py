"""Partial credit for platforms that only know pass/fail: a check as a ladder of tests.

A check worth P points with credit shares s₁ < s₂ < … < 1 becomes one test per rung k,
worth P·(sₖ − sₖ₋₁), that passes when the work is right or its diagnosis earns at least sₖ.
The points of the passing rungs add up to exactly P × credit(diagnosis).
"""

from __future__ import annotations

from dataclasses import dataclass

from .spec import Check

__all__ = ["Tier", "tiers"]


@dataclass(frozen=True)
class Tier:
    """One rung: its name, its points, and the codes that pass it besides a right answer."""

    name: str
    points: float
    share: float
    codes: tuple[str, ...]


def tiers(check: Check) -> list[Tier]:
    """The ladder of ``check``.

    >>> [(t.name, t.points, t.codes) for t in tiers(Check("rule", "rule", 10, {"sign": 0.6}))]
    [('rule_partial_60', 6.0, ('sign',)), ('rule_right', 4.0, ())]
    """
    shares = sorted({s for s in check.credit.values() if 0 < s < 1})
    out = []
    previous = 0.0
    for s in shares:
        codes = tuple(sorted(c for c, v in check.credit.items() if v >= s))
        name = f"{check.slug}_partial_{round(100 * s)}"
        out.append(Tier(name, round(check.points * (s - previous), 6), s, codes))
        previous = s
    full = tuple(sorted(c for c, v in check.credit.items() if v >= 1))
    out.append(Tier(f"{check.slug}_right", round(check.points * (1 - previous), 6), 1.0, full))
    return out
