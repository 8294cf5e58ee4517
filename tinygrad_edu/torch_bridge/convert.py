"""MLP ⇄ ``torch.nn.Sequential``: float64 Linear layers, the same activations, exact weights."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..nn import MLP
from .inputs import activations, check_mlp

TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}
INSTALL_HINT = "install it with: pip install 'tinygrad_edu[torch]'"


def import_torch(where: str) -> ModuleType:
    """torch, imported now (never at import time); an ImportError naming the extra without it."""
    try:
        import torch
    except ImportError as err:
        raise ImportError(f"{where} needs PyTorch, which is not installed; {INSTALL_HINT}") from err
    return torch


def to_torch(model: MLP) -> Any:
    """The equivalent ``torch.nn.Sequential`` (float64 Linear layers, same activations, weights).

    Neuron j of layer l becomes row j of ``Linear.weight`` (W stored as nₗ × nₗ₋₁).

    >>> from tinygrad_edu import MLP
    >>> seq = to_torch(MLP(2, [3, 1], seed=0))
    >>> [type(m).__name__ for m in seq]
    ['Linear', 'ReLU', 'Linear']
    """
    where = "to_torch"
    model = check_mlp(model, where)
    torch = import_torch(where)
    modules: list[Any] = []
    for layer in model.layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        modules.append(linear)
        if layer.activation != "linear":
            modules.append(getattr(torch.nn, TORCH_ACTIVATIONS[layer.activation])())
    return torch.nn.Sequential(*modules)


def _read_sequential(seq: Any, torch: ModuleType, where: str) -> list[tuple[Any, str]]:
    """(Linear, activation name) per layer of a Sequential of Linear [+ activation] blocks."""
    if not isinstance(seq, torch.nn.Sequential):
        raise TypeError(f"{where}: expected a torch.nn.Sequential, got {type(seq).__name__}")
    by_class = {v: k for k, v in TORCH_ACTIVATIONS.items()}
    blocks: list[tuple[Any, str]] = []
    for i, m in enumerate(seq):
        name = type(m).__name__
        if isinstance(m, torch.nn.Linear):
            if m.bias is None:
                raise ValueError(f"{where}: module {i} is a Linear without bias (bias=False)")
            blocks.append((m, "linear"))
        elif name in by_class and isinstance(m, getattr(torch.nn, name)):
            if not blocks or blocks[-1][1] != "linear":
                raise ValueError(f"{where}: module {i} ({name}) must follow a Linear layer")
            blocks[-1] = (blocks[-1][0], by_class[name])
        else:
            raise ValueError(
                f"{where}: module {i} is a {name}; only Linear, ReLU, Tanh and Sigmoid are known"
            )
    if not blocks:
        raise ValueError(f"{where}: the Sequential has no Linear layer")
    for i in range(1, len(blocks)):
        if blocks[i][0].in_features != blocks[i - 1][0].out_features:
            raise ValueError(
                f"{where}: Linear {i} takes {blocks[i][0].in_features} inputs but the layer "
                f"before gives {blocks[i - 1][0].out_features}"
            )
    return blocks


def from_torch(seq: Any, model: MLP | None = None) -> MLP:
    """The weights of a Sequential of Linear [+ ReLU/Tanh/Sigmoid] blocks, as an MLP.

    With ``model`` the weights are loaded into it (the architectures must agree; all or
    nothing); without, a new MLP is built. Hidden layers must share one activation.

    >>> from tinygrad_edu import MLP
    >>> m = MLP(2, [3, 1], seed=0)
    >>> from_torch(to_torch(m)).state_dict() == m.state_dict()
    True
    """
    where = "from_torch"
    torch = import_torch(where)
    blocks = _read_sequential(seq, torch, where)
    model = _target_model(blocks, model, where)
    state: dict[str, float] = {}
    for k, (linear, _) in enumerate(blocks):
        weight = linear.weight.detach().to(torch.float64).tolist()
        bias = linear.bias.detach().to(torch.float64).tolist()
        for j, row in enumerate(weight):
            for i, w in enumerate(row):
                state[f"layers.{k}.neurons.{j}.w.{i}"] = w
            state[f"layers.{k}.neurons.{j}.b"] = bias[j]
    model.load_state_dict(state)
    return model


def _target_model(blocks: list[tuple[Any, str]], model: MLP | None, where: str) -> MLP:
    """The MLP the blocks' weights go into: ``model`` if it has their shape, else a new one."""
    acts = [a for _, a in blocks]
    hidden = set(acts[:-1])
    if len(hidden) > 1:
        raise ValueError(f"from_torch: hidden layers mix activations {acts[:-1]}; an MLP has one")
    nin = blocks[0][0].in_features
    nouts = [linear.out_features for linear, _ in blocks]
    if model is None:
        hidden_act = acts[0] if len(acts) > 1 else "relu"
        return MLP(nin, nouts, hidden_act, acts[-1], seed=0)
    model = check_mlp(model, where)
    if [model.nin, *model.nouts] != [nin, *nouts] or activations(model) != acts:
        raise ValueError(
            f"from_torch: the Sequential is {[nin, *nouts]} with activations {acts}, the "
            f"model {[model.nin, *model.nouts]} with {activations(model)}"
        )
    return model
