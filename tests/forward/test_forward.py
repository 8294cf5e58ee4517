"""Forward mode (tinygrad_edu.forward): dual numbers from the table, jvp, jacobian in both
modes, forward-over-reverse hvp, compare_modes, and the forward tape and drawing.

References: central differences of each entry's float forward (oracles), a random program's
exact gradient by math-only tangents (``Dag.grad_floats``), reverse mode (``backward()``),
``functional.hvp`` (double backward), and the losses of ``tinygrad_edu.losses``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from oracles import central_difference
from strategies import (
    DAG_OPS,
    MORE_DAG_OPS,
    POWC_EXPONENTS,
    Dag,
    clamp_bounds_and_x,
    dags,
    floats_in,
    primitive_args,
)

from tinygrad_edu import ops
from tinygrad_edu.engine import Value, apply, interior_order
from tinygrad_edu.forward import (
    GENERATED,
    Dual,
    counting,
    grad_and_hvp,
    hvp,
    jacobian,
    jvp,
    numerical_jacobian,
)
from tinygrad_edu.forward import apply as dual_apply
from tinygrad_edu.forward import dot as any_dot
from tinygrad_edu.forward import vsum as any_vsum
from tinygrad_edu.functional import hvp as double_backward_hvp
from tinygrad_edu.gradcheck import analytic_grad, numerical_grad

directions = floats_in(-2.0, 2.0)


# --------------------------------------------------------------------------- every entry
def _family_members() -> list[ops.Primitive]:
    """Every entry of the table, and more than one member of each parametrised family."""
    members = [*ops.TABLE.values(), *(ops.powc(n) for n in POWC_EXPONENTS)]
    members += [ops.clamp(-0.5, 2.0), ops.leaky_relu(0.2), ops.leaky_relu(3.0)]
    return list({id(op): op for op in members}.values())  # powc(3) is also the table's


def _directional_fd(op: ops.Primitive, xs: Sequence[float], ts: Sequence[float]) -> float:
    return central_difference(
        lambda h: op.forward(*(x + h * t for x, t in zip(xs, ts))), 0.0, eps=1e-6
    )


@pytest.mark.parametrize("op", _family_members(), ids=lambda op: op.symbol)
@settings(max_examples=15)
@given(data=st.data())
def test_forward_tangent_of_every_entry_matches_central_differences_of_its_forward(
    op: ops.Primitive, data: st.DataObject
) -> None:
    xs = data.draw(primitive_args(op))
    ts = [data.draw(directions) for _ in xs]
    if op.derivatives == ("0", "0"):  # a comparison: a step, flat away from a = b
        assume(abs(xs[0] - xs[1]) > 1e-3 * (1.0 + abs(ts[0]) + abs(ts[1])))
    out = dual_apply(op, *(Dual(x, t) for x, t in zip(xs, ts)))
    assert out.data == op.forward(*xs)
    expected = _directional_fd(op, xs, ts)
    assert math.isclose(out.tangent, expected, rel_tol=1e-5, abs_tol=1e-6), (xs, ts)


@given(bounds=clamp_bounds_and_x(), t=directions)
def test_forward_clamp_family_tangent_for_any_bounds(
    bounds: tuple[float, float, float], t: float
) -> None:
    lo, hi, x = bounds
    out = Dual(x, t).clamp(lo, hi)
    assert out.tangent == (t if lo < x < hi else 0.0)


def test_forward_dual_methods_are_generated_from_every_entry_of_the_table() -> None:
    # each entry is a method named after it, except what Python spells with operators
    # (+, *, unary −, **) and the n-ary entries (the functions forward.vsum, forward.dot)
    operators = {"add", "mul", "neg", "pow", "powc"}
    n_ary = {name for name, op in ops.TABLE.items() if op.arity < 0}
    assert n_ary == {"sum", "dot"}
    methods = {n for n in GENERATED if not n.startswith("__")}
    assert methods == set(ops.TABLE) - operators - n_ary
    assert {"__add__", "__radd__", "__mul__", "__rmul__", "__neg__"} <= set(GENERATED)
    assert Dual.tanh.__doc__ == ops.tanh.doc


def test_forward_dual_has_every_operation_value_has() -> None:
    value_api = {
        n
        for n in dir(Value)
        if callable(getattr(Value, n)) and (not n.startswith("_") or n.endswith("__"))
    }
    object_api = set(dir(object)) | {"__init_subclass__", "__subclasshook__"}
    not_operations = {"backward", "zero_grad", "__slots__"}
    missing = {n for n in value_api - object_api - not_operations if not hasattr(Dual, n)}
    assert missing == set()


def test_forward_dual_arithmetic_matches_closed_forms() -> None:
    x = Dual(0.7, 1.0)
    cases: list[tuple[Dual, float]] = [
        (x - 2.0, 1.0),
        (2.0 - x, -1.0),
        (x / 4.0, 0.25),
        (3.0 / x, -3.0 / 0.49),
        (x**3, 3 * 0.49),
        (2.0**x, 2.0**0.7 * math.log(2.0)),
        (x**x, 0.7**0.7 * (math.log(0.7) + 1.0)),
        (abs(-x), 1.0),
        (x.max(0.5), 1.0),
        (x.min(0.5), 0.0),
        (x.leaky_relu(), 1.0),
        ((-x).leaky_relu(0.3), -0.3),
        (x.tanh(), 1.0 - math.tanh(0.7) ** 2),
    ]
    for d, expected in cases:
        assert math.isclose(d.tangent, expected, rel_tol=1e-14), (d, expected)
    assert (x < 1.0, x >= 0.7, float(x), x.item()) == (True, True, 0.7, 0.7)
    assert x.detach().tangent == 0.0


def test_forward_dual_errors_name_the_operation() -> None:
    with pytest.raises(TypeError, match="add: cannot mix a Dual with a Value"):
        _ = Dual(1.0) + Value(2.0)
    with pytest.raises(ZeroDivisionError, match="div: division by zero"):
        _ = Dual(1.0) / 0.0
    with pytest.raises(ValueError, match="log: the input must be > 0"):
        Dual(-1.0, 1.0).log()
    with pytest.raises(TypeError, match="pow: the exponent"):
        _ = Dual(1.0) ** "2"  # type: ignore[operator]
    with pytest.raises(TypeError, match="Dual"):
        Dual(True)


def test_forward_counting_counts_primitives_and_tangent_products() -> None:
    with counting() as c:
        (Dual(0.5, 1.0) * Dual(2.0) + 1.0).sigmoid()
    assert (c.primitives, c.edges, c.total) == (3, 5, 8)


# --------------------------------------------------------------------------- random programs
def _atan(a: Any) -> Any:
    return a.atan() if isinstance(a, Dual) else apply(ops.atan, a)


# The strategies build atan, vsum and dot for Values only; these take Values or Duals.
ANY_KIND: dict[str, Callable[..., Any]] = {
    "atan": _atan,
    "vsum": lambda *a: any_vsum(a),
    "dot": lambda *a: any_dot(a[: len(a) // 2], a[len(a) // 2 : -1], a[-1]),
}
ALL_OPS = DAG_OPS + MORE_DAG_OPS
BY_NAME = {op.name: ANY_KIND.get(op.name, op.on_values) for op in ALL_OPS}


def _program(dag: Dag) -> Callable[..., Any]:
    """The Dag as one user function that runs on Values and on Duals alike."""

    def f(*xs: Any) -> Any:
        nodes = list(xs)
        for step in dag.steps:
            nodes.append(BY_NAME[step.op](*(nodes[i] for i in step.args)))
        return nodes[-1]

    return f


def _close(
    a: Sequence[Sequence[float]], b: Sequence[Sequence[float]], rel: float, abs_: float
) -> None:
    assert len(a) == len(b)
    for row_a, row_b in zip(a, b):
        for p, q in zip(row_a, row_b, strict=True):
            assert math.isclose(p, q, rel_tol=rel, abs_tol=abs_), (a, b)


def test_forward_random_programs_use_every_entry_of_the_table() -> None:
    seen: set[str] = set()
    for op in ALL_OPS:
        n = 3 if op.arity < 0 else op.arity
        args = [Value(0.6 + 0.1 * i) for i in range(n)]
        out = BY_NAME[op.name](*args)
        seen |= {node.primitive.name for node in interior_order(out) if node.primitive}
    assert seen == set(ops.TABLE)


@settings(max_examples=40)
@given(dag=dags(max_inputs=4, max_steps=10, ops_=ALL_OPS))
def test_forward_jacobian_equals_reverse_mode_and_exact_tangents_on_random_programs(
    dag: Dag,
) -> None:
    f, x = _program(dag), list(dag.inputs)
    forward = jacobian(f, x)
    reverse = jacobian(f, x, mode="reverse")
    exact = [dag.grad_floats()]
    _close(forward, reverse, 1e-9, 1e-12)
    _close(forward, exact, 1e-9, 1e-12)
    _close(forward, numerical_jacobian(f, x), 1e-4, 1e-5)


@settings(max_examples=40)
@given(dag=dags(max_inputs=3, max_steps=8, ops_=ALL_OPS), data=st.data())
def test_forward_jvp_is_the_jacobian_times_v_on_random_programs(
    dag: Dag, data: st.DataObject
) -> None:
    f, x = _program(dag), list(dag.inputs)
    v = [data.draw(directions) for _ in x]
    value, tangent = jvp(f, x, v)
    assert value == pytest.approx(dag.forward_floats(), rel=1e-12)
    expected = math.fsum(g * vi for g, vi in zip(dag.grad_floats(), v))
    assert math.isclose(tangent, expected, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=40)
@given(dag=dags(max_inputs=3, max_steps=8, ops_=ALL_OPS), data=st.data())
def test_forward_over_reverse_hvp_equals_double_backward_on_random_programs(
    dag: Dag, data: st.DataObject
) -> None:
    f, x = _program(dag), list(dag.inputs)
    v = [data.draw(directions) for _ in x]
    gradient, product = grad_and_hvp(f, x, v)
    _close([gradient], [dag.grad_floats()], 1e-9, 1e-12)
    _close([product], [double_backward_hvp(f, x, v)], 1e-9, 1e-9)


def test_forward_hvp_of_a_closed_form() -> None:
    # f = x² y + sin(x y): H = [[2y − y² s, 2x + c − x y s], [2x + c − x y s, −x² s]],
    # with s = sin(xy), c = cos(xy)
    x, y = 0.7, -1.3
    s, c = math.sin(x * y), math.cos(x * y)
    hxy = 2 * x + c - x * y * s
    H = [[2 * y - y * y * s, hxy], [hxy, -x * x * s]]
    v = [0.4, -2.0]
    got = hvp(lambda a, b: a * a * b + (a * b).sin(), [x, y], v)
    want = [H[0][0] * v[0] + H[0][1] * v[1], H[1][0] * v[0] + H[1][1] * v[1]]
    assert got == pytest.approx(want, rel=1e-13)


def test_forward_jacobian_of_a_list_valued_function_in_both_modes() -> None:
    def f(r: Any, theta: Any) -> list[Any]:  # polar to Cartesian
        return [r * theta.cos(), r * theta.sin(), r]

    r, t = 2.0, 0.3
    want = [[math.cos(t), -r * math.sin(t)], [math.sin(t), r * math.cos(t)], [1.0, 0.0]]
    _close(jacobian(f, [r, t]), want, 1e-15, 0.0)
    _close(jacobian(f, [r, t], mode="reverse"), want, 1e-15, 0.0)
    value, tangent = jvp(f, [r, t], [0.0, 1.0])
    assert tangent == pytest.approx([row[1] for row in want], rel=1e-15)
    assert value == pytest.approx([r * math.cos(t), r * math.sin(t), r], rel=1e-15)


def test_forward_modes_reject_bad_input_by_name() -> None:
    with pytest.raises(ValueError, match="jacobian: mode"):
        jacobian(lambda a: a, [1.0], mode="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jvp: v has 1 entries but x has 2"):
        jvp(lambda a, b: a * b, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match=r"forward\.vsum"):
        from tinygrad_edu.nary import vsum

        jvp(lambda a, b: vsum([Value(1.0), Value(2.0)]), [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(TypeError, match="jacobian: f must be a function"):
        jacobian(3.0, [1.0])  # type: ignore[arg-type]


def test_forward_numerical_jacobian_is_gradchecks_central_differences() -> None:
    def f(a: Any, b: Any) -> Any:
        return (a * b).tanh() / b + a.exp()

    [row] = numerical_jacobian(f, [0.3, 2.0])
    assert row == numerical_grad(f, [0.3, 2.0])  # the same formula, the same floats
    _close(jacobian(f, [0.3, 2.0]), [analytic_grad(f, [0.3, 2.0])], 1e-15, 0.0)


def test_forward_hvp_of_an_input_returned_as_is_is_zero() -> None:
    assert grad_and_hvp(lambda a, b: a, [1.5, 2.0], [1.0, 1.0]) == ([1.0, 0.0], [0.0, 0.0])
