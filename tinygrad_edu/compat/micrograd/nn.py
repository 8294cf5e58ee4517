"""``micrograd.nn`` on tinygrad_edu: Neuron, Layer and MLP with micrograd's conventions.

The differences from ``tinygrad_edu.nn`` are the ones micrograd code relies on: the
constructors take ``nonlin=`` (True = ReLU, False = linear); an MLP's hidden layers are ReLU and
its last layer linear; weights come from Python's global ``random`` (so ``random.seed(1337)``
reproduces a run); and a call returns a bare ``Value`` when there is exactly one output
(tinygrad_edu's ``MLP`` always returns a list). Parameters, names and ``zero_grad()`` are
tinygrad_edu's, so these models work with its optimizers, drawings and the torch bridge.

>>> import random
>>> random.seed(1337)
>>> model = MLP(2, [16, 16, 1])
>>> type(model([1.0, -1.0])).__name__, len(model.parameters())
('Value', 337)
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import nn as _nn
from ...engine import Operand, Value

__all__ = ["MLP", "Layer", "Module", "Neuron"]

Module = _nn.Module


def _layer_repr(layer: _nn.Layer) -> str:
    kind = "ReLU" if layer.activation == "relu" else "Linear"
    return f"Layer of [{', '.join(f'{kind}Neuron({layer.nin})' for _ in layer.neurons)}]"


class Neuron(_nn.Neuron):
    """micrograd's ``Neuron(nin, nonlin=True)``: ReLU(w·x + b), or linear with nonlin=False.

    >>> Neuron(2, nonlin=False).activation
    'linear'
    """

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        super().__init__(nin, nonlin=nonlin)

    def __repr__(self) -> str:
        return f"{'ReLU' if self.activation == 'relu' else 'Linear'}Neuron({self.nin})"


class Layer(_nn.Layer):
    """micrograd's ``Layer(nin, nout, nonlin=True)``; one output is a bare Value.

    >>> type(Layer(2, 1)([1.0, 2.0])).__name__
    'Value'
    """

    def __init__(self, nin: int, nout: int, nonlin: bool = True) -> None:
        super().__init__(nin, nout, nonlin=nonlin)

    def __call__(self, x: Sequence[Operand]) -> Value | list[Value]:  # type: ignore[override]
        out = super().__call__(x)
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return _layer_repr(self)


class MLP(_nn.MLP):
    """micrograd's ``MLP(nin, nouts)``: ReLU hidden layers, a linear last layer.

    A call returns a bare Value when the last layer has one neuron, else a list.

    >>> type(MLP(3, [4, 2])([1.0, 2.0, 3.0])).__name__
    'list'
    """

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        super().__init__(nin, nouts, "relu", "linear")

    def __call__(self, x: Sequence[Operand]) -> Value | list[Value]:  # type: ignore[override]
        out = super().__call__(x)
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(_layer_repr(layer) for layer in self.layers)}]"
