"""The graph being drawn: its nodes in order, who uses each, which values are parameters, and
which gradients are known (all of them after backward, or part of them in a step frame)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from ..engine import Value, topo_order
from .format import fmt, grad_sum_text


class NamedParameters(Protocol):
    def named_parameters(self) -> Iterator[tuple[str, Value]]: ...


ParamSource = NamedParameters | Mapping[str, Value] | Iterable[Value] | None


@dataclass
class Graph:
    """A root's nodes in topological order and, for each node, the (child, position) pairs
    that use it, in the order backward visits them."""

    root: Value
    order: list[Value]
    index: dict[Value, int]
    consumers: dict[Value, list[tuple[Value, int]]]


def analyse(root: Value) -> Graph:
    order = topo_order(root)
    index = {v: i for i, v in enumerate(order)}
    consumers: dict[Value, list[tuple[Value, int]]] = {v: [] for v in order}
    for child in reversed(order):
        for pos, parent in enumerate(child.parents):
            consumers[parent].append((child, pos))
    return Graph(root, order, index, consumers)


def check_root(root: object, where: str) -> Value:
    if not isinstance(root, Value):
        hint = (
            "; for several outputs draw their sum, vsum(outputs)" if isinstance(root, list) else ""
        )
        raise TypeError(f"{where}: expected a Value as the root, got {type(root).__name__}{hint}")
    return root


def param_names(params: ParamSource, where: str) -> dict[Value, str]:
    """{parameter: name} from a module, a {name: Value} mapping or an iterable of Values."""
    if params is None:
        return {}
    pairs: Iterable[tuple[str, object]]
    if hasattr(params, "named_parameters"):
        pairs = params.named_parameters()
    elif isinstance(params, Mapping):
        pairs = params.items()
    elif isinstance(params, Iterable):
        pairs = ((getattr(p, "label", ""), p) for p in params)
    else:
        raise TypeError(
            f"{where}: params must be a module, a {{name: Value}} mapping or Values, "
            f"got {type(params).__name__}"
        )
    names: dict[Value, str] = {}
    for name, p in pairs:
        if not isinstance(p, Value):
            raise TypeError(f"{where}: params must hold Values, got {type(p).__name__} ({p!r})")
        names.setdefault(p, name)
    return names


def grads_reached(graph: Graph) -> bool:
    """True if a backward pass has written gradients into this graph (see the package doc)."""
    if graph.root.grad != 0.0:
        return True
    return any(v.grad != 0.0 for v in graph.order if v.parents)


def value_name(v: Value, graph: Graph, names: dict[Value, str]) -> str:
    """What the pictures and captions call ``v``: its parameter name, label, or box id."""
    return names.get(v) or v.label or f"v{graph.index[v]}"


class GradView(Protocol):
    def value(self, node: Value) -> float | None: ...  # None: not known (yet)
    def text(self, node: Value) -> str: ...  # the box's grad field
    def zero(self, node: Value) -> bool: ...  # known, final and exactly 0


class StoredGrads:
    """The gradients the Values hold (after backward), or "not computed yet"."""

    def __init__(self, graph: Graph, computed: bool, precision: int) -> None:
        self.graph = graph
        self.computed = computed
        self.precision = precision

    def value(self, node: Value) -> float | None:
        return node.grad if self.computed else None

    def text(self, node: Value) -> str:
        if not self.computed:
            if node.is_leaf and node.grad != 0.0:
                held = fmt(node.grad, self.precision)
                return f"grad: not computed yet (holds {held} from an earlier backward)"
            return "grad: not computed yet"
        terms = [child.local_grads[pos] * child.grad for child, pos in self.graph.consumers[node]]
        return grad_sum_text(terms, node.grad, self.precision)

    def zero(self, node: Value) -> bool:
        return self.computed and node.grad == 0.0
