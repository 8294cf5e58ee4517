"""PrairieLearn: a question (``info.json``, ``question.html``, ``server.py``, ``tests/``) whose
variants are worksheet variants, graded by an external grader that writes ``results.json``.

``server.py`` picks one of the variants drawn from the spec's seed (each a worksheet for one
variant id); the grader (``tests/grade.py``, run in a container with tinygrad_edu installed)
checks ``answers.md`` (the filled table) and ``answers.py`` (the code checks) and writes a
score in 0–1, one test per check with the tutor's report, and, for a wrong table, the graph
with the first wrong node's chain-rule edges in red as an ``images`` data URL.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...fileio import atomic_write_text
from ...tutor import worksheet
from ..collect import read_sheet
from ..drawing import wrong_drawing
from ..grade import Result, grade_work
from ..spec import Spec, parse_spec
from .code import stub

__all__ = ["VARIANTS", "grade_external", "pl_results", "prairielearn_files"]

VARIANTS = 12
MAX_RESULTS = 1_000_000  # PrairieLearn refuses results.json over 1 MB


def _data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def pl_results(spec: Spec, results: Sequence[Result], variant: str) -> dict[str, Any]:
    """``results.json`` data for one graded submission."""
    tests = []
    images: list[dict[str, str]] = []
    for check, report, points in results:
        test: dict[str, Any] = {
            "name": check.name,
            "points": points,
            "max_points": float(check.points),
            "message": report._verdict()
            if report.ok
            else f"{report._verdict()}: {report.diagnosis or 'no catalogued mistake fits'}",
            "output": str(report),
            "images": [],
        }
        if check.kind == "worksheet" and report.first_wrong is not None:
            ws = worksheet(spec.seed, spec.level, student=variant)
            node = report.first_wrong.where.removeprefix("node ")
            svg = wrong_drawing(ws.nodes, node)
            if svg is not None:
                image = {"label": f"{node}: the edges its gradient sums", "url": _data_url(svg)}
                test["images"].append(image)
                images.append(image)
        tests.append(test)
    earned = sum(p for _, _, p in results)
    total = spec.total or 1.0
    out = {
        "gradable": True,
        "score": round(earned / total, 6),
        "message": f"{earned:g} / {spec.total:g} points",
        "output": "\n\n".join(str(r) for _, r, _ in results),
        "images": images,
        "tests": tests,
    }
    if len(json.dumps(out)) > MAX_RESULTS:  # drop the drawings before PrairieLearn would
        out["images"] = []
        for t in tests:
            t["images"] = []
    return out


def grade_external(spec_data: dict[str, Any], root: Path, timeout: float = 60.0) -> dict[str, Any]:
    """The external grader: ``root/data/data.json``, ``root/student/`` → ``root/results/``."""
    spec = parse_spec(spec_data)
    start = time.perf_counter()
    data = json.loads((root / "data" / "data.json").read_text(encoding="utf-8"))
    variant = str(data["params"]["student"])
    student = root / "student"
    sheet_path = student / "answers.md"
    sheet = read_sheet(sheet_path) if sheet_path.is_file() else None
    if sheet is not None:
        sheet = type(sheet)(variant, sheet.answers, sheet.path)  # the variant, not a typed id
    results = grade_work(spec, sheet, student, timeout, code_file="answers.py")
    out = pl_results(spec, results, variant)
    out["execution_time"] = round(time.perf_counter() - start, 3)
    atomic_write_text(root / "results" / "results.json", json.dumps(out, indent=1) + "\n")
    return out


def _variants(spec: Spec) -> list[dict[str, str]]:
    from ..drawing import graph_svg

    out = []
    for k in range(1, VARIANTS + 1):
        vid = f"variant-{k:02d}"
        ws = worksheet(spec.seed, spec.level, student=vid)
        svg, _, _ = graph_svg(ws.nodes, 180.0, 120.0)
        out.append({"student": vid, "drawing": svg, "blank": ws.markdown()})
    return out


_HTML = """<pl-question-panel>
  <p>{about}</p>
  {worksheet}
  {code}
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def prairielearn_files(spec: Spec) -> dict[str, str]:
    """{path: text} of the question folder."""
    from ...textsafe import escape_html

    sheet = any(c.kind == "worksheet" for c in spec.checks)
    code = [c for c in spec.checks if c.kind != "worksheet"]
    key = f"tinygrad-edu/{spec.title}/{spec.seed}/{spec.level}"
    info = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
        "title": spec.title,
        "topic": "Backpropagation",
        "tags": ["tinygrad_edu", f"level{spec.level}"],
        "type": "v3",
        "singleVariant": not sheet,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": "prairielearn/grader-python",
            "entrypoint": "python3 /grade/tests/grade.py",
            "timeout": 60,
        },
    }
    worksheet_html = (
        "<div>{{{params.drawing}}}</div>\n  <p>Fill in the grad column of every row "
        "(∂L/∂node; the values are given).</p>\n"
        '  <pl-file-editor file-name="answers.md" ace-mode="ace/mode/markdown">'
        "{{params.blank}}</pl-file-editor>"
        if sheet
        else ""
    )
    stubs = "\n\n".join(stub(spec, c) for c in code)
    code_html = (
        f'<pl-file-editor file-name="answers.py" ace-mode="ace/mode/python">'
        f"{escape_html(stubs).replace('&#x27;', chr(39))}</pl-file-editor>"
        if code
        else ""
    )
    html = _HTML.format(about=escape_html(f"{spec.title}: {spec.total:g} points."),
                        worksheet=worksheet_html, code=code_html)  # fmt: skip
    variants = json.dumps(_variants(spec) if sheet else [], ensure_ascii=False)
    server = "\n".join(
        [
            '"""Variants drawn from the worksheet seed; made by tinygrad-edu export."""',
            "",
            "import json",
            "import random",
            "",
            f"VARIANTS = json.loads({variants!r})",
            "",
            "",
            "def generate(data):",
            "    if VARIANTS:",
            "        variant = random.choice(VARIANTS)  # PrairieLearn seeds random per variant",
            '        data["params"].update(variant)',
            "    else:",
            '        data["params"]["student"] = "variant-01"',
            "",
        ]
    )
    grade = "\n".join(
        [
            '"""PrairieLearn external grader; made by tinygrad-edu export."""',
            "",
            "import json",
            "import sys",
            "from pathlib import Path",
            "",
            "from tinygrad_edu.grading.platforms.prairielearn import grade_external",
            "",
            f"SPEC = json.loads({json.dumps(spec.as_dict(), ensure_ascii=False)!r})",
            "",
            'if __name__ == "__main__":',
            '    grade_external(SPEC, Path(sys.argv[1] if len(sys.argv) > 1 else "/grade"))',
            "",
        ]
    )
    return {
        "info.json": json.dumps(info, indent=2, ensure_ascii=False) + "\n",
        "question.html": html,
        "server.py": server,
        "tests/grade.py": grade,
    }
