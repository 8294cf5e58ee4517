"""The engine's speed section: fast paths that must give the reference results bit for bit."""

from __future__ import annotations

import gc
import math

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Dag, activations, dags, floats_in, inputs_for, leaves_for, mlp_shapes, seeds

from tinygrad_edu import MLP, Value, ops, vsum
from tinygrad_edu.engine import _backward_order, interior_order


def reference_backward(root: Value) -> None:
    """The textbook loop: sort, zero interior grads, seed 1, chain rule in reverse."""
    order = interior_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def grads_hex(values: list[Value]) -> list[str]:
    return [v.grad.hex() for v in values]


@settings(max_examples=80)
@given(dags(max_inputs=4, max_steps=14))
def test_speed_backward_order_is_interior_order(dag: Dag) -> None:
    root = dag(*leaves_for(dag))
    expected = interior_order(root)
    assert _backward_order(root) == expected
    assert all(node.grad == 0.0 and math.copysign(1.0, node.grad) == 1.0 for node in expected)


@settings(max_examples=80)
@given(dags(max_inputs=4, max_steps=14))
def test_speed_backward_bit_identical_to_reference_loop(dag: Dag) -> None:
    fast_leaves, ref_leaves = leaves_for(dag), leaves_for(dag)
    fast_root, ref_root = dag(*fast_leaves), dag(*ref_leaves)
    fast_root.backward()
    fast_root.backward()  # twice: leaves accumulate, interior nodes are recomputed
    reference_backward(ref_root)
    reference_backward(ref_root)
    assert grads_hex(fast_leaves) == grads_hex(ref_leaves)
    fast_nodes, ref_nodes = interior_order(fast_root), interior_order(ref_root)
    assert grads_hex(fast_nodes) == grads_hex(ref_nodes)


@settings(max_examples=30)
@given(mlp_shapes(), activations(), seeds(), st.data())
def test_speed_backward_bit_identical_on_random_mlps(
    shape: tuple[int, list[int]], activation: str, seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    x = data.draw(inputs_for(nin))
    models = [MLP(nin, nouts, activation=activation, seed=seed) for _ in range(2)]
    roots = [vsum(o * o for o in m(x)) for m in models]
    roots[0].backward()
    reference_backward(roots[1])
    assert grads_hex(models[0].parameters()) == grads_hex(models[1].parameters())


@given(floats_in(-5.0, 5.0), floats_in(-5.0, 5.0))
def test_speed_inlined_add_and_mul_match_the_table(a: float, b: float) -> None:
    for op, node in ((ops.add, Value(a) + Value(b)), (ops.mul, Value(a) * Value(b))):
        out = op.forward(a, b)
        assert node.data.hex() == out.hex()
        assert [g.hex() for g in node.local_grads] == [g.hex() for g in op.rule(out, a, b)]
        assert node.primitive is op


@given(floats_in(-5.0, 5.0))
def test_speed_inlined_unary_ops_match_the_table(a: float) -> None:
    cases = [(ops.neg, -Value(a)), (ops.relu, Value(a).relu()), (ops.relu, Value(0.0).relu())]
    for op, node in cases:
        x = node.parents[0].data
        out = op.forward(x)
        assert node.data.hex() == out.hex()
        assert [g.hex() for g in node.local_grads] == [g.hex() for g in op.rule(out, x)]


def test_speed_lifted_constants_are_plain_leaves() -> None:
    node = Value(2.0) + 3
    c = node.parents[1]
    assert (c.data, c.grad, c.label, c.is_leaf, c.grad_value) == (3.0, 0.0, "", True, None)
    assert type(c.data) is float


def test_speed_backward_restores_the_collector_state() -> None:
    x = Value(1.5)
    y = x * x
    was = gc.isenabled()
    try:
        gc.enable()
        y.backward()
        assert gc.isenabled()
        gc.disable()
        y.backward()
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
    assert x.grad == 6.0
