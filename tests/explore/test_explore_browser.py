"""The explorer in a real browser (Playwright + the system Chromium, see tests/browser.py), at a
laptop's 1280×720 and a phone's 390×844: no sideways scrolling, the drill-down in view at any
epoch, rows picked on the plot, play, every layer's update stepped, nothing shown before it is
revealed, predict mode by keyboard alone, axe-core clean, and the numbers in the accessibility
tree. One recorded page serves the whole module."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.explore import Explorer, Run, page_data, record_run, xor_run

pytestmark = pytest.mark.slow

SIZES = {"laptop": (1280, 720), "phone": (390, 844)}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def run() -> Run:
    return xor_run(epochs=41, every=20)


@pytest.fixture(scope="module")
def page_file(run: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Explorer(run).save(tmp_path_factory.mktemp("explorer") / "explorer.html")


@pytest.fixture
def opened(browser: Any, page_file: Path) -> Iterator[Any]:
    """``opened(size)`` opens the page at a named size; the test fails on any JS error."""
    pages: list[tuple[Any, list[str]]] = []

    def open_at(size: str) -> Any:
        w, h = SIZES[size]
        page = browser.new_page(viewport={"width": w, "height": h}, accept_downloads=True)
        page.set_default_timeout(5000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(page_file.resolve().as_uri())
        pages.append((page, errors))
        return page

    yield open_at
    problems = [e for _, errs in pages for e in errs]
    for page, _ in pages:
        page.close()
    assert not problems, f"JavaScript errors on the page: {problems}"


def fmt(x: float) -> str:
    """The page's display of a number: 4 significant digits (as explorer.js's fmt)."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        text = f"{float(f'{x:.4g}'):.10g}"
        return text
    mant, exp = f"{x:.3e}".split("e")
    return f"{mant}e{int(exp):+d}"  # JS keeps the trailing zeros: 1.000e-4


ROW = 3  # the page starts on x = (1, 1): the first XOR row whose every ∂L/∂W is non-zero


def fits_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] < height - 40


def step_to(page: Any, label_part: str, limit: int = 60) -> None:
    for _ in range(limit):
        if label_part in (page.locator("#tx-step-label").text_content() or ""):
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError(f"never reached {label_part!r}")


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
def test_explorer_fits_the_width_with_the_drill_down_open(opened: Any, size: str) -> None:
    page = opened(size)
    assert page.locator("#tx-example").input_value() == str(ROW)
    assert fits_sideways(page)
    step_to(page, "update layer 1")
    page.locator('[data-neuron="1:2"] circle').click()
    assert fits_sideways(page)
    # the step buttons stay reachable (the bar sticks to the top) with the drill-down in view
    assert in_view(page, "#tx-step-next") and in_view(page, "#tx-drill")


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
def test_explorer_drill_down_is_in_view_at_the_first_and_last_epoch(
    opened: Any, size: str, run: Run
) -> None:
    page = opened(size)
    step_to(page, "③ delta a2[2]")
    page.locator('[data-neuron="1:1"] circle').click()
    assert in_view(page, "#tx-drill")
    title = page.locator("#tx-drill-title").text_content()
    assert (
        title
        == f"Scalar graph of neuron a2[1] (layer 2, neuron 1, sigmoid) at epoch 1, row {ROW + 1}"
    )
    page.keyboard.press(".")
    rec = run.frames[0].examples[ROW]
    assert f"= {fmt(rec.delta[1][1])}" in page.locator("#tx-drill-caption").text_content()
    page.evaluate(
        "(() => { const s = document.getElementById('tx-epoch'); s.value = s.max;"
        " s.dispatchEvent(new Event('input')); })()"
    )
    last = run.frames[-1]
    assert (
        f"at epoch {last.epoch + 1}, row {ROW + 1}"
        in page.locator("#tx-drill-title").text_content()
    )
    page.locator('[data-neuron="2:0"] circle').click()
    assert in_view(page, "#tx-drill")
    assert page.locator("#tx-drill-title").text_content().startswith("Scalar graph of neuron ŷ")
    page.keyboard.press(".")
    assert (
        f"= {fmt(last.examples[ROW].delta[2][0])}"
        in page.locator("#tx-drill-caption").text_content()
    )


def test_explorer_a_clicked_point_becomes_the_example(opened: Any, run: Run) -> None:
    page = opened("laptop")
    canvas = page.locator("#tx-surface")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    ax = run.axes
    u = (0.0 - ax[0][0]) / (ax[0][-1] - ax[0][0])
    v = (1.0 - ax[1][0]) / (ax[1][-1] - ax[1][0])
    canvas.click(position={"x": u * box["width"], "y": (1 - v) * box["height"]})
    assert page.locator("#tx-example").input_value() == "1"  # the row x = (0, 1)
    assert "row 2" in page.locator("#tx-formula-title").text_content()


def test_explorer_play_advances_the_epoch(opened: Any) -> None:
    page = opened("laptop")
    page.select_option("#tx-speed", "50")
    page.click("#tx-play")
    page.wait_for_function("document.getElementById('tx-epoch').value === '2'", timeout=5000)
    # it stops at the last epoch
    page.wait_for_function("document.getElementById('tx-play').textContent === 'play'")
    assert page.locator("#tx-epoch-label").text_content().startswith("epoch 41 of 41")


@pytest.mark.slow
def test_explorer_steps_the_update_of_every_layer(opened: Any, run: Run) -> None:
    page = opened("laptop")
    seen = []
    for _ in range(40):
        page.keyboard.press("ArrowRight")
        seen.append(page.locator("#tx-step-label").text_content())
    for layer in (3, 2, 1):
        assert any(f"mean layer {layer}" in s for s in seen)
        assert any(f"update layer {layer}" in s for s in seen)
    f = run.frames[0]
    cells = page.locator("#tx-weights tr").nth(1).locator("td").all_text_contents()
    assert cells == [fmt(f.W_before[0][0][0]), fmt(f.grad_W[0][0][0]), fmt(f.W_after[0][0][0])]
    text = page.locator("#tx-formula").text_content()
    shares = [r.delta[0][0] * run.X[k][0] for k, r in enumerate(f.examples)]
    assert all(f"({fmt(s)})" in text for s in shares)  # each row's share, then the mean
    assert f"/ 4 = {fmt(f.grad_W[0][0][0])}" in text


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["off", "value"])
def test_explorer_shows_no_gradient_before_it_is_revealed(opened: Any, run: Run, mode: str) -> None:
    page = opened("laptop")
    page.select_option("#tx-predict", mode)
    f, rec = run.frames[0], run.frames[0].examples[ROW]
    secret = [fmt(d) for row in rec.delta for d in row] + [fmt(rec.seed)]
    secret += [fmt(g) for layer in f.grad_W for n in layer for g in n if g != 0]
    secret += [fmt(w) for layer in f.W_after for n in layer for w in n]

    def visible() -> str:
        shown = [page.locator(s).inner_text() for s in ("#tx-formula", "#tx-weights", "#tx-drill")]
        shown.append(page.locator("#tx-network").text_content() or "")
        shown.append(page.locator("#tx-network-text").text_content() or "")
        return "\n".join(shown)

    page.locator('[data-neuron="0:0"] circle').click()
    text = visible()
    leaked = [s for s in secret if s in text and len(s) > 3]
    assert leaked == []
    step_to(page, "① forward") if mode == "off" else page.keyboard.press("ArrowRight")
    if mode == "value":
        assert page.locator("#tx-question").is_visible()
        assert fmt(rec.a[0][0]) not in visible()  # asked, so not shown yet


@pytest.mark.slow
def test_explorer_predict_mode_by_keyboard_alone(opened: Any, run: Run) -> None:
    page = opened("phone")
    rec = run.frames[0].examples[ROW]
    page.focus("#tx-predict")
    page.keyboard.press("ArrowDown")  # "ask for the value"
    assert page.locator("#tx-predict").input_value() == "value"
    page.keyboard.press("Tab")
    page.keyboard.type("ada 7")
    page.keyboard.press("Tab")  # to the download button: arrows there are the page's
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tx-answer"
    assert page.locator("#tx-question-text").text_content() == "Value of a1[0] = σ(z1[0])?"
    assert in_view(page, "#tx-question")
    page.keyboard.type(fmt(rec.a[0][0]).replace(".", ","))  # a decimal comma
    page.keyboard.press("Enter")
    assert page.locator("#tx-verdict").text_content().startswith("Right")
    for _ in range(9):  # the other forward values and the loss, revealed without answering
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    assert page.locator("#tx-question-text").text_content() == "Value of δ3[0] = ∂L/∂z3[0]?"
    wrong = rec.delta[2][0] * rec.slope[2][0]  # σ′ applied on top of a − y
    page.keyboard.type(f"{wrong:.6f}")
    page.keyboard.press("Enter")
    assert "wrong-output-delta" in page.locator("#tx-verdict").text_content()
    page.focus("#tx-predict")
    page.keyboard.press("ArrowDown")  # sign mode replaces the open question
    assert page.locator("#tx-question-text").text_content().startswith("Sign of δ3[0]")
    page.keyboard.type("-" if rec.delta[2][0] > 0 else "+")
    page.keyboard.press("Enter")
    assert "sign" in page.locator("#tx-verdict").text_content()
    page.keyboard.type("+" if rec.delta[2][0] > 0 else "-")
    page.keyboard.press("Enter")
    page.focus("#tx-download")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "explorer-answers-ada_7.json"
    doc = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    from tinygrad_edu.explore import answers

    answers.read(json.dumps(doc))
    assert doc["learner"] == "ada 7" and doc["run"]["seed"] == 0
    first = doc["answers"][0]
    assert (first["epoch"], first["row"], first["phase"], first["layer"]) == (1, ROW + 1, 1, 1)
    assert first["quantity"] == "a1[0]" and first["right"] is True and first["first_try"] is True
    value_try = next(a for a in doc["answers"] if a["quantity"] == "δ3[0]" and a["mode"] == "value")
    assert value_try["right"] is False and value_try["diagnosis"] == "wrong-output-delta"
    assert math.isclose(value_try["expected"], rec.delta[2][0], rel_tol=1e-6)
    signs = [a for a in doc["answers"] if a["mode"] == "sign"]
    assert [(a["first_try"], a["right"], a["diagnosis"]) for a in signs] == [
        (True, False, "sign"),
        (False, True, None),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
def test_explorer_axe_core_finds_no_violations(opened: Any, size: str) -> None:
    if not AXE.is_file():
        import browser

        browser._unavailable("axe-core is not installed: run make js (npm ci, pinned versions)")
    page = opened(size)
    step_to(page, "③ delta a2[0]")
    page.locator('[data-neuron="0:1"] circle').click()
    page.select_option("#tx-predict", "value")
    page.keyboard.press("ArrowRight")  # a question open too
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => [v.id, v.nodes.length]))"
    )
    assert result == []


@pytest.mark.slow
def test_explorer_accessibility_tree_holds_each_neurons_numbers(opened: Any, run: Run) -> None:
    page = opened("laptop")
    step_to(page, "③ delta a1[3]")  # every forward value and every δ revealed
    tree = (
        page.locator("#tx-network").aria_snapshot()
        + page.locator("#tx-network-text").aria_snapshot()
    )
    rec, f = run.frames[0].examples[ROW], run.frames[0]
    for layer, width in enumerate([4, 4, 1]):
        for j in range(width):
            name = "ŷ" if layer == 2 else f"a{layer + 1}[{j}]"
            z, a, d = (fmt(v[layer][j]) for v in (rec.z, rec.a, rec.delta))
            assert (
                f"neuron {name}, layer {layer + 1} of 3, sigmoid, z = {z}, a = {a}, δ = {d}" in tree
            )
    assert f"W1[2, 1] = {fmt(f.W_before[0][2][1])}, ∂L/∂W not revealed yet" in tree


def test_explorer_mounts_again_with_new_data(opened: Any, run: Run) -> None:
    page = opened("laptop")
    other = page_data(xor_run(epochs=3, every=1, seed=1))
    other["meta"]["title"] = "second <run>"
    page.evaluate(
        "d => { const r = document.getElementById('explorer-root');"
        " window.TinygradExplorer.mount(r, d); window.TinygradExplorer.mount(r, d); }",
        other,
    )
    assert page.locator("#tx-meta").text_content().startswith("second <run> · seed 1")
    assert page.locator("#tx-epoch-label").text_content().startswith("epoch 1 of 3")
    page.keyboard.press("ArrowRight")  # one listener left: one step
    assert page.locator("#tx-step-label").text_content().startswith("step 1 /")
    assert page.locator(".tx").count() == 1


OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('#tx-network text')]
    .map((t) => [t.textContent, t.getBoundingClientRect()])
    .filter(([, b]) => b.width > 0);
  const hit = [];
  for (let i = 0; i < boxes.length; i++)
    for (let k = i + 1; k < boxes.length; k++) {
      const [ta, a] = boxes[i], [tb, b] = boxes[k];
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 &&
          b.top < a.bottom - 0.5) hit.push([ta, tb]);
    }
  return hit;
}"""


@pytest.fixture(scope="module")
def wide_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tinygrad_edu import data
    from tinygrad_edu.nn import MLP

    X, labels = data.moons(n=12, seed=0)
    y = [float(t) for t in labels]
    folder = tmp_path_factory.mktemp("wide")
    pages = {}
    for hidden in ([8, 8], [64]):
        m = MLP(2, [*hidden, 1], activation="tanh", output_activation="sigmoid", seed=0)
        pages[str(hidden)] = Explorer(record_run(m, X, y, lr=0.5, epochs=2)).save(
            folder / f"{len(hidden)}.html"
        )
    return pages


@pytest.mark.slow
@pytest.mark.parametrize(
    ("network", "size"),
    [("xor", "phone"), ("[8, 8]", "laptop"), ("[8, 8]", "phone"), ("[64]", "laptop")],
)
def test_explorer_network_labels_never_overlap(
    browser: Any, page_file: Path, wide_pages: dict[str, Path], network: str, size: str
) -> None:
    w, h = SIZES[size]
    page = browser.new_page(viewport={"width": w, "height": h})
    try:
        page.goto((page_file if network == "xor" else wide_pages[network]).resolve().as_uri())
        page.click('button.phase[data-phase="4"]')  # every z, a and δ shown
        assert page.evaluate(OVERLAPS) == []  # with the edge labels into ŷ
        if network != "[64]":
            step_to(page, "grad a2[3]", limit=300)  # the labels on a2[3]'s incoming edges
            assert page.evaluate(OVERLAPS) == []
        step_to(page, "grad a1[0]", limit=300)
        assert page.evaluate(OVERLAPS) == []
        step_to(page, "update layer 1", limit=300)
        assert page.evaluate(OVERLAPS) == []
        assert fits_sideways(page)
    finally:
        page.close()
