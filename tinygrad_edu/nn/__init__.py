"""Neural networks on top of the engine: Module, Neuron, Layer, MLP, and Rosenblatt's Perceptron.

The defaults follow micrograd's MLP (ReLU hidden layers, a linear output, weights drawn from
uniform(−1, 1), zero biases), so code written for it runs unchanged here: without ``seed=`` or
``rng=`` the weights come from Python's global ``random`` (so ``random.seed(1337)`` reproduces
a run, as in micrograd), and ``nonlin=True``/``False`` is accepted for ``activation="relu"`` /
``"linear"``. A neuron's weighted sum Σ wᵢxᵢ + b is one n-ary node (``nary.dot``), then the
activation is one more node.

Every module can give its parameters as a ``state_dict()`` (name → float) and take them back
with ``load_state_dict()``; ``config()`` describes the architecture, and ``from_config()``
rebuilds a module from it (``tinygrad_edu.serialize`` uses both to save and load files).

Rooms: ``module`` (activations, weight sources, ``Module``), ``layers`` (Neuron, Layer, MLP),
``perceptron`` (the perceptron and its convergence bound), ``config`` (``from_config``,
``parameter_count``). Their private helpers are importable from here too (``_x as _x``).
"""

from .config import _KINDS as _KINDS
from .config import _cfg_int as _cfg_int
from .config import _cfg_sizes as _cfg_sizes
from .config import _cfg_str as _cfg_str
from .config import from_config, parameter_count
from .layers import MLP, Layer, Neuron
from .module import ACTIVATIONS, Module, check_activation
from .module import _inputs as _inputs
from .module import _make_rng as _make_rng
from .module import _resolve_activation as _resolve_activation
from .module import _shared as _shared
from .module import _some as _some
from .module import _Uniform as _Uniform
from .perceptron import (
    ConvergenceWarning,
    Perceptron,
    PerceptronResult,
    perceptron_bound,
    separation_margin,
)
from .perceptron import _binary_labels as _binary_labels
from .perceptron import _folded_rows as _folded_rows
from .perceptron import _margin as _margin
from .perceptron import _plural as _plural
from .perceptron import _unit_separator as _unit_separator

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "ConvergenceWarning",
    "Layer",
    "Module",
    "Neuron",
    "Perceptron",
    "PerceptronResult",
    "check_activation",
    "from_config",
    "parameter_count",
    "perceptron_bound",
    "separation_margin",
]
