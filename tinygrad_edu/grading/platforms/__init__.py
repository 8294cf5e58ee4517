"""Exports of one assignment spec to the course platforms.

* :mod:`.otter` — otter-grader exception-based test files;
* :mod:`.gradescope` — an autograder zip whose ``results.json`` carries the diagnoses;
* :mod:`.prairielearn` — a question with worksheet variants and an external grader;
* :mod:`.nbgrader` — a source notebook with answer and autograder test cells;
* :mod:`.classroom` — a GitHub Classroom template's tests, ``autograding.json`` and workflow.

Platforms that only know pass/fail get partial credit as a ladder of tests
(:mod:`~tinygrad_edu.grading.tiers`); every test runs the tutor through the same
:func:`~tinygrad_edu.grading.checkrun.run_check`.
"""

from __future__ import annotations

from pathlib import Path

from ...fileio import atomic_write_bytes, atomic_write_text
from ..spec import Spec
from .classroom import classroom_files
from .gradescope import gradescope_zip
from .nbgrader import nbgrader_files
from .otter import otter_tests
from .prairielearn import prairielearn_files

__all__ = ["PLATFORMS", "export"]

PLATFORMS = ("otter", "gradescope", "prairielearn", "nbgrader", "classroom")


def export(spec: Spec, out: str | Path, platforms: tuple[str, ...] = PLATFORMS) -> list[Path]:
    """Write each platform's files under ``out/<platform>/``; returns the paths written."""
    unknown = [p for p in platforms if p not in PLATFORMS]
    if unknown:
        raise ValueError(f"export: unknown platforms {unknown}; known: {', '.join(PLATFORMS)}")
    root = Path(out)
    paths: list[Path] = []
    makers = {
        "otter": otter_tests,
        "prairielearn": prairielearn_files,
        "nbgrader": nbgrader_files,
        "classroom": classroom_files,
    }
    for platform in platforms:
        if platform == "gradescope":
            zipped = gradescope_zip(spec)
            paths.append(
                atomic_write_bytes(root / "gradescope" / "autograder.zip", zipped, "export")
            )
            continue
        for name, text in makers[platform](spec).items():
            paths.append(atomic_write_text(root / platform / name, text, "export"))
    return paths
