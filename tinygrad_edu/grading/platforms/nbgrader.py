"""nbgrader: a notebook with, per check, an answer cell and an autograder test cell.

The test cell prints the tutor's report and ends with the points earned, a float: nbgrader
takes a test cell's output cast to a float as its partial credit.
"""

from __future__ import annotations

import json
from typing import Any

from ...textsafe import md_text
from ..spec import Check, Spec
from .code import check_literal, stub

__all__ = ["nbgrader_notebook"]


def _cell(kind: str, source: str, nbgrader: dict[str, Any] | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source}
    if nbgrader is not None:
        cell["metadata"]["nbgrader"] = {"schema_version": 3, **nbgrader}
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def _test_source(spec: Spec, check: Check) -> str:
    return "\n".join(
        [
            "import json",
            "",
            "from tinygrad_edu.grading.checkrun import run_check",
            "",
            f"_check = {check_literal(spec, check)}",
            "_report = run_check(_check, globals())",
            "print(_report)",
            f"_points = {float(check.points)!r} if _report.ok else {float(check.points)!r} * "
            '_check["credit"].get(_report.diagnosis or "", 0.0)',
            "_points  # nbgrader: this cell's output, a float, is its partial credit",
        ]
    )


def nbgrader_notebook(spec: Spec) -> dict[str, Any]:
    """The source notebook (nbformat 4) for nbgrader's ``generate_assignment``."""
    locked = {"grade": False, "solution": False, "locked": True, "task": False}
    title = f"# {md_text(spec.title)}\n\nLevel {spec.level}; {spec.total:g} points."
    cells = [_cell("markdown", title, {**locked, "grade_id": "title"})]
    for check in spec.checks:
        about = f"## {md_text(check.name)} ({check.points:g} points)"
        cells.append(_cell("markdown", about, {**locked, "grade_id": f"about_{check.slug}"}))
        answer = {"grade": False, "solution": True, "locked": False, "task": False}
        cells.append(
            _cell("code", stub(spec, check), {**answer, "grade_id": f"answer_{check.slug}"})
        )
        test: dict[str, Any] = {"grade": True, "solution": False, "locked": True, "task": False}
        test.update(points=float(check.points), grade_id=f"test_{check.slug}")
        cells.append(_cell("code", _test_source(spec, check), test))
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def nbgrader_files(spec: Spec) -> dict[str, str]:
    """{file name: text}: the notebook, named after the spec's title."""
    nb = nbgrader_notebook(spec)
    for k, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{k}"
    return {"source/assignment.ipynb": json.dumps(nb, indent=1, ensure_ascii=False) + "\n"}
