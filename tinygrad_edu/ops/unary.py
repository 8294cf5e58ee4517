"""The functions callable by name as f(x): exp, log, tanh, σ, relu, abs, √, sin, cos, …"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable

from .families import clamp, leaky_relu
from .generic import (
    _log_forward,
    _pole,
    _sigmoid_forward,
    generic_cos,
    generic_sigmoid,
    generic_sin,
)
from .table import INF, TABLE, Scalar, _fmt, data_of, primitive


def _exp_forward(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({_fmt(x)}) overflows the float range (the largest input is about 709.78)"
        ) from None


@primitive("exp", lambda out, x: (out,), ("out",), domain=(-3.0, 3.0), function=True)
def exp(x: float) -> float:
    """f(x) = eˣ.   df/dx = eˣ = f (reuses the output)."""
    return _exp_forward(x)


@primitive("log", lambda out, x: (1.0 / x,), ("1 / x",), domain=(0.1, 5.0), function=True)
def log(x: float) -> float:
    """f(x) = ln x (x > 0).   df/dx = 1/x."""
    return _log_forward(x)


@primitive(
    "tanh", lambda out, x: (1.0 - out * out,), ("1 - out**2",), domain=(-3.0, 3.0), function=True
)
def tanh(x: float) -> float:
    """f(x) = tanh x.   df/dx = 1 − tanh²x = 1 − f² (reuses the output)."""
    return math.tanh(x)


@primitive(
    "σ",
    lambda out, x: (out * (1.0 - out),),
    ("out * (1 - out)",),
    domain=(-5.0, 5.0),
    function=True,
)
def sigmoid(x: float) -> float:
    """f(x) = σ(x) = 1/(1 + e⁻ˣ).   df/dx = σ(x)(1 − σ(x)) = f(1 − f)."""
    return _sigmoid_forward(x)


@primitive(
    "relu",
    lambda out, x: (1.0 if data_of(x) > 0.0 else 0.0,),
    ("1 if x > 0 else 0",),
    domain=(-3.0, 3.0),
    kinks=(0.0,),
    function=True,
)
def relu(x: float) -> float:
    """f(x) = max(0, x).   df/dx = 1 if x > 0 else 0 (0 at the kink, as PyTorch)."""
    return 0.0 if x <= 0.0 else x  # written so that NaN passes through


def _abs_rule(out: Scalar, x: Scalar) -> tuple[float]:
    d = data_of(x)
    return (1.0 if d > 0.0 else -1.0 if d < 0.0 else 0.0,)


@primitive("abs", _abs_rule, ("sign(x)",), domain=(-3.0, 3.0), kinks=(0.0,), function=True)
def abs(x: float) -> float:
    """f(x) = |x|.   df/dx = sign(x) (0 at the kink, as PyTorch)."""
    return builtins.abs(x)


def _sqrt_rule(out: Scalar, x: Scalar) -> tuple[Scalar]:
    if data_of(out) == 0.0:
        return (0.5 * _pole(x),)  # +inf, and the second derivative there is −inf
    return (0.5 / out,)


@primitive("√", _sqrt_rule, ("0.5 / out",), domain=(0.1, 5.0), function=True)
def sqrt(x: float) -> float:
    """f(x) = √x (x ≥ 0).   df/dx = 1/(2√x) = 1/(2f)."""
    if x < 0.0:
        raise ValueError(f"sqrt: the input must be ≥ 0, got {_fmt(x)}")
    return math.sqrt(x)


def _trig(fn: Callable[[float], float], name: str, x: float) -> float:
    if x in (INF, -INF):
        raise ValueError(f"{name}: the input must be finite, got {_fmt(x)}")
    return fn(x)


@primitive("sin", lambda out, x: (generic_cos(x),), ("cos(x)",), domain=(-3.0, 3.0), function=True)
def sin(x: float) -> float:
    """f(x) = sin x.   df/dx = cos x."""
    return _trig(math.sin, "sin", x)


@primitive(
    "cos", lambda out, x: (-generic_sin(x),), ("-sin(x)",), domain=(-3.0, 3.0), function=True
)
def cos(x: float) -> float:
    """f(x) = cos x.   df/dx = −sin x."""
    return _trig(math.cos, "cos", x)


@primitive(
    "softplus",
    lambda out, x: (generic_sigmoid(x),),
    ("sigmoid(x)",),
    domain=(-5.0, 5.0),
    function=True,
)
def softplus(x: float) -> float:
    """f(x) = ln(1 + eˣ), computed stably.   df/dx = σ(x)."""
    # ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)): no overflow for large |x|
    if x != x:
        return x
    return max(x, 0.0) + math.log1p(math.exp(-builtins.abs(x)))


@primitive(
    "log1p", lambda out, x: (1.0 / (1.0 + x),), ("1 / (1 + x)",), domain=(-0.5, 5.0), function=True
)
def log1p(x: float) -> float:
    """f(x) = ln(1 + x) (x > −1), accurate for small x.   df/dx = 1/(1 + x)."""
    if x <= -1.0:
        raise ValueError(f"log1p: the input must be > -1, got {_fmt(x)}")
    return math.log1p(x)


# The families' representatives, in their places in the table (see ``families``).
TABLE["clamp"] = clamp(-1.0, 1.0)
TABLE["leaky_relu"] = leaky_relu(0.01)


@primitive(
    "atan",
    lambda out, x: (1.0 / (1.0 + x * x),),
    ("1 / (1 + x**2)",),
    domain=(-3.0, 3.0),
    function=True,
)
def atan(x: float) -> float:
    """f(x) = arctan x.   df/dx = 1/(1 + x²)."""
    return math.atan(x)
