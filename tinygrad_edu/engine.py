"""Value: one scalar node of a computation graph, and reverse-mode differentiation over it.

A node stores its parents and the local gradient ∂node/∂parent along each edge, so the whole
backward pass is one loop applying the chain rule: ∂root/∂parent += ∂node/∂parent · ∂root/∂node.
Each operator computes its value, names its parents and writes its local gradients into a new
node; those of the table are generated from ``ops.TABLE`` between the marker comments below.
What a node stores, and the read-only views of it (``parents``, ``label``, …), are in node.py.

Semantics (tests/core/test_engine.py): ``_parents`` is a tuple in call order (``a * a`` has two
edges to ``a``); ``backward()`` sorts without recursion (a chain of a million nodes works);
leaf gradients accumulate across ``backward()`` calls until zeroed, interior ones are
recomputed; nodes are hashable by identity; outside an op's domain the op raises an error
naming the op and the value; NaN passes through every op.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Union

from . import checks, gradmode, ops
from .gcpolicy import gc_paused
from .gradmode import is_grad_enabled as is_grad_enabled
from .gradmode import no_grad as no_grad
from .graphgrad import backward_graph
from .graphgrad import gradients as gradients
from .graphwalk import ChainStep as ChainStep
from .graphwalk import backward_order
from .graphwalk import chain_rule as chain_rule
from .graphwalk import interior_order as interior_order
from .graphwalk import topo_order as topo_order
from .node import Node
from .ops import Primitive

Operand = Union["Value", int, float]  # a string forward reference needs Union


class Value(Node):
    """One scalar node: its value, d(root)/d(self), and how it was made (read: ``Node``)."""

    __slots__ = ()  # the storage is declared by Node: data, grad, _prim, _parents, …

    _parents: tuple[Value, ...]  # Node's fields, typed as Values
    _grad_value: Value | None

    def __init__(self, data: float, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError("Value: expected a real number, got a Value (use .detach())")
        self.data = checks.operand(data, "Value", "a real number")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.grad = 0.0
        self._label = label
        self._prim = None
        self._parents = ()
        self._local_grads = ()

    def detach(self) -> Value:
        """A new leaf with the same data and no history."""
        return Value(self.data, self.label)

    # ------------------------------------------------------------------ operators
    # Composites: no derivative code of their own.
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

    def __abs__(self) -> Value:
        return self.abs()

    # Operators with a parameter: one entry of a family per parameter (ops.powc, …).
    def __pow__(self, exponent: Operand) -> Value:
        """aᵇ: a number exponent is ops.powc(b) (any base); a Value one is ops.pow (a > 0)."""
        if isinstance(exponent, Value):
            return apply(ops.pow, self, exponent)
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"pow: the exponent must be a number or a Value, got "
                f"{type(exponent).__name__} ({exponent!r})"
            )
        return apply(ops.powc(checks.operand(exponent, "pow", "a real number")), self)

    def __rpow__(self, base: Operand) -> Value:
        return apply(ops.pow, _lift(base, "pow"), self)

    def clamp(self, lo: float, hi: float) -> Value:
        """min(max(x, lo), hi); gradient 1 inside [lo, hi], 0 outside."""
        return apply(ops.clamp(checks.operand(lo, "clamp"), checks.operand(hi, "clamp")), self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x if x > 0 else slope·x; the derivative at 0 is the slope (as PyTorch)."""
        return apply(ops.leaky_relu(checks.operand(slope, "leaky_relu", "a real number")), self)

    # ------------------------------------------------------------------ comparisons
    # <, <=, >, >= compare .data and give bools (`if v > 0:`, sorted()); == stays identity
    # (nodes are dict keys); eq/lt/gt are nodes worth 1.0 or 0.0 with zero gradient.
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other, ">=")

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
        """The smaller of the two: m·self + (1 − m)·other with m = lt(other); a tie: other."""
        b = _lift(other, "min")
        m = self.lt(b)
        return m * self + (1.0 - m) * b

    # ---- generated from ops.TABLE by `python -m tinygrad_edu.ops.codegen`: do not edit
    def __add__(self, other: Operand) -> Value:
        """f(a, b) = a + b.   ∂f/∂a = 1, ∂f/∂b = 1."""
        other = other if isinstance(other, Value) else _lift(other, "add")
        a, b = self.data, other.data
        node = _new(Value)
        node.data, node.grad = a + b, 0.0
        node._prim, node._parents, node._local_grads = ops.add, (self, other), (1.0, 1.0)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def __radd__(self, other: Operand) -> Value:
        return _lift(other, "add").__add__(self)

    def __mul__(self, other: Operand) -> Value:
        """f(a, b) = a · b.   ∂f/∂a = b, ∂f/∂b = a."""
        other = other if isinstance(other, Value) else _lift(other, "mul")
        a, b = self.data, other.data
        node = _new(Value)
        node.data, node.grad = a * b, 0.0
        node._prim, node._parents, node._local_grads = ops.mul, (self, other), (b, a)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def __rmul__(self, other: Operand) -> Value:
        return _lift(other, "mul").__mul__(self)

    def __neg__(self) -> Value:
        """f(x) = −x.   df/dx = −1."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = -x, 0.0
        node._prim, node._parents, node._local_grads = ops.neg, (self,), (-1.0,)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def exp(self) -> Value:
        """f(x) = eˣ.   df/dx = eˣ = f (reuses the output)."""
        out = ops.exp.forward(self.data)
        node = _new(Value)
        node.data, node.grad = out, 0.0
        node._prim, node._parents, node._local_grads = ops.exp, (self,), (out,)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def log(self) -> Value:
        """f(x) = ln x (x > 0).   df/dx = 1/x."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = ops.log.forward(x), 0.0
        node._prim, node._parents, node._local_grads = ops.log, (self,), (ops.generic_div(1.0, x),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def tanh(self) -> Value:
        """f(x) = tanh x.   df/dx = 1 − tanh²x = 1 − f² (reuses the output)."""
        out = ops.tanh.forward(self.data)
        node = _new(Value)
        node.data, node.grad = out, 0.0
        node._prim, node._parents, node._local_grads = ops.tanh, (self,), (1.0 - out * out,)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def sigmoid(self) -> Value:
        """f(x) = σ(x) = 1/(1 + e⁻ˣ).   df/dx = σ(x)(1 − σ(x)) = f(1 − f)."""
        out = ops.sigmoid.forward(self.data)
        node = _new(Value)
        node.data, node.grad = out, 0.0
        node._prim, node._parents, node._local_grads = ops.sigmoid, (self,), (out * (1.0 - out),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def relu(self) -> Value:
        """f(x) = max(0, x).   df/dx = 1 if x > 0 else 0 (0 at the kink, as PyTorch)."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = ops.relu.forward(x), 0.0
        node._prim, node._parents = ops.relu, (self,)
        node._local_grads = (1.0 if x > 0.0 else 0.0 if x <= 0.0 else x,)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def abs(self) -> Value:
        """f(x) = |x|.   df/dx = sign(x) (0 at the kink, as PyTorch)."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = ops.abs.forward(x), 0.0
        node._prim, node._parents, node._local_grads = ops.abs, (self,), (ops.generic_sign(x),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def sqrt(self) -> Value:
        """f(x) = √x (x ≥ 0).   df/dx = 1/(2√x) = 1/(2f)."""
        out = ops.sqrt.forward(self.data)
        node = _new(Value)
        node.data, node.grad = out, 0.0
        node._prim, node._parents = ops.sqrt, (self,)
        node._local_grads = (ops.generic_div(0.5, out),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def sin(self) -> Value:
        """f(x) = sin x.   df/dx = cos x."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = ops.sin.forward(x), 0.0
        node._prim, node._parents, node._local_grads = ops.sin, (self,), (ops.generic_cos(x),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def cos(self) -> Value:
        """f(x) = cos x.   df/dx = −sin x."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = ops.cos.forward(x), 0.0
        node._prim, node._parents, node._local_grads = ops.cos, (self,), (-ops.generic_sin(x),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def softplus(self) -> Value:
        """f(x) = ln(1 + eˣ), computed stably.   df/dx = σ(x)."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = ops.softplus.forward(x), 0.0
        node._prim, node._parents = ops.softplus, (self,)
        node._local_grads = (ops.generic_sigmoid(x),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def log1p(self) -> Value:
        """f(x) = ln(1 + x) (x > −1), accurate for small x.   df/dx = 1/(1 + x)."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = ops.log1p.forward(x), 0.0
        node._prim, node._parents = ops.log1p, (self,)
        node._local_grads = (ops.generic_div(1.0, 1.0 + x),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def atan(self) -> Value:
        """f(x) = arctan x.   df/dx = 1/(1 + x²)."""
        x = self.data
        node = _new(Value)
        node.data, node.grad = ops.atan.forward(x), 0.0
        node._prim, node._parents = ops.atan, (self,)
        node._local_grads = (ops.generic_div(1.0, 1.0 + x * x),)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def eq(self, other: Operand) -> Value:
        """f(a, b) = 1 if a = b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
        other = other if isinstance(other, Value) else _lift(other, "eq")
        a, b = self.data, other.data
        node = _new(Value)
        node.data, node.grad = ops.eq.forward(a, b), 0.0
        node._prim, node._parents, node._local_grads = ops.eq, (self, other), (0.0, 0.0)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def lt(self, other: Operand) -> Value:
        """f(a, b) = 1 if a < b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
        other = other if isinstance(other, Value) else _lift(other, "lt")
        a, b = self.data, other.data
        node = _new(Value)
        node.data, node.grad = ops.lt.forward(a, b), 0.0
        node._prim, node._parents, node._local_grads = ops.lt, (self, other), (0.0, 0.0)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    def gt(self, other: Operand) -> Value:
        """f(a, b) = 1 if a > b else 0.   ∂f/∂a = ∂f/∂b = 0 (a step: no slope anywhere)."""
        other = other if isinstance(other, Value) else _lift(other, "gt")
        a, b = self.data, other.data
        node = _new(Value)
        node.data, node.grad = ops.gt.forward(a, b), 0.0
        node._prim, node._parents, node._local_grads = ops.gt, (self, other), (0.0, 0.0)
        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)

    # ---- end of the generated operators

    # ------------------------------------------------------------------ backward
    def backward(self, gradient: float = 1.0, create_graph: bool = False) -> None:
        """Set node.grad = gradient · d(self)/d(node) for every node reachable from self.

        ``gradient`` seeds the pass (∂L/∂self when self is an intermediate result, as in
        PyTorch's ``backward(gradient=…)``). Leaves accumulate (``+=``) across calls; interior
        nodes are recomputed. With ``create_graph=True`` each node's ``grad_value`` also holds
        its gradient as a Value connected to the graph, so it can be differentiated again. The
        loop is ``chain_rule``'s, with two labelled shortcuts that change no result
        (docs/ARCHITECTURE.md, "How to read backward()"); a test holds it to the plain loop.

        >>> x = Value(3.0); y = x * x; y.backward(gradient=0.5); x.grad
        3.0
        """
        seed = checks.operand(gradient, "backward", "a real number (the seed ∂L/∂self)")
        if create_graph:
            backward_graph(self, seed)
            return
        if not self._parents:
            self.grad += seed  # a leaf root: d(self)/d(self) = 1, accumulated like any leaf
            return
        # interior_order(self) in half the time; it sets each listed node's grad to 0.0 on the
        # way (interior gradients are recomputed on every call)
        order = backward_order(self)
        self.grad = seed
        with gc_paused():  # an acyclic graph holds no garbage; a collection would walk it all
            for node in reversed(order):  # children first: node.grad is final when reached
                upstream = node.grad
                if len(node._parents) == 2:  # every + and ·: unpacked, twice as fast as zip
                    (a, b), (local_a, local_b) = node._parents, node._local_grads
                    a.grad += local_a * upstream
                    b.grad += local_b * upstream
                    continue
                if upstream == 0.0 and math.isfinite(sum(node._local_grads)):
                    continue  # a neuron behind a met hinge: each contribution would be ±0.0
                for parent, local in zip(node._parents, node._local_grads):
                    parent.grad += local * upstream  # the chain rule, in one place

    def zero_grad(self) -> None:
        """Set this node's gradient to 0 (and forget its graph gradient)."""
        self.grad = 0.0
        self._grad_value = None


# ---------------------------------------------------------------------- recording a node
_new = object.__new__  # _new(Value): a bare node; Value() would re-check numbers already checked


def _unless_no_grad(node: Value) -> Value:
    """``node`` as its op recorded it, or, inside ``no_grad()`` here, a leaf holding its value.

    The operators call this only while some ``no_grad()`` block is open in some thread."""
    if not is_grad_enabled():
        node._prim, node._parents, node._local_grads = None, (), ()
    return node


def _node(
    out: float, op: Primitive, parents: tuple[Value, ...], local_grads: tuple[Any, ...]
) -> Value:
    """A node holding ``out``, made by ``op`` from ``parents`` with ∂out/∂parent =
    ``local_grads``: what each operator method writes out, for ``apply`` and n-ary nodes."""
    node: Value = _new(Value)
    node.data, node.grad = out, 0.0
    node._prim, node._parents, node._local_grads = op, parents, local_grads
    return node if gradmode.open_blocks == 0 else _unless_no_grad(node)


def apply(op: Primitive, *parents: Value) -> Value:
    """Run ``op`` forward on the parents' data and record the node (its rule gives the locals)."""
    data = [p.data for p in parents]
    out = op.forward(*data)
    return _node(out, op, parents, op.rule(out, *data))


def _lift(x: Operand, where: str) -> Value:
    """``x`` itself if a Value, otherwise a constant leaf holding the number ``x``."""
    if isinstance(x, Value):
        return x
    node: Value = _new(Value)  # a constant leaf, its number checked once
    node.data, node.grad = x if x.__class__ is float else checks.operand(x, where), 0.0
    node._prim, node._parents, node._local_grads = None, (), ()
    return node


def _data(x: Operand, where: str) -> float:
    """The float of a Value or a number (comparisons read data, never build nodes)."""
    if isinstance(x, Value):
        return x.data
    return checks.operand(x, where)


def as_value(x: Any) -> Value:
    """``x`` if it is a Value, else a new leaf holding the number ``x``."""
    return _lift(x, "Value")


def _shown(x: object) -> str:
    return f"{type(x).__name__} {checks.show(x)}"
