"""``tinygrad-edu grade DIR --spec assignment.toml``: a gradebook and feedback from the tutor."""

from __future__ import annotations

import argparse

from .common import output, positive_float, say, write_set

NAME = "grade"
HELP = "grade a folder of filled sheets and notebooks into a gradebook with feedback"
DEFAULT_OUT = "out/grades"
EPILOG = "example: tinygrad-edu grade handed-in/ --spec out/class/keys/assignment.toml --out grades"


def description() -> str:
    """The command's description."""
    return (
        "Read every filled sheet in DIR (<id>.md, .html, .csv or .json) and every student "
        "folder's notebooks (<id>/<notebook>.ipynb, run in a child process under --timeout), "
        "check each with the tutor, and write --out/gradebook.csv (student, name, score, max, "
        "first mistake, diagnosis codes, points per check) and --out/feedback/<id>.md (the "
        "tutor's report for each check). Points and partial credit by diagnosis come from "
        "--spec (TOML or JSON; `worksheet --roster` writes a starter). Hand-written numbers "
        "are right to the digits written."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """DIR, --spec, --out, --roster, --timeout."""
    parser.add_argument("folder", metavar="DIR", help="the handed-in sheets and folders")
    parser.add_argument("--spec", required=True, help="the assignment spec (.toml or .json)")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help="where to write")
    parser.add_argument("--roster", default=None, metavar="CSV", help="names, and who is missing")
    parser.add_argument(
        "--timeout", type=positive_float, default=60.0, help="seconds per notebook (default 60)"
    )


def run(args: argparse.Namespace) -> int:
    """Grade, write the gradebook and the feedback, print a summary."""
    import time

    from ..grading import load_spec, read_roster
    from ..grading.grade import grade_folder, write_gradebook

    target = output(args.out, "--out", "grade", default=DEFAULT_OUT, folder=True)
    spec = load_spec(args.spec)
    roster = read_roster(args.roster) if args.roster else None
    start = time.perf_counter()
    book = grade_folder(args.folder, spec, roster=roster, timeout=args.timeout)
    paths = write_set(target, "grade", lambda folder: write_gradebook(book, folder))
    took = time.perf_counter() - start
    right = sum(g.score == spec.total for g in book.grades)
    codes: dict[str, int] = {}
    for g in book.grades:
        for c in g.codes:
            codes[c] = codes.get(c, 0) + 1
    common = ", ".join(f"{c} ×{n}" for c, n in sorted(codes.items(), key=lambda x: -x[1])[:5])
    say(
        f"{len(book.grades)} students graded in {took:.1f} s: {right} with full marks",
        f"  diagnoses: {common or 'none'}",
        f"  wrote {paths[0]} and {len(paths) - 1} feedback files",
    )
    return 0
