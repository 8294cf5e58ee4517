"""n-ary nodes: a sum or a neuron's Σ wᵢxᵢ + b as ONE node with one edge per input."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence

from . import checks, ops
from .engine import Operand, Value, _lift, _node, _shown, apply


def vsum(values: Iterable[Operand]) -> Value:
    """Σ values as one n-ary node (one edge per term) instead of a chain of additions."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"vsum: expected an iterable of Values or numbers, got {_shown(values)}")
    terms = tuple(_lift(v, "vsum") for v in values)
    if not terms:
        return Value(0.0)
    return apply(ops.sum, *terms)


def dot(weights: Sequence[Value], inputs: Sequence[Operand], bias: Value) -> Value:
    """Σ wᵢxᵢ + b as one node with exact local gradients (a neuron's pre-activation)."""
    checks.sequence(weights, "dot", "weights")
    checks.sequence(inputs, "dot", "inputs")
    if not isinstance(bias, Value):
        raise TypeError(f"dot: bias must be a Value, got {_shown(bias)}")
    if not all(isinstance(w, Value) for w in weights):
        bad = next(w for w in weights if not isinstance(w, Value))
        raise TypeError(f"dot: every weight must be a Value, got {_shown(bad)}")
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: {len(weights)} weights but {len(inputs)} inputs; the lengths must match"
        )
    xs = [_lift(x, "dot") for x in inputs]
    return dot_shared(weights, xs, [x.data for x in xs], bias)


def dot_shared(
    weights: Sequence[Value], inputs: Sequence[Value], input_data: list[float], bias: Value
) -> Value:
    """``dot`` for a layer: all its neurons read the same input Values, whose floats
    (``input_data``) are gathered once per layer instead of once per neuron."""
    ws = [w.data for w in weights]
    out = sum(map(operator.mul, ws, input_data)) + bias.data  # ops.dot's forward: Σ wᵢxᵢ + b
    # ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1 (ops.dot's derivative texts: x_i, w_i, 1)
    return _node(out, ops.dot, (*weights, *inputs, bias), (*input_data, *ws, 1.0))
