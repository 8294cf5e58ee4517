"""Backward replayed one node at a time: what the step frames and captions show.

The chain rule itself is not written here: ``_edges`` is the one place that reads it, from the
engine's reference loop ``engine.chain_rule`` when the engine has it, otherwise from the same
loop spelled out once below (the loop ``backward()`` runs, without writing ``.grad``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from .. import engine
from ..engine import Value, topo_order
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


_Edge = tuple[Value, int, Value, float, float, float, float]
# (node, position, parent, local, upstream, contribution, parent's grad so far)


def _edges(root: Value) -> Iterator[_Edge]:
    """Every edge in backward()'s order, with its chain-rule numbers; no ``.grad`` writes."""
    reference = getattr(engine, "chain_rule", None)
    if reference is not None:
        for s in reference(root):
            yield s.node, s.position, s.parent, s.local, s.upstream, s.contribution, s.grad
        return
    grads: dict[Value, float] = {root: 1.0}
    for node in reversed(topo_order(root)):
        g = grads.get(node, 0.0)
        for pos, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            c = local * g
            grads[parent] = grads.get(parent, 0.0) + c  # parent.grad += local * upstream
            yield node, pos, parent, local, g, c, grads[parent]


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
    grouped = itertools.groupby(_edges(root), key=lambda e: id(e[0]))
    for k, (_, group) in enumerate(grouped):
        edges = list(group)
        node, upstream = edges[0][0], edges[0][4]
        contributions = tuple(Contribution(e[2], e[1], e[3], e[5], e[6]) for e in edges)
        yield BackwardStep(k, node, upstream, contributions)
