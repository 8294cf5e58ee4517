"""``tinygrad-edu audit TESTS``: which catalogued mistakes does a teacher's test suite miss?"""

from __future__ import annotations

import argparse

from .common import positive_float, say

NAME = "audit"
HELP = "run a teacher's pytest suite against engines with each catalogued mistake injected"
EPILOG = "example: tinygrad-edu audit course/tests --timeout 60"


def description() -> str:
    """The command's description, with the mistakes injected."""
    from ..grading.mutants import MUTANTS

    return (
        "Run the pytest suite TESTS (a folder or a file) once on the real engine (it must "
        "pass), then once per mutant: the engine with one of the tutor's catalogued mistakes "
        "injected (" + ", ".join(MUTANTS) + "), each in a child process under --timeout. "
        "Lists each mistake as caught (the suite failed) or MISSED (the suite passed: a "
        "learner with that bug would pass your tests)."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """TESTS, --mutant, --plugins, --timeout."""
    parser.add_argument("tests", metavar="TESTS", help="a pytest file or folder")
    parser.add_argument("--mutant", action="append", default=None, help="only this mistake")
    parser.add_argument(
        "--plugins", action="store_true", help="load the installed pytest plugins in each run"
    )
    parser.add_argument(
        "--timeout", type=positive_float, default=120.0, help="seconds per run (default 120)"
    )


def run(args: argparse.Namespace) -> int:
    """Audit and print the table; the exit status is 0 either way (the table is the answer)."""
    from ..grading.audit import audit

    result = audit(args.tests, mutants=args.mutant, timeout=args.timeout, plugins=args.plugins)
    missed = result.missed
    say(
        f"{len(result.runs)} mistakes injected into the engine; your tests caught "
        f"{len(result.runs) - len(missed)}, missed {len(missed)}",
        *(f"  {line}" for line in result.table()),
    )
    return 0
