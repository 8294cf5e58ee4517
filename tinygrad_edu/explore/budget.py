"""What a recording costs, said before it starts: its time and the page's size, estimated from
the network's size, the rows and the epochs, and refused past a stated bound with the way out.

The rates were measured on a 2-core machine (CPython 3.11) and err on the slow side:
a compiled training step costs about 0.45 µs per parameter and row; recording one row at one
recorded epoch through the engine's graph about 5 µs per parameter; one decision-surface point
about 0.25 µs per parameter.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

TRAIN_US = 0.45  # µs per parameter, row and epoch (fit(compile=True)'s step)
RECORD_US = 5.0  # µs per parameter and row at each recorded epoch (the engine's graph)
SURFACE_US = 0.25  # µs per parameter and grid point at each recorded epoch
BYTES_PER_NUMBER = 10  # a number in the page's JSON: 7 significant digits, a sign, a comma
NEURON_NUMBERS = 5  # z, a, σ′(z), δ and ∂L/∂a per row and neuron at a recorded epoch
PARAM_NUMBERS = 3  # before, batch gradient, after, per parameter at a recorded epoch
RECORD_BUDGET = 40_000  # row × neuron records per page the default `every` aims for
MAX_FRAMES = 101  # the default `every` keeps at most about this many recorded epochs
MAX_SECONDS = 60.0  # refused past this estimate unless the caller raises it
MAX_MEGABYTES = 30.0  # refused past this estimated page size unless the caller raises it
SHOW_PROGRESS = 3.0  # a progress bar when the estimate is longer than this (seconds)


@dataclass(frozen=True)
class Estimate:
    """The estimated cost of a recording: seconds of work and megabytes of page."""

    seconds: float
    megabytes: float
    frames: int

    def __str__(self) -> str:
        return f"about {self.seconds:.1f} s of work and a {self.megabytes:.1f} MB page"


def parameters(sizes: list[int]) -> int:
    """The weights and biases of an MLP with these layer sizes.

    >>> parameters([2, 4, 4, 1])
    37
    """
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def default_every(epochs: int, rows: int, neurons: int) -> int:
    """Record every k-th epoch: about 100 recorded epochs, fewer when rows × neurons is large
    (the page keeps every row's numbers at every recorded epoch).

    >>> default_every(2000, 4, 9), default_every(2000, 40, 17)
    (20, 36)
    """
    frames = max(2, min(MAX_FRAMES, RECORD_BUDGET // max(1, rows * neurons)))
    return max(1, math.ceil(epochs / (frames - 1)))


def estimate(sizes: list[int], rows: int, epochs: int, frames: int, grid: int) -> Estimate:
    """The cost of training ``epochs`` epochs on ``rows`` rows and recording ``frames`` of them
    (``grid`` decision-surface points each).

    >>> e = estimate([2, 4, 4, 1], 4, 2000, 101, 441)
    >>> e.seconds < 1.0, e.megabytes < 1.0
    (True, True)
    """
    p = parameters(sizes)
    neurons = sum(sizes[1:])
    seconds = 1e-6 * (
        TRAIN_US * p * rows * epochs
        + RECORD_US * p * rows * frames
        + SURFACE_US * p * grid * frames
    )
    numbers = frames * (rows * neurons * NEURON_NUMBERS + p * PARAM_NUMBERS + grid)
    return Estimate(seconds, numbers * BYTES_PER_NUMBER / 1e6, frames)


def check(cost: Estimate, where: str, max_seconds: float, max_megabytes: float) -> None:
    """Refuse a recording whose estimate passes a bound, naming the way out."""
    if cost.seconds > max_seconds:
        raise ValueError(
            f"{where}: this recording would take {cost}, over the bound of {max_seconds:g} s; "
            "train fewer epochs or on fewer rows (or a smaller network), or pass "
            f"max_seconds={math.ceil(cost.seconds * 1.5)} to accept the wait"
        )
    if cost.megabytes > max_megabytes:
        raise ValueError(
            f"{where}: this recording would write {cost}, over the bound of {max_megabytes:g} MB; "
            "record fewer epochs (a larger every=), use fewer rows or neurons, or pass "
            f"max_megabytes={math.ceil(cost.megabytes * 1.5)} to accept the size"
        )
