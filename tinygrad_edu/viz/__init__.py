"""Draw computation graphs: every value with its data and gradient, every edge with its local
gradient ∂out/∂in, so the chain rule can be read off the picture.

* ``draw_dot(root)`` returns a ``graphviz.Digraph`` (it displays itself in Jupyter);
  ``render(root, "graph.svg")`` writes a picture; ``to_mermaid(root)`` gives Mermaid text that
  Markdown viewers render without any program installed.
* ``backward_steps(root)`` replays backward one node at a time and ``render_backward(root,
  folder)`` draws one frame per step, with an HTML page and a slider to step through them.

What the drawing shows:

* a box per value: its label (or parameter name), ``data`` and ``grad``; a small node per
  operation with the primitive's symbol (hover it for the formula and the derivative);
* each edge into an operation is labelled with the local gradient ∂out/∂parent; ``a + a`` draws
  two edges; a gradient that gathers several paths is written as their sum,
  ``grad 1.5 + 2 = 3.5``, in the order backward added them;
* colours (with a legend): the root, parameters (from ``params=``: a module's
  ``named_parameters()``, a ``{name: Value}`` mapping or a list of Values), inputs and constants
  (the other leaves), intermediate values, and values whose gradient is exactly 0 (grey, dashed:
  a dead ReLU, a saturated sigmoid);
* for networks: each neuron (a ``dot`` node Σwx+b and the activation after it) is a cluster;
  ``level="neuron"`` or ``level="layer"`` collapses each neuron or layer into one box that
  lists the parameters' gradients.

Whether gradients exist (``grads_computed``): the engine has no "backward has run" flag, so by
default it is inferred from what backward leaves behind. A node made by an operation starts at
grad 0 and backward always writes 1 into the root it is called on, so gradients count as
computed when the root's gradient or any operation node's gradient is non-zero. This cannot
tell "never ran" from "ran, and every gradient in this subgraph is exactly 0" (possible only when
drawing part of a larger graph): pass ``grads_computed=True`` there. Leaves are ignored on
purpose, because parameters keep gradients from an earlier backward until ``zero_grad()``.

The graphviz package is imported only inside the functions that need it.
"""

from __future__ import annotations

import html
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from . import ops
from .engine import Value, dot, topo_order
from .fileio import atomic_write_bytes, atomic_write_text

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "BackwardStep",
    "Contribution",
    "GraphvizNotFound",
    "backward_steps",
    "draw_dot",
    "example_graph",
    "render",
    "render_backward",
    "to_mermaid",
]

Level = Literal["value", "neuron", "layer"]
LEVELS: tuple[str, ...] = ("value", "neuron", "layer")
RANKDIRS: tuple[str, ...] = ("LR", "TB", "RL", "BT")
FORMATS: tuple[str, ...] = ("svg", "png", "pdf")

INSTALL_HINT = (
    "Install Graphviz (the program, not only the Python package) and try again:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "draw_dot() and to_mermaid() work without it."
)


class GraphvizNotFound(RuntimeError):
    """The Graphviz ``dot`` program is not installed; the DOT source was written instead."""

    def __init__(self, message: str, dot_path: Path) -> None:
        super().__init__(message)
        self.dot_path = dot_path


class _NamedParameters(Protocol):
    def named_parameters(self) -> Iterator[tuple[str, Value]]: ...


ParamSource = _NamedParameters | Mapping[str, Value] | Iterable[Value] | None

# Fill colours by role; "zero" overrides the role (the name in the box still tells the role).
_FILL: dict[str, str] = {
    "root": "#f4cccc",
    "param": "#d9ead3",
    "input": "#cfe2f3",
    "value": "#ffffff",
    "neuron": "#d9d2e9",
    "layer": "#d9d2e9",
    "zero": "#e6e6e6",
    "op": "#fff2cc",
}
_LEGEND: dict[str, str] = {
    "root": "root (loss)",
    "param": "parameter",
    "input": "input or constant (leaf)",
    "value": "intermediate value",
    "neuron": "neuron (collapsed)",
    "layer": "layer (collapsed)",
    "zero": "gradient exactly 0",
}
_HIGHLIGHT = "#e69138"
_EDGE_TEXT = "#1155cc"
_FONT = "Helvetica"
_ACTIVATIONS = {ops.relu: "relu", ops.tanh: "tanh", ops.sigmoid_: "sigmoid"}
_MAX_TERMS = 6  # a gradient summed over more paths than this shows the first few


# --------------------------------------------------------------------------- formatting
def _fmt(x: float, precision: int) -> str:
    """``x`` with ``precision`` significant digits; no '-0'."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{precision}g}"
    return "0" if text == "-0" else text


def _sum_expr(terms: Sequence[float], precision: int) -> str:
    """'1.5 + 2 - 0.25' (the first terms only when there are many)."""
    shown = terms if len(terms) <= _MAX_TERMS else terms[: _MAX_TERMS - 1]
    text = _fmt(shown[0], precision)
    for t in shown[1:]:
        text += f" - {_fmt(-t, precision)}" if t < 0 else f" + {_fmt(t, precision)}"
    if len(terms) > len(shown):
        text += f" + … ({len(terms)} paths)"
    return text


def _grad_sum_text(terms: Sequence[float], total: float, precision: int) -> str:
    """'grad 3.5' for one path, 'grad 1.5 + 2 = 3.5' for several."""
    if len(terms) < 2:
        return f"grad {_fmt(total, precision)}"
    s = 0.0
    for t in terms:
        s += t
    expr = _sum_expr(terms, precision)
    if math.isclose(s, total, rel_tol=1e-9, abs_tol=1e-300) or (
        math.isnan(s) and math.isnan(total)
    ):
        return f"grad {expr} = {_fmt(total, precision)}"
    # Paths outside this drawing, or a leaf's gradient kept from an earlier backward.
    return f"grad {_fmt(total, precision)} (paths drawn here: {expr})"


# --------------------------------------------------------------------------- the graph
@dataclass
class _Graph:
    """A root's nodes in topological order and, for each node, the (child, position) pairs
    that use it, in the order backward visits them."""

    root: Value
    order: list[Value]
    index: dict[Value, int]
    consumers: dict[Value, list[tuple[Value, int]]]


def _analyse(root: Value) -> _Graph:
    order = topo_order(root)
    index = {v: i for i, v in enumerate(order)}
    consumers: dict[Value, list[tuple[Value, int]]] = {v: [] for v in order}
    for child in reversed(order):
        for pos, parent in enumerate(child.parents):
            consumers[parent].append((child, pos))
    return _Graph(root, order, index, consumers)


def _check_root(root: object, where: str) -> Value:
    if not isinstance(root, Value):
        hint = (
            "; for several outputs draw their sum, vsum(outputs)" if isinstance(root, list) else ""
        )
        raise TypeError(f"{where}: expected a Value as the root, got {type(root).__name__}{hint}")
    return root


def _param_names(params: ParamSource, where: str) -> dict[Value, str]:
    """{parameter: name} from a module, a {name: Value} mapping or an iterable of Values."""
    if params is None:
        return {}
    pairs: Iterable[tuple[str, object]]
    if hasattr(params, "named_parameters"):
        pairs = params.named_parameters()
    elif isinstance(params, Mapping):
        pairs = params.items()
    else:
        pairs = ((getattr(p, "label", ""), p) for p in params)
    names: dict[Value, str] = {}
    for name, p in pairs:
        if not isinstance(p, Value):
            raise TypeError(f"{where}: params must hold Values, got {type(p).__name__} ({p!r})")
        names.setdefault(p, name)
    return names


def _grads_reached(graph: _Graph) -> bool:
    """True if a backward pass has written gradients into this graph (see the module doc)."""
    if graph.root.grad != 0.0:
        return True
    return any(v.grad != 0.0 for v in graph.order if v.parents)


# --------------------------------------------------------------------------- gradient views
class _GradView(Protocol):
    def value(self, node: Value) -> float | None: ...  # None: not known (yet)
    def text(self, node: Value) -> str: ...  # the box's grad field
    def zero(self, node: Value) -> bool: ...  # known, final and exactly 0


class _StoredGrads:
    """The gradients the Values hold (after backward), or "not computed yet"."""

    def __init__(self, graph: _Graph, computed: bool, precision: int) -> None:
        self.graph = graph
        self.computed = computed
        self.precision = precision

    def value(self, node: Value) -> float | None:
        return node.grad if self.computed else None

    def text(self, node: Value) -> str:
        if not self.computed:
            if node.is_leaf and node.grad != 0.0:
                held = _fmt(node.grad, self.precision)
                return f"grad: not computed yet (holds {held} from an earlier backward)"
            return "grad: not computed yet"
        terms = [child.local_grads[pos] * child.grad for child, pos in self.graph.consumers[node]]
        return _grad_sum_text(terms, node.grad, self.precision)

    def zero(self, node: Value) -> bool:
        return self.computed and node.grad == 0.0


class _FrameGrads:
    """The gradients known part-way through backward (for render_backward's frames)."""

    def __init__(self, graph: _Graph, precision: int) -> None:
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
            return _grad_sum_text(terms, self.acc[node], self.precision)
        n = len(self.graph.consumers[node])
        so_far = _fmt(self.acc[node], self.precision)
        if len(terms) > 1:
            so_far = f"{_sum_expr(terms, self.precision)} = {so_far}"
        return f"grad so far {so_far} ({len(terms)} of {n} paths)"

    def zero(self, node: Value) -> bool:
        return self.complete(node) and self.acc[node] == 0.0


# --------------------------------------------------------------------------- neurons
@dataclass
class _Neuron:
    """A ``dot`` node (Σwx+b) and the activation applied to it, if any."""

    key: int
    name: str
    layer: str
    pre: Value  # the dot node
    out: Value  # the activation's output (the dot node itself when linear)
    activation: str
    n: int  # number of weights
    members: list[Value] = field(default_factory=list)  # values drawn inside the neuron

    @property
    def weights(self) -> tuple[Value, ...]:
        return self.pre.parents[: self.n]

    @property
    def bias(self) -> Value:
        return self.pre.parents[2 * self.n]

    def local_to_out(self, pos: int) -> float:
        """∂out/∂(the dot node's parent at ``pos``): the dot's local gradient × activation's."""
        act = self.out.local_grads[0] if self.out is not self.pre else 1.0
        return self.pre.local_grads[pos] * act


def _find_neurons(graph: _Graph, names: dict[Value, str]) -> list[_Neuron]:
    neurons: list[_Neuron] = []
    seen: dict[str, int] = {}
    claimed: set[Value] = set()
    for node in graph.order:
        if node.primitive is not ops.dot:
            continue
        n = (len(node.parents) - 1) // 2
        users = graph.consumers[node]
        out, activation = node, "linear"
        after = users[0][0].primitive if len(users) == 1 else None
        if after is not None and after in _ACTIVATIONS:
            out, activation = users[0][0], _ACTIVATIONS[after]
        bias = node.parents[2 * n]
        bias_name = names.get(bias) or bias.label
        # Names like layers.1.neurons.3.b: the neuron is what precedes ".b".
        if bias_name.endswith(".b"):
            name = bias_name[:-2]
        elif bias_name == "b":
            name = "neuron"
        else:
            name = f"neuron {len(neurons)}"
        if ".neurons." in name:
            layer = name.rsplit(".neurons.", 1)[0]
        elif name.startswith("neurons."):
            layer = "layer"
        else:
            layer = name
        # A batch calls each neuron once per example: number the repeats (and their layers).
        count = seen[name] = seen.get(name, 0) + 1
        if count > 1:
            name, layer = f"{name} #{count}", f"{layer} #{count}"
        nrn = _Neuron(len(neurons), name, layer, node, out, activation, n)
        nrn.members = [node] if out is node else [node, out]
        for p in (*node.parents[:n], bias):
            if p.is_leaf and p not in claimed:
                claimed.add(p)
                nrn.members.append(p)
        neurons.append(nrn)
    return neurons


def _relative(name: str, prefix: str) -> str:
    return name[len(prefix) + 1 :] if name.startswith(prefix + ".") else name


# --------------------------------------------------------------------------- scenes
@dataclass
class _Box:
    id: str
    role: str  # a key of _FILL
    fields: list[list[str]]  # each field: one or more lines
    tooltip: str = ""
    zero: bool = False
    highlight: bool = False
    cluster: str | None = None
    op: bool = False  # a small operation node showing fields[0][0]
    wide: bool = False  # fields side by side (a value) rather than stacked (a neuron)


@dataclass
class _Link:
    src: str
    dst: str
    label: str = ""
    tooltip: str = ""
    highlight: bool = False


@dataclass
class _Scene:
    rankdir: str
    boxes: list[_Box] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)  # id -> label, in order
    notes: list[str] = field(default_factory=list)


@dataclass
class _Options:
    rankdir: str
    show_grad: bool
    show_local_grads: bool
    level: str
    clusters: bool
    precision: int


@dataclass
class _Focus:
    """What a step frame highlights: the node whose gradient is being passed on."""

    node: Value
    upstream: float
    edges: bool = True  # False for the seed frame: nothing has been passed on yet


def _validate(where: str, rankdir: str, level: str, precision: int) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"{where}: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if level not in LEVELS:
        raise ValueError(f"{where}: level must be one of {', '.join(LEVELS)}, got {level!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"{where}: precision must be an int in 1..17, got {precision!r}")


def _build_scene(
    graph: _Graph,
    names: dict[Value, str],
    view: _GradView,
    opt: _Options,
    focus: _Focus | None = None,
) -> _Scene:
    scene = _Scene(opt.rankdir)
    neurons = _find_neurons(graph, names) if (opt.clusters or opt.level != "value") else []
    if opt.level != "value" and neurons:
        _collapsed(scene, graph, names, view, opt, neurons)
    else:
        _full(scene, graph, names, view, opt, neurons if opt.clusters else [], focus)
    return scene


def _value_name(v: Value, graph: _Graph, names: dict[Value, str]) -> str:
    return names.get(v) or v.label or f"v{graph.index[v]}"


def _value_box(
    v: Value,
    graph: _Graph,
    names: dict[Value, str],
    view: _GradView,
    opt: _Options,
    title: str | None = None,
) -> _Box:
    i = graph.index[v]
    role = (
        "root" if v is graph.root else "param" if v in names else "input" if v.is_leaf else "value"
    )
    fields: list[list[str]] = []
    title = title or names.get(v) or v.label
    if title:
        fields.append([title])
    fields.append([f"data {_fmt(v.data, opt.precision)}"])
    if opt.show_grad:
        fields.append([view.text(v)])
    g = view.value(v)
    tooltip = f"{_value_name(v, graph, names)}: data = {v.data!r}, " + (
        f"grad = {g!r}" if g is not None else "grad not computed yet"
    )
    zero = opt.show_grad and view.zero(v) and v is not graph.root
    return _Box(f"v{i}", role, fields, tooltip, zero=zero, wide=True)


def _op_box(v: Value, graph: _Graph) -> _Box:
    prim = v.primitive
    assert prim is not None
    return _Box(f"op{graph.index[v]}", "op", [[prim.symbol]], tooltip=prim.doc, op=True)


def _full(
    scene: _Scene,
    graph: _Graph,
    names: dict[Value, str],
    view: _GradView,
    opt: _Options,
    neurons: list[_Neuron],
    focus: _Focus | None,
) -> None:
    cluster_of: dict[Value, str] = {}
    titles: dict[Value, str] = {}  # parameters inside a neuron's cluster: names relative to it
    for nrn in neurons:
        cid = f"cluster_neuron{nrn.key}"
        scene.clusters[cid] = f"{nrn.name} ({nrn.activation})"
        base = nrn.name.split(" #")[0]
        for m in nrn.members:
            cluster_of[m] = cid
            name = names.get(m) or m.label
            if m.is_leaf and name:
                titles[m] = _relative(name, base)
    p = opt.precision
    for v in graph.order:
        box = _value_box(v, graph, names, view, opt, titles.get(v))
        box.cluster = cluster_of.get(v)
        box.highlight = focus is not None and v is focus.node
        scene.boxes.append(box)
        if v.parents:
            op = _op_box(v, graph)
            op.cluster = box.cluster
            op.highlight = box.highlight
            scene.boxes.append(op)
    for v in graph.order:
        if not v.parents:
            continue
        i = graph.index[v]
        hot = focus is not None and v is focus.node and focus.edges
        for parent, local in zip(v.parents, v.local_grads):
            label = ""
            if opt.show_local_grads:
                label = _fmt(local, p)
                if hot:
                    assert focus is not None
                    label = (
                        f"{label} × {_fmt(focus.upstream, p)} = {_fmt(local * focus.upstream, p)}"
                    )
            tip = (
                f"∂{_value_name(v, graph, names)}/∂{_value_name(parent, graph, names)} = {local!r}"
            )
            scene.links.append(_Link(f"v{graph.index[parent]}", f"op{i}", label, tip, hot))
        scene.links.append(_Link(f"op{i}", f"v{i}", highlight=hot))
    if opt.show_local_grads:
        scene.notes.append("edge label: local gradient ∂out/∂in")


def _collapsed(
    scene: _Scene,
    graph: _Graph,
    names: dict[Value, str],
    view: _GradView,
    opt: _Options,
    neurons: list[_Neuron],
) -> None:
    p = opt.precision
    rep: dict[Value, str] = {}  # value -> id of the box that stands for it
    boxes: dict[str, _Box] = {}
    first_member: dict[Value, str] = {}

    def grad_only(v: Value) -> str:
        g = view.value(v)
        return "?" if g is None else _fmt(g, p)

    def short(v: Value) -> str:
        return f"grad {grad_only(v)}"

    def param_line(nrn: _Neuron, v: Value, default: str) -> str:
        name = _relative(names.get(v) or v.label or default, nrn.name.split(" #")[0])
        return f"{name} = {_fmt(v.data, p)}, {short(v)}"

    def dead(nrn: _Neuron) -> bool:
        params = (*nrn.weights, nrn.bias)
        return opt.show_grad and all(view.zero(q) for q in params)

    if opt.level == "neuron":
        for nrn in neurons:
            bid = f"neuron{nrn.key}"
            lines = [param_line(nrn, w, f"w.{k}") for k, w in enumerate(nrn.weights)]
            lines.append(param_line(nrn, nrn.bias, "b"))
            out = f"out {_fmt(nrn.out.data, p)}" + (f", {short(nrn.out)}" if opt.show_grad else "")
            fields = [[f"{nrn.name} · {nrn.activation}"], [out], lines]
            tip = f"{nrn.name}: {nrn.activation}(Σ wᵢxᵢ + b) = {nrn.out.data!r}"
            boxes[bid] = _Box(bid, "neuron", fields, tip, zero=dead(nrn))
            for m in nrn.members:
                rep[m] = bid
            first_member[nrn.members[0]] = bid
    else:
        layers: dict[str, list[_Neuron]] = {}
        for nrn in neurons:
            layers.setdefault(nrn.layer, []).append(nrn)
        for k, (layer, members) in enumerate(layers.items()):
            bid = f"layer{k}"
            acts = sorted({m.activation for m in members})
            lines = []
            for nrn in members:
                rel = _relative(nrn.name.split(" #")[0], layer.split(" #")[0])
                line = f"{rel}: out {_fmt(nrn.out.data, p)}"
                if opt.show_grad:
                    wg = ", ".join(grad_only(w) for w in nrn.weights)
                    line += f", {short(nrn.out)}; ∂w [{wg}], ∂b {grad_only(nrn.bias)}"
                lines.append(line)
            title = f"{layer} · {len(members)} neurons · {', '.join(acts)}"
            zero = all(dead(m) for m in members)
            boxes[bid] = _Box(bid, "layer", [[title], lines], title, zero=zero)
            for nrn in members:
                for m in nrn.members:
                    rep[m] = bid
            first_member[members[0].members[0]] = bid

    def source(v: Value) -> str:
        return rep.get(v) or f"v{graph.index[v]}"

    # Boxes in topological order: a collapsed box where its first member would be.
    for v in graph.order:
        if v in first_member:
            scene.boxes.append(boxes[first_member[v]])
        if v in rep:
            continue
        scene.boxes.append(_value_box(v, graph, names, view, opt))
        if v.parents:
            scene.boxes.append(_op_box(v, graph))

    # (source, destination) -> the local gradient of each connection, in order
    edges: dict[tuple[str, str], list[float]] = {}
    by_pre = {nrn.pre: nrn for nrn in neurons}
    for v in graph.order:
        if v in by_pre:
            nrn = by_pre[v]
            dst = rep[nrn.out]
            for pos, parent in enumerate(v.parents):
                if rep.get(parent) == dst:
                    continue  # the neuron's own parameters, listed inside its box
                edges.setdefault((source(parent), dst), []).append(nrn.local_to_out(pos))
        if v in rep or not v.parents:
            continue
        i = graph.index[v]
        for parent, local in zip(v.parents, v.local_grads):
            edges.setdefault((source(parent), f"op{i}"), []).append(local)
        edges[(f"op{i}", f"v{i}")] = []
    show = opt.show_local_grads
    for (src, dst), locals_ in edges.items():
        if not locals_:
            scene.links.append(_Link(src, dst))
        elif dst.startswith("layer") and len(locals_) > 1:
            # Between layers one arrow stands for all the weights.
            scene.links.append(_Link(src, dst, f"{len(locals_)} connections" if show else ""))
        else:
            for local in locals_:
                scene.links.append(_Link(src, dst, _fmt(local, p) if show else ""))
    if show:
        scene.notes.append("edge label: local gradient ∂out/∂in (through the activation)")


# --------------------------------------------------------------------------- emitters
def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError:  # pragma: no cover - graphviz is a dependency
        raise ImportError(
            "tinygrad_edu.viz needs the graphviz Python package: pip install graphviz"
        ) from None
    return graphviz


def _esc(text: str) -> str:
    """Escape a record field's text (braces, bars and angle brackets are record syntax)."""
    out = text.replace("\\", "\\\\").replace("\n", " ")
    for ch in "{}|<>":
        out = out.replace(ch, "\\" + ch)
    return out


def _record(box: _Box, rankdir: str) -> str:
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


def _emit_box(target: Any, box: _Box, rankdir: str, gv: Any) -> None:
    attrs: dict[str, str] = {}
    if box.op:
        attrs = {"shape": "ellipse", "style": "filled", "fillcolor": _FILL["op"]}
        attrs.update({"fontsize": "10", "margin": "0.04,0.02", "height": "0.3", "width": "0.3"})
        label = gv.nohtml(box.fields[0][0])
    else:
        fill = _FILL["zero"] if box.zero else _FILL[box.role]
        style = "filled,dashed" if box.zero else "filled"
        attrs = {"shape": "record", "style": style, "fillcolor": fill}
        if box.zero:
            attrs["fontcolor"] = "#555555"
        label = gv.nohtml(_record(box, rankdir))
    if box.highlight:
        attrs.update({"color": _HIGHLIGHT, "penwidth": "3"})
    if box.tooltip:
        attrs["tooltip"] = gv.nohtml(box.tooltip)
    target.node(box.id, label, **attrs)


def _to_digraph(scene: _Scene, legend: bool) -> graphviz.Digraph:
    gv = _import_graphviz()
    g = gv.Digraph(
        "tinygrad_edu",
        graph_attr={
            "rankdir": scene.rankdir,
            "fontname": _FONT,
            "nodesep": "0.25",
            "ranksep": "0.4",
        },
        node_attr={"fontname": _FONT, "fontsize": "11", "height": "0.3"},
        edge_attr={"fontname": _FONT, "fontsize": "9", "fontcolor": _EDGE_TEXT, "arrowsize": "0.6"},
    )
    for box in scene.boxes:
        if box.cluster is None:
            _emit_box(g, box, scene.rankdir, gv)
    for cid, label in scene.clusters.items():
        with g.subgraph(name=cid) as sub:
            sub.attr(label=gv.nohtml(label), style="rounded,dashed", color="#999999")
            sub.attr(fontsize="10", fontcolor="#555555")
            for box in scene.boxes:
                if box.cluster == cid:
                    _emit_box(sub, box, scene.rankdir, gv)
    for link in scene.links:
        attrs: dict[str, str] = {}
        if link.label:
            attrs["label"] = gv.nohtml(link.label)
        if link.tooltip:
            attrs["tooltip"] = gv.nohtml(link.tooltip)
        if link.highlight:
            attrs.update({"color": _HIGHLIGHT, "penwidth": "2.5", "fontcolor": "#b45f06"})
        g.edge(link.src, link.dst, **attrs)
    if legend:
        _emit_legend(g, scene, gv)
    return g


def _roles_present(scene: _Scene) -> list[str]:
    present = {b.role for b in scene.boxes if not b.op and not b.zero}
    if any(b.zero for b in scene.boxes):
        present.add("zero")
    return [r for r in _LEGEND if r in present]


def _emit_legend(g: Any, scene: _Scene, gv: Any) -> None:
    with g.subgraph(name="cluster_legend") as sub:
        sub.attr(label="legend", style="rounded", color="#bbbbbb", fontsize="10")
        ids = []
        for role in _roles_present(scene):
            attrs = {"shape": "box", "style": "filled", "fillcolor": _FILL[role], "fontsize": "9"}
            if role == "zero":
                attrs["style"] = "filled,dashed"
            ids.append(f"legend_{role}")
            sub.node(ids[-1], gv.nohtml(_LEGEND[role]), **attrs)
        for k, note in enumerate(scene.notes):
            ids.append(f"legend_note{k}")
            sub.node(ids[-1], gv.nohtml(note), shape="plaintext", fontsize="9")
        # Unconnected nodes line up across the flow (a tall column beside a wide LR graph);
        # a chain of invisible edges lines them up along it, which fits the picture better.
        for a, b in itertools.pairwise(ids):
            sub.edge(a, b, style="invis")


def _mermaid_text(text: str) -> str:
    text = text.replace("\r", " ").replace("\n", " ")  # a line break would end the statement
    for ch, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(ch, code)
    return text


def _to_mermaid(scene: _Scene) -> str:
    out = [f"flowchart {scene.rankdir}"]

    def node_line(box: _Box, indent: str) -> str:
        if box.op:
            return f'{indent}{box.id}(("{_mermaid_text(box.fields[0][0])}"))'
        text = "<br/>".join(_mermaid_text(line) for lines in box.fields for line in lines)
        return f'{indent}{box.id}["{text}"]'

    for box in scene.boxes:
        if box.cluster is None:
            out.append(node_line(box, "    "))
    for cid, label in scene.clusters.items():
        out.append(f'    subgraph {cid}["{_mermaid_text(label)}"]')
        out.extend(node_line(b, "        ") for b in scene.boxes if b.cluster == cid)
        out.append("    end")
    for link in scene.links:
        if link.label:
            out.append(f'    {link.src} -->|"{_mermaid_text(link.label)}"| {link.dst}')
        else:
            out.append(f"    {link.src} --> {link.dst}")
    classes: dict[str, list[str]] = {}
    for box in scene.boxes:
        cls = "op" if box.op else "zero" if box.zero else box.role
        classes.setdefault(cls, []).append(box.id)
    for cls, ids in classes.items():
        dash = ",stroke-dasharray:4 3" if cls == "zero" else ""
        out.append(f"    classDef {cls} fill:{_FILL[cls]},stroke:#333333{dash}")
        out.append(f"    class {','.join(ids)} {cls}")
    for note in scene.notes:
        out.append(f"    %% {note}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- public API
def _scene_for(
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
) -> _Scene:
    value = _check_root(root, where)
    _validate(where, rankdir, level, precision)
    graph = _analyse(value)
    names = _param_names(params, where)
    computed = _grads_reached(graph) if grads_computed is None else bool(grads_computed)
    view = _StoredGrads(graph, computed, precision)
    opt = _Options(rankdir, show_grad, show_local_grads, level, clusters, precision)
    scene = _build_scene(graph, names, view, opt)
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
    (one box per neuron or layer of an MLP). ``precision``: significant digits.
    ``grads_computed``: None infers it (see the module docstring); False draws "not computed yet".
    """
    scene = _scene_for(
        "draw_dot", root, rankdir=rankdir, show_grad=show_grad,
        show_local_grads=show_local_grads, params=params, level=level, clusters=clusters,
        precision=precision, grads_computed=grads_computed,
    )  # fmt: skip
    return _to_digraph(scene, legend)


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
    """The same drawing as ``draw_dot`` as Mermaid flowchart text (no program needed)."""
    scene = _scene_for(
        "to_mermaid", root, rankdir=rankdir, show_grad=show_grad,
        show_local_grads=show_local_grads, params=params, level=level, clusters=clusters,
        precision=precision, grads_computed=grads_computed,
    )  # fmt: skip
    return _to_mermaid(scene)


def _output_path(where: str, path: str | Path, format: str | None) -> tuple[Path, str]:
    out = Path(path)
    if out.name in ("", ".", "..") or out.is_dir():
        raise ValueError(f"{where}: {str(path)!r} is a folder; give a file name such as graph.svg")
    suffix = out.suffix.lstrip(".").lower()
    if format is None:
        format = suffix or "svg"
    if format not in FORMATS:
        raise ValueError(f"{where}: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if not suffix:
        out = out.with_suffix("." + format)
    elif suffix != format:
        raise ValueError(
            f"{where}: the path {str(out)!r} does not end in .{format} (format={format!r})"
        )
    return out, format


def _dot_to(source: str, fmt: str, out: Path, where: str) -> None:
    """Run ``dot`` on ``source``; without the program, write ``out``.dot and raise."""
    gv = _import_graphviz()
    dot_path = out.with_suffix(".dot")
    try:
        data = gv.pipe("dot", fmt, source.encode("utf-8"), quiet=True)
    except gv.ExecutableNotFound:
        atomic_write_text(dot_path, source, where)
        raise GraphvizNotFound(
            f"{where}: the Graphviz program 'dot' was not found on PATH, so {out.name} was not "
            f"made.\nThe DOT source was written to {dot_path.resolve()}\n"
            f"(render it later with: dot -T{fmt} {dot_path.name} -o {out.name}).\n" + INSTALL_HINT,
            dot_path,
        ) from None
    except gv.CalledProcessError as err:
        atomic_write_text(dot_path, source, where)
        raise RuntimeError(
            f"{where}: dot failed ({err}); the DOT source is in {dot_path.resolve()}"
        ) from None
    atomic_write_bytes(out, data, where)


def render(root: Value, path: str | Path, format: str | None = None, **options: Any) -> Path:
    """Draw ``root`` (options as ``draw_dot``) into ``path``: svg, png or pdf; returns the path.

    The format comes from ``format`` or the path's suffix (default svg). Without the ``dot``
    program, writes the DOT source next to ``path`` and raises ``GraphvizNotFound``.
    """
    out, fmt = _output_path("render", path, format)
    graph = draw_dot(root, **options)
    out.parent.mkdir(parents=True, exist_ok=True)
    _dot_to(graph.source, fmt, out, "render")
    return out


# --------------------------------------------------------------------------- step by step
@dataclass(frozen=True, eq=False)
class Contribution:
    """One edge of a backward step: ``parent.grad += local × upstream``."""

    parent: Value
    position: int  # index of the parent in node.parents
    local: float  # ∂node/∂parent
    contribution: float  # local × upstream
    total: float  # the parent's gradient so far, this contribution included


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """Backward at one node: its gradient (upstream) passed on to each parent."""

    index: int
    node: Value
    upstream: float  # ∂root/∂node, final when the node is reached
    contributions: tuple[Contribution, ...]


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """Replay ``root.backward()`` one node at a time, in its order, without touching ``.grad``.

    Gradients start from 0, so the final totals equal what ``backward()`` leaves in fresh leaves
    (it adds them to whatever a leaf held). Nodes with no parents have nothing to pass on and
    are not steps, except a leaf root (one step, no contributions).
    """
    root = _check_root(root, "backward_steps")
    order = topo_order(root)
    grads: dict[Value, float] = {root: 1.0}
    k = 0
    for node in reversed(order):
        if not node.parents and node is not root:
            continue
        g = grads.get(node, 0.0)
        contributions = []
        for pos, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            c = local * g
            total = grads.get(parent, 0.0) + c  # as backward: parent.grad += local * g
            grads[parent] = total
            contributions.append(Contribution(parent, pos, local, c, total))
        yield BackwardStep(k, node, g, tuple(contributions))
        k += 1


def _caption(step: BackwardStep, graph: _Graph, names: dict[Value, str], p: int) -> str:
    node = _value_name(step.node, graph, names)
    op = step.node.op or "leaf"
    parts = [
        f"{_value_name(c.parent, graph, names)}.grad += {_fmt(c.local, p)} × "
        f"{_fmt(step.upstream, p)} = {_fmt(c.contribution, p)} → {_fmt(c.total, p)}"
        for c in step.contributions
    ]
    head = f"Step {step.index + 1}: at {node} ({op}), ∂root/∂{node} = {_fmt(step.upstream, p)}"
    return head + (". " + "; ".join(parts) if parts else ", nothing to pass on (a leaf)")


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Backward, step by step</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; }}
#controls {{ display: flex; align-items: center; gap: 0.6em; }}
#slider {{ width: 24em; }}
#caption {{ min-height: 3em; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
</style>
</head>
<body>
<h1>Backward, step by step</h1>
<p>Each step takes one node's gradient (its <em>upstream</em> ∂root/∂node) and adds
local gradient × upstream to each parent. Highlighted: the node being processed and its edges.
Use the slider or the arrow keys.</p>
<div id="controls">
<button id="prev" type="button">&#9664;</button>
<input id="slider" type="range" min="0" max="{last}" value="0" step="1">
<button id="next" type="button">&#9654;</button>
<span id="counter"></span>
</div>
<p id="caption"></p>
<img id="frame" src="{first}" alt="computation graph frame">
<script>
const frames = {frames};
const captions = {captions};
const slider = document.getElementById("slider");
function show(i) {{
  i = Math.max(0, Math.min(frames.length - 1, i));
  slider.value = i;
  document.getElementById("frame").src = frames[i];
  document.getElementById("caption").textContent = captions[i];
  document.getElementById("counter").textContent = (i + 1) + " / " + frames.length;
}}
slider.addEventListener("input", () => show(Number(slider.value)));
document.getElementById("prev").addEventListener("click", () => show(Number(slider.value) - 1));
document.getElementById("next").addEventListener("click", () => show(Number(slider.value) + 1));
document.addEventListener("keydown", (e) => {{
  if (e.key === "ArrowLeft") show(Number(slider.value) - 1);
  if (e.key === "ArrowRight") show(Number(slider.value) + 1);
}});
show(0);
</script>
</body>
</html>
"""


def _js(data: object) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def render_backward(
    root: Value,
    folder: str | Path,
    *,
    params: ParamSource = None,
    rankdir: str = "LR",
    precision: int = 4,
    format: str = "svg",
    clusters: bool = True,
) -> Path:
    """One picture per backward step in ``folder`` plus ``index.html`` (a slider); returns it.

    Frame 0 is the seed ∂root/∂root = 1; frame k shows the state after step k of
    ``backward_steps`` (current node and its edges highlighted, each edge labelled
    local × upstream = contribution, partial sums marked "so far"). Does not touch ``.grad``.
    """
    value = _check_root(root, "render_backward")
    _validate("render_backward", rankdir, "value", precision)
    if format not in FORMATS:
        raise ValueError(
            f"render_backward: format must be one of {', '.join(FORMATS)}, got {format!r}"
        )
    out_dir = Path(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    graph = _analyse(value)
    names = _param_names(params, "render_backward")
    opt = _Options(rankdir, True, True, "value", clusters, precision)
    state = _FrameGrads(graph, precision)
    steps = list(backward_steps(value))
    seed = _build_scene(graph, names, state, opt, _Focus(value, 1.0, edges=False))
    seed.notes.append("orange: the seed, d(root)/d(root) = 1")
    sources = [_to_digraph(seed, True).source]
    root_name = _value_name(value, graph, names)
    captions = [f"Seed: ∂root/∂{root_name} = 1. Every other gradient is still unknown (?)."]
    for step in steps:
        state.add(step)
        scene = _build_scene(graph, names, state, opt, _Focus(step.node, step.upstream))
        scene.notes.append("orange: this step; its edges read local × upstream = contribution")
        sources.append(_to_digraph(scene, True).source)
        captions.append(_caption(step, graph, names, precision))
    width = max(3, len(str(len(sources) - 1)))
    files = [f"frame_{k:0{width}d}.{format}" for k in range(len(sources))]
    page = _PAGE.format(
        last=len(files) - 1, first=html.escape(files[0]), frames=_js(files), captions=_js(captions)
    )
    index = out_dir / "index.html"
    atomic_write_text(index, page, "render_backward")
    for k, (name, source) in enumerate(zip(files, sources)):
        try:
            _dot_to(source, format, out_dir / name, "render_backward")
        except GraphvizNotFound:
            for later, src in zip(files[k + 1 :], sources[k + 1 :]):
                (out_dir / later).with_suffix(".dot").write_text(src, encoding="utf-8")
            raise
    return index


# --------------------------------------------------------------------------- example
def example_graph() -> tuple[Value, dict[str, Value]]:
    """The lesson's sigmoid neuron with loss ½(y − ŷ)², after backward, and its parameters.

    x = 0.5, w = 1.2, b = −0.8, y = 0: ŷ = σ(−0.2) ≈ 0.450166, L ≈ 0.101325,
    ∂L/∂w ≈ 0.055712, ∂L/∂b ≈ 0.111424. For the README::

        L, params = example_graph()
        render(L, "docs/graph.svg", params=params, rankdir="TB")
    """
    x = Value(0.5, "x")
    w = Value(1.2, "w")
    b = Value(-0.8, "b")
    y = Value(0.0, "y")
    z = dot([w], [x], b)
    z.label = "z"
    y_hat = z.sigmoid()
    y_hat.label = "ŷ"
    err = y - y_hat
    err.label = "y − ŷ"
    loss = Value(0.5, "½") * err**2
    loss.label = "L"
    loss.backward()
    return loss, {"w": w, "b": b}
