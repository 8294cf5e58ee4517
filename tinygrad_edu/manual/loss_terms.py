"""The losses as the delta equations see them: the target matrix, ℓ, and ∂ℓ/∂aᴸ (NumPy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import BCE_EPS, check_loss, numpy

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .base import Array


def targets_matrix(Y: ArrayLike, loss: str, m: int, n: int) -> Array:
    """Targets as an m × n float matrix: class indices become one-hot rows.

    >>> targets_matrix([2, 0], "cross_entropy", 2, 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    np = numpy()
    check_loss(loss, "targets")
    T = np.asarray(Y)
    if T.dtype == np.bool_ or T.dtype.kind not in "iuf":
        raise TypeError(f"targets: expected numbers, got an array of {T.dtype}")
    if loss == "cross_entropy" and T.ndim == 1:
        return _one_hot(T, m, n)
    given = T.shape
    T = T.astype(np.float64)
    if T.ndim == 1 and n == 1:
        T = T.reshape(-1, 1)
    if T.shape != (m, n):
        raise ValueError(
            f"targets: expected shape ({m}, {n}) for a batch of {m} and {n} outputs, got {given}"
        )
    out: Array = T
    return out


def _one_hot(T: Array, m: int, n: int) -> Array:
    np = numpy()
    if T.dtype.kind not in "iu":
        raise TypeError(
            "targets: cross_entropy takes class indices (ints) or an m × n matrix of "
            f"probabilities, got a 1-D array of {T.dtype}"
        )
    if T.shape != (m,):
        raise ValueError(f"targets: {T.shape[0]} class indices for a batch of {m}")
    bad = (T < 0) | (n <= T)
    if bad.any():
        raise ValueError(
            f"targets: class index {int(T[bad][0])} out of range for {n} output classes"
        )
    onehot: Array = np.zeros((m, n), dtype=np.float64)
    onehot[np.arange(m), T] = 1.0
    return onehot


def softmax(logits: Array) -> Array:
    """Row-wise softmax, shifted by the row's maximum so that exp cannot overflow."""
    np = numpy()
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    s: Array = e / e.sum(axis=1, keepdims=True)
    return s


def _log_softmax(logits: Array) -> Array:
    np = numpy()
    shifted = logits - logits.max(axis=1, keepdims=True)
    out: Array = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return out


def _check_probabilities(output: Array, T: Array, where: str) -> None:
    np = numpy()
    # the same domain as losses.bce: BCE reads probabilities, not scores
    for what, values in (("probabilities", output), ("targets", T)):
        bad = ~((values >= 0.0) & (values <= 1.0)) & ~np.isnan(values)
        if bad.any():
            raise ValueError(
                f"{where}: BCE {what} must be in [0, 1], got {float(values[bad][0])!r} "
                "(a sigmoid output gives probabilities)"
            )


def loss_value(output: Array, T: Array, loss: str, *, bce_eps: float = BCE_EPS) -> float:
    """L = (1/m) Σᵢ ℓᵢ for the m × n output and target matrices (see the package docstring).

    >>> import numpy as np
    >>> loss_value(np.array([[0.5]]), np.array([[0.0]]), "half_sse")
    0.125
    """
    np = numpy()
    check_loss(loss, "loss_value")
    if loss == "mse":
        return float(np.mean((output - T) ** 2))
    if loss == "half_sse":
        return float(np.mean(0.5 * np.sum((output - T) ** 2, axis=1)))
    if loss == "bce":
        _check_probabilities(output, T, "loss_value")
        p = np.clip(output, bce_eps, 1.0 - bce_eps)
        return float(np.mean(-(T * np.log(p) + (1.0 - T) * np.log(1.0 - p))))
    return float(np.mean(-np.sum(T * _log_softmax(output), axis=1)))


def loss_derivative(
    output: Array, T: Array, loss: str, *, bce_eps: float = BCE_EPS, softmax_jacobian: bool = False
) -> Array:
    """∂ℓᵢ/∂aᵢᴸ for each example i (rows), before the output activation's σ′.

    For cross-entropy, ``softmax_jacobian=True`` goes the long way, ∂ℓ/∂s = −y/s through the
    softmax Jacobian diag(s) − s sᵀ, instead of the simplified s Σy − y (it divides by s, so
    it fails when a probability underflows to 0).

    >>> import numpy as np
    >>> loss_derivative(np.array([[0.75]]), np.array([[1.0]]), "mse").tolist()  # 2(a − y)
    [[-0.5]]
    """
    np = numpy()
    check_loss(loss, "loss_derivative")
    n = output.shape[1]
    d: Array
    if loss == "mse":
        d = 2.0 * (output - T) / n
        return d
    if loss == "half_sse":
        d = output - T
        return d
    if loss == "bce":
        _check_probabilities(output, T, "loss_derivative")
        p = np.clip(output, bce_eps, 1.0 - bce_eps)
        inside = (output >= bce_eps) & (output <= 1.0 - bce_eps)
        # d/dp −[y log p + (1 − y) log(1 − p)] = −y/p + (1 − y)/(1 − p) = (p − y)/(p(1 − p))
        d = np.where(inside, (p - T) / (p * (1.0 - p)) / n, 0.0)
        return d
    s = softmax(output)
    if softmax_jacobian:
        with np.errstate(divide="ignore", invalid="ignore"):
            dl_ds = -T / s
        # (diag(s) − s sᵀ) g = s ⊙ (g − s·g)
        d = s * (dl_ds - np.sum(s * dl_ds, axis=1, keepdims=True))
    else:
        d = s * T.sum(axis=1, keepdims=True) - T
    return d
