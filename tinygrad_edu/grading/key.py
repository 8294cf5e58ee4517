"""Answer keys with the chain-rule line behind every number, for grading by hand too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engine import Value
from ..tutor import Worksheet
from ..tutor.report import factor, fmt

__all__ = ["KeyRow", "key_rows"]


@dataclass(frozen=True)
class KeyRow:
    """One node of the key: where it comes from, its value, its gradient and why."""

    order: int
    node: str
    made_by: str
    value: float
    grad: float
    chain: str


def _users(nodes: Sequence[Value]) -> dict[Value, list[tuple[Value, float]]]:
    out: dict[Value, list[tuple[Value, float]]] = {n: [] for n in nodes}
    for node in nodes:
        for parent, local in zip(node.parents, node.local_grads):
            out[parent].append((node, float(local)))
    return out


def key_rows(ws: Worksheet) -> list[KeyRow]:
    """The key, one row per node in forward order, each with its chain-rule line.

    >>> rows = key_rows(__import__("tinygrad_edu").tutor.worksheet(3, 1))
    >>> rows[0].chain
    '∂L/∂a = ∂L/∂a · ∂L/∂L = 1 · 1 = 1'
    """
    root = ws.root.label
    users = _users(ws.nodes)
    grad = ws.answer_key
    rows = []
    for k, n in enumerate(ws.nodes, 1):
        made = f"{n.op}({', '.join(p.label for p in n.parents)})" if n.parents else "given"
        if n is ws.root:
            chain = f"∂{root}/∂{root} = 1 (the seed)"
        else:
            mine = users[n]
            symbols = " + ".join(f"∂{u.label}/∂{n.label} · ∂{root}/∂{u.label}" for u, _ in mine)
            numbers = " + ".join(f"{factor(loc)} · {factor(grad[u.label])}" for u, loc in mine)
            chain = f"∂{root}/∂{n.label} = {symbols} = {numbers} = {fmt(grad[n.label])}"
        rows.append(KeyRow(k, n.label, made, n.data, grad[n.label], chain))
    return rows
