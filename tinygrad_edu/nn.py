"""Neural networks on top of the engine: Module, Neuron, Layer, MLP.

The defaults follow micrograd's MLP (ReLU hidden layers, a linear output, weights drawn from
uniform(−1, 1), zero biases), so code written for it runs unchanged here. A neuron's weighted
sum Σ wᵢxᵢ + b is one n-ary node (``engine.dot``), then the activation is one more node.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from .engine import Operand, Value, dot, dot_shared

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": lambda v: v,
}


def check_activation(name: str) -> str:
    """Return ``name`` if it is a known activation, else raise a ValueError listing them."""
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {valid}")
    return name


def _make_rng(seed: int | None, rng: random.Random | None) -> random.Random:
    if rng is not None and seed is not None:
        raise ValueError("give either seed= or rng=, not both")
    return rng if rng is not None else random.Random(seed)


class Module:
    """Anything with parameters: lists them, names them, zeroes their gradients."""

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """(name, parameter) pairs, in the order of ``parameters()``."""
        return iter(())

    def parameters(self) -> list[Value]:
        """All parameters, layer by layer, neuron by neuron, weights then bias."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0."""
        for p in self.parameters():
            p.grad = 0.0
            p.grad_value = None

    def num_parameters(self) -> int:
        """How many scalar parameters the module has."""
        return sum(1 for _ in self.named_parameters())

    def _label_parameters(self) -> None:
        # Labels make drawings and tapes readable; an enclosing module relabels with full names.
        for name, p in self.named_parameters():
            p.label = name


class Neuron(Module):
    """activation(Σ wᵢxᵢ + b): ``nin`` weights from uniform(−1, 1) and a zero bias."""

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron: nin must be a positive int, got {nin!r}")
        self.nin = nin
        self.activation = check_activation(activation)
        self._act = ACTIVATIONS[activation]
        r = _make_rng(seed, rng)
        self.w = [Value(r.uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b = Value(0.0)
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> Value:
        if len(x) != self.nin:
            raise ValueError(f"Neuron: expected {self.nin} inputs, got {len(x)}")
        return self._act(dot(self.w, x, self.b))

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, w in enumerate(self.w):
            yield f"w.{i}", w
        yield "b", self.b

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; always returns a list."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer: nout must be a positive int, got {nout!r}")
        r = _make_rng(seed, rng)
        self.nin = nin
        self.nout = nout
        self.activation = check_activation(activation)
        self.neurons = [Neuron(nin, activation, rng=r) for _ in range(nout)]
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"Layer: expected {self.nin} inputs, got {len(x)}")
        # lift plain numbers once, so all neurons share the same input nodes
        xs = [v if isinstance(v, Value) else Value(v) for v in x]
        data = [v.data for v in xs]
        return [n._act(dot_shared(n.w, xs, data, n.b)) for n in self.neurons]

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, n in enumerate(self.neurons):
            for name, p in n.named_parameters():
                yield f"neurons.{i}.{name}", p

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer per entry of ``nouts``.

    Hidden layers use ``activation`` and the last one ``output_activation``. The call returns
    a Value when the last layer has one neuron, else a list of Values.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"MLP: nin must be a positive int, got {nin!r}")
        if len(nouts) == 0:
            raise ValueError("MLP: nouts must list at least one layer size")
        r = _make_rng(seed, rng)
        self.nin = nin
        self.nouts = list(nouts)
        self.activation = check_activation(activation)
        self.output_activation = check_activation(output_activation)
        sizes = [nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng=r)
            for i in range(len(self.nouts))
        ]
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> Value | list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"MLP: expected {self.nin} inputs, got {len(x)}")
        out: list[Value] = self.layers[0](x)
        for layer in self.layers[1:]:
            out = layer(out)
        return out[0] if len(out) == 1 else out

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                yield f"layers.{i}.{name}", p

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )
