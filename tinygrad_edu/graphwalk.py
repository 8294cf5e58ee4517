"""Walking a graph: the topological orders, and ``chain_rule``, the backward pass edge by edge.

Written against anything with ``_parents`` and ``_local_grads`` (a ``Value``), so the engine
imports this module (and re-exports its names) while it imports nothing back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import checks

Node = Any  # a Value; typed loosely so that this module never imports the engine


def _check_node(root: object, where: str) -> None:
    if not (hasattr(root, "_parents") and hasattr(root, "_local_grads")):
        raise TypeError(f"{where}: expected a Value, got {type(root).__name__} {checks.show(root)}")


def depth_first(root: Node, keep_leaves: bool) -> list[Node]:
    """The nodes reachable from ``root``, parents before children; no recursion (a chain of a
    million nodes is fine). ``keep_leaves=False`` lists only the nodes made by ops.

    A node is expanded once (``visited``), and a ``None`` marker pushed above it says "when
    you pop me, all parents of the node below me are done": popping it emits that node.
    Parents are pushed in reverse so they are visited in call order; leaves are never pushed:
    each is emitted as soon as a node that uses it is expanded.
    """
    if not root._parents:
        return [root]
    order: list[Node] = []
    visited: set[Node] = set()
    stack: list[Node | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())
            continue
        if node in visited:
            continue  # pushed twice before it was expanded
        visited.add(node)
        stack.append(node)
        stack.append(None)
        if keep_leaves:
            for parent in node._parents:
                if not parent._parents and parent not in visited:
                    visited.add(parent)  # a leaf waits for nothing: emit it at once
                    order.append(parent)
        for parent in reversed(node._parents):
            if parent._parents and parent not in visited:
                stack.append(parent)
    return order


# ---------------------------------------------------------------------- backward()'s order
def backward_order(root: Node) -> list[Node]:
    """``interior_order(root)`` for ``backward()``, written for speed (the same list: a test
    holds the two equal on random graphs). It halves the sort, a fifth of a W5 step.

    The same depth-first visit as ``depth_first(root, keep_leaves=False)``; a node's state is a
    per-call mark stored in its grad —
    ``expanded`` once its parents are pushed, ``emitted`` once it is listed — so nothing is
    hashed, and the node itself, pushed below its parents, is its own "emit me" entry. The
    marks are new float objects on every call, compared by identity, so a mark left by an
    interrupted call never matches; ``emitted`` is a 0.0, so every listed node's grad is
    zeroed on the way (backward() recomputes interior grads).

    Two shortcuts keep the order and skip work. A parent is never found ``expanded``: the
    expanded nodes are the ones on the current path from the root, so meeting one as a
    parent would be a cycle, which a graph of Values cannot have; only ``emitted`` is
    tested. And a node none of whose parents needs visiting is listed at once, instead of
    being pushed back only to be popped next; and the first parent to visit is visited
    straight away rather than pushed and popped at once.
    """
    expanded = float("nan")
    emitted = float(0)  # a fresh 0.0 object: the zeroed grad and the mark at once
    order: list[Node] = []
    emit = order.append
    stack = [root]
    push = stack.append
    pop = stack.pop
    try:
        while stack:
            node = pop()
            while True:  # one node, then straight on to its first parent (no push and pop)
                state = node.grad
                if state is expanded:  # its parents are all listed
                    node.grad = emitted
                    emit(node)
                    break
                if state is emitted:
                    break  # pushed twice before it was expanded
                parents = node._parents
                if len(parents) == 2:
                    a, b = parents
                    if b._parents and b.grad is not emitted:
                        node.grad = expanded
                        push(node)
                        push(b)
                        if a._parents and a.grad is not emitted:
                            node = a  # what pop() would return next
                            continue
                        break
                    if a._parents and a.grad is not emitted:
                        node.grad = expanded
                        push(node)
                        node = a
                        continue
                    node.grad = emitted  # both parents are leaves or listed: list it now
                    emit(node)
                    break
                node.grad = expanded
                push(node)
                for parent in reversed(parents):
                    if parent._parents and parent.grad is not emitted:
                        push(parent)
                if stack[-1] is node:  # nothing pushed above it: list it now
                    pop()
                    node.grad = emitted
                    emit(node)
                break
    except BaseException:  # interrupted: leave no mark behind
        for node in stack:
            node.grad = 0.0
        raise
    return order


def topo_order(root: Node) -> list[Node]:
    """Every node reachable from ``root``, parents before children; iterative, no recursion.

    Each leaf is emitted as soon as a node that uses it is expanded, in call order, so tapes
    and drawings list a node's inputs before the work on them.
    """
    _check_node(root, "topo_order")
    return depth_first(root, keep_leaves=True)


def interior_order(root: Node) -> list[Node]:
    """The nodes made by ops (no leaves) reachable from ``root``, parents before children.

    What backward() walks: leaves need neither ordering nor zeroing, and they are about half
    of the nodes of a typical graph.
    """
    _check_node(root, "interior_order")
    return depth_first(root, keep_leaves=False)


@dataclass(frozen=True)
class ChainStep:
    """One application of the chain rule along one edge, as ``chain_rule`` yields it."""

    node: Node  # the node passing its gradient on
    position: int  # which edge: index into node.parents
    parent: Node
    local: float  # ∂node/∂parent
    upstream: float  # ∂root/∂node (final when node is reached)
    contribution: float  # local * upstream
    grad: float  # ∂root/∂parent so far, after adding contribution


def chain_rule(root: Node) -> Iterator[ChainStep]:
    """``Value.backward()``'s loop one edge at a time, for tapes and drawings; it never
    touches ``.grad``.

    Totals start at 0 and the root is seeded with 1.0. Nodes are visited children first
    (reversed topological order), so a node's total is final before it passes it on.

    >>> from tinygrad_edu import Value
    >>> a = Value(3.0); b = a * a
    >>> [(s.position, s.local, s.contribution, s.grad) for s in chain_rule(b)]
    [(0, 3.0, 3.0, 3.0), (1, 3.0, 3.0, 6.0)]
    """
    _check_node(root, "chain_rule")
    total: dict[Node, float] = {root: 1.0}
    for node in reversed(depth_first(root, keep_leaves=False)):
        upstream = total.get(node, 0.0)
        for position, (parent, local) in enumerate(zip(node._parents, node._local_grads)):
            contribution = local * upstream  # the chain rule: ∂root/∂parent += local · upstream
            grad = total.get(parent, 0.0) + contribution
            total[parent] = grad
            yield ChainStep(node, position, parent, local, upstream, contribution, grad)
