"""The delta equations a student reads: the forward pass, then δᴸ, δˡ = Wᵀδ ⊙ σ′(z), δ aᵀ.

Batch form, rows are examples; lists are indexed like ``model.layers``::

    Zˡ = Aˡ⁻¹ Wˡᵀ + bˡ          Aˡ = σˡ(Zˡ)          A⁰ = X,  Ŷ = Aᴸ
    Δᴸ = ∂ℓ/∂Aᴸ ⊙ σ′(Zᴸ)
    Δˡ = Δˡ⁺¹ Wˡ⁺¹ ⊙ σ′(Zˡ)
    ∂L/∂Wˡ = (1/m) Δˡᵀ Aˡ⁻¹      ∂L/∂bˡ = (1/m) Σᵢ δᵢˡ

σ′ is written here, not taken from the engine: this is an independent witness.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base import BCE_EPS, check_activation, check_loss, numpy
from .loss_terms import loss_derivative, loss_value, targets_matrix

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .base import ActivationDerivative, Array, Weights


# ------------------------------------------------------------------------- activations
def activate(name: str, z: Array) -> Array:
    """σ(z) elementwise for ``name`` in sigmoid, tanh, relu, linear.

    >>> import numpy as np
    >>> activate("relu", np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    np = numpy()
    check_activation(name, "activate")
    out: Array
    if name == "sigmoid":
        # e^(−|z|) ≤ 1, so neither branch can overflow
        e = np.exp(-np.abs(z))
        out = np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    elif name == "tanh":
        out = np.tanh(z)
    elif name == "relu":
        out = np.where(z > 0.0, z, 0.0)
    else:
        out = np.array(z, dtype=np.float64, copy=True)
    return out


def _sigmoid_prime(z: Array, a: Array) -> Array:
    # σ = 1/(1 + e⁻ᶻ) ⇒ σ′ = e⁻ᶻ/(1 + e⁻ᶻ)² = σ · (1 − σ)
    return a * (1.0 - a)


def _tanh_prime(z: Array, a: Array) -> Array:
    # tanh′ = sech² = 1 − tanh²
    return 1.0 - a * a


def _relu_prime(z: Array, a: Array) -> Array:
    # 0 at the kink z = 0, the convention of the engine and of PyTorch
    out: Array = numpy().where(z > 0.0, 1.0, 0.0)
    return out


def _linear_prime(z: Array, a: Array) -> Array:
    out: Array = numpy().ones_like(z)
    return out


DERIVATIVES: dict[str, ActivationDerivative] = {
    "sigmoid": _sigmoid_prime,
    "tanh": _tanh_prime,
    "relu": _relu_prime,
    "linear": _linear_prime,
}


def activation_derivative(name: str, z: Array, a: Array) -> Array:
    """σ′(z) for ``name``, given z and a = σ(z).

    >>> import numpy as np
    >>> activation_derivative("sigmoid", np.array([0.0]), np.array([0.5])).tolist()
    [0.25]
    """
    numpy()
    check_activation(name, "activation_derivative")
    return DERIVATIVES[name](z, a)


# ------------------------------------------------------------------------- forward
@dataclass(frozen=True)
class ForwardCache:
    """Every zˡ and aˡ of a batch forward pass (rows are examples); a[0] is X."""

    weights: Weights
    activations: list[str]
    z: list[Array]
    a: list[Array]

    @property
    def output(self) -> Array:
        """Aᴸ, the network's output (m × n)."""
        return self.a[-1]


def forward(
    weights: Sequence[tuple[ArrayLike, ArrayLike]],
    X: ArrayLike,
    activations: Sequence[str] | str = "sigmoid",
) -> ForwardCache:
    """Zˡ = Aˡ⁻¹ Wˡᵀ + bˡ, Aˡ = σˡ(Zˡ) for every layer, keeping all of them.

    ``activations`` names one activation per layer, or one name for every layer (by default
    the lesson's sigmoid everywhere).

    >>> cache = forward([([[1.2]], [-0.8])], [[0.5]])  # the worked neuron: z = −0.2
    >>> round(float(cache.z[0][0, 0]), 12), round(float(cache.output[0, 0]), 6)
    (-0.2, 0.450166)
    """
    np = numpy()
    if isinstance(activations, str):
        activations = [activations] * len(weights)
    if len(weights) != len(activations):
        raise ValueError(f"forward: {len(weights)} (W, b) pairs but {len(activations)} activations")
    for name in activations:
        check_activation(name, "forward")
    A = np.asarray(X, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"forward: X must be 2-D (rows are examples), got shape {A.shape}")
    ws: Weights = []
    zs: list[Array] = []
    as_: list[Array] = [A]
    for i, ((W_in, b_in), name) in enumerate(zip(weights, activations)):
        W = np.asarray(W_in, dtype=np.float64)
        b = np.asarray(b_in, dtype=np.float64)
        if W.ndim != 2 or b.shape != (W.shape[0],) or W.shape[1] != A.shape[1]:
            raise ValueError(
                f"forward: layers.{i} has W {W.shape}, b {b.shape} but its input has "
                f"{A.shape[1]} columns; W must be nₗ × nₗ₋₁ and b of length nₗ"
            )
        Z = A @ W.T + b
        A = activate(name, Z)
        ws.append((W, b))
        zs.append(Z)
        as_.append(A)
    return ForwardCache(ws, list(activations), zs, as_)


# ------------------------------------------------------------------------- backward
@dataclass(frozen=True)
class Backward:
    """The delta equations' results; lists are indexed like ``model.layers``."""

    loss: float
    dL_da: Array  # ∂ℓᵢ/∂aᵢᴸ, one row per example
    delta: list[Array]  # δˡ = ∂ℓᵢ/∂zᵢˡ, one row per example (not averaged)
    dW: list[Array]  # ∂L/∂Wˡ = (1/m) Δˡᵀ Aˡ⁻¹, nₗ × nₗ₋₁
    db: list[Array]  # ∂L/∂bˡ = (1/m) Σᵢ δᵢˡ
    output_rule: str  # which form of δᴸ was used, for printing


def _output_delta(
    cache: ForwardCache,
    T: Array,
    dL_da: Array,
    loss: str,
    derivs: Mapping[str, ActivationDerivative],
    simplify: bool,
    bce_eps: float,
) -> tuple[Array, str]:
    """δᴸ and the rule used: the lesson's shortcuts, or ∂ℓ/∂aᴸ ⊙ σ′(zᴸ)."""
    np = numpy()
    aL, zL, actL = cache.a[-1], cache.z[-1], cache.activations[-1]
    n = aL.shape[1]
    over_n = "" if n == 1 else f"/{n}"
    if simplify and loss == "bce" and actL == "sigmoid":
        inside = (aL >= bce_eps) & (aL <= 1.0 - bce_eps)
        # (p − y)/(p(1 − p)) · σ′ and σ′ = p(1 − p) cancel: no division, no σ′
        delta: Array = np.where(inside, (aL - T) / n, 0.0)
        return delta, f"δᴸ = (aᴸ − y){over_n}  (sigmoid + BCE)"
    if simplify and loss == "cross_entropy" and actL == "linear":
        return dL_da, "δᴸ = softmax(zᴸ) − y  (softmax + cross-entropy)"
    return dL_da * derivs[actL](zL, aL), f"δᴸ = ∂ℓ/∂aᴸ ⊙ σ′(zᴸ)  ({loss}, {actL} output)"


def backward(
    cache: ForwardCache,
    Y: ArrayLike,
    loss: str,
    *,
    activation_derivatives: Mapping[str, ActivationDerivative] | None = None,
    simplify: bool = True,
    bce_eps: float = BCE_EPS,
) -> Backward:
    """Every δˡ, ∂L/∂Wˡ, ∂L/∂bˡ of ``loss`` (averaged by 1/m) from a forward cache.

    ``Y`` holds the targets as ``tinygrad_edu.losses`` takes them (an m × n matrix, m floats
    when n = 1, or class indices for cross-entropy). ``simplify`` uses the lesson's
    shortcuts δᴸ = (aᴸ − y)/n for sigmoid + BCE and softmax − y for a linear output with
    cross-entropy (neither needs σ′); otherwise δᴸ = ∂ℓ/∂aᴸ ⊙ σ′(zᴸ) all the way.
    ``activation_derivatives`` replaces σ′ for the named activations, e.g. to see a wrong
    derivative caught by ``crosscheck``: ``{"sigmoid": lambda z, a: a}``. (The two
    shortcuts use no σ′ at all, so a wrong output σ′ shows only with ``simplify=False``.)

    >>> cache = forward([([[1.2]], [-0.8])], [[0.5]])
    >>> grads = backward(cache, [[0.0]], "half_sse")
    >>> round(float(grads.dW[0][0, 0]), 6), round(float(grads.db[0][0]), 6)
    (0.055712, 0.111424)
    """
    check_loss(loss, "backward")
    derivs = dict(DERIVATIVES)
    for name, fn in (activation_derivatives or {}).items():
        check_activation(name, "backward")
        derivs[name] = fn
    aL = cache.a[-1]
    m, n = aL.shape
    T = targets_matrix(Y, loss, m, n)
    value = loss_value(aL, T, loss, bce_eps=bce_eps)
    dL_da = loss_derivative(aL, T, loss, bce_eps=bce_eps, softmax_jacobian=not simplify)
    delta_L, rule = _output_delta(cache, T, dL_da, loss, derivs, simplify, bce_eps)
    deltas: list[Array] = [delta_L]
    for i in range(len(cache.weights) - 2, -1, -1):
        W_next = cache.weights[i + 1][0]
        # δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ′(zˡ), for all rows at once
        slope = derivs[cache.activations[i]](cache.z[i], cache.a[i + 1])
        deltas.append((deltas[-1] @ W_next) * slope)
    deltas.reverse()
    dW = [d.T @ a_prev / m for d, a_prev in zip(deltas, cache.a[:-1])]
    db = [d.sum(axis=0) / m for d in deltas]
    return Backward(value, dL_da, deltas, dW, db, rule)
