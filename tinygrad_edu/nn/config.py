"""Rebuild a module from its ``config()``, or count its parameters without building it."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping

from .. import checks
from .layers import MLP, Layer, Neuron
from .module import Module, check_activation
from .perceptron import Perceptron

_KINDS = ("MLP", "Layer", "Neuron", "Perceptron")


def _cfg_int(cfg: Mapping[str, object], key: str, where: str) -> int:
    return checks.count(cfg.get(key), where, repr(key), minimum=1)


def _cfg_str(cfg: Mapping[str, object], key: str, where: str) -> str:
    v = cfg.get(key)
    if not isinstance(v, str):
        raise ValueError(f"{where}: {key!r} must be a string, got {checks.show(v)}")
    return check_activation(v, where)


def _cfg_sizes(cfg: Mapping[str, object], where: str) -> list[int]:
    """[nin, n₁, …, n_L] of the architecture ``cfg`` describes, every entry checked."""
    if not isinstance(cfg, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(cfg).__name__}")
    kind = checks.one_of(cfg.get("type"), where, "the module type", _KINDS)
    nin = _cfg_int(cfg, "nin", where)
    if kind == "MLP":
        nouts = cfg.get("nouts")
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"{where}: 'nouts' must be a non-empty list of ints, got {nouts!r}")
        return [nin, *(checks.count(n, where, f"'nouts'[{i}]", 1) for i, n in enumerate(nouts))]
    if kind == "Layer":
        return [nin, _cfg_int(cfg, "nout", where)]
    return [nin, 1]  # a Neuron or a Perceptron: one unit


def parameter_count(cfg: Mapping[str, object]) -> int:
    """How many parameters the module ``cfg`` describes has, computed without building it.

    Checks ``cfg`` as :func:`from_config` does, so a file can be measured before anything is
    allocated.

    >>> parameter_count({"type": "MLP", "nin": 2, "nouts": [4, 4, 1],
    ...                  "activation": "sigmoid", "output_activation": "sigmoid"})
    37
    """
    sizes = _cfg_sizes(cfg, "parameter_count")
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def from_config(cfg: Mapping[str, object]) -> Module:
    """A new module of the architecture ``cfg`` describes (as returned by ``config()``).

    Its parameters are initialised from ``Random(0)`` (loading a file never draws from the
    global ``random``); load them with ``load_state_dict``.

    >>> from_config({"type": "Neuron", "nin": 3, "activation": "tanh"})
    Neuron(3, activation='tanh')
    """
    where = "from_config"
    sizes = _cfg_sizes(cfg, where)
    kind = cfg["type"]
    r = random.Random(0)
    if kind == "MLP":
        act = _cfg_str(cfg, "activation", where)
        out = _cfg_str(cfg, "output_activation", where)
        return MLP(sizes[0], sizes[1:], act, out, rng=r)
    if kind == "Layer":
        return Layer(sizes[0], sizes[1], _cfg_str(cfg, "activation", where), rng=r)
    if kind == "Neuron":
        return Neuron(sizes[0], _cfg_str(cfg, "activation", where), rng=r)
    return Perceptron(sizes[0], checks.positive(cfg.get("lr"), where, "'lr'"))
