"""The report every check returns: a verdict, the first wrong place, a diagnosis and a hint."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..textsafe import escape_html, md_text
from .catalogue import BUGS


def fmt(x: float | None) -> str:
    """A number as a student reads it: 6 significant digits, '—' for a missing answer."""
    if x is None:
        return "—"
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    return f"{x:.6g}"


def factor(x: float) -> str:
    """``fmt(x)``, in parentheses when negative (for products written out: 2·(−3))."""
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class Wrong:
    """Where the learner's work first differs from the reference: a node, edge or parameter."""

    where: str
    expected: float
    got: float | None

    def __str__(self) -> str:
        return f"{self.where}: expected {fmt(self.expected)}, got {fmt(self.got)}"


@dataclass(frozen=True)
class Report:
    """The result of one tutor check.

    ``ok`` is the verdict; ``first_wrong`` the first wrong place (None when ok, or when the
    learner's code raised or returned something unusable before any comparison); ``diagnosis``
    a code of :data:`tinygrad_edu.tutor.BUGS` or None when no known mistake fits; ``hint`` one
    or two sentences with the numbers plugged in; ``tolerance`` how close is "right" (the
    policy and the precision used); ``checked`` what was looked at (one line per case);
    ``wrong_count`` how many places are wrong; ``failures`` every wrong place (graph,
    parameter or node), one line each, the first detailed in ``first_wrong`` and ``hint``;
    ``codes`` every diagnosis found across the failures (``diagnosis`` is the first's);
    ``extra`` notes, on passing reports too (a convention the learner followed, a subgradient
    chosen at a kink, what was restored after the learner's code changed the library).
    """

    check: str
    ok: bool
    tolerance: str
    checked: tuple[str, ...] = ()
    first_wrong: Wrong | None = None
    diagnosis: str | None = None
    hint: str = ""
    wrong_count: int = 0
    extra: tuple[str, ...] = field(default=())
    failures: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    def _verdict(self) -> str:
        if self.ok:
            return "right"
        return f"not right yet ({self.wrong_count} wrong)" if self.wrong_count else "not right yet"

    def _diagnosis_text(self) -> str:
        if self.diagnosis is None:
            return "none of the catalogued mistakes fits"
        return f"{self.diagnosis}: {BUGS[self.diagnosis]}"

    def lines(self) -> list[tuple[str, str]]:
        """The report as (field, text) rows, shared by the text, Markdown and HTML views."""
        rows = [("verdict", self._verdict())]
        if self.first_wrong is not None:
            rows.append(("first wrong", str(self.first_wrong)))
        if len(self.failures) > 1:
            rows.append(("all wrong", "; ".join(self.failures)))
        if not self.ok:
            rows.append(("diagnosis", self._diagnosis_text()))
            others = [c for c in self.codes if c != self.diagnosis]
            if others:
                rows.append(("also", "; ".join(f"{c}: {BUGS[c]}" for c in others)))
        if self.hint:
            rows.append(("hint", self.hint))
        rows.append(("tolerance", self.tolerance))
        if self.checked:
            rows.append(("checked", "; ".join(self.checked)))
        rows.extend(("note", e) for e in self.extra)
        return rows

    def __str__(self) -> str:
        head = f"{self.check}: {self._verdict()}"
        body = [f"  {name + ':':<13}{text}" for name, text in self.lines()[1:]]
        return "\n".join([head, *body])

    def _repr_markdown_(self) -> str:
        mark = "✅" if self.ok else "❌"
        head = f"**{md_text(self.check)}** {mark} {md_text(self._verdict())}"
        out = [head, "", "| | |", "|---|---|"]
        for name, text in self.lines()[1:]:
            out.append(f"| {md_text(name)} | {md_text(text)} |")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#b42318"
        mark = "✔" if self.ok else "✘"
        rows = "".join(
            f'<tr><th style="text-align:left;padding:2px 10px 2px 0;vertical-align:top;'
            f'white-space:nowrap">'
            f'{escape_html(name)}</th><td style="padding:2px 0">{escape_html(text)}</td></tr>'
            for name, text in self.lines()[1:]
        )
        return (
            f'<div class="tutor-report" style="font-family:sans-serif;border-left:4px solid '
            f'{colour};padding:6px 12px;max-width:56em">'
            f'<div style="font-weight:bold;color:{colour}">{mark} {escape_html(self.check)}: '
            f"{escape_html(self._verdict())}</div>"
            f'<table style="border-collapse:collapse;margin-top:4px">{rows}</table></div>'
        )
