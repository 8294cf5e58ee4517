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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..fileio import atomic_write_text
from ..textsafe import csv_cell, md_text
from ..tutor import Report, worksheet
from .checkrun import failed
from .collect import SHEET_SUFFIXES, Sheet, read_sheet
from .roster import Student, slug
from .sandbox import run_notebooks
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
    """The tutor's report on one filled sheet, the numbers judged to the digits written (the
    tutor's hand-work policy, stated in the report)."""
    ws = worksheet(spec.seed, spec.level, student=sheet.student)
    try:
        return ws.check(sheet.answers)
    except (ValueError, TypeError) as err:
        return failed(check.name, str(err))


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
    return _grade_many(spec, [(sheet, folder)], timeout, code_file)[0]


def _grade_many(
    spec: Spec,
    work: Sequence[tuple[Sheet | None, Path]],
    timeout: float,
    code_file: str | None = None,
) -> list[tuple[Result, ...]]:
    """Every student's results; all notebooks run together, each apart (see sandbox)."""
    reports: list[list[Report | None]] = [[None] * len(spec.checks) for _ in work]
    jobs: list[tuple[Path, dict[str, object]]] = []
    where: list[tuple[int, int]] = []
    for i, (sheet, folder) in enumerate(work):
        for j, check in enumerate(spec.checks):
            if check.kind == "worksheet":
                missing = failed(check.name, "no sheet was handed in")
                reports[i][j] = grade_sheet(spec, check, sheet) if sheet is not None else missing
                continue
            nb = folder / (code_file or check.notebook or f"{check.slug}.ipynb")
            if not nb.is_file():
                reports[i][j] = failed(check.name, f"no notebook {nb.name} was handed in")
                continue
            jobs.append((nb, dataclasses.asdict(check)))
            where.append((i, j))
    for (i, j), ran in zip(where, run_notebooks(jobs, timeout)):
        reports[i][j] = ran
    out = []
    for row in reports:
        results = []
        for check, got in zip(spec.checks, row):
            assert got is not None
            results.append((check, got, check.earned(got.ok, got.diagnosis)))
        out.append(tuple(results))
    return out


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
    work = [(sheet, root / student.file) for student, sheet in found.values()]
    everyone = _grade_many(spec, work, timeout)
    grades = [StudentGrade(s, r) for (s, _), r in zip(found.values(), everyone)]
    if progress is not None:
        progress(len(grades), len(found))
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
        f"# {md_text(book.spec.title)}: feedback for {md_text(grade.student.name)}",
        "",
        f"**{grade.score:g} / {book.spec.total:g} points**",
        "",
    ]
    for check, report, points in grade.results:
        out += [f"## {md_text(check.name)}: {points:g} / {check.points:g}", ""]
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
