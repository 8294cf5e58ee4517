"""The comparisons eq, lt, gt: steps, so their local derivatives are 0 everywhere."""

from __future__ import annotations

from .rules import primitive


@primitive("==", ("0", "0"), arity=2, domain=(-3.0, 3.0), method="eq")
def eq(a: float, b: float) -> float:
    """f(a, b) = 1 if a = b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
    return 1.0 if a == b else 0.0


@primitive("<", ("0", "0"), arity=2, domain=(-3.0, 3.0), method="lt")
def lt(a: float, b: float) -> float:
    """f(a, b) = 1 if a < b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
    return 1.0 if a < b else 0.0


@primitive(">", ("0", "0"), arity=2, domain=(-3.0, 3.0), method="gt")
def gt(a: float, b: float) -> float:
    """f(a, b) = 1 if a > b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
    return 1.0 if a > b else 0.0
