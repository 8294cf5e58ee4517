"""Walking a graph for the tutor: nodes in order, who uses whom, readable names."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..engine import Value, topo_order
from .report import fmt

Grads = dict[Value, float]


def uses(order: list[Value]) -> dict[Value, list[tuple[Value, float]]]:
    """For each node, the nodes that use it and the local derivative along each such edge."""
    out: dict[Value, list[tuple[Value, float]]] = {n: [] for n in order}
    for node in order:
        for parent, local in zip(node.parents, node.local_grads):
            out[parent].append((node, float(local)))
    return out


_MAX_NAME = 40
_INFIX = {"add": "+", "mul": "*", "pow": "**"}


def _wrap(text: str, node: Value) -> str:
    return f"({text})" if " " in text and not node.label else text


def _is_inner(node: Value, prim: str, exponent: float | None = None) -> bool:
    """An unlabelled node the engine made inside a composite (−b of a − b, b⁻¹ of a / b)."""
    p = node.primitive
    if node.label or p is None or p.name != prim:
        return False
    return exponent is None or p.params == (exponent,)


def _expression(node: Value, name: dict[Value, str]) -> str:
    """What the learner wrote to make ``node``, from its parents' names: 'a * b', '0 - yhat'."""
    p = node.primitive
    ps = node.parents
    if p is None:
        return node.op or "?"
    if p.name == "add" and len(ps) == 2 and _is_inner(ps[1], "neg"):
        return f"{_wrap(name[ps[0]], ps[0])} - {_wrap(name[ps[1].parents[0]], ps[1].parents[0])}"
    if p.name == "mul" and len(ps) == 2 and _is_inner(ps[1], "powc", -1.0):
        b = ps[1].parents[0]
        return f"{_wrap(name[ps[0]], ps[0])} / {_wrap(name[b], b)}"
    if p.name in _INFIX and len(ps) == 2:
        return f"{_wrap(name[ps[0]], ps[0])} {_INFIX[p.name]} {_wrap(name[ps[1]], ps[1])}"
    if p.name == "powc":
        return f"{_wrap(name[ps[0]], ps[0])}{p.symbol}"
    if p.name == "neg":
        return f"-{_wrap(name[ps[0]], ps[0])}"
    return f"{p.name}({', '.join(name[q] for q in ps)})"


def names(order: list[Value]) -> dict[Value, str]:
    """A name for every node in the learner's own words: its label, or the expression that
    made it ('a * b', '0 - yhat', 's / c'); a constant is its value. The −b inside a − b and
    the b⁻¹ inside a / b, which the learner never wrote, are named by where they sit."""
    out: dict[Value, str] = {}
    for node in order:
        if node.label:
            out[node] = node.label
        elif not node.parents:
            out[node] = fmt(node.data)
        else:
            text = _expression(node, out)
            out[node] = text if len(text) <= _MAX_NAME else text[: _MAX_NAME - 1] + "…"
    for user_ in order:  # the hidden halves of the composites, named by their composite
        ps = user_.parents
        if len(ps) == 2:
            inner, made = ps[1], _expression(user_, out)
            if _is_inner(inner, "neg") and user_.op == "+":
                out[inner] = f"the -{out[inner.parents[0]]} inside {made}"
            elif _is_inner(inner, "powc", -1.0) and user_.op == "*":
                out[inner] = f"the 1/{out[inner.parents[0]]} inside {made}"
    seen: dict[str, int] = {}
    for node in order:  # two different nodes never share a name
        k = seen.get(out[node], 0)
        seen[out[node]] = k + 1
        if k:
            out[node] = f"{out[node]} (#{k + 1})"
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


def resend(root: Value, limit: int = 200_000) -> Grads:
    """A recursive backward without a topological order: each visit sends the node's whole
    gradient so far on to its parents, so a node reached along two paths is counted twice."""
    grads: Grads = {n: 0.0 for n in topo_order(root)}
    grads[root] = 1.0
    stack = [iter(zip(root.parents, root.local_grads, [root] * len(root.parents)))]
    steps = 0
    while stack and steps < limit:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        steps += 1
        parent, local, node = step
        grads[parent] += float(local) * grads[node]
        stack.append(iter(zip(parent.parents, parent.local_grads, [parent] * len(parent.parents))))
    return grads


def micrograd_second_call(root: Value, first: Mapping[Value, float], seed: float) -> Grads:
    """The gradients after a second call of a backward that never resets (micrograd's loop):
    the root set to ``seed``, every other node adding this pass onto the first."""
    order = topo_order(root)
    grads: Grads = {n: first[n] for n in order}
    grads[root] = seed
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            grads[parent] += float(local) * grads[node]
    return grads


Variant = Callable[[Value], Grads]

# The backward pass with each catalogued mistake applied, for diagnosis.
VARIANTS: tuple[tuple[str, Variant], ...] = (
    ("missing-upstream", lambda r: simulate(r, topo_order(r)[::-1], upstream=False)),
    ("assign-not-accumulate", lambda r: simulate(r, topo_order(r)[::-1], accumulate=False)),
    ("not-topological", lambda r: simulate(r, topo_order(r))),
    ("not-topological", lambda r: simulate(r, breadth_first(r))),
    ("not-topological", lambda r: simulate(r, depth_first_preorder(r))),
    ("double-counting", resend),
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
