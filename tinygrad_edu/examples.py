"""The lesson's worked examples, built once (LESSON.md §2, §6).

The CLI, the notebooks and the drawings import these instead of rebuilding them:

- the one sigmoid neuron: x = 0.5, w = 1.2, b = −0.8, target y = 0, L = ½(y − ŷ)²
  (:func:`neuron_loss`, :func:`worked_example`, :func:`format_worked_example`);
- the XOR network: MLP(2, [4, 4, 1]) with sigmoids everywhere, binary cross-entropy, plain
  full-batch gradient descent (:data:`XOR_SEED`, :data:`XOR_LR`, :data:`XOR_EPOCHS`,
  :func:`xor_network`);
- the universal-approximation staircase: one hidden layer of steep sigmoids climbing f in N
  steps (:func:`staircase`, :func:`staircase_network`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from . import checks
from .engine import Value
from .gradcheck import numerical_grad
from .nn import MLP

__all__ = [
    "NEURON",
    "STAIRCASE_STEEPNESS",
    "XOR_EPOCHS",
    "XOR_LOSS",
    "XOR_LR",
    "XOR_SEED",
    "XOR_SIZES",
    "NeuronExample",
    "format_worked_example",
    "neuron_loss",
    "staircase",
    "staircase_network",
    "worked_example",
    "xor_network",
]


# --------------------------------------------------------------------------- one neuron
@dataclass(frozen=True)
class NeuronExample:
    """The inputs of the one-neuron worked example: ŷ = σ(w·x + b), L = ½(y − ŷ)²."""

    x: float = 0.5
    w: float = 1.2
    b: float = -0.8
    y: float = 0.0


NEURON = NeuronExample()


def neuron_loss(example: NeuronExample = NEURON) -> dict[str, Value]:
    """The worked neuron's graph after ``backward()``: nodes by name (x, w, b, z, ŷ, L).

    >>> nodes = neuron_loss()
    >>> round(nodes["L"].data, 6), round(nodes["w"].grad, 6), round(nodes["b"].grad, 6)
    (0.101325, 0.055712, 0.111424)
    """
    x = Value(example.x, "x")
    w, b = Value(example.w, "w"), Value(example.b, "b")
    z = w * x + b
    z.label = "z"
    y_hat = z.sigmoid()
    y_hat.label = "ŷ"
    L = 0.5 * (example.y - y_hat) ** 2
    L.label = "L"
    L.backward()
    return {"x": x, "w": w, "b": b, "z": z, "ŷ": y_hat, "L": L}


def worked_example(example: NeuronExample = NEURON) -> list[tuple[str, float, float, float]]:
    """Rows of (quantity, engine, closed form, central difference; NaN where none).

    >>> rows = {name: engine for name, engine, _, _ in worked_example()}
    >>> round(rows["σ′(z)"], 6)
    0.247517
    """
    x, y = example.x, example.y

    def loss(w: Value, b: Value) -> Value:
        return 0.5 * (y - (w * x + b).sigmoid()) ** 2

    nodes = neuron_loss(example)
    out = nodes["ŷ"].data
    # closed forms, by hand: σ′(z) = σ(1 − σ), ∂L/∂w = (ŷ − y)·σ′(z)·x, ∂L/∂b = (ŷ − y)·σ′(z)
    z = example.w * x + example.b
    s = 1.0 / (1.0 + math.exp(-z))
    ds = s * (1.0 - s)
    dw_num, db_num = numerical_grad(loss, [example.w, example.b])
    nan = math.nan
    return [
        ("z = w·x + b", nodes["z"].data, z, nan),
        ("ŷ = σ(z)", out, s, nan),
        ("L = ½(y − ŷ)²", nodes["L"].data, 0.5 * (y - s) ** 2, nan),
        ("σ′(z)", out * (1.0 - out), ds, nan),
        ("∂L/∂w", nodes["w"].grad, (s - y) * ds * x, dw_num),
        ("∂L/∂b", nodes["b"].grad, (s - y) * ds, db_num),
    ]


def format_worked_example(example: NeuronExample = NEURON) -> str:
    """The worked example as a text table (engine, closed form, numerical).

    >>> print(format_worked_example().splitlines()[-1])
    ∂L/∂b                 0.111424      0.111424      0.111424
    """
    e = example
    lines = [
        f"One sigmoid neuron: x = {e.x:g}, w = {e.w:g}, b = {e.b:g}, target y = {e.y:g}, "
        "L = ½(y − ŷ)²",
        "",
        f"{'quantity':<16}{'engine':>14}{'closed form':>14}{'numerical':>14}",
        "-" * 58,
    ]
    for name, engine, closed, numeric in worked_example(example):
        num = f"{numeric:>14.6f}" if not math.isnan(numeric) else f"{'':>14}"
        lines.append(f"{name:<16}{engine:>14.6f}{closed:>14.6f}{num}".rstrip())
    return "\n".join(lines)


# --------------------------------------------------------------------------- XOR
# The lesson's XOR run: reaches a BCE loss below 0.05 after about 1000 epochs of full-batch
# gradient descent, 0.0065 after 2000.
XOR_SIZES = (2, 4, 4, 1)
XOR_SEED = 0
XOR_LR = 1.0
XOR_EPOCHS = 2000
XOR_LOSS = "bce"


def xor_network(seed: int = XOR_SEED) -> MLP:
    """MLP(2, [4, 4, 1]) with sigmoid activations everywhere, initialised from ``seed``.

    >>> xor_network().num_parameters()
    37
    """
    checks.seed(seed, "xor_network")
    return MLP(
        XOR_SIZES[0],
        list(XOR_SIZES[1:]),
        activation="sigmoid",
        output_activation="sigmoid",
        seed=seed,
    )


# --------------------------------------------------------------------------- staircase
STAIRCASE_STEEPNESS = 3.0


def staircase(
    model: MLP,
    f: Callable[[float], float],
    lo: float,
    hi: float,
    k: float = STAIRCASE_STEEPNESS,
) -> None:
    """Set a 1 → N → 1 sigmoid network to the constructive proof's staircase for f on [lo, hi].

    Split [lo, hi] into N + 1 equal cells of width h with centres c₀ … c_N. Hidden unit j
    (1 … N) is a smooth step σ((k/h)(x − t_j)) at the boundary t_j between cells j − 1 and j,
    and its output weight is the jump f(c_j) − f(c_{j−1}); the output bias is f(c₀). So the
    network climbs from f(c₀) to f(c_N) in N steps, and the error shrinks like h·max|f′|.

    >>> model = MLP(1, [8, 1], activation="sigmoid", output_activation="linear", seed=0)
    >>> staircase(model, math.sin, 0.0, 2 * math.pi)
    >>> round(model.layers[1].neurons[0].b.data, 6)  # f(c₀) = sin(h/2), h = 2π/9
    0.34202
    """
    lo = checks.finite(lo, "staircase", "lo")
    hi = checks.finite(hi, "staircase", "hi")
    k = checks.positive(k, "staircase", "k")
    if not hi > lo:
        raise ValueError(f"staircase: hi must be greater than lo, got lo={lo!r}, hi={hi!r}")
    if model.nin != 1 or len(model.layers) != 2 or len(model.layers[-1].neurons) != 1:
        raise ValueError(f"staircase: needs a 1 → N → 1 network, got {model}")
    hidden, output = model.layers[0].neurons, model.layers[-1].neurons[0]
    n = len(hidden)
    h = (hi - lo) / (n + 1)
    centres = [f(lo + (j + 0.5) * h) for j in range(n + 1)]
    for j, unit in enumerate(hidden, start=1):
        unit.w[0].data = k / h
        unit.b.data = -(k / h) * (lo + j * h)
        output.w[j - 1].data = centres[j] - centres[j - 1]
    output.b.data = centres[0]


def staircase_network(
    width: int,
    f: Callable[[float], float] = math.sin,
    lo: float = 0.0,
    hi: float = 2.0 * math.pi,
    k: float = STAIRCASE_STEEPNESS,
    seed: int = 0,
) -> MLP:
    """A fresh x → ``width`` sigmoids → linear output network set to the staircase for f.

    >>> model = staircase_network(32)
    >>> abs(model([math.pi])[0].data - math.sin(math.pi)) < 0.1
    True
    """
    checks.count(width, "staircase_network", "width", minimum=1)
    model = MLP(1, [width, 1], activation="sigmoid", output_activation="linear", seed=seed)
    staircase(model, f, lo, hi, k)
    return model
