"""The functions callable by name as f(x): exp, log, tanh, σ, relu, abs, √, sin, cos, …"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable

from .families import clamp, leaky_relu
from .generic import _log_forward, _sigmoid_forward
from .rules import primitive
from .table import INF, TABLE, _fmt


def _exp_forward(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({_fmt(x)}) overflows the float range (the largest input is about 709.78)"
        ) from None


@primitive("exp", ("out",), domain=(-3.0, 3.0), function=True, formula="exp(x)", method="exp")
def exp(x: float) -> float:
    """f(x) = eˣ.   df/dx = eˣ = f (reuses the output)."""
    return _exp_forward(x)


@primitive("log", ("1 / x",), domain=(0.1, 5.0), function=True, formula="log(x)", method="log")
def log(x: float) -> float:
    """f(x) = ln x (x > 0).   df/dx = 1/x."""
    return _log_forward(x)


@primitive(
    "tanh", ("1 - out**2",), domain=(-3.0, 3.0), function=True, formula="tanh(x)", method="tanh"
)
def tanh(x: float) -> float:
    """f(x) = tanh x.   df/dx = 1 − tanh²x = 1 − f² (reuses the output)."""
    return math.tanh(x)


@primitive(
    "σ",
    ("out * (1 - out)",),
    domain=(-5.0, 5.0),
    function=True,
    formula="sigmoid(x)",
    method="sigmoid",
)
def sigmoid(x: float) -> float:
    """f(x) = σ(x) = 1/(1 + e⁻ˣ).   df/dx = σ(x)(1 − σ(x)) = f(1 − f)."""
    return _sigmoid_forward(x)


@primitive(
    "relu",
    ("1 if x > 0 else 0 if x <= 0 else x",),  # the last branch: NaN passes through
    domain=(-3.0, 3.0),
    kinks=(0.0,),
    function=True,
    formula="relu(x)",
    method="relu",
)
def relu(x: float) -> float:
    """f(x) = max(0, x).   df/dx = 1 if x > 0 else 0 (0 at the kink, as PyTorch).

    NaN passes through, and its local derivative is NaN too.
    """
    return 0.0 if x <= 0.0 else x  # written so that NaN passes through


@primitive(
    "abs",
    ("sign(x)",),
    domain=(-3.0, 3.0),
    kinks=(0.0,),
    function=True,
    formula="abs(x)",
    method="abs",
)
def abs(x: float) -> float:
    """f(x) = |x|.   df/dx = sign(x) (0 at the kink, as PyTorch)."""
    return builtins.abs(x)


# at x = 0 the local derivative is +inf (generic_div at its pole), as PyTorch
@primitive("√", ("0.5 / out",), domain=(0.1, 5.0), function=True, formula="sqrt(x)", method="sqrt")
def sqrt(x: float) -> float:
    """f(x) = √x (x ≥ 0).   df/dx = 1/(2√x) = 1/(2f)."""
    if x < 0.0:
        raise ValueError(f"sqrt: the input must be ≥ 0, got {_fmt(x)}")
    return math.sqrt(x)


def _trig(fn: Callable[[float], float], name: str, x: float) -> float:
    if x in (INF, -INF):
        raise ValueError(f"{name}: the input must be finite, got {_fmt(x)}")
    return fn(x)


@primitive("sin", ("cos(x)",), domain=(-3.0, 3.0), function=True, formula="sin(x)", method="sin")
def sin(x: float) -> float:
    """f(x) = sin x.   df/dx = cos x."""
    return _trig(math.sin, "sin", x)


@primitive("cos", ("-sin(x)",), domain=(-3.0, 3.0), function=True, formula="cos(x)", method="cos")
def cos(x: float) -> float:
    """f(x) = cos x.   df/dx = −sin x."""
    return _trig(math.cos, "cos", x)


@primitive(
    "softplus",
    ("sigmoid(x)",),
    domain=(-5.0, 5.0),
    function=True,
    formula="softplus(x)",
    method="softplus",
)
def softplus(x: float) -> float:
    """f(x) = ln(1 + eˣ), computed stably.   df/dx = σ(x)."""
    # ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)): no overflow for large |x|
    if x != x:
        return x
    return max(x, 0.0) + math.log1p(math.exp(-builtins.abs(x)))


@primitive(
    "log1p", ("1 / (1 + x)",), domain=(-0.5, 5.0), function=True, formula="log1p(x)", method="log1p"
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
    "atan", ("1 / (1 + x**2)",), domain=(-3.0, 3.0), function=True, formula="atan(x)", method="atan"
)
def atan(x: float) -> float:
    """f(x) = arctan x.   df/dx = 1/(1 + x²)."""
    return math.atan(x)
