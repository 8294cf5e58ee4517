"""Backpropagation by hand: the delta equations in NumPy, and a three-way gradient cross-check.

For an MLP with layers l = 1 … L (``model.layers[l - 1]``), batch form, rows are examples::

    Zˡ = Aˡ⁻¹ Wˡᵀ + bˡ          Aˡ = σˡ(Zˡ)          A⁰ = X,  Ŷ = Aᴸ
    Δᴸ = ∂ℓ/∂Aᴸ ⊙ σ′(Zᴸ)         (sigmoid + BCE: Aᴸ − Y;  softmax + cross-entropy: softmax − Y)
    Δˡ = Δˡ⁺¹ Wˡ⁺¹ ⊙ σ′(Zˡ)      (row i is δᵢˡ = (Wˡ⁺¹)ᵀ δᵢˡ⁺¹ ⊙ σ′(zᵢˡ))
    ∂L/∂Wˡ = (1/m) Δˡᵀ Aˡ⁻¹      ∂L/∂bˡ = (1/m) Σᵢ δᵢˡ

where ℓ is one example's loss and L = (1/m) Σᵢ ℓᵢ, so row i of Δˡ is ∂ℓᵢ/∂zᵢˡ.

This module is an independent witness: it writes σ′ and the loss derivatives itself and never
uses the engine's derivative rules. Only :func:`crosscheck` touches the engine, to compare its
``backward()`` and central finite differences of its forward pass with the equations here.

Lists are indexed like ``model.layers`` (0-based): ``z[i]``, ``delta[i]``, ``dW[i]``, ``db[i]``
belong to ``layers.i`` (layer l = i + 1 in the lesson); ``a[i]`` is the input of that layer and
``a[i + 1]`` its output, so ``a[0]`` is X.

The losses are those of ``tinygrad_edu.losses``; per example ℓ and its derivative are:

* ``"mse"``: the mean over every element, ℓ = (1/n) Σₖ (aₖ − yₖ)², ∂ℓ/∂a = 2(a − y)/n;
* ``"half_sse"``: ℓ = ½ Σₖ (aₖ − yₖ)², ∂ℓ/∂a = a − y;
* ``"bce"``: ℓ = (1/n) Σₖ −[yₖ log pₖ + (1 − yₖ) log(1 − pₖ)] with p = clamp(a, ε, 1 − ε),
  ∂ℓ/∂a = (p − y) / (p(1 − p)) / n inside the clamp and 0 outside;
* ``"cross_entropy"``: the output layer gives logits, ℓ = −Σₖ yₖ log softmax(a)ₖ,
  ∂ℓ/∂a = softmax(a) Σₖ yₖ − y (= softmax(a) − y for a one-hot y or a class index).

Example::

    net = MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    report = crosscheck(net, [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], loss="bce")
    print(report)            # one row per parameter, one line per layer, a verdict
    assert report.ok

The BCE clamp (ε = 1e-12, as the engine's ``losses.bce``) matters only when a sigmoid output is
saturated: p > 1 − 10⁻¹² needs z > ln(10¹² − 1) ≈ 27.63, p < 10⁻¹² needs z < −27.63. There
the loss is flat (at most −ln ε ≈ 27.63), so the engine's gradient through that output is 0,
and so is δᴸ here — the textbook a − y would instead say about ±1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    from ..engine import Value
    from ..nn import MLP

    Array = NDArray[np.float64]
    Mask = NDArray[np.bool_]
    Weights = list[tuple[Array, Array]]
    # σ′ given the pre-activation z and the activation a = σ(z) (either may be used)
    ActivationDerivative = Callable[[Array, Array], Array]

LOSSES = ("mse", "half_sse", "bce", "cross_entropy")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
BCE_EPS = 1e-12
_U = 2.0**-53  # unit roundoff of float64

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Backward",
    "CrosscheckReport",
    "ForwardCache",
    "LayerSummary",
    "ParameterRow",
    "activate",
    "activation_derivative",
    "backward",
    "crosscheck",
    "forward",
    "load_weights",
    "loss_derivative",
    "loss_value",
    "targets_matrix",
    "weights_from",
]


def _require_numpy() -> None:
    try:
        import numpy  # noqa: F401
    except ImportError as e:  # pragma: no cover - numpy is a dev dependency
        raise ImportError(
            "tinygrad_edu.manual needs NumPy: pip install numpy "
            "(or pip install 'tinygrad_edu[dev]')"
        ) from e


def _check_activation(name: str, where: str) -> None:
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"{where}: unknown activation {name!r}; choose one of {valid}")


def _check_loss(name: str, where: str) -> None:
    if name not in LOSSES:
        valid = ", ".join(repr(x) for x in LOSSES)
        raise ValueError(f"{where}: unknown loss {name!r}; choose one of {valid}")


# ------------------------------------------------------------------------- activations
def activate(name: str, z: Array) -> Array:
    """σ(z) elementwise for ``name`` in sigmoid, tanh, relu, linear."""
    _require_numpy()
    import numpy as np

    _check_activation(name, "activate")
    if name == "sigmoid":
        # e^(−|z|) ≤ 1, so neither branch can overflow
        e = np.exp(-np.abs(z))
        return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0.0, z, 0.0)
    return np.array(z, dtype=np.float64, copy=True)


def _sigmoid_prime(z: Array, a: Array) -> Array:
    # σ = 1/(1 + e⁻ᶻ) ⇒ σ′ = e⁻ᶻ/(1 + e⁻ᶻ)² = σ · (1 − σ)
    return a * (1.0 - a)


def _tanh_prime(z: Array, a: Array) -> Array:
    # tanh′ = sech² = 1 − tanh²
    return 1.0 - a * a


def _relu_prime(z: Array, a: Array) -> Array:
    import numpy as np

    # 0 at the kink z = 0, the convention of the engine and of PyTorch
    return np.where(z > 0.0, 1.0, 0.0)


def _linear_prime(z: Array, a: Array) -> Array:
    import numpy as np

    return np.ones_like(z)


_DERIVATIVES: dict[str, ActivationDerivative] = {
    "sigmoid": _sigmoid_prime,
    "tanh": _tanh_prime,
    "relu": _relu_prime,
    "linear": _linear_prime,
}


def activation_derivative(name: str, z: Array, a: Array) -> Array:
    """σ′(z) for ``name``, given z and a = σ(z)."""
    _require_numpy()
    _check_activation(name, "activation_derivative")
    return _DERIVATIVES[name](z, a)


# ------------------------------------------------------------------------- weights
def _layers_of(model: MLP, where: str) -> list[Any]:
    from ..nn import MLP

    if not isinstance(model, MLP):
        raise TypeError(f"{where}: expected an MLP, got {type(model).__name__}")
    return list(model.layers)


def weights_from(model: MLP) -> tuple[Weights, list[str]]:
    """The model's (Wˡ, bˡ) as float64 arrays (Wˡ is nₗ × nₗ₋₁), and each layer's activation."""
    _require_numpy()
    import numpy as np

    weights: Weights = []
    activations: list[str] = []
    for layer in _layers_of(model, "weights_from"):
        W = np.array([[w.data for w in n.w] for n in layer.neurons], dtype=np.float64)
        b = np.array([n.b.data for n in layer.neurons], dtype=np.float64)
        weights.append((W, b))
        activations.append(layer.activation)
    return weights, activations


def load_weights(model: MLP, weights: Sequence[tuple[ArrayLike, ArrayLike]]) -> None:
    """Write the (Wˡ, bˡ) matrices into the model's parameters (the reverse of weights_from)."""
    _require_numpy()
    import numpy as np

    layers = _layers_of(model, "load_weights")
    if len(weights) != len(layers):
        raise ValueError(
            f"load_weights: the model has {len(layers)} layers but {len(weights)} (W, b) "
            "pairs were given"
        )
    arrays = []
    for i, (layer, (W_in, b_in)) in enumerate(zip(layers, weights)):
        W = np.asarray(W_in, dtype=np.float64)
        b = np.asarray(b_in, dtype=np.float64)
        shape = (layer.nout, layer.nin)
        if W.shape != shape or b.shape != (layer.nout,):
            raise ValueError(
                f"load_weights: layers.{i} needs W of shape {shape} and b of shape "
                f"({layer.nout},), got {W.shape} and {b.shape}"
            )
        arrays.append((W, b))
    # validated everything first, so a bad pair leaves the model untouched
    for layer, (W, b) in zip(layers, arrays):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                w.data = float(W[j, k])
            neuron.b.data = float(b[j])


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
    """
    _require_numpy()
    import numpy as np

    if isinstance(activations, str):
        activations = [activations] * len(weights)

    if len(weights) != len(activations):
        raise ValueError(f"forward: {len(weights)} (W, b) pairs but {len(activations)} activations")
    for name in activations:
        _check_activation(name, "forward")
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


# ------------------------------------------------------------------------- losses
def targets_matrix(Y: ArrayLike, loss: str, m: int, n: int) -> Array:
    """Targets as an m × n float matrix: class indices become one-hot rows."""
    _require_numpy()
    import numpy as np

    _check_loss(loss, "targets")
    T = np.asarray(Y)
    if T.dtype == np.bool_ or T.dtype.kind not in "iuf":
        raise TypeError(f"targets: expected numbers, got an array of {T.dtype}")
    if loss == "cross_entropy" and T.ndim == 1:
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
        onehot = np.zeros((m, n), dtype=np.float64)
        onehot[np.arange(m), T] = 1.0
        return onehot
    given = T.shape
    T = T.astype(np.float64)
    if T.ndim == 1 and n == 1:
        T = T.reshape(-1, 1)
    if T.shape != (m, n):
        raise ValueError(
            f"targets: expected shape ({m}, {n}) for a batch of {m} and {n} outputs, got {given}"
        )
    return T


def _softmax(logits: Array) -> Array:
    import numpy as np

    e = np.exp(logits - logits.max(axis=1, keepdims=True))  # shifted: no overflow
    s: Array = e / e.sum(axis=1, keepdims=True)
    return s


def _log_softmax(logits: Array) -> Array:
    import numpy as np

    shifted = logits - logits.max(axis=1, keepdims=True)
    out: Array = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return out


def _check_probabilities(output: Array, T: Array, where: str) -> None:
    import numpy as np

    # the same domain as losses.bce: BCE reads probabilities, not scores
    for what, values in (("probabilities", output), ("targets", T)):
        bad = ~((values >= 0.0) & (values <= 1.0)) & ~np.isnan(values)
        if bad.any():
            raise ValueError(
                f"{where}: BCE {what} must be in [0, 1], got {float(values[bad][0])!r} "
                "(a sigmoid output gives probabilities)"
            )


def loss_value(output: Array, T: Array, loss: str, *, bce_eps: float = BCE_EPS) -> float:
    """L = (1/m) Σᵢ ℓᵢ for the m × n output and target matrices (see the module docstring)."""
    _require_numpy()
    import numpy as np

    _check_loss(loss, "loss_value")
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
    """
    _require_numpy()
    import numpy as np

    _check_loss(loss, "loss_derivative")
    n = output.shape[1]
    d: Array
    if loss == "mse":
        d = 2.0 * (output - T) / n
        return d
    if loss == "half_sse":
        return output - T
    if loss == "bce":
        _check_probabilities(output, T, "loss_derivative")
        p = np.clip(output, bce_eps, 1.0 - bce_eps)
        inside = (output >= bce_eps) & (output <= 1.0 - bce_eps)
        # d/dp −[y log p + (1 − y) log(1 − p)] = −y/p + (1 − y)/(1 − p) = (p − y)/(p(1 − p))
        return np.where(inside, (p - T) / (p * (1.0 - p)) / n, 0.0)
    s = _softmax(output)
    if softmax_jacobian:
        with np.errstate(divide="ignore", invalid="ignore"):
            dl_ds = -T / s
        # (diag(s) − s sᵀ) g = s ⊙ (g − s·g)
        d = s * (dl_ds - np.sum(s * dl_ds, axis=1, keepdims=True))
    else:
        d = s * T.sum(axis=1, keepdims=True) - T
    return d


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
    derivative caught by :func:`crosscheck`: ``{"sigmoid": lambda z, a: a}``. (The two
    shortcuts use no σ′ at all, so a wrong output σ′ shows only with ``simplify=False``.)
    """
    _require_numpy()
    import numpy as np

    _check_loss(loss, "backward")
    derivs = dict(_DERIVATIVES)
    if activation_derivatives is not None:
        for name, fn in activation_derivatives.items():
            _check_activation(name, "backward")
            derivs[name] = fn
    aL, zL, actL = cache.a[-1], cache.z[-1], cache.activations[-1]
    m, n = aL.shape
    T = targets_matrix(Y, loss, m, n)
    value = loss_value(aL, T, loss, bce_eps=bce_eps)
    dL_da = loss_derivative(aL, T, loss, bce_eps=bce_eps, softmax_jacobian=not simplify)

    over_n = "" if n == 1 else f"/{n}"
    if simplify and loss == "bce" and actL == "sigmoid":
        inside = (aL >= bce_eps) & (aL <= 1.0 - bce_eps)
        # (p − y)/(p(1 − p)) · σ′ and σ′ = p(1 − p) cancel: no division, no σ′
        delta_L = np.where(inside, (aL - T) / n, 0.0)
        rule = f"δᴸ = (aᴸ − y){over_n}  (sigmoid + BCE)"
    elif simplify and loss == "cross_entropy" and actL == "linear":
        delta_L = dL_da
        rule = "δᴸ = softmax(zᴸ) − y  (softmax + cross-entropy)"
    else:
        delta_L = dL_da * derivs[actL](zL, aL)
        rule = f"δᴸ = ∂ℓ/∂aᴸ ⊙ σ′(zᴸ)  ({loss}, {actL} output)"

    L = len(cache.weights)
    deltas: list[Array] = [delta_L]
    for i in range(L - 2, -1, -1):
        W_next = cache.weights[i + 1][0]
        # δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ′(zˡ), for all rows at once
        deltas.append(
            (deltas[-1] @ W_next) * derivs[cache.activations[i]](cache.z[i], cache.a[i + 1])
        )
    deltas.reverse()
    dW = [d.T @ a_prev / m for d, a_prev in zip(deltas, cache.a[:-1])]
    db = [d.sum(axis=0) / m for d in deltas]
    return Backward(value, dL_da, deltas, dW, db, rule)


# ------------------------------------------------------------------------- the report
@dataclass(frozen=True)
class ParameterRow:
    """One parameter's gradient three ways, and whether they agree."""

    name: str
    layer: int
    engine: float
    delta: float
    numerical: float  # NaN when the numerical check was switched off
    abs_diff: float  # the largest |difference| among the compared pairs
    rel_diff: float  # the same, divided by the larger magnitude of the pair
    delta_ok: bool  # |engine − delta| within delta_tol
    numerical_engine_ok: bool  # |numerical − engine| within atol + rtol·|numerical|
    numerical_delta_ok: bool  # |numerical − delta| likewise (both True when not compared)
    kink: bool  # θ ± ε crossed a ReLU kink or the BCE clamp: numerical not compared

    @property
    def ok(self) -> bool:
        """True when every comparison made for this parameter passed."""
        return self.delta_ok and self.numerical_engine_ok and self.numerical_delta_ok

    @property
    def suspect(self) -> str:
        """The column that disagrees with the other two: 'engine', 'delta' or 'numerical'.

        '' when the row is ok, 'all' when no two agree, 'engine/delta' when those two differ
        and the numerical column (skipped, or within tolerance of both) cannot tell which.
        """
        if self.ok:
            return ""
        checks = (self.delta_ok, self.numerical_engine_ok, self.numerical_delta_ok)
        odd_one_out = {
            (False, True, False): "delta",
            (False, False, True): "engine",
            (True, False, False): "numerical",
        }
        if self.numerical_engine_ok and self.numerical_delta_ok:
            return "engine/delta"  # no numerical column, or too coarse to break the tie
        return odd_one_out.get(checks, "all")

    @property
    def status(self) -> str:
        """'ok', 'ok (kink …)' or 'MISMATCH: <suspect> off'."""
        if self.ok:
            return "ok (kink: numerical skipped)" if self.kink else "ok"
        suspect = self.suspect
        if suspect == "engine/delta":
            return "MISMATCH: engine ≠ delta eqs"
        if suspect == "all":
            return "MISMATCH: all three differ"
        return f"MISMATCH: {'delta eqs' if suspect == 'delta' else suspect} off"


@dataclass(frozen=True)
class LayerSummary:
    """One layer's gradient sizes (from the delta equations) and its worst disagreement."""

    index: int
    nin: int
    nout: int
    activation: str
    dW_norm: float  # ‖∂L/∂Wˡ‖_F
    db_norm: float  # ‖∂L/∂bˡ‖₂
    delta_norm: float  # mean over the batch of ‖δᵢˡ‖₂
    max_abs_diff: float  # max |engine − delta| over the layer's parameters


@dataclass(frozen=True)
class CrosscheckReport:
    """The result of :func:`crosscheck`: rows per parameter, a summary per layer."""

    loss: str
    batch_size: int
    loss_engine: float
    loss_delta: float
    rows: list[ParameterRow]
    layers: list[LayerSummary]
    eps: float
    atol: float
    rtol: float
    delta_tol: float
    numerical: bool
    output_rule: str
    notes: list[str] = field(default_factory=list)
    manual: Backward | None = None
    cache: ForwardCache | None = None

    @property
    def loss_ok(self) -> bool:
        """The engine's loss value and the NumPy one agree within delta_tol."""
        return _close(self.loss_engine, self.loss_delta, self.delta_tol)

    @property
    def ok(self) -> bool:
        """True when all rows and the loss values agree."""
        return self.loss_ok and all(r.ok for r in self.rows)

    @property
    def mismatches(self) -> list[str]:
        """Names of the parameters whose gradients disagree."""
        return [r.name for r in self.rows if not r.ok]

    @property
    def max_abs_diff(self) -> float:
        """The largest absolute difference among all comparisons made."""
        return max((r.abs_diff for r in self.rows), default=0.0)

    @property
    def max_delta_diff(self) -> float:
        """max |engine − delta equations| over the parameters."""
        return max((abs(r.engine - r.delta) for r in self.rows), default=0.0)

    @property
    def max_numerical_diff(self) -> float:
        """max |numerical − engine| over the parameters where it was compared."""
        diffs = [abs(r.numerical - r.engine) for r in self.rows if self.numerical and not r.kink]
        return max(diffs, default=0.0)

    def _header(self) -> list[str]:
        return [
            f"loss {self.loss}, batch of {self.batch_size}, {len(self.rows)} parameters; "
            f"output error {self.output_rule}",
            f"loss value: engine {self.loss_engine:.12g}, delta equations {self.loss_delta:.12g}",
            f"tolerances: |engine − delta| ≤ {self.delta_tol:g}·max(1, |engine|); "
            + (
                f"|numerical − engine| ≤ atol + rtol·|numerical|, eps={self.eps:g}, "
                f"atol={self.atol:.2g}, rtol={self.rtol:g}"
                if self.numerical
                else "numerical check off"
            ),
        ]

    def _verdict(self) -> str:
        diffs = f"max |engine − delta| = {self.max_delta_diff:.2e}"
        if self.numerical:
            diffs += f", max |numerical − engine| = {self.max_numerical_diff:.2e}"
        if self.ok:
            return f"OK: all {len(self.rows)} parameters agree ({diffs})"
        bad = self.mismatches
        what = f"{len(bad)} of {len(self.rows)} parameters disagree: {', '.join(bad)}"
        if not self.loss_ok:
            what = "the loss values differ; " + what
        return f"MISMATCH: {what} ({diffs})"

    def _row_cells(self, r: ParameterRow) -> list[str]:
        num = f"{r.numerical:.10g}" if self.numerical else "-"
        return [
            r.name,
            f"{r.engine:.10g}",
            f"{r.delta:.10g}",
            num,
            f"{r.abs_diff:.2e}",
            f"{r.rel_diff:.2e}",
            r.status,
        ]

    def _layer_cells(self, s: LayerSummary) -> list[str]:
        return [
            f"layers.{s.index} (l={s.index + 1})",
            f"{s.nout}×{s.nin}",
            s.activation,
            f"{s.dW_norm:.4e}",
            f"{s.db_norm:.4e}",
            f"{s.delta_norm:.4e}",
            f"{s.max_abs_diff:.2e}",
        ]

    _ROW_HEAD = (
        "parameter",
        "engine",
        "delta eqs",
        "numerical",
        "max abs diff",
        "max rel diff",
        "status",
    )
    _LAYER_HEAD = (
        "layer",
        "W shape",
        "activation",
        "‖∂L/∂W‖",
        "‖∂L/∂b‖",
        "mean ‖δ‖",
        "max |engine − delta|",
    )

    def __str__(self) -> str:
        lines = [
            "gradient cross-check: engine backward() vs delta equations vs central differences",
            *self._header(),
            "",
        ]
        lines += _text_table(self._ROW_HEAD, [self._row_cells(r) for r in self.rows])
        lines += ["", "per layer (norms from the delta equations):"]
        lines += _text_table(self._LAYER_HEAD, [self._layer_cells(s) for s in self.layers])
        lines += ["", *self.notes, self._verdict()] if self.notes else ["", self._verdict()]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The same report as Markdown tables."""
        lines = ["### Gradient cross-check", "", *(f"- {h}" for h in self._header()), ""]
        lines += _md_table(self._ROW_HEAD, [self._row_cells(r) for r in self.rows])
        lines += ["", "Per layer (norms from the delta equations):", ""]
        lines += _md_table(self._LAYER_HEAD, [self._layer_cells(s) for s in self.layers])
        lines += [""] + [f"- {n}" for n in self.notes] + [f"**{self._verdict()}**"]
        return "\n".join(lines)


def _text_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[c]) for r in rows)) if rows else len(h) for c, h in enumerate(head)
    ]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1])]
        return "  ".join([first, *rest, cells[-1]]).rstrip()

    out = [line(head), "-" * (sum(widths) + 2 * (len(widths) - 1))]
    return out + [line(r) for r in rows]


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 2) + ["---"]) + "|",
    ]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def _close(a: float, b: float, tol: float) -> bool:
    # written so that NaN counts as a disagreement
    return abs(a - b) <= tol * max(1.0, abs(a))


def _rel(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale > 0.0 else 0.0


# ------------------------------------------------------------------------- crosscheck
def _engine_loss(loss: str, preds: list[list[Value]], targets: list[Any], bce_eps: float) -> Value:
    from .. import losses

    if loss == "mse":
        return losses.mse(preds, targets)
    if loss == "half_sse":
        return losses.half_sse(preds, targets)
    if loss == "bce":
        return losses.bce(preds, targets, eps=bce_eps)
    return losses.cross_entropy(preds, targets)


def _engine_forward(
    model: MLP, rows: list[list[float]], loss: str, targets: list[Any], bce_eps: float
) -> Value:
    preds: list[list[Value]] = []
    for x in rows:
        out = model(x)
        # always a batch of vectors, so that the losses never mistake a vector for a batch
        preds.append(list(out) if isinstance(out, list) else [out])
    return _engine_loss(loss, preds, targets, bce_eps)


def _rounding_scale(root: Value) -> float:
    """S = Σᵥ |∂root/∂v| · max(|v|, Σᵢ |∂v/∂pᵢ · pᵢ|) over the interior nodes, after backward().

    u·S estimates how far rounding moves the computed root: every node's rounding, weighted by
    how much the root feels it; the sum over parents stands in for |v| when the terms cancel.
    """
    from ..engine import topo_order

    total = 0.0
    for v in topo_order(root):
        if v.is_leaf:
            continue  # inputs and parameters are exact: nothing was rounded
        terms = math.fsum(abs(g * p.data) for g, p in zip(v.local_grads, v.parents))
        total += abs(v.grad) * max(abs(v.data), terms)
    return total


def _pattern(cache: ForwardCache, loss: str, bce_eps: float) -> list[Mask]:
    """Which side of every non-smooth point each value is on: ReLU signs, BCE clamp."""
    marks = [z > 0.0 for z, act in zip(cache.z, cache.activations) if act == "relu"]
    if loss == "bce":
        out = cache.output
        marks.append((out >= bce_eps) & (out <= 1.0 - bce_eps))
    return marks


def crosscheck(
    model: MLP,
    X: ArrayLike,
    y: ArrayLike,
    loss: str = "bce",
    eps: float = 1e-6,
    *,
    rtol: float = 1e-6,
    atol: float | None = None,
    delta_tol: float = 1e-10,
    numerical: bool = True,
    simplify: bool = True,
    activation_derivatives: Mapping[str, ActivationDerivative] | None = None,
    bce_eps: float = BCE_EPS,
) -> CrosscheckReport:
    """Gradients of ``loss`` over the batch (X, y) three ways, compared parameter by parameter.

    1. the engine: the loss built with ``tinygrad_edu.losses``, then ``backward()``;
    2. the delta equations of this module, on the weights read out of the model;
    3. central differences (L(θ + ε) − L(θ − ε)) / 2ε of the engine's forward, under no_grad.

    Engine and delta equations do the same arithmetic in a different order, so they must agree
    to rounding: |engine − delta| ≤ delta_tol · max(1, |engine|) (1e-10 in float64). Central
    differences have truncation error ε²/6·|L‴| (relative ~1e-12 at ε = 1e-6, far below
    ``rtol`` = 1e-6) and rounding error: each engine node v is rounded with relative error
    ≤ u (≤ 2u for exp/log from libm), which reaches L multiplied by ∂L/∂v, so L is computed to
    within E ≈ 2u·S, S = Σᵥ |∂L/∂v| · max(|v|, Σ|terms of v|) (the terms catch cancellation
    in sums); the difference quotient then errs by up to 2E/2ε = E/ε. The default ``atol``
    = 4u·S/ε is twice that first-order bound: about 1e-8 for small networks, but large where
    L is ill-conditioned, as BCE on a saturated sigmoid, where log(1 − p) magnifies the
    rounding of p by 1/(1 − p) (the report then says so: use ``bce_with_logits`` there).
    A numerical entry is compared only if θ ± ε leaves every ReLU pre-activation and every
    BCE clamp on the same side as at θ; otherwise the row is marked 'kink' (a central
    difference across a kink measures the average of the two one-sided slopes).

    The model's parameters and gradients are the same afterwards as before.
    """
    _require_numpy()
    import numpy as np

    from ..engine import no_grad

    _check_loss(loss, "crosscheck")
    if not eps > 0.0:
        raise ValueError(f"crosscheck: eps must be > 0, got {eps!r}")
    layers = _layers_of(model, "crosscheck")
    Xa = np.asarray(X, dtype=np.float64)
    if Xa.ndim != 2 or Xa.shape[1] != model.nin or Xa.shape[0] == 0:
        raise ValueError(
            f"crosscheck: X must be a non-empty 2-D batch with {model.nin} columns (rows are "
            f"examples), got shape {Xa.shape}"
        )
    m, n = Xa.shape[0], layers[-1].nout
    T = targets_matrix(y, loss, m, n)  # validates y
    y_arr = np.asarray(y)
    if loss == "cross_entropy" and y_arr.ndim == 1:
        targets: list[Any] = [int(c) for c in y_arr]
    else:
        targets = T.tolist()
    rows_x: list[list[float]] = Xa.tolist()

    # parameters with their place in the matrices, checked against named_parameters()
    places: list[tuple[int, int, int | None]] = []
    values: list[Value] = []
    for i, layer in enumerate(layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                places.append((i, j, k))
                values.append(w)
            places.append((i, j, None))
            values.append(neuron.b)
    named = list(model.named_parameters())
    if [p for _, p in named] != values:
        raise RuntimeError("crosscheck: named_parameters() is not in layer/neuron/weight order")

    # 2. the delta equations
    weights, activations = weights_from(model)
    cache = forward(weights, Xa, activations)
    manual = backward(
        cache,
        T,
        loss,
        activation_derivatives=activation_derivatives,
        simplify=simplify,
        bce_eps=bce_eps,
    )

    # 1. the engine (its gradients are put back as they were afterwards)
    saved = [(p.grad, p.grad_value) for p in values]
    try:
        model.zero_grad()
        L_engine = _engine_forward(model, rows_x, loss, targets, bce_eps)
        L_engine.backward()
        engine = [p.grad for p in values]
        rounding_scale = _rounding_scale(L_engine)
    finally:
        for p, (g, gv) in zip(values, saved):
            p.grad, p.grad_value = g, gv
    loss_engine = L_engine.data

    # 3. central differences of the engine's forward
    base_pattern = _pattern(cache, loss, bce_eps)
    rounding = 2.0 * _U * rounding_scale  # E: how far rounding may move the computed L
    tol_abs = atol if atol is not None else 2.0 * rounding / eps
    numeric: list[float] = []
    kinks: list[bool] = []
    if numerical:
        with no_grad():
            for p, (i, j, col) in zip(values, places):
                theta = p.data
                f: list[float] = []
                crossed = False
                for step in (eps, -eps):
                    p.data = theta + step
                    try:
                        f.append(_engine_forward(model, rows_x, loss, targets, bce_eps).data)
                    finally:
                        p.data = theta
                    shifted = [(W.copy(), b.copy()) for W, b in cache.weights]
                    if col is None:
                        shifted[i][1][j] = theta + step
                    else:
                        shifted[i][0][j, col] = theta + step
                    moved = _pattern(forward(shifted, Xa, activations), loss, bce_eps)
                    crossed = crossed or not all(
                        np.array_equal(u, v) for u, v in zip(moved, base_pattern)
                    )
                numeric.append((f[0] - f[1]) / (2.0 * eps))
                kinks.append(crossed)
    else:
        numeric = [math.nan] * len(values)
        kinks = [False] * len(values)

    rows: list[ParameterRow] = []
    for (name, _), (i, j, col), e, num, kink in zip(named, places, engine, numeric, kinks):
        d = float(manual.dW[i][j, col] if col is not None else manual.db[i][j])
        pairs = [(e, d)]
        compared = numerical and not kink
        if compared:
            pairs += [(num, e), (num, d)]
        bound = tol_abs + rtol * abs(num)
        rows.append(
            ParameterRow(
                name=name,
                layer=i,
                engine=e,
                delta=d,
                numerical=num,
                abs_diff=max(abs(a - b) for a, b in pairs),
                rel_diff=max(_rel(a, b) for a, b in pairs),
                delta_ok=_close(e, d, delta_tol),
                numerical_engine_ok=not compared or abs(num - e) <= bound,
                numerical_delta_ok=not compared or abs(num - d) <= bound,
                kink=kink,
            )
        )

    summaries = []
    for i, layer in enumerate(layers):
        layer_rows = [r for r in rows if r.layer == i]
        summaries.append(
            LayerSummary(
                index=i,
                nin=layer.nin,
                nout=layer.nout,
                activation=layer.activation,
                dW_norm=float(np.linalg.norm(manual.dW[i])),
                db_norm=float(np.linalg.norm(manual.db[i])),
                delta_norm=float(np.mean(np.linalg.norm(manual.delta[i], axis=1))),
                max_abs_diff=max(abs(r.engine - r.delta) for r in layer_rows),
            )
        )

    notes: list[str] = []
    if numerical and rounding / eps > 1e-7:
        notes.append(
            f"The loss is ill-conditioned here: rounding alone can move L by about "
            f"{rounding:.1e}, so central differences are only good to about "
            f"{rounding / eps:.1e}"
            + (
                " (a saturated sigmoid under BCE: bce_with_logits avoids this)."
                if loss == "bce"
                else "."
            )
        )
    if numerical and any(kinks):
        notes.append(
            f"{sum(kinks)} parameter(s) marked 'kink': θ ± eps moves a ReLU pre-activation or "
            "the BCE clamp across its kink, so the central difference is not a derivative "
            "there; only engine vs delta equations is compared for them."
        )
    if loss == "bce":
        clamped = int(np.sum(~base_pattern[-1]))
        if clamped:
            notes.append(
                f"{clamped} output(s) lie outside [{bce_eps:g}, 1 − {bce_eps:g}]: the BCE clamp "
                "makes the loss flat there, so their gradient is 0 (not the unclamped a − y)."
            )
    return CrosscheckReport(
        loss=loss,
        batch_size=m,
        loss_engine=loss_engine,
        loss_delta=manual.loss,
        rows=rows,
        layers=summaries,
        eps=eps,
        atol=tol_abs,
        rtol=rtol,
        delta_tol=delta_tol,
        numerical=numerical,
        output_rule=manual.output_rule,
        notes=notes,
        manual=manual,
        cache=cache,
    )
