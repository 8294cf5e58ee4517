"""The reference chain-rule loop, grad mode per thread, and the engine's conventions.

* ``chain_rule`` yields one step per edge; ``backward()`` (the optimised loop) is held
  bit-identical to it on random graphs;
* ``no_grad`` is per thread and per asyncio task, under random interleavings;
* special points and overflowing local derivatives: one rule on the float and the
  ``create_graph`` paths;
* comparisons, ``meta``, ``_prev``, ``backward(gradient=…)``; bools refused; named errors.

Literal expectations marked "PyTorch" were computed with torch 2.x in float64, e.g.
``x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)``; ``g, = grad(x.sqrt(), x,
create_graph=True)``; ``grad(g, x)`` → ``(tensor(-inf),)``.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import central_difference, close
from strategies import Dag, dags, floats_in, leaves_for

from tinygrad_edu.engine import (
    ChainStep,
    Value,
    chain_rule,
    gradients,
    interior_order,
    is_grad_enabled,
    no_grad,
    topo_order,
)
from tinygrad_edu.nary import dot, vsum

INF = math.inf


def final_grads(root: Value) -> dict[Value, float]:
    """∂root/∂node for every parent reached, as the last step into it says."""
    totals: dict[Value, float] = {}
    for step in chain_rule(root):
        totals[step.parent] = step.grad
    return totals


# --------------------------------------------------------------------------- chain_rule
def test_chain_rule_steps_for_a_small_graph() -> None:
    x, w = Value(3.0, "x"), Value(-2.0, "w")
    z = x * w  # -6
    y = z + x  # -3: x is used twice
    steps = list(chain_rule(y))
    assert [(s.node, s.position, s.parent) for s in steps] == [
        (y, 0, z),
        (y, 1, x),
        (z, 0, x),
        (z, 1, w),
    ]
    assert [(s.local, s.upstream, s.contribution, s.grad) for s in steps] == [
        (1.0, 1.0, 1.0, 1.0),
        (1.0, 1.0, 1.0, 1.0),
        (-2.0, 1.0, -2.0, -1.0),  # x: 1 from y's edge, then −2 from z's: ∂y/∂x = w + 1
        (3.0, 1.0, 3.0, 3.0),
    ]
    assert all(isinstance(s, ChainStep) for s in steps)


def test_chain_rule_never_touches_grad() -> None:
    x = Value(1.5)
    x.grad = 7.0
    y = (x * x).tanh()
    y.grad = 4.0
    list(chain_rule(y))
    assert (x.grad, y.grad) == (7.0, 4.0)


def test_chain_rule_upstream_is_final_when_node_is_reached() -> None:
    x = Value(0.7)
    a = x * x
    y = a * a + a  # a feeds y twice: its total must be complete before it passes on
    seen: dict[Value, float] = {y: 1.0}
    for step in chain_rule(y):
        assert step.upstream == seen.get(step.node, 0.0)
        assert step.contribution == step.local * step.upstream
        seen[step.parent] = step.grad
    y.backward()
    assert seen[a] == a.grad and seen[x] == x.grad


def test_chain_rule_of_a_leaf_is_empty() -> None:
    assert list(chain_rule(Value(2.0))) == []


def test_chain_rule_refuses_a_number() -> None:
    with pytest.raises(TypeError, match=r"chain_rule: expected a Value, got int"):
        list(chain_rule(3))  # type: ignore[arg-type]


@given(dag=dags())
def test_chain_rule_backward_is_bit_identical_to_reference_loop(dag: Dag) -> None:
    leaves = leaves_for(dag)
    root = dag(*leaves)
    reference = final_grads(root)
    root.backward()
    for node in topo_order(root):
        if node is root:
            continue
        assert node.grad.hex() == reference.get(node, 0.0).hex(), node


@given(dag=dags(), seed=floats_in(-3.0, 3.0))
def test_chain_rule_seeded_backward_scales_every_gradient(dag: Dag, seed: float) -> None:
    leaves = leaves_for(dag)
    root = dag(*leaves)
    reference = final_grads(root)
    root.backward(gradient=seed)
    for leaf in leaves:
        assert close(leaf.grad, seed * reference.get(leaf, 0.0), 1e-12, 1e-12)


@given(dag=dags(max_steps=6))
def test_chain_rule_gradients_graph_agrees_with_reference(dag: Dag) -> None:
    leaves = leaves_for(dag)
    root = dag(*leaves)
    reference = final_grads(root)
    graph = gradients(root)
    for leaf in leaves:
        expected = reference.get(leaf, 0.0)
        got = graph[leaf].data if leaf in graph else 0.0
        assert close(got, expected, 1e-12, 1e-12), (got, expected)


def test_chain_rule_visits_interior_nodes_in_reverse_topological_order() -> None:
    x = Value(0.3)
    y = ((x * 2.0).exp() + x.sin()) * x
    nodes = [s.node for s in chain_rule(y)]
    first_visits = list(dict.fromkeys(nodes))
    assert first_visits == list(reversed(interior_order(y)))


# --------------------------------------------------------------------------- grad mode
def test_grad_mode_is_per_thread() -> None:
    inside, release = threading.Event(), threading.Event()

    def hold_no_grad() -> None:
        with no_grad():
            inside.set()
            release.wait(10.0)

    other = threading.Thread(target=hold_no_grad)
    other.start()
    try:
        assert inside.wait(10.0)
        assert is_grad_enabled()  # this thread is not in the other's block
        x = Value(2.0)
        y = x * x
        y.backward()
        assert x.grad == 4.0
    finally:
        release.set()
        other.join()
    assert is_grad_enabled()


def test_grad_mode_blocks_may_overlap_and_exit_out_of_order() -> None:
    first, second = no_grad(), no_grad()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the outer block closes first
    assert not is_grad_enabled()  # one block is still open here
    second.__exit__(None, None, None)
    assert is_grad_enabled()


def test_grad_mode_is_per_asyncio_task() -> None:
    async def without_grad(ready: asyncio.Event, done: asyncio.Event) -> None:
        with no_grad():
            ready.set()
            await done.wait()

    async def main() -> tuple[bool, bool]:
        ready, done = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(without_grad(ready, done))
        await ready.wait()
        recorded = not (Value(1.0) * 2.0).is_leaf
        done.set()
        await task
        return recorded, is_grad_enabled()

    assert asyncio.run(main()) == (True, True)


# Each thread runs a script of (enter no_grad | exit no_grad | build a node and check it);
# barriers after every step interleave the threads in lockstep, and the scripts are random.
Script = list[str]


def _scripts() -> st.SearchStrategy[list[Script]]:
    step = st.sampled_from(["enter", "exit", "build"])
    return st.lists(st.lists(step, min_size=1, max_size=8), min_size=2, max_size=3)


@settings(max_examples=25)
@given(scripts=_scripts())
def test_grad_mode_random_interleavings_of_threads(scripts: list[Script]) -> None:
    length = max(len(s) for s in scripts)
    barrier = threading.Barrier(len(scripts))
    failures: list[str] = []

    def run(script: Script) -> None:
        blocks = []
        for k in range(length):
            action = script[k] if k < len(script) else "build"
            if action == "enter":
                blocks.append(no_grad())
                blocks[-1].__enter__()
            elif action == "exit" and blocks:
                blocks.pop(0).__exit__(None, None, None)  # the oldest first: overlapping
            node = Value(1.0) * 3.0
            if node.is_leaf != bool(blocks) or is_grad_enabled() == bool(blocks):
                failures.append(f"step {k}: {len(blocks)} open blocks, leaf={node.is_leaf}")
            barrier.wait(10.0)
        while blocks:
            blocks.pop().__exit__(None, None, None)

    threads = [threading.Thread(target=run, args=(s,)) for s in scripts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert is_grad_enabled() and not (Value(1.0) * 3.0).is_leaf


# --------------------------------------------------------------------------- special points
def test_special_point_leaky_relu_derivative_at_zero_is_the_slope() -> None:
    for slope in (0.01, 0.2, -1.5):
        x = Value(0.0)
        x.leaky_relu(slope).backward()
        assert x.grad == slope  # PyTorch: leaky_relu'(0) = negative_slope
        assert gradients(Value(0.0).leaky_relu(slope))  # the graph path agrees:
        x = Value(0.0)
        assert gradients(x.leaky_relu(slope))[x].data == slope


def test_special_point_leaky_relu_matches_central_differences_off_zero() -> None:
    for x0 in (-1.3, 0.4):
        x = Value(x0)
        x.leaky_relu(0.2).backward()
        expected = central_difference(lambda t: t if t > 0 else 0.2 * t, x0)
        assert close(x.grad, expected, 1e-9, 1e-12)


def test_special_point_sqrt_at_zero_is_inf_then_minus_inf() -> None:
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == INF  # PyTorch: inf
    x = Value(0.0)
    first = gradients(x.sqrt())[x]
    assert first.data == INF
    assert gradients(first)[x].data == -INF  # PyTorch: -inf


def test_special_point_half_power_at_zero_same_through_backward_and_graph() -> None:
    x = Value(0.0)
    (x**0.5).backward()
    through_backward = x.grad
    x = Value(0.0)
    first = gradients(x**0.5)[x]
    assert through_backward == first.data == INF
    assert gradients(first)[x].data == -INF  # PyTorch: -inf
    x = Value(0.0)
    assert gradients(gradients(x**1.5)[x])[x].data == INF  # PyTorch: inf


# --------------------------------------------------------------------------- overflow
def test_overflow_finite_division_by_tiny_number_succeeds() -> None:
    a, b = Value(2.0), Value(1e-160)
    c = a / b
    assert c.data == 2.0 * 1e160
    c.backward()
    assert a.grad == 1e160
    assert b.grad == -INF  # −2/b² = −2e320: beyond the float range


def test_overflow_reciprocal_of_tiny_number_is_finite() -> None:
    assert (1.0 / Value(1e-300)).data == 1.0 / 1e-300
    v = Value(1e-160) ** -1
    assert v.data == 1e160 and v.local_grads == (-INF,)


def test_overflow_of_the_value_names_what_the_user_wrote() -> None:
    with pytest.raises(OverflowError, match=r"pow: 1e-320 \*\* -1\.0 overflows"):
        Value(1e-320) ** -1
    with pytest.raises(OverflowError, match=r"div: 1\.0 / 1e-320 overflows"):
        1.0 / Value(1e-320)


def test_overflow_local_derivative_is_stored_as_inf() -> None:
    y = Value(1e-320).log()
    assert y.data == math.log(1e-320)
    assert y.local_grads == (INF,)
    assert [s.local for s in chain_rule(y)] == [INF]


def test_overflow_sum_and_products_follow_ieee() -> None:
    assert math.isnan(vsum([INF, -INF]).data)
    assert math.isnan((Value(INF) + Value(-INF)).data)
    assert vsum([1e308, 1e308]).data == INF == (Value(1e308) + 1e308).data
    assert (Value(1e200) * 1e200).data == INF
    assert dot([Value(1e200)], [1e200], Value(0.0)).data == INF


# --------------------------------------------------------------------------- comparisons
def test_comparisons_compare_data_as_python_bools() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= b, a > b, a >= b) == (True, True, False, False)
    assert (a < 1.5, a >= 1, 3 > a) == (True, True, True)  # noqa: SIM300 (reflected)
    values = [Value(3.0), Value(-1.0), Value(2.0)]
    assert [v.data for v in sorted(values)] == [-1.0, 2.0, 3.0]
    assert max(values) is values[0]


def test_comparisons_keep_identity_equality_and_hashing() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2


def test_comparison_nodes_are_steps_with_zero_gradient() -> None:
    a, b = Value(1.0), Value(2.0)
    cases = [(a.eq(b), 0.0), (a.eq(1.0), 1.0), (a.lt(b), 1.0), (a.gt(b), 0.0), (b.gt(a), 1.0)]
    for node, value in cases:
        assert node.data == value
        assert node.local_grads == (0.0, 0.0)
    (a.lt(b) * 5.0).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_comparison_max_and_min_route_the_gradient() -> None:
    a, b = Value(2.0), Value(5.0)
    m = a.max(b)
    m.backward()
    assert (m.data, a.grad, b.grad) == (5.0, 0.0, 1.0)
    a, b = Value(2.0), Value(5.0)
    m = a.min(b)
    m.backward()
    assert (m.data, a.grad, b.grad) == (2.0, 1.0, 0.0)
    a = Value(-3.0)
    m = a.max(0.0)
    assert m.data == 0.0


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_comparisons_refuse_non_numbers(op: str) -> None:
    compare: dict[str, Callable[[Value, object], bool]] = {
        "<": lambda v, o: v < o,  # type: ignore[operator]
        "<=": lambda v, o: v <= o,  # type: ignore[operator]
        ">": lambda v, o: v > o,  # type: ignore[operator]
        ">=": lambda v, o: v >= o,  # type: ignore[operator]
    }
    with pytest.raises(TypeError, match=f"{op}: expected a Value or a real number, got str"):
        compare[op](Value(1.0), "2")


# --------------------------------------------------------------------------- compatibility
def test_meta_is_a_lazily_created_dict_per_node() -> None:
    a, b = Value(1.0), Value(2.0)
    a.meta["colour"] = "red"
    assert a.meta == {"colour": "red"} and b.meta == {}
    assert (a * b).meta == {}


def test_prev_is_the_set_of_parents() -> None:
    a = Value(1.0)
    b = a * a
    assert b._prev == {a} and b.parents == (a, a)
    assert Value(1.0)._prev == set()


def test_backward_gradient_seeds_the_pass() -> None:
    x = Value(3.0)
    (x * x).backward(gradient=0.5)
    assert x.grad == 3.0
    leaf = Value(1.0)
    leaf.backward(gradient=2.5)
    assert leaf.grad == 2.5
    x = Value(3.0)
    (x * x * x).backward(gradient=2.0, create_graph=True)
    assert x.grad == 54.0 and x.grad_value is not None and x.grad_value.data == 54.0
    with pytest.raises(TypeError, match=r"backward: expected a real number"):
        Value(1.0).backward(gradient="1")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- bad input
def test_bools_are_not_numbers() -> None:
    with pytest.raises(TypeError, match=r"Value: .*got bool True"):
        Value(True)
    with pytest.raises(TypeError, match=r"mul: .*got bool True"):
        Value(2.0) * True
    with pytest.raises(TypeError, match=r"add: .*got bool False"):
        False + Value(2.0)


def test_named_errors_for_wrong_arguments() -> None:
    with pytest.raises(TypeError, match=r"vsum: expected an iterable .*NoneType None"):
        vsum(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"dot: every weight must be a Value, got float 1\.0"):
        dot([1.0], [1.0], Value(0.0))  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"dot: bias must be a Value, got float"):
        dot([Value(1.0)], [1.0], 0.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"topo_order: expected a Value, got int 3"):
        topo_order(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"gradients: expected a Value"):
        gradients(2.0)  # type: ignore[arg-type]
