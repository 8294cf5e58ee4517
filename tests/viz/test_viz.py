"""tinygrad_edu.viz: drawings rendered for real with the dot program and read back as SVG.

The numbers in the pictures are checked against closed forms written here (for
L = (a·b + c)·f and the lesson's sigmoid neuron) and against backward() itself; the DOT text of
a small graph is compared with a golden file (tests/data/viz_golden_small.dot).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from strategies import Dag, dags, leaves_for

from tinygrad_edu.engine import Value, topo_order
from tinygrad_edu.nn import MLP
from tinygrad_edu.viz import (
    GraphvizNotFound,
    backward_steps,
    draw_dot,
    example_graph,
    render,
    render_backward,
    to_mermaid,
)

DATA = Path(__file__).parents[1] / "data"
SVG = "{http://www.w3.org/2000/svg}"
# Drawings with precision=12 print 12 significant digits: read back, they agree to ~1e-12.
REL = 1e-11

PARAM_FILL = "#d9ead3"
INPUT_FILL = "#cfe2f3"
ROOT_FILL = "#f4cccc"
VALUE_FILL = "#ffffff"
ZERO_FILL = "#e6e6e6"
OP_FILL = "#fff2cc"
NEURON_FILL = "#d9d2e9"


# --------------------------------------------------------------------------- reading SVG
@dataclass
class SvgNode:
    texts: list[str]
    fill: str
    dashed: bool


@dataclass
class SvgGraph:
    nodes: dict[str, SvgNode] = field(default_factory=dict)  # title (node id) -> node
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (src, dst, label)
    clusters: dict[str, list[str]] = field(default_factory=dict)  # id -> its texts

    def by_title_text(self, first: str) -> str:
        """The id of the one node whose first text is ``first``."""
        found = [k for k, n in self.nodes.items() if n.texts and n.texts[0] == first]
        assert len(found) == 1, (first, found)
        return found[0]

    def drawn(self) -> dict[str, SvgNode]:
        """Nodes of the graph itself (without the legend)."""
        return {k: n for k, n in self.nodes.items() if not k.startswith("legend_")}


def parse_svg(data: bytes) -> SvgGraph:
    root = ET.fromstring(data)
    out = SvgGraph()
    for g in root.iter(f"{SVG}g"):
        cls = g.get("class")
        title_el = g.find(f"{SVG}title")
        if title_el is None or cls not in ("node", "edge", "cluster"):
            continue
        title = title_el.text or ""
        texts = [t.text or "" for t in g.iter(f"{SVG}text")]
        if cls == "node":
            shapes = [e for e in g.iter() if e.tag in (f"{SVG}polygon", f"{SVG}ellipse")]
            fill = shapes[0].get("fill", "") if shapes else ""  # plaintext nodes have none
            # a record's outline is its first shape; an HTML-like table draws its border last
            dashed = any(e.get("stroke-dasharray") is not None for e in shapes)
            out.nodes[title] = SvgNode(texts, fill, dashed)
        elif cls == "edge":
            src, dst = title.split("->")
            out.edges.append((src, dst, " ".join(texts)))
        else:
            out.clusters[title] = texts
    return out


def svg_of(root: Value, tmp_path: Path, name: str = "g", **options: object) -> SvgGraph:
    path = render(root, tmp_path / f"{name}.svg", **options)  # type: ignore[arg-type]
    return parse_svg(path.read_bytes())


def grad_total(text: str) -> float:
    """The gradient a 'grad …' field shows: the number after the last '=' or after 'grad'."""
    assert text.startswith("grad "), text
    return float(text.rsplit(" = ", 1)[-1] if " = " in text else text[5:])


def field_of(node: SvgNode, prefix: str) -> str:
    hits = [t for t in node.texts if t.startswith(prefix)]
    assert len(hits) == 1, (prefix, node.texts)
    return hits[0]


# --------------------------------------------------------------------------- graphs
def abcf() -> tuple[Value, dict[str, Value]]:
    """L = (a·b + c)·f with e = a·b, d = e + c."""
    a, b, c, f = Value(1.5, "a"), Value(-0.4, "b"), Value(2.25, "c"), Value(-3.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    return loss, {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": loss}


# Closed forms for abcf(): d = a·b + c, ∂L/∂a = f·b, ∂L/∂b = f·a, ∂L/∂c = ∂L/∂d = ∂L/∂e = f.
A, B, C, F = 1.5, -0.4, 2.25, -3.0
ABCF_DATA = {"a": A, "b": B, "c": C, "f": F, "e": A * B, "d": A * B + C, "L": (A * B + C) * F}
ABCF_GRAD = {"a": F * B, "b": F * A, "c": F, "f": A * B + C, "e": F, "d": F, "L": 1.0}
# local gradients ∂child/∂parent for each edge (parent, child)
ABCF_LOCAL = {("a", "e"): B, ("b", "e"): A, ("e", "d"): 1.0, ("c", "d"): 1.0,
              ("d", "L"): F, ("f", "L"): A * B + C}  # fmt: skip


def mlp_loss(seed: int = 0) -> tuple[MLP, Value]:
    mlp = MLP(2, [4, 4, 1], seed=seed)
    (out,) = mlp([0.5, -1.0])
    loss = (out - 1.0) ** 2
    loss.backward()
    return mlp, loss


# --------------------------------------------------------------------------- import
def test_viz_import_does_not_import_graphviz() -> None:
    code = "import sys, tinygrad_edu, tinygrad_edu.viz; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- the full view
def test_viz_svg_of_abcf_has_every_node_edge_label_and_number(tmp_path: Path) -> None:
    loss, _ = abcf()
    loss.backward()
    svg = svg_of(loss, tmp_path, legend=False, precision=12)
    values = {k: n for k, n in svg.nodes.items() if k.startswith("v")}
    op_nodes = {k: n for k, n in svg.nodes.items() if k.startswith("op")}
    assert len(svg.nodes) == 10 and len(values) == 7 and len(op_nodes) == 3
    assert sorted(n.texts[0] for n in op_nodes.values()) == ["*", "*", "+"]
    assert len(svg.edges) == 6 + 3
    ids = {name: svg.by_title_text(name) for name in ABCF_DATA}
    for name, node_id in ids.items():
        node = svg.nodes[node_id]
        assert len(node.texts) == 3  # label | data | grad
        assert float(field_of(node, "data ")[5:]) == pytest.approx(ABCF_DATA[name], rel=REL)
        assert grad_total(field_of(node, "grad ")) == pytest.approx(ABCF_GRAD[name], rel=REL)
    # each op node: parents' edges carry the local gradient, and one edge goes to its result
    for (parent, child), local in ABCF_LOCAL.items():
        op_id = "op" + ids[child][1:]
        labels = [lab for s, d, lab in svg.edges if s == ids[parent] and d == op_id]
        assert len(labels) == 1
        assert float(labels[0]) == pytest.approx(local, rel=REL)
        assert (op_id, ids[child], "") in svg.edges


def test_viz_default_precision_prints_four_significant_digits(tmp_path: Path) -> None:
    loss, _ = abcf()
    loss.backward()
    svg = svg_of(loss, tmp_path, legend=False)
    assert svg.nodes[svg.by_title_text("L")].texts == ["L", "data -4.95", "grad 1"]
    assert svg.nodes[svg.by_title_text("a")].texts == ["a", "data 1.5", "grad 1.2"]
    assert svg.nodes[svg.by_title_text("e")].texts == ["e", "data -0.6", "grad -3"]
    assert sorted(lab for _, _, lab in svg.edges if lab) == sorted(
        ["-0.4", "1.5", "1", "1", "-3", "1.65"]
    )


def test_viz_a_plus_a_draws_two_edges_and_sums_the_paths(tmp_path: Path) -> None:
    a = Value(3.0, "a")
    s = a + a
    s.backward()
    svg = svg_of(s, tmp_path, legend=False)
    assert svg.edges.count(("v0", "op1", "1")) == 2
    assert len(svg.edges) == 3
    assert svg.nodes["v0"].texts == ["a", "data 3", "grad 1 + 1 = 2"]

    b = Value(3.0, "b")
    sq = b * b
    sq.backward()
    svg = svg_of(sq, tmp_path, "sq", legend=False)
    assert svg.edges.count(("v0", "op1", "3")) == 2  # ∂(b·b)/∂b along each edge is b
    assert svg.nodes["v0"].texts == ["b", "data 3", "grad 3 + 3 = 6"]


def test_viz_grad_from_paths_outside_the_drawing_says_so(tmp_path: Path) -> None:
    x = Value(2.0, "x")
    u = x * x
    total = u + x
    total.backward()  # ∂total/∂x = 2x + 1 = 5, of which 2 + 2 flow through u
    svg = svg_of(u, tmp_path, legend=False)
    assert svg.nodes["v0"].texts[2] == "grad 5 (paths drawn here: 2 + 2)"
    assert svg.nodes["v1"].texts == ["data 4", "grad 1"]


def test_viz_many_paths_show_the_first_terms_and_the_count() -> None:
    x = Value(1.0, "x")
    s = x + x + x + x + x + x + x + x
    s.backward()
    source = draw_dot(s).source
    assert "grad 1 + 1 + 1 + 1 + 1 + … (8 paths) = 8" in source


def test_viz_grads_before_backward_are_not_computed_yet(tmp_path: Path) -> None:
    loss, _ = abcf()
    svg = svg_of(loss, tmp_path, "before", legend=False)
    for name in ABCF_DATA:
        assert svg.nodes[svg.by_title_text(name)].texts[2] == "grad: not computed yet"
    assert not any(n.dashed for n in svg.nodes.values())  # no node drawn as zero-gradient
    forced = svg_of(loss, tmp_path, "forced", legend=False, grads_computed=True)
    assert forced.nodes[forced.by_title_text("a")].texts[2] == "grad 0"
    assert "gradients not computed yet" in draw_dot(loss).source
    loss.backward()
    svg = svg_of(loss, tmp_path, "after", legend=False)
    assert svg.nodes[svg.by_title_text("a")].texts[2] == "grad 1.2"
    assert "not computed" not in draw_dot(loss).source


def test_viz_stale_leaf_grads_do_not_count_as_computed() -> None:
    w = Value(1.0, "w")
    (w * 2.0).backward()
    y = w * 3.0  # a new forward pass, no backward yet; w still holds 2
    source = draw_dot(y).source
    assert "grad: not computed yet (holds 2 from an earlier backward)" in source
    assert source.count("grad: not computed yet") == 3  # w, the constant 3 and y


def test_viz_a_subgraph_after_a_larger_backward_shows_its_grads(tmp_path: Path) -> None:
    loss, v = abcf()
    loss.backward()
    svg = svg_of(v["d"], tmp_path, legend=False, precision=12)
    assert len(svg.nodes) == 5 + 2
    d = svg.nodes[svg.by_title_text("d")]
    assert d.fill == ROOT_FILL
    assert grad_total(d.texts[2]) == pytest.approx(F, rel=REL)
    assert grad_total(svg.nodes[svg.by_title_text("a")].texts[2]) == pytest.approx(F * B, rel=REL)


# --------------------------------------------------------------------------- colours
def test_viz_colours_mark_root_params_inputs_zero_grads_with_legend(tmp_path: Path) -> None:
    w, x, c = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "c")
    dead = (w * c).relu()  # relu(−0.5) = 0: no gradient reaches w through it
    dead.label = "dead"
    y = w * x + dead
    y.label = "y"
    y.backward()
    svg = svg_of(y, tmp_path, params={"w": w})
    node = {name: svg.nodes[svg.by_title_text(name)] for name in ("w", "x", "c", "y", "dead")}
    assert node["y"].fill == ROOT_FILL
    assert node["w"].fill == PARAM_FILL and not node["w"].dashed
    assert node["x"].fill == INPUT_FILL
    assert node["dead"].fill == VALUE_FILL  # its own gradient is 1
    assert node["c"].fill == ZERO_FILL and node["c"].dashed  # ∂y/∂c = 0 behind the dead relu
    assert node["c"].texts[2] == "grad 0"
    wc = [k for k, n in svg.nodes.items() if n.texts == ["data -0.5", "grad 0"]]
    assert len(wc) == 1 and svg.nodes[wc[0]].dashed
    assert all(n.fill == OP_FILL for k, n in svg.nodes.items() if k.startswith("op"))
    legend = {k: n for k, n in svg.nodes.items() if k.startswith("legend_")}
    assert {k for k in legend if not k.startswith("legend_note")} == {
        "legend_root", "legend_param", "legend_input", "legend_value", "legend_zero"
    }  # fmt: skip
    assert legend["legend_param"].fill == PARAM_FILL and legend["legend_param"].texts == [
        "parameter"
    ]
    assert legend["legend_zero"].dashed
    assert "cluster_legend" in svg.clusters


@pytest.mark.parametrize("kind", ["module", "mapping", "list"])
def test_viz_params_from_a_module_a_mapping_or_a_list(kind: str) -> None:
    mlp = MLP(1, [1], seed=3)
    (out,) = mlp([0.5])
    named = dict(mlp.named_parameters())
    params = {"module": mlp, "mapping": named, "list": list(named.values())}[kind]
    source = draw_dot(out, params=params).source  # type: ignore[arg-type]
    assert source.count(f'fillcolor="{PARAM_FILL}" shape=record') == 2  # w.0 and b
    # Which neuron it is comes from the module's structure; a mapping or a list has none.
    cluster = "layers.0.neurons.0 (linear)" if kind == "module" else "neuron 0 (linear)"
    assert "w.0" in source and cluster in source


def test_viz_params_must_be_values() -> None:
    with pytest.raises(TypeError, match=r"draw_dot: params must hold Values, got float"):
        draw_dot(Value(1.0) * 2.0, params={"w": 1.0})  # type: ignore[dict-item]


# --------------------------------------------------------------------------- golden DOT
def golden_graph() -> tuple[Value, list[Value]]:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(0.5, "c")
    y = (a * b + a) * c + (-c).relu()
    y.label = "y"
    y.backward()
    return y, [b]


def test_viz_dot_text_matches_the_golden_file() -> None:
    # To refresh after an intended change, write draw_dot(y, params=p).source to the file
    # and review the diff by eye.
    y, params = golden_graph()
    expected = (DATA / "viz_golden_small.dot").read_text(encoding="utf-8")
    assert draw_dot(y, params=params).source == expected


def test_viz_output_is_deterministic_byte_for_byte(tmp_path: Path) -> None:
    y1, p1 = golden_graph()
    junk = [Value(float(i)) for i in range(1000)]  # shift ids: node names must not use id()
    y2, p2 = golden_graph()
    assert junk and y1 is not y2
    assert draw_dot(y1, params=p1).source == draw_dot(y2, params=p2).source
    first = render(y1, tmp_path / "one.svg", params=p1).read_bytes()
    second = render(y2, tmp_path / "two.svg", params=p2).read_bytes()
    assert first == second
    mlp1, loss1 = mlp_loss()
    mlp2, loss2 = mlp_loss()
    for level in ("value", "neuron", "layer"):
        a = draw_dot(loss1, params=mlp1, level=level).source  # type: ignore[arg-type]
        b = draw_dot(loss2, params=mlp2, level=level).source  # type: ignore[arg-type]
        assert a == b
    assert to_mermaid(loss1, params=mlp1) == to_mermaid(loss2, params=mlp2)


def test_viz_record_syntax_in_labels_is_escaped(tmp_path: Path) -> None:
    a = Value(1.0, 'x{1}|<y> "q" \\')
    out = a * 2.0
    out.backward()
    svg = svg_of(out, tmp_path, legend=False)
    assert svg.nodes["v0"].texts[0] == 'x{1}|<y> "q" \\'


# --------------------------------------------------------------------------- networks
def test_viz_mlp_full_view_has_a_cluster_per_neuron(tmp_path: Path) -> None:
    mlp, loss = mlp_loss()
    svg = svg_of(loss, tmp_path, params=mlp, legend=False)
    clusters = sorted(k for k in svg.clusters if k.startswith("cluster_neuron"))
    assert len(clusters) == 4 + 4 + 1
    labels = sorted(t for k in clusters for t in svg.clusters[k])
    expected = [f"layers.0.neurons.{j} (relu)" for j in range(4)]
    expected += [f"layers.1.neurons.{j} (relu)" for j in range(4)] + ["layers.2.neurons.0 (linear)"]
    assert labels == sorted(expected)
    order = topo_order(loss)
    assert len(svg.nodes) == len(order) + sum(1 for v in order if v.parents)
    assert sum(1 for _, _, lab in svg.edges if lab) == sum(len(v.parents) for v in order)
    # inside a cluster a parameter is named relative to its neuron
    dot_text = draw_dot(loss, params=mlp).source
    assert 'label="{ w.0 |' in dot_text and "layers.0.neurons.0.w.0 |" not in dot_text


def test_viz_mlp_neuron_view_has_one_box_per_neuron_with_param_grads(tmp_path: Path) -> None:
    mlp, loss = mlp_loss()
    svg = svg_of(loss, tmp_path, params=mlp, level="neuron", legend=False, precision=12)
    boxes = {k: n for k, n in svg.nodes.items() if k.startswith("neuron")}
    assert len(boxes) == 4 + 4 + 1  # the two inputs are not neurons
    line = re.compile(r"^(w\.\d+|b) = (\S+), grad (\S+)$")
    dead = alive = 0
    for node in boxes.values():
        name, activation = node.texts[0].split(" · ")
        i, j = int(name.split(".")[1]), int(name.split(".")[3])
        neuron = mlp.layers[i].neurons[j]
        assert activation == neuron.activation
        params = {f"w.{k}": w for k, w in enumerate(neuron.w)} | {"b": neuron.b}
        seen = {}
        for text in node.texts[2:]:
            m = line.match(text)
            assert m, text
            seen[m.group(1)] = (float(m.group(2)), float(m.group(3)))
        assert seen.keys() == params.keys()
        for key, p in params.items():
            assert seen[key][0] == pytest.approx(p.data, rel=REL, abs=1e-300)
            assert seen[key][1] == pytest.approx(p.grad, rel=REL, abs=1e-300)
        is_dead = all(p.grad == 0.0 for p in params.values())
        assert node.dashed == is_dead
        assert node.fill == (ZERO_FILL if is_dead else NEURON_FILL)
        dead += is_dead
        alive += not is_dead
    assert dead >= 1 and alive >= 1  # seed 0 has a dead ReLU: both styles are exercised


def test_viz_mlp_neuron_view_edges_carry_weight_times_activation_slope(tmp_path: Path) -> None:
    mlp, loss = mlp_loss()
    svg = svg_of(loss, tmp_path, params=mlp, level="neuron", legend=False, precision=12)
    box_of = {}
    for k, n in svg.nodes.items():
        if k.startswith("neuron"):
            parts = n.texts[0].split(" · ")[0].split(".")
            box_of[(int(parts[1]), int(parts[3]))] = k
    inputs = {float(n.texts[0][5:]): k for k, n in svg.nodes.items() if n.fill == INPUT_FILL}
    # an independent float forward pass: the slope of each neuron's activation at its z
    sources = [inputs[0.5], inputs[-1.0]]
    xs = [0.5, -1.0]
    for i, layer in enumerate(mlp.layers):
        outs = []
        for j, neuron in enumerate(layer.neurons):
            z = math.fsum(w.data * x for w, x in zip(neuron.w, xs)) + neuron.b.data
            relu = neuron.activation == "relu"
            slope = (1.0 if z > 0.0 else 0.0) if relu else 1.0
            outs.append(max(z, 0.0) if relu else z)
            for k, src in enumerate(sources):
                labels = [lab for s, d, lab in svg.edges if s == src and d == box_of[(i, j)]]
                assert len(labels) == 1
                expected = neuron.w[k].data * slope
                # the label names the input as the delta equations do: "x[k]: …" into
                # layer 1, "a1[k]: …" into layer 2 (tinygrad_edu.names)
                which, number = labels[0].split(": ")
                assert which == (f"x[{k}]" if i == 0 else f"a{i}[{k}]")
                assert float(number) == pytest.approx(expected, rel=REL, abs=1e-300)
        sources = [box_of[(i, j)] for j in range(len(layer.neurons))]
        xs = outs
    assert xs[0] == pytest.approx(loss.parents[0].parents[0].data, rel=1e-12)


def test_viz_mlp_layer_view_has_one_box_per_layer(tmp_path: Path) -> None:
    mlp, loss = mlp_loss()
    svg = svg_of(loss, tmp_path, params=mlp, level="layer", legend=False)
    boxes = {k: n for k, n in svg.nodes.items() if k.startswith("layer")}
    assert sorted(n.texts[0] for n in boxes.values()) == [
        "layers.0 · 4 neurons · relu", "layers.1 · 4 neurons · relu",
        "layers.2 · 1 neuron · linear",
    ]  # fmt: skip
    assert all(
        len(n.texts) == 1 + len(mlp.layers[int(n.texts[0][7])].neurons) for n in boxes.values()
    )
    labels = Counter(lab for s, d, lab in svg.edges if d.startswith("layer"))
    assert labels == Counter({"4 connections": 3, "16 connections": 1})


def test_viz_batch_calls_number_the_neuron_repeats() -> None:
    mlp = MLP(2, [2, 1], seed=1)
    outs = [mlp([0.5, -1.0])[0], mlp([1.0, 2.0])[0]]
    loss = outs[0] + outs[1]
    loss.backward()
    source = draw_dot(loss, params=mlp, level="neuron").source
    assert source.count("layers.0.neurons.0 · relu") == 1
    assert source.count("layers.0.neurons.0 #2 · relu") == 1
    assert len(re.findall(r"^\tneuron\d+ \[", source, flags=re.M)) == 6
    layers = draw_dot(loss, params=mlp, level="layer").source
    assert len(re.findall(r"^\tlayer\d+ \[", layers, flags=re.M)) == 4


# --------------------------------------------------------------------------- without dot
INSTALL_LINES = (
    "sudo apt-get install graphviz",
    "brew install graphviz",
    "conda install -c conda-forge graphviz",
)


def test_viz_render_without_dot_writes_the_dot_file_and_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loss, _ = abcf()
    loss.backward()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no dot anywhere
    graph = draw_dot(loss)  # still works: only rendering needs the program
    assert graph.source.count(" -> op") == 6
    with pytest.raises(GraphvizNotFound) as info:
        render(loss, tmp_path / "out" / "graph.svg")
    dot_path = tmp_path / "out" / "graph.dot"
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert info.value.dot_path == dot_path
    assert str(dot_path.resolve()) in message and "'dot' was not found" in message
    for line in INSTALL_LINES:
        assert line in message
    assert dot_path.read_text(encoding="utf-8") == graph.source
    assert not (tmp_path / "out" / "graph.svg").exists()


def test_viz_render_backward_without_dot_writes_every_frame_as_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loss, _ = abcf()
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(GraphvizNotFound, match="brew install graphviz"):
        render_backward(loss, tmp_path / "steps")
    assert sorted(p.name for p in (tmp_path / "steps").glob("*.dot")) == [
        f"frame_00{k}.dot" for k in range(4)
    ]


# --------------------------------------------------------------------------- formats, errors
def test_viz_render_writes_png_and_pdf_and_infers_the_format(tmp_path: Path) -> None:
    loss, _ = abcf()
    loss.backward()
    png = render(loss, tmp_path / "g.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = render(loss, tmp_path / "g", format="pdf")
    assert pdf == tmp_path / "g.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    svg = render(loss, tmp_path / "plain")
    assert svg == tmp_path / "plain.svg" and b"<svg" in svg.read_bytes()


def test_viz_bad_arguments_name_the_function_and_the_value(tmp_path: Path) -> None:
    v = Value(1.0) * 2.0
    with pytest.raises(TypeError, match=r"draw_dot: expected a Value as the root, got float"):
        draw_dot(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"got list; for several outputs draw .*vsum"):
        draw_dot([v])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"draw_dot: level must be one of .* got 'neurons'"):
        draw_dot(v, level="neurons")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"to_mermaid: rankdir must be one of .* got 'XY'"):
        to_mermaid(v, rankdir="XY")
    with pytest.raises(ValueError, match=r"precision must be an int in 1..17, got 0"):
        draw_dot(v, precision=0)
    with pytest.raises(ValueError, match=r"render: format must be one of svg, png, pdf, got 'gif'"):
        render(v, tmp_path / "g.gif")
    with pytest.raises(ValueError, match=r"render: the path .* does not end in \.svg"):
        render(v, tmp_path / "g.png", format="svg")
    for folder in (tmp_path, "."):
        with pytest.raises(ValueError, match=r"render: .* is a folder; give a file name"):
            render(v, folder)
    with pytest.raises(TypeError, match=r"backward_steps: expected a Value"):
        list(backward_steps("L"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Mermaid
def test_viz_mermaid_has_every_node_edge_and_local_grad() -> None:
    loss, _ = abcf()
    loss.backward()
    text = to_mermaid(loss)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert len([x for x in lines if re.match(r'^    v\d+\["', x)]) == 7
    assert len([x for x in lines if re.match(r'^    op\d+\(\("', x)]) == 3
    labelled = [x for x in lines if "-->|" in x]
    assert sorted(re.search(r'\|"(.*)"\|', x).group(1) for x in labelled) == sorted(  # type: ignore[union-attr]
        ["-0.4", "1.5", "1", "1", "-3", "1.65"]
    )
    assert len([x for x in lines if re.match(r"^    op\d+ --> v\d+$", x)]) == 3
    a_line = [x for x in lines if x.endswith('["a<br/>data 1.5<br/>grad 1.2"]')]
    assert len(a_line) == 1
    root_id = (
        next(x for x in lines if x.endswith('["L<br/>data -4.95<br/>grad 1"]'))
        .split("[")[0]
        .strip()
    )
    assert f"    class {root_id} root" in lines


def test_viz_mermaid_two_edges_for_a_plus_a_and_escaped_quotes() -> None:
    a = Value(3.0, 'say "hi" <b>')
    s = a + a
    s.backward()
    lines = to_mermaid(s).splitlines()
    assert lines.count('    v0 -->|"1"| op1') == 2
    assert '    v0["say #quot;hi#quot; #lt;b#gt;<br/>data 3<br/>grad 1 + 1 = 2"]' in lines


def test_viz_mermaid_line_break_in_a_label_stays_on_the_node_line() -> None:
    a = Value(3.0, "two\nlines")
    lines = to_mermaid(a * 2.0, show_grad=False).splitlines()
    assert '    v0["two lines<br/>data 3"]' in lines


def test_viz_mermaid_neuron_view_has_one_node_per_neuron() -> None:
    mlp, loss = mlp_loss()
    text = to_mermaid(loss, params=mlp, level="neuron")
    assert len(re.findall(r"^    neuron\d+\[", text, flags=re.M)) == 9


# --------------------------------------------------------------------------- step by step
def test_viz_backward_steps_of_abcf_are_the_chain_rule_in_order() -> None:
    loss, v = abcf()
    steps = list(backward_steps(loss))
    assert [s.node for s in steps] == [v["L"], v["d"], v["e"]]
    assert [s.index for s in steps] == [0, 1, 2]
    got = [
        (
            s.upstream,
            [(c.parent, c.position, c.local, c.contribution, c.total) for c in s.contributions],
        )
        for s in steps
    ]
    d = A * B + C
    expected = [
        (1.0, [(v["d"], 0, F, F, F), (v["f"], 1, d, d, d)]),
        (F, [(v["e"], 0, 1.0, F, F), (v["c"], 1, 1.0, F, F)]),
        (F, [(v["a"], 0, B, B * F, B * F), (v["b"], 1, A, A * F, A * F)]),
    ]
    for (up, cs), (up_e, cs_e) in zip(got, expected):
        assert up == pytest.approx(up_e, rel=1e-12)
        for c, c_e in zip(cs, cs_e, strict=True):
            assert c[0] is c_e[0] and c[1] == c_e[1]
            assert c[2:] == pytest.approx(c_e[2:], rel=1e-12)
    assert all(x.grad == 0.0 for x in v.values())  # replaying does not touch .grad


def test_viz_backward_steps_running_sum_for_a_plus_a() -> None:
    a = Value(3.0, "a")
    s = a + a
    (step,) = backward_steps(s)
    assert [(c.position, c.contribution, c.total) for c in step.contributions] == [
        (0, 1.0, 1.0),
        (1, 1.0, 2.0),
    ]
    leaf = Value(4.0)
    (only,) = backward_steps(leaf)
    assert only.node is leaf and only.upstream == 1.0 and only.contributions == ()


@given(dags())
def test_viz_backward_steps_end_at_backwards_gradients(dag: Dag) -> None:
    leaves = leaves_for(dag)
    root = dag(*leaves)
    order = topo_order(root)
    steps = list(backward_steps(root))
    interior = [n for n in reversed(order) if n.parents] or [root]
    assert [s.node for s in steps] == interior
    final: dict[Value, float] = {root: 1.0}
    for s in steps:
        assert s.upstream == final.get(s.node, 0.0)
        for c in s.contributions:
            assert c.local == s.node.local_grads[c.position]
            assert c.contribution == c.local * s.upstream
            final[c.parent] = c.total
    root.backward()
    for node in order:
        assert final.get(node, 0.0) == node.grad  # bit for bit: the same sums in the same order


@pytest.mark.slow
@settings(max_examples=25)
@given(dag=dags(max_steps=6))
def test_viz_svg_of_random_graphs_matches_the_graph(
    dag: Dag, tmp_path_factory: pytest.TempPathFactory
) -> None:
    leaves = leaves_for(dag)
    root = dag(*leaves)
    root.backward()
    folder = tmp_path_factory.mktemp("dag")
    svg = svg_of(root, folder, legend=False, precision=12)
    order = topo_order(root)
    assert len(svg.nodes) == len(order) + sum(1 for v in order if v.parents)
    assert len(svg.edges) == sum(len(v.parents) + 1 for v in order if v.parents)
    for i, v in enumerate(order):
        node = svg.nodes[f"v{i}"]
        assert float(field_of(node, "data ")[5:]) == pytest.approx(v.data, rel=REL, abs=1e-300)
        assert grad_total(field_of(node, "grad ")) == pytest.approx(v.grad, rel=REL, abs=1e-300)
        if v.parents:
            index = {p: k for k, p in enumerate(order)}
            got = Counter((s, float(lab)) for s, d, lab in svg.edges if d == f"op{i}")
            want = Counter(
                (f"v{index[p]}", float(f"{g:.12g}")) for p, g in zip(v.parents, v.local_grads)
            )
            assert got == want


def frame_grads(svg: SvgGraph) -> dict[str, str]:
    return {k: field_of(n, "grad") for k, n in svg.drawn().items() if k.startswith("v")}


def test_viz_render_backward_frames_end_at_backwards_gradients(tmp_path: Path) -> None:
    loss, v = abcf()
    index = render_backward(loss, tmp_path / "steps", precision=12)
    frames = sorted((tmp_path / "steps").glob("frame_*.svg"))
    assert [f.name for f in frames] == [f"frame_00{k}.svg" for k in range(4)]  # seed + 3 steps
    first = parse_svg(frames[0].read_bytes())
    grads0 = frame_grads(first)
    assert grads0.pop(first.by_title_text("L")) == "grad 1"
    assert set(grads0.values()) == {"grad ?"}
    last = parse_svg(frames[-1].read_bytes())
    loss.backward()
    for name, value in v.items():
        assert grad_total(frame_grads(last)[last.by_title_text(name)]) == pytest.approx(
            value.grad, rel=REL
        )
    page = index.read_text(encoding="utf-8")
    assert index.name == "index.html"
    data = json.loads(page.split('type="application/json">')[1].split("</script>")[0])
    assert data["frames"] == [f"frame_00{k}.svg" for k in range(4)]
    assert [len(s["questions"]) for s in data["steps"]] == [0, 2, 2, 2]
    assert '["frame_000.svg", "frame_001.svg", "frame_002.svg", "frame_003.svg"]' in page
    assert "http" not in page and "<script src" not in page  # plain JS, no network
    assert "Step 3: at e (*)" in page


def test_viz_render_backward_shows_partial_sums_and_highlights(tmp_path: Path) -> None:
    a = Value(3.0, "a")
    s = a * a + a
    render_backward(s, tmp_path, precision=6)
    frames = [parse_svg(f.read_bytes()) for f in sorted(tmp_path.glob("frame_*.svg"))]
    assert len(frames) == 3
    assert frames[1].nodes["v0"].texts[2] == "grad so far 1 (1 of 3 paths)"
    assert frames[2].nodes["v0"].texts[2] == "grad 1 + 3 + 3 = 7"
    hot = [lab for _, d, lab in frames[2].edges if d == "op1"]
    assert hot == ["3 × 1 = 3", "3 × 1 = 3"]
    source = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "∂root/∂a += 3 × 1 = 3 → 7" in source


# --------------------------------------------------------------------------- the README example
def test_viz_example_graph_is_the_lessons_sigmoid_neuron(tmp_path: Path) -> None:
    loss, params = example_graph()
    y_hat = 1.0 / (1.0 + math.exp(0.2))  # σ(1.2·0.5 − 0.8)
    slope = y_hat * (1.0 - y_hat)
    assert loss.data == pytest.approx(0.5 * y_hat**2, rel=1e-12)
    assert params["w"].grad == pytest.approx(y_hat * slope * 0.5, rel=1e-12)
    assert params["b"].grad == pytest.approx(y_hat * slope, rel=1e-12)
    # the lesson's rounded numbers
    assert (y_hat, loss.data, slope) == pytest.approx((0.450166, 0.101325, 0.247517), abs=5e-7)
    assert (params["w"].grad, params["b"].grad) == pytest.approx((0.055712, 0.111424), abs=5e-7)
    svg = svg_of(loss, tmp_path, params=params)
    assert svg.nodes[svg.by_title_text("w")].texts == ["w", "data 1.2", "grad 0.05571"]
    assert svg.nodes[svg.by_title_text("b")].fill == PARAM_FILL
    assert svg.nodes[svg.by_title_text("ŷ")].texts[1] == "data 0.4502"
    assert svg.nodes[svg.by_title_text("L")].texts == ["L", "data 0.1013", "grad 1"]
    assert any("σ" in n.texts for n in svg.nodes.values())
