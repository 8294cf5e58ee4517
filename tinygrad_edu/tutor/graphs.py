"""Walking a graph for the tutor: nodes in order, who uses whom, readable names."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..engine import Value, topo_order

Grads = dict[Value, float]


def uses(order: list[Value]) -> dict[Value, list[tuple[Value, float]]]:
    """For each node, the nodes that use it and the local derivative along each such edge."""
    out: dict[Value, list[tuple[Value, float]]] = {n: [] for n in order}
    for node in order:
        for parent, local in zip(node.parents, node.local_grads):
            out[parent].append((node, float(local)))
    return out


def names(order: list[Value]) -> dict[Value, str]:
    """A name for every node: its label, or 'op#k' (k its place in the order) without one."""
    out: dict[Value, str] = {}
    for k, node in enumerate(order, 1):
        out[node] = node.label or (f"{node.op}#{k}" if node.op else f"leaf#{k}")
    return out


def reference_grads(root: Value) -> Grads:
    """∂root/∂node for every node, by the engine's backward() (the graph's grads restored)."""
    order = topo_order(root)
    saved = {n: n.grad for n in order}
    try:
        for n in order:
            n.grad = 0.0
        root.backward()
        return {n: float(n.grad) for n in order}
    finally:
        for n, g in saved.items():
            n.grad = g


def simulate(
    root: Value,
    order: list[Value],
    *,
    upstream: bool = True,
    accumulate: bool = True,
) -> Grads:
    """The chain rule with a mistake applied: visit ``order``, maybe forget × or +=."""
    grads: Grads = {n: 0.0 for n in topo_order(root)}
    grads[root] = 1.0
    for node in order:
        for parent, local in zip(node.parents, node.local_grads):
            c = float(local) * grads[node] if upstream else float(local)
            grads[parent] = grads[parent] + c if accumulate else c
    return grads


def breadth_first(root: Value) -> list[Value]:
    """Nodes in the order a queue from the root first meets them (not topological)."""
    order, seen, i = [root], {root}, 0
    while i < len(order):
        for p in order[i].parents:
            if p not in seen:
                seen.add(p)
                order.append(p)
        i += 1
    return order


def depth_first_preorder(root: Value) -> list[Value]:
    """Nodes in depth-first preorder from the root (not topological)."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(reversed(node.parents))
    return order


Variant = Callable[[Value], Grads]

# The backward pass with each catalogued mistake applied, for diagnosis.
VARIANTS: tuple[tuple[str, Variant], ...] = (
    ("missing-upstream", lambda r: simulate(r, topo_order(r)[::-1], upstream=False)),
    ("assign-not-accumulate", lambda r: simulate(r, topo_order(r)[::-1], accumulate=False)),
    ("not-topological", lambda r: simulate(r, topo_order(r))),
    ("not-topological", lambda r: simulate(r, breadth_first(r))),
    ("not-topological", lambda r: simulate(r, depth_first_preorder(r))),
)


def same(a: Mapping[Value, float], b: Mapping[Value, float], close: Callable[..., bool]) -> bool:
    """True when both give the same gradient (by ``close``) for every node of ``a``."""
    return all(close(b.get(n), g) for n, g in a.items())


def users_text(users: list[tuple[Value, float]], label: Mapping[Value, str]) -> str:
    """'d, L' or 'aa (on both of its edges)': who uses a node, each user named once."""
    counts: dict[Value, int] = {}
    for u, _ in users:
        counts[u] = counts.get(u, 0) + 1
    return ", ".join(
        label[u] + ("" if k == 1 else " (on both of its edges)" if k == 2 else f" ({k} edges)")
        for u, k in counts.items()
    )
