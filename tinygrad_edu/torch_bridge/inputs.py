"""What the bridge accepts: the loss names, a tinygrad_edu MLP, and X, Y as rows and targets."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from .. import checks
from ..nn import MLP

LOSS_NAMES = ("mse", "half_sse", "bce", "bce_with_logits", "hinge", "cross_entropy")


def check_mlp(model: object, where: str) -> MLP:
    """``model`` if it is a tinygrad_edu MLP, else a TypeError naming ``where``."""
    if not isinstance(model, MLP):
        raise TypeError(f"{where}: model must be a tinygrad_edu MLP, got {type(model).__name__}")
    return model


def activations(model: MLP) -> list[str]:
    """Each layer's activation name, first layer first."""
    return [layer.activation for layer in model.layers]


def rows_and_targets(
    model: MLP, X: object, Y: object, loss: str, where: str
) -> tuple[list[list[float]], list[Any]]:
    """X as float rows of width ``model.nin``; per row a class index or a list of floats."""
    rows = [
        [checks.finite(v, where, "an entry of X") for v in r]
        for r in checks.rows(X, where, "X", width=model.nin)
    ]
    ys = list(checks.sequence(Y, where, "Y"))
    if len(ys) != len(rows):
        raise ValueError(f"{where}: X has {len(rows)} rows but Y has {len(ys)} targets")
    return rows, [_target(model.nouts[-1], y, k, loss, where) for k, y in enumerate(ys)]


def _target(nout: int, y: object, k: int, loss: str, where: str) -> Any:
    """Y[k] as a class index (``cross_entropy`` only) or a list of ``nout`` floats."""
    if loss == "cross_entropy" and checks.is_real(y) and isinstance(y, numbers.Integral):
        c = checks.count(y, where, f"Y[{k}] (a class index)")
        if c >= nout:
            raise ValueError(f"{where}: class index {c} out of range for {nout} classes")
        return c
    if loss == "cross_entropy" and not isinstance(y, Sequence) and not hasattr(y, "__len__"):
        raise TypeError(
            f"{where}: Y[{k}] must be a class index (an int) or a list of {nout} "
            f"probabilities, got {checks.show(y)}"
        )
    vec = (
        [checks.finite(y, where, f"Y[{k}]")]
        if not isinstance(y, Sequence) and not hasattr(y, "__len__")
        else [
            checks.finite(v, where, f"an entry of Y[{k}]")
            for v in checks.sequence(y, where, f"Y[{k}]")
        ]
    )
    if len(vec) != nout:
        raise ValueError(f"{where}: Y[{k}] has {len(vec)} entries, the model {nout} outputs")
    return vec
