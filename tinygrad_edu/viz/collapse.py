"""Neurons found in a graph, and the neuron- and layer-level views that collapse them.

A neuron is a ``dot`` node (Σwx+b) and the activation applied to it. Which neuron of which
layer it is comes from the module's structure (``MLP.layers[i].neurons[j]``, ``Layer.neurons``,
a ``Neuron``'s ``.w``/``.b``), never from the text of parameter names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..engine import Value
from ..names import input_name
from ..nn import ACTIVATIONS
from .format import fmt, plural
from .graph import GradView, Graph
from .scene_types import Box, Link, Options, Scene

# nn's activations are primitives of the same name: one applied to Σwx+b belongs to the neuron.
_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name != "linear")


def _name(v: Value) -> str:
    prim = v.primitive
    return "" if prim is None else prim.name


@dataclass
class Neuron:
    """A ``dot`` node (Σwx+b) and the activation applied to it, if any."""

    key: int
    name: str
    layer: str
    pre: Value  # the dot node
    out: Value  # the activation's output (the dot node itself when linear)
    activation: str
    n: int  # number of weights
    members: list[Value] = field(default_factory=list)  # values drawn inside the neuron
    titles: dict[Value, str] = field(default_factory=dict)  # parameter -> name inside it

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


def _input_label(layer: str, k: int) -> str:
    """x[k] into an MLP's first layer, a<l>[k] into layer l + 1 (tinygrad_edu.names)."""
    found = re.match(r"layers\.(\d+)$", layer)
    return input_name(int(found.group(1)) if found else 0, k)


_Place = tuple[tuple[int, int], str, str]  # (sort key, neuron name, layer name)


def _neuron_modules(structure: object) -> list[tuple[tuple[int, int], str, str, object]]:
    """(key, name, layer, neuron module) for each neuron of an MLP, a Layer or a Neuron."""
    layers = getattr(structure, "layers", None)
    if isinstance(layers, list):
        return [
            ((i, j), f"layers.{i}.neurons.{j}", f"layers.{i}", n)
            for i, layer in enumerate(layers)
            for j, n in enumerate(getattr(layer, "neurons", []))
        ]
    neurons = getattr(structure, "neurons", None)
    if isinstance(neurons, list):
        return [((0, j), f"neurons.{j}", "layer", n) for j, n in enumerate(neurons)]
    if isinstance(getattr(structure, "b", None), Value):
        return [((0, 0), "neuron", "neuron", structure)]
    return []


def _places(structure: object) -> tuple[dict[Value, _Place], dict[Value, str]]:
    """{bias: place} and {parameter: its name inside its neuron} from the module's structure."""
    places: dict[Value, _Place] = {}
    titles: dict[Value, str] = {}
    for key, name, layer, module in _neuron_modules(structure):
        bias = getattr(module, "b", None)
        if not isinstance(bias, Value):
            continue
        places[bias] = (key, name, layer)
        titles[bias] = "b"
        for k, w in enumerate(getattr(module, "w", [])):
            if isinstance(w, Value):
                titles[w] = f"w.{k}"
    return places, titles


def find_neurons(graph: Graph, structure: object) -> list[Neuron]:
    """The graph's neurons, in the module's order (layer by layer), repeats numbered."""
    places, titles = _places(structure)
    found: list[tuple[tuple[int, int, int], Neuron]] = []
    seen: dict[str, int] = {}
    claimed: set[Value] = set()
    for node in graph.order:
        if _name(node) != "dot":
            continue
        n = (len(node.parents) - 1) // 2
        users = graph.consumers[node]
        out, activation = node, "linear"
        after = _name(users[0][0]) if len(users) == 1 else ""
        if after in _ACTIVATIONS:
            out, activation = users[0][0], after
        bias = node.parents[2 * n]
        unknown = ((1 << 30, len(found)), f"neuron {len(found)}", f"neuron {len(found)}")
        key, name, layer = places.get(bias, unknown)
        # A batch calls each neuron once per example: number the repeats (and their layers).
        count = seen[name] = seen.get(name, 0) + 1
        if count > 1:
            name, layer = f"{name} #{count}", f"{layer} #{count}"
        nrn = Neuron(0, name, layer, node, out, activation, n)
        nrn.members = [node] if out is node else [node, out]
        for p in (*node.parents[:n], bias):
            if p.is_leaf and p not in claimed:
                claimed.add(p)
                nrn.members.append(p)
                if p in titles:
                    nrn.titles[p] = titles[p]
        found.append(((count, *key), nrn))
    found.sort(key=lambda pair: pair[0])
    neurons = [nrn for _, nrn in found]
    for k, nrn in enumerate(neurons):
        nrn.key = k
    return neurons


class _Collapser:
    """Builds the neuron- or layer-level scene: one box per neuron or layer."""

    def __init__(self, graph: Graph, names: dict[Value, str], view: GradView, opt: Options):
        self.graph, self.names, self.view, self.opt = graph, names, view, opt
        self.rep: dict[Value, str] = {}  # value -> id of the box that stands for it
        self.groups: list[list[Box]] = []  # boxes emitted together, layer by layer
        self.first: dict[Value, int] = {}  # first member of a group -> the group

    def grad_only(self, v: Value) -> str:
        g = self.view.value(v)
        return "?" if g is None else fmt(g, self.opt.precision)

    def param_line(self, nrn: Neuron, v: Value, default: str) -> str:
        name = nrn.titles.get(v) or self.names.get(v) or v.label or default
        return f"{name} = {fmt(v.data, self.opt.precision)}, grad {self.grad_only(v)}"

    def dead(self, nrn: Neuron) -> bool:
        return self.opt.show_grad and all(self.view.zero(q) for q in (*nrn.weights, nrn.bias))

    def neuron_box(self, nrn: Neuron) -> Box:
        bid = f"neuron{nrn.key}"
        lines = [self.param_line(nrn, w, f"w.{k}") for k, w in enumerate(nrn.weights)]
        lines.append(self.param_line(nrn, nrn.bias, "b"))
        out = f"out {fmt(nrn.out.data, self.opt.precision)}"
        if self.opt.show_grad:
            out += f", grad {self.grad_only(nrn.out)}"
        fields = [[f"{nrn.name} · {nrn.activation}"], [out], lines]
        tip = f"{nrn.name}: {nrn.activation}(Σ wᵢxᵢ + b) = {nrn.out.data!r}"
        for m in nrn.members:
            self.rep[m] = bid
        return Box(bid, "neuron", fields, tip, zero=self.dead(nrn))

    def layer_box(self, k: int, layer: str, members: list[Neuron]) -> Box:
        bid = f"layer{k}"
        lines = []
        for j, nrn in enumerate(members):
            line = f"neurons.{j}: out {fmt(nrn.out.data, self.opt.precision)}"
            if self.opt.show_grad:
                wg = ", ".join(self.grad_only(w) for w in nrn.weights)
                gb = self.grad_only(nrn.bias)
                line += f", grad {self.grad_only(nrn.out)}; ∂w [{wg}], ∂b {gb}"
            lines.append(line)
        acts = ", ".join(sorted({m.activation for m in members}))
        title = f"{layer} · {plural(len(members), 'neuron')} · {acts}"
        for nrn in members:
            for m in nrn.members:
                self.rep[m] = bid
        return Box(bid, "layer", [[title], lines], title, zero=all(self.dead(m) for m in members))

    def add_groups(self, neurons: list[Neuron]) -> None:
        layers: dict[str, list[Neuron]] = {}
        for nrn in neurons:
            layers.setdefault(nrn.layer, []).append(nrn)
        for k, (layer, members) in enumerate(layers.items()):
            if self.opt.level == "neuron":
                group = [self.neuron_box(nrn) for nrn in members]
            else:
                group = [self.layer_box(k, layer, members)]
            # Where the layer's first Σwx+b is computed (its parameters may come much earlier).
            first = min((nrn.pre for nrn in members), key=lambda v: self.graph.index[v])
            self.first[first] = len(self.groups)
            self.groups.append(group)

    def source(self, v: Value) -> str:
        return self.rep.get(v) or f"v{self.graph.index[v]}"

    def edges(self, neurons: list[Neuron]) -> dict[tuple[str, str], list[tuple[str, float]]]:
        """(source, destination) -> (which input, local gradient) of each connection."""
        edges: dict[tuple[str, str], list[tuple[str, float]]] = {}
        for nrn in neurons:  # in the module's order, so each input's edges are too
            dst = self.rep[nrn.out]
            for pos, parent in enumerate(nrn.pre.parents):
                if self.rep.get(parent) == dst:
                    continue  # the neuron's own parameters, listed inside its box
                # the input's name in the delta equations: x[k] into layer 1, a1[k] after it
                which = _input_label(nrn.layer, pos - nrn.n) if nrn.n <= pos < 2 * nrn.n else ""
                edges.setdefault((self.source(parent), dst), []).append(
                    (which, nrn.local_to_out(pos))
                )
        for v in self.graph.order:
            if v in self.rep or not v.parents:
                continue
            i = self.graph.index[v]
            for parent, local in zip(v.parents, v.local_grads):
                edges.setdefault((self.source(parent), f"op{i}"), []).append(("", local))
            edges[(f"op{i}", f"v{i}")] = []
        return edges


def collapsed(
    scene: Scene,
    graph: Graph,
    names: dict[Value, str],
    view: GradView,
    opt: Options,
    neurons: list[Neuron],
    value_box: Callable[[Value], Box],
    op_box: Callable[[Value], Box],
) -> None:
    """Fill ``scene`` with one box per neuron (or layer) and the values outside them."""
    c = _Collapser(graph, names, view, opt)
    c.add_groups(neurons)
    # Boxes in topological order; a layer's neurons together, in order, where it starts.
    for v in graph.order:
        if v in c.first:
            group = c.groups[c.first[v]]
            scene.boxes.extend(group)
            if len(group) > 1:
                scene.rows.append([b.id for b in group])
        if v in c.rep:
            continue
        scene.boxes.append(value_box(v))
        if v.parents:
            scene.boxes.append(op_box(v))
    show, p = opt.show_local_grads, opt.precision
    for (src, dst), locals_ in c.edges(neurons).items():
        if not locals_:
            scene.links.append(Link(src, dst))
        elif dst.startswith("layer") and len(locals_) > 1:
            # Between layers one arrow stands for all the weights.
            scene.links.append(Link(src, dst, f"{len(locals_)} connections" if show else ""))
        else:
            for which, local in locals_:
                text = f"{which}: {fmt(local, p)}" if which else fmt(local, p)
                scene.links.append(Link(src, dst, text if show else ""))
    if show:
        scene.notes.append(
            "edge label: local gradient ∂out/∂in (through the activation); "
            "xk: the neuron's k-th input"
        )
