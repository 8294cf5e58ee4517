"""Helpers a rule may call: each works on floats and on Values alike (and raises nothing).

A rule never imports the engine: it sees its arguments through arithmetic, ``data_of`` and
these helpers, which dispatch on the argument's type.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .table import INF, Scalar, _fmt, data_of


# --------------------------------------------------------------------------- float forwards
# The float halves that a helper below shares with its entry (log, sigmoid, pow).
def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: the input must be > 0, got {_fmt(x)}")
    return math.log(x)


def _sigmoid_forward(x: float) -> float:
    # Never exponentiate a large positive number: e^(−|x|) ≤ 1 on both branches.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0 or NaN: NaN flows through
    return e / (1.0 + e)


def _pow_forward(name: str, a: float, b: float) -> float:
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"{name}: 0.0 ** {_fmt(b)} is a division by zero")
    if a < 0.0 and not float(b).is_integer():
        raise ValueError(
            f"{name}: a negative base to a non-integer power is not real: {_fmt(a)} ** {_fmt(b)}"
        )
    try:
        return float(a**b)
    except OverflowError:
        raise OverflowError(f"{name}: {_fmt(a)} ** {_fmt(b)} overflows the float range") from None


# --------------------------------------------------------------------------- dispatch
def _dispatch(x: Scalar, fn: Callable[[float], float], method: str) -> Scalar:
    if isinstance(x, (float, int)):
        return fn(float(x))
    return getattr(x, method)()


def generic_cos(x: Scalar) -> Scalar:
    """cos for floats and Values alike (used by sin's rule)."""
    return _dispatch(x, math.cos, "cos")


def generic_sin(x: Scalar) -> Scalar:
    """sin for floats and Values alike (used by cos's rule)."""
    return _dispatch(x, math.sin, "sin")


def generic_log(x: Scalar) -> Scalar:
    """log for floats and Values alike (used by pow's rule).

    >>> generic_log(1.0)
    0.0
    """
    return _dispatch(x, _log_forward, "log")


def generic_sigmoid(x: Scalar) -> Scalar:
    """σ for floats and Values alike (used by softplus's rule)."""
    return _dispatch(x, _sigmoid_forward, "sigmoid")


def generic_sign(x: Scalar) -> float:
    """The sign of x's value as 1.0, -1.0 or 0.0 (0.0 at 0 and for NaN), used by abs's rule.

    >>> generic_sign(-2.5), generic_sign(0.0)
    (-1.0, 0.0)
    """
    d = data_of(x)
    return 1.0 if d > 0.0 else -1.0 if d < 0.0 else 0.0


def generic_div(p: Scalar, q: Scalar) -> Scalar:
    """p / q inside a rule, for floats and Values: at a pole (q = 0) it is p·(+inf), never an
    error (√'s 0.5 / out at x = 0 is +inf, as PyTorch).

    >>> generic_div(1.0, 4.0), generic_div(0.5, 0.0)
    (0.25, inf)
    """
    if data_of(q) == 0.0:
        return p * _pole(q)
    return p / q


# --------------------------------------------------------------------------- powers in rules
def _pole(x: Scalar) -> Scalar:
    """+inf with slope −inf at x = 0: what xᵐ (m < 0) is there, on floats and on Values.

    On a Value it is inf · e⁻ˣ, a node worth +inf whose derivative is −inf, so a derivative
    taken again at the pole is −inf (as PyTorch) instead of an error or a silent 0.
    """
    if isinstance(x, (float, int)):
        return INF
    return INF * (-x).exp()


def generic_pow(x: Scalar, n: float) -> Scalar:
    """x ** n inside a rule, for floats and Values: a local derivative, never an error.

    At the pole (0 ** negative) it is +inf (see ``_pole``); where it overflows it is ±inf: an
    op never fails because of its derivative (README, "Semantics and conventions").
    """
    if data_of(x) == 0.0 and n < 0.0:
        return _pole(x)
    if not isinstance(x, float):
        return x**n
    try:
        return float(x**n)
    except OverflowError:  # |x| < 1 to a large negative power, or |x| > 1 to a large power
        negative = x < 0.0 and float(n).is_integer() and int(n) % 2 == 1
        return -INF if negative else INF
