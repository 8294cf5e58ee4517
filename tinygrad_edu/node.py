"""Node: how to look at one node of a graph — its label, the op that made it, its parents.

The storage of a node — ``data``, ``grad``, and what its op recorded (``_prim``, ``_parents``,
``_local_grads``) — and its read-only views. ``engine.Value`` is the one kind of node: it adds
the arithmetic that records these fields and ``backward()`` that reads them, so engine.py stays
the engine. Typed against ``self``: ``v.parents`` of a Value is a tuple of Values.
"""

from __future__ import annotations

from typing import Any, TypeVar

from .ops import Primitive

N = TypeVar("N", bound="Node")


class Node:
    """What every node records, read-only: ``parents``, ``local_grads``, ``op``, ``label``."""

    # A node made by an op sets five slots (data, grad, _prim, _parents, _local_grads); the
    # other three are set on first use, so the properties read "unset" as the default.
    __slots__ = (
        "_grad_value",
        "_label",
        "_local_grads",
        "_meta",
        "_parents",
        "_prim",
        "data",
        "grad",
    )

    data: float
    grad: float
    _prim: Primitive | None
    _parents: tuple[Any, ...]
    _local_grads: tuple[float, ...]
    _label: str  # set on first use: unset reads as ""
    _grad_value: Any  # set by backward(create_graph=True): unset reads as None
    _meta: dict[str, Any]  # created on first use of .meta: a node costs nothing for it

    @property
    def label(self) -> str:
        """A name for drawings and tapes ('' unless given)."""
        try:
            return self._label
        except AttributeError:
            return ""

    @label.setter
    def label(self, label: str) -> None:
        if not isinstance(label, str):
            raise TypeError(f"label: expected a str, got {type(label).__name__} ({label!r})")
        self._label = label

    @property
    def grad_value(self: N) -> N | None:
        """d(root)/d(self) as a graph, after ``backward(create_graph=True)`` (else None)."""
        try:
            return self._grad_value  # type: ignore[no-any-return]
        except AttributeError:
            return None

    @grad_value.setter
    def grad_value(self: N, value: N | None) -> None:
        self._grad_value = value

    @property
    def op(self) -> str:
        """The symbol of the operation that made this node ('' for a leaf)."""
        return self._prim.symbol if self._prim is not None else ""

    _op = op  # micrograd's name for it

    @property
    def primitive(self) -> Primitive | None:
        """The table entry that made this node (None for a leaf)."""
        return self._prim

    @property
    def parents(self: N) -> tuple[N, ...]:
        """The inputs of the op that made this node, in call order."""
        return self._parents

    @property
    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, aligned with ``parents``."""
        return self._local_grads

    @property
    def _prev(self: N) -> set[N]:
        """The parents as a set (micrograd's name; ``parents`` keeps order and repeats)."""
        return set(self._parents)

    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user (or under no_grad), not by an op."""
        return not self._parents

    @property
    def meta(self) -> dict[str, Any]:
        """Free per-node user data (a colour for drawings, say); created on first use."""
        try:
            return self._meta
        except AttributeError:
            self._meta = {}
            return self._meta

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The float value (as ``tensor.item()``)."""
        return self.data
