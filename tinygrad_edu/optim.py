"""Optimizers: SGD (with momentum, Nesterov, weight decay), Adam and AdamW, with PyTorch's rules.

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

    g ← g + λ p                                  (Adam's weight_decay: added to the gradient)
    p ← p · (1 − η λ)                            (AdamW's instead: decoupled from the gradient)
    m ← m + (1 − β₁)(g − m)                      (= β₁ m + (1 − β₁) g)
    v ← β₂ v + (1 − β₂) g²
    p ← p − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)

A step is all or nothing: every new value (and the new optimizer state) is computed first,
then assigned; an exception on the way, a KeyboardInterrupt included, leaves the parameters
and the state exactly as before the step. :meth:`Optimizer.checkpoint` and
:meth:`Optimizer.restore` do the same across steps (``fit`` uses them to keep the last good
weights when a step diverges).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from . import checks
from .engine import Value

__all__ = ["SGD", "Adam", "AdamW", "Checkpoint", "Optimizer"]

State = tuple[object, ...]


def _hyper(name: str, value: object, where: str, *, upper: float | None = None) -> float:
    """A finite number ≥ 0 (and < upper if given); a named error otherwise."""
    if upper is None:
        return checks.in_range(value, where, name, 0.0)
    return checks.in_range(value, where, name, 0.0, upper, high_open=True)


def _parameter_list(params: object, where: str) -> list[Value]:
    if isinstance(params, Value):
        raise TypeError(f"{where}: params must be an iterable of Values, got a single Value")
    if callable(getattr(params, "parameters", None)):
        raise TypeError(
            f"{where}: pass model.parameters(), not the model itself "
            f"(got a {type(params).__name__})"
        )
    out = list(checks.sequence(params, where, "params (use model.parameters())"))
    if not out:
        raise ValueError(f"{where}: got an empty parameter list")
    seen: set[int] = set()
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise TypeError(
                f"{where}: params[{i}] must be a Value, got {type(p).__name__} {checks.show(p)}"
            )
        if id(p) in seen:
            # it would be updated twice per step
            raise ValueError(f"{where}: params[{i}] ({p!r}) appears more than once")
        seen.add(id(p))
    return out


@dataclass(frozen=True)
class Checkpoint:
    """The parameters' values and the optimizer's state at one moment (see ``restore``)."""

    data: tuple[float, ...]
    state: State


class Optimizer(ABC):
    """Base class: holds the parameters, clears their gradients, steps all or nothing.

    A subclass computes the new values in ``_updates`` without changing anything, and names
    its state (momentum buffers, moments, step count) in ``_get_state``/``_set_state``.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        where = type(self).__name__
        self.params: list[Value] = _parameter_list(params, where)
        self.lr = _hyper("lr", lr, where)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0."""
        for p in self.params:
            p.grad = 0.0
            p.grad_value = None

    def step(self) -> None:
        """Update every parameter from its gradient, all or nothing."""
        lr = self._lr()
        new_data, new_state = self._updates(lr)  # nothing has changed yet
        self._commit(Checkpoint(tuple(new_data), new_state))

    def checkpoint(self) -> Checkpoint:
        """The parameters and the state now, to ``restore`` later.

        >>> p = Value(1.0); opt = SGD([p], lr=0.1); saved = opt.checkpoint()
        >>> p.grad = 5.0; opt.step(); p.data
        0.5
        >>> opt.restore(saved); p.data
        1.0
        """
        return Checkpoint(tuple(p.data for p in self.params), self._get_state())

    def restore(self, saved: Checkpoint) -> None:
        """Put back the parameters and the state of ``saved`` (from :meth:`checkpoint`)."""
        if not isinstance(saved, Checkpoint) or len(saved.data) != len(self.params):
            raise ValueError(
                f"{type(self).__name__}.restore: expected a checkpoint of this optimizer's "
                f"{len(self.params)} parameters, got {checks.show(saved)}"
            )
        self._commit(saved)

    def _commit(self, target: Checkpoint) -> None:
        before = self.checkpoint()  # references only: the state objects are never mutated
        try:
            for p, v in zip(self.params, target.data):
                p.data = v
            self._set_state(target.state)
        except BaseException:  # a KeyboardInterrupt half-way must not leave a mixed model
            for p, v in zip(self.params, before.data):
                p.data = v
            self._set_state(before.state)
            raise

    @abstractmethod
    def _updates(self, lr: float) -> tuple[list[float], State]:
        """The new value of every parameter and the new state; changes nothing itself."""

    @abstractmethod
    def _get_state(self) -> State: ...

    @abstractmethod
    def _set_state(self, state: State) -> None: ...

    def _lr(self) -> float:
        # lr may be changed between steps (a schedule); check it each time
        return _hyper("lr", self.lr, type(self).__name__)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, Nesterov and weight decay.

    >>> p = Value(2.0); p.grad = 3.0
    >>> SGD([p], lr=0.1).step(); p.data
    1.7
    """

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

    def _updates(self, lr: float) -> tuple[list[float], State]:
        mu, wd, tau = self.momentum, self.weight_decay, self.dampening
        new_data: list[float] = []
        buffers = list(self.buffers)
        for i, p in enumerate(self.params):
            g = p.grad
            if wd != 0.0:
                g = g + wd * p.data
            if mu != 0.0:
                buf = buffers[i]
                buf = g if buf is None else mu * buf + (1.0 - tau) * g
                buffers[i] = buf
                g = g + mu * buf if self.nesterov else buf
            new_data.append(p.data - lr * g)
        return new_data, (buffers,)

    def _get_state(self) -> State:
        return (self.buffers,)

    def _set_state(self, state: State) -> None:
        (buffers,) = state
        self.buffers = buffers  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"SGD({len(self.params)} params, lr={self.lr!r}, momentum={self.momentum!r}, "
            f"weight_decay={self.weight_decay!r})"
        )


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction; weight_decay adds λp to the gradient.

    ``eps`` must be > 0: it keeps m/(√v + ε) finite when a gradient has been 0 so far.

    >>> p = Value(1.0); p.grad = 2.0
    >>> Adam([p], lr=0.1).step(); round(p.data, 9)
    0.9
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        where = type(self).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{where}: betas must be a pair (β₁, β₂), got {checks.show(betas)}")
        self.betas = (
            _hyper("betas[0]", betas[0], where, upper=1.0),
            _hyper("betas[1]", betas[1], where, upper=1.0),
        )
        self.eps = checks.positive(eps, where, "eps")
        self.weight_decay = _hyper("weight_decay", weight_decay, where)
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _updates(self, lr: float) -> tuple[list[float], State]:
        beta1, beta2 = self.betas
        t = self.t + 1
        step_size = lr / (1.0 - beta1**t)
        bias_correction2_sqrt = (1.0 - beta2**t) ** 0.5
        wd, eps = self.weight_decay, self.eps
        shrink = 1.0 - lr * wd  # AdamW's decoupled decay, as PyTorch computes it
        new_data: list[float] = []
        m, v = list(self.m), list(self.v)
        for i, p in enumerate(self.params):
            g, d = p.grad, p.data
            if self._decoupled:
                d = d * shrink
            elif wd != 0.0:
                g = g + wd * d
            m[i] = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = beta2 * v[i] + (1.0 - beta2) * (g * g)
            denom = math.sqrt(v[i]) / bias_correction2_sqrt + eps
            new_data.append(d - step_size * (m[i] / denom))
        return new_data, (t, m, v)

    def _get_state(self) -> State:
        return (self.t, self.m, self.v)

    def _set_state(self, state: State) -> None:
        t, m, v = state
        self.t, self.m, self.v = t, m, v  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({len(self.params)} params, lr={self.lr!r}, "
            f"betas={self.betas!r}, eps={self.eps!r}, weight_decay={self.weight_decay!r})"
        )


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), PyTorch's ``AdamW``.

    Each step first shrinks the parameter, p ← p·(1 − ηλ) (= p − ηλp, not through the
    gradient, so the moments never see the decay), then takes the Adam step. λ defaults to
    0.01, as in PyTorch.

    >>> p = Value(1.0); p.grad = 0.0
    >>> AdamW([p], lr=0.1, weight_decay=0.5).step(); p.data
    0.95
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)
