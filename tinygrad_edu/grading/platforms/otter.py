"""otter-grader: one exception-based test file per check (``tests/<check>.py``).

Each rung of the check's partial-credit ladder is a ``@test_case`` whose parameters otter
looks up by name in the learner's notebook; a failing rung's message is the tutor's report.
"""

from __future__ import annotations

from ..spec import Check, Spec
from .code import check_literal, ladder, names_read, tier_assertion

__all__ = ["otter_tests"]


def otter_test(spec: Spec, check: Check) -> str:
    """The test file of one check."""
    params = ", ".join(names_read(check))
    env = ", ".join(f"{n!r}: {n}" for n in names_read(check))
    out = [
        "# otter-grader tests, made by tinygrad-edu export, for the check named",
        f"# {check.name!r}",  # repr: one line, whatever the name holds
        "",
        "import json",
        "",
        "from otter.test_files import test_case",
        "",
        "OK_FORMAT = False",
        "",
        f"name = {check.slug!r}",
        f"CHECK = {check_literal(spec, check)}",
        "",
        "",
        "def _report(env):",
        "    from tinygrad_edu.grading.checkrun import run_check",
        "",
        "    return run_check(CHECK, env)",
    ]
    for tier in ladder(check):
        out += [
            "",
            "",
            f"@test_case(points={tier.points!r}, hidden=False)",
            f"def test_{tier.name}({params}):",
            f"    report = _report({{{env}}})",
            f"    {tier_assertion(tier)}",
        ]
    return "\n".join(out) + "\n"


def otter_tests(spec: Spec) -> dict[str, str]:
    """{file name: text} of the test files, one per check."""
    return {f"tests/{c.slug}.py": otter_test(spec, c) for c in spec.checks}
