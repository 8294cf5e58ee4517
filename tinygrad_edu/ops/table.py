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
    # the forward as text in the same names ("a * b", "tanh(x)"): the tape's forward lines,
    # and the engine's inlined forward where it is plain arithmetic; "" to show the symbol
    formula: str = ""
    method: str = ""  # the Value method generated from this entry ("" for none)

    @property
    def doc(self) -> str:
        """The first docstring line: the formula and its derivative."""
        return (self.forward.__doc__ or "").strip().splitlines()[0]

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickled by name (its forward and rule are rebuilt, never pickled): a node made by
        a table entry or a family member travels to another process."""
        if TABLE.get(self.name) is self or (self.params and self.name in FAMILIES):
            return (_restore, (self.name, self.params))
        return super().__reduce_ex__(protocol)


TABLE: dict[str, Primitive] = {}
# The parametrised families by name (powc, clamp, leaky_relu): name and parameters → entry.
FAMILIES: dict[str, Callable[..., Primitive]] = {}


def _restore(name: str, params: tuple[float, ...]) -> Primitive:
    """The entry a pickle names: the table's, or the family's member for these parameters."""
    return FAMILIES[name](*params) if params else TABLE[name]
