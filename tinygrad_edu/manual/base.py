"""What the manual rooms share: NumPy (imported lazily, here only), names, the model's weights."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    from ..nn import MLP

    Array = NDArray[np.float64]
    Mask = NDArray[np.bool_]
    Weights = list[tuple[Array, Array]]
    # σ′ given the pre-activation z and the activation a = σ(z) (either may be used)
    ActivationDerivative = Callable[[Array, Array], Array]

LOSSES = ("mse", "half_sse", "bce", "cross_entropy")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
BCE_EPS = 1e-12
UNIT_ROUNDOFF = 2.0**-53  # u of float64: one rounding moves a value by at most u·|value|


def numpy() -> ModuleType:
    """The NumPy module, imported on first use (the one place the manual imports it)."""
    try:
        import numpy as np
    except ImportError as e:  # pragma: no cover - numpy is in the [plots] and [dev] extras
        raise ImportError(
            "tinygrad_edu.manual needs NumPy: pip install numpy "
            "(or pip install 'tinygrad_edu[plots]')"
        ) from e
    return np


def check_activation(name: str, where: str) -> None:
    """A ValueError naming ``where`` unless ``name`` is one of :data:`ACTIVATIONS`."""
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"{where}: unknown activation {name!r}; choose one of {valid}")


def check_loss(name: str, where: str) -> None:
    """A ValueError naming ``where`` unless ``name`` is one of :data:`LOSSES`."""
    if name not in LOSSES:
        valid = ", ".join(repr(x) for x in LOSSES)
        raise ValueError(f"{where}: unknown loss {name!r}; choose one of {valid}")


def layers_of(model: MLP, where: str) -> list[Any]:
    """The model's layers; a TypeError naming ``where`` unless it is an MLP."""
    from ..nn import MLP

    if not isinstance(model, MLP):
        raise TypeError(f"{where}: expected an MLP, got {type(model).__name__}")
    return list(model.layers)


def weights_from(model: MLP) -> tuple[Weights, list[str]]:
    """The model's (Wˡ, bˡ) as float64 arrays (Wˡ is nₗ × nₗ₋₁), and each layer's activation.

    >>> from tinygrad_edu.nn import MLP
    >>> weights, acts = weights_from(MLP(3, [2, 1], activation="tanh", seed=0))
    >>> [W.shape for W, _ in weights], acts
    ([(2, 3), (1, 2)], ['tanh', 'linear'])
    """
    np = numpy()
    weights: Weights = []
    activations: list[str] = []
    for layer in layers_of(model, "weights_from"):
        W = np.array([[w.data for w in n.w] for n in layer.neurons], dtype=np.float64)
        b = np.array([n.b.data for n in layer.neurons], dtype=np.float64)
        weights.append((W, b))
        activations.append(layer.activation)
    return weights, activations


def load_weights(model: MLP, weights: Sequence[tuple[ArrayLike, ArrayLike]]) -> None:
    """Write the (Wˡ, bˡ) matrices into the model's parameters (the reverse of weights_from).

    >>> from tinygrad_edu.nn import MLP
    >>> neuron = MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=0)
    >>> load_weights(neuron, [([[1.2]], [-0.8])])
    >>> neuron.layers[0].neurons[0].w[0].data, neuron.layers[0].neurons[0].b.data
    (1.2, -0.8)
    """
    np = numpy()
    layers = layers_of(model, "load_weights")
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
