"""The grading room: hand-outs from a roster, escaping, hand work to the digits written, and
grading a folder of filled sheets into a gradebook with partial credit by diagnosis."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu.cli import main
from tinygrad_edu.grading import Student, hand_out, load_spec, parse_roster, parse_spec
from tinygrad_edu.grading.collect import read_sheet
from tinygrad_edu.grading.grade import grade_folder, gradebook_csv, write_gradebook
from tinygrad_edu.grading.key import key_rows
from tinygrad_edu.textsafe import csv_cell, escape_html, latex_text, md_text, md_unescape
from tinygrad_edu.tutor import worksheet

NASTY = ["Ada <b>Lovelace</b>", r"Robert'); \end{document} $x$ & 50% #1 ~_^{}", "=HYPERLINK(1)"]


def _roster_csv(n: int = 30) -> str:
    names = NASTY + [f"Student {k}" for k in range(len(NASTY), n)]
    rows = ["id,name"] + [
        f'"s{k:02d}","{name.replace(chr(34), chr(34) * 2)}"' for k, name in enumerate(names)
    ]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def handed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A level-3 hand-out for 30 students, made by the command line in one call."""
    root = tmp_path_factory.mktemp("class")
    (root / "class.csv").write_text(_roster_csv(), encoding="utf-8")
    code = main(
        [
            "worksheet",
            "--roster",
            str(root / "class.csv"),
            "--level",
            "3",
            "--seed",
            "11",
            "--out",
            str(root / "out"),
        ]
    )
    assert code == 0
    return root / "out"


# ------------------------------------------------------------------ escaping


@given(st.text(max_size=40))
def test_latex_text_leaves_no_special_character_unescaped(text: str) -> None:
    out = latex_text(text)
    stripped = re.sub(r"\\(textbackslash|textasciicircum|textasciitilde)\{\}|\\[{}$&#_%]", "", out)
    assert not set(stripped) & set("\\{}$&#^_%~")


@given(st.text(max_size=40))
def test_csv_cell_never_starts_a_formula(text: str) -> None:
    assert csv_cell(text)[:1] not in ("=", "+", "-", "@")


@given(st.text(max_size=40))
def test_html_and_markdown_text_carry_no_markup(text: str) -> None:
    assert not set(escape_html(text)) & set("<>\"'")
    md = md_text(text)
    assert re.search(r"(?<!\\)[*`\[\]<>|]", md) is None
    # "_" can open emphasis only beside a non-word character: there it is escaped
    assert re.search(r"(?<!\\)(?:(?<![^\W_])_|_(?![^\W_]))", md) is None


def test_roster_errors_name_the_line_and_the_problem() -> None:
    with pytest.raises(ValueError, match="no id column"):
        parse_roster("name\nAda\n")
    with pytest.raises(ValueError, match=r"line 3: .*same file name"):
        parse_roster("id\na b\na_b\n")
    with pytest.raises(ValueError, match="line 2: the student id is empty"):
        parse_roster("id,name\n,Ada\n")


# ------------------------------------------------------------------ hand-out


def test_hand_out_writes_one_sheet_per_student_and_keys_apart(handed_out: Path) -> None:
    sheets, keys = handed_out / "sheets", handed_out / "keys"
    assert sorted(p.name for p in sheets.glob("*.html")) == [f"s{k:02d}.html" for k in range(30)]
    assert len(list(sheets.glob("*.tex"))) == len(list(sheets.glob("*.md"))) == 30
    assert len(list(keys.glob("s*.json"))) == 30
    assert not any("key" in p.name for p in sheets.iterdir())
    assert not list(handed_out.glob(".handout-*"))  # the temporary folder is gone
    # the sheet's table is blank; the key holds the tutor's own numbers for that student
    table = read_sheet(sheets / "s05.md")
    assert table.student == "s05" and set(table.answers.values()) == {None}
    page = read_sheet(sheets / "s05.html")  # the printed page reads back too (both halves)
    assert page.student == "s05" and page.answers == table.answers
    key = json.loads((keys / "s05.json").read_text(encoding="utf-8"))
    assert key["answers"] == worksheet(11, 3, student="s05").answer_key


def test_variants_are_stable_per_student_and_differ_between_students(handed_out: Path) -> None:
    keys = handed_out / "keys"
    a = json.loads((keys / "s03.json").read_text(encoding="utf-8"))["answers"]
    b = json.loads((keys / "s04.json").read_text(encoding="utf-8"))["answers"]
    assert a != b
    assert a == worksheet(11, 3, student="s03").answer_key  # the same again from the id


def test_names_are_escaped_in_every_format(handed_out: Path) -> None:
    sheets = handed_out / "sheets"
    page = (sheets / "s00.html").read_text(encoding="utf-8")
    assert "<b>Lovelace" not in page and "&lt;b&gt;Lovelace&lt;/b&gt;" in page
    tex = (sheets / "s01.tex").read_text(encoding="utf-8")
    assert r"\end{document} $x$" not in tex
    assert r"\textbackslash{}end\{document\} \$x\$ \& 50\% \#1 \textasciitilde{}\_" in tex
    md = (sheets / "s00.md").read_text(encoding="utf-8")
    assert r"Name: Ada \<b\>Lovelace\<\/b\>" in md.replace("</", r"\</") or r"\<b\>" in md


def test_latex_sheet_is_a_complete_document(handed_out: Path) -> None:
    tex = (handed_out / "sheets" / "s07.tex").read_text(encoding="utf-8")
    assert tex.startswith(r"\documentclass[a4paper")
    assert tex.count(r"\begin{document}") == tex.count(r"\end{document}") == 1
    assert tex.rstrip().endswith(r"\end{document}")
    body = re.sub(r"\\[{}]", "", tex)  # escaped braces are text
    depth = 0
    for ch in body:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    assert tex.count(r"\begin{tabular}") == tex.count(r"\end{tabular}") == 1  # 14 rows: one
    graph = re.search(r"\\includegraphics\[[^]]*\]\{([^}]*)\}", tex)
    assert graph is not None and (handed_out / "sheets" / graph.group(1)).is_file()


@pytest.mark.slow
def test_latex_sheets_compile_to_one_page_where_pdflatex_is_installed(
    handed_out: Path, tmp_path: Path
) -> None:
    """Structure is checked everywhere (above); here pdflatex itself, when on PATH
    (Debian: apt-get install texlive-latex-base), compiles the nastiest name's sheet."""
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("pdflatex is missing (CI=true: make latex installs texlive-latex-base)")
        tex = (handed_out / "sheets" / "s01.tex").read_text(encoding="utf-8")
        assert r"\usepackage{graphicx}" in tex  # only packages of texlive-latex-base
        return
    work = tmp_path / "tex"
    shutil.copytree(handed_out / "sheets", work)
    for stem in ("s01", "s00"):
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{stem}.tex"],
            cwd=work, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-1500:]
        assert f"Output written on {stem}.pdf (1 page" in done.stdout
        assert "Overfull \\hbox" not in done.stdout


def test_key_gives_the_chain_rule_line_behind_every_number() -> None:
    ws = worksheet(5, 2, student="ada")
    rows = key_rows(ws)
    assert [r.node for r in rows] == [n.label for n in ws.nodes]
    for r in rows[:-1]:  # every line's products add up to the number it stands behind
        numbers = r.chain.split(" = ")[-2]
        total = sum(
            float(a.strip("()")) * float(b.strip("()"))
            for a, b in (term.split(" · ") for term in numbers.split(" + "))
        )
        assert total == pytest.approx(r.grad, rel=1e-5, abs=1e-6)
    # a used twice (d = a ∘ b, L = e·a): two terms, as the lesson's credit assignment says
    assert rows[0].chain.count("·") == 4


def test_hand_out_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tinygrad_edu.grading.handout as handout

    students = [Student(f"s{k}", f"S {k}") for k in range(6)]
    real = handout.key_json
    calls = {"n": 0}

    def failing(ws: object, student: Student) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return real(ws, student)  # type: ignore[arg-type]

    monkeypatch.setattr(handout, "key_json", failing)
    with pytest.raises(OSError, match="disk full"):
        hand_out(students, 1, tmp_path)
    assert list(tmp_path.iterdir()) == []  # no sheets, no keys, no temporary folder
    monkeypatch.setattr(handout, "key_json", real)
    hand_out(students, 1, tmp_path)
    with pytest.raises(FileExistsError, match="already exists"):
        hand_out(students, 1, tmp_path)  # never overwrites a hand-out


# ------------------------------------------------------------------ hand work


def test_a_rounded_mistake_is_still_diagnosed_by_the_tutor() -> None:
    ws = worksheet(11, 3, student="s05")
    texts = {n.label: f"{g:#.4g}" for n, g in zip(ws.nodes, ws.answer_key.values())}
    assert ws.check(texts).ok
    w = next(n.label for n in ws.nodes if n.label.startswith("W"))  # a weight, e.g. W1[0, 0]
    texts[w] = f"{-ws.answer_key[w]:#.4g}"  # the sign of one weight's gradient, rounded
    report = ws.check(texts)
    assert not report.ok and report.diagnosis == "sign"
    assert report.first_wrong is not None and report.first_wrong.where == f"node {w}"


# ------------------------------------------------------------------ grading


def _fill(ws_key: dict[str, float], mistake: str | None, ws: object) -> dict[str, str | None]:
    """A student's filled table: four significant digits, with one seeded mistake."""
    out: dict[str, str | None] = {k: f"{v:#.4g}" for k, v in ws_key.items()}
    # a weight whose input differs from it (x[1] = 1.4, W1[0, 1] = 0.5: reversed operands show)
    w, b = "W1[0, 1]", "b1[0]"
    if mistake == "sign":
        out[w] = f"{-ws_key[w]:#.4g}"
    elif mistake == "reversed-operands":
        nodes = {n.label: n for n in ws.nodes}  # type: ignore[attr-defined]
        user = next(n for n in ws.nodes if nodes[w] in n.parents)  # type: ignore[attr-defined]
        out[w] = f"{nodes[w].data * ws_key[user.label]:#.4g}"
    elif mistake == "unseeded-root":
        out["L"] = "0"
    elif mistake == "blank":
        out[b] = None
    return out


def _write(folder: Path, sid: str, answers: dict[str, str | None], fmt: str) -> None:
    if fmt == "json":
        data = {"student": sid, "answers": answers}
        (folder / f"{sid}.json").write_text(json.dumps(data), encoding="utf-8")
    elif fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([("node", "grad"), *answers.items()])
        (folder / f"{sid}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    else:
        ws = worksheet(11, 3, student=sid)
        lines = ws.markdown().splitlines()
        for k, n in enumerate(ws.nodes):
            cells = lines[k + 4].split("|")
            cells[5] = f" {answers.get(n.label) or ''} "
            lines[k + 4] = "|".join(cells)
        text = "\n".join(lines)
        if fmt == "html":
            rows = "".join(
                "<tr>" + "".join(f"<td>{md_unescape(c.strip())}</td>" for c in cells) + "</tr>"
                for cells in (ln.strip("|").split("|") for ln in lines[4:])
            )
            text = (
                f'<html><head><meta name="tinygrad-edu-student" content="{sid}"></head>'
                f"<body><table>{rows}</table></body></html>"
            )
            (folder / f"{sid}.html").write_text(text, encoding="utf-8")
        else:
            (folder / f"{sid}.md").write_text(f"Student id: {sid}\n\n{text}\n", encoding="utf-8")


MISTAKES = [None, "sign", "reversed-operands", "unseeded-root", "blank"]
EXPECTED = {
    None: (10, ""),
    "sign": (6, "sign"),
    "reversed-operands": (5, "reversed-operands"),
    "unseeded-root": (0, "unseeded-root"),
    "blank": (0, "missing-answer"),
}


def test_a_class_of_filled_sheets_is_graded_with_partial_credit(
    handed_out: Path, tmp_path: Path
) -> None:
    spec = load_spec(handed_out / "keys" / "assignment.toml")
    assert (spec.seed, spec.level, spec.total) == (11, 3, 10.0)
    folder = tmp_path / "handed-in"
    folder.mkdir()
    want = {}
    for k in range(30):
        sid = f"s{k:02d}"
        ws = worksheet(11, 3, student=sid)
        mistake = MISTAKES[k % len(MISTAKES)]
        _write(folder, sid, _fill(ws.answer_key, mistake, ws), ["md", "html", "csv", "json"][k % 4])
        want[sid] = EXPECTED[mistake]
    roster = parse_roster(_roster_csv())
    book = grade_folder(folder, spec, roster=roster)
    paths = write_gradebook(book, tmp_path / "grades")
    rows = list(csv.DictReader(io.StringIO(paths[0].read_text(encoding="utf-8"))))
    got = {r["student"]: (float(r["score"]), r["diagnosis_codes"]) for r in rows}
    assert got == want
    assert rows[2]["name"] == "'=HYPERLINK(1)"  # a formula in a name stays text
    assert rows[1]["first_mistake"].startswith("table: node W1[0, 1]: expected")
    feedback = (tmp_path / "grades" / "feedback" / "s01.md").read_text(encoding="utf-8")
    assert "6 / 10 points" in feedback and "sign" in feedback and "W1\\[0, 1\\]" in feedback


@pytest.mark.slow
def test_grading_runs_the_learners_notebook_in_a_child_process(tmp_path: Path) -> None:
    nb = json.loads(Path("notebooks/exercises/01_tanh_rule.ipynb").read_text(encoding="utf-8"))
    cells = nb["cells"]
    answer = next(c for c in cells if "answer" in c.get("metadata", {}).get("tags", []))
    spec = parse_spec(
        {
            "check": [
                {
                    "kind": "rule",
                    "name": "tanh rule",
                    "op": "tanh",
                    "function": "my_tanh_rule",
                    "notebook": "01_tanh_rule.ipynb",
                    "points": 2,
                    "credit": {"input-instead-of-output": 0.5},
                }
            ]
        }
    )
    cases = [
        ("right", "1 - out**2"),
        ("wrong", "1 - x**2"),
        ("broken", ""),
        ("hangs", ""),
        ("exits", ""),
        ("hogs", ""),
    ]
    for sid, body in cases:
        answer["source"] = f"def my_tanh_rule(x, out):\n    return ({body},)\n"
        if sid == "broken":
            answer["source"] = "raise RuntimeError('unfinished')"
        if sid == "hangs":
            answer["source"] = "while True:\n    pass"
        if sid == "exits":
            answer["source"] = "import os\nos._exit(3)"
        if sid == "hogs":  # more memory than a notebook may take
            answer["source"] = "x = bytearray(3 * 1024**3)"
        (tmp_path / sid).mkdir()
        (tmp_path / sid / "01_tanh_rule.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    book = grade_folder(tmp_path, spec, timeout=3.0)
    scores = {g.student.id: (g.score, g.codes) for g in book.grades}
    assert scores == {
        "right": (2.0, []),
        "wrong": (1.0, ["input-instead-of-output"]),
        "broken": (0.0, []),
        "hangs": (0.0, []),
        "exits": (0.0, []),
        "hogs": (0.0, []),
    }
    text = gradebook_csv(book)
    from tinygrad_edu.grading.sandbox import _spawned  # the way without fork (Windows, macOS)

    spawned = _spawned(tmp_path / "wrong" / "01_tanh_rule.ipynb", book.spec.checks[0].__dict__, 60)
    assert (spawned.ok, spawned.diagnosis) == (False, "input-instead-of-output")
    assert "broken,0,2,tanh rule: running your notebook raised RuntimeError: unfinished" in text
    assert "hangs,0,2,tanh rule: your notebook did not finish within 3 s" in text
    assert "exits,0,2,tanh rule: your notebook stopped the grader's process" in text
    assert "hogs,0,2,tanh rule: running your notebook raised MemoryError" in text


def test_spec_errors_name_the_check_and_the_key() -> None:
    with pytest.raises(ValueError, match="check 1: credit for 'typo'"):
        parse_spec({"check": [{"kind": "worksheet", "credit": {"typo": 0.5}}]})
    with pytest.raises(ValueError, match="check 1: a rule check needs op"):
        parse_spec({"check": [{"kind": "rule", "function": "f"}]})
    with pytest.raises(ValueError, match="no \\[\\[check\\]\\]"):
        parse_spec({"level": 2})


def test_grade_command_prints_a_summary(
    handed_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    only_markdown = shutil.ignore_patterns("*.html", "*.tex", "*.pdf")
    shutil.copytree(handed_out / "sheets", folder, ignore=only_markdown)
    code = main(
        [
            "grade",
            str(folder),
            "--spec",
            str(handed_out / "keys" / "assignment.toml"),
            "--out",
            str(tmp_path / "g"),
        ]
    )
    assert code == 0
    assert "30 students graded" in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "g" / "gradebook.csv").read_text())))
    assert {r["diagnosis_codes"] for r in rows} == {"missing-answer"}  # blank sheets
