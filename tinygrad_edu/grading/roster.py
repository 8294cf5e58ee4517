"""A class roster: students with an id (their variant and file name) and a name."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .. import checks
from ..textsafe import one_line

__all__ = ["Student", "read_roster", "slug"]

MAX_STUDENTS = 5000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Student:
    """One student: ``id`` picks the variant, ``name`` is printed, ``file`` names the files."""

    id: str
    name: str

    @property
    def file(self) -> str:
        """The file-name stem of this student's sheet (see :func:`slug`)."""
        return slug(self.id)


def slug(student_id: str) -> str:
    """A file-name stem for an id: letters, digits, ``.``, ``_``, ``-``; never hidden.

    >>> slug("ada.l@uni.edu"), slug("../x y")
    ('ada.l_uni.edu', '__x_y')
    """
    text = _UNSAFE.sub("_", student_id)
    text = "_" + text.lstrip(".") if text.startswith(".") else text
    return text[:120] or "_"


def _column(head: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in head]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def parse_roster(text: str, where: str = "roster") -> list[Student]:
    """Students from CSV text with a header: an ``id`` column (or ``student``, ``email``)
    and optionally ``name``. Ids must be unique, also once made file names.

    >>> [s.id for s in parse_roster("id,name\\ns1,Ada\\ns2,Alan\\n")]
    ['s1', 's2']
    """
    if not isinstance(text, str):
        raise TypeError(f"{where}: expected CSV text, got {checks.show(text)}")
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"{where}: the roster is empty (expected a header: id,name)")
    head = rows[0]
    id_col = _column(head, ("id", "student", "student_id", "sid", "email"))
    if id_col is None:
        raise ValueError(
            f"{where}: no id column in the header {checks.show(head)} "
            "(expected one of id, student, student_id, sid, email)"
        )
    name_col = _column(head, ("name", "full name", "student name"))
    if len(rows) - 1 > MAX_STUDENTS:
        raise ValueError(f"{where}: {len(rows) - 1} students; at most {MAX_STUDENTS} per roster")
    out: list[Student] = []
    seen: dict[str, int] = {}
    for k, row in enumerate(rows[1:], 2):
        sid = one_line(row[id_col]) if id_col < len(row) else ""
        if not sid:
            raise ValueError(f"{where}: line {k}: the student id is empty")
        name = one_line(row[name_col]) if name_col is not None and name_col < len(row) else ""
        student = Student(sid, name or sid)
        if student.file in seen:
            raise ValueError(
                f"{where}: line {k}: the id {sid!r} gives the same file name "
                f"{student.file!r} as line {seen[student.file]}"
            )
        seen[student.file] = k
        out.append(student)
    if not out:
        raise ValueError(f"{where}: the roster has a header but no students")
    return out


def read_roster(path: str | Path) -> list[Student]:
    """:func:`parse_roster` of a CSV file (UTF-8, a byte-order mark allowed)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"roster: no such file: {p}") from None
    except UnicodeDecodeError:
        raise ValueError(f"roster: {p} is not UTF-8 text") from None
    return parse_roster(text, f"roster {p.name}")
