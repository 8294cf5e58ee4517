"""Worksheets: seeded, per-student, keyed by closed forms, written to a folder by the CLI."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import tutor
from tinygrad_edu.cli import main


def _by_label(ws: tutor.Worksheet) -> dict[str, float]:
    return {n.label: n.data for n in ws.nodes}


@given(seed=st.integers(0, 10**6), level=st.sampled_from(tutor.LEVELS))
def test_worksheet_answer_key_is_accepted_and_one_wrong_entry_is_not(seed: int, level: int) -> None:
    ws = tutor.worksheet(seed, level)
    assert ws.check(ws.answer_key).ok
    first_leaf = next(n.label for n in ws.nodes if not n.parents)
    wrong = {**ws.answer_key, first_leaf: ws.answer_key[first_leaf] + 0.5}
    report = ws.check(wrong)
    assert not report.ok and report.first_wrong is not None
    assert report.first_wrong.where == f"node {first_leaf}"


def test_worksheet_is_the_same_for_the_same_seed_and_differs_per_student() -> None:
    a, b = tutor.worksheet(11, 4), tutor.worksheet(11, 4)
    assert a.markdown(answers=True) == b.markdown(answers=True)
    ada, bob = tutor.worksheet(11, 4, student="ada"), tutor.worksheet(11, 4, student="bob")
    assert ada.markdown(answers=True) != bob.markdown(answers=True)
    assert ada.answer_key == tutor.worksheet(11, 4, student="ada").answer_key
    # the variant seed is CRC-32 of "seed:name" (zlib.crc32(b"11:ada") = 0x0F02A222)
    from tinygrad_edu.tutor.worksheet import student_seed

    assert student_seed(11, "ada") == 0x0F02A222


@pytest.mark.parametrize("seed", range(6))
def test_worksheet_level_1_key_matches_the_closed_form(seed: int) -> None:
    ws = tutor.worksheet(seed, 1)
    v = _by_label(ws)
    a, b = v["a"], v["b"]
    if math.isclose(v["L"], a * b, rel_tol=0, abs_tol=0):
        assert (ws.answer_key["a"], ws.answer_key["b"]) == (b, a)
    else:
        assert v["L"] == a + b
        assert (ws.answer_key["a"], ws.answer_key["b"]) == (1.0, 1.0)
    assert len(ws.nodes) == 3


@pytest.mark.parametrize("seed", range(4))
def test_worksheet_level_3_key_matches_the_closed_form(seed: int) -> None:
    ws = tutor.worksheet(seed, 3)  # L = (tanh(x[0]·W1[0, 0] + x[1]·W1[0, 1] + b1[0]) − y)²
    v = _by_label(ws)
    o = math.tanh(v["x[0]"] * v["W1[0, 0]"] + v["x[1]"] * v["W1[0, 1]"] + v["b1[0]"])
    dn = 2.0 * (o - v["y"]) * (1.0 - o * o)
    key = ws.answer_key
    assert key["W1[0, 0]"] == pytest.approx(dn * v["x[0]"], rel=1e-12)
    assert key["x[1]"] == pytest.approx(dn * v["W1[0, 1]"], rel=1e-12)
    assert key["b1[0]"] == pytest.approx(dn, rel=1e-12)
    assert key["z1[0]"] == pytest.approx(dn, rel=1e-12) and "a1[0]" in key
    assert key["y"] == pytest.approx(-2.0 * (o - v["y"]), rel=1e-12)


def test_worksheet_level_4_shares_its_inputs_between_two_neurons() -> None:
    ws = tutor.worksheet(5, 4)
    x0 = next(n for n in ws.nodes if n.label == "x[0]")  # named as the delta equations do
    users = [n for n in ws.nodes if x0 in n.parents]
    assert len(users) == 2
    v = _by_label(ws)
    h1, h2 = math.tanh(v["z1[0]"]), math.tanh(v["z1[1]"])
    out = h1 * v["W2[0, 0]"] + h2 * v["W2[0, 1]"] + v["b2[0]"]
    d_out = 2.0 * (out - v["y"])
    expected = d_out * (
        v["W2[0, 0]"] * (1 - h1**2) * v["W1[0, 0]"] + v["W2[0, 1]"] * (1 - h2**2) * v["W1[1, 0]"]
    )
    assert ws.answer_key["x[0]"] == pytest.approx(expected, rel=1e-12)


def test_worksheet_tables_are_blank_in_markdown_latex_and_html() -> None:
    ws = tutor.worksheet(2, 2)
    md = ws.markdown()
    assert md.splitlines()[2] == "| order | node | made by | value | grad |"
    last = md.splitlines()[-1]
    assert last.startswith(f"| {len(ws.nodes)} | L | \\*(") and last.endswith(
        f"| {ws.nodes[-1].data:.6g} |  |"
    )
    tex = ws.latex()
    assert tex.startswith(r"\begin{tabular}") and tex.count(r"\rule{5em}{0.4pt}") == len(ws.nodes)
    page = ws.html()
    assert page.count("<tr>") == len(ws.nodes) + 1 and "<td></td>" in page
    key = ws.markdown(answers=True)
    assert key.splitlines()[-1].endswith("| 1 |")


def test_worksheet_refuses_bad_arguments_by_name() -> None:
    with pytest.raises(ValueError, match="worksheet: level must be one of 1, 2, 3, 4"):
        tutor.worksheet(0, 5)
    with pytest.raises(TypeError, match="worksheet: seed must be an int, got bool"):
        tutor.worksheet(True, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="worksheet: student must be a str"):
        tutor.worksheet(0, 1, student=3)  # type: ignore[arg-type]


def test_cli_worksheet_writes_the_sheet_and_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheet"
    assert main(["worksheet", "--seed", "7", "--level", "3", "--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    expected = {"worksheet.md", "worksheet.tex", "worksheet.html", "answer_key.md"}
    expected |= {"answer_key.html", "answer_key.json", "graph.dot", "graph.mmd"}
    if shutil.which("dot"):
        expected.add("graph.svg")
    assert set(written) == expected
    key = json.loads((out / "answer_key.json").read_text(encoding="utf-8"))
    assert key == tutor.worksheet(7, 3).answer_key
    assert "level 3 (seed 7)" in capsys.readouterr().out
    page = (out / "worksheet.html").read_text(encoding="utf-8")
    assert ("<svg" in page) == bool(shutil.which("dot"))


@pytest.mark.slow
def test_cli_worksheet_student_variant_and_bad_level(tmp_path: Path) -> None:
    assert (
        main(
            ["worksheet", "--seed", "7", "--level", "2", "--out", str(tmp_path), "--student", "ada"]
        )
        == 0
    )
    key = json.loads((tmp_path / "answer_key.json").read_text(encoding="utf-8"))
    assert key == tutor.worksheet(7, 2, student="ada").answer_key
    with pytest.raises(SystemExit) as exit_:
        main(["worksheet", "--level", "9"])
    assert exit_.value.code == 2


def test_worksheet_filled_markdown_table_is_read_and_checked() -> None:
    ws = tutor.worksheet(4, 2)
    lines = ws.markdown().splitlines()
    filled = []
    for line in lines:
        cells = line.split("|")
        if len(cells) == 7 and cells[1].strip().isdigit():
            g = ws.answer_key[cells[2].strip()]
            cells[5] = f" {g:.12g} ".replace("-", "−")  # a student may type the minus sign
        filled.append("|".join(cells))
    text = "\n".join(filled)
    assert tutor.read_table(text) == pytest.approx(ws.answer_key, rel=1e-11)
    assert ws.check(text).ok
    assert ws.check(ws.markdown()).diagnosis == "missing-answer"


def test_read_table_names_a_bad_number_and_an_empty_text() -> None:
    with pytest.raises(ValueError, match=r"read_table: row 3: the grad 'abc' is not a number"):
        tutor.read_table(
            "| order | node | made by | value | grad |\n|-|-|-|-|-|\n| 1 | a | given | 2 | abc |"
        )
    with pytest.raises(ValueError, match="read_table: no table rows"):
        tutor.read_table("no table here")


def test_worksheet_without_graphviz_shows_the_mermaid_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinygrad_edu import viz

    def no_dot(*args: object, **kwargs: object) -> Path:
        raise viz.GraphvizNotFound("dot is not installed")

    monkeypatch.setattr(viz, "render", no_dot)
    ws = tutor.worksheet(1, 2)
    names = {p.name for p in ws.save(tmp_path)}
    assert "graph.svg" not in names and {"graph.dot", "graph.mmd"} <= names
    page = (tmp_path / "worksheet.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid">flowchart LR' in page and "<svg" not in page
