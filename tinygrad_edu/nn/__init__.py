"""Neural networks on top of the engine: Module, Neuron, Layer, MLP, and Rosenblatt's Perceptron.

The defaults follow micrograd's MLP (ReLU hidden layers, a linear output, weights drawn from
uniform(−1, 1), zero biases), so code written for it runs unchanged here: without ``seed=`` or
``rng=`` the weights come from Python's global ``random`` (so ``random.seed(1337)`` reproduces
a run, as in micrograd), and ``nonlin=True``/``False`` is accepted for ``activation="relu"`` /
``"linear"``. A neuron's weighted sum Σ wᵢxᵢ + b is one n-ary node (``engine.dot``), then the
activation is one more node.

Every module can give its parameters as a ``state_dict()`` (name → float) and take them back
with ``load_state_dict()``; ``config()`` describes the architecture, and ``from_config()``
rebuilds a module from it (``tinygrad_edu.serialize`` uses both to save and load files).
"""

from __future__ import annotations

import itertools
import math
import random
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from . import checks
from .engine import Operand, Value, dot, dot_shared

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": lambda v: v,
}


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


class Neuron(Module):
    """activation(Σ wᵢxᵢ + b): ``nin`` weights from uniform(−1, 1) and a zero bias.

    ``nonlin=`` is micrograd's spelling (True = ReLU, False = linear); ``activation=`` is ours.

    >>> n = Neuron(2, "linear", seed=0)
    >>> n([1.0, 0.0]).data == n.w[0].data
    True
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        nonlin: bool | None = None,
    ) -> None:
        self.nin = checks.count(nin, "Neuron", "nin", minimum=1)
        self.activation = _resolve_activation(activation, nonlin, "Neuron")
        self._act = ACTIVATIONS[self.activation]
        r = _make_rng(seed, rng, "Neuron")
        self.w = [Value(r.uniform(-1.0, 1.0)) for _ in range(self.nin)]
        self.b = Value(0.0)
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> Value:
        x = _inputs(x, "Neuron")
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
    """``nout`` neurons reading the same ``nin`` inputs; always returns a list.

    >>> [round(v.data, 6) for v in Layer(2, 3, "relu", seed=1)([0.0, 0.0])]
    [0.0, 0.0, 0.0]
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        nonlin: bool | None = None,
    ) -> None:
        self.nin = checks.count(nin, "Layer", "nin", minimum=1)
        self.nout = checks.count(nout, "Layer", "nout", minimum=1)
        self.activation = _resolve_activation(activation, nonlin, "Layer")
        r = _make_rng(seed, rng, "Layer")
        self.neurons = [Neuron(self.nin, self.activation, rng=_shared(r)) for _ in range(self.nout)]
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        x = _inputs(x, "Layer")
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

    >>> model = MLP(2, [4, 1], seed=0)
    >>> model.num_parameters(), len(model([1.0, -1.0]))
    (17, 1)
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
        self.nin = checks.count(nin, "MLP", "nin", minimum=1)
        sizes_given = checks.sequence(nouts, "MLP", "nouts (the layer sizes)")
        if len(sizes_given) == 0:
            raise ValueError("MLP: nouts must list at least one layer size")
        self.nouts = [
            checks.count(n, "MLP", f"nouts[{i}]", minimum=1) for i, n in enumerate(sizes_given)
        ]
        self.activation = check_activation(activation, "MLP")
        self.output_activation = check_activation(output_activation, "MLP")
        r = _shared(_make_rng(seed, rng, "MLP"))
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng=r)
            for i in range(len(self.nouts))
        ]
        self._label_parameters()

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        x = _inputs(x, "MLP")
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

    >>> p = Perceptron(2)
    >>> p.fit([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 0, 0, 1]).converged
    True
    """

    def __init__(self, nin: int, lr: float = 1.0) -> None:
        self.nin = checks.count(nin, "Perceptron", "nin", minimum=1)
        self.lr = checks.positive(lr, "Perceptron", "lr")
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
        row = checks.sequence(x, f"Perceptron.{where}", "the input")
        if len(row) != self.nin:
            raise ValueError(f"Perceptron.{where}: expected {self.nin} inputs, got {len(row)}")
        # NaN would compare as "not ≥ 0" and pass for a correct class-0 answer: finite only
        return [checks.finite(v, f"Perceptron.{where}", "an input") for v in row]

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
        max_epochs = checks.count(max_epochs, "Perceptron.fit", "max_epochs", minimum=1)
        rows = [self._row(x, "fit") for x in checks.rows(X, "Perceptron.fit", "X", self.nin)]
        labels = _binary_labels(y, len(rows), "Perceptron.fit")
        rng = random.Random(checks.seed(seed, "Perceptron.fit"))
        for p in self.parameters():
            p.data = 0.0
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
    labels = checks.sequence(y, where, "y")
    if len(labels) != n:
        raise ValueError(f"{where}: {n} rows but {len(labels)} labels; the lengths must match")
    if n == 0:
        raise ValueError(f"{where}: no samples")
    out = []
    for i, label in enumerate(labels):
        v = checks.real(label, where, f"label {i}")
        if v not in (0.0, 1.0):
            raise ValueError(
                f"{where}: labels must be 0 or 1, got {checks.show(label)} at index {i}"
            )
        out.append(int(v))
    return out


def _unit_separator(w: Sequence[float], b: object, where: str) -> list[float]:
    """(w, b)/‖(w, b)‖, with the norm taken by ``math.hypot`` (no overflow for huge entries)."""
    v = [checks.finite(c, where, "an entry of w") for c in checks.sequence(w, where, "w")]
    v.append(checks.finite(b, where, "b"))
    norm = math.hypot(*v)
    if not norm > 0.0 or not math.isfinite(norm):
        raise ValueError(f"{where}: the separating vector (w, b) must be finite and non-zero")
    return [c / norm for c in v]


def _folded_rows(X: Sequence[Sequence[float]], width: int, where: str) -> list[list[float]]:
    """Every row as finite floats with the constant 1 appended (the bias folded into x)."""
    rows = checks.rows(X, where, "X")
    if rows and len(rows[0]) != width:
        raise ValueError(f"{where}: row 0 has {len(rows[0])} inputs but w has {width}")
    return [[*(checks.finite(c, where, f"X[{i}]") for c in x), 1.0] for i, x in enumerate(rows)]


def _margin(rows: list[list[float]], labels: list[int], u: list[float], where: str) -> float:
    gamma = math.inf
    for i, (x, label) in enumerate(zip(rows, labels)):
        # u is a unit vector, so each product is at most |xᵢ|: the sum cannot overflow early
        s = math.fsum(c * xi for c, xi in zip(u, x))
        signed = s if label == 1 else -s
        if not signed > 0.0:
            raise ValueError(
                f"{where}: (w, b) does not separate the data: point {i} "
                f"{checks.show(x[:-1])} with label {label} is at signed distance {signed!r}"
            )
        gamma = min(gamma, signed)
    return gamma


def separation_margin(
    X: Sequence[Sequence[float]], y: Sequence[int], w: Sequence[float], b: float = 0.0
) -> float:
    """γ = minᵢ (2yᵢ − 1)(v·x̃ᵢ) for v = (w, b)/‖(w, b)‖ and x̃ = (x, 1): the bias folded in.

    A ValueError if (w, b) does not put every point strictly on its own side.

    >>> separation_margin([[2.0, 0.0], [-2.0, 0.0]], [1, 0], [1.0, 0.0])
    2.0
    """
    where = "separation_margin"
    labels = _binary_labels(y, len(checks.sequence(X, where, "X")), where)
    u = _unit_separator(w, b, where)
    return _margin(_folded_rows(X, len(u) - 1, where), labels, u, where)


def perceptron_bound(
    X: Sequence[Sequence[float]], y: Sequence[int], w: Sequence[float], b: float = 0.0
) -> float:
    """The convergence theorem's bound (R/γ)² on the perceptron's mistakes.

    R = maxᵢ ‖(xᵢ, 1)‖ and γ the margin of the unit-norm separator (w, b)/‖(w, b)‖, the bias
    folded into x as a constant 1 (see :func:`separation_margin`). Holds for weights starting
    at 0 and any learning rate. R and γ are both computed without squaring (``math.hypot``),
    and their ratio before it is squared, so points at 1e200 give the right number; a bound
    beyond the float range is an OverflowError.

    >>> perceptron_bound([[2.0, 0.0], [-2.0, 0.0]], [1, 0], [1.0, 0.0])
    1.25
    """
    where = "perceptron_bound"
    labels = _binary_labels(y, len(checks.sequence(X, where, "X")), where)
    u = _unit_separator(w, b, where)
    rows = _folded_rows(X, len(u) - 1, where)
    gamma = _margin(rows, labels, u, where)
    # R² = s²·Σ(xₖ/s)² with s = max|xₖ| of the farthest row; (R/γ)² = (s/γ)²·Σ(xₖ/s)², so no
    # intermediate overflows and small integer data keeps exact answers
    farthest = max(rows, key=lambda x: math.hypot(*x))
    scale = max(abs(c) for c in farthest)  # ≥ 1: the folded constant is in the row
    ratio = scale / gamma
    spread = math.fsum((c / scale) ** 2 for c in farthest)  # in [1, len(row)]
    bound = ratio * ratio * spread
    if not math.isfinite(bound):
        raise OverflowError(
            f"{where}: the bound (R/γ)² is beyond the float range "
            f"(R/γ ≈ {ratio * math.sqrt(spread):.6g}, γ = {gamma:.6g})"
        )
    return bound


# ---------------------------------------------------------------------- from_config
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
