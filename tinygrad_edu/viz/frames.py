"""``render_backward``: one picture per backward step and the slider page that steps them."""

from __future__ import annotations

import base64
import json
import os
import re
from importlib import resources
from pathlib import Path, PosixPath
from typing import Any

from ..engine import Value
from ..fileio import atomic_write_text, file_set
from ..textsafe import escape_html, json_for_html, visible
from .dot import DOT_TIMEOUT, FORMATS, dot_to, fit_svg, to_digraph
from .errors import DotFailed, GraphvizNotFound, RenderError
from .format import fmt, grad_sum_text, math_name, sum_expr
from .graph import Graph, ParamSource, analyse, check_root, param_names, value_name
from .scene import build_scene, validate
from .scene_types import Focus, Options
from .steps import BackwardStep, backward_steps

TOLERANCE = {"rel": 0.01, "abs": 0.001}  # a prediction is right within 1 % or 0.001


class FrameGrads:
    """The gradients known part-way through backward (for render_backward's frames)."""

    def __init__(self, graph: Graph, precision: int) -> None:
        self.graph = graph
        self.precision = precision
        self.terms: dict[Value, list[float]] = {graph.root: []}
        self.acc: dict[Value, float] = {graph.root: 1.0}

    def add(self, step: BackwardStep) -> None:
        for c in step.contributions:
            self.terms.setdefault(c.parent, []).append(c.contribution)
            self.acc[c.parent] = c.total

    def complete(self, node: Value) -> bool:
        return node in self.acc and len(self.terms[node]) == len(self.graph.consumers[node])

    def value(self, node: Value) -> float | None:
        return self.acc.get(node)

    def text(self, node: Value) -> str:
        if node not in self.acc:
            return "grad ?"
        terms = self.terms[node]
        if self.complete(node):
            return grad_sum_text(terms, self.acc[node], self.precision)
        n = len(self.graph.consumers[node])
        so_far = fmt(self.acc[node], self.precision)
        if len(terms) > 1:
            so_far = f"{sum_expr(terms, self.precision)} = {so_far}"
        return f"grad so far {so_far} ({len(terms)} of {n} paths)"

    def zero(self, node: Value) -> bool:
        return self.complete(node) and self.acc[node] == 0.0


def _d(name: str) -> str:
    return f"∂root/∂{math_name(name)}"


def caption(step: BackwardStep, graph: Graph, names: dict[Value, str], p: int) -> str:
    """What step ``step`` did, naming nodes as their boxes do."""
    node = value_name(step.node, graph, names)
    op = step.node.op or "leaf"
    parts = [
        f"{_d(value_name(c.parent, graph, names))} += {fmt(c.local, p)} × "
        f"{fmt(step.upstream, p)} = {fmt(c.contribution, p)} → {fmt(c.total, p)}"
        for c in step.contributions
    ]
    head = f"Step {step.index + 1}: at {node} ({op}), {_d(node)} = {fmt(step.upstream, p)}"
    return head + (". " + "; ".join(parts) if parts else ", nothing to pass on (a leaf)")


def _questions(step: BackwardStep, graph: Graph, names: dict[Value, str], p: int) -> dict[str, Any]:
    node = value_name(step.node, graph, names)
    prompt = (
        f"At {node} ({step.node.op or 'leaf'}), {_d(node)} = {fmt(step.upstream, p)}. "
        "Each parent receives local gradient × upstream (the local gradient is on its edge)."
    )
    qs = [
        {
            "text": f"contribution to {_d(value_name(c.parent, graph, names))}",
            "value": c.contribution,
        }
        for c in step.contributions
    ]
    return {"prompt": prompt, "questions": qs}


class BackwardPage(PosixPath):
    """The path of the slider page; in Jupyter it shows the page itself (``_repr_html_``)."""

    def _repr_html_(self) -> str:
        text = self.read_text(encoding="utf-8")
        data = _page_data(text)
        inlined = []
        for name in data["frames"]:
            if not isinstance(name, str) or not re.fullmatch(r"frame_\d+\.(svg|png|pdf)", name):
                # only the frames render_backward writes, beside the page: nothing else is read
                return f"<p>{escape_html(str(self))}: {escape_html(repr(name))} is not a frame</p>"
            frame = self.parent / name
            if not frame.exists():
                return f"<p>{escape_html(str(self))}: frame {escape_html(name)} is missing</p>"
            if frame.suffix == ".svg":
                svg = fit_svg(frame.read_text(encoding="utf-8")).encode("utf-8")
                inlined.append("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
            else:
                raw = base64.b64encode(frame.read_bytes()).decode()
                inlined.append(f"data:image/{frame.suffix[1:]};base64,{raw}")
        data["frames"] = inlined
        page = _page(data)
        # sandboxed without allow-same-origin: the page's script runs in an opaque origin,
        # never in the notebook's (where it could reach the kernel)
        return (
            f'<iframe srcdoc="{escape_html(page)}" style="width:100%;height:85vh;border:0" '
            'sandbox="allow-scripts allow-downloads" title="backward, step by step"></iframe>'
        )


def _template() -> str:
    return resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")


def _page(data: dict[str, Any]) -> str:
    # the template has one placeholder, replaced once; the data has no "<" left to end the
    # script element or open a comment
    return _template().replace("__DATA__", json_for_html(data), 1)


def _page_data(page: str) -> dict[str, Any]:
    start = page.index('<script id="data" type="application/json">') + 42
    end = page.index("</script>", start)
    data: dict[str, Any] = json.loads(page[start:end])
    return data


def render_backward(
    root: Value,
    folder: str | Path,
    *,
    params: ParamSource = None,
    rankdir: str = "LR",
    precision: int = 4,
    format: str = "svg",
    clusters: bool = True,
    timeout: float = DOT_TIMEOUT,
) -> BackwardPage:
    """One picture per backward step in ``folder`` plus ``index.html`` (a slider); returns it.

    Frame 0 is the seed ∂root/∂root = 1; frame k shows the state after step k of
    ``backward_steps`` (current node and its edges highlighted, each edge labelled
    local × upstream = contribution, partial sums marked "so far"). Unnamed values show their
    id (``v11``) in the box, as the captions name them. The page has a predict-then-reveal
    mode (answers checked within 1 % or 0.001, downloadable as JSON). Does not touch ``.grad``.
    The returned path displays the page inline in Jupyter.

    >>> import tempfile
    >>> from tinygrad_edu import Value
    >>> a = Value(3.0, "a")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = render_backward(a * a, folder)
    ...     print(page.name, sorted(p.name for p in page.parent.glob("frame_*")))
    index.html ['frame_000.svg', 'frame_001.svg']
    """
    value = check_root(root, "render_backward")
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(
            "render_backward: folder must be a folder name (a str or a Path), "
            f"got {type(folder).__name__} {folder!r}"
        )
    if isinstance(folder, str) and folder == "":
        raise ValueError("render_backward: folder is empty; give a folder name")
    validate("render_backward", rankdir, "value", precision)
    if format not in FORMATS:
        raise ValueError(
            f"render_backward: format must be one of {', '.join(FORMATS)}, got {format!r}"
        )
    out_dir = Path(folder)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    graph = analyse(value)
    names = param_names(params, "render_backward")
    opt = Options(rankdir, True, True, "value", clusters, precision, show_ids=True)
    state = FrameGrads(graph, precision)
    seed = build_scene(graph, names, state, opt, params, Focus(value, 1.0))
    seed.notes.append("orange: the seed, d(root)/d(root) = 1")
    sources = [to_digraph(seed, True).source]
    root_name = value_name(value, graph, names)
    first = f"Seed: {_d(root_name)} = 1. Every other gradient is still unknown (?)."
    steps: list[dict[str, Any]] = [{"caption": first, "prompt": first, "questions": []}]
    for step in backward_steps(value):
        state.add(step)
        focus = Focus(step.node, step.upstream, tuple(c.contribution for c in step.contributions))
        scene = build_scene(graph, names, state, opt, params, focus)
        scene.notes.append("orange: this step; its edges read local × upstream = contribution")
        sources.append(to_digraph(scene, True).source)
        steps.append(
            {"caption": caption(step, graph, names, precision)}
            | _questions(step, graph, names, precision)
        )
    for entry in steps:  # labels' hidden characters (NUL, bidi overrides) shown as escapes
        entry["caption"], entry["prompt"] = visible(entry["caption"]), visible(entry["prompt"])
        for q in entry["questions"]:
            q["text"] = visible(q["text"])
    width = max(3, len(str(len(sources) - 1)))
    files = [f"frame_{k:0{width}d}.{format}" for k in range(len(sources))]
    data = {"frames": files, "steps": steps, "tolerance": TOLERANCE, "precision": precision}
    # The set (page and frames) is written beside the folder and moved in whole; without dot,
    # or when dot fails on a frame, the frames from there on are their DOT source.
    failed: RenderError | None = None
    with file_set(out_dir, "render_backward") as stage:
        atomic_write_text(stage / "index.html", _page(data), "render_backward")
        sizes = []
        for k, (name, source) in enumerate(zip(files, sources)):
            try:
                dot_to(source, format, stage / name, "render_backward", timeout)
            except (GraphvizNotFound, DotFailed) as err:
                for later, src in zip(files[k + 1 :], sources[k + 1 :]):
                    target = (stage / later).with_suffix(".dot")
                    atomic_write_text(target, src, "render_backward")
                failed = err
                break
            sizes.append(_frame_size(stage / name))
        if failed is None and all(sizes):
            data["sizes"] = sizes  # one scale for every frame: the page fits the largest
            atomic_write_text(stage / "index.html", _page(data), "render_backward")
        where = (str(stage.resolve()), str(out_dir.resolve()))
    if failed is not None:  # raised once the set is in place, naming the final paths
        message = str(failed).replace(*where)
        if isinstance(failed, GraphvizNotFound):
            moved = out_dir / failed.dot_path.name if failed.dot_path else None
            raise GraphvizNotFound(message, moved) from None
        raise DotFailed(message) from None
    return BackwardPage(out_dir / "index.html")


def _frame_size(path: Path) -> list[float] | None:
    """A frame's natural width and height in points; None for PDF."""
    if path.suffix == ".svg":
        head = path.read_text(encoding="utf-8")[:2000]
        m = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', head)
        return [float(m.group(1)), float(m.group(2))] if m else None
    if path.suffix == ".png":
        raw = path.read_bytes()[16:24]
        # dot writes PNG at 96 dpi: 4/3 pixels per point
        return [int.from_bytes(raw[:4], "big") * 0.75, int.from_bytes(raw[4:], "big") * 0.75]
    return None
