"""The peer of W5: a minimal scalar engine in the now-common layout (about 30 lines of logic).

A ``Value`` holds data, grad, a tuple of children and a tuple of local gradients, all set
directly in each operator; ``backward`` sorts the graph with a recursive depth-first search
(a module-level function: no closure, so no reference cycle keeps a graph alive).
Division is ``a · b⁻¹`` and subtraction ``a + (−b)``, as in tinygrad_edu, so the same user code
computes the same floats on both engines.
"""

from __future__ import annotations

import math
from typing import Union

Operand = Union["Value", float, int]


class Value:
    """One scalar: data, d(root)/d(self), the children it was made from and ∂self/∂child."""

    __slots__ = ("_children", "_local_grads", "data", "grad")

    def __init__(
        self, data: float, children: tuple[Value, ...] = (), local_grads: tuple[float, ...] = ()
    ) -> None:
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other: Operand) -> Value:
        o = other if isinstance(other, Value) else Value(float(other))
        return Value(self.data + o.data, (self, o), (1.0, 1.0))

    def __mul__(self, other: Operand) -> Value:
        o = other if isinstance(other, Value) else Value(float(other))
        return Value(self.data * o.data, (self, o), (o.data, self.data))

    def __pow__(self, n: float) -> Value:
        return Value(self.data**n, (self,), (n * self.data ** (n - 1),))

    def log(self) -> Value:
        return Value(math.log(self.data), (self,), (1.0 / self.data,))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def relu(self) -> Value:
        return Value(max(0.0, self.data), (self,), (float(self.data > 0.0),))

    def __neg__(self) -> Value:
        return self * -1.0

    def __radd__(self, other: Operand) -> Value:
        return Value(float(other)) + self

    def __sub__(self, other: Operand) -> Value:
        return self + (-other)

    def __rsub__(self, other: Operand) -> Value:
        return Value(float(other)) + (-self)

    def __rmul__(self, other: Operand) -> Value:
        return Value(float(other)) * self

    def __truediv__(self, other: Operand) -> Value:
        return self * other**-1

    def backward(self) -> None:
        """d(self)/d(node) into every node's grad (accumulating), via a recursive sort."""
        order: list[Value] = []
        _visit(self, set(), order)
        self.grad = 1.0
        for v in reversed(order):
            for child, local in zip(v._children, v._local_grads):
                child.grad += local * v.grad


def _visit(v: Value, seen: set[Value], order: list[Value]) -> None:
    # a module-level function, not a closure: a recursive closure is a reference cycle that
    # would keep every graph alive until the cyclic collector runs
    if v not in seen:
        seen.add(v)
        for child in v._children:
            _visit(child, seen, order)
        order.append(v)
