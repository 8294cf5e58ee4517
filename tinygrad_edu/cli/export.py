"""``tinygrad-edu export --spec assignment.toml --out DIR``: the spec on every course platform."""

from __future__ import annotations

import argparse

from .common import output, say, write_set

NAME = "export"
HELP = "write an assignment spec as otter, Gradescope, PrairieLearn, nbgrader, Classroom files"
DEFAULT_OUT = "out/platforms"
EPILOG = "example: tinygrad-edu export --spec out/class/keys/assignment.toml --out out/platforms"


def description() -> str:
    """The command's description."""
    return (
        "From --spec (TOML or JSON: checks, points, credit by diagnosis) write into --out: "
        "otter/tests/*.py (otter-grader test files), gradescope/autograder.zip (setup.sh, "
        "run_autograder; results.json with the diagnoses in extra_data and the tutor's "
        "report as Markdown), prairielearn/ (a question: info.json, question.html, "
        "server.py with worksheet variants, tests/grade.py writing results.json with the "
        "red-edge drawing in images), nbgrader/source/assignment.ipynb (answer and test "
        "cells whose output is the points), classroom/ (pytest tests, autograding.json and "
        "the workflow). Partial credit on pass/fail platforms is a ladder of tests."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--spec, --out, --platform."""
    parser.add_argument("--spec", required=True, help="the assignment spec (.toml or .json)")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help="where to write")
    parser.add_argument(
        "--platform",
        action="append",
        default=None,
        help="only this platform (otter, gradescope, prairielearn, nbgrader, classroom)",
    )


def run(args: argparse.Namespace) -> int:
    """Write the files; print where."""
    from ..grading import load_spec
    from ..grading.platforms import PLATFORMS, export

    target = output(args.out, "--out", "export", default=DEFAULT_OUT, folder=True)
    spec = load_spec(args.spec)
    platforms = tuple(args.platform or PLATFORMS)
    paths = write_set(target, "export", lambda folder: export(spec, folder, platforms))
    say(f"{spec.title}: {len(spec.checks)} checks, {spec.total:g} points",
        *(f"  wrote {p}" for p in paths))  # fmt: skip
    return 0
