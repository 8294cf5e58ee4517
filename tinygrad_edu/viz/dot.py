"""The DOT writer, and running ``dot`` within bounds: a size limit and a time limit."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fileio import atomic_write_bytes, atomic_write_text
from ..textsafe import dot_label, escape_html, md_code
from .errors import INSTALL_HINT, DotFailed, GraphTooLarge, GraphvizNotFound
from .mermaid import to_mermaid_text
from .scene_types import FILL, LEGEND, Box, Scene

if TYPE_CHECKING:
    import graphviz

# What dot lays out in about a second. Its time grows steeply with the edges leaving one box
# (x+x+…+x: 40 terms 2 s, 50 terms 19 s, 100 terms over 10 minutes) and mildly with size.
MAX_ELEMENTS = 1500  # boxes + edges
MAX_FANOUT = 32  # edges leaving one box
DOT_TIMEOUT = 30.0  # seconds one dot run may take
FORMATS: tuple[str, ...] = ("svg", "png", "pdf")
_HIGHLIGHT = "#e69138"
_EDGE_TEXT = "#1155cc"
_FONT = "Helvetica"


def import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError:  # pragma: no cover - graphviz is a dependency
        raise ImportError(
            "tinygrad_edu.viz needs the graphviz Python package: pip install graphviz"
        ) from None
    return graphviz


def size(scene: Scene) -> int:
    """What ``dot`` has to lay out: boxes plus edges."""
    return len(scene.boxes) + len(scene.links)


def fanout(scene: Scene) -> tuple[int, str]:
    """The most edges leaving one box, and that box's id."""
    counts: dict[str, int] = {}
    for link in scene.links:
        counts[link.src] = counts.get(link.src, 0) + 1
    return max(((n, src) for src, n in counts.items()), default=(0, ""))


def check_size(scene: Scene, where: str, limit: int, fanout_limit: int = MAX_FANOUT) -> None:
    """Refuse a scene that dot would take too long over, with a message naming the way out."""
    n = size(scene)
    widest, src = fanout(scene)
    way_out = (
        "Draw a collapsed view (level='neuron' or 'layer', or level='auto'), draw a smaller "
        "part of the graph, or raise the limit"
    )
    if n > limit:
        raise GraphTooLarge(
            f"{where}: the drawing has {n} boxes and edges, more than max_elements={limit} "
            f"that dot lays out in reasonable time. {way_out} (max_elements)."
        )
    if widest > fanout_limit:
        raise GraphTooLarge(
            f"{where}: one value ({src}) is used {widest} times, more than max_fanout="
            f"{fanout_limit} edges from one box that dot lays out in reasonable time. "
            f"{way_out} (max_fanout)."
        )


def fits(scene: Scene, limit: int, fanout_limit: int = MAX_FANOUT) -> bool:
    return size(scene) <= limit and fanout(scene)[0] <= fanout_limit


def run_dot(source: str, fmt: str, where: str, timeout: float = DOT_TIMEOUT) -> bytes:
    """``dot -T<fmt>`` on ``source``, killed after ``timeout`` seconds."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFound(
            f"{where}: the Graphviz program 'dot' was not found on PATH.\n" + INSTALL_HINT
        )
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise DotFailed(
            f"{where}: dot did not finish within {timeout:g} s (the graph is too large to lay "
            "out; try level='neuron' or 'layer')"
        ) from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip()[:500]
        raise DotFailed(f"{where}: dot failed (exit status {done.returncode}): {err}")
    return done.stdout


def dot_to(source: str, fmt: str, out: Path, where: str, timeout: float = DOT_TIMEOUT) -> None:
    """Run ``dot`` on ``source`` into ``out``; on failure write ``out``.dot and raise."""
    dot_path = out.with_suffix(".dot")
    try:
        data = run_dot(source, fmt, where, timeout)
    except GraphvizNotFound:
        atomic_write_text(dot_path, source, where)
        raise GraphvizNotFound(
            f"{where}: the Graphviz program 'dot' was not found on PATH, so {out.name} was not "
            f"made.\nThe DOT source was written to {dot_path.resolve()}\n"
            f"(render it later with: dot -T{fmt} {dot_path.name} -o {out.name}).\n" + INSTALL_HINT,
            dot_path,
        ) from None
    except DotFailed as err:
        atomic_write_text(dot_path, source, where)
        raise DotFailed(f"{err}; the DOT source is in {dot_path.resolve()}") from None
    atomic_write_bytes(out, data, where)


def fit_svg(svg: str) -> str:
    """An SVG that scales down to its container's width instead of being cut off."""
    m = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if m is None:
        return svg
    w = m.group(1)
    return svg.replace(m.group(0), f'<svg width="100%" style="max-width:{w}pt;height:auto"', 1)


def _esc(text: str) -> str:
    """Escape a record field's text (braces, bars and angle brackets are record syntax)."""
    out = dot_label(text)
    for ch in "{}|<>":
        out = out.replace(ch, "\\" + ch)
    return out


def _record(box: Box, rankdir: str) -> str:
    parts = []
    for lines in box.fields:
        if len(lines) == 1:
            parts.append(_esc(lines[0]))
        else:
            parts.append("".join(_esc(line) + "\\l" for line in lines))
    body = " | ".join(parts)
    horizontal_rank = rankdir in ("LR", "RL")
    # Braces flip a record's direction: values read left to right, neurons stack lines.
    return "{ " + body + " }" if box.wide == horizontal_rank else body


def _table(box: Box) -> str:
    """An HTML-like label: one row per field, a field's lines left-aligned."""
    fill = FILL["zero"] if box.zero else FILL[box.role]
    style = ' STYLE="dashed"' if box.zero else ""
    colour = ' COLOR="#555555"' if box.zero else ""
    rows = []
    for lines in box.fields:
        text = "".join(f'{escape_html(line)}<BR ALIGN="LEFT"/>' for line in lines)
        if len(lines) == 1:
            text = escape_html(lines[0])
        rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{text}</TD></TR>')
    table = (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{fill}"'
        f"{style}{colour}>{'<HR/>'.join(rows)}</TABLE>"
    )
    return f"<{table}>"


def _emit_box(target: Any, box: Box, rankdir: str, gv: Any) -> None:
    attrs: dict[str, str] = {}
    if box.op:
        attrs = {"shape": "ellipse", "style": "filled", "fillcolor": FILL["op"]}
        attrs.update({"fontsize": "10", "margin": "0.04,0.02", "height": "0.3", "width": "0.3"})
        label = gv.nohtml(dot_label(box.fields[0][0]))
    elif not box.wide:
        # A neuron or layer: an HTML-like table (records cannot sit side by side in one rank).
        attrs = {"shape": "plain"}
        label = _table(box)
    else:
        fill = FILL["zero"] if box.zero else FILL[box.role]
        style = "filled,dashed" if box.zero else "filled"
        attrs = {"shape": "record", "style": style, "fillcolor": fill}
        if box.zero:
            attrs["fontcolor"] = "#555555"
        label = gv.nohtml(_record(box, rankdir))
    if box.highlight:
        attrs.update({"color": _HIGHLIGHT, "penwidth": "3"})
    if box.tooltip:
        attrs["tooltip"] = gv.nohtml(dot_label(box.tooltip))
    target.node(box.id, label, **attrs)


def to_digraph(scene: Scene, legend: bool) -> graphviz.Digraph:
    """The scene as a ``graphviz.Digraph`` that displays itself in Jupyter, bounded."""
    gv = import_graphviz()
    g = _drawing_class(gv)(
        "tinygrad_edu",
        graph_attr={"rankdir": scene.rankdir, "fontname": _FONT, "nodesep": "0.25",
                    "ranksep": "0.4"},
        node_attr={"fontname": _FONT, "fontsize": "11", "height": "0.3"},
        edge_attr={"fontname": _FONT, "fontsize": "9", "fontcolor": _EDGE_TEXT, "arrowsize": "0.6"},
    )  # fmt: skip
    g.tinygrad_scene = scene
    for box in scene.boxes:
        if box.cluster is None:
            _emit_box(g, box, scene.rankdir, gv)
    for cid, label in scene.clusters.items():
        with g.subgraph(name=cid) as sub:
            sub.attr(label=gv.nohtml(dot_label(label)), style="rounded,dashed", color="#999999")
            sub.attr(fontsize="10", fontcolor="#555555")
            for box in scene.boxes:
                if box.cluster == cid:
                    _emit_box(sub, box, scene.rankdir, gv)
    for link in scene.links:
        attrs: dict[str, str] = {}
        if link.label:
            attrs["label"] = gv.nohtml(dot_label(link.label))
        if link.tooltip:
            attrs["tooltip"] = gv.nohtml(dot_label(link.tooltip))
        if link.highlight:
            attrs.update({"color": _HIGHLIGHT, "penwidth": "2.5", "fontcolor": "#b45f06"})
        g.edge(link.src, link.dst, **attrs)
    for k, row in enumerate(scene.rows):
        # A layer's neurons in one rank, in the module's order (dot would reorder them).
        with g.subgraph(name=f"row{k}") as sub:
            sub.attr(rank="same")
            for a, b in itertools.pairwise(row):
                sub.edge(a, b, style="invis")
    if legend:
        _emit_legend(g, scene, gv)
    return g


def _roles_present(scene: Scene) -> list[str]:
    present = {b.role for b in scene.boxes if not b.op and not b.zero}
    if any(b.zero for b in scene.boxes):
        present.add("zero")
    return [r for r in LEGEND if r in present]


def _emit_legend(g: Any, scene: Scene, gv: Any) -> None:
    with g.subgraph(name="cluster_legend") as sub:
        sub.attr(label="legend", style="rounded", color="#bbbbbb", fontsize="10")
        ids = []
        for role in _roles_present(scene):
            attrs = {"shape": "box", "style": "filled", "fillcolor": FILL[role], "fontsize": "9"}
            if role == "zero":
                attrs["style"] = "filled,dashed"
            ids.append(f"legend_{role}")
            sub.node(ids[-1], gv.nohtml(dot_label(LEGEND[role])), **attrs)
        for k, note in enumerate(scene.notes):
            ids.append(f"legend_note{k}")
            sub.node(ids[-1], gv.nohtml(dot_label(note)), shape="plaintext", fontsize="9")
        # Unconnected nodes line up across the flow (a tall column beside a wide LR graph);
        # a chain of invisible edges lines them up along it, which fits the picture better.
        for a, b in itertools.pairwise(ids):
            sub.edge(a, b, style="invis")


_DRAWING: dict[int, type] = {}


def _drawing_class(gv: Any) -> type:
    """A ``graphviz.Digraph`` whose notebook display is bounded and never a traceback."""
    if id(gv) in _DRAWING:
        return _DRAWING[id(gv)]

    class Drawing(gv.Digraph):  # type: ignore[misc]
        tinygrad_scene: Scene | None = None

        def _repr_mimebundle_(
            self, include: Any = None, exclude: Any = None, **kwargs: Any
        ) -> dict[str, str]:
            try:
                if self.tinygrad_scene is not None:
                    check_size(self.tinygrad_scene, "draw_dot", MAX_ELEMENTS)
                svg = run_dot(self.source, "svg", "draw_dot").decode("utf-8")
            except (GraphvizNotFound, GraphTooLarge, DotFailed) as err:
                note = str(err).splitlines()[0]
                if isinstance(err, GraphvizNotFound):
                    note = "No picture: Graphviz's dot program is not installed (apt-get install "
                    note += "graphviz, brew install graphviz or conda install graphviz)."
                scene = self.tinygrad_scene
                text = self.source if scene is None else to_mermaid_text(scene)
                kind = "dot" if scene is None else "mermaid"
                return {
                    "text/markdown": f"{note} The graph as {kind} text:\n\n{md_code(text, kind)}\n",
                    "text/plain": f"{note}\n{text}",
                }
            return {"image/svg+xml": fit_svg(svg)}

    _DRAWING[id(gv)] = Drawing
    return Drawing
