"""The arithmetic primitives: add, mul, neg, sum, dot, pow (and powc's place in the table)."""

from __future__ import annotations

import builtins
import math
import operator

from .families import powc
from .generic import _pow_forward
from .rules import primitive
from .table import TABLE, Scalar, _fmt


@primitive("+", ("1", "1"), arity=2, domain=(-5.0, 5.0), formula="a + b", method="__add__")
def add(a: float, b: float) -> float:
    """f(a, b) = a + b.   ∂f/∂a = 1, ∂f/∂b = 1."""
    return a + b


@primitive("*", ("b", "a"), arity=2, domain=(-5.0, 5.0), formula="a * b", method="__mul__")
def mul(a: float, b: float) -> float:
    """f(a, b) = a · b.   ∂f/∂a = b, ∂f/∂b = a."""
    return a * b


@primitive("-", ("-1",), domain=(-5.0, 5.0), formula="-x", method="__neg__")
def neg(x: float) -> float:
    """f(x) = −x.   df/dx = −1."""
    return -x


def _sum_rule(out: Scalar, *xs: Scalar) -> tuple[float, ...]:
    return (1.0,) * len(xs)


# The n-ary entries write their rule out (one derivative text per group of inputs, ``x_i``);
# tests/core/test_ops.py holds each rule to its texts.
@primitive("Σ", ("1",), arity=-1, domain=(-5.0, 5.0), rule=_sum_rule, formula="sum(x_i)")
def sum(*xs: float) -> float:
    """f(x₁…xₙ) = Σ xᵢ.   ∂f/∂xᵢ = 1."""
    try:
        return math.fsum(xs)  # correctly rounded, and independent of the order of the terms
    except (ValueError, OverflowError):  # inf − inf, or a partial sum beyond the float range
        return float(builtins.sum(xs))  # then exactly what a chain of + gives: nan or ±inf


def _dot_rule(out: Scalar, *args: Scalar) -> tuple[Scalar, ...]:
    n = (len(args) - 1) // 2
    # parents are (w₁…wₙ, x₁…xₙ, b): ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1
    return (*args[n : 2 * n], *args[:n], 1.0)


@primitive(
    "Σwx+b",
    ("x_i", "w_i", "1"),
    arity=-1,
    domain=(-3.0, 3.0),
    rule=_dot_rule,
    formula="sum(w_i * x_i) + b",
)
def dot(*args: float) -> float:
    """f(w, x, b) = Σ wᵢxᵢ + b.   ∂f/∂wᵢ = xᵢ, ∂f/∂xᵢ = wᵢ, ∂f/∂b = 1."""
    n = (len(args) - 1) // 2
    total: float = builtins.sum(map(operator.mul, args[:n], args[n : 2 * n]))
    return total + args[2 * n]


# The family's representative (tests sample the rule through it), in its place before pow.
TABLE["powc"] = powc(3.0)


@primitive("**", ("b * a**(b - 1)", "out * log(a)"), arity=2, domain=(0.2, 3.0), formula="a**b")
def pow(a: float, b: float) -> float:
    """f(a, b) = aᵇ (a > 0).   ∂f/∂a = b · aᵇ⁻¹, ∂f/∂b = aᵇ · ln a."""
    if a <= 0.0:
        raise ValueError(
            f"pow: with a Value exponent the base must be > 0 (∂/∂b = aᵇ·ln a), got "
            f"{_fmt(a)} ** {_fmt(b)}; use a plain number exponent for a base ≤ 0"
        )
    return _pow_forward("pow", a, b)
