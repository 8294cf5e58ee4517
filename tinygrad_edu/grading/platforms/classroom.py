"""GitHub Classroom: pytest tests per rung of each check's ladder, ``autograding.json`` and the
workflow that runs each rung with its points (``autograding-command-grader``).

The learner's repository holds ``answers.py`` (the functions or the table the checks read).
"""

from __future__ import annotations

import json

from ..spec import Check, Spec
from .code import check_literal, ladder, stub, tier_assertion

__all__ = ["classroom_files"]

SETUP = "pip install tinygrad_edu pytest"


def _test_file(spec: Spec, check: Check) -> str:
    out = [
        "# GitHub Classroom tests, made by tinygrad-edu export, for the check named",
        f"# {check.name!r}",  # repr: one line, whatever the name holds
        "",
        "import json",
        "",
        "import answers",
        "",
        "from tinygrad_edu.grading.checkrun import run_check",
        "",
        f"CHECK = {check_literal(spec, check)}",
    ]
    for tier in ladder(check):
        out += [
            "",
            "",
            f"def test_{tier.name}():",
            f'    """{tier.points:g} points: right{_or(tier.codes)}."""',
            "    report = run_check(CHECK, vars(answers))",
            f"    {tier_assertion(tier)}",
        ]
    return "\n".join(out) + "\n"


def _or(codes: tuple[str, ...]) -> str:
    return " or " + ", ".join(codes) if codes else ""


def _workflow(rungs: list[tuple[str, str, float]]) -> str:
    lines = [
        "name: Autograding Tests",
        "'on':",
        "  - push",
        "  - repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
    ]
    for ident, command, points in rungs:
        lines += [
            f"      - name: {ident}",
            f"        id: {ident}",
            "        uses: classroom-resources/autograding-command-grader@v1",
            "        with:",
            f"          test-name: {ident}",
            f"          setup-command: {SETUP}",
            f"          command: {command}",
            "          timeout: 10",
            f"          max-score: {points:g}",
        ]
    env = [
        f'          {i.upper()}_RESULTS: "${{{{steps.{i}.outputs.result}}}}"' for i, _, _ in rungs
    ]
    lines += [
        "      - name: Autograding Reporter",
        "        uses: classroom-resources/autograding-grading-reporter@v1",
        "        env:",
        *env,
        "        with:",
        f"          runners: {','.join(i for i, _, _ in rungs)}",
    ]
    return "\n".join(lines) + "\n"


def classroom_files(spec: Spec) -> dict[str, str]:
    """{path: text} of the template repository's grading files."""
    files = {"conftest.py": "# the repository root on sys.path, so the tests import answers\n"}
    files["answers.py"] = "\n\n".join(stub(spec, c) for c in spec.checks)
    rungs: list[tuple[str, str, float]] = []
    tests = []
    for check in spec.checks:
        path = f"tests/test_{check.slug}.py"
        files[path] = _test_file(spec, check)
        for tier in ladder(check):
            ident = tier.name.replace("_", "-")
            command = f"pytest -q {path}::test_{tier.name}"
            rungs.append((ident, command, tier.points))
            tests.append({"name": tier.name, "setup": SETUP, "run": command, "input": "",
                          "output": "", "comparison": "included", "timeout": 10,
                          "points": tier.points})  # fmt: skip
    files[".github/classroom/autograding.json"] = json.dumps({"tests": tests}, indent=2) + "\n"
    files[".github/workflows/classroom.yml"] = _workflow(rungs)
    return files
