"""Dual numbers: a value and its tangent, carried forward through the table's own rules.

A ``Dual`` holds ``data`` (the value, named as on ``Value``) and ``tangent``, the derivative of
that value along one seed direction. Every operation is one call of :func:`apply`::

    out     = entry.forward(x₁, …, xₙ)
    locals  = entry.rule(out, x₁, …, xₙ)            # ∂out/∂xᵢ: the entry reverse mode uses
    tangent = Σᵢ localᵢ · tangentᵢ                   # the chain rule, run forwards

so there is no second table of derivatives. The methods a ``Value`` has (``+ - * / **``,
``tanh``, ``exp``, ``clamp``, ``eq``, …) are generated below from ``ops.TABLE``: the same user
function runs on Values (reverse mode) and on Duals (forward mode). ``vsum`` and ``dot`` take
Values or Duals and build the table's n-ary ``sum``/``dot`` for either.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from .. import checks, ops
from ..engine import Value
from ..nary import dot as value_dot
from ..nary import vsum as value_vsum

DualOperand = Union["Dual", int, float]


@dataclass
class OpCount:
    """What :func:`counting` saw: primitives evaluated and tangent products (one per edge)."""

    primitives: int = 0
    edges: int = 0

    @property
    def total(self) -> int:
        """Elementary operations: each primitive, and each localᵢ · tangentᵢ."""
        return self.primitives + self.edges


_COUNT: ContextVar[OpCount | None] = ContextVar("tinygrad_edu_forward_count", default=None)


class counting:
    """``with counting() as c:`` counts the Dual operations run inside the block.

    >>> with counting() as c:
    ...     _ = (Dual(2.0, 1.0) * 3.0).tanh()
    >>> (c.primitives, c.edges)
    (2, 3)
    """

    def __init__(self) -> None:
        self.count = OpCount()
        self._token: Any = None

    def __enter__(self) -> OpCount:
        self._token = _COUNT.set(self.count)
        return self.count

    def __exit__(self, *exc: object) -> None:
        _COUNT.reset(self._token)


class Dual:
    """A number with a tangent: ``Dual(x, ẋ)`` stands for x + ẋ·ε with ε² = 0.

    >>> y = Dual(0.5, 1.0).tanh() * 2.0   # d/dx 2·tanh x = 2(1 − tanh²x) at 0.5
    >>> round(y.data, 6), round(y.tangent, 6)
    (0.924234, 1.572895)
    """

    __slots__ = ("data", "tangent")

    data: float
    tangent: float

    def __init__(self, data: float, tangent: float = 0.0) -> None:
        self.data = checks.real(data, "Dual", "data")
        self.tangent = checks.real(tangent, "Dual", "tangent")

    def __repr__(self) -> str:
        return f"Dual(data={self.data!r}, tangent={self.tangent!r})"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The float value (as ``Value.item()``)."""
        return self.data

    def detach(self) -> Dual:
        """The same value with tangent 0: a constant for the rest of the computation."""
        return _dual(self.data, 0.0)

    # Composites, written as Value writes them: no derivative code of their own.
    def __pos__(self) -> Dual:
        return self

    def __sub__(self, other: DualOperand) -> Dual:
        """a − b, as a + (−b)."""
        return self + -_lift(other, "sub")

    def __rsub__(self, other: DualOperand) -> Dual:
        return _lift(other, "sub") + -self

    def __truediv__(self, other: DualOperand) -> Dual:
        """a / b, as a · b⁻¹."""
        b = _lift(other, "div")
        if b.data == 0.0:
            raise ZeroDivisionError(f"div: division by zero ({self.data!r} / {b.data!r})")
        return self * b**-1

    def __rtruediv__(self, other: DualOperand) -> Dual:
        return _lift(other, "div") / self

    def __pow__(self, exponent: DualOperand) -> Dual:
        """xⁿ for a number n (the entry ``powc(n)``), aᵇ for a Dual b (the entry ``pow``)."""
        if isinstance(exponent, Dual):
            return apply(ops.pow, self, exponent)
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"pow: the exponent must be a number or a Dual, got "
                f"{type(exponent).__name__} ({exponent!r})"
            )
        return apply(ops.powc(float(exponent)), self)

    def __rpow__(self, base: DualOperand) -> Dual:
        return apply(ops.pow, _lift(base, "pow"), self)

    def __abs__(self) -> Dual:
        return self.abs()

    def max(self, other: DualOperand) -> Dual:
        """The larger of the two, as ``Value.max`` writes it: m·self + (1 − m)·other."""
        b = _lift(other, "max")
        m = self.gt(b)
        return m * self + (1.0 - m) * b

    def min(self, other: DualOperand) -> Dual:
        """The smaller of the two, as ``Value.min`` writes it: m·self + (1 − m)·other."""
        b = _lift(other, "min")
        m = self.lt(b)
        return m * self + (1.0 - m) * b

    # <, <=, >, >= compare the values and give bools, as on Value (== stays identity).
    def __lt__(self, other: DualOperand) -> bool:
        return self.data < _lift(other, "<").data

    def __le__(self, other: DualOperand) -> bool:
        return self.data <= _lift(other, "<=").data

    def __gt__(self, other: DualOperand) -> bool:
        return self.data > _lift(other, ">").data

    def __ge__(self, other: DualOperand) -> bool:
        return self.data >= _lift(other, ">=").data

    # Generated from ops.TABLE below (see ``_install``); declared here for type checkers.
    if TYPE_CHECKING:

        def __add__(self, other: DualOperand) -> Dual: ...
        def __radd__(self, other: DualOperand) -> Dual: ...
        def __mul__(self, other: DualOperand) -> Dual: ...
        def __rmul__(self, other: DualOperand) -> Dual: ...
        def __neg__(self) -> Dual: ...
        def exp(self) -> Dual: ...
        def log(self) -> Dual: ...
        def log1p(self) -> Dual: ...
        def tanh(self) -> Dual: ...
        def sigmoid(self) -> Dual: ...
        def relu(self) -> Dual: ...
        def softplus(self) -> Dual: ...
        def abs(self) -> Dual: ...
        def sqrt(self) -> Dual: ...
        def sin(self) -> Dual: ...
        def cos(self) -> Dual: ...
        def atan(self) -> Dual: ...
        def clamp(self, lo: float = ..., hi: float = ...) -> Dual: ...
        def leaky_relu(self, slope: float = ...) -> Dual: ...
        def eq(self, other: DualOperand) -> Dual: ...
        def lt(self, other: DualOperand) -> Dual: ...
        def gt(self, other: DualOperand) -> Dual: ...


def _dual(data: float, tangent: float) -> Dual:
    """A Dual from floats already checked (no validation: this runs once per operation)."""
    d = Dual.__new__(Dual)
    d.data = data
    d.tangent = tangent
    return d


def _lift(x: object, where: str) -> Dual:
    """``x`` itself if a Dual, a constant (tangent 0) for a real number, else a named error."""
    if isinstance(x, Dual):
        return x
    if isinstance(x, Value):
        raise TypeError(
            f"{where}: cannot mix a Dual with a Value ({x!r}); run the whole function on "
            "Duals (forward mode) or on Values (reverse mode)"
        )
    return _dual(checks.real(x, where, "an operand"), 0.0)


def apply(op: ops.Primitive, *args: Dual) -> Dual:
    """Run the entry ``op`` on Duals: its forward on the values, Σ ruleᵢ · tangentᵢ beside it.

    A zero tangent contributes nothing, so a constant sitting at a pole (an infinite local
    derivative) does not turn the result into NaN.

    >>> d = apply(ops.mul, Dual(3.0, 1.0), Dual(4.0, 0.0)); (d.data, d.tangent)
    (12.0, 4.0)
    """
    xs = [a.data for a in args]
    out = op.forward(*xs)
    tangent = 0.0
    locals_: tuple[Any, ...] | None = None  # the rule runs only if some tangent is not 0
    for k, a in enumerate(args):
        t = a.tangent
        if t != 0.0:
            if locals_ is None:
                locals_ = op.rule(out, *xs)
            tangent += locals_[k] * t
    count = _COUNT.get()
    if count is not None:
        count.primitives += 1
        count.edges += len(args)
    return _dual(out, tangent)


# --------------------------------------------------------------------------- generated methods
# Python's operator syntax for the table's arithmetic entries: which dunder calls which entry.
# (Which entry is an operator is a fact of Python syntax, not of derivatives.)
OPERATORS: dict[str, tuple[str, ...]] = {
    "add": ("__add__", "__radd__"),
    "mul": ("__mul__", "__rmul__"),
    "neg": ("__neg__",),
    "pow": (),  # ** with a Dual exponent: __pow__ / __rpow__ above
    "powc": (),  # ** with a number exponent: __pow__ above
}


def _family(name: str) -> Callable[..., ops.Primitive]:
    maker: Callable[..., ops.Primitive] = getattr(ops, name)
    return maker


def _unary_method(op: ops.Primitive) -> Callable[[Dual], Dual]:
    def method(self: Dual) -> Dual:
        return apply(op, self)

    method.__doc__ = op.doc
    return method


def _binary_method(op: ops.Primitive, reflected: bool = False) -> Callable[[Dual, object], Dual]:
    def method(self: Dual, other: object) -> Dual:
        b = _lift(other, op.name)
        return apply(op, b, self) if reflected else apply(op, self, b)

    method.__doc__ = op.doc
    return method


def _family_method(op: ops.Primitive) -> Callable[..., Dual]:
    make = _family(op.name)
    defaults = op.params  # the table's representative: leaky_relu() is leaky_relu(0.01)

    def method(self: Dual, *params: float) -> Dual:
        if len(params) > len(defaults):
            raise TypeError(
                f"{op.name}: takes {len(defaults)} parameter(s) "
                f"({', '.join(op.param_names)}), got {len(params)}"
            )
        given = [checks.real(p, op.name, n) for p, n in zip(params, op.param_names)]
        return apply(make(*given, *defaults[len(given) :]), self)

    method.__doc__ = f"{op.doc}  Parameters {', '.join(op.param_names)} (default {defaults})."
    return method


def _install() -> list[str]:
    """Give Dual one method per entry of the table (operators by Python's syntax)."""
    made = []
    for name, op in ops.TABLE.items():
        if op.arity < 0:
            continue  # n-ary: the functions vsum and dot below
        if name in OPERATORS:
            dunders = OPERATORS[name]
            for k, dunder in enumerate(dunders):
                fn = _unary_method(op) if op.arity == 1 else _binary_method(op, reflected=k == 1)
                setattr(Dual, dunder, fn)
                made.append(dunder)
            continue
        if op.param_names:
            fn = _family_method(op)
        elif op.arity == 1:
            fn = _unary_method(op)
        else:
            fn = _binary_method(op)
        fn.__name__ = name
        setattr(Dual, name, fn)
        made.append(name)
    return made


GENERATED: tuple[str, ...] = tuple(_install())


# --------------------------------------------------------------------------- n-ary, either kind
def _any_dual(xs: Iterable[object]) -> bool:
    return any(isinstance(x, Dual) for x in xs)


def vsum(values: Iterable[Any]) -> Any:
    """Σ values as one n-ary ``sum`` node: a Value for Values, a Dual if any term is a Dual.

    >>> vsum([Dual(1.0, 1.0), 2.0, Dual(3.0, 0.5)]).tangent
    1.5
    """
    terms = list(values)
    if not _any_dual(terms):
        return value_vsum(terms)
    if not terms:
        return _dual(0.0, 0.0)
    return apply(ops.sum, *(_lift(t, "vsum") for t in terms))


def dot(weights: Sequence[Any], inputs: Sequence[Any], bias: Any) -> Any:
    """Σ wᵢxᵢ + b as one ``dot`` node, for Values (``engine.dot``) or Duals.

    >>> dot([Dual(2.0, 1.0)], [3.0], Dual(1.0)).tangent  # ∂/∂w (wx + b) = x
    3.0
    """
    if not _any_dual([*weights, *inputs, bias]):
        return value_dot(weights, inputs, bias)
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: {len(weights)} weights but {len(inputs)} inputs; the lengths must match"
        )
    args = [_lift(a, "dot") for a in (*weights, *inputs, bias)]
    return apply(ops.dot, *args)
