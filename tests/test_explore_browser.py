"""The explorer in a real browser (Playwright + the system Chromium, see tests/browser.py):
stepping the four phases shows the engine's numbers, one key press is one step, predictions
are scored, and the page is readable at 1,400 px."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.explore import Explorer, Run, xor_run

Open = Callable[[Path], Any]


@pytest.fixture(scope="module")
def run() -> Run:
    return xor_run(epochs=41, every=20)


@pytest.fixture(scope="module")
def page_file(run: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Explorer(run).save(tmp_path_factory.mktemp("explorer") / "explorer.html")


def shown(page: Any, q: str) -> float:
    """The number the page displays at data-q=q (an SVG label may carry a prefix: "z 0.47")."""
    text = page.locator(f'[data-q="{q}"]').first.text_content()
    return float(text.split()[-1])


def same(displayed: float, engine: float) -> bool:
    """Equal to the 4 significant digits the page shows."""
    return abs(displayed - engine) <= 5e-4 * abs(engine) + 1e-300


def test_explorer_phases_show_the_engines_numbers(
    run: Run, page_file: Path, new_page: Open
) -> None:
    page = new_page(page_file)
    f, rec = run.frames[0], run.frames[0].examples[0]
    assert page.locator("#step-label").text_content().startswith("step 0 / 29")
    for _ in range(9):  # ① the nine neurons, left to right
        page.keyboard.press("ArrowRight")
    for li, row in enumerate(rec.a):
        for j, a in enumerate(row):
            assert same(shown(page, f"a:{li}:{j}"), a)
            assert same(shown(page, f"z:{li}:{j}"), rec.z[li][j])
    assert same(shown(page, "f-a"), rec.a[2][0]) and same(shown(page, "f-z"), rec.z[2][0])
    page.keyboard.press("ArrowRight")  # ② the loss and its seed
    assert same(shown(page, "L"), rec.loss) and same(shown(page, "seed"), rec.seed)
    assert same(shown(page, "f-batch-loss"), f.batch_loss)
    page.keyboard.press("ArrowRight")  # ③ the output delta: δᴸ = a − y
    assert same(shown(page, "delta:2:0"), rec.delta[2][0])
    assert "a − y" in page.locator("#formula").text_content()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    for li, row in enumerate(rec.delta):
        for j, d in enumerate(row):
            assert same(shown(page, f"delta:{li}:{j}"), d)
    # the last delta stepped is layer 1, neuron 3: the hidden δ equation with its numbers
    assert same(shown(page, "f-up"), rec.upstream[0][3])
    assert same(shown(page, "f-slope"), rec.slope[0][3])
    assert "Σₖ W2[k, 3] δ2[k]" in page.locator("#formula").text_content()
    page.locator("button.phase[data-phase='4']").click()  # ④ the output neuron's gradients
    for i, g in enumerate(rec.dW[2][0]):
        assert same(shown(page, f"dW:2:0:{i}"), g)
    page.locator("button.phase[data-phase='4']").click()
    page.keyboard.press("End")  # not a step key: nothing happens
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert page.locator("#step-label").text_content().startswith("step 29 / 29")
    for i, w in enumerate(f.W_after[2][0]):
        assert same(shown(page, f"after:2:0:{i}"), w)
        assert same(shown(page, f"f-after-{i}"), w)
    assert same(shown(page, "f-after-b"), f.b_after[2][0])


def test_explorer_example_and_epoch_change_the_numbers(
    run: Run, page_file: Path, new_page: Open
) -> None:
    page = new_page(page_file)
    page.select_option("#example", "2")
    page.locator("#step-next").click()
    page.keyboard.press("]")
    rec = run.frames[1].examples[2]
    assert same(shown(page, "a:0:0"), rec.a[0][0])
    assert "epoch 21 of 41" in page.locator("#epoch-label").text_content()
    assert same(shown(page, "h-d:2"), run.frames[1].health[2]["mean_abs_delta"])
    assert page.locator("#health-curve polyline").count() == 3  # one line per layer


def test_explorer_focused_slider_moves_one_step_per_key(page_file: Path, new_page: Open) -> None:
    page = new_page(page_file)
    page.locator("#epoch").focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#epoch").input_value() == "1"
    assert "epoch 21 of 41" in page.locator("#epoch-label").text_content()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#epoch").input_value() == "0"
    page.locator("#step-next").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator("#step-label").text_content().startswith("step 2 / 29")


def test_explorer_predictions_are_scored_and_downloadable(
    run: Run, page_file: Path, new_page: Open
) -> None:
    page = new_page(page_file)
    rec = run.frames[0].examples[0]
    page.select_option("#predict", "value")
    page.keyboard.press("ArrowRight")
    assert page.locator("#question").is_visible()
    assert "Value of a1[0]" in page.locator("#question-text").text_content()
    assert page.locator("[data-q='a:0:0']").count() == 0  # not revealed before the answer
    page.fill("#answer", f"{rec.a[0][0] + 0.005:.6f}")  # within 0.01 + 5 %
    page.keyboard.press("Enter")
    assert page.locator("#verdict").text_content().startswith("Right")
    assert same(shown(page, "a:0:0"), rec.a[0][0])
    page.keyboard.press("ArrowRight")
    page.fill("#answer", f"{rec.a[0][1] + 0.2:.6f}")
    page.locator("#answer-check").click()
    assert page.locator("#verdict").text_content().startswith("Not quite")
    assert page.locator("#score").text_content() == "score 1 / 2"
    page.select_option("#predict", "sign")
    page.keyboard.press("ArrowRight")
    z = rec.z[0][2]  # x = (0, 0) and zero biases at the start: z = 0 exactly
    page.fill("#answer", "+" if z > 0 else "-" if z < 0 else "0")
    page.keyboard.press("Enter")
    assert page.locator("#score").text_content() == "score 2 / 3"
    with page.expect_download() as info:
        page.locator("#download").click()
    answers = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))["answers"]
    assert [a["right"] for a in answers] == [True, False, True]
    assert answers[0]["value"] == pytest.approx(rec.a[0][0], rel=1e-6)
    assert answers[0]["tolerance"] == {"abs": 0.01, "rel": 0.05}


def test_explorer_drill_down_steps_the_neurons_backward_pass(
    run: Run, page_file: Path, new_page: Open
) -> None:
    page = new_page(page_file)
    page.locator("[data-neuron='1:2'] circle").click()
    assert page.locator("#drill").is_visible()
    assert page.locator("#drill-graph svg").count() == 1
    drill = next(d for d in run.drills if (d.example, d.layer, d.neuron) == (0, 1, 2))
    page.keyboard.press(".")
    page.keyboard.press(".")
    caption = page.locator("#drill-caption").text_content()
    assert page.locator("#drill-label").text_content() == f"backward step 2 / {len(drill.steps)}"
    second = drill.steps[1]
    assert f"at z2[2] (Σwx+b), ∂a/∂(z2[2]) = {second['upstream']:.4g}" in caption
    assert "W2[2, 0].grad += (" in caption


def test_explorer_screenshot_is_readable_at_1400_px(
    run: Run, page_file: Path, new_page: Open, tmp_path: Path
) -> None:
    from PIL import Image

    page = new_page(page_file)
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    shot = tmp_path / "explorer.png"
    page.screenshot(path=str(shot), full_page=True)
    img = Image.open(shot).convert("RGB")
    assert img.width == 1400 and 1000 <= img.height <= 2400
    colours = img.resize((350, img.height // 4)).getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 200  # drawn, not blank
    white = max(c for c, rgb in colours if rgb == (255, 255, 255))
    assert white < 0.9 * sum(c for c, _ in colours)


def test_explorer_runs_inline_as_a_notebook_would_show_it(
    run: Run, tmp_path: Path, new_page: Open
) -> None:
    host = tmp_path / "cell.html"
    host.write_text(f"<!doctype html><body>{Explorer(run)._repr_html_()}</body>", encoding="utf-8")
    page = new_page(host)
    frame = page.frame_locator("iframe")
    frame.locator("#step-next").click()
    text = frame.locator("[data-q='a:0:0']").text_content()
    assert same(float(text), run.frames[0].examples[0].a[0][0])


def test_explorer_without_graphviz_shows_mermaid_and_dot_text(
    tmp_path: Path, new_page: Open, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinygrad_edu.explore import record

    monkeypatch.setattr(record.shutil, "which", lambda name: None)
    path = Explorer(xor_run(epochs=1)).save(tmp_path / "no_dot.html")
    page = new_page(path)
    page.locator("[data-neuron='0:1'] circle").click()
    graph = page.locator("#drill-graph")
    assert "dot program was not available" in graph.text_content()
    assert page.locator("#drill-graph pre").first.text_content().startswith("flowchart")
    assert "digraph" in page.locator("#drill-graph pre").nth(1).text_content()
    assert page.locator("#drill-graph svg").count() == 0


def test_explorer_drill_down_asks_before_each_backward_step(
    run: Run, page_file: Path, new_page: Open
) -> None:
    page = new_page(page_file)
    page.select_option("#predict", "value")
    page.locator("[data-neuron='0:0'] circle").click()
    assert page.locator("#drill-graph svg").count() == 0  # its gradients would give it away
    page.locator("#drill-next").click()
    assert "∂a/∂(a1[0])" in page.locator("#question-text").text_content()
    page.fill("#answer", "1")  # the seed: ∂a/∂a = 1
    page.keyboard.press("Enter")
    page.locator("#drill-next").click()
    drill = next(d for d in run.drills if (d.example, d.layer, d.neuron) == (0, 0, 0))
    page.fill("#answer", f"{-drill.steps[1]['upstream']:.6f}")  # σ′(0) = 0.25: wrong sign
    page.keyboard.press("Enter")
    assert page.locator("#score").text_content() == "score 1 / 2"
    assert page.locator("#drill-label").text_content() == "backward step 2 / 2"
    assert page.locator("#drill-graph svg").count() == 1  # every step revealed: the graph
