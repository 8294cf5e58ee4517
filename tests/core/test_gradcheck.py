"""numerical_grad against closed forms; gradcheck on right and deliberately wrong derivatives."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from strategies import Dag, dags, floats_in

from tinygrad_edu import ops
from tinygrad_edu.engine import Value, apply
from tinygrad_edu.gradcheck import (
    GradcheckError,
    analytic_grad,
    gradcheck,
    nonfinite_local,
    numerical_grad,
)


def f_closed(x: Value, y: Value) -> Value:
    """f(x, y) = x·y + sin x + eʸ/2: ∂f/∂x = y + cos x, ∂f/∂y = x + eʸ/2."""
    return x * y + x.sin() + y.exp() / 2.0


def f_closed_grad(x: float, y: float) -> tuple[float, float]:
    return y + math.cos(x), x + math.exp(y) / 2.0


def sin_with_rule(scale: float) -> ops.Primitive:
    """sin as a custom primitive whose rule is ``scale``·cos: wrong unless scale == 1."""
    return ops.Primitive("badsin", "bsin", math.sin, lambda out, x: (scale * math.cos(x),), arity=1)


# --------------------------------------------------------------------------- numerical_grad
@given(x=floats_in(-3.0, 3.0), y=floats_in(-3.0, 3.0))
def test_gradcheck_numerical_grad_matches_closed_form(x: float, y: float) -> None:
    numeric = numerical_grad(f_closed, [x, y])
    for n, e in zip(numeric, f_closed_grad(x, y)):
        # error ≈ ε²·f‴/6 + u·|f|/ε ≈ 1e-9 at worst here
        assert math.isclose(n, e, rel_tol=1e-7, abs_tol=1e-8), (n, e)


def test_gradcheck_numerical_grad_is_central_with_error_of_order_eps_squared() -> None:
    # For eˣ the central difference is eˣ·sinh(ε)/ε = eˣ(1 + ε²/6 + …); a one-sided one
    # would be off by about ε/2, a thousand times more at ε = 1e-3.
    eps = 1e-3
    (numeric,) = numerical_grad(Value.exp, [0.5], eps=eps)
    expected = math.exp(0.5) * math.sinh(eps) / eps
    assert math.isclose(numeric, expected, rel_tol=1e-9)
    assert math.isclose(numeric / math.exp(0.5) - 1.0, eps**2 / 6.0, rel_tol=1e-3)


def test_gradcheck_numerical_grad_takes_values_and_numbers() -> None:
    a = Value(1.5)
    numeric = numerical_grad(lambda u, v: u * v, [a, 2])
    assert math.isclose(numeric[0], 2.0, rel_tol=1e-9)
    assert math.isclose(numeric[1], 1.5, rel_tol=1e-9)
    assert a.grad == 0.0 and a.data == 1.5  # the caller's Value is left alone


def test_gradcheck_numerical_grad_rejects_bad_eps() -> None:
    for eps in (0.0, -1e-6, math.nan):
        with pytest.raises(ValueError, match="eps"):
            numerical_grad(Value.exp, [0.5], eps=eps)


def test_gradcheck_analytic_grad_uses_fresh_leaves() -> None:
    a, b = Value(2.0), Value(3.0)
    assert analytic_grad(f_closed, [a, b]) == [
        pytest.approx(g, rel=1e-15) for g in f_closed_grad(2.0, 3.0)
    ]
    assert (a.grad, b.grad) == (0.0, 0.0)


# --------------------------------------------------------------------------- gradcheck
def test_gradcheck_passes_on_correct_functions() -> None:
    assert gradcheck(f_closed, [0.3, -1.2]) is True
    assert gradcheck(lambda x: x.tanh() * x.sigmoid(), [0.7]) is True
    assert gradcheck(lambda a, b: a**b, [1.7, 0.4]) is True
    assert gradcheck(lambda x: apply(sin_with_rule(1.0), x), [0.9]) is True


@given(dag=dags(max_inputs=3, max_steps=6))
def test_gradcheck_passes_on_random_dags(dag: Dag) -> None:
    assert gradcheck(dag, dag.inputs) is True


def test_gradcheck_reports_a_wrong_derivative_in_a_table() -> None:
    bad = sin_with_rule(1.01)  # 1% off: far beyond the tolerances

    def f(x: Value, y: Value) -> Value:
        return x * 2.0 + apply(bad, y)

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [0.5, 0.25])
    message = str(info.value)
    lines = message.splitlines()
    header = next(line for line in lines if "analytic" in line)
    for column in ("input", "analytic", "numeric", "abs err", "rel err"):
        assert column in header
    row_x = next(line for line in lines if line.strip().startswith("x[0]"))
    row_y = next(line for line in lines if line.strip().startswith("x[1]"))
    assert "mismatch" not in row_x
    assert "mismatch" in row_y
    # the row shows both numbers: 1.01·cos(0.25) from backward, cos(0.25) numerically
    fields = row_y.split()
    assert math.isclose(float(fields[1]), 1.01 * math.cos(0.25), rel_tol=1e-12)
    assert math.isclose(float(fields[2]), math.cos(0.25), rel_tol=1e-8)
    assert math.isclose(float(fields[4]), 0.01, rel_tol=1e-2)  # printed to 3 digits
    assert isinstance(info.value, AssertionError)


def test_gradcheck_without_raising_returns_false() -> None:
    bad = sin_with_rule(-1.0)
    assert gradcheck(lambda x: apply(bad, x), [0.3], raise_exception=False) is False
    assert gradcheck(lambda x: x.sin(), [0.3], raise_exception=False) is True


def test_gradcheck_tolerance_is_atol_plus_rtol_times_numeric() -> None:
    slightly_off = sin_with_rule(1.0 + 1e-4)
    f = lambda x: apply(slightly_off, x)  # noqa: E731
    assert gradcheck(f, [0.2]) is True  # 1e-4 relative error < rtol = 1e-3
    assert gradcheck(f, [0.2], rtol=1e-5, atol=0.0, raise_exception=False) is False
    assert gradcheck(f, [0.2], rtol=0.0, atol=1e-3) is True  # |error| ≈ 1e-4 < atol


def test_gradcheck_nan_gradient_is_a_mismatch() -> None:
    nan_rule = ops.Primitive("nanid", "id", lambda x: x, lambda out, x: (math.nan,), arity=1)
    with pytest.raises(GradcheckError, match="mismatch"):
        gradcheck(lambda x: apply(nan_rule, x), [1.0])


def test_gradcheck_rejects_a_non_value_result() -> None:
    with pytest.raises(TypeError, match="float"):
        gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]


# --------------------------------------------------------------------------- arguments
def test_gradcheck_refuses_bad_arguments_by_name() -> None:
    square: Callable[..., Value] = lambda x: x * x  # noqa: E731
    with pytest.raises(TypeError, match=r"gradcheck: inputs must be a sequence .*NoneType None"):
        gradcheck(square, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"gradcheck: eps must be a real number, got str 'a'"):
        gradcheck(square, [1.0], eps="a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"gradcheck: eps=1e-300 is below the float spacing"):
        gradcheck(square, [1.0], eps=1e-300)
    with pytest.raises(ValueError, match=r"gradcheck: atol must be finite, got nan"):
        gradcheck(square, [1.0], atol=math.nan)
    with pytest.raises(ValueError, match=r"gradcheck: rtol must be in \[0, inf\]"):
        gradcheck(square, [1.0], rtol=-1.0)
    with pytest.raises(TypeError, match=r"gradcheck: f must be callable, got None"):
        gradcheck(None, [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"gradcheck: inputs\[0\] must be a number, got bool"):
        gradcheck(square, [True])
    with pytest.raises(TypeError, match=r"numerical_grad: eps must be a real number"):
        numerical_grad(square, [1.0], eps=None)  # type: ignore[arg-type]


def test_gradcheck_names_the_op_of_a_non_finite_gradient() -> None:
    with pytest.raises(GradcheckError, match=r"the local derivative of powc at its input 0"):
        gradcheck(lambda x: (x * 0.0) ** 0.5, [1.0])  # √0: an infinite slope at the pole


def test_gradcheck_nonfinite_local_is_empty_for_a_finite_graph() -> None:
    assert nonfinite_local(Value(2.0).tanh() * 3.0) == ""
