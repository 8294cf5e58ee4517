"""Neural networks on top of the engine: Module, Neuron, Layer, MLP, and Rosenblatt's Perceptron.

The defaults follow micrograd's MLP (ReLU hidden layers, a linear output, weights drawn from
uniform(−1, 1), zero biases), so code written for it runs unchanged here. A neuron's weighted
sum Σ wᵢxᵢ + b is one n-ary node (``engine.dot``), then the activation is one more node.

Every module can give its parameters as a ``state_dict()`` (name → float) and take them back
with ``load_state_dict()``; ``config()`` describes the architecture, and ``from_config()``
rebuilds a module from it (``tinygrad_edu.serialize`` uses both to save and load files).
"""

from __future__ import annotations

import math
import numbers
import random
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from .engine import Operand, Value, dot, dot_shared

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": lambda v: v,
}


def check_activation(name: str) -> str:
    """Return ``name`` if it is a known activation, else raise a ValueError listing them."""
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {valid}")
    return name


def _make_rng(seed: int | None, rng: random.Random | None) -> random.Random:
    if rng is not None and seed is not None:
        raise ValueError("give either seed= or rng=, not both")
    return rng if rng is not None else random.Random(seed)


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
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of name -> number, got {type(state).__name__}"
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
        values = []
        for name in names:
            v = state[name]
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise ValueError(
                    f"load_state_dict: parameter {name!r} must be a number, "
                    f"got {type(v).__name__} ({v!r})"
                )
            f = float(v)
            if not math.isfinite(f):
                raise ValueError(f"load_state_dict: parameter {name!r} is not finite: {f!r}")
            values.append(f)
        for (_, p), f in zip(named, values):
            p.data = f


def _some(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


class Neuron(Module):
    """activation(Σ wᵢxᵢ + b): ``nin`` weights from uniform(−1, 1) and a zero bias."""

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron: nin must be a positive int, got {nin!r}")
        self.nin = nin
        self.activation = check_activation(activation)
        self._act = ACTIVATIONS[activation]
        r = _make_rng(seed, rng)
        self.w = [Value(r.uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b = Value(0.0)
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> Value:
        if len(x) != self.nin:
            raise ValueError(f"Neuron: expected {self.nin} inputs, got {len(x)}")
        return self._act(dot(self.w, x, self.b))

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, w in enumerate(self.w):
            yield f"w.{i}", w
        yield "b", self.b

    def config(self) -> dict[str, object]:
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; always returns a list."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer: nout must be a positive int, got {nout!r}")
        r = _make_rng(seed, rng)
        self.nin = nin
        self.nout = nout
        self.activation = check_activation(activation)
        self.neurons = [Neuron(nin, activation, rng=r) for _ in range(nout)]
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"Layer: expected {self.nin} inputs, got {len(x)}")
        # lift plain numbers once, so all neurons share the same input nodes
        xs = [v if isinstance(v, Value) else Value(v) for v in x]
        data = [v.data for v in xs]
        return [n._act(dot_shared(n.w, xs, data, n.b)) for n in self.neurons]

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
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"MLP: nin must be a positive int, got {nin!r}")
        if len(nouts) == 0:
            raise ValueError("MLP: nouts must list at least one layer size")
        r = _make_rng(seed, rng)
        self.nin = nin
        self.nouts = list(nouts)
        self.activation = check_activation(activation)
        self.output_activation = check_activation(output_activation)
        sizes = [nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng=r)
            for i in range(len(self.nouts))
        ]
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"MLP: expected {self.nin} inputs, got {len(x)}")
        out: list[Value] = self.layers[0](x)
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


# ---------------------------------------------------------------------- the perceptron
class ConvergenceWarning(UserWarning):
    """The perceptron did not converge within ``max_epochs``."""


@dataclass(frozen=True)
class PerceptronResult:
    """What ``Perceptron.fit`` did: epochs run, mistakes (= updates) made, whether it converged.

    It converged when an epoch went through every sample without a mistake; that clean epoch
    is counted in ``epochs``.
    """

    converged: bool
    epochs: int
    mistakes: int
    mistakes_per_epoch: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        epochs = _plural(self.epochs, "epoch")
        mistakes = _plural(self.mistakes, "mistake")
        if self.converged:
            return f"converged after {epochs} ({mistakes} in all)"
        last = self.mistakes_per_epoch[-1] if self.mistakes_per_epoch else 0
        return (
            f"did not converge in {epochs} ({mistakes} in all, {last} in the last epoch): "
            "the data may not be linearly separable"
        )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Perceptron(Module):
    """Rosenblatt's perceptron (1958): ŷ = 1[w·x + b ≥ 0], trained by his rule, not by gradients.

    After each sample: w ← w + η (y − ŷ) x and b ← b + η (y − ŷ), so only mistakes move the
    weights. Labels are 0/1. The weights are Values (so state_dict/save work and drawings show
    them), but the step has no useful derivative: nothing here calls backward().
    """

    def __init__(self, nin: int, lr: float = 1.0) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Perceptron: nin must be a positive int, got {nin!r}")
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0.0 < lr < math.inf:
            raise ValueError(f"Perceptron: lr must be a finite number > 0, got {lr!r}")
        self.nin = nin
        self.lr = float(lr)
        self.w = [Value(0.0) for _ in range(nin)]
        self.b = Value(0.0)
        self._label_parameters()

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, w in enumerate(self.w):
            yield f"w.{i}", w
        yield "b", self.b

    def config(self) -> dict[str, object]:
        return {"type": "Perceptron", "nin": self.nin, "lr": self.lr}

    def _row(self, x: Sequence[float], where: str) -> list[float]:
        if len(x) != self.nin:
            raise ValueError(f"Perceptron.{where}: expected {self.nin} inputs, got {len(x)}")
        for v in x:
            # NaN would compare as "not ≥ 0" and pass for a correct class-0 answer
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise ValueError(f"Perceptron.{where}: inputs must be finite numbers, got {v!r}")
        return [float(v) for v in x]

    def decision_function(self, x: Sequence[float]) -> float:
        """The weighted sum w·x + b (its sign decides the class)."""
        xs = self._row(x, "decision_function")
        return sum(w.data * v for w, v in zip(self.w, xs)) + self.b.data

    def __call__(self, x: Sequence[float]) -> int:
        """The class of one input: 1 if w·x + b ≥ 0 else 0."""
        return 1 if self.decision_function(x) >= 0.0 else 0

    def predict(self, X: Sequence[Sequence[float]]) -> list[int]:
        """The class of every row of X."""
        return [self(x) for x in X]

    def fit(
        self,
        X: Sequence[Sequence[float]],
        y: Sequence[int],
        max_epochs: int = 100,
        *,
        shuffle: bool = False,
        seed: int | None = None,
    ) -> PerceptronResult:
        """Learn from scratch (weights start at 0, as the convergence theorem assumes).

        Goes through the samples in order (or shuffled each epoch) until an epoch makes no
        mistake, or ``max_epochs`` have run: then it stops, warns (ConvergenceWarning) and
        returns ``converged=False`` — on XOR, which no line separates, it always does.
        """
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, int) or max_epochs < 1:
            raise ValueError(f"Perceptron.fit: max_epochs must be an int ≥ 1, got {max_epochs!r}")
        rows = [self._row(x, "fit") for x in X]
        labels = _binary_labels(y, len(rows), "Perceptron.fit")
        for p in self.parameters():
            p.data = 0.0
        rng = random.Random(seed)
        order = list(range(len(rows)))
        per_epoch: list[int] = []
        eta = self.lr
        for _ in range(max_epochs):
            if shuffle:
                rng.shuffle(order)
            mistakes = 0
            for i in order:
                x, target = rows[i], labels[i]
                error = target - self(x)  # y − ŷ ∈ {−1, 0, 1}
                if error:
                    mistakes += 1
                    step = eta * error
                    for w, v in zip(self.w, x):
                        w.data += step * v
                    self.b.data += step
            per_epoch.append(mistakes)
            if mistakes == 0:
                return PerceptronResult(True, len(per_epoch), sum(per_epoch), per_epoch)
        result = PerceptronResult(False, len(per_epoch), sum(per_epoch), per_epoch)
        warnings.warn(f"Perceptron.fit: {result}", ConvergenceWarning, stacklevel=2)
        return result

    def __repr__(self) -> str:
        return f"Perceptron({self.nin}, lr={self.lr!r})"


def _binary_labels(y: Sequence[int], n: int, where: str) -> list[int]:
    labels = list(y)
    if len(labels) != n:
        raise ValueError(f"{where}: {n} rows but {len(labels)} labels; the lengths must match")
    if n == 0:
        raise ValueError(f"{where}: no samples")
    for i, label in enumerate(labels):
        if isinstance(label, bool) or label not in (0, 1):
            raise ValueError(f"{where}: labels must be 0 or 1, got {label!r} at index {i}")
    return [int(label) for label in labels]


def separation_margin(
    X: Sequence[Sequence[float]], y: Sequence[int], w: Sequence[float], b: float = 0.0
) -> float:
    """γ = minᵢ (2yᵢ − 1)(v·x̃ᵢ) for v = (w, b)/‖(w, b)‖ and x̃ = (x, 1): the bias folded in.

    A ValueError if (w, b) does not put every point strictly on its own side.
    """
    where = "separation_margin"
    labels = _binary_labels(y, len(X), where)
    v = [float(c) for c in w] + [float(b)]
    norm = math.sqrt(math.fsum(c * c for c in v))
    if not norm > 0.0 or not math.isfinite(norm):
        raise ValueError(f"{where}: the separating vector (w, b) must be finite and non-zero")
    gamma = math.inf
    for i, (x, label) in enumerate(zip(X, labels)):
        if len(x) != len(w):
            raise ValueError(f"{where}: row {i} has {len(x)} inputs but w has {len(w)}")
        s = (math.fsum(c * float(xi) for c, xi in zip(v, x)) + v[-1]) / norm
        signed = s if label == 1 else -s
        if not signed > 0.0:
            raise ValueError(
                f"{where}: (w, b) does not separate the data: point {i} {list(x)!r} with label "
                f"{label} is at signed distance {signed!r}"
            )
        gamma = min(gamma, signed)
    return gamma


def perceptron_bound(
    X: Sequence[Sequence[float]], y: Sequence[int], w: Sequence[float], b: float = 0.0
) -> float:
    """The convergence theorem's bound (R/γ)² on the perceptron's mistakes.

    R = maxᵢ ‖(xᵢ, 1)‖ and γ the margin of the unit-norm separator (w, b)/‖(w, b)‖, the bias
    folded into x as a constant 1 (see :func:`separation_margin`). Holds for weights starting
    at 0 and any learning rate.
    """
    gamma = separation_margin(X, y, w, b)
    r2 = max(math.fsum([*(float(c) * float(c) for c in x), 1.0]) for x in X)
    return r2 / (gamma * gamma)


# ---------------------------------------------------------------------- from_config
def _cfg_int(cfg: Mapping[str, object], key: str) -> int:
    v = cfg.get(key)
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"from_config: {key!r} must be an int, got {v!r}")
    return v


def _cfg_str(cfg: Mapping[str, object], key: str) -> str:
    v = cfg.get(key)
    if not isinstance(v, str):
        raise ValueError(f"from_config: {key!r} must be a string, got {v!r}")
    return v


def from_config(cfg: Mapping[str, object]) -> Module:
    """A new module of the architecture ``cfg`` describes (as returned by ``config()``).

    Its parameters are freshly initialised; load them with ``load_state_dict``.
    """
    if not isinstance(cfg, Mapping):
        raise ValueError(f"from_config: expected a mapping, got {type(cfg).__name__}")
    kind = cfg.get("type")
    if kind == "MLP":
        nouts = cfg.get("nouts")
        if not isinstance(nouts, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in nouts
        ):
            raise ValueError(f"from_config: 'nouts' must be a list of ints, got {nouts!r}")
        return MLP(
            _cfg_int(cfg, "nin"),
            nouts,
            _cfg_str(cfg, "activation"),
            _cfg_str(cfg, "output_activation"),
        )
    if kind == "Layer":
        return Layer(_cfg_int(cfg, "nin"), _cfg_int(cfg, "nout"), _cfg_str(cfg, "activation"))
    if kind == "Neuron":
        return Neuron(_cfg_int(cfg, "nin"), _cfg_str(cfg, "activation"))
    if kind == "Perceptron":
        lr = cfg.get("lr")
        if isinstance(lr, bool) or not isinstance(lr, (int, float)):
            raise ValueError(f"from_config: 'lr' must be a number, got {lr!r}")
        return Perceptron(_cfg_int(cfg, "nin"), float(lr))
    raise ValueError(
        f"from_config: unknown module type {kind!r}; expected 'MLP', 'Layer', 'Neuron' "
        "or 'Perceptron'"
    )
