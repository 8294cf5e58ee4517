"""Backpropagation by hand: the delta equations in NumPy, and a three-way gradient cross-check.

For an MLP with layers l = 1 … L (``model.layers[l - 1]``), batch form, rows are examples::

    Zˡ = Aˡ⁻¹ Wˡᵀ + bˡ          Aˡ = σˡ(Zˡ)          A⁰ = X,  Ŷ = Aᴸ
    Δᴸ = ∂ℓ/∂Aᴸ ⊙ σ′(Zᴸ)         (sigmoid + BCE: Aᴸ − Y;  softmax + cross-entropy: softmax − Y)
    Δˡ = Δˡ⁺¹ Wˡ⁺¹ ⊙ σ′(Zˡ)      (row i is δᵢˡ = (Wˡ⁺¹)ᵀ δᵢˡ⁺¹ ⊙ σ′(zᵢˡ))
    ∂L/∂Wˡ = (1/m) Δˡᵀ Aˡ⁻¹      ∂L/∂bˡ = (1/m) Σᵢ δᵢˡ

where ℓ is one example's loss and L = (1/m) Σᵢ ℓᵢ, so row i of Δˡ is ∂ℓᵢ/∂zᵢˡ.

This package is an independent witness: it writes σ′ and the loss derivatives itself and never
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

Its rooms: :mod:`.equations` (the forward pass and the delta equations, what a student
reads), :mod:`.loss_terms` (ℓ and ∂ℓ/∂aᴸ per loss), :mod:`.base` (NumPy, imported lazily in
that one place; the model's weights as matrices), :mod:`.compare` (``crosscheck``) and
:mod:`.report` (the report as text, Markdown and HTML).

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

from .base import ACTIVATIONS, BCE_EPS, LOSSES, UNIT_ROUNDOFF, load_weights, weights_from
from .compare import crosscheck
from .equations import (
    Backward,
    ForwardCache,
    activate,
    activation_derivative,
    backward,
    forward,
)
from .loss_terms import loss_derivative, loss_value, targets_matrix
from .report import TORCH_MISSING, CrosscheckReport, LayerSummary, ParameterRow

__all__ = [
    "ACTIVATIONS",
    "BCE_EPS",
    "LOSSES",
    "TORCH_MISSING",
    "UNIT_ROUNDOFF",
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
