"""Attacks a hostile or careless user would try, one group per class, each asserting the safe
behaviour: user text never becomes markup or script, files that are not regular files are
never replaced, sets of files are written whole or not at all, long work is refused up front,
and odd input gets an error naming the function."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tinygrad_edu
from tinygrad_edu import Value
from tinygrad_edu.tape import tape
from tinygrad_edu.textsafe import dot_label, escape_html, json_for_html, md_code, md_text, visible
from tinygrad_edu.viz import draw_dot, render_backward

PACKAGE = Path(tinygrad_edu.__file__).parent
SCRIPT = "<img src=x onerror=\"document.title='pwned'\">"
HOSTILE_LABELS = [
    SCRIPT,
    "</script><script>document.title='pwned'</script>",
    "<!--<script>",
    "a\n```\n<img src=x onerror=alert(1)>",
    "__DATA__",
    "nul\x00byte",
    "lone\ud800surrogate",
    "bidi\u202eevil",
    "line\u2028sep",
    "back\\slash\\",
]


def hostile_graph(label: str) -> Value:
    a, b = Value(1.5, label), Value(-0.4, "b")
    out = a * b + a
    out.label = label
    return out


# --------------------------------------------------------------------- the shared escaping


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_textsafe_outputs_are_inert_and_encodable(label: str) -> None:
    for text in (escape_html(label), md_text(label), dot_label(label)):
        assert "\x00" not in text and "\u202e" not in text
    for text in (escape_html(label), md_text(label), dot_label(label), json_for_html(label)):
        text.encode("utf-8")  # never a lone surrogate
    for text in (escape_html(label), json_for_html(label)):
        assert "<" not in text and ">" not in text
    assert re.search(r"(?<!\\)[<`*_\[]", md_text(label)) is None  # every syntax character escaped
    assert json.loads(json_for_html(label)) == label
    fenced = md_code(label)
    fence = fenced.splitlines()[0]
    assert fenced.splitlines()[-1] == fence
    assert fence not in fenced[len(fence) : -len(fence)]  # nothing inside closes it
    assert "\n" not in md_text(label) and "\n" not in dot_label(label)


def test_visible_shows_hidden_characters_as_escapes() -> None:
    assert visible("a\x00b\u202ec\ud800d\x7f") == "a\\x00b\\u202ec\\ud800d\\x7f"
    assert visible("tab\tand\nnewline δ") == "tab\tand\nnewline δ"


# --------------------------------------------------------------------- class 2: script in pages


def _iframe_literals() -> list[tuple[Path, str]]:
    found = []
    for path in PACKAGE.rglob("*"):
        if path.suffix not in (".py", ".html", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<iframe[^>]*>", text):
            found.append((path, m.group(0)))
        for m in re.finditer(r"createElement\(\s*[\"']iframe", text):
            found.append((path, text[m.start() : m.start() + 400]))
    return found


def test_page_injection_every_iframe_in_the_package_is_sandboxed() -> None:
    iframes = _iframe_literals()
    assert len(iframes) >= 2  # the backward-steps page and the explorer
    for path, tag in iframes:
        assert "sandbox" in tag, f"{path}: iframe without sandbox: {tag}"
        assert "allow-same-origin" not in tag, f"{path}: {tag}"


def test_page_injection_backward_page_in_jupyter_is_a_sandboxed_iframe(tmp_path: Path) -> None:
    page = render_backward(hostile_graph(SCRIPT), tmp_path)
    shown = page._repr_html_()
    tag = re.match(r"<iframe[^>]*>", shown)
    assert tag is not None
    assert 'sandbox="allow-scripts allow-downloads"' in tag.group(0)
    assert "allow-same-origin" not in shown
    assert "<img" not in shown  # the whole page is attribute text


def test_page_injection_backward_page_builds_text_with_text_content() -> None:
    template = (PACKAGE / "viz" / "page.html").read_text(encoding="utf-8")
    assert "innerHTML" not in template and "outerHTML" not in template
    assert "insertAdjacentHTML" not in template and "document.write" not in template


@pytest.mark.slow
def test_page_injection_labels_names_and_answers_stay_text_in_the_browser(
    tmp_path: Path, new_page: Callable[[Path], Any]
) -> None:
    a, w = Value(1.5, SCRIPT), Value(-0.4, "w")
    out = a * w
    out.label = "</script><!--<script>"
    index = render_backward(out, tmp_path, params={"<b onmouseover=x>W1[0, 0]": w})
    page = new_page(index)
    assert page.inner_text("#counter") == "step 0 of 1"  # the page's script ran
    page.check("#mode")
    page.click("#next")
    quiz = page.inner_text("#quiz")
    assert "<b onmouseover=x>W1[0, 0]" in quiz  # shown as the text it is
    assert page.eval_on_selector_all("#quiz img, #quiz b", "els => els.length") == 0
    page.fill("#q0", SCRIPT)
    page.fill("#q1", "<img src=y onerror=\"document.title='pwned2'\">")
    page.click("#check")
    assert SCRIPT in page.inner_text("#quiz")
    assert page.eval_on_selector_all("#quiz img", "els => els.length") == 0
    page.wait_for_timeout(100)
    assert "pwned" not in page.title()


# --------------------------------------------------------------------- class 3: Markdown


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_markdown_tape_display_cannot_be_closed_by_a_label(label: str) -> None:
    shown = tape(hostile_graph(label))._repr_markdown_()
    lines = shown.splitlines()
    fence = lines[0]
    assert set(fence) == {"`"} and lines[-1] == fence
    assert all(not line.startswith(fence) for line in lines[1:-1])
    shown.encode("utf-8")
    # the label never starts a line of its own
    assert all(line.startswith("v") for line in lines[1:-1])


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_markdown_latex_tape_keeps_labels_inside_text(label: str) -> None:
    shown = tape(hostile_graph(label), fmt="latex")._repr_markdown_()
    body = shown[3:-3]
    assert "$$" not in body and "<" not in body and ">" not in body
    assert body.count("\\end{aligned}") == 1 and body.count("\\begin{aligned}") == 1
    assert re.search(r"(?<!\\)\$", body.replace("\\\\", "")) is None  # every $ escaped


def test_markdown_graph_fallback_is_fenced_longer_than_its_text(monkeypatch: Any) -> None:
    from tinygrad_edu.viz import dot as dot_module

    monkeypatch.setattr(dot_module.shutil, "which", lambda name: None)  # no dot: the text shows
    bundle = draw_dot(hostile_graph("````\n<script>x</script>"))._repr_mimebundle_()
    md = bundle["text/markdown"]
    fence = re.search(r"^`{3,}", md, re.M)
    assert fence is not None and len(fence.group(0)) >= 5
    assert md.rstrip().endswith(fence.group(0))


# --------------------------------------------------------------------- class 4: embedded JSON


@pytest.mark.slow
@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_embedded_json_backward_page_escapes_lt_and_keeps_one_data_block(
    label: str, tmp_path: Path
) -> None:
    index = render_backward(hostile_graph(label), tmp_path)
    text = index.read_text(encoding="utf-8")
    start = text.index('<script id="data" type="application/json">')
    end = text.index("</script>", start)
    block = text[start + 42 : end]
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    assert any(
        label in step["caption"] or visible(label) in step["caption"] for step in data["steps"]
    )
    assert text.count("<script") == 2  # the data block and the page's own script
    assert "JSON.parse(document.getElementById" in text  # the script was not substituted into


# --------------------------------------------------------------------- class 10: DOT labels


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_dot_labels_with_nul_surrogates_and_backslashes_make_valid_dot(label: str) -> None:
    from tinygrad_edu.viz.dot import run_dot

    source = draw_dot(hostile_graph(label)).source
    source.encode("utf-8")
    assert "\x00" not in source and "\u202e" not in source
    svg = run_dot(source, "svg", "test").decode("utf-8")
    assert "<svg" in svg


def test_markdown_crosscheck_table_cells_cannot_add_rows_or_markup() -> None:
    from tinygrad_edu.manual.report import md_table

    lines = md_table(["parameter", "engine", "status"], [["a|b\n| x | y |", "1.5e-03", "<b>ok"]])
    assert len(lines) == 3  # head, rule, one row: the line break did not add a row
    row = lines[2]
    assert len(re.findall(r"(?<!\\)\|", row)) == 4  # the cell's bars are escaped
    assert "<b>" not in row and "1.5e-03" in row


# --------------------------------------------------------------------- class 5: never clobber


def _private_char_device(tmp_path: Path, minor: int) -> Path:
    """A character device node of our own (a copy of /dev/full or /dev/null) when we may
    make one; otherwise the system's, which an unprivileged writer could not replace."""
    import os
    import stat

    node = tmp_path / f"chardev{minor}"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except (PermissionError, AttributeError):
        return Path("/dev/full" if minor == 7 else "/dev/null")
    return node


def _kind_of(path: Path) -> str:
    import stat

    mode = path.lstat().st_mode
    return next(
        word
        for test, word in (
            (stat.S_ISLNK, "link"),
            (stat.S_ISCHR, "chr"),
            (stat.S_ISFIFO, "fifo"),
            (stat.S_ISSOCK, "sock"),
            (stat.S_ISDIR, "dir"),
            (stat.S_ISREG, "reg"),
        )
        if test(mode)
    )


def _model() -> Any:
    from tinygrad_edu.nn import MLP

    return MLP(2, [3, 1], seed=0)


def test_never_clobber_a_full_device_reports_failure(tmp_path: Path) -> None:
    from tinygrad_edu.serialize import save

    full = _private_char_device(tmp_path, 7)
    with pytest.raises(OSError, match=rf"save: cannot write {re.escape(str(full))}: No space"):
        save(_model(), full)
    assert _kind_of(full) == "chr"


def test_never_clobber_a_null_device_is_written_through_not_replaced(tmp_path: Path) -> None:
    from tinygrad_edu.fileio import atomic_write_text

    null = _private_char_device(tmp_path, 3)
    link = tmp_path / "link_to_device"
    link.symlink_to(null)
    assert atomic_write_text(link, "discarded", "save") == link
    assert _kind_of(link) == "link" and _kind_of(null) == "chr"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_never_clobber_a_fifo_without_reader_is_refused_at_once(tmp_path: Path) -> None:
    import os

    from tinygrad_edu.serialize import save

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match=r"save: cannot write .*pipe: it is a named pipe \(FIFO\)"):
        save(_model(), fifo)
    assert _kind_of(fifo) == "fifo"


def test_never_clobber_a_fifo_with_a_reader_receives_the_data(tmp_path: Path) -> None:
    import os

    from tinygrad_edu.fileio import atomic_write_text

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        atomic_write_text(fifo, "through the pipe", "write")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert _kind_of(fifo) == "fifo"


def test_never_clobber_a_socket_or_folder_is_refused_naming_it(tmp_path: Path) -> None:
    import socket

    from tinygrad_edu.fileio import atomic_write_text

    sock_path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(OSError, match=r"s\.sock is a socket, not a regular file"):
            atomic_write_text(sock_path, "x", "write")
    assert _kind_of(sock_path) == "sock"
    with pytest.raises(IsADirectoryError, match="is a folder"):
        atomic_write_text(tmp_path, "x", "write")
    with pytest.raises(ValueError, match="write: the path is empty"):
        atomic_write_text("", "x", "write")


def test_never_clobber_text_that_utf8_cannot_encode_is_a_named_error(tmp_path: Path) -> None:
    from tinygrad_edu.fileio import atomic_write_text

    target = tmp_path / "a.md"
    with pytest.raises(
        ValueError, match=r"report: cannot write .*a\.md: .*'\\ud800' at position 1"
    ):
        atomic_write_text(target, "a\ud800", "report")
    assert not target.exists()


# --------------------------------------------------------------------- class 6: sets and paths


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from tinygrad_edu.cli import main

    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        ["graph", "x*x", "--set", "x=1", "--out", ""],
        ["worksheet", "--out", ""],
        ["demo", "--out", "", "--epochs", "1", "--quiet"],
        ["perceptron", "--out", ""],
        ["approx", "--out", "", "--epochs", "0", "--hidden", "2"],
        ["explore", "--out", "", "--epochs", "1"],
        ["explore", "--live", "--out", ""],
        ["crosscheck", "--markdown", ""],
        ["grade", "handed-in", "--spec", "spec.toml", "--out", ""],
        ["export", "--spec", "spec.toml", "--out", ""],
        ["dashboard", "answers.json", "--out", ""],
    ],
    ids=lambda argv: argv[0],
)
def test_partial_sets_an_empty_path_is_refused(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _cli(argv, capsys)
    assert code == 1
    flag = "--markdown" if argv[0] == "crosscheck" else "--out"
    assert f"tinygrad-edu: error: {argv[0]}: {flag} is empty" in err
    assert list(tmp_path.iterdir()) == []  # nothing scattered into the current folder


def test_partial_sets_a_chain_of_missing_folders_is_never_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nonexistent" / "dir" / "g.svg"
    code, _, err = _cli(["graph", "x*x", "--set", "x=1", "--out", str(target)], capsys)
    assert code == 1
    assert f"the folder {tmp_path / 'nonexistent'} does not exist" in err
    assert "mkdir -p" in err
    assert not (tmp_path / "nonexistent").exists()


def test_partial_sets_the_last_named_folder_is_created_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new" / "g.dot"
    code, out, _ = _cli(["graph", "x*x", "--set", "x=1", "--out", str(target)], capsys)
    assert code == 0 and target.is_file()
    assert f"created folder {tmp_path / 'new'}" in out


@pytest.mark.slow
def test_partial_sets_a_worksheet_that_fails_part_way_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    worksheet_module = importlib.import_module("tinygrad_edu.tutor.worksheet")

    real = worksheet_module.atomic_write_text
    written: list[str] = []

    def failing(path: Any, text: str, where: str = "write", **kw: Any) -> Path:
        if Path(path).name == "answer_key.json":
            raise OSError(28, "No space left on device")
        written.append(Path(path).name)
        return real(path, text, where, **kw)

    monkeypatch.setattr(worksheet_module, "atomic_write_text", failing)
    fresh = tmp_path / "sheet"
    code, _, err = _cli(["worksheet", "--seed", "7", "--out", str(fresh)], capsys)
    assert code == 1 and "No space left on device" in err
    assert len(written) >= 2  # part of the set was written before the failure...
    assert list(tmp_path.iterdir()) == []  # ...and none of it, nor a temporary, remains

    old = tmp_path / "old"
    old.mkdir()
    (old / "worksheet.md").write_text("the previous sheet", encoding="utf-8")
    code, _, _ = _cli(["worksheet", "--seed", "7", "--out", str(old)], capsys)
    assert code == 1
    assert [p.name for p in old.iterdir()] == ["worksheet.md"]
    assert (old / "worksheet.md").read_text(encoding="utf-8") == "the previous sheet"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]


def test_partial_sets_a_worksheet_moves_in_whole_beside_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "class"
    out.mkdir()
    (out / "notes.txt").write_text("kept", encoding="utf-8")
    code, stdout, _ = _cli(["worksheet", "--seed", "7", "--out", str(out)], capsys)
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert "answer_key.json" in names and "worksheet.md" in names and "notes.txt" in names
    assert f"wrote {out / 'answer_key.json'}" in stdout  # the final paths, not the temporary
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------- class 10: the edges


def test_edges_non_utf8_argument_names_the_argument(capsys: pytest.CaptureFixture[str]) -> None:
    name = b"g\xff.svg".decode("utf-8", "surrogateescape")  # how Python receives such bytes
    code, _, err = _cli(["graph", "x", "--set", "x=1", "--out", name], capsys)
    assert code == 2
    assert "argument 6 (the value of --out) is not valid UTF-8 text: b'g\\xff.svg'" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------- class 9: bounded work


def test_bounded_work_crosscheck_at_the_cli_maxima_is_refused_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import time

    widest = ",".join(["64"] * 9)  # the command line's own maxima: 8 layers of 64, batch 256
    start = time.perf_counter()
    code, _, err = _cli(["crosscheck", "--layers", widest, "--batch", "256"], capsys)
    assert time.perf_counter() - start < 10.0  # refused before any work (the check takes days)
    assert code == 1
    assert "refusing to start: 33,280 parameters, batch of 256" in err
    assert "days" in err and "past the budget of 60 s" in err
    for way_out in ("--layers or --batch", "--no-numerical", "raise --budget"):
        assert way_out in err


def test_bounded_work_crosscheck_cost_counts_the_passes() -> None:
    from tinygrad_edu.manual.cost import crosscheck_cost
    from tinygrad_edu.nn import MLP

    for sizes, batch in (([2, 4, 4, 1], 4), ([3, 7, 2], 5), ([64] * 9, 256)):
        cost = crosscheck_cost(sizes, batch)
        params = MLP(sizes[0], sizes[1:], seed=0).num_parameters() if len(sizes) < 5 else 33280
        assert cost.parameters == params
        # forward + backward + delta equations, then two forward passes per parameter
        assert cost.operations == params * batch * (3 + 2 * params)
        assert crosscheck_cost(sizes, batch, numerical=False).operations == params * batch * 3


def test_bounded_work_crosscheck_shows_progress_when_long(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    from tinygrad_edu.cli import crosscheck

    monkeypatch.setattr(crosscheck, "PROGRESS_AFTER", 0.0)  # every check counts as long here
    code, out, err = _cli(["crosscheck", "--layers", "2,3,1", "--batch", "2"], capsys)
    assert code == 0
    assert "crosscheck: 13 parameters, batch of 2" in out
    assert "central differences" in err and "13/13" in err


def test_bounded_work_crosscheck_budget_and_no_numerical_are_the_ways_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["crosscheck", "--layers", "2,3,1", "--batch", "2", "--budget", "0.0001"]
    code, _, err = _cli(argv, capsys)
    assert code == 1 and "past the budget of 0.0001 s" in err
    code, out, _ = _cli([*argv[:-2], "--no-numerical"], capsys)
    assert code == 0 and "numerical check off" in out


@pytest.mark.parametrize("kind", ["MLP", "Layer", "Neuron"])
def test_edges_a_micrograd_style_model_loads_back_as_its_own_kind(
    kind: str, tmp_path: Path
) -> None:
    import random

    from tinygrad_edu.compat.micrograd import nn as micrograd_nn
    from tinygrad_edu.serialize import load, save

    random.seed(1337)
    model = {
        "MLP": lambda: micrograd_nn.MLP(2, [3, 1]),
        "Layer": lambda: micrograd_nn.Layer(2, 1),
        "Neuron": lambda: micrograd_nn.Neuron(2, nonlin=False),
    }[kind]()
    path = save(model, tmp_path / "m.json")
    random.seed(7)
    back = load(path)
    drawn = random.random()
    random.seed(7)
    assert drawn == random.random()  # loading draws nothing from the global random
    assert type(back) is type(model)
    assert back.state_dict() == model.state_dict()
    x = [0.5, -1.5]
    out, expected = back(x), model(x)
    assert isinstance(out, Value) and isinstance(expected, Value)  # micrograd's bare Value
    assert out.data == expected.data
    assert repr(back) == repr(model)


def test_edges_a_native_model_still_loads_as_native_and_into_either_kind(tmp_path: Path) -> None:
    from tinygrad_edu.compat.micrograd import nn as micrograd_nn
    from tinygrad_edu.nn import MLP
    from tinygrad_edu.serialize import load, save

    native = MLP(2, [3, 1], activation="relu", output_activation="linear", seed=0)
    path = save(native, tmp_path / "m.json")
    assert type(load(path)) is MLP
    assert "flavour" not in path.read_text(encoding="utf-8")
    target = micrograd_nn.MLP(2, [3, 1])
    assert load(path, target) is target and target.state_dict() == native.state_dict()


def test_edges_fit_with_a_non_callable_schedule_names_fit() -> None:
    from tinygrad_edu.nn import MLP
    from tinygrad_edu.optim import SGD
    from tinygrad_edu.train import fit

    model = MLP(2, [1], seed=0)
    before = model.state_dict()
    with pytest.raises(TypeError, match=r"^fit: lr_schedule must be a function of the epoch"):
        fit(model, [[0.0, 1.0]], [1.0], loss="mse", optimizer=SGD(model.parameters(), 0.1),
            lr_schedule=3, epochs=1, progress=False)  # type: ignore[arg-type]  # fmt: skip
    assert model.state_dict() == before


def test_edges_render_backward_without_a_folder_names_render_backward() -> None:
    y = Value(2.0, "x") * 3.0
    with pytest.raises(TypeError, match=r"^render_backward: folder must be a folder name"):
        render_backward(y, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^render_backward: folder is empty"):
        render_backward(y, "")


def test_edges_expressions_accept_the_numbers_the_library_accepts() -> None:
    from fractions import Fraction

    import numpy as np

    from tinygrad_edu.expr import build

    for value, x in ((np.float32(0.5), 0.5), (np.int64(3), 3.0), (Fraction(1, 4), 0.25)):
        root, leaves = build("x*x + 1", {"x": value})
        root.backward()
        assert root.data == x * x + 1 and leaves["x"].grad == 2 * x
    with pytest.raises(TypeError, match="must be a number or a Value, got bool"):
        build("x", {"x": True})


def test_edges_gradcheck_with_an_unresolving_eps_blames_eps_not_backward() -> None:
    from tinygrad_edu.gradcheck import GradcheckError, gradcheck

    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda v: v * v, [1e6], eps=3e-10)
    message = str(info.value)
    assert "cannot resolve x[0] = 1000000.0" in message
    assert "says nothing about backward()" in message and "1e-6 · max(1, |x|)" in message
    # a genuinely wrong derivative at a resolvable eps still blames backward()
    from tinygrad_edu.engine import Value as V

    def wrong(v: V) -> V:
        out = v * v
        out._local_grads = (v.data, v.data * 0.5)  # ∂/∂ of the second factor halved
        return out

    with pytest.raises(GradcheckError, match="backward\\(\\) disagrees with central differences"):
        gradcheck(wrong, [1.5])


def test_edges_central_differences_divide_by_the_steps_taken() -> None:
    from tinygrad_edu.gradcheck import numerical_grad

    # x² has an exact central difference 2x when the quotient uses the steps actually taken
    assert numerical_grad(lambda v: v * v, [3.0]) == [6.0]
    assert numerical_grad(lambda v: v * v, [1e6], eps=3e-10)[0] == pytest.approx(2e6, rel=0.05)


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_page_injection_backward_page_works_inside_its_sandboxed_iframe(
    size: tuple[int, int], tmp_path: Path, browser: Any
) -> None:
    a, w = Value(1.5, SCRIPT), Value(-0.4, "w")
    out = a * w
    page_path = render_backward(out, tmp_path / "frames")
    host = tmp_path / "notebook.html"
    host.write_text(f"<!doctype html><body>{page_path._repr_html_()}</body>", encoding="utf-8")
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(host.resolve().as_uri())
        frame = page.frame_locator("iframe")
        assert frame.locator("#counter").inner_text() == "step 0 of 1"
        frame.locator("#mode").check()
        frame.locator("#next").click()
        frame.locator("#q0").fill(SCRIPT)
        frame.locator("#check").click()
        assert SCRIPT in frame.locator("#quiz").inner_text()
        assert frame.locator("#quiz img").count() == 0
        # the sandbox gives the page an opaque origin: it cannot reach the host document
        child = page.frames[1]
        assert child.evaluate("() => window.origin") == "null"
        assert (
            child.evaluate("() => { try { return !!parent.document; } catch { return false } }")
            is False
        )
        assert "pwned" not in child.evaluate("() => document.title") + page.title()
        page.screenshot(path=str(tmp_path / f"iframe_{size[0]}.png"))
    finally:
        page.close()
    assert errors == []


def test_partial_sets_a_killed_writers_temporary_set_is_removed_by_the_next(
    tmp_path: Path,
) -> None:
    from tinygrad_edu.fileio import atomic_write_text, file_set

    dead = tmp_path / ".sheet.999999999.0123abcd.set"  # no process has this id
    dead.mkdir()
    (dead / "worksheet.md").write_text("half", encoding="utf-8")
    with file_set(tmp_path / "sheet", "worksheet") as stage:
        atomic_write_text(stage / "worksheet.md", "whole", "worksheet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet"]
    assert (tmp_path / "sheet" / "worksheet.md").read_text(encoding="utf-8") == "whole"


def test_never_clobber_crosscheck_markdown_into_a_device_writes_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    null = _private_char_device(tmp_path, 3)
    code, out, _ = _cli(["crosscheck", "--markdown", str(null)], capsys)
    assert code == 0 and f"Markdown report: {null}" in out
    assert _kind_of(null) == "chr"


def test_never_clobber_a_drawing_into_a_device_keeps_its_name(tmp_path: Path) -> None:
    from tinygrad_edu.viz import render

    full = _private_char_device(tmp_path, 7)
    with pytest.raises(OSError, match=rf"cannot write {re.escape(str(full))}: No space"):
        render(hostile_graph("x"), full)  # written through as named: no "full.svg" beside it
    assert not full.with_suffix(".svg").exists() and _kind_of(full) == "chr"


def test_page_injection_a_tampered_page_reads_no_file_but_its_frames(tmp_path: Path) -> None:
    page = render_backward(hostile_graph("a"), tmp_path / "frames")
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg>private</svg>", encoding="utf-8")
    text = page.read_text(encoding="utf-8").replace('"frame_000.svg"', '"../secret.svg"', 1)
    page.write_text(text, encoding="utf-8")
    shown = page._repr_html_()
    assert shown.startswith("<p>") and "is not a frame" in shown
    assert "private" not in shown and "PHN2Zz5wcml2YXRl" not in shown  # nor its base64


@pytest.mark.slow
@pytest.mark.parametrize("title", ["cost $\\badcommand$ in $", "$$", "lone\ud800", "nul\x00"])
def test_edges_plot_titles_are_drawn_as_text(title: str, tmp_path: Path) -> None:
    from tinygrad_edu.plots import plot_loss_curve, save

    figure = plot_loss_curve([1.0, 0.5], title=title, ylabel=title)
    path = save(figure, tmp_path / "loss.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert figure.axes[0].get_title() == visible(title).replace("$", "\\$")


def test_partial_sets_render_backward_writes_its_frames_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from tinygrad_edu.viz import frames

    real = frames.dot_to
    calls: list[str] = []

    def failing(source: str, fmt: str, out: Path, where: str, timeout: float) -> None:
        calls.append(out.name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(source, fmt, out, where, timeout)

    monkeypatch.setattr(frames, "dot_to", failing)
    with pytest.raises(OSError, match="No space"):
        render_backward(hostile_graph("a"), tmp_path / "steps")
    assert calls == ["frame_000.svg", "frame_001.svg", "frame_002.svg"]
    assert list(tmp_path.iterdir()) == []  # no half set, no temporary folder


def test_partial_sets_render_backward_without_dot_names_the_final_folder(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from tinygrad_edu.viz import GraphvizNotFound

    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(GraphvizNotFound) as info:
        render_backward(hostile_graph("a"), tmp_path / "steps")
    assert str((tmp_path / "steps" / "frame_000.dot").resolve()) in str(info.value)
    assert info.value.dot_path == tmp_path / "steps" / "frame_000.dot"
    names = sorted(p.name for p in (tmp_path / "steps").iterdir())
    assert names == ["frame_000.dot", "frame_001.dot", "frame_002.dot", "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["steps"]


def test_never_clobber_load_refuses_devices_and_fifos_without_reading(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    probe = (
        "import sys\n"
        "from tinygrad_edu.serialize import load\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        load(path)\n"
        "    except ValueError as err:\n"
        "        print(err)\n"
    )
    # in a child with a time limit: reading /dev/zero never ends, opening a FIFO waits
    done = subprocess.run(
        [sys.executable, "-c", probe, "/dev/zero", str(fifo)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "load: /dev/zero: not a regular file; a model file is a regular file " + (
        "written by save()"
    )
    assert lines[1].startswith(f"load: {fifo}: not a regular file")
