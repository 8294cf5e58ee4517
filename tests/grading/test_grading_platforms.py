"""The platform exports, checked by the real tools where they exist (otter-grader's test
runner, nbgrader's metadata validator and grade rule, nbformat, PyYAML) and by JSON schemas
written from the platforms' documented fields (Gradescope and PrairieLearn results.json,
PrairieLearn info.json): each on a right and on a wrong submission, with the points the spec's
partial credit gives."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tinygrad_edu.grading import parse_spec
from tinygrad_edu.grading.platforms import export
from tinygrad_edu.grading.tiers import tiers
from tinygrad_edu.tutor import worksheet

SPEC = parse_spec(
    {
        "title": "Backprop by hand <and code>",
        "seed": 3,
        "level": 2,
        "check": [
            {
                "name": "table",
                "kind": "worksheet",
                "points": 10,
                "credit": {"sign": 0.6, "reversed-operands": 0.5},
            },
            {
                "name": "tanh rule",
                "kind": "rule",
                "op": "tanh",
                "function": "my_tanh_rule",
                "notebook": "answers.py",
                "points": 2,
                "credit": {"input-instead-of-output": 0.5},
            },
        ],
    }
)

RIGHT_RULE = "def my_tanh_rule(x, out):\n    return (1 - out**2,)\n"
WRONG_RULE = "def my_tanh_rule(x, out):\n    return (1 - x**2,)\n"


def _answers(student: str, mistake: str | None) -> dict[str, str]:
    ws = worksheet(SPEC.seed, SPEC.level, student=student)
    out = {k: f"{v:#.5g}" for k, v in ws.answer_key.items()}
    if mistake == "sign":
        out["c"] = f"{-ws.answer_key['c']:#.5g}"
    return out


def _sheet(student: str, mistake: str | None) -> str:
    answers = _answers(student, mistake)
    ws = worksheet(SPEC.seed, SPEC.level, student=student)
    rows = [
        f"| {k} | {n.label} | x | {n.data} | {answers[n.label]} |"
        for k, n in enumerate(ws.nodes, 1)
    ]
    return (
        f"Student id: {student}\n\n| order | node | made by | value | grad |\n|---|\n"
        + "\n".join(rows)
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("platforms")
    export(SPEC, out)
    return out


def test_export_command_writes_every_platform(tmp_path: Path) -> None:
    from tinygrad_edu.cli import main

    spec = tmp_path / "assignment.json"
    spec.write_text(json.dumps(SPEC.as_dict()), encoding="utf-8")
    assert main(["export", "--spec", str(spec), "--out", str(tmp_path / "out")]) == 0
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.*"))
    assert "gradescope/autograder.zip" in written and "prairielearn/info.json" in written
    assert "otter/tests/table.py" in written and "nbgrader/source/assignment.ipynb" in written
    assert "classroom/.github/workflows/classroom.yml" in written
    assert main(["export", "--spec", str(spec), "--platform", "moodle"]) == 1


def test_a_check_name_is_never_code_in_the_generated_tests() -> None:
    import ast

    from tinygrad_edu.grading.platforms.classroom import classroom_files
    from tinygrad_edu.grading.platforms.otter import otter_tests

    name = 'x""" + __import__("os").system("boom") + """'
    spec = parse_spec({"check": [{"name": name, "kind": "rule", "op": "tanh", "function": "f"}]})
    files = {**otter_tests(spec), **classroom_files(spec)}
    for path, text in files.items():
        if path.endswith(".py"):
            tree = ast.parse(text)
            called = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call)
                      and isinstance(n.func, ast.Attribute)}  # fmt: skip
            assert "system" not in called, path


def test_tiers_add_up_to_the_credit_of_every_diagnosis() -> None:
    for check in SPEC.checks:
        ladder = tiers(check)
        assert sum(t.points for t in ladder) == pytest.approx(check.points)
        for code, share in check.credit.items():
            earned = sum(t.points for t in ladder if code in t.codes)
            assert earned == pytest.approx(check.points * share)


# ------------------------------------------------------------------ otter-grader


def _otter_score(path: Path, env: dict[str, Any]) -> float:
    from otter.test_files import ExceptionTestFile

    test = ExceptionTestFile.from_file(str(path))
    test.run(env)
    return float(test.score)


@pytest.mark.slow
def test_otter_test_files_score_right_and_wrong_work_by_the_spec(exported: Path) -> None:
    rule, table = exported / "otter/tests/tanh_rule.py", exported / "otter/tests/table.py"
    right: dict[str, Any] = {}
    exec(RIGHT_RULE, right)
    wrong: dict[str, Any] = {}
    exec(WRONG_RULE, wrong)
    assert _otter_score(rule, right) == 2.0
    assert _otter_score(rule, wrong) == 1.0  # input-instead-of-output earns half
    assert _otter_score(table, {"answers": _answers("ada", None), "student_id": "ada"}) == 10.0
    assert _otter_score(table, {"answers": _answers("ada", "sign"), "student_id": "ada"}) == 6.0
    assert _otter_score(table, {"answers": {}, "student_id": "ada"}) == 0.0


# ------------------------------------------------------------------ Gradescope

GRADESCOPE_TEST = {
    "type": "object",
    "required": ["score", "max_score", "status", "name", "output", "output_format"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "md", "simple_format", "ansi"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}
GRADESCOPE_RESULTS = {
    "type": "object",
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "md", "simple_format", "ansi"]},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": GRADESCOPE_TEST},
        "leaderboard": {"type": "array"},
    },
    "additionalProperties": False,
}


def _gradescope(tmp: Path, source: Path, mistake: str | None, rule: str) -> dict[str, Any]:
    sub = tmp / f"submission-{mistake}"
    sub.mkdir()
    (sub / "answers.md").write_text(_sheet("ada", mistake), encoding="utf-8")
    (sub / "answers.py").write_text(rule, encoding="utf-8")
    results = tmp / f"results-{mistake}.json"
    args = [
        sys.executable,
        "-m",
        "tinygrad_edu.grading.platforms.gradescope",
        "--spec",
        str(source / "assignment.json"),
        "--submission",
        str(sub),
        "--results",
        str(results),
    ]
    subprocess.run(args, check=True, cwd=source, capture_output=True)
    data: dict[str, Any] = json.loads(results.read_text(encoding="utf-8"))
    jsonschema.validate(data, GRADESCOPE_RESULTS)
    return data


@pytest.mark.slow
def test_gradescope_autograder_writes_valid_results_with_diagnoses(
    exported: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(exported / "gradescope/autograder.zip") as z:
        assert sorted(z.namelist()) == ["assignment.json", "run_autograder", "setup.sh"]
        assert (z.getinfo("run_autograder").external_attr >> 16) & 0o111
        z.extractall(tmp_path / "source")
        run = z.read("run_autograder").decode()
    assert "tinygrad_edu.grading.platforms.gradescope" in run
    assert "/autograder/results/results.json" in run
    right = _gradescope(tmp_path, tmp_path / "source", None, RIGHT_RULE)
    wrong = _gradescope(tmp_path, tmp_path / "source", "sign", WRONG_RULE)
    assert right["score"] == 12.0 and [t["status"] for t in right["tests"]] == ["passed"] * 2
    assert wrong["score"] == 7.0  # 6 of 10 for a sign, 1 of 2 for tanh′ at the input
    assert wrong["extra_data"]["diagnosis_codes"] == ["sign", "input-instead-of-output"]
    table = wrong["tests"][0]
    assert table["output_format"] == "md" and table["tags"] == ["sign"]
    assert "node c" in table["output"] and table["extra_data"]["diagnosis"] == "sign"


# ------------------------------------------------------------------ PrairieLearn

PL_INFO = {
    "type": "object",
    "required": ["uuid", "title", "topic", "type"],
    "properties": {
        "uuid": {
            "type": "string",
            "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        },
        "title": {"type": "string"},
        "topic": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "type": {"const": "v3"},
        "singleVariant": {"type": "boolean"},
        "gradingMethod": {"enum": ["Internal", "External", "Manual"]},
        "externalGradingOptions": {
            "type": "object",
            "required": ["enabled", "image", "entrypoint"],
            "properties": {
                "enabled": {"type": "boolean"},
                "image": {"type": "string"},
                "entrypoint": {"type": "string"},
                "timeout": {"type": "integer"},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
PL_IMAGE = {
    "type": "object",
    "required": ["url"],
    "properties": {
        "label": {"type": "string"},
        "url": {"type": "string", "pattern": "^data:image/"},
    },
}
PL_RESULTS = {
    "type": "object",
    "required": ["gradable", "score"],
    "properties": {
        "gradable": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "message": {"type": "string"},
        "output": {"type": "string"},
        "execution_time": {"type": "number"},
        "images": {"type": "array", "items": PL_IMAGE},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "points", "max_points"],
                "properties": {
                    "name": {"type": "string"},
                    "points": {"type": "number"},
                    "max_points": {"type": "number"},
                    "message": {"type": "string"},
                    "output": {"type": "string"},
                    "images": {"type": "array", "items": PL_IMAGE},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def _pl_grade(question: Path, root: Path, variant: str, mistake: str | None, rule: str) -> Any:
    (root / "data").mkdir(parents=True)
    (root / "student").mkdir()
    (root / "data" / "data.json").write_text(json.dumps({"params": {"student": variant}}))
    typed = _sheet(variant, mistake).replace(f"Student id: {variant}", "Student id: someone")
    (root / "student" / "answers.md").write_text(typed, encoding="utf-8")  # graded as variant
    (root / "student" / "answers.py").write_text(rule, encoding="utf-8")
    subprocess.run(
        [sys.executable, str(question / "tests/grade.py"), str(root)],
        check=True,
        capture_output=True,
    )
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    assert len(text) < 1_000_000
    data = json.loads(text)
    jsonschema.validate(data, PL_RESULTS)
    return data


@pytest.mark.slow
def test_prairielearn_question_has_variants_and_grades_with_the_red_edge_drawing(
    exported: Path, tmp_path: Path
) -> None:
    question = exported / "prairielearn"
    info = json.loads((question / "info.json").read_text(encoding="utf-8"))
    jsonschema.validate(info, PL_INFO)
    html = (question / "question.html").read_text(encoding="utf-8")
    assert "&lt;and code&gt;" in html and "<and code>" not in html
    assert '<pl-file-editor file-name="answers.md"' in html
    server: dict[str, Any] = {}
    exec((question / "server.py").read_text(encoding="utf-8"), server)
    data: dict[str, Any] = {"params": {}}
    server["generate"](data)
    variant = data["params"]["student"]
    assert data["params"]["blank"] == worksheet(3, 2, student=variant).markdown()
    assert len({v["student"] for v in server["VARIANTS"]}) == 12
    right = _pl_grade(question, tmp_path / "right", variant, None, RIGHT_RULE)
    assert right["score"] == 1.0 and right["images"] == []
    wrong = _pl_grade(question, tmp_path / "wrong", variant, "sign", WRONG_RULE)
    assert wrong["score"] == pytest.approx(7 / 12)
    assert [t["points"] for t in wrong["tests"]] == [6.0, 1.0]
    url = wrong["tests"][0]["images"][0]["url"]
    svg = base64.b64decode(url.split(",", 1)[1]).decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "#c62828" in svg  # the wrong node's edges


# ------------------------------------------------------------------ nbgrader


@pytest.mark.slow
def test_nbgrader_notebook_validates_with_nbformat_and_nbgrader(exported: Path) -> None:
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator

    path = exported / "nbgrader/source/assignment.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    MetadataValidator().validate_nb(nb)
    kinds = [
        (c.metadata.nbgrader.get("grade_id"), c.metadata.nbgrader.get("points"))
        for c in nb.cells
        if c.metadata.nbgrader.get("grade")
    ]
    assert kinds == [("test_table", 10.0), ("test_tanh_rule", 2.0)]


@pytest.mark.slow
def test_nbgrader_test_cells_output_the_partial_credit(exported: Path, tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbgrader.utils import determine_grade

    nb = nbformat.read(exported / "nbgrader/source/assignment.ipynb", as_version=4)
    answers = [c for c in nb.cells if c.metadata.nbgrader.get("solution")]
    answers[0].source = f"student_id = 'ada'\nanswers = {_answers('ada', 'sign')!r}\n"
    answers[1].source = WRONG_RULE
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    grades = [determine_grade(c) for c in nb.cells if c.metadata.nbgrader.get("grade")]
    assert grades == [(6.0, 10.0), (1.0, 2.0)]
    assert any("sign" in o.get("text", "") for o in nb.cells[3].outputs)  # the report, printed


# ------------------------------------------------------------------ GitHub Classroom


def test_classroom_workflow_and_autograding_json_are_well_formed(exported: Path) -> None:
    import yaml

    root = exported / "classroom"
    flow = yaml.safe_load((root / ".github/workflows/classroom.yml").read_text(encoding="utf-8"))
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    graders = [s for s in steps if "autograding-command-grader" in s.get("uses", "")]
    reporter = steps[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in graders]
    assert sum(float(s["with"]["max-score"]) for s in graders) == SPEC.total
    tests = json.loads((root / ".github/classroom/autograding.json").read_text())["tests"]
    assert [t["run"] for t in tests] == [s["with"]["command"] for s in graders]
    assert {"name", "setup", "run", "input", "output", "comparison", "timeout", "points"} == set(
        tests[0]
    )


@pytest.mark.slow
def test_classroom_tests_pass_rungs_worth_the_spec_credit(exported: Path, tmp_path: Path) -> None:
    import shutil

    grading = exported / "classroom/.github/classroom/autograding.json"
    tests = json.loads(grading.read_text(encoding="utf-8"))["tests"]
    for mistake, rule, want in [(None, RIGHT_RULE, 12.0), ("sign", WRONG_RULE, 7.0)]:
        repo = tmp_path / f"repo-{mistake}"
        shutil.copytree(exported / "classroom", repo)
        answers = f"student_id = 'ada'\nanswers = {_answers('ada', mistake)!r}\n\n{rule}"
        (repo / "answers.py").write_text(answers, encoding="utf-8")
        env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", "tests"]
        done = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True)
        passed = {
            line.split("::")[-1] for line in done.stdout.splitlines() if line.startswith("PASSED")
        }
        earned = sum(t["points"] for t in tests if t["run"].split("::")[-1] in passed)
        assert earned == pytest.approx(want), done.stdout[-800:]
