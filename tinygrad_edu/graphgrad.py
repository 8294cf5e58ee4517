"""Gradients as Values (``backward(create_graph=True)``): differentiable a second time."""

from __future__ import annotations

from .engine import Value, _check_number, interior_order, is_grad_enabled, topo_order


def _backward_graph(root: Value, seed: float = 1.0) -> dict[Value, Value]:
    """Backward with Value arithmetic: returns {node: d(root)/d(node) as a Value}.

    Also sets ``node.grad`` (float) for every node as ``backward()`` does, so the float view
    stays consistent. Each primitive's ``rule`` runs on Values here: the same rule as the
    ordinary pass, now recording its own graph.
    """
    grads = gradients(root, seed)
    for node in topo_order(root):
        g = grads.get(node)
        if g is None:
            g = Value(0.0)
        if node._parents:
            node.grad = g.data
            node.grad_value = g
        else:
            base = node.grad_value
            if base is None or base.data != node.grad:
                # what ordinary passes accumulated since has no graph: start from its value
                base = Value(node.grad) if node.grad != 0.0 else None
            node.grad += g.data
            node.grad_value = g if base is None else base + g
    return grads


def gradients(root: Value, seed: float = 1.0) -> dict[Value, Value]:
    """d(root)/d(node) for every reachable node, as Values that carry their own graph.

    The same visiting order as ``chain_rule``; each local derivative is the primitive's rule
    run on Values, so the result can be differentiated again.

    >>> x = Value(3.0); g = gradients(x * x * x)[x]; (g.data, gradients(g)[x].data)
    (27.0, 18.0)
    """
    if not isinstance(root, Value):
        raise TypeError(f"gradients: expected a Value, got {type(root).__name__} ({root!r})")
    if not is_grad_enabled():
        raise RuntimeError("gradients: create_graph needs grad mode (called inside no_grad())")
    grads: dict[Value, Value] = {root: Value(_check_number(seed, "gradients", "a real number"))}
    for node in reversed(interior_order(root)):
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
