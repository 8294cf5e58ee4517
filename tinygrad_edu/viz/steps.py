"""Backward replayed one node at a time: what the step frames and captions show.

The chain rule is not written here: the steps are the engine's reference loop
``engine.chain_rule`` (one ``ChainStep`` per edge, in ``backward()``'s order), grouped by node.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from ..engine import Value, chain_rule
from .graph import check_root


@dataclass(frozen=True, eq=False)
class Contribution:
    """One edge of a backward step: ``parent.grad += local × upstream``."""

    parent: Value
    position: int  # index of the parent in node.parents
    local: float  # ∂node/∂parent
    contribution: float  # local × upstream
    total: float  # the parent's gradient so far, this contribution included


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """Backward at one node: its gradient (upstream) passed on to each parent."""

    index: int
    node: Value
    upstream: float  # ∂root/∂node, final when the node is reached
    contributions: tuple[Contribution, ...]


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """Replay ``root.backward()`` one node at a time, in its order, without touching ``.grad``.

    Gradients start from 0, so the final totals equal what ``backward()`` leaves in fresh leaves
    (it adds them to whatever a leaf held). Nodes with no parents have nothing to pass on and
    are not steps, except a leaf root (one step, no contributions).

    >>> from tinygrad_edu import Value
    >>> a = Value(3.0, "a")
    >>> [(s.node.op, [c.total for c in s.contributions]) for s in backward_steps(a * a)]
    [('*', [3.0, 6.0])]
    """
    root = check_root(root, "backward_steps")
    if not root.parents:
        yield BackwardStep(0, root, 1.0, ())
        return
    grouped = itertools.groupby(chain_rule(root), key=lambda s: id(s.node))
    for k, (_, group) in enumerate(grouped):
        edges = list(group)
        contributions = tuple(
            Contribution(e.parent, e.position, e.local, e.contribution, e.grad) for e in edges
        )
        yield BackwardStep(k, edges[0].node, edges[0].upstream, contributions)
