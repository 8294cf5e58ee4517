"""What a cross-check costs, estimated before it starts.

The engine's backward() and the delta equations are one pass each; the central differences
run the engine's forward pass twice per parameter. A forward pass of a batch of ``B`` through
an MLP with ``P`` parameters does about ``P · B`` multiply-adds, so the central differences
cost about ``2 · P² · B`` of them: quadratic in the size of the network.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["OPS_PER_SECOND", "CrosscheckCost", "crosscheck_cost"]

# Scalar multiply-adds per second of the engine's forward pass under no_grad, measured on a
# laptop-class core with the machine shared (0.5 to 1.3 million): the estimate is within
# about a factor of two, which is what a budget needs.
OPS_PER_SECOND = 1.0e6


@dataclass(frozen=True)
class CrosscheckCost:
    """The estimated work of one cross-check."""

    parameters: int
    batch: int
    operations: float  # scalar multiply-adds
    seconds: float

    def describe(self) -> str:
        """The estimate in words.

        >>> print(crosscheck_cost([2, 4, 4, 1], 4).describe())
        37 parameters, batch of 4: about 11,000 multiply-adds, under a second
        """
        ops = _round(self.operations)
        return f"{self.parameters:,} parameters, batch of {self.batch}: about {ops:,} " + (
            f"multiply-adds, {duration(self.seconds)}"
        )


def crosscheck_cost(sizes: Sequence[int], batch: int, numerical: bool = True) -> CrosscheckCost:
    """The estimated work of a cross-check of an MLP with layer ``sizes`` (input first).

    >>> cost = crosscheck_cost([64] * 9, 256)  # the command line's largest network and batch
    >>> cost.parameters, cost.seconds > 24 * 3600
    (33280, True)
    """
    parameters = sum((nin + 1) * nout for nin, nout in itertools.pairwise(sizes))
    per_pass = parameters * batch
    passes = 3 + (2 * parameters if numerical else 0)  # forward and backward, then ± per θ
    operations = float(per_pass * passes)
    return CrosscheckCost(parameters, batch, operations, operations / OPS_PER_SECOND)


def _round(x: float) -> int:
    """Two significant digits."""
    if x < 100:
        return round(x)
    digits = math.floor(math.log10(x)) - 1
    return int(round(x / 10**digits) * 10**digits)


def duration(seconds: float) -> str:
    """A duration in words, to two significant digits.

    >>> duration(0.2), duration(42.0), duration(5000.0), duration(3e6)
    ('under a second', 'about 42 s', 'about 1.4 hours', 'about 35 days')
    """
    if seconds < 1.0:
        return "under a second"
    for unit, size in (("days", 86400.0), ("hours", 3600.0), ("min", 60.0)):
        if seconds >= 2 * size if unit != "hours" else seconds >= size:
            return f"about {seconds / size:.2g} {unit}"
    return f"about {seconds:.2g} s"
