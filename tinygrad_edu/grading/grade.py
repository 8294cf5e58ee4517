"""Grade a folder: filled sheets and exercise notebooks, by the tutor, into a gradebook.

``folder/`` holds one sheet per student (``<id>.md``/``.html``/``.csv``/``.json``) and/or one
subfolder per student with the spec's notebooks (``<id>/01_tanh_rule.ipynb``). Each check of
the spec gives the tutor's report; points come from the verdict and the diagnosis. Notebooks
run in a child process under a time limit: learner code never runs in the grader's process.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..fileio import atomic_write_text
from ..tutor import Report, worksheet
from .checkrun import MARK, failed, report_from_dict
from .collect import SHEET_SUFFIXES, Sheet, read_sheet
from .escape import csv_cell, markdown_text
from .handwork import POLICY, hand_answers
from .roster import Student, slug
from .spec import Check, Spec

__all__ = [
    "Gradebook",
    "StudentGrade",
    "grade_folder",
    "grade_sheet",
    "grade_work",
    "write_gradebook",
]

NOTEBOOK_TIMEOUT = 60.0


@dataclass(frozen=True)
class StudentGrade:
    """One student's result: per check (check, report, points earned)."""

    student: Student
    results: tuple[tuple[Check, Report, float], ...]  # (check, report, points earned)

    @property
    def score(self) -> float:
        """The points earned."""
        return round(sum(p for _, _, p in self.results), 6)

    @property
    def first_mistake(self) -> str:
        """The first wrong place of the first check not right ('' when all are right)."""
        for check, report, _ in self.results:
            if not report.ok:
                where = str(report.first_wrong) if report.first_wrong else report.hint
                return f"{check.name}: {where}"
        return ""

    @property
    def codes(self) -> list[str]:
        """The diagnosis codes of the checks not right, in check order, each once."""
        out: list[str] = []
        for _, report, _ in self.results:
            if not report.ok and report.diagnosis and report.diagnosis not in out:
                out.append(report.diagnosis)
        return out


@dataclass(frozen=True)
class Gradebook:
    """The class's grades, and the spec they were graded by."""

    spec: Spec
    grades: tuple[StudentGrade, ...]


def grade_sheet(spec: Spec, check: Check, sheet: Sheet) -> Report:
    """The tutor's report on one filled sheet, the numbers judged to the digits written."""
    ws = worksheet(spec.seed, spec.level, student=sheet.student)
    try:
        report = ws.check(hand_answers(ws, sheet.answers))
    except (ValueError, TypeError) as err:
        return failed(check.name, str(err))
    return dataclasses.replace(report, tolerance=POLICY)


def _run_notebook(path: Path, check: Check, timeout: float) -> Report:
    args = [sys.executable, "-m", "tinygrad_edu.grading.checkrun", str(path),
            json.dumps(dataclasses.asdict(check), default=dict)]  # fmt: skip
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=False,
            env={**os.environ, "MPLBACKEND": "Agg"}, cwd=path.parent,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return failed(check.name, f"your notebook did not finish within {timeout:g} s")
    found = [ln for ln in done.stdout.splitlines() if ln.startswith(MARK)]
    if not found:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return failed(check.name, f"your notebook stopped the grader: {tail[0][:300]}")
    return report_from_dict(json.loads(found[-1][len(MARK) :]))


Found = dict[str, tuple[Student, Sheet | None]]


def _students(folder: Path, roster: Sequence[Student] | None) -> Found:
    by_file = {s.file: s for s in roster or ()}
    by_id = {s.id: s for s in roster or ()}
    found: Found = {s.file: (s, None) for s in roster or ()}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_file() and path.suffix.lower() in SHEET_SUFFIXES:
            sheet = read_sheet(path)
            who = by_id.get(sheet.student) or by_file.get(slug(sheet.student))
            student = who or Student(sheet.student, sheet.student)
            if found.get(student.file, (None, None))[1] is not None:
                raise ValueError(f"grade: two sheets for student {student.id!r} ({path.name})")
            found[student.file] = (student, sheet)
        elif path.is_dir() and path.name not in found:
            student = by_file.get(path.name) or Student(path.name, path.name)
            found[student.file] = (student, None)
    return found


Result = tuple[Check, Report, float]


def grade_work(
    spec: Spec,
    sheet: Sheet | None,
    folder: Path,
    timeout: float = NOTEBOOK_TIMEOUT,
    code_file: str | None = None,
) -> tuple[Result, ...]:
    """One student's results: the sheet for worksheet checks, ``folder``'s notebooks for the
    others (each check's ``notebook``; or ``code_file``, one notebook or ``.py`` for all)."""
    results = []
    for check in spec.checks:
        if check.kind == "worksheet":
            missing = failed(check.name, "no sheet was handed in")
            report = grade_sheet(spec, check, sheet) if sheet is not None else missing
        else:
            nb = folder / (code_file or check.notebook or f"{check.slug}.ipynb")
            missing = failed(check.name, f"no notebook {nb.name} was handed in")
            report = _run_notebook(nb, check, timeout) if nb.is_file() else missing
        results.append((check, report, check.earned(report.ok, report.diagnosis)))
    return tuple(results)


def grade_folder(
    folder: str | Path,
    spec: Spec,
    *,
    roster: Sequence[Student] | None = None,
    timeout: float = NOTEBOOK_TIMEOUT,
    progress: Callable[[int, int], None] | None = None,
) -> Gradebook:
    """Grade every student found in ``folder`` (and every student of ``roster``)."""
    root = Path(folder)
    if not root.is_dir():
        raise NotADirectoryError(f"grade: {root} is not a folder of filled sheets")
    found = _students(root, roster)
    if not found:
        raise ValueError(f"grade: no sheets ({', '.join(SHEET_SUFFIXES)}) or folders in {root}")
    grades = []
    for k, (student, sheet) in enumerate(found.values(), 1):
        results = grade_work(spec, sheet, root / student.file, timeout)
        grades.append(StudentGrade(student, results))
        if progress is not None:
            progress(k, len(found))
    return Gradebook(spec, tuple(grades))


def gradebook_csv(book: Gradebook) -> str:
    """student, name, score, max, first mistake, diagnosis codes, then points per check."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "name", "score", "max", "first_mistake", "diagnosis_codes",
                *(c.name for c in book.spec.checks)])  # fmt: skip
    for g in book.grades:
        w.writerow([csv_cell(g.student.id), csv_cell(g.student.name), f"{g.score:g}",
                    f"{book.spec.total:g}", csv_cell(g.first_mistake), ";".join(g.codes),
                    *(f"{p:g}" for _, _, p in g.results)])  # fmt: skip
    return buf.getvalue()


def feedback_markdown(book: Gradebook, grade: StudentGrade) -> str:
    """One student's feedback: the score, then each check's report (the tutor's Markdown)."""
    out = [
        f"# {markdown_text(book.spec.title)}: feedback for {markdown_text(grade.student.name)}",
        "",
        f"**{grade.score:g} / {book.spec.total:g} points**",
        "",
    ]
    for check, report, points in grade.results:
        out += [f"## {markdown_text(check.name)}: {points:g} / {check.points:g}", ""]
        out += [report._repr_markdown_(), ""]
    return "\n".join(out)


def write_gradebook(book: Gradebook, out: str | Path) -> list[Path]:
    """Write ``out/gradebook.csv`` and ``out/feedback/<student>.md``; return the paths."""
    root = Path(out)
    paths = [atomic_write_text(root / "gradebook.csv", gradebook_csv(book), "grade")]
    for g in book.grades:
        text = feedback_markdown(book, g)
        paths.append(atomic_write_text(root / "feedback" / f"{g.student.file}.md", text, "grade"))
    return paths
