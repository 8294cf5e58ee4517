"""Collect filled sheets: Markdown or HTML tables, CSV or JSON answers, one file per student.

Every reader keeps each answer as the text written (blank → None), because hand work is
judged to the digits written. The student is the id written on the sheet (``Student id:`` in
Markdown, the ``tinygrad-edu-student`` meta in HTML, a ``student`` field or column), or else
the file's name.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .. import checks
from ..textsafe import md_unescape

__all__ = ["SHEET_SUFFIXES", "Sheet", "read_sheet"]

SHEET_SUFFIXES = (".md", ".html", ".htm", ".csv", ".json")
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Sheet:
    """One collected sheet: whose it is, {node: text written or None}, and the file."""

    student: str
    answers: dict[str, str | None]
    path: Path


def _cell(text: str) -> str | None:
    text = text.strip()
    return text or None


def _from_rows(rows: list[list[str]], where: str) -> dict[str, str | None]:
    """{node: grad} from table rows (order | node | made by | value | grad)."""
    out: dict[str, str | None] = {}
    for row in rows:
        if len(row) >= 5 and row[0].strip().isdigit():
            out[row[1].strip()] = _cell(row[4])
    if not out:
        raise ValueError(f"{where}: no table rows (| order | node | made by | value | grad |)")
    return out


def _markdown(text: str, where: str) -> tuple[str | None, dict[str, str | None]]:
    student = None
    rows = []
    for line in text.splitlines():
        s = line.strip()
        if s.lower().startswith("student id:"):
            student = md_unescape(s.split(":", 1)[1]).strip() or None
        elif s.startswith("|"):
            rows.append([md_unescape(cell) for cell in s.strip("|").split("|")])
    return student, _from_rows(rows, where)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.student: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "tinygrad-edu-student":
            self.student = (a.get("content") or "").strip() or None
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in ("input", "textarea") and self._cell is not None:
            self._cell.append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _html(text: str, where: str) -> tuple[str | None, dict[str, str | None]]:
    parser = _Tables()
    parser.feed(text)
    parser.close()
    return parser.student, _from_rows(parser.rows, where)


def _csv(text: str, where: str) -> tuple[str | None, dict[str, str | None]]:
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if r]
    if not rows:
        raise ValueError(f"{where}: the file is empty")
    head = [h.strip().lower() for h in rows[0]]
    if "node" in head and "grad" in head:
        n, g = head.index("node"), head.index("grad")
        s = head.index("student") if "student" in head else None
        answers = {r[n].strip(): _cell(r[g]) if g < len(r) else None for r in rows[1:] if r[n:]}
        ids = {r[s].strip() for r in rows[1:] if s is not None and s < len(r) and r[s].strip()}
        if len(ids) > 1:
            raise ValueError(f"{where}: answers of more than one student ({sorted(ids)[:3]})")
        return (ids.pop() if ids else None), answers
    return None, _from_rows(rows, where)


def _json(text: str, where: str) -> tuple[str | None, dict[str, str | None]]:
    try:
        data: Any = json.loads(text, parse_float=str, parse_int=str)  # keep the digits
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: not JSON ({err})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object {{node: grad}}, got {checks.show(data)}")
    student = data.get("student")
    answers = data.get("answers", data)
    if not isinstance(answers, dict):
        raise ValueError(f"{where}: answers must be an object, got {checks.show(answers)}")
    out: dict[str, str | None] = {}
    for node, value in answers.items():
        if node == "student" and answers is data:
            continue
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{where}: the answer for {node!r} is not a number: "
                             f"{checks.show(value)}")  # fmt: skip
        out[str(node)] = _cell(value) if isinstance(value, str) else None
    return (str(student) if isinstance(student, str) and student else None), out


_READERS = {".md": _markdown, ".html": _html, ".htm": _html, ".csv": _csv, ".json": _json}


def read_sheet(path: str | Path) -> Sheet:
    """Read one filled sheet (by its suffix: .md, .html, .csv, .json).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s1.csv"
    >>> _ = p.write_text("node,grad\\na,-3.50\\nL,1\\n")
    >>> read_sheet(p).answers
    {'a': '-3.50', 'L': '1'}
    """
    p = Path(path)
    reader = _READERS.get(p.suffix.lower())
    if reader is None:
        raise ValueError(f"grade: {p.name}: not a sheet ({', '.join(SHEET_SUFFIXES)})")
    if p.stat().st_size > MAX_BYTES:
        raise ValueError(f"grade: {p.name} is larger than {MAX_BYTES} bytes: not a sheet")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"grade: {p.name} is not UTF-8 text") from None
    student, answers = reader(text, f"grade: {p.name}")
    return Sheet(student or p.stem, answers, p)
