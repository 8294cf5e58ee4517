"""``tinygrad-edu dashboard answers/*.json [grades.csv] --out dash.html``: the class at a glance."""

from __future__ import annotations

import argparse

from .common import output, say

NAME = "dashboard"
HELP = "one offline page of where the class goes wrong (and an xAPI export of the answers)"
DEFAULT_OUT = "out/dashboard.html"
EPILOG = "example: tinygrad-edu dashboard answers/*.json grades/gradebook.csv --out dash.html"


def description() -> str:
    """The command's description."""
    return (
        "Read the explorer's answer files (predict mode; .json) and optionally a gradebook "
        "(.csv, from `grade`), and write --out: one HTML page with no script and no network "
        "(inline SVG): a phase × layer heatmap of first-try errors, the top diagnoses with "
        "counts and an example each, the hardest items and the score distribution. --xapi "
        "FILE also writes every answer as an xAPI 'answered' statement (a JSON list) for a "
        "learning-record store."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """FILES, --out, --xapi, --home-page, --title."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="answer .json files, a .csv")
    parser.add_argument("--out", default=DEFAULT_OUT, help="the page to write")
    parser.add_argument("--xapi", default=None, metavar="FILE", help="also write xAPI statements")
    parser.add_argument(
        "--home-page", default="https://lms.example.org", help="the LMS the learner ids belong to"
    )
    parser.add_argument("--title", default="Class dashboard", help="the page's title")


def run(args: argparse.Namespace) -> int:
    """Write the page (and the statements)."""
    import json
    from pathlib import Path

    from ..fileio import atomic_write_text
    from ..grading.answers import read_answers
    from ..grading.dashboard import class_summary, dashboard_html
    from ..grading.xapi import xapi_statements

    page_out = output(args.out, "--out", "dashboard", default=DEFAULT_OUT)
    xapi_out = output(args.xapi, "--xapi", "dashboard") if args.xapi else None
    csvs = [f for f in args.files if f.lower().endswith(".csv")]
    if len(csvs) > 1:
        raise ValueError(f"dashboard: one gradebook at most, got {len(csvs)}: {csvs}")
    docs = read_answers([f for f in args.files if not f.lower().endswith(".csv")])
    grades = Path(csvs[0]).read_text(encoding="utf-8") if csvs else None
    page_out.make_folders()
    page = atomic_write_text(page_out.path, dashboard_html(docs, grades, args.title), "dashboard")
    s = class_summary(docs)
    lines = [
        f"{s['learners']} learners, {s['first_tries']} first tries, "
        f"{round(100 * s['first_try_error_rate'])} % wrong",
        f"  wrote {page}",
    ]
    if xapi_out is not None:
        xapi_out.make_folders()
        statements = xapi_statements(docs, args.home_page)
        text = json.dumps(statements, indent=1, ensure_ascii=False) + "\n"
        lines.append(f"  wrote {atomic_write_text(xapi_out.path, text, 'dashboard')} "
                     f"({len(statements)} statements)")  # fmt: skip
    say(*lines)
    return 0
