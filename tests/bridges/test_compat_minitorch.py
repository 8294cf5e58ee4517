"""minitorch's scalar operator catalogue, written over Values, and EurekaLabs-style node data.

minitorch's ``operators`` module is a list of small functions (mul, id, add, neg, lt, eq, max,
is_close, sigmoid, relu, log, exp, inv and the ``_back`` ones that multiply an upstream
derivative d by the local one). Written as below on tinygrad_edu's Value, with its comparisons
(``lt``/``eq``/``gt`` give 0/1 nodes with zero gradient, ``<``/``>`` compare values), each gives
the right value, and each ``_back`` function equals what ``backward(gradient=d)`` computes.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from strategies import away_from, floats_in

from tinygrad_edu.compat.micrograd.engine import Value

# ------------------------------------------------------------------ the catalogue, on Values


def mul(x: Value, y: Value) -> Value:
    return x * y


def id_(x: Value) -> Value:
    return x


def add(x: Value, y: Value) -> Value:
    return x + y


def neg(x: Value) -> Value:
    return -x


def lt(x: Value, y: Value) -> Value:
    return x.lt(y)


def eq(x: Value, y: Value) -> Value:
    return x.eq(y)


def max_(x: Value, y: Value) -> Value:
    return x.max(y)


def is_close(x: Value, y: Value) -> Value:
    return (x - y).abs().lt(1e-2)


def sigmoid(x: Value) -> Value:
    return x.sigmoid()


def relu(x: Value) -> Value:
    return x.relu()


def log(x: Value) -> Value:
    return x.log()


def exp(x: Value) -> Value:
    return x.exp()


def inv(x: Value) -> Value:
    return x**-1


def log_back(x: Value, d: Value) -> Value:
    return d / x


def inv_back(x: Value, d: Value) -> Value:
    return -d / (x * x)


def relu_back(x: Value, d: Value) -> Value:
    return d * x.gt(0.0)


def _grad_with_seed(f: object, x: float, d: float) -> float:
    """d · f′(x) by the engine: backward seeded with d (PyTorch's backward(gradient=d))."""
    v = Value(x)
    out = f(v)  # type: ignore[operator]
    out.backward(gradient=d)
    return v.grad


# ------------------------------------------------------------------ values


def test_minitorch_catalogue_values_match_floats() -> None:
    x, y = Value(2.5), Value(-1.5)
    assert mul(x, y).data == -3.75
    assert id_(x) is x
    assert add(x, y).data == 1.0
    assert neg(x).data == -2.5
    assert (lt(x, y).data, lt(y, x).data, lt(x, x).data) == (0.0, 1.0, 0.0)
    assert (eq(x, y).data, eq(x, Value(2.5)).data) == (0.0, 1.0)
    assert (max_(x, y).data, max_(y, x).data) == (2.5, 2.5)
    assert (is_close(x, Value(2.505)).data, is_close(x, Value(2.6)).data) == (1.0, 0.0)
    assert sigmoid(Value(0.0)).data == 0.5
    assert sigmoid(Value(-800.0)).data == pytest.approx(0.0, abs=1e-300)  # stable, no overflow
    assert (relu(x).data, relu(y).data) == (2.5, 0.0)
    assert log(Value(math.e)).data == pytest.approx(1.0, rel=1e-15)
    assert exp(Value(1.0)).data == pytest.approx(math.e, rel=1e-15)
    assert inv(Value(4.0)).data == 0.25


def test_minitorch_comparisons_give_zero_gradient_nodes() -> None:
    x, y = Value(1.0), Value(2.0)
    for node in (lt(x, y), eq(x, y), x.gt(y), is_close(x, y)):
        x.grad = y.grad = 0.0
        node.backward()
        assert (x.grad, y.grad) == (0.0, 0.0)
        assert node.data in (0.0, 1.0)


def test_minitorch_python_comparisons_compare_data() -> None:
    x, y = Value(1.0), Value(2.0)
    assert (x < y, x > y, x <= 1.0, y >= 3.0) == (True, False, True, False)
    assert max([Value(3.0), x, y]).data == 3.0  # the builtin max works on Values
    assert sorted([y, x])[0] is x


def test_minitorch_eq_is_identity_so_nodes_stay_hashable() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2
    assert eq(a, b).data == 1.0  # the value comparison is a method


def test_minitorch_max_sends_the_gradient_to_the_larger() -> None:
    x, y = Value(2.0), Value(5.0)
    m = max_(x, y)
    m.backward()
    assert (m.data, x.grad, y.grad) == (5.0, 0.0, 1.0)


# ------------------------------------------------------------------ the _back functions


@given(floats_in(0.05, 20.0), floats_in(-3.0, 3.0))
def test_minitorch_log_back_equals_the_seeded_backward(x: float, d: float) -> None:
    assert log_back(Value(x), Value(d)).data == pytest.approx(
        _grad_with_seed(log, x, d), rel=1e-12, abs=1e-300
    )


@given(away_from(floats_in(-5.0, 5.0), [0.0], 0.05), floats_in(-3.0, 3.0))
def test_minitorch_inv_back_equals_the_seeded_backward(x: float, d: float) -> None:
    assert inv_back(Value(x), Value(d)).data == pytest.approx(
        _grad_with_seed(inv, x, d), rel=1e-12, abs=1e-300
    )


@given(floats_in(-5.0, 5.0), floats_in(-3.0, 3.0))
def test_minitorch_relu_back_equals_the_seeded_backward(x: float, d: float) -> None:
    assert relu_back(Value(x), Value(d)).data == _grad_with_seed(relu, x, d)


@given(floats_in(-5.0, 5.0), floats_in(-3.0, 3.0))
def test_minitorch_sigmoid_derivative_is_s_times_one_minus_s(x: float, d: float) -> None:
    s = 1.0 / (1.0 + math.exp(-x))
    assert _grad_with_seed(sigmoid, x, d) == pytest.approx(d * s * (1.0 - s), rel=1e-12, abs=1e-15)


def test_minitorch_relu_back_at_zero_is_zero() -> None:
    assert relu_back(Value(0.0), Value(1.0)).data == 0.0  # PyTorch's convention, ReLU′(0) = 0


# ------------------------------------------------------------------ per-node user data


def test_eurekalabs_style_colour_and_optimizer_state_live_in_meta() -> None:
    w = Value(0.5)
    w.meta["color"] = "red"
    w.meta["m"] = 0.0  # optimizer state kept on the parameter, as such code does
    x = w * 3.0
    x.backward()
    w.meta["m"] = 0.9 * w.meta["m"] + 0.1 * w.grad
    assert w.meta == {"color": "red", "m": pytest.approx(0.3, rel=1e-15)}
    assert x.meta == {} and x.meta is x.meta  # a fresh dict per node, kept once made
    with pytest.raises(AttributeError):
        w.colour = "red"  # type: ignore[attr-defined]  # __slots__: the place is .meta
