"""The class dashboard (one offline page) and the xAPI export, from 30 simulated answer files;
and, in Chromium, every printed sheet on one A4 page and a look at the dashboard."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.cli import main
from tinygrad_edu.grading import Student, hand_out
from tinygrad_edu.grading.answers import check_document, simulate_class
from tinygrad_edu.grading.dashboard import dashboard_html
from tinygrad_edu.grading.xapi import EXTENSION, xapi_statements

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _write_class(folder: Path, docs: list[dict[str, Any]]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in docs:
        path = folder / f"{doc['learner']}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_simulated_answer_files_follow_the_explorer_format() -> None:
    docs = simulate_class(30)
    assert len(docs) == 30 and len({d["learner"] for d in docs}) == 30
    for d in docs:
        check_document(d, "test")
    firsts = [a for d in docs for a in d["answers"] if a["first_try"]]
    wrong = [a for a in firsts if not a["right"]]
    assert all(a["diagnosis"] is None or a["phase"] >= 2 for a in wrong)  # forward: no code
    assert simulate_class(30) == docs  # deterministic


def test_heatmap_cells_are_the_first_try_error_rates() -> None:
    docs = simulate_class(30)
    page = dashboard_html(docs)
    tries = [a for d in docs for a in d["answers"] if a["first_try"] and a["right"] is not None]
    cell = [a for a in tries if a["phase"] == 3 and a["layer"] == 1]
    wrong = sum(not a["right"] for a in cell)
    assert f"{round(100 * wrong / len(cell))} % of {len(cell)} first tries wrong" in page
    assert f">{wrong} / {len(cell)}<" in page
    codes = [a["diagnosis"] for d in docs for a in d["answers"] if a["diagnosis"]]
    top = max(set(codes), key=codes.count)
    assert re.search(rf"<code>{top}</code>.*?<td class=\"n\">{codes.count(top)}</td>", page)


def test_dashboard_is_offline_and_escapes_learner_text() -> None:
    docs = simulate_class(3)
    docs[0]["learner"] = "<script>alert(1)</script>"
    docs[0]["answers"][0].update(right=False, first_try=True, diagnosis="sign", given="<b>1</b>")
    page = dashboard_html(docs, "student,name,score,max,first_mistake,diagnosis_codes\n"
                                "a,A,4,10,x,sign\nb,B,10,10,,\n")  # fmt: skip
    assert "<script" not in page and "&lt;script&gt;" in page and "&lt;b&gt;1" in page
    assert not re.search(r"(src|href)=|url\(|@import|https?://", page)
    assert "50 % of students: <code>sign</code>" in page


@pytest.mark.slow
def test_xapi_statements_validate_with_ralph_and_carry_the_diagnosis() -> None:
    from ralph.models.xapi.base.statements import BaseXapiStatement

    docs = simulate_class(30)
    statements = xapi_statements(docs)
    answers = [a for d in docs for a in d["answers"]]
    assert len(statements) == len(answers) == len({s["id"] for s in statements})
    for s, a in zip(statements, answers):
        BaseXapiStatement.model_validate(s)
        assert s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
        definition = s["object"]["definition"]
        assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
        assert s["result"]["response"] == a["given"] and s["result"]["success"] == a["right"]
        assert s["result"]["extensions"][EXTENSION] == a["diagnosis"]


def test_dashboard_command_writes_the_page_and_the_statements(tmp_path: Path) -> None:
    files = _write_class(tmp_path / "answers", simulate_class(30))
    grades = tmp_path / "grades.csv"
    grades.write_text("student,name,score,max,first_mistake,diagnosis_codes\ns,S,6,10,x,sign\n")
    out, xapi = tmp_path / "dash.html", tmp_path / "xapi.json"
    assert main(["dashboard", *files, str(grades), "--out", str(out), "--xapi", str(xapi)]) == 0
    assert "First-try errors by phase and layer" in out.read_text(encoding="utf-8")
    assert len(json.loads(xapi.read_text(encoding="utf-8"))) == sum(
        len(d["answers"]) for d in simulate_class(30)
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"learner": "x", "answers": [{"phase": 5}]}')
    assert main(["dashboard", str(bad), "--out", str(out)]) == 1


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.slow
def test_every_level_prints_on_one_a4_page(browser: Any, tmp_path: Path) -> None:
    students = [Student("ada", "Ada Lovelace"), Student("x" * 30, "A very long name " * 4)]
    for level in (1, 2, 3, 4):
        done = hand_out(students, level, tmp_path / f"level{level}", seed=level)
        for sheet in [*done.sheets.glob("*.html"), *done.keys.glob("*.html")]:
            page = browser.new_page()
            page.goto(sheet.resolve().as_uri())
            pages = _pdf_pages(page.pdf(format="A4"))
            page.close()
            assert pages == 1, f"{sheet} prints on {pages} pages"


@pytest.mark.slow
def test_dashboard_in_chromium(new_page: Callable[[Path], Any], tmp_path: Path) -> None:
    """The README's screenshot: 30 simulated learners and a gradebook, at 1280 px."""
    docs = simulate_class(30)
    rows = ["student,name,score,max,first_mistake,diagnosis_codes"]
    codes = ["", "sign", "reversed-operands", "missing-upstream"]
    rows += [f"s{k},S{k},{[10, 6, 5, 0][k % 4]},10,x,{codes[k % 4]}" for k in range(30)]
    path = tmp_path / "dash.html"
    path.write_text(dashboard_html(docs, "\n".join(rows) + "\n"), encoding="utf-8")
    page = new_page(path)
    page.set_viewport_size({"width": 1280, "height": 720})
    assert page.locator("svg rect").count() > 12 + 14
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
