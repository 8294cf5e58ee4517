"""The backward-step slider page in a real browser (system Chromium through Playwright).

Skipped only when Playwright or Chromium is absent (``pip install playwright`` and
``apt-get install chromium``; see tests/browser.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.engine import Value
from tinygrad_edu.viz import render_backward


def abcf_page(tmp_path: Path) -> Path:
    a, b, c, f = Value(1.5, "a"), Value(-0.4, "b"), Value(2.25, "c"), Value(-3.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    return render_backward(loss, tmp_path)


def counter(page: Any) -> str:
    return str(page.inner_text("#counter"))


@pytest.mark.slow
def test_viz_browser_one_arrow_key_is_one_step(
    tmp_path: Path,
    new_page: Callable[[Path], Any],
) -> None:
    page = new_page(abcf_page(tmp_path))
    assert counter(page) == "step 0 of 3"
    page.focus("#slider")  # focused, the slider would move by itself as well
    page.keyboard.press("ArrowRight")
    assert counter(page) == "step 1 of 3"
    assert page.eval_on_selector("#slider", "el => el.value") == "1"
    page.keyboard.press("ArrowRight")
    assert counter(page) == "step 2 of 3"
    page.keyboard.press("ArrowLeft")
    assert counter(page) == "step 1 of 3"
    assert page.get_attribute("#frame", "src") == "frame_001.svg"
    assert "∂root/∂d += -3 × 1 = -3 → -3" in page.inner_text("#caption")


@pytest.mark.slow
def test_viz_browser_predict_then_reveal_scores_and_downloads(
    tmp_path: Path,
    new_page: Callable[[Path], Any],
) -> None:
    page = new_page(abcf_page(tmp_path))
    page.check("#mode")
    page.click("#next")
    # asked before it is shown: the page stays on the seed frame
    assert counter(page) == "step 0 of 3"
    assert page.is_visible("#q0") and page.is_visible("#q1")
    assert "within 1% or 0.001" in page.inner_text("#quiz")
    page.fill("#q0", "-3")  # contribution to ∂root/∂d: f = -3
    page.fill("#q1", "1.655")  # to ∂root/∂f: d = 1.65; 0.005 off is within the tolerance
    page.click("#check")
    assert counter(page) == "step 1 of 3"
    assert page.inner_text("#score") == "score: 2 / 2"
    assert page.inner_text("#quiz").count("✓") == 2
    page.keyboard.press("ArrowRight")
    assert counter(page) == "step 1 of 3"  # asks again before step 2
    page.fill("#q0", "3")  # wrong sign: the contribution to ∂root/∂e is -3
    page.fill("#q1", "-3")
    page.press("#q1", "Enter")
    assert page.inner_text("#score") == "score: 3 / 4"
    assert "✗" in page.inner_text("#quiz")
    page.screenshot(path=str(tmp_path / "slider.png"))
    shot = (tmp_path / "slider.png").read_bytes()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")
    assert (width, height) == (1400, 1000)
    with page.expect_download() as info:
        page.click("#download")
    saved = tmp_path / "answers.json"
    info.value.save_as(saved)
    answers = json.loads(saved.read_text(encoding="utf-8"))
    assert answers["tolerance"] == {"rel": 0.01, "abs": 0.001}
    assert [a["correct"] for a in answers["answers"]] == [True, True, False, True]
    assert answers["answers"][1]["truth"] == 1.5 * -0.4 + 2.25


@pytest.mark.slow
def test_viz_browser_every_frame_is_drawn_at_one_scale(
    tmp_path: Path,
    new_page: Callable[[Path], Any],
) -> None:
    index = abcf_page(tmp_path)
    page = new_page(index)
    scales = []
    for _ in range(4):
        width = page.eval_on_selector("#frame", "el => el.getBoundingClientRect().width")
        natural = page.evaluate("DATA.sizes[current][0]")
        scales.append(width / natural)
        page.keyboard.press("ArrowRight")
    assert max(scales) - min(scales) < 1e-3 * max(scales), scales
    view = page.eval_on_selector("#view", "el => el.getBoundingClientRect().width")
    widest = page.evaluate("Math.max(...DATA.sizes.map((s) => s[0]))")
    assert widest * scales[0] <= view  # fitted: the widest frame is not cut off
