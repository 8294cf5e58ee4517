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

import gc
import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Union

from . import checks, nodes, ops
from .graphwalk import _backward_order, _depth_first
from .nodes import _ONE_ONE, _apply1, _apply2, _record
from .nodes import is_grad_enabled as is_grad_enabled
from .nodes import no_grad as no_grad
from .ops import Primitive

_sum = sum
Number = int | float
Operand = Union["Value", int, float]  # a string forward reference needs Union


def _check_number(x: object, where: str, expected: str = "a Value or a real number") -> float:
    """``float(x)`` for a real number; a TypeError naming ``where`` and the type otherwise."""
    if type(x) is float:
        return x
    if type(x) is int:  # sum()'s start, literals: the common case, before the ABC check
        return float(x)
    if isinstance(x, bool):
        raise TypeError(f"{where}: expected {expected}, got bool {x!r} (pass 1 or 0 to mean it)")
    if isinstance(x, numbers.Real) and not isinstance(x, Value):
        return float(x)
    raise TypeError(f"{where}: expected {expected}, got {type(x).__name__} ({x!r})")


class Value:
    """One scalar node: its value, d(root)/d(self), and how it was made."""

    # A node made by an op sets five slots (data, grad, _prim, _parents, _local_grads); the
    # other three are set on first use, so the properties below read "unset" as the default.
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
    _parents: tuple[Value, ...]
    _local_grads: tuple[float, ...]
    _label: str  # unset: ""
    _grad_value: Value | None  # unset: None
    _meta: dict[str, Any]  # created on first use of .meta: a leaf costs nothing for it

    def __init__(self, data: float, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError("Value: expected a real number, got a Value (use .detach())")
        self.data = _check_number(data, "Value", "a real number")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.grad = 0.0
        self._label = label
        self._prim = None
        self._parents = ()
        self._local_grads = ()

    # ------------------------------------------------------------------ inspection
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
    def grad_value(self) -> Value | None:
        """d(root)/d(self) as a graph, after ``backward(create_graph=True)`` (else None)."""
        try:
            return self._grad_value
        except AttributeError:
            return None

    @grad_value.setter
    def grad_value(self, value: Value | None) -> None:
        self._grad_value = value

    @property
    def op(self) -> str:
        """The symbol of the operation that made this node ('' for a leaf)."""
        return self._prim.symbol if self._prim is not None else ""

    @property
    def _op(self) -> str:
        """micrograd's name for ``op``: the op's symbol as a string ('' for a leaf)."""
        return self._prim.symbol if self._prim is not None else ""

    @property
    def primitive(self) -> Primitive | None:
        """The table entry that made this node (None for a leaf)."""
        return self._prim

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
    # The busiest operators (+, *, −x, exp, log, tanh, relu) are replaced when this module
    # loads by equivalents in nodes.py that build the node inline: the same floats and the
    # same graph, held bit-identical to these definitions by tests/test_compile_engine.py.
    def __add__(self, other: Operand) -> Value:
        return apply(ops.add, self, _lift(other, "add"))

    def __radd__(self, other: Operand) -> Value:
        return apply(ops.add, _lift(other, "add"), self)

    def __mul__(self, other: Operand) -> Value:
        return apply(ops.mul, self, _lift(other, "mul"))

    def __rmul__(self, other: Operand) -> Value:
        return apply(ops.mul, _lift(other, "mul"), self)

    def __neg__(self) -> Value:
        return apply(ops.neg, self)

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
            return _apply2(ops.pow, self, exponent)
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"pow: the exponent must be a number or a Value, got "
                f"{type(exponent).__name__} ({exponent!r})"
            )
        return _apply1(ops.powc(float(exponent)), self)

    def __rpow__(self, base: Operand) -> Value:
        return _apply2(ops.pow, _lift(base, "pow"), self)

    # ------------------------------------------------------------------ functions
    def exp(self) -> Value:
        """eˣ."""
        return apply(ops.exp, self)

    def log(self) -> Value:
        """ln x (x > 0)."""
        return apply(ops.log, self)

    def log1p(self) -> Value:
        """ln(1 + x), accurate near 0."""
        return _apply1(ops.log1p, self)

    def tanh(self) -> Value:
        """tanh x."""
        return apply(ops.tanh, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ), stable for any x."""
        return _apply1(ops.sigmoid, self)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is 0."""
        return apply(ops.relu, self)

    def softplus(self) -> Value:
        """ln(1 + eˣ), stable for any x."""
        return _apply1(ops.softplus, self)

    def abs(self) -> Value:
        """|x|."""
        return _apply1(ops.abs, self)

    def __abs__(self) -> Value:
        return self.abs()

    def sqrt(self) -> Value:
        """√x (x ≥ 0)."""
        return _apply1(ops.sqrt, self)

    def sin(self) -> Value:
        """sin x."""
        return _apply1(ops.sin, self)

    def cos(self) -> Value:
        """cos x."""
        return _apply1(ops.cos, self)

    def clamp(self, lo: float, hi: float) -> Value:
        """min(max(x, lo), hi); gradient 1 inside [lo, hi], 0 outside."""
        return _apply1(ops.clamp(_check_number(lo, "clamp"), _check_number(hi, "clamp")), self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x if x > 0 else slope·x; the derivative at 0 is the slope (as PyTorch)."""
        return _apply1(ops.leaky_relu(_check_number(slope, "leaky_relu", "a real number")), self)

    # ------------------------------------------------------------------ comparisons
    # <, <=, >, >= compare .data and return Python bools, so `if v > 0:`, sorted() and the
    # builtin max() work on Values. == stays identity (nodes are dict keys): use eq() for a
    # value comparison. eq/lt/gt record a node with value 1.0 or 0.0 and zero gradient.
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other, ">=")

    def eq(self, other: Operand) -> Value:
        """1.0 if self.data == other else 0.0, as a node with zero gradient."""
        return _apply2(ops.eq, self, _lift(other, "eq"))

    def lt(self, other: Operand) -> Value:
        """1.0 if self.data < other else 0.0, as a node with zero gradient."""
        return _apply2(ops.lt, self, _lift(other, "lt"))

    def gt(self, other: Operand) -> Value:
        """1.0 if self.data > other else 0.0, as a node with zero gradient."""
        return _apply2(ops.gt, self, _lift(other, "gt"))

    def max(self, other: Operand) -> Value:
        """The larger of the two: m·self + (1 − m)·other with m = gt(other); a tie picks other.

        >>> a, b = Value(2.0), Value(5.0)
        >>> c = a.max(b); c.backward(); (c.data, a.grad, b.grad)
        (5.0, 0.0, 1.0)
        """
        b = _lift(other, "max")
        m = self.gt(b)
        return m * self + (1.0 - m) * b

    def min(self, other: Operand) -> Value:
        """The smaller of the two: m·self + (1 − m)·other with m = lt(other); a tie picks other."""
        b = _lift(other, "min")
        m = self.lt(b)
        return m * self + (1.0 - m) * b

    # ------------------------------------------------------------------ for other engines' code
    @property
    def _prev(self) -> set[Value]:
        """The parents as a set (micrograd's name; ``parents`` keeps order and repeats)."""
        return set(self._parents)

    @property
    def meta(self) -> dict[str, Any]:
        """Free per-node user data (a colour for drawings, say); created on first use."""
        try:
            return self._meta
        except AttributeError:
            self._meta = {}
            return self._meta

    # ------------------------------------------------------------------ backward
    def backward(self, gradient: float = 1.0, create_graph: bool = False) -> None:
        """Set node.grad = gradient · d(self)/d(node) for every node reachable from self.

        ``gradient`` seeds the pass (∂L/∂self when self is an intermediate result, as in
        PyTorch's ``backward(gradient=…)``). Leaves accumulate (``+=``) across calls; interior
        nodes are recomputed. With ``create_graph=True`` each node's ``grad_value`` also holds
        its gradient as a Value connected to the graph, so it can be differentiated again
        (only that pass and ``zero_grad()`` touch ``grad_value``). The loop below is an
        optimisation of ``chain_rule`` (held bit-identical to it by the tests). One shortcut
        skips work, never changes a result: a node of three or more parents whose gradient is
        exactly 0 and whose local gradients are all finite passes nothing on, since adding its
        contributions (±0.0) leaves every sum as it is. (A sum that starts at +0.0 never
        becomes −0.0; only a gradient you set to −0.0 yourself would have turned +0.0.)

        >>> x = Value(3.0); y = x * x; y.backward(gradient=0.5); x.grad
        3.0
        """
        if gradient.__class__ is not float:
            gradient = _check_number(gradient, "backward", "a real number (the seed ∂L/∂self)")
        if create_graph:
            _backward_graph(self, gradient)
            return
        if not self._parents:
            self.grad += gradient  # a leaf root: d(self)/d(self) = 1, accumulated like any leaf
            return
        # speed section (issue 12): the collector is paused for the walk (it allocates no
        # cyclic garbage, and a collection here would traverse the whole live graph)
        collecting = gc.isenabled()
        if collecting:
            gc.disable()
        try:
            order = _backward_order(self)  # also sets every interior grad to 0.0
            self.grad = gradient
            for node in reversed(order):
                parents = node._parents
                g = node.grad
                # the chain rule: ∂root/∂parent += ∂node/∂parent · ∂root/∂node
                n = len(parents)
                if n == 2:  # unrolled for +, *: twice as fast as zip here
                    a, b = parents
                    locals_ = node._local_grads
                    if locals_ is _ONE_ONE:  # an inlined +: 1.0 · g is g exactly
                        a.grad += g
                        b.grad += g
                    else:
                        local_a, local_b = locals_
                        a.grad += local_a * g
                        b.grad += local_b * g
                elif n == 1:
                    parents[0].grad += node._local_grads[0] * g
                else:
                    locals_ = node._local_grads
                    if g == 0.0:  # often: a neuron behind an inactive relu or hinge
                        s = _sum(locals_)
                        if s - s == 0.0:  # every local finite: each contribution is ±0.0,
                            continue  # and adding ±0.0 to a grad leaves it as it is
                    for parent, local in zip(parents, locals_):
                        parent.grad += local * g
        finally:
            if collecting:
                gc.enable()

    def zero_grad(self) -> None:
        """Set this node's gradient to 0 (and forget its graph gradient)."""
        self.grad = 0.0
        self._grad_value = None


@dataclass(frozen=True)
class ChainStep:
    """One application of the chain rule along one edge, as ``chain_rule`` yields it."""

    node: Value  # the node passing its gradient on
    position: int  # which edge: index into node.parents
    parent: Value
    local: float  # ∂node/∂parent
    upstream: float  # ∂root/∂node (final when node is reached)
    contribution: float  # local * upstream
    grad: float  # ∂root/∂parent so far, after adding contribution


def chain_rule(root: Value) -> Iterator[ChainStep]:
    """The reference backward pass, one edge at a time; it never touches ``.grad``.

    Totals start at 0 and the root is seeded with 1.0. Nodes are visited children first
    (reversed topological order), so a node's total is final before it passes it on.
    ``backward()`` below is an optimisation of exactly this loop.

    >>> a = Value(3.0); b = a * a
    >>> [(s.position, s.local, s.contribution, s.grad) for s in chain_rule(b)]
    [(0, 3.0, 3.0, 3.0), (1, 3.0, 3.0, 6.0)]
    """
    if not isinstance(root, Value):
        raise TypeError(f"chain_rule: expected a Value, got {type(root).__name__} ({root!r})")
    total: dict[Value, float] = {root: 1.0}
    for node in reversed(interior_order(root)):
        upstream = total.get(node, 0.0)
        for position, (parent, local) in enumerate(zip(node._parents, node._local_grads)):
            contribution = local * upstream  # the chain rule: ∂root/∂parent += local · upstream
            grad = total.get(parent, 0.0) + contribution
            total[parent] = grad
            yield ChainStep(node, position, parent, local, upstream, contribution, grad)


def _shown(x: object) -> str:
    return f"{type(x).__name__} {checks.show(x)}"


def _data(x: Operand, where: str) -> float:
    """The float of a Value or a number (comparisons read data, never build nodes)."""
    if isinstance(x, Value):
        return x.data
    return _check_number(x, where)


def _lift(x: Operand, where: str) -> Value:
    """``x`` itself if a Value, otherwise a constant leaf holding the number ``x``."""
    if isinstance(x, Value):
        return x
    # speed section: what Value(x) makes, without re-checking a number already checked
    node: Value = _Node()
    node.data = x if x.__class__ is float else _check_number(x, where)
    node.grad = 0.0
    node._prim = None
    node._parents = ()
    node._local_grads = ()
    return node


def apply(op: Primitive, *parents: Value) -> Value:
    """Run ``op`` forward on the parents' data and record the node (unless in no_grad)."""
    return _record(op, parents, [p.data for p in parents])


def topo_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, parents before children; iterative, no recursion.

    Each leaf is emitted as soon as a node that uses it is expanded, in call order, so tapes
    and drawings list a node's inputs before the work on them.
    """
    if not isinstance(root, Value):
        raise TypeError(f"topo_order: expected a Value, got {_shown(root)}")
    return _depth_first(root, keep_leaves=True)


def interior_order(root: Value) -> list[Value]:
    """The nodes made by ops (no leaves) reachable from ``root``, parents before children.

    What backward() walks: leaves need neither ordering nor zeroing, and they are about half
    of the nodes of a typical graph.
    """
    if not isinstance(root, Value):
        raise TypeError(f"interior_order: expected a Value, got {_shown(root)}")
    return _depth_first(root, keep_leaves=False)


def as_value(x: Any) -> Value:
    """``x`` if it is a Value, else a new leaf holding the number ``x``."""
    return _lift(x, "Value")


class _Node(Value):
    """What ops (and constants lifted from numbers) make: a Value in every respect.

    A class of its own only so that making a node runs no Python: with ``object.__init__``
    as its initialiser, ``_Node()`` costs about half of ``object.__new__(Value)``, and the
    engine then sets the five slots itself. It shows itself as ``Value``; test for a node
    with ``isinstance(x, Value)``, as for any class.
    """

    __slots__ = ()
    __init__ = object.__init__


_Node.__name__ = _Node.__qualname__ = "Value"
nodes.bind(Value, _Node, _lift)  # the speed section: node creation, and the inlined operators

# ---------------------------------------------------------------------- in rooms of their own
# Built on Value (they import it from here), so imported last; engine.gradients, engine.vsum, …
# stay where they always were.
from .graphgrad import _backward_graph as _backward_graph  # noqa: E402
from .graphgrad import gradients as gradients  # noqa: E402
from .nary import dot as dot  # noqa: E402
from .nary import dot_shared as dot_shared  # noqa: E402
from .nary import vsum as vsum  # noqa: E402
