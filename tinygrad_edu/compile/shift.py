"""``data_max``: the largest of some values as a stop-gradient node, so a trace can follow it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine import Value, apply
from ..ops import Primitive


def _max_forward(*xs: float) -> float:
    """f(x₁…xₙ) = max xᵢ, as a constant shift.   ∂f/∂xᵢ = 0 (stops the gradient)."""
    return max(xs)


def _max_rule(out: Any, *xs: Any) -> tuple[float, ...]:
    return (0.0,) * len(xs)


DATA_MAX = Primitive(
    "data_max", "max", _max_forward, _max_rule, -1, derivatives=("0",), domain=(-3.0, 3.0)
)


def data_max(values: Sequence[Value]) -> Value:
    """The largest value as a node with zero gradient: a softmax shift a trace can follow.

    ``z - max(v.data for v in zs)`` freezes the shift when traced; ``z - data_max(zs)``
    computes the same floats and gradients, and a replay recomputes it.

    >>> data_max([Value(1.0), Value(3.0), Value(2.0)]).data
    3.0
    """
    if not values:
        raise ValueError("data_max: needs at least one value")
    return apply(DATA_MAX, *values)
