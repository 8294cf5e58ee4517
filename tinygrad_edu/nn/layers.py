"""Neuron, Layer and MLP: micrograd's networks (ReLU hidden layers, a linear output).

A neuron's weighted sum Σ wᵢxᵢ + b is one n-ary node (``nary.dot``), then the activation is one
more node.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

from .. import checks
from ..engine import Operand, Value
from ..nary import dot_shared
from .module import (
    ACTIVATIONS,
    Module,
    _inputs,
    _make_rng,
    _resolve_activation,
    _shared,
    check_activation,
    check_size,
)


def _lifted(x: Sequence[Operand], where: str) -> list[Value]:
    """The inputs as Values: numbers become constant leaves; anything else is an error naming
    ``where`` and the value (an int beyond the float range too)."""
    expected = "each input to be a Value or a real number"
    return [v if isinstance(v, Value) else Value(checks.operand(v, where, expected)) for v in x]


class Neuron(Module):
    """activation(Σ wᵢxᵢ + b): ``nin`` weights from uniform(−1, 1) and a zero bias.

    ``nonlin=`` is micrograd's spelling (True = ReLU, False = linear); ``activation=`` is ours.

    >>> n = Neuron(2, "linear", seed=0)
    >>> n([1.0, 0.0]).data == n.w[0].data
    True
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        nonlin: bool | None = None,
    ) -> None:
        self.nin = checks.count(nin, "Neuron", "nin", minimum=1)
        check_size(self.nin + 1, "Neuron", f"a neuron of {self.nin:,} inputs")
        self.activation = _resolve_activation(activation, nonlin, "Neuron")
        r = _make_rng(seed, rng, "Neuron")
        self.w = [Value(r.uniform(-1.0, 1.0)) for _ in range(self.nin)]
        self.b = Value(0.0)
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> Value:
        x = _inputs(x, "Neuron")
        if len(x) != self.nin:
            raise ValueError(f"Neuron: expected {self.nin} inputs, got {len(x)}")
        xs = _lifted(x, "Neuron")
        return self.fire(xs, [v.data for v in xs])

    def fire(self, xs: Sequence[Value], data: list[float]) -> Value:
        """activation(Σ wᵢxᵢ + b) on inputs already checked and lifted (``data``: their floats,
        gathered once per layer)."""
        return ACTIVATIONS[self.activation](dot_shared(self.w, xs, data, self.b))

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, w in enumerate(self.w):
            yield f"w.{i}", w
        yield "b", self.b

    def config(self) -> dict[str, object]:
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; always returns a list.

    >>> [round(v.data, 6) for v in Layer(2, 3, "relu", seed=1)([0.0, 0.0])]
    [0.0, 0.0, 0.0]
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        nonlin: bool | None = None,
    ) -> None:
        self.nin = checks.count(nin, "Layer", "nin", minimum=1)
        self.nout = checks.count(nout, "Layer", "nout", minimum=1)
        check_size((self.nin + 1) * self.nout, "Layer", f"{self.nin:,} → {self.nout:,}")
        self.activation = _resolve_activation(activation, nonlin, "Layer")
        r = _make_rng(seed, rng, "Layer")
        self.neurons = [Neuron(self.nin, self.activation, rng=_shared(r)) for _ in range(self.nout)]
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        x = _inputs(x, "Layer")
        if len(x) != self.nin:
            raise ValueError(f"Layer: expected {self.nin} inputs, got {len(x)}")
        xs = _lifted(x, "Layer")  # once, so all neurons share the same input nodes
        data = [v.data for v in xs]
        return [n.fire(xs, data) for n in self.neurons]

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, n in enumerate(self.neurons):
            for name, p in n.named_parameters():
                yield f"neurons.{i}.{name}", p

    def config(self) -> dict[str, object]:
        return {"type": "Layer", "nin": self.nin, "nout": self.nout, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer per entry of ``nouts``.

    Hidden layers use ``activation`` and the last one ``output_activation``. The call always
    returns a list of Values, one per output neuron (one type, as a Layer returns), so callers
    need no casework: ``model(x)[0]`` is the output of a one-output network. micrograd's
    convention (a bare Value when there is one output) lives in ``tinygrad_edu.compat.micrograd``.

    >>> model = MLP(2, [4, 1], seed=0)
    >>> model.num_parameters(), len(model([1.0, -1.0]))
    (17, 1)
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
        self.nin = checks.count(nin, "MLP", "nin", minimum=1)
        sizes_given = checks.sequence(nouts, "MLP", "nouts (the layer sizes)")
        if len(sizes_given) == 0:
            raise ValueError("MLP: nouts must list at least one layer size")
        self.nouts = [
            checks.count(n, "MLP", f"nouts[{i}]", minimum=1) for i, n in enumerate(sizes_given)
        ]
        sizes = [self.nin, *self.nouts]
        n_parameters = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
        check_size(n_parameters, "MLP", f"{self.nin:,} → {self.nouts}")
        self.activation = check_activation(activation, "MLP")
        self.output_activation = check_activation(output_activation, "MLP")
        r = _shared(_make_rng(seed, rng, "MLP"))
        last = len(self.nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng=r)
            for i in range(len(self.nouts))
        ]
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        x = _inputs(x, "MLP")
        if len(x) != self.nin:
            raise ValueError(f"MLP: expected {self.nin} inputs, got {len(x)}")
        out: list[Value] = self.layers[0](_lifted(x, "MLP"))
        for layer in self.layers[1:]:
            out = layer(out)
        return out

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                yield f"layers.{i}.{name}", p

    def config(self) -> dict[str, object]:
        return {
            "type": "MLP",
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )
