"""The table of primitives: each one's float forward and its local-derivative rule.

A primitive is the only kind of operation that knows a derivative. Everything else in
tinygrad_edu (subtraction, division, the losses, ...) is a composite of these.

Each entry has two halves, written side by side:

* ``forward(*xs) -> float`` works on plain floats and raises a clear error outside the domain;
* ``rule(out, *xs) -> tuple`` gives ∂out/∂xᵢ for each input, using only arithmetic and the
  generic helpers below, so the same rule works on floats (the ordinary backward pass) and on
  ``Value``s (``create_graph=True``, higher-order derivatives).

This module never imports the engine: a rule sees its arguments only through arithmetic,
``data_of`` and the ``cos``/``sin``/``log``/... helpers, which dispatch on the argument.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A rule's arguments and results are floats on the ordinary path and Values on the
# create_graph path; the engine is not imported here, hence Any.
Scalar = Any
Rule = Callable[..., tuple[Any, ...]]

INF = math.inf


# --------------------------------------------------------------------------- helpers
def data_of(x: Scalar) -> float:
    """The float inside ``x``: ``x`` itself for a number, ``x.data`` for a Value."""
    return x if isinstance(x, float) else float(x.data)


def _dispatch(x: Scalar, fn: Callable[[float], float], method: str) -> Scalar:
    if isinstance(x, (float, int)):
        return fn(float(x))
    return getattr(x, method)()


def cos(x: Scalar) -> Scalar:
    """cos for floats and Values alike (used by sin's rule)."""
    return _dispatch(x, math.cos, "cos")


def sin(x: Scalar) -> Scalar:
    """sin for floats and Values alike (used by cos's rule)."""
    return _dispatch(x, math.sin, "sin")


def log(x: Scalar) -> Scalar:
    """log for floats and Values alike (used by pow's rule)."""
    return _dispatch(x, _log_forward, "log")


def sigmoid(x: Scalar) -> Scalar:
    """σ for floats and Values alike (used by softplus's rule)."""
    return _dispatch(x, _sigmoid_forward, "sigmoid")


def _fmt(x: float) -> str:
    return repr(float(x))


# --------------------------------------------------------------------------- the entry type
@dataclass(frozen=True, eq=False)
class Primitive:
    """One entry of the table: a name, a symbol for drawings, the forward and the rule."""

    name: str
    symbol: str
    forward: Callable[..., float]
    rule: Rule
    arity: int  # -1 for n-ary primitives
    domain: tuple[float, float] | None = None  # where tests sample it, away from kinks
    kinks: tuple[float, ...] = ()
    params: tuple[float, ...] = ()

    @property
    def doc(self) -> str:
        """The first docstring line: the formula and its derivative."""
        return (self.forward.__doc__ or "").strip().splitlines()[0]

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


TABLE: dict[str, Primitive] = {}


def primitive(
    name: str,
    symbol: str,
    rule: Rule,
    arity: int = 1,
    domain: tuple[float, float] | None = None,
    kinks: tuple[float, ...] = (),
) -> Callable[[Callable[..., float]], Primitive]:
    """Register ``forward`` (a float function whose docstring gives f and f′) with ``rule``."""

    def register(forward: Callable[..., float]) -> Primitive:
        op = Primitive(name, symbol, forward, rule, arity, domain, kinks)
        TABLE[name] = op
        return op

    return register


# --------------------------------------------------------------------------- arithmetic
@primitive("add", "+", lambda out, a, b: (1.0, 1.0), arity=2, domain=(-5.0, 5.0))
def add(a: float, b: float) -> float:
    """f(a, b) = a + b.   ∂f/∂a = 1, ∂f/∂b = 1."""
    return a + b


@primitive("mul", "*", lambda out, a, b: (b, a), arity=2, domain=(-5.0, 5.0))
def mul(a: float, b: float) -> float:
    """f(a, b) = a · b.   ∂f/∂a = b, ∂f/∂b = a."""
    return a * b


@primitive("neg", "-", lambda out, a: (-1.0,), domain=(-5.0, 5.0))
def neg(a: float) -> float:
    """f(a) = −a.   df/da = −1."""
    return -a


def _sum_rule(out: Scalar, *xs: Scalar) -> tuple[float, ...]:
    return (1.0,) * len(xs)


@primitive("sum", "Σ", _sum_rule, arity=-1, domain=(-5.0, 5.0))
def sum_(*xs: float) -> float:
    """f(x₁…xₙ) = Σ xᵢ.   ∂f/∂xᵢ = 1."""
    return math.fsum(xs)  # correctly rounded, and independent of the order of the terms


def _dot_rule(out: Scalar, *args: Scalar) -> tuple[Scalar, ...]:
    n = (len(args) - 1) // 2
    # parents are (w₁…wₙ, x₁…xₙ, b): ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1
    return (*args[n : 2 * n], *args[:n], 1.0)


@primitive("dot", "Σwx+b", _dot_rule, arity=-1, domain=(-3.0, 3.0))
def dot(*args: float) -> float:
    """f(w, x, b) = Σ wᵢxᵢ + b.   ∂f/∂wᵢ = xᵢ, ∂f/∂xᵢ = wᵢ, ∂f/∂b = 1."""
    n = (len(args) - 1) // 2
    total: float = sum(map(operator.mul, args[:n], args[n : 2 * n]))
    return total + args[2 * n]


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


def _safe_pow(x: Scalar, n: float) -> Scalar:
    """x ** n, with 0 ** negative = inf on floats (the derivative's value at a pole)."""
    if isinstance(x, float):
        if x == 0.0 and n < 0.0:
            return INF
        return _pow_forward("pow", x, n)
    return x**n


_POWC_CACHE: dict[float, Primitive] = {}


def powc(n: float) -> Primitive:
    """The primitive x ↦ xⁿ for a fixed number n (one table entry per exponent, cached)."""
    op = _POWC_CACHE.get(n)
    if op is not None:
        return op
    exponent = float(n)

    def forward(x: float) -> float:
        """f(x) = xⁿ (n a number).   df/dx = n · xⁿ⁻¹."""
        return _pow_forward("pow", x, exponent)

    def rule(out: Scalar, x: Scalar) -> tuple[Scalar, ...]:
        if exponent == 0.0:
            return (0.0,)
        if exponent == 1.0:
            return (1.0,)
        return (exponent * _safe_pow(x, exponent - 1.0),)

    symbol = f"**{int(exponent) if exponent.is_integer() else exponent}"
    op = Primitive("powc", symbol, forward, rule, 1, (0.2, 3.0), (), (exponent,))
    if len(_POWC_CACHE) < 256:  # a bounded cache: programs use a handful of exponents
        _POWC_CACHE[n] = op
    return op


# The representative registered in the table (tests sample the rule through it).
TABLE["powc"] = powc(3.0)


def _pow_rule(out: Scalar, a: Scalar, b: Scalar) -> tuple[Scalar, ...]:
    return (b * _safe_pow(a, b - 1.0), out * log(a))


@primitive("pow", "**", _pow_rule, arity=2, domain=(0.2, 3.0))
def pow_(a: float, b: float) -> float:
    """f(a, b) = aᵇ (a > 0).   ∂f/∂a = b · aᵇ⁻¹, ∂f/∂b = aᵇ · ln a."""
    if a <= 0.0:
        raise ValueError(
            f"pow: with a Value exponent the base must be > 0 (∂/∂b = aᵇ·ln a), got "
            f"{_fmt(a)} ** {_fmt(b)}; use a plain number exponent for a base ≤ 0"
        )
    return _pow_forward("pow", a, b)


# --------------------------------------------------------------------------- functions
def _exp_forward(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({_fmt(x)}) overflows the float range (the largest input is about 709.78)"
        ) from None


@primitive("exp", "exp", lambda out, x: (out,), domain=(-3.0, 3.0))
def exp(x: float) -> float:
    """f(x) = eˣ.   df/dx = eˣ = f (reuses the output)."""
    return _exp_forward(x)


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: the input must be > 0, got {_fmt(x)}")
    return math.log(x)


@primitive("log", "log", lambda out, x: (1.0 / x,), domain=(0.1, 5.0))
def log_(x: float) -> float:
    """f(x) = ln x (x > 0).   df/dx = 1/x."""
    return _log_forward(x)


@primitive("tanh", "tanh", lambda out, x: (1.0 - out * out,), domain=(-3.0, 3.0))
def tanh(x: float) -> float:
    """f(x) = tanh x.   df/dx = 1 − tanh²x = 1 − f² (reuses the output)."""
    return math.tanh(x)


def _sigmoid_forward(x: float) -> float:
    # Never exponentiate a large positive number: e^(−|x|) ≤ 1 on both branches.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0 or NaN: NaN flows through
    return e / (1.0 + e)


@primitive("sigmoid", "σ", lambda out, x: (out * (1.0 - out),), domain=(-5.0, 5.0))
def sigmoid_(x: float) -> float:
    """f(x) = σ(x) = 1/(1 + e⁻ˣ).   df/dx = σ(x)(1 − σ(x)) = f(1 − f)."""
    return _sigmoid_forward(x)


@primitive(
    "relu",
    "relu",
    lambda out, x: (1.0 if data_of(x) > 0.0 else 0.0,),
    domain=(-3.0, 3.0),
    kinks=(0.0,),
)
def relu(x: float) -> float:
    """f(x) = max(0, x).   df/dx = 1 if x > 0 else 0 (0 at the kink, as PyTorch)."""
    return 0.0 if x <= 0.0 else x  # written so that NaN passes through


def _abs_rule(out: Scalar, x: Scalar) -> tuple[float]:
    d = data_of(x)
    return (1.0 if d > 0.0 else -1.0 if d < 0.0 else 0.0,)


@primitive("abs", "abs", _abs_rule, domain=(-3.0, 3.0), kinks=(0.0,))
def abs_(x: float) -> float:
    """f(x) = |x|.   df/dx = sign(x) (0 at the kink, as PyTorch)."""
    return abs(x)


def _sqrt_rule(out: Scalar, x: Scalar) -> tuple[Scalar]:
    if data_of(out) == 0.0:
        return (INF,)
    return (0.5 / out,)


@primitive("sqrt", "√", _sqrt_rule, domain=(0.1, 5.0))
def sqrt(x: float) -> float:
    """f(x) = √x (x ≥ 0).   df/dx = 1/(2√x) = 1/(2f)."""
    if x < 0.0:
        raise ValueError(f"sqrt: the input must be ≥ 0, got {_fmt(x)}")
    return math.sqrt(x)


def _trig(fn: Callable[[float], float], name: str, x: float) -> float:
    if x in (INF, -INF):
        raise ValueError(f"{name}: the input must be finite, got {_fmt(x)}")
    return fn(x)


@primitive("sin", "sin", lambda out, x: (cos(x),), domain=(-3.0, 3.0))
def sin_(x: float) -> float:
    """f(x) = sin x.   df/dx = cos x."""
    return _trig(math.sin, "sin", x)


@primitive("cos", "cos", lambda out, x: (-sin(x),), domain=(-3.0, 3.0))
def cos_(x: float) -> float:
    """f(x) = cos x.   df/dx = −sin x."""
    return _trig(math.cos, "cos", x)


@primitive("softplus", "softplus", lambda out, x: (sigmoid(x),), domain=(-5.0, 5.0))
def softplus(x: float) -> float:
    """f(x) = ln(1 + eˣ), computed stably.   df/dx = σ(x)."""
    # ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)): no overflow for large |x|
    if x != x:
        return x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@primitive("log1p", "log1p", lambda out, x: (1.0 / (1.0 + x),), domain=(-0.5, 5.0))
def log1p(x: float) -> float:
    """f(x) = ln(1 + x) (x > −1), accurate for small x.   df/dx = 1/(1 + x)."""
    if x <= -1.0:
        raise ValueError(f"log1p: the input must be > -1, got {_fmt(x)}")
    return math.log1p(x)


def _clamp_rule(lo: float, hi: float) -> Rule:
    def rule(out: Scalar, x: Scalar) -> tuple[float]:
        return (1.0 if lo <= data_of(x) <= hi else 0.0,)

    return rule


_CLAMP_CACHE: dict[tuple[float, float], Primitive] = {}


def clamp(lo: float, hi: float) -> Primitive:
    """The primitive x ↦ min(max(x, lo), hi) for fixed bounds (cached per pair)."""
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
        "clamp", f"clamp[{lo:g},{hi:g}]", forward, _clamp_rule(*key), 1, (-3.0, 3.0), key, key
    )
    if len(_CLAMP_CACHE) < 256:
        _CLAMP_CACHE[key] = op
    return op


TABLE["clamp"] = clamp(-1.0, 1.0)
