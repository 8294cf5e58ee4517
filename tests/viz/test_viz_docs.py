"""docs/graph.svg is the picture of exactly the graph the README tour draws."""

from __future__ import annotations

import re
from pathlib import Path

from tinygrad_edu.engine import Value
from tinygrad_edu.viz import draw_dot

ROOT = Path(__file__).parents[2]
TOUR_CALL = 'draw_dot(L, rankdir="TB")'


def texts(svg: str) -> list[str]:
    return sorted(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def test_viz_docs_graph_is_the_readme_tours_drawing() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = readme.split("## A tour of the API", 1)[1]
    assert "L = 0.5 * (0 - (w * x + b).sigmoid()) ** 2" in tour
    assert TOUR_CALL in tour
    x, w, b = Value(0.5, "x"), Value(1.2, "w"), Value(-0.8, "b")
    L = 0.5 * (0 - (w * x + b).sigmoid()) ** 2
    L.backward()
    svg = draw_dot(L, rankdir="TB")._repr_mimebundle_()["image/svg+xml"]
    shipped = (ROOT / "docs" / "graph.svg").read_text(encoding="utf-8")
    assert texts(shipped) == texts(svg)
    assert "grad 0.05571" in texts(shipped) and "grad 0.1114" in texts(shipped)  # ∂L/∂w, ∂L/∂b
    png = (ROOT / "docs" / "graph.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
