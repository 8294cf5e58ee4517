"""viz.render_backward: captions name nodes as the boxes do, the page's data, Jupyter display.

Closed forms for L = (a·b + c)·f: ∂L/∂d = f, ∂L/∂f = d = a·b + c, ∂L/∂e = ∂L/∂c = f,
∂L/∂a = f·b, ∂L/∂b = f·a.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.engine import Value
from tinygrad_edu.viz import BackwardPage, example_graph, render_backward


def page_data(index: Path) -> dict[str, Any]:
    text = index.read_text(encoding="utf-8")
    raw = text.split('<script id="data" type="application/json">')[1].split("</script>")[0]
    data: dict[str, Any] = json.loads(raw.replace("<\\/", "</"))
    return data


@pytest.mark.slow
def test_viz_frames_captions_parenthesise_expression_names(tmp_path: Path) -> None:
    loss, _ = example_graph()
    captions = [s["caption"] for s in page_data(render_backward(loss, tmp_path))["steps"]]
    text = " ".join(captions)
    assert "∂root/∂(y − ŷ)" in text
    assert "∂root/∂y − ŷ" not in text
    assert captions[0] == "Seed: ∂root/∂L = 1. Every other gradient is still unknown (?)."


def test_viz_frames_show_the_ids_the_captions_use(tmp_path: Path) -> None:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(0.5, "c")
    y = (a * b + c).tanh()  # a * b and a * b + c have no label
    index = render_backward(y, tmp_path)
    captions = " ".join(s["caption"] for s in page_data(index)["steps"])
    ids = set(re.findall(r"\bv\d+\b", captions))
    assert len(ids) == 3  # the sum, the product and the tanh
    last = sorted(tmp_path.glob("frame_*.svg"))[-1].read_text(encoding="utf-8")
    for i in ids:
        assert f">{i}</text>" in last, i


def test_viz_frames_questions_are_the_chain_rule_contributions(tmp_path: Path) -> None:
    a, b, c, f = Value(1.5, "a"), Value(-0.4, "b"), Value(2.25, "c"), Value(-3.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    data = page_data(render_backward(loss, tmp_path))
    asked = {q["text"]: q["value"] for s in data["steps"] for q in s["questions"]}
    dval = 1.5 * -0.4 + 2.25
    expected = {"d": -3.0, "f": dval, "e": -3.0, "c": -3.0, "a": -3.0 * -0.4, "b": -3.0 * 1.5}
    assert asked.keys() == {f"contribution to ∂root/∂{k}" for k in expected}
    for name, value in expected.items():
        assert asked[f"contribution to ∂root/∂{name}"] == pytest.approx(value, rel=1e-12)
    assert data["tolerance"] == {"rel": 0.01, "abs": 0.001}
    assert a.grad == 0.0  # render_backward does not touch .grad


@pytest.mark.slow
def test_viz_frames_page_displays_itself_inline_in_jupyter(tmp_path: Path) -> None:
    loss, params = example_graph()
    index = render_backward(loss, tmp_path, params=params)
    assert isinstance(index, BackwardPage) and isinstance(index, Path)
    assert index == tmp_path / "index.html"
    shown = index._repr_html_()
    assert shown.startswith('<iframe srcdoc="')
    inner = html.unescape(shown.split('srcdoc="')[1].split('" style=')[0])
    data = json.loads(
        inner.split('type="application/json">')[1].split("</script>")[0].replace("<\\/", "</")
    )
    frames = sorted(tmp_path.glob("frame_*.svg"))
    assert len(data["frames"]) == len(frames) == len(data["steps"])
    prefix = "data:image/svg+xml;base64,"
    assert all(f.startswith(prefix) for f in data["frames"])
    first = base64.b64decode(data["frames"][0][len(prefix) :]).decode("utf-8")
    assert '<svg width="100%"' in first and "data 0.1013" in first
