"""Value semantics: operators, graph structure, backward, no_grad, numerics and bad input."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import close
from strategies import Dag, dags, floats_in, leaves_for, nonzero_floats

from tinygrad_edu import ops
from tinygrad_edu.engine import (
    Value,
    apply,
    gradients,
    is_grad_enabled,
    no_grad,
    topo_order,
)
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.nary import dot, vsum

INF = math.inf
NAN = math.nan
CLOSE = 1e-12  # closed forms: a few roundings apart at most


def grads_of(f: Callable[..., Value], *xs: float) -> list[float]:
    """backward() through f on fresh leaves; returns each leaf's gradient."""
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()
    return [leaf.grad for leaf in leaves]


# --------------------------------------------------------------------------- operators
@given(a=floats_in(-5.0, 5.0), b=nonzero_floats())
def test_engine_binary_operators_take_numbers_on_either_side(a: float, b: float) -> None:
    cases: list[tuple[Callable[[float, float], float], Callable[[object, object], Value]]] = [
        (lambda x, y: x + y, lambda x, y: x + y),  # type: ignore[operator]
        (lambda x, y: x - y, lambda x, y: x - y),  # type: ignore[operator]
        (lambda x, y: x * y, lambda x, y: x * y),  # type: ignore[operator]
        (lambda x, y: x / y, lambda x, y: x / y),  # type: ignore[operator]
    ]
    for expected_fn, op in cases:
        expected = expected_fn(a, b)
        for left, right in ((Value(a), b), (a, Value(b)), (Value(a), Value(b))):
            out = op(left, right)
            assert isinstance(out, Value)
            assert close(out.data, expected, abs_=1e-15), (left, right, out)


@given(a=floats_in(-5.0, 5.0), b=nonzero_floats())
def test_engine_operator_gradients_match_closed_forms(a: float, b: float) -> None:
    assert grads_of(lambda x, y: x + y, a, b) == [1.0, 1.0]
    assert grads_of(lambda x, y: x - y, a, b) == [1.0, -1.0]
    assert grads_of(lambda x, y: x * y, a, b) == [b, a]
    da, db = grads_of(lambda x, y: x / y, a, b)
    assert close(da, 1.0 / b) and close(db, -a / (b * b), abs_=1e-15)
    assert grads_of(lambda x: -x, a) == [-1.0]
    assert grads_of(lambda x: +x, a) == [1.0]


@given(v=nonzero_floats(0.2, 3.0))
def test_engine_reflected_forms_match_closed_forms(v: float) -> None:
    cases: list[tuple[Callable[[Value], Value], float, float]] = [
        (lambda x: 2.0 + x, 2.0 + v, 1.0),
        (lambda x: 2.0 - x, 2.0 - v, -1.0),
        (lambda x: 2.0 * x, 2.0 * v, 2.0),
        (lambda x: 2.0 / x, 2.0 / v, -2.0 / v**2),
        (lambda x: 2.0**x, 2.0**v, 2.0**v * math.log(2.0)),
        (lambda x: 3 - x, 3.0 - v, -1.0),  # ints lift too
    ]
    for f, value, grad in cases:
        x = Value(v)
        y = f(x)
        y.backward()
        assert close(y.data, value), (y, value)
        assert close(x.grad, grad), (x.grad, grad)


@given(x=floats_in(0.2, 3.0), n=st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.5]))
def test_engine_pow_with_number_exponent(x: float, n: float) -> None:
    (g,) = grads_of(lambda v: v**n, x)
    assert close((Value(x) ** n).data, x**n)
    assert close(g, n * x ** (n - 1.0))


@given(x=floats_in(-3.0, 3.0), n=st.sampled_from([2, 3, -1, -2]))
def test_engine_pow_integer_exponent_takes_negative_base(x: float, n: int) -> None:
    if n < 0 and abs(x) < 0.1:
        x = 0.1
    (g,) = grads_of(lambda v: v**n, x)
    assert close((Value(x) ** n).data, float(x) ** n)
    assert close(g, n * x ** (n - 1), abs_=1e-15)


@given(a=floats_in(0.2, 3.0), b=floats_in(-2.0, 2.0))
def test_engine_pow_with_value_exponent(a: float, b: float) -> None:
    x, y = Value(a), Value(b)
    out = x**y
    out.backward()
    assert out.parents == (x, y)
    assert close(out.data, a**b)
    assert close(x.grad, b * a ** (b - 1.0), abs_=1e-15)
    assert close(y.grad, a**b * math.log(a), abs_=1e-15)  # ∂(a**b)/∂b = a**b ln a


def test_engine_pow_value_exponent_concrete_numbers() -> None:
    a, b = Value(2.0), Value(3.0)
    out = a**b
    out.backward()
    assert out.data == 8.0
    assert a.grad == 12.0  # b·a^(b−1)
    assert close(b.grad, 8.0 * math.log(2.0))


def test_engine_methods_match_closed_forms() -> None:
    x = 0.7
    cases: list[tuple[Callable[[Value], Value], float, float]] = [
        (Value.exp, math.exp(x), math.exp(x)),
        (Value.log, math.log(x), 1.0 / x),
        (Value.log1p, math.log1p(x), 1.0 / (1.0 + x)),
        (Value.tanh, math.tanh(x), 1.0 / math.cosh(x) ** 2),
        (Value.sigmoid, 1.0 / (1.0 + math.exp(-x)), math.exp(-x) / (1.0 + math.exp(-x)) ** 2),
        (Value.relu, x, 1.0),
        (Value.softplus, math.log(1.0 + math.exp(x)), 1.0 / (1.0 + math.exp(-x))),
        (Value.abs, x, 1.0),
        (abs, x, 1.0),
        (Value.sqrt, math.sqrt(x), 0.5 / math.sqrt(x)),
        (Value.sin, math.sin(x), math.cos(x)),
        (Value.cos, math.cos(x), -math.sin(x)),
        (lambda v: v.clamp(-0.5, 0.5), 0.5, 0.0),
        (lambda v: v.clamp(0.0, 1.0), x, 1.0),
        (lambda v: (-v).leaky_relu(0.1), -0.1 * x, -0.1),
        (lambda v: v.leaky_relu(0.1), x, 1.0),
    ]
    for f, value, grad in cases:
        v = Value(x)
        out = f(v)
        out.backward()
        assert close(out.data, value), (f, out.data, value)
        assert close(v.grad, grad), (f, v.grad, grad)


def test_engine_item_and_float_give_the_data() -> None:
    v = Value(2.5)
    assert v.item() == 2.5
    assert float(v) == 2.5
    assert type(Value(3).data) is float


# --------------------------------------------------------------------------- graph structure
def test_engine_parents_are_in_call_order() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    ab, ba = a * b, b * a
    assert ab.parents == (a, b) and ab.parents[0] is a
    assert ba.parents == (b, a) and ba.parents[0] is b
    assert ab.local_grads == (-3.0, 2.0)  # aligned with the parents: (∂/∂a, ∂/∂b)
    assert ab.op == "*" and ab.primitive is ops.mul
    assert a.is_leaf and not ab.is_leaf and a.op == "" and a.primitive is None


def test_engine_reflected_forms_keep_the_number_on_the_left() -> None:
    v = Value(5.0)
    for node in (2.0 * v, 2.0 + v, 2.0**v):
        left, right = node.parents
        assert left.is_leaf and left.data == 2.0 and right is v
    d = 2.0 - v
    assert d.parents[0].data == 2.0 and d.parents[1].parents == (v,)
    q = 2.0 / v
    assert q.parents[0].data == 2.0 and q.parents[1].parents == (v,)


def test_engine_square_has_two_edges_and_gradient_2a() -> None:
    a = Value(3.5)
    y = a * a
    assert y.parents == (a, a)
    assert y.local_grads == (3.5, 3.5)
    y.backward()
    assert a.grad == 7.0


def test_engine_self_reuse_gradients() -> None:
    cases: list[tuple[Callable[[Value], Value], float]] = [
        (lambda a: a - a, 0.0),
        (lambda a: a + a, 2.0),
        (lambda a: a + a + a, 3.0),
        (lambda a: a * a * a, 3.0 * 1.5**2),
    ]
    for f, expected in cases:
        a = Value(1.5)
        y = f(a)
        y.backward()
        assert a.grad == expected
    a = Value(1.5)
    (a / a).backward()
    assert abs(a.grad) <= 1e-15


def test_engine_subtraction_and_division_are_composites() -> None:
    a, b = Value(5.0), Value(2.0)
    d = a - b
    assert d.primitive is ops.add and d.parents[0] is a
    assert d.parents[1].primitive is ops.neg and d.parents[1].parents == (b,)
    q = a / b
    assert q.primitive is ops.mul and q.parents[0] is a
    assert q.parents[1].primitive is not None and q.parents[1].primitive.name == "powc"
    assert q.parents[1].parents == (b,)


def test_engine_diamond_sums_both_paths() -> None:
    x = Value(0.3)
    a = x.sin()
    y = a * a.exp() + a  # a reaches y along three edges
    y.backward()
    s, c = math.sin(0.3), math.cos(0.3)
    assert close(x.grad, (math.exp(s) + s * math.exp(s) + 1.0) * c)


def test_engine_vsum_is_one_node_with_unit_local_grads() -> None:
    a, b = Value(1.0), Value(2.0)
    s = vsum([a, b, a, 4])
    assert s.op == "Σ" and len(s.parents) == 4 and s.parents[:3] == (a, b, a)
    assert s.local_grads == (1.0, 1.0, 1.0, 1.0)
    assert s.data == 8.0
    s.backward()
    assert (a.grad, b.grad) == (2.0, 1.0)
    empty = vsum([])
    assert empty.data == 0.0 and empty.is_leaf


def test_engine_dot_parents_are_weights_inputs_bias() -> None:
    w = [Value(0.5), Value(-2.0)]
    x = [Value(3.0), Value(0.25)]
    b = Value(0.125)
    out = dot(w, x, b)
    assert out.op == "Σwx+b"
    assert out.parents == (*w, *x, b)
    assert out.local_grads == (3.0, 0.25, 0.5, -2.0, 1.0)
    assert out.data == 0.5 * 3.0 - 2.0 * 0.25 + 0.125
    out.backward()
    assert [v.grad for v in (*w, *x, b)] == [3.0, 0.25, 0.5, -2.0, 1.0]


def test_engine_dot_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match=r"dot: 2 weights but 3 inputs"):
        dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0], Value(0.0))


def test_engine_topo_order_puts_parents_first_once_each() -> None:
    x = Value(1.0)
    a = x * x
    b = a + x
    y = b * a
    order = topo_order(y)
    assert len(order) == len({id(n) for n in order}) == 4
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is y


# --------------------------------------------------------------------------- backward
@pytest.mark.slow
def test_engine_million_node_chain_backward_at_default_recursion_limit() -> None:
    """y = x·cⁿ built as n = 10⁶ multiplications: dy/dx = cⁿ, dy/dc = n·x·cⁿ⁻¹."""
    assert sys.getrecursionlimit() <= 1000  # nothing raised it: the sort must be iterative
    n = 1_000_000
    x, c = Value(0.75), Value(1.0 + 1e-7)
    y = x
    for _ in range(n):
        y = y * c  # one new node per step: the chain is n nodes deep
    y.backward()
    # n roundings in a row: relative error up to about n·u ≈ 1e-10
    assert close(y.data, 0.75 * c.data**n, rel=1e-8)
    assert close(x.grad, c.data**n, rel=1e-8)
    assert close(c.grad, n * 0.75 * c.data ** (n - 1), rel=1e-8)
    assert len(topo_order(y)) == n + 2


def test_engine_repeated_backward_accumulates_leaves_not_interior() -> None:
    a, b = Value(2.0), Value(-3.0)
    m = a * b
    y = m + b * b
    y.backward()
    first = (a.grad, b.grad, m.grad, y.grad)
    assert first == (-3.0, 2.0 - 6.0, 1.0, 1.0)
    y.backward()
    assert (m.grad, y.grad) == (1.0, 1.0)  # interior: recomputed, not doubled
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])  # leaves: accumulated
    a.zero_grad()
    b.zero_grad()
    y.backward()
    assert (a.grad, b.grad, m.grad) == first[:3]


def test_engine_leaf_root_accumulates_like_any_leaf() -> None:
    a = Value(4.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0


@given(dag=dags())
def test_engine_repeated_backward_on_random_dags(dag: Dag) -> None:
    leaves = leaves_for(dag)
    out = dag(*leaves)
    out.backward()
    once = [leaf.grad for leaf in leaves]
    interior = [(node, node.grad) for node in topo_order(out) if not node.is_leaf]
    out.backward()
    for leaf, g in zip(leaves, once):
        # The second pass adds its edge contributions one by one onto the first total, so
        # the sum may round differently from 2·g (by a few ulps of the largest contribution).
        assert close(leaf.grad, 2.0 * g, rel=1e-12, abs_=1e-12)
    assert all(node.grad == g for node, g in interior)  # recomputed bit for bit


@given(dag=dags())
def test_engine_same_graph_twice_gives_bit_identical_gradients(dag: Dag) -> None:
    runs = []
    for _ in range(2):
        leaves = leaves_for(dag)
        out = dag(*leaves)
        out.backward()
        runs.append([out.data] + [leaf.grad for leaf in leaves])
    assert [x.hex() for x in runs[0]] == [x.hex() for x in runs[1]]


@given(dag=dags())
def test_engine_random_dag_forward_matches_math(dag: Dag) -> None:
    # a few roundings per node, amplified by at most a modest condition number
    assert close(dag(*leaves_for(dag)).data, dag.forward_floats(), rel=1e-10, abs_=1e-12)


@given(dag=dags())
def test_engine_random_dag_gradients_match_forward_mode(dag: Dag) -> None:
    leaves = leaves_for(dag)
    dag(*leaves).backward()
    for leaf, expected in zip(leaves, dag.grad_floats()):
        assert close(leaf.grad, expected, rel=1e-10, abs_=1e-12), dag


@given(dag=dags())
def test_engine_random_dag_gradients_pass_gradcheck(dag: Dag) -> None:
    assert gradcheck(dag, dag.inputs, atol=1e-7, rtol=1e-6)


# --------------------------------------------------------------------------- no_grad, detach
def test_engine_no_grad_records_nothing() -> None:
    a = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = (a * a + 1.0).exp()
        s = vsum([a, a])
    assert is_grad_enabled()
    assert close(y.data, math.exp(5.0))
    assert y.is_leaf and y.parents == () and y.local_grads == () and y.op == ""
    assert s.is_leaf and s.data == 4.0
    y.backward()
    assert a.grad == 0.0  # nothing connects y to a


def test_engine_no_grad_restores_state_after_exception() -> None:
    with pytest.raises(ValueError, match="log"), no_grad():
        Value(0.0).log()
    assert is_grad_enabled()
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert is_grad_enabled()
    assert (Value(1.0) * 2.0).parents != ()


def test_engine_no_grad_nests() -> None:
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()  # the inner block restores the outer's state
    assert is_grad_enabled()


def test_engine_gradients_refuses_no_grad() -> None:
    y = Value(1.0) * 2.0
    with no_grad(), pytest.raises(RuntimeError, match="no_grad"):
        gradients(y)


def test_engine_detach_cuts_the_graph() -> None:
    x = Value(3.0, "x")
    d = x.detach()
    assert d is not x and d.data == 3.0 and d.is_leaf and d.grad == 0.0
    y = d * x  # only the second factor is connected
    y.backward()
    assert x.grad == 3.0 and d.grad == 3.0
    z = (x * x).detach()
    assert z.is_leaf and z.data == 9.0


# --------------------------------------------------------------------------- identity, repr
def test_engine_nodes_hash_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2
    assert hash(a) == object.__hash__(a)
    seen = {a: "a", b: "b"}
    assert seen[a] == "a" and seen[b] == "b"
    a.data = 5.0  # mutating data does not change the key
    assert seen[a] == "a"


def test_engine_repr_shows_data_grad_and_label() -> None:
    v = Value(1.5, label="w")
    (v * v).backward()
    text = repr(v)
    assert text.startswith("Value(")
    assert "data=1.5" in text and "grad=3.0" in text and "'w'" in text
    assert "label" not in repr(Value(2.0))


# --------------------------------------------------------------------------- numerics
@pytest.mark.parametrize(("x", "expected"), [(1e308, 1.0), (-1e308, 0.0), (INF, 1.0), (-INF, 0.0)])
def test_engine_sigmoid_is_stable_at_extremes(x: float, expected: float) -> None:
    v = Value(x)
    s = v.sigmoid()
    s.backward()
    assert s.data == expected
    assert v.grad == 0.0


@given(x=st.floats(allow_nan=False))
def test_engine_sigmoid_is_finite_and_accurate_everywhere(x: float) -> None:
    s = Value(x).sigmoid().data
    assert 0.0 <= s <= 1.0
    t = Value(-x).sigmoid().data
    assert math.isclose(s + t, 1.0, rel_tol=1e-15)  # σ(−x) = 1 − σ(x)
    if x < -40.0:
        assert close(s, math.exp(x), rel=1e-15)  # 1 + eˣ rounds to 1
    elif x <= 40.0:
        assert close(s, 1.0 / (1.0 + math.exp(-x)), rel=1e-14)


@given(x=st.floats(allow_nan=False))
def test_engine_tanh_and_softplus_never_overflow(x: float) -> None:
    assert -1.0 <= Value(x).tanh().data <= 1.0
    sp = Value(x).softplus().data
    assert sp >= 0.0 and sp >= x and not math.isnan(sp)


@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_engine_tanh_saturates_with_zero_gradient(x: float) -> None:
    v = Value(x)
    t = v.tanh()
    t.backward()
    assert t.data == math.copysign(1.0, x)
    assert v.grad == 0.0


def test_engine_softplus_at_extremes() -> None:
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-1000.0).softplus().data == 0.0
    v = Value(-1000.0)
    v.softplus().backward()
    assert v.grad == 0.0


@pytest.mark.parametrize("x", [0.0, -0.0])
def test_engine_relu_derivative_at_zero_is_zero(x: float) -> None:
    v = Value(x)
    r = v.relu()
    r.backward()
    assert r.data == 0.0 and v.grad == 0.0


NAN_OPS: list[tuple[str, Callable[[Value], Value]]] = [
    ("add", lambda v: v + 1.0),
    ("radd", lambda v: 1.0 + v),
    ("sub", lambda v: v - 1.0),
    ("rsub", lambda v: 1.0 - v),
    ("mul", lambda v: v * 2.0),
    ("rmul", lambda v: 2.0 * v),
    ("div", lambda v: v / 2.0),
    ("rdiv", lambda v: 2.0 / v),
    ("neg", lambda v: -v),
    ("pow number", lambda v: v**2),
    ("pow fraction", lambda v: v**0.5),
    ("pow value base", lambda v: v ** Value(2.0)),
    ("pow value exponent", lambda v: Value(2.0) ** v),
    ("rpow", lambda v: 2.0**v),
    ("exp", Value.exp),
    ("log", Value.log),
    ("log1p", Value.log1p),
    ("tanh", Value.tanh),
    ("sigmoid", Value.sigmoid),
    ("relu", Value.relu),
    ("softplus", Value.softplus),
    ("abs", Value.abs),
    ("sqrt", Value.sqrt),
    ("sin", Value.sin),
    ("cos", Value.cos),
    ("clamp", lambda v: v.clamp(-1.0, 1.0)),
    ("leaky_relu", Value.leaky_relu),
    ("vsum", lambda v: vsum([v, 1.0])),
    ("dot weight", lambda v: dot([v], [2.0], Value(1.0))),
    ("dot input", lambda v: dot([Value(2.0)], [v], Value(1.0))),
    ("dot bias", lambda v: dot([Value(2.0)], [3.0], v)),
]


@pytest.mark.parametrize(("name", "op"), NAN_OPS, ids=[name for name, _ in NAN_OPS])
def test_engine_nan_passes_through(name: str, op: Callable[[Value], Value]) -> None:
    v = Value(NAN)
    out = op(v)
    assert math.isnan(out.data), name
    out.backward()  # no exception on the way back either


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("bad", "type_name"), [("3", "str"), (None, "NoneType"), ([1], "list"), (1 + 2j, "complex")]
)
def test_engine_value_rejects_non_numbers(bad: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=type_name):
        Value(bad)  # type: ignore[arg-type]


def test_engine_value_rejects_a_value() -> None:
    with pytest.raises(TypeError, match="Value"):
        Value(Value(1.0))  # type: ignore[arg-type]


BAD_OPERANDS: list[tuple[str, Callable[[], object], str]] = [
    ("Value * str", lambda: Value(2.0) * "ab", "str"),  # type: ignore[operator]
    ("str * Value", lambda: "ab" * Value(2.0), "str"),  # type: ignore[operator]
    ("Value + str", lambda: Value(2.0) + "ab", "str"),  # type: ignore[operator]
    ("str + Value", lambda: "ab" + Value(2.0), "str"),  # type: ignore[operator]
    ("Value - str", lambda: Value(2.0) - "ab", "str"),  # type: ignore[operator]
    ("str - Value", lambda: "ab" - Value(2.0), "str"),  # type: ignore[operator]
    ("Value / str", lambda: Value(2.0) / "ab", "str"),  # type: ignore[operator]
    ("str / Value", lambda: "ab" / Value(2.0), "str"),  # type: ignore[operator]
    ("Value + None", lambda: Value(2.0) + None, "NoneType"),  # type: ignore[operator]
    ("Value * list", lambda: Value(2.0) * [1], "list"),  # type: ignore[operator]
    ("Value * complex", lambda: Value(2.0) * 1j, "complex"),  # type: ignore[operator]
    ("Value ** str", lambda: Value(2.0) ** "2", "str"),  # type: ignore[operator]
    ("str ** Value", lambda: "2" ** Value(2.0), "str"),  # type: ignore[operator]
    ("Value ** None", lambda: Value(2.0) ** None, "NoneType"),  # type: ignore[operator]
    ("Value ** complex", lambda: Value(2.0) ** 1j, "complex"),  # type: ignore[operator]
    ("clamp str", lambda: Value(2.0).clamp("0", 1.0), "str"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(
    ("case", "make", "type_name"), BAD_OPERANDS, ids=[c for c, _, _ in BAD_OPERANDS]
)
def test_engine_bad_operand_is_a_type_error_naming_the_type(
    case: str, make: Callable[[], object], type_name: str
) -> None:
    with pytest.raises(TypeError, match=rf"\b{type_name}\b") as info:
        make()
    assert not str(info.value).startswith("unsupported operand"), case


DOMAIN_ERRORS: list[tuple[str, Callable[[], Value], type[Exception], str]] = [
    ("log(0)", lambda: Value(0.0).log(), ValueError, r"log.*0\.0"),
    ("log(-1)", lambda: Value(-1.0).log(), ValueError, r"log.*-1\.0"),
    ("log1p(-1)", lambda: Value(-1.0).log1p(), ValueError, r"log1p.*-1\.0"),
    ("1/Value(0)", lambda: 1 / Value(0.0), ZeroDivisionError, r"div.*1\.0 / 0\.0"),
    ("Value(1)/0", lambda: Value(1.0) / 0, ZeroDivisionError, r"div.*1\.0 / 0\.0"),
    ("Value(1)/Value(-0.0)", lambda: Value(1.0) / Value(-0.0), ZeroDivisionError, r"div.*-0\.0"),
    ("Value(0)**-1", lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow.*0\.0 \*\* -1\.0"),
    ("Value(-8)**(1/3)", lambda: Value(-8.0) ** (1 / 3), ValueError, r"pow.*-8\.0 \*\* 0\.333"),
    ("Value(-8)**Value(2)", lambda: Value(-8.0) ** Value(2.0), ValueError, r"pow.*-8\.0"),
    ("Value(10)**400", lambda: Value(10.0) ** 400, OverflowError, r"pow.*10\.0 \*\* 400\.0"),
    ("2**Value(5000)", lambda: 2 ** Value(5000.0), OverflowError, r"pow.*5000\.0"),
    ("Value(1000).exp()", lambda: Value(1000.0).exp(), OverflowError, r"exp.*1000\.0"),
    ("sqrt(-1)", lambda: Value(-1.0).sqrt(), ValueError, r"sqrt.*-1\.0"),
    ("sin(inf)", lambda: Value(INF).sin(), ValueError, r"sin.*inf"),
    ("cos(-inf)", lambda: Value(-INF).cos(), ValueError, r"cos.*-inf"),
]


@pytest.mark.parametrize(
    ("case", "make", "error", "pattern"), DOMAIN_ERRORS, ids=[c for c, *_ in DOMAIN_ERRORS]
)
def test_engine_domain_error_names_op_and_value(
    case: str, make: Callable[[], Value], error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern) as info:
        make()
    assert "math domain error" not in str(info.value), case


# --------------------------------------------------------------------------- micrograd's tests
def test_engine_micrograd_sanity_check_expression() -> None:
    # Expected values computed once with PyTorch 2.13.0 in float64:
    #   x = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    #   z = 2 * x + 2 + x; q = z.relu() + z * x; h = (z * z).relu(); y = h + q + q * x
    #   y.backward(); print(repr(y.item()), repr(x.grad.item()))   # -20.0 46.0
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_engine_micrograd_more_ops_expression() -> None:
    # Expected values computed once with PyTorch 2.13.0 in float64:
    #   T = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
    #   a, b = T(-4.0), T(2.0)
    #   c = a + b; d = a * b + b**3
    #   c = c + (c + 1); c = c + (1 + c + (-a))
    #   d = d + (d * 2 + (b + a).relu()); d = d + (3 * d + (b - a).relu())
    #   e = c - d; f = e**2; g = f / 2.0; g = g + 10.0 / f
    #   g.backward(); print(repr(g.item()), repr(a.grad.item()), repr(b.grad.item()))
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert close(g.data, 24.70408163265306)
    assert close(a.grad, 138.83381924198252)
    assert close(b.grad, 645.5772594752186)


# --------------------------------------------------------------------------- apply
def test_engine_apply_records_a_custom_primitive() -> None:
    square = ops.Primitive("sq", "sq", lambda x: x * x, lambda out, x: (2.0 * x,), 1)
    x = Value(1.25)
    y = apply(square, x)
    assert y.primitive is square and y.op == "sq" and y.parents == (x,)
    assert y.local_grads == (2.5,)
    y.backward()
    assert x.grad == 2.5


# --------------------------------------------------------------------------- create_graph
def test_engine_create_graph_grad_value_is_differentiable() -> None:
    # y = x³: dy/dx = 3x² = 12 at x = 2, and d(dy/dx)/dx = 6x = 12
    x = Value(2.0)
    y = x**3
    y.backward(create_graph=True)
    assert x.grad == 12.0
    assert x.grad_value is not None
    assert x.grad_value.data == 12.0
    assert gradients(x.grad_value)[x].data == 12.0
    x.zero_grad()
    assert (x.grad, x.grad_value) == (0.0, None)


def test_engine_create_graph_leaf_gradients_accumulate_like_grad() -> None:
    x = Value(2.0)
    (x * x).backward(create_graph=True)  # 2x = 4
    (x * x * x).backward(create_graph=True)  # 3x² = 12
    assert x.grad == 16.0
    assert x.grad_value is not None
    assert x.grad_value.data == 16.0
    # d(grad_value)/dx = 2 + 6x = 14
    assert gradients(x.grad_value)[x].data == 14.0


def test_engine_create_graph_after_an_ordinary_pass_keeps_the_float_total() -> None:
    x = Value(3.0)
    (x * x).backward()  # 6, no graph
    (x * x).backward(create_graph=True)  # + 6
    assert x.grad == 12.0
    assert x.grad_value is not None
    assert x.grad_value.data == 12.0


def test_engine_division_whose_reciprocal_overflows_names_div() -> None:
    with pytest.raises(OverflowError, match=r"div: 1\.0 / 1e-320 overflows"):
        Value(1.0) / Value(1e-320)
