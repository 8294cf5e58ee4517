"""Hand out a class's sheets: one variant per student, the keys in a folder of their own.

The whole set is written into a fresh temporary folder inside ``out``, flushed to disk, and
moved into place at the end (a rename of each folder), so a failure half-way leaves nothing
behind; ``sheets/`` and ``keys/`` are siblings, so
handing out the sheets folder never hands out a key.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import checks
from ..tutor import LEVELS, Worksheet, worksheet
from .drawing import graph_pdfs
from .roster import Student
from .sheets import (
    LATEX_GRAPH,
    drawings,
    key_html,
    key_json,
    key_markdown,
    sheet_html,
    sheet_latex,
    sheet_markdown,
)
from .spec import starter_spec

__all__ = ["HandOut", "hand_out"]


@dataclass(frozen=True)
class HandOut:
    """What :func:`hand_out` wrote: the two folders and the number of students."""

    sheets: Path
    keys: Path
    students: int
    files: int


def _fresh(path: Path, what: str) -> None:
    if path.exists() or path.is_symlink():
        raise FileExistsError(
            f"worksheet: the {what} folder {path} already exists; remove it or choose another "
            "--out (a hand-out never overwrites one)"
        )


def _put(path: Path, data: str | bytes) -> None:
    """A new file in the hand-out's private temporary folder (made fresh: nothing to replace;
    the folder's rename into place is what makes the set appear at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def _write(
    folder: Path, student: Student, ws: Worksheet, title: str, svg: str, pdf: bytes | None
) -> int:
    sheets, keys = folder / "sheets", folder / "keys"
    stem = student.file
    pdf_name = LATEX_GRAPH.format(stem) if pdf is not None else None
    if pdf is not None and pdf_name is not None:
        _put(sheets / pdf_name, pdf)
    _put(sheets / f"{stem}.html", sheet_html(ws, student, title, svg))
    _put(sheets / f"{stem}.tex", sheet_latex(ws, student, title, pdf_name))
    _put(sheets / f"{stem}.md", sheet_markdown(ws, student, title))
    _put(keys / f"{stem}.html", key_html(ws, student, title))
    _put(keys / f"{stem}.md", key_markdown(ws, student, title))
    _put(keys / f"{stem}.json", key_json(ws, student))
    return 6 + (pdf is not None)


def hand_out(
    students: Sequence[Student],
    level: int,
    out: str | Path,
    *,
    seed: int = 0,
    title: str = "Backprop by hand",
    progress: Callable[[int, int], None] | None = None,
) -> HandOut:
    """Write ``out/sheets/`` (HTML, LaTeX, Markdown per student) and ``out/keys/`` (keys
    with chain-rule lines, ``roster.json`` and a starter ``assignment.toml``), all or nothing.

    >>> import tempfile
    >>> from tinygrad_edu.grading import Student
    >>> done = hand_out([Student("s1", "Ada")], 1, tempfile.mkdtemp())
    >>> sorted(p.name for p in done.sheets.iterdir() if p.suffix != ".pdf")
    ['s1.html', 's1.md', 's1.tex']
    """
    lvl = checks.one_of(level, "worksheet", "level", LEVELS)
    s = checks.count(seed, "worksheet", "seed")
    if not students:
        raise ValueError("worksheet: the roster has no students")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"worksheet: title must be a non-empty str, got {checks.show(title)}")
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(f"worksheet: --out {root} is not a folder")
    _fresh(root / "sheets", "sheets")
    _fresh(root / "keys", "keys")
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".handout-", dir=root))
    moved: list[Path] = []
    try:
        files = 0
        sheets = [worksheet(s, lvl, student=st.id) for st in students]
        pictures = drawings(sheets)
        pdfs = graph_pdfs([(ws.nodes, rankdir) for ws, (_, rankdir) in zip(sheets, pictures)])
        for k, student in enumerate(students):
            pdf = None if pdfs is None else pdfs[k]
            files += _write(tmp, student, sheets[k], title, pictures[k][0], pdf)
            if progress is not None:
                progress(k + 1, len(students))
        listing = {
            "title": title,
            "seed": s,
            "level": lvl,
            "students": [{"id": st.id, "name": st.name, "file": st.file} for st in students],
        }
        text = json.dumps(listing, indent=1, ensure_ascii=False) + "\n"
        _put(tmp / "keys" / "roster.json", text)
        _put(tmp / "keys" / "assignment.toml", starter_spec(title, s, lvl))
        os.sync()  # every file on disk before the folders appear
        for name in ("sheets", "keys"):
            (tmp / name).rename(root / name)  # both on one file system: atomic
            moved.append(root / name)
    except BaseException:
        for path in moved:
            shutil.rmtree(path, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return HandOut(root / "sheets", root / "keys", len(students), files + 2)
