"""The scene: which boxes, edges and clusters a drawing has, and what each one says."""

from __future__ import annotations

from typing import Protocol

from ..engine import Value
from .collapse import Neuron, collapsed, find_neurons
from .format import fmt, math_name
from .graph import GradView, Graph, value_name
from .scene_types import LEVELS, RANKDIRS, Box, Focus, Link, Options, Scene


def validate(where: str, rankdir: str, level: str, precision: int) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"{where}: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if level not in LEVELS:
        raise ValueError(f"{where}: level must be one of {', '.join(LEVELS)}, got {level!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"{where}: precision must be an int in 1..17, got {precision!r}")


def build_scene(
    graph: Graph,
    names: dict[Value, str],
    view: GradView,
    opt: Options,
    structure: object = None,
    focus: Focus | None = None,
) -> Scene:
    """The scene of ``graph``; ``structure`` (a module, or None) says which neuron is which."""
    scene = Scene(opt.rankdir)
    neurons = find_neurons(graph, structure)
    # Only a real loss gets the root's colour: a neuron's own output drawn alone is a value.
    plain_root = any(graph.root in (n.pre, n.out) for n in neurons)

    def box(v: Value, title: str | None = None) -> Box:
        return value_box(v, graph, names, view, opt, title, plain_root)

    if opt.level != "value" and neurons:
        collapsed(scene, graph, names, view, opt, neurons, box, lambda v: op_box(v, graph))
    else:
        _full(scene, graph, names, opt, neurons if opt.clusters else [], focus, box)
    return scene


def value_box(
    v: Value,
    graph: Graph,
    names: dict[Value, str],
    view: GradView,
    opt: Options,
    title: str | None = None,
    plain_root: bool = False,
) -> Box:
    i = graph.index[v]
    if v is graph.root and not plain_root:
        role = "root"
    else:
        role = "param" if v in names else "input" if v.is_leaf else "value"
    fields: list[list[str]] = []
    title = title or names.get(v) or v.label or (f"v{i}" if opt.show_ids else "")
    if title:
        fields.append([title])
    fields.append([f"data {fmt(v.data, opt.precision)}"])
    if opt.show_grad:
        fields.append([view.text(v)])
    g = view.value(v)
    tooltip = f"{value_name(v, graph, names)}: data = {v.data!r}, " + (
        f"grad = {g!r}" if g is not None else "grad not computed yet"
    )
    zero = opt.show_grad and view.zero(v) and v is not graph.root
    return Box(f"v{i}", role, fields, tooltip, zero=zero, wide=True)


def op_box(v: Value, graph: Graph) -> Box:
    prim = v.primitive
    assert prim is not None
    return Box(f"op{graph.index[v]}", "op", [[prim.symbol]], tooltip=prim.doc, op=True)


def local_formula(v: Value, pos: int) -> str:
    """∂v/∂(parent at ``pos``) as the ops table writes it ('1 - out**2'), '' if not known."""
    prim = v.primitive
    if prim is None or not prim.derivatives:
        return ""
    d = prim.derivatives
    if prim.name == "dot":  # parents w_0..w_{n-1}, x_0..x_{n-1}, b
        n = (len(v.parents) - 1) // 2
        text = d[0] if pos < n else d[1] if pos < 2 * n else d[2]
        return text.replace("_i", f"_{pos % n}") if pos < 2 * n else text
    text = d[pos] if pos < len(d) else d[-1]
    given = ", ".join(f"{k} = {x:g}" for k, x in zip(prim.param_names, prim.params))
    return f"{text} with {given}" if given else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _clusters(scene: Scene, neurons: list[Neuron]) -> tuple[dict[Value, str], dict[Value, str]]:
    """Each neuron's cluster; {value: its cluster} and {parameter: its name inside it}."""
    cluster_of: dict[Value, str] = {}
    titles: dict[Value, str] = {}
    for nrn in neurons:
        cid = f"cluster_neuron{nrn.key}"
        scene.clusters[cid] = f"{nrn.name} ({nrn.activation})"
        for m in nrn.members:
            cluster_of[m] = cid
        titles.update(nrn.titles)
    return cluster_of, titles


class _BoxMaker(Protocol):
    def __call__(self, v: Value, title: str | None = None) -> Box: ...


def _full(
    scene: Scene,
    graph: Graph,
    names: dict[Value, str],
    opt: Options,
    neurons: list[Neuron],
    focus: Focus | None,
    box: _BoxMaker,
) -> None:
    cluster_of, titles = _clusters(scene, neurons)
    p = opt.precision
    for v in graph.order:
        b = box(v, titles.get(v))
        b.cluster = cluster_of.get(v)
        b.highlight = focus is not None and v is focus.node
        scene.boxes.append(b)
        if v.parents:
            op = op_box(v, graph)
            op.cluster, op.highlight = b.cluster, b.highlight
            scene.boxes.append(op)
    for v in graph.order:
        if not v.parents:
            continue
        i = graph.index[v]
        hot = focus is not None and v is focus.node and bool(focus.contributions)
        for pos, (parent, local) in enumerate(zip(v.parents, v.local_grads)):
            label = ""
            if opt.show_local_grads:
                label = fmt(local, p)
                if hot and focus is not None:
                    c = focus.contributions[pos]
                    label += f" × {fmt(focus.upstream, p)} = {fmt(c, p)}"
            formula = local_formula(v, pos)
            out_name = math_name(value_name(v, graph, names))
            tip = f"∂{out_name}/∂{math_name(value_name(parent, graph, names))} = " + (
                f"{formula} = {local!r}" if formula and not _is_number(formula) else repr(local)
            )
            scene.links.append(Link(f"v{graph.index[parent]}", f"op{i}", label, tip, hot))
        scene.links.append(Link(f"op{i}", f"v{i}", highlight=hot))
    if opt.show_local_grads:
        scene.notes.append("edge label: local gradient ∂out/∂in")
