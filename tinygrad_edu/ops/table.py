"""The entry type and the registry: ``Primitive``, ``TABLE`` and the ``primitive`` decorator."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A rule's arguments and results are floats on the ordinary path and Values on the
# create_graph path; the engine is not imported here, hence Any.
Scalar = Any
Rule = Callable[..., tuple[Any, ...]]

INF = math.inf


def data_of(x: Scalar) -> float:
    """The float inside ``x``: ``x`` itself for a number, ``x.data`` for a Value.

    >>> data_of(2.5)
    2.5
    """
    return x if isinstance(x, float) else float(x.data)


def _fmt(x: float) -> str:
    return repr(float(x))


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
