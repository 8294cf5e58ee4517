"""Optimizers: SGD (with momentum, Nesterov, weight decay) and Adam, with PyTorch's update rules.

An optimizer holds a list of parameters (leaf ``Value``s) and, on ``step()``, moves each one
using its ``.grad`` from the last ``backward()``. ``zero_grad()`` clears the gradients, which
otherwise accumulate across ``backward()`` calls (as in PyTorch). The rules, for a parameter
p with gradient g, written exactly in the order PyTorch evaluates them (so the floats agree):

SGD::

    g ← g + λ p                                  (weight_decay λ, an L2 penalty of ½λ‖p‖²)
    b ← g on the first step, else μ b + (1 − τ) g (momentum μ, dampening τ)
    g ← g + μ b if nesterov else b               (only when μ ≠ 0)
    p ← p − η g

Adam (t counts steps from 1)::

    g ← g + λ p
    m ← m + (1 − β₁)(g − m)                      (= β₁ m + (1 − β₁) g)
    v ← β₂ v + (1 − β₂) g²
    p ← p − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable

from .engine import Value

__all__ = ["SGD", "Adam", "Optimizer"]


def _hyper(name: str, value: object, where: str, *, upper: float | None = None) -> float:
    """A finite number ≥ 0 (and < upper if given); a ValueError naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}: {name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v) or v < 0.0 or (upper is not None and not v < upper):
        bound = f"in [0, {upper:g})" if upper is not None else "a finite number ≥ 0"
        raise ValueError(f"{where}: {name} must be {bound}, got {value!r}")
    return v


class Optimizer(ABC):
    """Base class: holds the parameters, clears their gradients; subclasses define step()."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        where = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(f"{where}: params must be an iterable of Values, got a single Value")
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{where}: got an empty parameter list")
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{where}: params[{i}] must be a Value, got {type(p).__name__} ({p!r})"
                )
            if id(p) in seen:
                # it would be updated twice per step
                raise ValueError(f"{where}: params[{i}] ({p!r}) appears more than once")
            seen.add(id(p))
        self.lr = _hyper("lr", lr, where)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0."""
        for p in self.params:
            p.grad = 0.0
            p.grad_value = None

    @abstractmethod
    def step(self) -> None:
        """Update every parameter from its gradient."""

    def _lr(self) -> float:
        # lr may be changed between steps (a schedule); check it each time
        return _hyper("lr", self.lr, type(self).__name__)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, Nesterov and weight decay."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        *,
        dampening: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _hyper("momentum", momentum, "SGD")
        self.weight_decay = _hyper("weight_decay", weight_decay, "SGD")
        self.dampening = _hyper("dampening", dampening, "SGD")
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError(
                "SGD: nesterov needs momentum > 0 and dampening = 0, "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        self.nesterov = bool(nesterov)
        self.buffers: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        lr = self._lr()
        mu, wd, tau = self.momentum, self.weight_decay, self.dampening
        for i, p in enumerate(self.params):
            g = p.grad
            if wd != 0.0:
                g = g + wd * p.data
            if mu != 0.0:
                buf = self.buffers[i]
                buf = g if buf is None else mu * buf + (1.0 - tau) * g
                self.buffers[i] = buf
                g = g + mu * buf if self.nesterov else buf
            p.data = p.data - lr * g

    def __repr__(self) -> str:
        return (
            f"SGD({len(self.params)} params, lr={self.lr!r}, momentum={self.momentum!r}, "
            f"weight_decay={self.weight_decay!r})"
        )


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction; weight_decay adds λp to the gradient."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (β₁, β₂), got {betas!r}")
        self.betas = (
            _hyper("betas[0]", betas[0], "Adam", upper=1.0),
            _hyper("betas[1]", betas[1], "Adam", upper=1.0),
        )
        self.eps = _hyper("eps", eps, "Adam")
        self.weight_decay = _hyper("weight_decay", weight_decay, "Adam")
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        lr = self._lr()
        beta1, beta2 = self.betas
        self.t += 1
        step_size = lr / (1.0 - beta1**self.t)
        bias_correction2_sqrt = (1.0 - beta2**self.t) ** 0.5
        wd, eps = self.weight_decay, self.eps
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad
            if wd != 0.0:
                g = g + wd * p.data
            m[i] = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = beta2 * v[i] + (1.0 - beta2) * (g * g)
            denom = math.sqrt(v[i]) / bias_correction2_sqrt + eps
            p.data = p.data - step_size * (m[i] / denom)

    def __repr__(self) -> str:
        return (
            f"Adam({len(self.params)} params, lr={self.lr!r}, betas={self.betas!r}, "
            f"eps={self.eps!r}, weight_decay={self.weight_decay!r})"
        )
