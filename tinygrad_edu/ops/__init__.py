"""The table of primitives: each one's float forward and its local-derivative rule.

A primitive is the only kind of operation that knows a derivative. Everything else in
tinygrad_edu (subtraction, division, the losses, ...) is a composite of these.

Each entry has two halves, written side by side:

* ``forward(*xs) -> float`` works on plain floats and raises a clear error outside the domain;
* ``rule(out, *xs) -> tuple`` gives ∂out/∂xᵢ for each input, using only arithmetic and the
  generic helpers below, so the same rule works on floats (the ordinary backward pass) and on
  ``Value``s (``create_graph=True``, higher-order derivatives).

This module never imports the engine: a rule sees its arguments only through arithmetic,
``data_of`` and the ``generic_cos``/``generic_sin``/... helpers, which dispatch on the argument.
"""

from __future__ import annotations

import builtins
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
    """The float inside ``x``: ``x`` itself for a number, ``x.data`` for a Value.

    >>> data_of(2.5)
    2.5
    """
    return x if isinstance(x, float) else float(x.data)


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
    # ∂out/∂input as text, one per input, in the names x (unary) / a, b (binary), out, and
    # the parameter names; n-ary: x_i for every input (sum), or w_i, x_i, b (dot)
    derivatives: tuple[str, ...] = ()
    domain: tuple[float, float] | None = None  # where tests sample it, away from kinks
    kinks: tuple[float, ...] = ()
    params: tuple[float, ...] = ()
    param_names: tuple[str, ...] = ()
    function: bool = False  # callable by name as f(x) in expressions and on the command line

    @property
    def doc(self) -> str:
        """The first docstring line: the formula and its derivative."""
        return (self.forward.__doc__ or "").strip().splitlines()[0]

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


TABLE: dict[str, Primitive] = {}


def primitive(
    symbol: str,
    rule: Rule,
    derivatives: tuple[str, ...],
    arity: int = 1,
    domain: tuple[float, float] | None = None,
    kinks: tuple[float, ...] = (),
    function: bool = False,
) -> Callable[[Callable[..., float]], Primitive]:
    """Register ``forward`` (a float function whose docstring gives f and f′) with ``rule``.

    The entry's name is the function's name; the module-level name then holds the entry, so
    ``ops.tanh`` is the primitive (the float/Value helpers are the ``generic_*`` functions).
    """

    def register(forward: Callable[..., float]) -> Primitive:
        op = Primitive(
            forward.__name__,
            symbol,
            forward,
            rule,
            arity,
            derivatives,
            domain,
            kinks,
            function=function,
        )
        TABLE[op.name] = op
        return op

    return register


# --------------------------------------------------------------------------- arithmetic
@primitive("+", lambda out, a, b: (1.0, 1.0), ("1", "1"), arity=2, domain=(-5.0, 5.0))
def add(a: float, b: float) -> float:
    """f(a, b) = a + b.   ∂f/∂a = 1, ∂f/∂b = 1."""
    return a + b


@primitive("*", lambda out, a, b: (b, a), ("b", "a"), arity=2, domain=(-5.0, 5.0))
def mul(a: float, b: float) -> float:
    """f(a, b) = a · b.   ∂f/∂a = b, ∂f/∂b = a."""
    return a * b


@primitive("-", lambda out, x: (-1.0,), ("-1",), domain=(-5.0, 5.0))
def neg(x: float) -> float:
    """f(x) = −x.   df/dx = −1."""
    return -x


def _sum_rule(out: Scalar, *xs: Scalar) -> tuple[float, ...]:
    return (1.0,) * len(xs)


@primitive("Σ", _sum_rule, ("1",), arity=-1, domain=(-5.0, 5.0))
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


@primitive("Σwx+b", _dot_rule, ("x_i", "w_i", "1"), arity=-1, domain=(-3.0, 3.0))
def dot(*args: float) -> float:
    """f(w, x, b) = Σ wᵢxᵢ + b.   ∂f/∂wᵢ = xᵢ, ∂f/∂xᵢ = wᵢ, ∂f/∂b = 1."""
    n = (len(args) - 1) // 2
    total: float = builtins.sum(map(operator.mul, args[:n], args[n : 2 * n]))
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


def _pole(x: Scalar) -> Scalar:
    """+inf with slope −inf at x = 0: what xᵐ (m < 0) is there, on floats and on Values.

    On a Value it is inf · e⁻ˣ, a node worth +inf whose derivative is −inf, so a derivative
    taken again at the pole is −inf (as PyTorch) instead of an error or a silent 0.
    """
    if isinstance(x, (float, int)):
        return INF
    return INF * (-x).exp()


def _safe_pow(x: Scalar, n: float) -> Scalar:
    """x ** n inside a rule: a local derivative, never an error of its own.

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

    def rule(out: Scalar, x: Scalar) -> tuple[Scalar, ...]:
        if exponent == 0.0:
            return (0.0,)
        if exponent == 1.0:
            return (1.0,)
        return (exponent * _safe_pow(x, exponent - 1.0),)

    symbol = f"**{int(exponent) if exponent.is_integer() else exponent}"
    op = Primitive(
        "powc",
        symbol,
        forward,
        rule,
        1,
        ("n * x**(n - 1)",),
        domain=(0.2, 3.0),
        params=(exponent,),
        param_names=("n",),
    )
    if len(_POWC_CACHE) < 256:  # a bounded cache: programs use a handful of exponents
        _POWC_CACHE[n] = op
    return op


# The representative registered in the table (tests sample the rule through it).
TABLE["powc"] = powc(3.0)


def _pow_rule(out: Scalar, a: Scalar, b: Scalar) -> tuple[Scalar, ...]:
    return (b * _safe_pow(a, b - 1.0), out * generic_log(a))


@primitive("**", _pow_rule, ("b * a**(b - 1)", "out * log(a)"), arity=2, domain=(0.2, 3.0))
def pow(a: float, b: float) -> float:
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


@primitive("exp", lambda out, x: (out,), ("out",), domain=(-3.0, 3.0), function=True)
def exp(x: float) -> float:
    """f(x) = eˣ.   df/dx = eˣ = f (reuses the output)."""
    return _exp_forward(x)


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: the input must be > 0, got {_fmt(x)}")
    return math.log(x)


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


def _sigmoid_forward(x: float) -> float:
    # Never exponentiate a large positive number: e^(−|x|) ≤ 1 on both branches.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0 or NaN: NaN flows through
    return e / (1.0 + e)


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


def _clamp_rule(lo: float, hi: float) -> Rule:
    def rule(out: Scalar, x: Scalar) -> tuple[float]:
        return (1.0 if lo <= data_of(x) <= hi else 0.0,)

    return rule


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
        _clamp_rule(*key),
        1,
        ("1 if lo <= x <= hi else 0",),
        domain=(-3.0, 3.0),
        kinks=key,
        params=key,
        param_names=("lo", "hi"),
    )
    if len(_CLAMP_CACHE) < 256:
        _CLAMP_CACHE[key] = op
    return op


TABLE["clamp"] = clamp(-1.0, 1.0)


def _leaky_rule(slope: float) -> Rule:
    def rule(out: Scalar, x: Scalar) -> tuple[float]:
        return (1.0 if data_of(x) > 0.0 else slope,)

    return rule


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
        _leaky_rule(key),
        1,
        ("1 if x > 0 else slope",),
        domain=(-3.0, 3.0),
        kinks=(0.0,),
        params=(key,),
        param_names=("slope",),
    )
    if len(_LEAKY_CACHE) < 256:
        _LEAKY_CACHE[key] = op
    return op


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


# --------------------------------------------------------------------------- comparisons
def _no_slope(out: Scalar, a: Scalar, b: Scalar) -> tuple[float, float]:
    return (0.0, 0.0)


@primitive("==", _no_slope, ("0", "0"), arity=2, domain=(-3.0, 3.0))
def eq(a: float, b: float) -> float:
    """f(a, b) = 1 if a = b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
    return 1.0 if a == b else 0.0


@primitive("<", _no_slope, ("0", "0"), arity=2, domain=(-3.0, 3.0))
def lt(a: float, b: float) -> float:
    """f(a, b) = 1 if a < b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
    return 1.0 if a < b else 0.0


@primitive(">", _no_slope, ("0", "0"), arity=2, domain=(-3.0, 3.0))
def gt(a: float, b: float) -> float:
    """f(a, b) = 1 if a > b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
    return 1.0 if a > b else 0.0


# The primitives' former names, for code written before the naming rule (see
# docs/ARCHITECTURE.md): ``ops.<name>`` is the primitive, ``ops.generic_<name>`` the helper.
sum_ = sum
pow_ = pow
log_ = log
sigmoid_ = sigmoid
abs_ = abs
sin_ = sin
cos_ = cos


# --------------------------------------------------------------------------- views of the table
def functions() -> dict[str, Primitive]:
    """The primitives callable by name as f(x): what expressions and the CLI accept.

    >>> sorted(functions())[:3]
    ['abs', 'atan', 'cos']
    """
    return {name: op for name, op in TABLE.items() if op.function}


def function_help() -> str:
    """One line for the command line's help: the functions an expression may call.

    >>> function_help().startswith("functions: abs, atan, cos")
    True
    """
    return "functions: " + ", ".join(sorted(functions()))


def _inputs(op: Primitive) -> tuple[str, ...]:
    if op.name == "dot":
        return ("w_i", "x_i", "b")
    if op.arity < 0:
        return ("x_i",)
    return ("x",) if op.arity == 1 else ("a", "b")


def reference_table() -> str:
    """The README's operation reference: one Markdown row per entry of TABLE.

    >>> reference_table().splitlines()[0]
    '| name | symbol | formula | local derivatives | kinks |'
    """
    rows = [
        "| name | symbol | formula | local derivatives | kinks |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(TABLE):
        op = TABLE[name]
        formula = op.doc.split(".   ")[0].removesuffix(".")
        if op.param_names:
            formula += f" ({', '.join(op.param_names)}: a number fixed at the call)"
        derivs = ", ".join(f"∂out/∂{x} = `{text}`" for x, text in zip(_inputs(op), op.derivatives))
        kinks = "at a = b" if op.arity == 2 and op.derivatives == ("0", "0") else ""
        if op.kinks:
            kinks = (
                ", ".join(op.param_names)
                if op.params == op.kinks
                else ", ".join(f"{k:g}" for k in op.kinks)
            )
        symbol = op.symbol
        if op.param_names:  # the family, not the representative the table holds
            head = symbol.split("[")[0] if "[" in symbol else "**"
            symbol = f"{head}[{','.join(op.param_names)}]" if "[" in op.symbol else "**n"
        cells = [f"`{name}`", f"`{symbol}`", formula.replace("|", "\\|"), derivs, kinks]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
