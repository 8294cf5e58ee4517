"""The base of every network: the activations, the source of initial weights, and ``Module``.

``Module`` lists, names and zeroes parameters, and saves and loads them as a ``state_dict()``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol

from .. import checks
from ..engine import Operand, Value


def _linear(v: Value) -> Value:
    return v


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": _linear,
}

# One Python object per number: a million parameters is about 200 MB and minutes per step.
MAX_PARAMETERS = 1_000_000


def check_size(n_parameters: int, where: str, shape: str) -> None:
    """Refuse a network of more than ``MAX_PARAMETERS`` parameters before allocating any.

    >>> check_size(17, "MLP", "2 → [4, 1]")
    """
    if n_parameters > MAX_PARAMETERS:
        raise ValueError(
            f"{where}: {shape} has {n_parameters:,} parameters, over the limit of "
            f"{MAX_PARAMETERS:,} for a scalar engine (one Python object per number); for a "
            f"network this size use PyTorch (tinygrad_edu.torch_bridge.to_torch moves a model)"
        )


def check_activation(name: str, where: str = "activation") -> str:
    """Return ``name`` if it is a known activation, else raise a ValueError listing them.

    >>> check_activation("tanh")
    'tanh'
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        valid = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"{where}: unknown activation {checks.show(name)}; choose one of {valid}")
    return name


class _Uniform(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


def _make_rng(seed: object, rng: random.Random | None, where: str) -> random.Random | _Uniform:
    """The source of initial weights: ``rng``, a new ``Random(seed)``, or the global ``random``."""
    if rng is not None and seed is not None:
        raise ValueError(f"{where}: give either seed= or rng=, not both")
    if rng is not None:
        if not isinstance(rng, random.Random):
            raise TypeError(f"{where}: rng must be a random.Random, got {checks.show(rng)}")
        return rng
    if seed is None:
        return random  # micrograd's convention: random.seed(1337) reproduces the weights
    return random.Random(checks.count(seed, where, "seed"))


def _resolve_activation(activation: str, nonlin: object, where: str) -> str:
    """``activation``, or micrograd's ``nonlin`` flag (True = ReLU, False = linear)."""
    if nonlin is None:
        return check_activation(activation, where)
    if not isinstance(nonlin, bool):
        raise TypeError(f"{where}: nonlin must be True or False, got {checks.show(nonlin)}")
    if activation != "relu":
        raise ValueError(
            f"{where}: give activation= or micrograd's nonlin=, not both "
            f"(got activation={activation!r}, nonlin={nonlin!r})"
        )
    return "relu" if nonlin else "linear"


def _shared(r: random.Random | _Uniform) -> random.Random | None:
    """Pass ``r`` on to the sub-modules; None (the global ``random``) stays the global one."""
    return r if isinstance(r, random.Random) else None


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

    def config(self) -> dict[str, object] | None:
        """The architecture as JSON-ready data (``from_config`` rebuilds it); None if unknown."""
        return None

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name, in the order of ``named_parameters()``."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter from ``state`` (name → number), all or nothing.

        The names must be exactly those of ``named_parameters()`` and every value a finite real
        number; otherwise a ValueError says what is missing, unexpected or wrong, and no
        parameter is changed.
        """
        where = "load_state_dict"
        if not isinstance(state, Mapping):
            raise TypeError(
                f"{where}: expected a mapping of name -> number, got {type(state).__name__}"
            )
        named = list(self.named_parameters())
        names = [n for n, _ in named]
        known = set(names)
        missing = [n for n in names if n not in state]
        unexpected = [str(k) for k in state if k not in known]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {len(missing)} parameter(s): {_some(missing)}")
            if unexpected:
                parts.append(f"unexpected {len(unexpected)} parameter(s): {_some(unexpected)}")
            raise ValueError(f"load_state_dict: {'; '.join(parts)}")
        values = [checks.finite(state[name], where, f"parameter {name!r}") for name in names]
        for (_, p), f in zip(named, values):
            p.data = f


def _inputs(x: Sequence[Operand], where: str) -> Sequence[Operand]:
    """One input row: a list or tuple as it is (the fast path), anything else through checks."""
    if type(x) is list or type(x) is tuple:
        return x
    return checks.sequence(x, where, "the input")


def _some(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(checks.show(n) for n in names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")
