"""The name map: a scalar parameter's name ↔ its entry in the layer's weight matrix or bias.

An ``MLP`` names its parameters ``layers.<l>.neurons.<j>.w.<i>`` and ``layers.<l>.neurons.<j>.b``
(0-based). The matrix form of the same network (the delta equations, PyTorch) numbers layers
from 1, as the lesson does (W⁽¹⁾ is the first weight matrix): neuron j's weight i in layer l is
the entry ``W<l+1>[j, i]`` (row = output unit, column = input, W stored as nₗ × nₗ₋₁) and its
bias is ``b<l+1>[j]``.

The same scheme names every other quantity a learner reads: the inputs ``x[0]``, the
pre-activations ``z1[0]``, the activations ``a1[0]`` and the deltas ``δ2[3]`` (the drawings'
edge labels, the explorer, the cross-check tables, the tutor's hints, the worksheets).

>>> tensor_name("layers.1.neurons.3.w.0")
'W2[3, 0]'
>>> scalar_name("b2[3]")
'layers.1.neurons.3.b'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from . import checks

__all__ = [
    "TensorEntry",
    "activation_name",
    "delta_name",
    "input_name",
    "name_map",
    "parse_scalar_name",
    "parse_tensor_name",
    "pre_activation_name",
    "scalar_name",
    "tensor_name",
]

_SCALAR = re.compile(r"layers\.(\d+)\.neurons\.(\d+)\.(?:w\.(\d+)|b)")
_TENSOR = re.compile(r"([Wb])(\d+)\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]")


class TensorEntry(NamedTuple):
    """One entry of a layer's tensors: ``W<layer>[row, col]`` or ``b<layer>[row]`` (col None).

    ``layer`` counts from 1 (W1 is the first weight matrix); ``row`` is the output unit,
    ``col`` the input.
    """

    tensor: str
    layer: int
    row: int
    col: int | None

    def __str__(self) -> str:
        if self.col is None:
            return f"{self.tensor}{self.layer}[{self.row}]"
        return f"{self.tensor}{self.layer}[{self.row}, {self.col}]"


def activation_name(layer: int, unit: int) -> str:
    """Unit ``unit`` of layer ``layer``'s activation (layers from 1; layer 0 is the input x).

    >>> activation_name(1, 0), activation_name(0, 2)
    ('a1[0]', 'x[2]')
    """
    return f"x[{unit}]" if layer == 0 else f"a{layer}[{unit}]"


def pre_activation_name(layer: int, unit: int) -> str:
    """zˡ of one unit: ``z2[3]`` (layers from 1)."""
    return f"z{layer}[{unit}]"


def delta_name(layer: int, unit: int) -> str:
    """δˡ = ∂L/∂zˡ of one unit: ``δ2[3]`` (layers from 1)."""
    return f"δ{layer}[{unit}]"


def input_name(layer_index: int, k: int) -> str:
    """The k-th input of ``model.layers[layer_index]`` (0-based, as in the module):
    ``x[k]`` for the first layer, the previous layer's activation after it.

    >>> input_name(0, 1), input_name(2, 3)
    ('x[1]', 'a2[3]')
    """
    return activation_name(layer_index, k)


def _text(name: object, where: str) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"{where}: the name must be a str, got {type(name).__name__} {checks.show(name)}"
        )
    return name


def _check_shape(entry: TensorEntry, sizes: Sequence[int] | None, where: str, name: str) -> None:
    """Raise if ``entry`` does not exist in a network with layer sizes ``sizes`` (nin first)."""
    if sizes is None:
        return
    n_layers = len(sizes) - 1
    if entry.layer > n_layers:
        raise ValueError(
            f"{where}: {name!r} names layer {entry.layer}, but the network has {n_layers} "
            f"layer(s) (W1…W{n_layers})"
        )
    nout, nin = sizes[entry.layer], sizes[entry.layer - 1]
    if entry.row >= nout:
        raise ValueError(
            f"{where}: {name!r} names row {entry.row}, but layer {entry.layer} has {nout} "
            f"neuron(s) (rows 0…{nout - 1})"
        )
    if entry.col is not None and entry.col >= nin:
        raise ValueError(
            f"{where}: {name!r} names column {entry.col}, but layer {entry.layer} has {nin} "
            f"input(s) (columns 0…{nin - 1})"
        )


def _sizes(model: object, where: str) -> list[int] | None:
    """The layer sizes [nin, n1, …, nL] of an MLP-like model (None for no model)."""
    if model is None:
        return None
    nin, nouts = getattr(model, "nin", None), getattr(model, "nouts", None)
    if nin is None or nouts is None:
        raise TypeError(
            f"{where}: model must be an MLP (with .nin and .nouts), got {type(model).__name__}"
        )
    return [checks.count(nin, where, "model.nin", 1)] + [
        checks.count(n, where, "model.nouts entry", 1) for n in checks.sequence(nouts, where)
    ]


def parse_scalar_name(name: str, model: object = None) -> TensorEntry:
    """The tensor entry of an MLP parameter name (checked against ``model``'s shape if given).

    >>> parse_scalar_name("layers.0.neurons.2.w.1")
    TensorEntry(tensor='W', layer=1, row=2, col=1)
    """
    where = "parse_scalar_name"
    text = _text(name, where)
    m = _SCALAR.fullmatch(text)
    if m is None:
        raise ValueError(
            f"{where}: {checks.show(name)} is not an MLP parameter name "
            "(expected 'layers.<l>.neurons.<j>.w.<i>' or 'layers.<l>.neurons.<j>.b')"
        )
    layer, row, col = m.group(1), m.group(2), m.group(3)
    entry = TensorEntry(
        "b" if col is None else "W", int(layer) + 1, int(row), None if col is None else int(col)
    )
    _check_shape(entry, _sizes(model, where), where, text)
    return entry


def parse_tensor_name(name: str, model: object = None) -> TensorEntry:
    """The entry named by ``'W2[3, 0]'`` or ``'b2[3]'`` (checked against ``model`` if given).

    >>> parse_tensor_name("W2[3, 0]")
    TensorEntry(tensor='W', layer=2, row=3, col=0)
    """
    where = "parse_tensor_name"
    text = _text(name, where)
    m = _TENSOR.fullmatch(text.strip())
    bad = m is None or int(m.group(2)) < 1 or (m.group(1) == "W") != (m.group(4) is not None)
    if m is None or bad:
        raise ValueError(
            f"{where}: {checks.show(name)} is not a tensor entry "
            "(expected 'W<l>[row, col]' or 'b<l>[row]' with l ≥ 1)"
        )
    col = m.group(4)
    entry = TensorEntry(
        m.group(1), int(m.group(2)), int(m.group(3)), None if col is None else int(col)
    )
    _check_shape(entry, _sizes(model, where), where, text)
    return entry


def tensor_name(name: str, model: object = None) -> str:
    """``'layers.1.neurons.3.w.0'`` → ``'W2[3, 0]'``; ``'layers.1.neurons.3.b'`` → ``'b2[3]'``.

    >>> tensor_name("layers.0.neurons.0.b")
    'b1[0]'
    """
    return str(parse_scalar_name(name, model))


def scalar_name(name: str, model: object = None) -> str:
    """``'W2[3, 0]'`` → ``'layers.1.neurons.3.w.0'``; ``'b2[3]'`` → ``'layers.1.neurons.3.b'``.

    >>> scalar_name("W1[0, 1]")
    'layers.0.neurons.0.w.1'
    """
    e = parse_tensor_name(name, model)
    tail = "b" if e.col is None else f"w.{e.col}"
    return f"layers.{e.layer - 1}.neurons.{e.row}.{tail}"


def name_map(model: object) -> dict[str, str]:
    """Every parameter name of an MLP → its tensor entry, in ``named_parameters()`` order.

    >>> from tinygrad_edu.nn import MLP
    >>> list(name_map(MLP(2, [1], seed=0)).values())
    ['W1[0, 0]', 'W1[0, 1]', 'b1[0]']
    """
    where = "name_map"
    _sizes(model, where)
    named = getattr(model, "named_parameters", None)
    if named is None:
        raise TypeError(f"name_map: model must be an MLP, got {type(model).__name__}")
    return {n: tensor_name(n, model) for n, _ in named()}
