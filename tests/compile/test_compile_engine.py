"""The engine's operators and backward(): exactly their table entries and the textbook loop."""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Dag, activations, dags, floats_in, inputs_for, leaves_for, mlp_shapes, seeds

from tinygrad_edu import MLP, Value, checks, no_grad, ops
from tinygrad_edu.engine import apply, interior_order
from tinygrad_edu.graphwalk import backward_order
from tinygrad_edu.nary import dot, vsum


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
def test_engine_backward_order_is_interior_order(dag: Dag) -> None:
    root = dag(*leaves_for(dag))
    expected = interior_order(root)
    assert backward_order(root) == expected
    assert all(node.grad == 0.0 and math.copysign(1.0, node.grad) == 1.0 for node in expected)


@settings(max_examples=80)
@given(dags(max_inputs=4, max_steps=14))
def test_engine_backward_bit_identical_to_reference_loop(dag: Dag) -> None:
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
def test_engine_backward_bit_identical_on_random_mlps(
    shape: tuple[int, list[int]], activation: str, seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    x = data.draw(inputs_for(nin))
    models = [MLP(nin, nouts, activation=activation, seed=seed) for _ in range(2)]
    roots = [vsum(o * o for o in m(x)) for m in models]
    roots[0].backward()
    reference_backward(roots[1])
    assert grads_hex(models[0].parameters()) == grads_hex(models[1].parameters())


def node_facts(node: Value) -> tuple[object, ...]:
    """Everything a node records, floats as hex (so -0.0 and NaN payloads count)."""
    parents = tuple((id(p), p.data.hex()) for p in node.parents)
    return (
        node.data.hex(),
        node.primitive,
        parents if all(not p.is_leaf for p in node.parents) else len(parents),
        [g.hex() for g in node.local_grads],
        node.grad,
        node.label,
        node.grad_value,
        isinstance(node, Value),
    )


SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e300, 710.0, -745.5, math.inf, -math.inf, math.nan]
numbers_or_specials = st.one_of(floats_in(-5.0, 5.0), st.sampled_from(SPECIAL))
UNARY = {"__neg__": "neg", "relu": "relu", "exp": "exp", "log": "log", "tanh": "tanh"}
BINARY = {"__add__": "add", "__radd__": "add", "__mul__": "mul", "__rmul__": "mul"}


def by_the_table(method: str, x: Value, other: object = None) -> Value:
    """What the operator must give: the entry's own forward and rule (``apply``)."""
    if method in UNARY:
        return apply(ops.TABLE[UNARY[method]], x)
    where = BINARY[method]
    lifted = other if isinstance(other, Value) else Value(ops_number(other, where))
    pair = (lifted, x) if method.startswith("__r") else (x, lifted)
    return apply(ops.TABLE[where], *pair)


def ops_number(x: object, where: str) -> float:
    return checks.operand(x, where)


def outcome(fn: Callable[[], Value]) -> tuple[object, ...]:
    try:
        return ("ok", *node_facts(fn()))
    except Exception as error:  # the same error, word for word
        return ("raised", type(error).__name__, str(error))


@settings(max_examples=150)
@given(numbers_or_specials, st.sampled_from(sorted(UNARY)), st.booleans())
def test_engine_unary_operators_are_their_table_entries(
    a: float, name: str, grad_mode: bool
) -> None:
    """Each generated operator gives exactly what its entry's forward and rule give: the
    floats, the edges, the primitive, the error and its message, in and out of no_grad."""
    method = getattr(Value, name)
    x = Value(a)
    with contextlib.nullcontext() if grad_mode else no_grad():
        assert outcome(lambda: method(x)) == outcome(lambda: by_the_table(name, x))


@settings(max_examples=150)
@given(
    numbers_or_specials,
    st.one_of(numbers_or_specials, st.integers(-3, 3), st.just(True), st.just("2")),
    st.sampled_from(sorted(BINARY)),
    st.booleans(),
    st.booleans(),
)
def test_engine_binary_operators_are_their_table_entries(
    a: float, b: object, name: str, b_is_value: bool, grad_mode: bool
) -> None:
    method = getattr(Value, name)
    x = Value(a)
    other = Value(b) if b_is_value and type(b) in (float, int) else b
    with contextlib.nullcontext() if grad_mode else no_grad():
        assert outcome(lambda: method(x, other)) == outcome(lambda: by_the_table(name, x, other))


def test_engine_operators_are_plain_methods_of_value() -> None:
    for name in [*UNARY, *BINARY]:
        method = Value.__dict__[name]
        assert method.__qualname__ == f"Value.{name}"
        assert method.__module__ == "tinygrad_edu.engine"
    y = Value(2.0).exp()
    assert type(y) is Value


def test_engine_operator_errors_name_the_op_and_value() -> None:
    with pytest.raises(OverflowError, match=r"exp: exp\(800\.0\) overflows"):
        Value(800.0).exp()
    with pytest.raises(ValueError, match=r"log: the input must be > 0, got 0.0"):
        Value(0.0).log()
    with pytest.raises(TypeError, match="add: expected a Value or a real number, got bool"):
        Value(1.0) + True  # type: ignore[operator]
    with pytest.raises(TypeError, match="mul: expected a Value or a real number, got str"):
        "2" * Value(1.0)  # type: ignore[operator]


def test_engine_lifted_constants_are_plain_leaves() -> None:
    node = Value(2.0) + 3
    c = node.parents[1]
    assert (c.data, c.grad, c.label, c.is_leaf, c.grad_value) == (3.0, 0.0, "", True, None)
    assert type(c.data) is float


def test_engine_backward_restores_the_collector_state() -> None:
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


@settings(max_examples=100)
@given(st.integers(0, 6), st.data(), st.booleans())
def test_engine_dot_is_its_table_entry(n: int, data: st.DataObject, grad_mode: bool) -> None:
    """A neuron's Σ wᵢxᵢ + b (dot, dot_shared, a Layer) is exactly apply(ops.dot, …)."""
    values = st.one_of(floats_in(-5.0, 5.0), st.sampled_from(SPECIAL))
    ws = [Value(data.draw(values)) for _ in range(n)]
    xs = [Value(data.draw(values)) for _ in range(n)]
    b = Value(data.draw(values))
    with contextlib.nullcontext() if grad_mode else no_grad():
        fast = dot(ws, xs, b)
        reference = apply(ops.dot, *ws, *xs, b)
    assert node_facts(fast)[:2] == node_facts(reference)[:2]
    assert [g.hex() for g in fast.local_grads] == [g.hex() for g in reference.local_grads]
    assert [id(p) for p in fast.parents] == [id(p) for p in reference.parents]


def test_engine_zero_gradient_with_an_infinite_local_gives_nan() -> None:
    """0 · ∞ is NaN: a node whose gradient is 0 still passes on 0 · ∞ along its edges."""
    w, b = Value(math.inf), Value(0.0)
    x = Value(2.0)
    z = dot([w], [x], b)  # locals (2.0, inf, 1.0)
    root = z * 0.0  # z.grad = 0.0
    root.backward()
    assert math.isnan(x.grad) and w.grad == 0.0 and b.grad == 0.0


@settings(max_examples=40)
@given(mlp_shapes(), seeds(), st.data())
def test_engine_zero_gradient_shortcut_is_exact(
    shape: tuple[int, list[int]], seed: int, data: st.DataObject
) -> None:
    """Hinge losses and relus leave many neurons with a gradient of exactly 0; backward()
    skips their edges, and every gradient is still the textbook loop's, bit for bit."""
    nin, nouts = shape
    rows = [data.draw(inputs_for(nin)) for _ in range(3)]
    models = [MLP(nin, nouts, activation="relu", seed=seed) for _ in range(2)]
    roots = []
    for m in models:
        scores = [m(x)[0] for x in rows]
        roots.append(vsum((1.0 - s * y).relu() for s, y in zip(scores, (1.0, -1.0, 1.0))))
    roots[0].backward()
    reference_backward(roots[1])
    assert grads_hex(models[0].parameters()) == grads_hex(models[1].parameters())
    assert grads_hex(interior_order(roots[0])) == grads_hex(interior_order(roots[1]))
