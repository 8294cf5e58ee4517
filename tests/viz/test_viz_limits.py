"""viz: what is sent to dot is bounded (size, fan-out, time), and failures are named errors.

The x+x+…+x graphs are the ones issue 11 §9 found hanging dot (50 terms 19 s, 100 terms over
10 minutes): they must be refused before dot runs.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.engine import Value, topo_order
from tinygrad_edu.nn import MLP
from tinygrad_edu.viz import (
    DotFailed,
    GraphTooLarge,
    GraphvizNotFound,
    RenderError,
    draw_dot,
    example_graph,
    render,
)


def repeated_sum(n: int) -> Value:
    x = Value(1.0, "x")
    y = x
    for _ in range(n - 1):
        y = y + x
    y.backward()
    return y


def no_dot_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("dot was run")

    monkeypatch.setattr("tinygrad_edu.viz.dot.subprocess.run", refuse)


@pytest.mark.parametrize("terms", [50, 100])
def test_viz_render_refuses_a_repeated_sum_before_dot_runs(
    terms: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    y = repeated_sum(terms)
    assert y.data == terms
    no_dot_runs(monkeypatch)
    with pytest.raises(GraphTooLarge, match=rf"render: one value \(v0\) is used {terms} times"):
        render(y, tmp_path / "sum.svg")
    assert list(tmp_path.iterdir()) == []


def test_viz_render_size_limit_names_the_collapsed_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loss, _ = example_graph()
    # a box per value and per operation; an edge per parent and one from each operation
    order = topo_order(loss)
    ops = [v for v in order if v.parents]
    n = len(order) + len(ops) + sum(len(v.parents) for v in ops) + len(ops)
    with monkeypatch.context() as m:
        no_dot_runs(m)
        with pytest.raises(GraphTooLarge, match=rf"has {n} boxes and edges, more than max_el"):
            render(loss, tmp_path / "g.svg", max_elements=n - 1)
        with pytest.raises(GraphTooLarge, match=r"level='neuron' or 'layer', or level='auto'"):
            render(loss, tmp_path / "g.svg", max_elements=n - 1)
    render(loss, tmp_path / "g.svg", max_elements=n)  # exactly at the limit: drawn


def test_viz_render_auto_level_collapses_a_network_that_is_too_large(tmp_path: Path) -> None:
    mlp = MLP(2, [4, 4, 1], seed=0)
    (out,) = mlp([0.5, -1.0])
    loss = (out - 1.0) ** 2
    loss.backward()
    full = draw_dot(loss, params=mlp).source
    neurons = draw_dot(loss, params=mlp, level="neuron").source
    path = render(loss, tmp_path / "auto.svg", params=mlp, level="auto", max_elements=60)
    svg = path.read_text(encoding="utf-8")
    assert re.search(r"layers\.0\.neurons\.0 · \w+", svg)  # a collapsed neuron box
    assert "cluster_neuron" not in svg
    assert full.count("->") > neurons.count("->")
    with pytest.raises(GraphTooLarge, match="max_elements=5"):
        render(loss, tmp_path / "tiny.svg", params=mlp, level="auto", max_elements=5)


def test_viz_render_timeout_stops_dot_with_a_named_error(tmp_path: Path) -> None:
    # 31 terms stay within the fan-out limit and take dot about half a second: 0.02 s is short.
    y = repeated_sum(31)
    with pytest.raises(DotFailed, match=r"render: dot did not finish within 0.02 s"):
        render(y, tmp_path / "sum.svg", timeout=0.02)
    assert (tmp_path / "sum.dot").is_file()  # the source is kept for running dot by hand
    assert not (tmp_path / "sum.svg").exists()


def test_viz_render_dot_failure_is_a_render_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(args, 1, b"", b"Error: syntax error in line 3")

    monkeypatch.setattr("tinygrad_edu.viz.dot.subprocess.run", failing)
    loss, _ = example_graph()
    with pytest.raises(RenderError, match=r"dot failed \(exit status 1\): Error: syntax error"):
        render(loss, tmp_path / "g.svg")


def test_viz_errors_are_runtime_errors_under_one_name() -> None:
    for cls in (GraphvizNotFound, GraphTooLarge, DotFailed):
        assert issubclass(cls, RenderError)
    assert issubclass(RenderError, RuntimeError)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("max_elements", 0, "max_elements"),
        ("max_fanout", True, "max_fanout"),
        ("timeout", -1.0, "timeout"),
        ("timeout", "5", "timeout"),
    ],
)
def test_viz_render_limits_are_checked(
    option: str, value: object, message: str, tmp_path: Path
) -> None:
    loss, _ = example_graph()
    with pytest.raises((TypeError, ValueError), match=message):
        render(loss, tmp_path / "g.svg", **{option: value})  # type: ignore[arg-type]


def test_viz_render_rejects_a_path_that_is_not_a_path() -> None:
    loss, _ = example_graph()
    with pytest.raises(TypeError, match="render: path must be a str or Path, got NoneType"):
        render(loss, None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Jupyter display
def test_viz_draw_dot_in_jupyter_is_svg_scaled_to_the_column() -> None:
    loss, params = example_graph()
    bundle = draw_dot(loss, params=params)._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    assert '<svg width="100%" style="max-width:' in svg
    assert "height:auto" in svg
    assert "data 0.1013" in svg


def test_viz_draw_dot_in_jupyter_without_dot_shows_mermaid_and_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tinygrad_edu.viz.dot.shutil.which", lambda name: None)
    loss, params = example_graph()
    bundle = draw_dot(loss, params=params)._repr_mimebundle_()
    text = bundle["text/markdown"]
    first = text.splitlines()[0]
    assert first.startswith("No picture: Graphviz's dot program is not installed")
    assert "apt-get install graphviz" in first
    assert "```mermaid\nflowchart LR\n" in text
    assert "data 0.1013" in text
    assert "Traceback" not in bundle["text/plain"]


def test_viz_draw_dot_in_jupyter_refuses_a_huge_graph_without_running_dot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_dot_runs(monkeypatch)
    bundle = draw_dot(repeated_sum(100))._repr_mimebundle_()
    assert "used 100 times" in bundle["text/markdown"].splitlines()[0]
    assert "```mermaid" in bundle["text/markdown"]
    assert "image/svg+xml" not in bundle


def test_viz_render_without_dot_writes_the_source_and_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tinygrad_edu.viz.dot.shutil.which", lambda name: None)
    loss, params = example_graph()
    with pytest.raises(GraphvizNotFound, match=r"'dot' was not found on PATH, so g\.png") as err:
        render(loss, tmp_path / "g.png", params=params)
    assert err.value.dot_path == tmp_path / "g.dot"
    assert (tmp_path / "g.dot").read_text(encoding="utf-8") == draw_dot(loss, params=params).source
