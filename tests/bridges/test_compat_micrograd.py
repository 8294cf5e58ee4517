"""compat.micrograd: micrograd-style code runs with only its imports changed, and reproduces.

The demo loop below is written in micrograd's style (two moons, a max-margin loss, L2, SGD with a
decaying learning rate, everything drawn from the global ``random`` after ``random.seed(1337)``).
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from tinygrad_edu import data
from tinygrad_edu import nn as tnn
from tinygrad_edu.compat.micrograd import engine
from tinygrad_edu.compat.micrograd.engine import Value
from tinygrad_edu.compat.micrograd.nn import MLP, Layer, Neuron
from tinygrad_edu.engine import Value as EngineValue


def _demo(steps: int) -> tuple[list[float], list[float], MLP]:
    """micrograd's demo shape: returns (total loss per step, accuracy per step, the model)."""
    random.seed(1337)
    X, labels = data.moons(40, noise=0.1, seed=1)
    y = [2.0 * c - 1.0 for c in labels]
    model = MLP(2, [8, 8, 1])

    def loss() -> tuple[Value, float]:
        scores = [model([Value(a), Value(b)]) for a, b in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        acc = [(yi > 0) == (si.data > 0) for yi, si in zip(y, scores)]
        return data_loss + reg_loss, sum(acc) / len(acc)

    totals, accs = [], []
    for k in range(steps):
        total, acc = loss()
        model.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        totals.append(total.data)
        accs.append(acc)
    return totals, accs, model


def _float_loss(model: MLP, X: list[list[float]], y: list[float]) -> float:
    """The demo's step-0 loss with plain floats (an independent witness of the forward pass)."""
    params = model.parameters()
    terms = []
    for row in X:
        a = row
        for li, layer in enumerate(model.layers):
            last = li == len(model.layers) - 1
            z = [
                math.fsum([*(w.data * x for w, x in zip(n.w, a)), n.b.data]) for n in layer.neurons
            ]
            a = z if last else [max(v, 0.0) for v in z]
        terms.append(a[0])
    hinge = sum(max(0.0, 1.0 - yi * s) for yi, s in zip(y, terms)) / len(terms)
    return hinge + 1e-4 * sum(p.data * p.data for p in params)


def test_compat_demo_loop_step0_loss_repeats_across_runs() -> None:
    first, _, _ = _demo(3)
    again, _, _ = _demo(3)
    assert first == again  # bit-identical: random.seed(1337) fixes the weights


def test_compat_demo_loop_step0_loss_matches_a_float_forward() -> None:
    random.seed(1337)
    X, labels = data.moons(40, noise=0.1, seed=1)
    model = MLP(2, [8, 8, 1])
    want = _float_loss(model, X, [2.0 * c - 1.0 for c in labels])
    totals, _, _ = _demo(1)
    assert totals[0] == pytest.approx(want, rel=1e-12)


def test_compat_demo_loop_trains() -> None:
    totals, accs, _ = _demo(12)
    assert totals[-1] < 0.8 * totals[0]
    assert accs[-1] >= 0.8


def test_compat_mlp_weights_come_from_the_global_random() -> None:
    random.seed(1337)
    a = MLP(2, [3, 1]).state_dict()
    random.seed(1337)
    b = MLP(2, [3, 1]).state_dict()
    random.seed(1338)
    c = MLP(2, [3, 1]).state_dict()
    assert a == b and a != c
    random.seed(1337)
    assert a["layers.0.neurons.0.w.0"] == random.uniform(-1.0, 1.0)


def test_compat_mlp_returns_a_bare_value_for_one_output() -> None:
    model = MLP(2, [4, 1])
    out = model([1.0, -2.0])
    assert isinstance(out, EngineValue)
    assert out.data == tnn.MLP.__call__(model, [1.0, -2.0])[0].data
    two = MLP(2, [4, 2])([1.0, -2.0])
    assert isinstance(two, list) and len(two) == 2


def test_compat_mlp_has_micrograds_layers_and_parameter_count() -> None:
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(2)")


def test_compat_neuron_accepts_nonlin() -> None:
    lin = Neuron(2, nonlin=False)
    lin.w[0].data, lin.w[1].data = 1.0, 1.0
    assert lin([-3.0, 1.0]).data == -2.0
    relu = Neuron(2)
    relu.w[0].data, relu.w[1].data = 1.0, 1.0
    assert relu([-3.0, 1.0]).data == 0.0
    assert repr(lin) == "LinearNeuron(2)" and repr(relu) == "ReLUNeuron(2)"


def test_compat_layer_returns_a_bare_value_for_one_neuron() -> None:
    assert isinstance(Layer(3, 1, nonlin=False)([1.0, 2.0, 3.0]), EngineValue)
    assert len(Layer(3, 2)([1.0, 2.0, 3.0])) == 2


def test_compat_engine_value_is_tinygrad_edus_value() -> None:
    assert engine.Value is EngineValue
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    e = c - d
    e.backward()
    # e = (a + b) − (a b + b³): ∂e/∂a = 1 − b = −1, ∂e/∂b = 1 − a − 3b² = −7
    assert (a.grad, b.grad) == (-1.0, -7.0)


def test_compat_neuron_refuses_a_non_bool_nonlin() -> None:
    with pytest.raises(TypeError, match="Neuron: nonlin must be True or False, got 1"):
        Neuron(2, nonlin=1)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the graph-tracing helper
def _trace(root: Value) -> tuple[set[Value], set[tuple[Value, Value]]]:
    """micrograd's tracing shape: walk ``_prev`` sets, collecting nodes and edges."""
    nodes: set[Value] = set()
    edges: set[tuple[Value, Value]] = set()

    def build(v: Value) -> None:
        if v not in nodes:
            nodes.add(v)
            for parent in v._prev:
                edges.add((parent, v))
                build(parent)

    build(root)
    return nodes, edges


def _draw(root: Value) -> Any:
    """A graphviz Digraph as micrograd's notebook builds it: a record per node, an op node.

    It reads ``n._prev`` and the string ``n._op``, as micrograd's tracer does.
    """
    graphviz = pytest.importorskip("graphviz", reason="install graphviz: pip install graphviz")
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = _trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for a, b in edges:
        dot.edge(str(id(a)), str(id(b)) + b.op)
    return dot


def test_compat_graph_tracer_walks_prev_and_op() -> None:
    x1, x2, w1, w2, b = Value(2.0), Value(0.0), Value(-3.0), Value(1.0), Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    nodes, edges = _trace(o)
    # x1·w1, x2·w2, their sum, + b, tanh: 5 ops over 5 leaves
    assert len(nodes) == 10 and len(edges) == 9
    assert sorted(v.op for v in nodes if v.op) == sorted(["*", "*", "+", "+", "tanh"])
    assert x1.grad == pytest.approx(-1.5, rel=1e-9)  # the classic worked neuron: tanh′ = 0.5
    assert w1.grad == pytest.approx(1.0, rel=1e-9)


def test_compat_graph_tracer_builds_a_digraph() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    c.backward()
    source = _draw(c).source
    assert source.count("shape=record") == 4  # a, b, a*b, c
    assert "data -4.0000 | grad 1.0000" in source
    assert 'label="*"' in source and 'label="+"' in source


def test_compat_prev_is_a_set_of_parents() -> None:
    a = Value(3.0)
    sq = a * a
    assert sq._prev == {a}  # a set: the repeated parent once (parents keeps both edges)
    assert len(sq.parents) == 2
    assert a._prev == set() and a.op == ""
