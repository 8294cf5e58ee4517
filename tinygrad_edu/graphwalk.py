"""The engine's graph walks: post-order depth-first search with an explicit stack.

``engine.topo_order``/``engine.interior_order`` are the public faces of ``_depth_first``;
``_backward_order`` is the same visit written for the speed of ``Value.backward()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Value


def _depth_first(root: Value, keep_leaves: bool) -> list[Value]:
    """Post-order depth-first search with an explicit stack (a million-node chain is fine).

    A node is expanded once (``visited``), and a ``None`` marker pushed above it says "when
    you pop me, all parents of the node below me are done": popping it emits that node.
    Parents are pushed in reverse so they are visited in call order; leaves are never pushed.
    """
    if not root._parents:
        return [root]
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        node = pop()
        if node is None:
            order.append(pop())  # type: ignore[arg-type]
            continue
        if node in visited:
            continue  # pushed twice before it was expanded
        visited.add(node)
        push(node)
        push(None)
        parents = node._parents
        if keep_leaves:
            for parent in parents:
                if not parent._parents and parent not in visited:
                    visited.add(parent)  # a leaf waits for nothing: emit it at once
                    order.append(parent)
        for parent in reversed(parents):
            if parent._parents and parent not in visited:
                push(parent)
    return order


# ---------------------------------------------------------------------- speed section
# An optimisation of _depth_first(root, keep_leaves=False) for Value.backward().
def _backward_order(root: Value) -> list[Value]:
    """``interior_order(root)`` for backward(), with marks in ``.grad`` instead of a set.

    The same depth-first visit as ``_depth_first(root, keep_leaves=False)`` (tested to give
    the same list), written for speed: a node's state is a per-call mark stored in its grad —
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
    order: list[Value] = []
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
