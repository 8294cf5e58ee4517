"""Value: one scalar node of a computation graph, and reverse-mode differentiation over it.

A node stores its parents and the local gradient ∂node/∂parent along each edge, so the whole
backward pass is one generic loop applying the chain rule::

    ∂root/∂parent += ∂node/∂parent · ∂root/∂node

Semantics (tested in tests/test_engine.py):

* ``_parents`` is a tuple in call order: ``a * a`` has two edges to ``a``.
* ``backward()`` sorts the graph without recursion; a chain of a million nodes works.
* Leaf gradients accumulate across ``backward()`` calls until zeroed (as in PyTorch); interior
  gradients are recomputed on every call, so calling ``backward()`` twice never doubles them.
* Nodes are hashable by identity: ``__eq__`` and ``__hash__`` are not overridden.
* Outside an op's domain the op raises ``ValueError``/``ZeroDivisionError``/``OverflowError``
  naming the op and the value; NaN inputs pass through every op.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Union

from . import ops
from .ops import Primitive

Number = int | float
Operand = Union["Value", int, float]  # a string forward reference needs Union

_grad_enabled = True
_ADD = ops.add
_MUL = ops.mul


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, operations compute values but record no graph (no parents)."""
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()``."""
    return _grad_enabled


def _check_number(x: object, where: str, expected: str = "a Value or a real number") -> float:
    """``float(x)`` for a real number; a TypeError naming ``where`` and the type otherwise."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, Value):
        return float(x)
    raise TypeError(f"{where}: expected {expected}, got {type(x).__name__} ({x!r})")


class Value:
    """One scalar node: its value, d(root)/d(self), and how it was made."""

    __slots__ = ("_local_grads", "_op", "_parents", "data", "grad", "grad_value", "label")

    data: float
    grad: float
    grad_value: Value | None  # d(root)/d(self) as a graph, after backward(create_graph=True)
    label: str
    _op: Primitive | None
    _parents: tuple[Value, ...]
    _local_grads: tuple[float, ...]

    def __init__(self, data: float, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError("Value: expected a real number, got a Value (use .detach())")
        self.data = _check_number(data, "Value", "a real number")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.grad = 0.0
        self.grad_value = None
        self.label = label
        self._op = None
        self._parents = ()
        self._local_grads = ()

    # ------------------------------------------------------------------ inspection
    @property
    def op(self) -> str:
        """The symbol of the operation that made this node ('' for a leaf)."""
        return self._op.symbol if self._op is not None else ""

    @property
    def primitive(self) -> Primitive | None:
        """The table entry that made this node (None for a leaf)."""
        return self._op

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in call order."""
        return self._parents

    @property
    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, aligned with ``parents``."""
        return self._local_grads

    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user (or under no_grad), not by an op."""
        return not self._parents

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The float value (as ``tensor.item()``)."""
        return self.data

    def detach(self) -> Value:
        """A new leaf with the same data and no history."""
        return Value(self.data, self.label)

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Operand) -> Value:
        if other.__class__ is not Value:
            other = _lift(other, "add")
        return _apply2(_ADD, self, other)

    def __radd__(self, other: Operand) -> Value:
        return _apply2(_ADD, _lift(other, "add"), self)

    def __mul__(self, other: Operand) -> Value:
        if other.__class__ is not Value:
            other = _lift(other, "mul")
        return _apply2(_MUL, self, other)

    def __rmul__(self, other: Operand) -> Value:
        return _apply2(_MUL, _lift(other, "mul"), self)

    def __neg__(self) -> Value:
        return _apply1(ops.neg, self)

    def __pos__(self) -> Value:
        return self

    def __sub__(self, other: Operand) -> Value:
        """a − b, as the composite a + (−b)."""
        return self + -_lift(other, "sub")

    def __rsub__(self, other: Operand) -> Value:
        return _lift(other, "sub") + -self

    def __truediv__(self, other: Operand) -> Value:
        """a / b, as the composite a · b⁻¹."""
        other = _lift(other, "div")
        if other.data == 0.0:
            raise ZeroDivisionError(f"div: division by zero ({self.data!r} / {other.data!r})")
        try:
            reciprocal = other**-1
        except OverflowError:  # 1/b itself overflows: say so as a division, not as pow
            raise OverflowError(
                f"div: {self.data!r} / {other.data!r} overflows the float range"
            ) from None
        return self * reciprocal

    def __rtruediv__(self, other: Operand) -> Value:
        return _lift(other, "div") / self

    def __pow__(self, exponent: Operand) -> Value:
        if isinstance(exponent, Value):
            return _apply2(ops.pow_, self, exponent)
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"pow: the exponent must be a number or a Value, got "
                f"{type(exponent).__name__} ({exponent!r})"
            )
        return _apply1(ops.powc(float(exponent)), self)

    def __rpow__(self, base: Operand) -> Value:
        return _apply2(ops.pow_, _lift(base, "pow"), self)

    # ------------------------------------------------------------------ functions
    def exp(self) -> Value:
        """eˣ."""
        return _apply1(ops.exp, self)

    def log(self) -> Value:
        """ln x (x > 0)."""
        return _apply1(ops.log_, self)

    def log1p(self) -> Value:
        """ln(1 + x), accurate near 0."""
        return _apply1(ops.log1p, self)

    def tanh(self) -> Value:
        """tanh x."""
        return _apply1(ops.tanh, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ), stable for any x."""
        return _apply1(ops.sigmoid_, self)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is 0."""
        return _apply1(ops.relu, self)

    def softplus(self) -> Value:
        """ln(1 + eˣ), stable for any x."""
        return _apply1(ops.softplus, self)

    def abs(self) -> Value:
        """|x|."""
        return _apply1(ops.abs_, self)

    def __abs__(self) -> Value:
        return self.abs()

    def sqrt(self) -> Value:
        """√x (x ≥ 0)."""
        return _apply1(ops.sqrt, self)

    def sin(self) -> Value:
        """sin x."""
        return _apply1(ops.sin_, self)

    def cos(self) -> Value:
        """cos x."""
        return _apply1(ops.cos_, self)

    def clamp(self, lo: float, hi: float) -> Value:
        """min(max(x, lo), hi); gradient 1 inside [lo, hi], 0 outside."""
        return _apply1(ops.clamp(_check_number(lo, "clamp"), _check_number(hi, "clamp")), self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x if x > 0 else slope·x, as the composite relu(x) − slope·relu(−x)."""
        return self.relu() - slope * (-self).relu()

    # ------------------------------------------------------------------ backward
    def backward(self, create_graph: bool = False) -> None:
        """Set node.grad = d(self)/d(node) for every node reachable from self.

        Leaves accumulate (``+=``) across calls; interior nodes are recomputed. With
        ``create_graph=True`` each node's ``grad_value`` also holds its gradient as a Value
        connected to the graph, so it can be differentiated again (only that pass and
        ``zero_grad()`` touch ``grad_value``).
        """
        if create_graph:
            _backward_graph(self)
            return
        if not self._parents:
            self.grad += 1.0  # a leaf root: d(self)/d(self) = 1, accumulated like any leaf
            return
        order = interior_order(self)
        for node in order:
            node.grad = 0.0  # interior grads are recomputed on each call
        self.grad = 1.0
        for node in reversed(order):
            parents = node._parents
            g = node.grad
            # the chain rule: ∂root/∂parent += ∂node/∂parent · ∂root/∂node
            if len(parents) == 2:  # unrolled for +, *: twice as fast as zip here
                a, b = parents
                local_a, local_b = node._local_grads
                a.grad += local_a * g
                b.grad += local_b * g
            else:
                for parent, local in zip(parents, node._local_grads):
                    parent.grad += local * g

    def zero_grad(self) -> None:
        """Set this node's gradient to 0 (and forget its graph gradient)."""
        self.grad = 0.0
        self.grad_value = None


def _lift(x: Operand, where: str) -> Value:
    """``x`` itself if a Value, otherwise a constant leaf holding the number ``x``."""
    if isinstance(x, Value):
        return x
    return Value(_check_number(x, where))


def apply(op: Primitive, *parents: Value) -> Value:
    """Run ``op`` forward on the parents' data and record the node (unless in no_grad)."""
    return _record(op, parents, [p.data for p in parents])


def _record(op: Primitive, parents: tuple[Value, ...], data: list[float]) -> Value:
    out = op.forward(*data)
    node = _new_value(Value)
    node.data = out
    node.grad = 0.0
    node.grad_value = None
    node.label = ""
    if _grad_enabled:
        node._op = op
        node._parents = parents
        node._local_grads = op.rule(out, *data)
    else:
        node._op = None
        node._parents = ()
        node._local_grads = ()
    return node


# apply() for one and two parents: the same steps without building lists, because these
# run once per node of every graph and dominate the forward pass.
def _apply1(op: Primitive, a: Value) -> Value:
    x = a.data
    out = op.forward(x)
    node = _new_value(Value)
    node.data = out
    node.grad = 0.0
    node.grad_value = None
    node.label = ""
    if _grad_enabled:
        node._op = op
        node._parents = (a,)
        node._local_grads = op.rule(out, x)
    else:
        node._op = None
        node._parents = ()
        node._local_grads = ()
    return node


def _apply2(op: Primitive, a: Value, b: Value) -> Value:
    x = a.data
    y = b.data
    out = op.forward(x, y)
    node = _new_value(Value)
    node.data = out
    node.grad = 0.0
    node.grad_value = None
    node.label = ""
    if _grad_enabled:
        node._op = op
        node._parents = (a, b)
        node._local_grads = op.rule(out, x, y)
    else:
        node._op = None
        node._parents = ()
        node._local_grads = ()
    return node


_new_value = object.__new__


def topo_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, parents before children; iterative, no recursion.

    Each leaf is emitted as soon as a node that uses it is expanded, in call order, so tapes
    and drawings list a node's inputs before the work on them.
    """
    return _depth_first(root, keep_leaves=True)


def interior_order(root: Value) -> list[Value]:
    """The nodes made by ops (no leaves) reachable from ``root``, parents before children.

    What backward() walks: leaves need neither ordering nor zeroing, and they are about half
    of the nodes of a typical graph.
    """
    return _depth_first(root, keep_leaves=False)


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


# ---------------------------------------------------------------------- n-ary helpers
def vsum(values: Iterable[Operand]) -> Value:
    """Σ values as one n-ary node (one edge per term) instead of a chain of additions."""
    terms = tuple(_lift(v, "sum") for v in values)
    if not terms:
        return Value(0.0)
    return apply(ops.sum_, *terms)


def dot(weights: Sequence[Value], inputs: Sequence[Operand], bias: Value) -> Value:
    """Σ wᵢxᵢ + b as one node with exact local gradients (a neuron's pre-activation)."""
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: {len(weights)} weights but {len(inputs)} inputs; the lengths must match"
        )
    xs = [x if isinstance(x, Value) else _lift(x, "dot") for x in inputs]
    return dot_shared(weights, xs, [x.data for x in xs], bias)


def dot_shared(
    weights: Sequence[Value], inputs: Sequence[Value], input_data: list[float], bias: Value
) -> Value:
    """``dot`` for a layer: all its neurons read the same input Values, whose floats
    (``input_data``) are gathered once per layer instead of once per neuron."""
    data = [w.data for w in weights]
    data += input_data
    data.append(bias.data)
    return _record(ops.dot, (*weights, *inputs, bias), data)


# ---------------------------------------------------------------------- create_graph
def _backward_graph(root: Value) -> dict[Value, Value]:
    """Backward with Value arithmetic: returns {node: d(root)/d(node) as a Value}.

    Also sets ``node.grad`` (float) for every node as ``backward()`` does, so the float view
    stays consistent. Each primitive's ``rule`` runs on Values here: the same rule as the
    ordinary pass, now recording its own graph.
    """
    grads = gradients(root)
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


def gradients(root: Value) -> dict[Value, Value]:
    """d(root)/d(node) for every reachable node, as Values that carry their own graph."""
    if not _grad_enabled:
        raise RuntimeError("gradients: create_graph needs grad mode (called inside no_grad())")
    order = topo_order(root)
    grads: dict[Value, Value] = {root: Value(1.0)}
    for node in reversed(order):
        g = grads.get(node)
        op = node._op
        if g is None or op is None:
            continue
        locals_ = op.rule(node, *node._parents)
        for parent, local in zip(node._parents, locals_):
            contribution = g * local
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution
    return grads


def as_value(x: Any) -> Value:
    """``x`` if it is a Value, else a new leaf holding the number ``x``."""
    return _lift(x, "Value")
