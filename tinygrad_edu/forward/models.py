"""Functions to measure: a network's loss as a function of its parameters, and ``fan_out``.

``mlp_loss(model, X, y, loss)`` reads an ``nn.MLP``'s structure and gives
``f(*parameters) -> loss``, written over Value-like numbers: on Values it builds the graph
``losses.<loss>(model(X), y)`` builds (one ``dot`` node and one activation per neuron, the
loss's n-ary sum), to the same floats; on Duals it is forward mode on the same network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..nn import MLP
from .dual import dot, vsum

LOSSES: tuple[str, ...] = ("mse", "bce")
BCE_EPS = 1e-12  # as losses.bce: p is clamped to [ε, 1 − ε]


@dataclass(frozen=True)
class Problem:
    """A function to differentiate and the point: ``f(*inputs)``, named for tables and plots."""

    f: Callable[..., Any]
    inputs: tuple[float, ...]
    name: str
    outputs: int = 1


def _activate(z: Any, name: str) -> Any:
    return z if name == "linear" else getattr(z, name)()


def _mse(outputs: list[list[Any]], targets: list[list[float]]) -> Any:
    # as losses.mse: (p − t)² written p + (−t), one n-ary sum, times 1/N
    terms = [
        (p if t == 0.0 else p + (-t)) ** 2
        for row, ts in zip(outputs, targets)
        for p, t in zip(row, ts)
    ]
    total = vsum(terms)
    return total if len(terms) == 1 else total * (1.0 / len(terms))


def _bce(outputs: list[list[Any]], targets: list[list[float]]) -> Any:
    # as losses.bce: clamp, log c for y = 1, log1p(−c) for y = 0, mean with a minus sign
    lo, hi = BCE_EPS, 1.0 - BCE_EPS
    terms = []
    count = 0
    for row, ts in zip(outputs, targets):
        for p, y in zip(row, ts):
            count += 1
            c = p.clamp(lo, hi)
            if y != 0.0:
                terms.append(c.log() if y == 1.0 else c.log() * y)
            if y != 1.0:
                terms.append((-c).log1p() if y == 0.0 else (-c).log1p() * (1.0 - y))
    return vsum(terms) * (-1.0 / count)


def _targets(y: object, n: int, nout: int) -> list[list[float]]:
    rows = checks.sequence(y, "mlp_loss", "y")
    if len(rows) != n:
        raise ValueError(f"mlp_loss: {n} rows of X but {len(rows)} targets; the lengths must match")
    out = []
    for i, t in enumerate(rows):
        row = [t] if checks.is_real(t) else list(checks.sequence(t, "mlp_loss", f"y[{i}]"))
        if len(row) != nout:
            raise ValueError(f"mlp_loss: y[{i}] has {len(row)} entries, the model {nout} outputs")
        out.append([checks.finite(v, "mlp_loss", f"y[{i}]") for v in row])
    return out


def mlp_loss(model: MLP, X: Sequence[Sequence[float]], y: object, loss: str = "mse") -> Problem:
    """The loss of ``model`` on (X, y) as a function of its parameters, at their current values.

    ``loss``: "mse" (as ``losses.mse``) or "bce" (as ``losses.bce``, for sigmoid outputs).

    >>> from tinygrad_edu.nn import MLP
    >>> p = mlp_loss(MLP(2, [3, 1], seed=0), [[0.0, 1.0]], [1.0])
    >>> len(p.inputs), p.name
    (13, 'MLP(2, [3, 1]) mse')
    """
    if not isinstance(model, MLP):
        raise TypeError(f"mlp_loss: expected an nn.MLP, got {checks.show(model)}")
    checks.one_of(loss, "mlp_loss", "loss", LOSSES)
    rows = [
        [checks.finite(v, "mlp_loss", f"X[{i}]") for v in checks.sequence(x, "mlp_loss", f"X[{i}]")]
        for i, x in enumerate(checks.sequence(X, "mlp_loss", "X"))
    ]
    if not rows or any(len(r) != model.nin for r in rows):
        raise ValueError(f"mlp_loss: X must be a non-empty list of rows of {model.nin} numbers")
    targets = _targets(y, len(rows), model.nouts[-1])
    shape = [(layer.activation, [len(n.w) for n in layer.neurons]) for layer in model.layers]
    reduce = _mse if loss == "mse" else _bce

    def f(*params: Any) -> Any:
        k = 0
        layers = []
        for act, widths in shape:
            neurons = []
            for nin in widths:
                neurons.append((params[k : k + nin], params[k + nin]))
                k += nin + 1
            layers.append((act, neurons))
        predictions = []
        for x in rows:
            a: list[Any] = list(x)
            for act, neurons in layers:
                a = [_activate(dot(w, a, b), act) for w, b in neurons]
            predictions.append(a)
        return reduce(predictions, targets)

    f.__name__ = f"{loss}_of_mlp"
    params = tuple(p.data for p in model.parameters())
    name = f"MLP({model.nin}, {list(model.nouts)}) {loss}"
    return Problem(f, params, name)


def fan_out(n_inputs: int = 2, n_outputs: int = 64, depth: int = 20) -> Problem:
    """Few inputs, many outputs: a shared chain of ``depth`` steps, then ``n_outputs`` heads.

    hₖ₊₁ = tanh(hₖ · xₖ mod n + 0.5) from h₀ = Σ x, then yⱼ = sin(cⱼ · h) + cⱼ·x₀. Every
    output depends on the whole chain: reverse mode walks it once per output, forward mode
    once per input, so forward mode is the cheaper one when n_inputs < n_outputs.

    >>> p = fan_out(2, 3, 4); (len(p.inputs), p.outputs)
    (2, 3)
    """
    n = checks.count(n_inputs, "fan_out", "n_inputs", minimum=1)
    m = checks.count(n_outputs, "fan_out", "n_outputs", minimum=1)
    d = checks.count(depth, "fan_out", "depth", minimum=1)
    coefficients = [0.5 + j / m for j in range(m)]

    def f(*xs: Any) -> list[Any]:
        h = vsum(xs)
        for k in range(d):
            h = (h * xs[k % n] + 0.5).tanh()
        return [(c * h).sin() + c * xs[0] for c in coefficients]

    inputs = tuple(0.3 + 0.1 * i for i in range(n))
    return Problem(f, inputs, f"fan_out({n} → {m})", m)
