"""viz: neurons and layers come from the module's structure, in its order; colours and words.

Expected outputs are recomputed here by an independent float forward pass (math.tanh of
Σ wᵢxᵢ + b), never read back from the drawing code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from tinygrad_edu.engine import Value
from tinygrad_edu.nn import MLP, Layer
from tinygrad_edu.viz import draw_dot, to_mermaid

ROOT_FILL = "#f4cccc"


def vsum(values: list[Value]) -> Value:
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def test_viz_bare_layer_at_layer_level_is_one_box_with_each_neurons_output() -> None:
    layer = Layer(2, 3, "tanh", seed=1)
    x = [0.5, -1.0]
    loss = vsum(layer(x))
    loss.backward()
    source = draw_dot(loss, params=layer, level="layer", precision=12).source
    assert source.count("layer · 3 neurons · tanh") == 2  # the box and its tooltip
    assert "cluster_neuron" not in source
    for j, neuron in enumerate(layer.neurons):
        z = math.fsum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
        line = re.search(rf"neurons\.{j}: out (\S+), grad (\S+);", source)
        assert line is not None, j
        assert float(line.group(1)) == pytest_approx(math.tanh(z))
        assert float(line.group(2)) == 1.0  # ∂(sum of outputs)/∂(each output)


def pytest_approx(x: float) -> object:
    import pytest

    return pytest.approx(x, rel=1e-11)


def test_viz_neuron_view_lists_neurons_in_layer_order() -> None:
    mlp = MLP(2, [4, 4, 1], seed=0)
    (out,) = mlp([0.5, -1.0])
    loss = (out - 1.0) ** 2
    loss.backward()
    source = draw_dot(loss, params=mlp, level="neuron").source
    titles = re.findall(r"(layers\.\d\.neurons\.\d) · ", source)
    expected = [f"layers.{i}.neurons.{j}" for i, n in enumerate([4, 4, 1]) for j in range(n)]
    assert list(dict.fromkeys(titles)) == expected
    ids = re.findall(r"^\s*(neuron\d+) \[", source, flags=re.M)
    assert ids == [f"neuron{k}" for k in range(9)]


class Renamed(MLP):
    """An MLP whose parameter names say nothing about where the parameters sit."""

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for k, (_, p) in enumerate(super().named_parameters()):
            yield f"p{k}", p


def test_viz_neurons_are_found_from_structure_not_from_parameter_names() -> None:
    mlp = Renamed(2, [2, 1], seed=4)
    (out,) = mlp([1.0, 2.0])
    out.backward()
    source = draw_dot(out, params=mlp).source
    clusters = re.findall(r'label="(layers\.\d\.neurons\.\d) \((\w+)\)"', source)
    assert [c[0] for c in clusters] == ["layers.0.neurons.0", "layers.0.neurons.1",
                                        "layers.1.neurons.0"]  # fmt: skip
    # inside its neuron a parameter is named by its place: w.0, w.1, b
    assert source.count("{ w.0 |") == 3 and source.count("{ b |") == 3


def test_viz_only_a_loss_root_gets_the_root_colour() -> None:
    mlp = MLP(2, [1], seed=2)
    (out,) = mlp([0.5, -1.0])
    out.backward()
    assert ROOT_FILL not in draw_dot(out, params=mlp).source  # a neuron's output, not a loss
    loss = (out - 1.0) ** 2
    loss.backward()
    assert draw_dot(loss, params=mlp).source.count(f'fillcolor="{ROOT_FILL}"') == 2  # + legend


def test_viz_mermaid_layer_view_says_1_neuron() -> None:
    mlp = MLP(2, [3, 1], seed=0)
    (out,) = mlp([0.5, -1.0])
    loss = (out - 1.0) ** 2
    loss.backward()
    text = to_mermaid(loss, params=mlp, level="layer")
    assert "layers.1 · 1 neuron · " in text
    assert "layers.0 · 3 neurons · " in text
    assert "1 neurons" not in text


def test_viz_neuron_view_edge_labels_name_the_input() -> None:
    mlp = MLP(1, [2, 1], seed=5)
    (out,) = mlp([0.25])
    loss = (out - 1.0) ** 2
    loss.backward()
    source = draw_dot(loss, params=mlp, level="neuron", precision=12).source
    out_neuron = mlp.layers[1].neurons[0]
    for k in range(2):
        # named as the delta equations name it: the hidden layer's activation a1[k]
        label = re.search(rf'neuron{k} -> neuron2 \[label="a1\[{k}\]: (\S+)"\]', source)
        assert label is not None, k
        assert float(label.group(1)) == pytest_approx(out_neuron.w[k].data)  # linear output


def test_viz_neuron_view_lays_each_layer_out_in_order() -> None:
    from tinygrad_edu.viz.dot import run_dot

    mlp = MLP(2, [4, 4, 1], seed=0)
    (out,) = mlp([0.5, -1.0])
    loss = (out - 1.0) ** 2
    loss.backward()
    plain = run_dot(draw_dot(loss, params=mlp, level="neuron").source, "plain", "test")
    y = {
        m.group(1): float(m.group(2))
        for m in re.finditer(rb"^node neuron(\d) \S+ (\S+)", plain, flags=re.M)
    }
    for first, last in ((0, 3), (4, 7)):  # top to bottom (LR): neuron 0 first
        ys = [y[str(k).encode()] for k in range(first, last + 1)]
        assert ys == sorted(ys, reverse=True), ys


def test_viz_edge_tooltips_give_the_ops_tables_formula_and_its_value() -> None:
    x = Value(0.3, "x")
    y = x.tanh()
    y.label = "y"
    source = draw_dot(y * y).source
    t = math.tanh(0.3)
    # the formula text is the ops table's; the number is recomputed here: 1 - tanh(x)**2
    tip = re.search(r'tooltip="∂y/∂x = 1 - out\*\*2 = (\S+)"', source)
    assert tip is not None
    assert float(tip.group(1)) == pytest_approx(1.0 - t * t)
