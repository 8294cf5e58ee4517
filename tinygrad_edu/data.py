"""Seeded toy datasets as plain Python lists: ``X`` (a list of rows) and ``y`` (a list of targets).

Classification labels are ints: 0/1 for two classes, 0 … k−1 for k classes (use
:func:`to_signed` for the ±1 labels of the hinge loss). Regression targets are floats. The same
arguments and seed always give the same data; nothing here needs NumPy or scikit-learn.

=============  =====================================================================
``xor()``      the four points of XOR (and ``and_()``, ``or_()``, ``logic_gate(name)``)
``moons``      two interleaving half circles (micrograd's demo)
``circles``    a small circle inside a large one
``spiral``     k interleaved spiral arms, one class each
``blobs``      k discs, pairwise separable by a known margin (the perceptron's data)
``sine``       y = sin x on a grid, for the universal-approximation lesson (and ``curve``)
=============  =====================================================================
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, overload

from . import checks

__all__ = [
    "CURVES",
    "GATES",
    "Separator",
    "and_",
    "blobs",
    "circles",
    "curve",
    "logic_gate",
    "moons",
    "or_",
    "sine",
    "spiral",
    "to_signed",
    "xor",
]

Rows = list[list[float]]


# --------------------------------------------------------------------------- checks
MAX_POINTS = 1_000_000  # a million points as Python lists: about 100 MB, seconds to build


def _count(n: object, where: str, name: str = "n", minimum: int = 1) -> int:
    way_out = "a scalar engine trains on thousands of points; ask for fewer"
    return checks.count(n, where, name, minimum, maximum=MAX_POINTS, way_out=way_out)


def _nonneg(x: object, where: str, name: str) -> float:
    return checks.in_range(x, where, name, 0.0)


def _positive(x: object, where: str, name: str) -> float:
    return checks.positive(x, where, name)


def _rng(seed: object, where: str) -> random.Random:
    """``Random(seed)``; the seed an int (NumPy integers too) or None."""
    return random.Random(checks.seed(seed, where))


def _linspace(lo: float, hi: float, n: int) -> list[float]:
    if n == 1:
        return [lo]
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def _shuffled(X: Rows, y: list[int], rng: random.Random) -> tuple[Rows, list[int]]:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def _split(n: int, k: int) -> list[int]:
    """n points over k classes, as evenly as possible (the first classes get the extra)."""
    return [n // k + (1 if j < n % k else 0) for j in range(k)]


# --------------------------------------------------------------------------- logic gates
GATES: dict[str, Callable[[int, int], int]] = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
    "nand": lambda a, b: 1 - (a & b),
    "nor": lambda a, b: 1 - (a | b),
    "xnor": lambda a, b: 1 - (a ^ b),
}


def logic_gate(name: str) -> tuple[Rows, list[int]]:
    """The truth table of a two-input gate: X = (0,0), (0,1), (1,0), (1,1), y its outputs.

    >>> logic_gate("nand")[1]
    [1, 1, 1, 0]
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in GATES:
        valid = ", ".join(repr(g) for g in GATES)
        raise ValueError(f"logic_gate: unknown gate {name!r}; choose one of {valid}")
    gate = GATES[key]
    X = [[float(a), float(b)] for a in (0, 1) for b in (0, 1)]
    y = [gate(a, b) for a in (0, 1) for b in (0, 1)]
    return X, y


def xor() -> tuple[Rows, list[int]]:
    """XOR: y = [0, 1, 1, 0], not linearly separable.

    >>> xor()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    return logic_gate("xor")


def and_() -> tuple[Rows, list[int]]:
    """AND: y = [0, 0, 0, 1], linearly separable."""
    return logic_gate("and")


def or_() -> tuple[Rows, list[int]]:
    """OR: y = [0, 1, 1, 1], linearly separable."""
    return logic_gate("or")


def to_signed(y: Sequence[int]) -> list[float]:
    """0/1 labels as −1/+1 (for the hinge loss).

    >>> to_signed([0, 1, 1])
    [-1.0, 1.0, 1.0]
    """
    out = []
    for i, label in enumerate(checks.sequence(y, "to_signed", "y")):
        v = checks.real(label, "to_signed", f"label {i}")
        if v not in (0.0, 1.0):
            raise ValueError(
                f"to_signed: labels must be 0 or 1, got {checks.show(label)} at index {i}"
            )
        out.append(2.0 * v - 1.0)
    return out


# --------------------------------------------------------------------------- 2-D shapes
def moons(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> tuple[Rows, list[int]]:
    """Two interleaving half circles with Gaussian noise (sd ``noise``), shuffled.

    Class 0 is the upper arc (cos t, sin t), class 1 the lower arc (1 − cos t, ½ − sin t), with
    t evenly spaced in [0, π]; class 0 gets the extra point when n is odd.

    >>> X, y = moons(6, noise=0.0)
    >>> sorted(y), len(X[0])
    ([0, 0, 0, 1, 1, 1], 2)
    """
    n = _count(n, "moons", minimum=2)
    noise = _nonneg(noise, "moons", "noise")
    rng = _rng(seed, "moons")
    n0, n1 = _split(n, 2)
    X: Rows = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n0)]
    X += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n1)]
    y = [0] * n0 + [1] * n1
    X = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in X]
    return _shuffled(X, y, rng)


def circles(
    n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0
) -> tuple[Rows, list[int]]:
    """A circle of radius ``factor`` (class 1) inside the unit circle (class 0), noisy, shuffled.

    >>> X, y = circles(8, noise=0.0)
    >>> sorted(round((a * a + b * b) ** 0.5, 6) for a, b in X)
    [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0]
    """
    n = _count(n, "circles", minimum=2)
    noise = _nonneg(noise, "circles", "noise")
    factor = checks.in_range(factor, "circles", "factor", 0.0, 1.0, low_open=True, high_open=True)
    rng = _rng(seed, "circles")
    X: Rows = []
    y: list[int] = []
    for label, (count, radius) in enumerate(zip(_split(n, 2), (1.0, float(factor)))):
        for i in range(count):
            t = 2.0 * math.pi * i / count  # evenly around, without repeating the start point
            X.append([radius * math.cos(t), radius * math.sin(t)])
            y.append(label)
    X = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in X]
    return _shuffled(X, y, rng)


def spiral(
    n: int = 150, k: int = 3, noise: float = 0.2, seed: int | None = 0
) -> tuple[Rows, list[int]]:
    """k spiral arms (the CS231n toy problem), one class each, shuffled.

    Arm j has points at radius r ∈ [0, 1] (evenly spaced) and angle 4j + 4r plus Gaussian noise
    of sd ``noise`` on the angle: (r sin θ, r cos θ).

    >>> X, y = spiral(9, k=3)
    >>> sorted(y)
    [0, 0, 0, 1, 1, 1, 2, 2, 2]
    """
    n = _count(n, "spiral")
    k = _count(k, "spiral", "k", minimum=2)
    if n < k:
        raise ValueError(f"spiral: n must be ≥ k (one point per class at least), got n={n}, k={k}")
    noise = _nonneg(noise, "spiral", "noise")
    rng = _rng(seed, "spiral")
    X: Rows = []
    y: list[int] = []
    for j, count in enumerate(_split(n, k)):
        for r in _linspace(0.0, 1.0, count):
            theta = 4.0 * j + 4.0 * r + rng.gauss(0.0, noise)
            X.append([r * math.sin(theta), r * math.cos(theta)])
            y.append(j)
    return _shuffled(X, y, rng)


@dataclass(frozen=True)
class Separator:
    """The line w·x + b = 0 that separates two-class ``blobs``; ‖w‖ = 1.

    Every point satisfies (2y − 1)(w·x + b) ≥ margin: class 1 on the positive side.
    """

    w: tuple[float, float]
    b: float
    margin: float


@overload
def blobs(
    n: int = ...,
    k: int = ...,
    margin: float = ...,
    radius: float = ...,
    seed: int | None = ...,
    return_separator: Literal[False] = ...,
) -> tuple[Rows, list[int]]: ...


@overload
def blobs(
    n: int = ...,
    k: int = ...,
    margin: float = ...,
    radius: float = ...,
    seed: int | None = ...,
    *,
    return_separator: Literal[True],
) -> tuple[Rows, list[int], Separator]: ...


def blobs(
    n: int = 100,
    k: int = 2,
    margin: float = 0.5,
    radius: float = 1.0,
    seed: int | None = 0,
    return_separator: bool = False,
) -> tuple[Rows, list[int]] | tuple[Rows, list[int], Separator]:
    """k discs of ``radius``, points uniform inside, pairwise linearly separable, shuffled.

    The centres sit on a circle around the origin, at angles θ₀ + 2πj/k (θ₀ from the seed), far
    enough apart that the perpendicular bisector of two neighbouring centres keeps every point
    of both discs at least ``margin`` away. For k = 2 the bisector passes through the origin
    (b = 0); ``return_separator=True`` also returns it as a :class:`Separator`.

    >>> X, y, sep = blobs(20, return_separator=True)
    >>> all((2 * c - 1) * (sep.w[0] * a + sep.w[1] * b) >= sep.margin for (a, b), c in zip(X, y))
    True
    """
    n = _count(n, "blobs")
    k = _count(k, "blobs", "k", minimum=2)
    if n < k:
        raise ValueError(f"blobs: n must be ≥ k (one point per class at least), got n={n}, k={k}")
    margin = _positive(margin, "blobs", "margin")
    radius = _nonneg(radius, "blobs", "radius")
    if return_separator and k != 2:
        raise ValueError(f"blobs: return_separator needs k = 2 (one line), got k={k}")
    rng = _rng(seed, "blobs")
    theta0 = rng.uniform(0.0, 2.0 * math.pi)
    # neighbouring centres are 2c·sin(π/k) apart; half of that must be ≥ radius + margin
    c = (radius + margin) / math.sin(math.pi / k)
    X: Rows = []
    y: list[int] = []
    for j, count in enumerate(_split(n, k)):
        a = theta0 + 2.0 * math.pi * j / k
        cx, cy = c * math.cos(a), c * math.sin(a)
        for _ in range(count):
            r = radius * math.sqrt(rng.random())  # √U: uniform over the disc's area
            t = rng.uniform(0.0, 2.0 * math.pi)
            X.append([cx + r * math.cos(t), cy + r * math.sin(t)])
            y.append(j)
    X, y = _shuffled(X, y, rng)
    if not return_separator:
        return X, y
    # class 1's centre is at angle θ₀ + π: the normal points from class 0 to class 1
    w = (-math.cos(theta0), -math.sin(theta0))
    return X, y, Separator(w, 0.0, margin)


# --------------------------------------------------------------------------- 1-D regression
CURVES: dict[str, Callable[[float], float]] = {
    "sine": math.sin,
    "cosine": math.cos,
    "square": lambda x: x * x,
    "abs": abs,
    "step": lambda x: 1.0 if x >= 0.0 else 0.0,
    "relu": lambda x: max(x, 0.0),
    "bump": lambda x: math.exp(-x * x),
}


def curve(
    name: str,
    n: int = 50,
    lo: float = -math.pi,
    hi: float = math.pi,
    noise: float = 0.0,
    seed: int | None = 0,
) -> tuple[Rows, list[float]]:
    """n evenly spaced x in [lo, hi] as rows [x], with y = f(x) + Gaussian noise of sd ``noise``.

    ``name`` is one of :data:`CURVES`: sine, cosine, square, abs, step, relu, bump (e^(−x²)).

    >>> curve("square", n=3, lo=-1.0, hi=1.0)
    ([[-1.0], [0.0], [1.0]], [1.0, 0.0, 1.0])
    """
    if not isinstance(name, str) or name not in CURVES:
        valid = ", ".join(repr(c) for c in CURVES)
        raise ValueError(f"curve: unknown curve {name!r}; choose one of {valid}")
    n = _count(n, "curve")
    noise = _nonneg(noise, "curve", "noise")
    lo, hi = checks.finite(lo, "curve", "lo"), checks.finite(hi, "curve", "hi")
    if not lo < hi:
        raise ValueError(f"curve: need lo < hi, got lo={lo!r}, hi={hi!r}")
    f = CURVES[name]
    rng = _rng(seed, "curve")
    xs = _linspace(float(lo), float(hi), n)
    ys = [f(x) + (rng.gauss(0.0, noise) if noise else 0.0) for x in xs]
    return [[x] for x in xs], ys


def sine(
    n: int = 50,
    lo: float = -math.pi,
    hi: float = math.pi,
    noise: float = 0.0,
    seed: int | None = 0,
) -> tuple[Rows, list[float]]:
    """y = sin x at n evenly spaced x in [lo, hi] (rows [x]), plus optional Gaussian noise.

    >>> sine(3, lo=0.0, hi=math.pi)[1][0]
    0.0
    """
    return curve("sine", n, lo, hi, noise, seed)
