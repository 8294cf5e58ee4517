"""Rosenblatt's perceptron (1958), trained by his rule, and the convergence theorem's bound.

``separation_margin`` gives the margin γ of a separator and ``perceptron_bound`` the theorem's
bound (R/γ)² on the number of mistakes.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .. import checks
from ..engine import Value
from .module import Module, check_size


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
        check_size(self.nin + 1, "Perceptron", f"a perceptron of {self.nin:,} inputs")
        self.lr = checks.positive(lr, "Perceptron", "lr")
        self.w = [Value(0.0) for _ in range(self.nin)]
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
