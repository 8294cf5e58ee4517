"""The public drawing functions: ``draw_dot``, ``to_mermaid`` and ``render``."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..engine import Value
from .dot import (
    DOT_TIMEOUT,
    FORMATS,
    MAX_ELEMENTS,
    MAX_FANOUT,
    check_size,
    dot_to,
    fits,
    to_digraph,
)
from .graph import ParamSource, StoredGrads, analyse, check_root, grads_reached, param_names
from .mermaid import to_mermaid_text
from .scene import build_scene, validate
from .scene_types import Options, Scene

if TYPE_CHECKING:
    import graphviz

Level = Literal["value", "neuron", "layer", "auto"]


def scene_for(
    where: str,
    root: object,
    *,
    rankdir: str,
    show_grad: bool,
    show_local_grads: bool,
    params: ParamSource,
    level: str,
    clusters: bool,
    precision: int,
    grads_computed: bool | None,
    max_elements: int = MAX_ELEMENTS,
    max_fanout: int = MAX_FANOUT,
) -> Scene:
    """The scene of ``root``; ``level="auto"``: the first of value, neuron, layer that fits."""
    value = check_root(root, where)
    validate(where, rankdir, "value" if level == "auto" else level, precision)
    graph = analyse(value)
    names = param_names(params, where)
    computed = grads_reached(graph) if grads_computed is None else bool(grads_computed)
    view = StoredGrads(graph, computed, precision)
    for lvl in ("value", "neuron", "layer") if level == "auto" else (level,):
        opt = Options(rankdir, show_grad, show_local_grads, lvl, clusters, precision)
        scene = build_scene(graph, names, view, opt, params)
        if fits(scene, max_elements, max_fanout):
            break
    if show_grad and not computed:
        scene.notes.append("gradients not computed yet: call backward() on the root")
    return scene


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = True,
    *,
    params: ParamSource = None,
    level: Level = "value",
    clusters: bool = True,
    legend: bool = True,
    precision: int = 4,
    grads_computed: bool | None = None,
) -> graphviz.Digraph:
    """The graph of ``root`` as a ``graphviz.Digraph``; its ``.source`` is deterministic DOT.

    ``params``: a module (``named_parameters()``), a ``{name: Value}`` mapping or Values, drawn
    as parameters. ``level``: "value" (every node; each neuron a cluster), "neuron" or "layer"
    (one box per neuron or layer of an MLP), "auto" (the first that ``dot`` lays out quickly).
    ``precision``: significant digits. ``grads_computed``: None infers it (see the package doc);
    False draws "not computed yet". In Jupyter it shows itself as SVG scaled to the column, or,
    without the ``dot`` program, as Mermaid text with a note.

    >>> from tinygrad_edu import Value
    >>> a = Value(2.0, "a")
    >>> y = a * a
    >>> y.backward()
    >>> "a | data 2 | grad 2 + 2 = 4" in draw_dot(y).source
    True
    """
    scene = scene_for(
        "draw_dot", root, rankdir=rankdir, show_grad=show_grad,
        show_local_grads=show_local_grads, params=params, level=level, clusters=clusters,
        precision=precision, grads_computed=grads_computed,
    )  # fmt: skip
    return to_digraph(scene, legend)


def to_mermaid(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = True,
    *,
    params: ParamSource = None,
    level: Level = "value",
    clusters: bool = True,
    precision: int = 4,
    grads_computed: bool | None = None,
) -> str:
    """The same drawing as ``draw_dot`` as Mermaid flowchart text (no program needed).

    >>> from tinygrad_edu import Value
    >>> print(to_mermaid(Value(2.0, "a") * 3.0, show_grad=False).splitlines()[0])
    flowchart LR
    """
    scene = scene_for(
        "to_mermaid", root, rankdir=rankdir, show_grad=show_grad,
        show_local_grads=show_local_grads, params=params, level=level, clusters=clusters,
        precision=precision, grads_computed=grads_computed,
    )  # fmt: skip
    return to_mermaid_text(scene)


def _is_stream(path: Path) -> bool:
    """An existing device, FIFO or link to one (/dev/stdout): written as named, no suffix."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or path.is_symlink()


def output_path(where: str, path: object, format: str | None) -> tuple[Path, str]:
    if not isinstance(path, (str, Path)):
        raise TypeError(f"{where}: path must be a str or Path, got {type(path).__name__}")
    out = Path(path)
    if out.name in ("", ".", "..") or out.is_dir():
        raise ValueError(f"{where}: {str(path)!r} is a folder; give a file name such as graph.svg")
    suffix = out.suffix.lstrip(".").lower()
    if format is None:
        format = suffix or "svg"
    if format not in FORMATS:
        raise ValueError(f"{where}: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if not suffix and not _is_stream(out):  # /dev/stdout or a FIFO is written as it is named
        out = out.with_suffix("." + format)
    elif suffix and suffix != format:
        raise ValueError(
            f"{where}: the path {str(out)!r} does not end in .{format} (format={format!r})"
        )
    return out, format


def render(
    root: Value,
    path: str | Path,
    format: str | None = None,
    *,
    max_elements: int = MAX_ELEMENTS,
    max_fanout: int = MAX_FANOUT,
    timeout: float = DOT_TIMEOUT,
    legend: bool = True,
    **options: Any,
) -> Path:
    """Draw ``root`` (options as ``draw_dot``) into ``path``: svg, png or pdf; returns the path.

    The format comes from ``format`` or the path's suffix (default svg). More than
    ``max_elements`` boxes and edges, or more than ``max_fanout`` edges leaving one box, raise
    ``GraphTooLarge`` (with ``level="auto"``: the value, neuron, then layer view, whichever fits
    first); ``dot`` is stopped after ``timeout`` seconds
    (``DotFailed``). Without the ``dot`` program, writes the DOT source next to ``path`` and
    raises ``GraphvizNotFound``. All three are ``RenderError``.

    >>> import tempfile
    >>> from tinygrad_edu.viz import example_graph
    >>> L, params = example_graph()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = render(L, f"{folder}/graph.svg", params=params)
    ...     print(path.name, "data 0.1013" in path.read_text(encoding="utf-8"))
    graph.svg True
    """
    out, fmt = output_path("render", path, format)
    _check_limits("render", max_elements, max_fanout, timeout)
    opts: dict[str, Any] = {"rankdir": "LR", "show_grad": True, "show_local_grads": True}
    opts.update({"params": None, "level": "value", "clusters": True, "precision": 4})
    opts.update({"grads_computed": None})
    unknown = sorted(set(options) - set(opts))
    if unknown:
        raise TypeError(f"render: unexpected option {unknown[0]!r}")
    opts.update(options)
    scene = scene_for("render", root, max_elements=max_elements, max_fanout=max_fanout, **opts)
    check_size(scene, "render", max_elements, max_fanout)
    out.parent.mkdir(parents=True, exist_ok=True)
    dot_to(to_digraph(scene, legend).source, fmt, out, "render", timeout)
    return out


def _check_limits(where: str, max_elements: object, max_fanout: object, timeout: object) -> None:
    from ..checks import count, positive

    count(max_elements, where, "max_elements", minimum=1)
    count(max_fanout, where, "max_fanout", minimum=1)
    positive(timeout, where, "timeout")
