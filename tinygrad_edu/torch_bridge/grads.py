"""∂L/∂p by torch autograd in float64, for every loss of ``tinygrad_edu.losses``."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .. import checks
from ..nn import MLP
from .convert import import_torch, to_torch
from .inputs import LOSS_NAMES, check_mlp, rows_and_targets


def torch_loss(torch: ModuleType, out: Any, ys: list[Any], loss: str, bce_eps: float) -> Any:
    """The engine's loss definitions (``tinygrad_edu.losses``) written in torch float64."""
    m = out.shape[0]
    if loss == "cross_entropy":
        shifted = out - out.detach().max(dim=1, keepdim=True).values
        log_total = torch.log(torch.exp(shifted).sum(dim=1))
        total = []
        for k, y in enumerate(ys):
            if isinstance(y, int):
                total.append(log_total[k] - shifted[k, y])
            else:
                t = torch.tensor(y, dtype=torch.float64)
                total.append(log_total[k] * t.sum() - (shifted[k] * t).sum())
        return torch.stack(total).mean()
    y = torch.tensor(ys, dtype=torch.float64)
    if loss == "mse":
        return ((out - y) ** 2).mean()
    if loss == "half_sse":
        return ((out - y) ** 2).sum() * (0.5 / m)
    if loss == "bce":
        c = out.clamp(bce_eps, 1.0 - bce_eps)
        return -(y * torch.log(c) + (1.0 - y) * torch.log1p(-c)).mean()
    if loss == "bce_with_logits":
        zero = torch.zeros_like(out)
        return ((1.0 - y) * torch.logaddexp(out, zero) + y * torch.logaddexp(-out, zero)).mean()
    return torch.relu(1.0 - y * out).mean()  # hinge


def _check_target_range(ys: list[Any], loss: str, where: str) -> None:
    """bce targets in [0, 1], hinge targets ±1 (other losses take any finite target)."""
    if loss not in ("bce", "bce_with_logits", "hinge"):
        return
    flat = [v for y in ys for v in y]
    if loss == "hinge" and any(v not in (1.0, -1.0) for v in flat):
        raise ValueError(f"{where}: hinge targets must be +1 or -1")
    if loss != "hinge" and any(not 0.0 <= v <= 1.0 for v in flat):
        raise ValueError(f"{where}: {loss} targets must be in [0, 1]")


def torch_parameter_grads(
    model: MLP, X: object, Y: object, loss: str, bce_eps: float = 1e-12
) -> dict[str, float]:
    """Parameter name → ∂L/∂p from torch autograd (float64), L the engine's ``loss`` over X, Y.

    Y is as the engine's losses take it: a number per row for one output (a class index or a
    probability list per row for ``cross_entropy``), a list per row otherwise.

    >>> from tinygrad_edu import MLP
    >>> g = torch_parameter_grads(MLP(2, [1], seed=0), [[1.0, 2.0]], [0.0], "mse")
    >>> sorted(g)
    ['layers.0.neurons.0.b', 'layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1']
    """
    where = "torch_parameter_grads"
    model = check_mlp(model, where)
    loss = checks.one_of(loss, where, "loss", LOSS_NAMES)
    bce_eps = checks.in_range(bce_eps, where, "bce_eps", 0.0, 0.5, low_open=True, high_open=True)
    rows, ys = rows_and_targets(model, X, Y, loss, where)
    _check_target_range(ys, loss, where)
    torch = import_torch(where)
    seq = to_torch(model)
    out = seq(torch.tensor(rows, dtype=torch.float64))
    if loss == "bce" and bool(((out < 0.0) | (out > 1.0)).any()):
        raise ValueError(f"{where}: bce needs probabilities in [0, 1]; use bce_with_logits")
    value = torch_loss(torch, out, ys, loss, bce_eps)
    value.backward()
    grads: dict[str, float] = {}
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    for k, linear in enumerate(linears):
        for j, row in enumerate(linear.weight.grad.tolist()):
            for i, g in enumerate(row):
                grads[f"layers.{k}.neurons.{j}.w.{i}"] = g
            grads[f"layers.{k}.neurons.{j}.b"] = linear.bias.grad[j].item()
    return {name: grads[name] for name, _ in model.named_parameters()}
