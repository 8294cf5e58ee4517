"""The parametrised families: ``powc(n)``, ``clamp(lo, hi)``, ``leaky_relu(slope)``.

Each call gives the entry for one fixed parameter (cached). The table holds one representative
of each family; it is registered where the table's order puts it (``arithmetic``, ``unary``).
"""

from __future__ import annotations

import dataclasses

from .generic import _pow_forward
from .rules import make_rule
from .table import FAMILIES, Primitive


def _with_rule(op: Primitive) -> Primitive:
    """The member with its rule compiled from the family's text, parameters put in."""
    return dataclasses.replace(op, rule=make_rule(op))


def _no_rule(out: float, *xs: float) -> tuple[float, ...]:
    raise AssertionError("replaced by the compiled rule before the member is used")


_POWC_CACHE: dict[float, Primitive] = {}


def powc(n: float) -> Primitive:
    """The primitive x ↦ xⁿ for a fixed number n (one table entry per exponent, cached).

    >>> op = powc(2.0); op.forward(3.0), op.rule(9.0, 3.0)
    (9.0, (6.0,))
    """
    op = _POWC_CACHE.get(n)
    if op is not None:
        return op
    exponent = float(n)

    def forward(x: float) -> float:
        """f(x) = xⁿ.   df/dx = n · xⁿ⁻¹."""
        return _pow_forward("pow", x, exponent)

    symbol = f"**{int(exponent) if exponent.is_integer() else exponent}"
    op = Primitive(
        "powc",
        symbol,
        forward,
        _no_rule,
        1,
        ("n * x**(n - 1)",),
        domain=(0.2, 3.0),
        params=(exponent,),
        param_names=("n",),
        formula="x**n",
    )
    op = _with_rule(op)  # n = 0 and n = 1 fold to the constants 0 and 1
    if len(_POWC_CACHE) < 256:  # a bounded cache: programs use a handful of exponents
        _POWC_CACHE[n] = op
    return op


_CLAMP_CACHE: dict[tuple[float, float], Primitive] = {}


def clamp(lo: float, hi: float) -> Primitive:
    """The primitive x ↦ min(max(x, lo), hi) for fixed bounds (cached per pair).

    >>> op = clamp(0.0, 1.0); op.forward(2.0), op.rule(1.0, 2.0)
    (1.0, (0.0,))
    """
    key = (float(lo), float(hi))
    op = _CLAMP_CACHE.get(key)
    if op is not None:
        return op
    if not lo <= hi:
        raise ValueError(f"clamp: the bounds must satisfy lo <= hi, got lo={lo!r}, hi={hi!r}")

    def forward(x: float) -> float:
        """f(x) = min(max(x, lo), hi).   df/dx = 1 if lo ≤ x ≤ hi else 0."""
        if x != x:
            return x
        return min(max(x, key[0]), key[1])

    op = Primitive(
        "clamp",
        f"clamp[{lo:g},{hi:g}]",
        forward,
        _no_rule,
        1,
        ("1 if lo <= x <= hi else 0",),
        domain=(-3.0, 3.0),
        kinks=key,
        params=key,
        param_names=("lo", "hi"),
        formula="clamp(x, lo, hi)",
    )
    op = _with_rule(op)
    if len(_CLAMP_CACHE) < 256:
        _CLAMP_CACHE[key] = op
    return op


_LEAKY_CACHE: dict[float, Primitive] = {}


def leaky_relu(slope: float) -> Primitive:
    """The primitive x ↦ x if x > 0 else slope·x for a fixed slope (cached per slope).

    >>> op = leaky_relu(0.1); op.forward(-2.0), op.rule(-0.2, -2.0), op.rule(0.0, 0.0)
    (-0.2, (0.1,), (0.1,))
    """
    key = float(slope)
    op = _LEAKY_CACHE.get(key)
    if op is not None:
        return op

    def forward(x: float) -> float:
        """f(x) = x if x > 0 else slope·x.   df/dx = 1 if x > 0 else slope (slope at 0)."""
        return x if x > 0.0 else key * x  # NaN takes the second branch and stays NaN

    op = Primitive(
        "leaky_relu",
        f"leaky_relu[{key:g}]",
        forward,
        _no_rule,
        1,
        ("1 if x > 0 else slope",),
        domain=(-3.0, 3.0),
        kinks=(0.0,),
        params=(key,),
        param_names=("slope",),
    )
    op = _with_rule(op)
    if len(_LEAKY_CACHE) < 256:
        _LEAKY_CACHE[key] = op
    return op


FAMILIES.update(powc=powc, clamp=clamp, leaky_relu=leaky_relu)
