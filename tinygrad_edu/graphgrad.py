"""Gradients as Values (``backward(create_graph=True)``): differentiable a second time.

The same visiting order as ``engine.chain_rule``; each local derivative is the primitive's rule
run on Values, so the result carries its own graph. Written against the node's fields and its
own class (``type(root)`` makes the constants), so the engine imports it and not the reverse.
"""

from __future__ import annotations

from typing import Any

from . import checks
from .gradmode import is_grad_enabled
from .graphwalk import depth_first


def _is_node(x: object) -> bool:
    return hasattr(x, "_parents") and hasattr(x, "_prim")


def backward_graph(root: Any, seed: float = 1.0) -> dict[Any, Any]:
    """Backward with Value arithmetic: returns {node: d(root)/d(node) as a Value}.

    Also sets ``node.grad`` (float) for every node as ``backward()`` does, so the float view
    stays consistent; ``grad_value`` holds the Value (leaves accumulate across calls).
    """
    grads = gradients(root, seed)
    make = type(root)
    for node in depth_first(root, keep_leaves=True):
        g = grads.get(node)
        if g is None:
            g = make(0.0)
        if node._parents:
            node.grad = g.data
            node.grad_value = g
        else:
            base = node.grad_value
            if base is None or base.data != node.grad:
                # what ordinary passes accumulated since has no graph: start from its value
                base = make(node.grad) if node.grad != 0.0 else None
            node.grad += g.data
            node.grad_value = g if base is None else base + g
    return grads


def gradients(root: Any, seed: float = 1.0) -> dict[Any, Any]:
    """d(root)/d(node) for every reachable node, as Values that carry their own graph.

    >>> from tinygrad_edu import Value
    >>> x = Value(3.0); g = gradients(x * x * x)[x]; (g.data, gradients(g)[x].data)
    (27.0, 18.0)
    """
    if not _is_node(root):
        raise TypeError(f"gradients: expected a Value, got {type(root).__name__} ({root!r})")
    if not is_grad_enabled():
        raise RuntimeError("gradients: create_graph needs grad mode (called inside no_grad())")
    grads: dict[Any, Any] = {root: type(root)(checks.operand(seed, "gradients", "a real number"))}
    for node in reversed(depth_first(root, keep_leaves=False)):
        g = grads.get(node)
        op = node._prim
        if g is None or op is None:
            continue
        locals_ = op.rule(node, *node._parents)
        for parent, local in zip(node._parents, locals_):
            contribution = g * local
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution
    return grads
