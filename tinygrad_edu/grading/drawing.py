"""A compact drawing of a worksheet's graph for paper: one box per node (name, op, value).

Graphviz lays it out (both directions are tried; the one that prints larger on the page
wins) and the SVG is scaled to a box given in millimetres, so the largest sheet still fits an
A4 page beside its table. Without ``dot`` the drawing is a list of the nodes' inputs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..engine import Value
from ..textsafe import escape_html

__all__ = [
    "BATCH",
    "PT_PER_MM",
    "graph_dot",
    "graph_pdfs",
    "graph_svg",
    "graph_svgs",
    "wrong_drawing",
]

PT_PER_MM = 72 / 25.4
DOT_TIMEOUT = 60.0
BATCH = 50  # graphs per dot run: one process start for many sheets
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def _dot_string(*lines: str) -> str:
    """A quoted DOT string of one or more lines (each escaped, joined by DOT's \\n)."""
    esc = [t.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") for t in lines]
    return '"' + "\\n".join(esc) + '"'


def graph_dot(
    nodes: Sequence[Value], rankdir: str = "LR", values: bool = True, wrong: str = ""
) -> str:
    """DOT text: a box per node (``name (op)`` over its value), an edge per input.

    ``wrong`` names a node drawn in red with the edges to its users: the chain-rule terms
    whose sum its gradient is (a report's first wrong place).

    >>> from tinygrad_edu.tutor import worksheet
    >>> print(graph_dot(worksheet(3, 1).nodes).splitlines()[3])
      n0 [label="a\\n-0.5"];
    """
    ids = {n: f"n{k}" for k, n in enumerate(nodes)}
    out = [
        "digraph worksheet {",
        f'  graph [rankdir={rankdir}, nodesep=0.12, ranksep=0.22, margin=0, fontname="Helvetica"];',
        '  node [shape=box, style=rounded, fontsize=11, margin="0.05,0.02", height=0.3,'
        ' fontname="Helvetica"];',
    ]
    for n in nodes:
        head = f"{n.label} ({n.op})" if n.parents else n.label
        label = _dot_string(head, f"{n.data:.6g}") if values else _dot_string(head)
        red = ', color="#c62828", fontcolor="#c62828", penwidth=2' if n.label == wrong else ""
        out.append(f"  {ids[n]} [label={label}{red}];")
    for n in nodes:
        for p in n.parents:
            red = ', color="#c62828", penwidth=2.5' if wrong and p.label == wrong else ""
            out.append(f"  {ids[p]} -> {ids[n]} [arrowsize=0.6{red}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _run_dot(source: str, fmt: str = "svg", cwd: str | None = None) -> bytes:
    args = ["dot", f"-T{fmt}"] + (["-O", "graphs.dot"] if cwd else [])
    done = subprocess.run(
        args,
        input=None if cwd else source.encode("utf-8"),
        capture_output=True,
        timeout=DOT_TIMEOUT,
        check=False,
        cwd=cwd,
    )
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise RuntimeError(f"graph_svg: dot failed: {err}")
    return done.stdout


def _batches(n: int) -> list[range]:
    return [range(k, min(n, k + BATCH)) for k in range(0, n, BATCH)]


def graph_pdfs(items: Sequence[tuple[Sequence[Value], str]]) -> list[bytes] | None:
    """The drawings as PDFs for LaTeX's ``\\includegraphics``, one ``dot`` run per
    :data:`BATCH` graphs (None without Graphviz). Each item is (nodes, direction)."""
    if shutil.which("dot") is None:
        return None
    out: list[bytes] = []
    for part in _batches(len(items)):
        with tempfile.TemporaryDirectory(prefix="tinygrad-edu-dot-") as tmp:
            source = "".join(graph_dot(items[k][0], items[k][1]) for k in part)
            (Path(tmp) / "graphs.dot").write_text(source, encoding="utf-8")
            _run_dot("", "pdf", cwd=tmp)
            names = ["graphs.dot.pdf"] + [f"graphs.dot.{j}.pdf" for j in range(2, len(part) + 1)]
            out += [(Path(tmp) / name).read_bytes() for name in names]
    return out


def wrong_drawing(nodes: Sequence[Value], wrong: str) -> str | None:
    """The graph as SVG text with node ``wrong`` and its edges in red (None without dot)."""
    if shutil.which("dot") is None:
        return None
    return _run_dot(graph_dot(nodes, "LR", wrong=wrong)).decode("utf-8")


def _fallback(nodes: Sequence[Value]) -> str:
    items = "".join(
        f"<li>{escape_html(n.label)} = {escape_html(n.op)}"
        f"({escape_html(', '.join(p.label for p in n.parents))})</li>"
        for n in nodes
        if n.parents
    )
    return f'<ul class="graph-list">{items}</ul>'


Drawing = tuple[str, float, str]


def graph_svgs(items: Sequence[tuple[Sequence[Value], float, float]]) -> list[Drawing]:
    """Each drawing as inline SVG scaled to fit its box: (svg, scale, direction ``LR``/``TB``).

    Each item is (nodes, width_mm, height_mm). Both directions are laid out (one ``dot`` run
    per :data:`BATCH` graphs) and the one that prints larger wins. The scale is never above 1
    (a small graph prints at its natural size). Without Graphviz a drawing is an HTML list of
    the nodes, at scale 0.
    """
    if shutil.which("dot") is None:
        return [(_fallback(nodes), 0.0, "LR") for nodes, _, _ in items]
    out: list[Drawing] = []
    for part in _batches(len(items)):
        source = "".join(graph_dot(items[k][0], d) for k in part for d in ("LR", "TB"))
        text = _run_dot(source).decode("utf-8")
        svgs = [chunk[chunk.find("<svg") :] for chunk in text.split("</svg>")[:-1]]
        if len(svgs) != 2 * len(part):
            raise RuntimeError(f"graph_svg: dot gave {len(svgs)} drawings for {2 * len(part)}")
        for j, k in enumerate(part):
            _, width, height = items[k]
            best: tuple[float, str, float, float, str] | None = None
            for svg, rankdir in zip(svgs[2 * j : 2 * j + 2], ("LR", "TB")):
                found = _SIZE.search(svg)
                if found is None:
                    raise RuntimeError("graph_svg: dot gave an SVG without a size")
                w, h = float(found.group(1)) / PT_PER_MM, float(found.group(2)) / PT_PER_MM
                scale = min(1.0, width / w, height / h)
                if best is None or scale > best[0] + 1e-9:
                    best = (scale, svg + "</svg>", w, h, rankdir)
            assert best is not None
            scale, svg, w, h, rankdir = best
            size = f'<svg width="{w * scale:.1f}mm" height="{h * scale:.1f}mm"'
            out.append((_SIZE.sub(size, svg, count=1), scale, rankdir))
    return out


def graph_svg(nodes: Sequence[Value], width_mm: float, height_mm: float) -> Drawing:
    """:func:`graph_svgs` of one drawing."""
    return graph_svgs([(nodes, width_mm, height_mm)])[0]
