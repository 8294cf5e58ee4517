"""Grad mode and node creation: the engine's speed section, in a room of its own.

An optimisation of ``engine.apply`` (run the op forward, record parents and local gradients),
not a second engine. It lives apart from ``Value`` so that ``engine.py`` reads as the lesson
does; ``engine`` hands it the ``Value`` class once (``bind``), so making a node costs exactly
what it did inside ``engine.py``: module globals, no extra call. Grad mode lives here because
node creation reads it for every node.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from operator import mul as _mul
from typing import TYPE_CHECKING, Any

from . import ops
from .ops import Primitive

if TYPE_CHECKING:
    from .engine import Operand, Value

_ADD = ops.add
_MUL = ops.mul
_NEG = ops.neg
_RELU = ops.relu
_DOT = ops.dot
_sum = sum  # the builtin (ops.dot's forward uses it too)
_Value: type[Value]  # engine.Value, set by bind() when the engine is imported
_Node: Callable[[], Value]  # engine._Node: what ops make (a Value whose creation runs no Python)
_lift: Callable[[Operand, str], Value]  # engine._lift (a number becomes a constant leaf)

# Value's own definitions of the operators that bind() replaces, kept for the tests (and for
# anyone reading): each fast operator below must give exactly what its reference gives.
REFERENCE: dict[str, Callable[..., Any]] = {}


def bind(
    value_class: type[Value], node_class: Callable[[], Value], lift: Callable[[Operand, str], Value]
) -> None:
    """Make the helpers build instances of ``node_class`` (engine's Value subclass for op
    results), and install the inlined operators below as ``value_class``'s methods (the
    replaced ones are kept in ``REFERENCE``)."""
    global _Value, _Node, _lift
    _Value = value_class
    _Node = node_class
    _lift = lift
    for name, fast in FAST_OPERATORS.items():
        reference = value_class.__dict__[name]
        REFERENCE[name] = reference
        fast.__doc__ = reference.__doc__
        fast.__name__ = name
        fast.__qualname__ = f"{value_class.__name__}.{name}"
        setattr(value_class, name, fast)


# Grad mode is per thread and per asyncio task (a context variable holding how many no_grad
# blocks are open here). Reading a context variable on every node would slow the forward pass,
# so a module-level count of open blocks in ALL threads is read first: while it is 0 (nearly
# always), grad mode is on everywhere and the context variable is never consulted.
_no_grad_blocks = 0
_count_lock = threading.Lock()
_depth: ContextVar[int] = ContextVar("tinygrad_edu_no_grad_depth", default=0)


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, operations compute values but record no graph (no parents).

    Per thread and per asyncio task; restored on exceptions; blocks may overlap (grad mode
    comes back when every block opened here has exited).

    >>> from tinygrad_edu import Value
    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.is_leaf, is_grad_enabled()
    (True, True)
    """
    global _no_grad_blocks
    with _count_lock:
        _no_grad_blocks += 1
    _depth.set(_depth.get() + 1)
    try:
        yield
    finally:
        _depth.set(_depth.get() - 1)
        with _count_lock:
            _no_grad_blocks -= 1


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or task)."""
    return _no_grad_blocks == 0 or _depth.get() == 0


# An optimisation of the code above, not a second engine: node creation (issue 12); the fast
# graph walk backward() uses is graphwalk._backward_order. _record is apply(): the entry's own
# forward and rule. The table's busiest entries are inlined instead (the operators at the end
# of this module, and _dot for a neuron's Σ wᵢxᵢ + b): tests/test_compile_engine.py holds
# each inlined one bit-identical to its entry in ops.py.
def _record(op: Primitive, parents: tuple[Value, ...], data: list[float]) -> Value:
    node = _Node()
    node.grad = 0.0
    out = node.data = op.forward(*data)
    if _no_grad_blocks == 0 or _depth.get() == 0:
        node._prim = op
        node._parents = parents
        node._local_grads = op.rule(out, *data)
        return node
    return _detached(node)


def _dot(
    weights: Sequence[Value], inputs: Sequence[Value], input_data: list[float], bias: Value
) -> Value:
    """apply(ops.dot, *weights, *inputs, bias), inlined: Σ wᵢxᵢ + b with locals (x…, w…, 1)."""
    ws = [w.data for w in weights]
    node = _Node()
    node.grad = 0.0
    node.data = _sum(map(_mul, ws, input_data)) + bias.data
    if _no_grad_blocks == 0 or _depth.get() == 0:
        node._prim = _DOT
        node._parents = (*weights, *inputs, bias)
        node._local_grads = (*input_data, *ws, 1.0)
        return node
    return _detached(node)


# apply() for one and two parents: the same steps without building lists, because these
# run once per node of every graph and dominate the forward pass.
def _apply1(op: Primitive, a: Value) -> Value:
    x = a.data
    node = _Node()
    node.grad = 0.0
    if op is _RELU:
        node.data = 0.0 if x <= 0.0 else x
        local: tuple[float, ...] = (1.0 if x > 0.0 else 0.0,)
    elif op is _NEG:
        node.data = -x
        local = (-1.0,)
    else:
        out = node.data = op.forward(x)
        if _no_grad_blocks == 0 or _depth.get() == 0:
            node._prim = op
            node._parents = (a,)
            node._local_grads = op.rule(out, x)
            return node
        local = ()
    if _no_grad_blocks == 0 or _depth.get() == 0:
        node._prim = op
        node._parents = (a,)
        node._local_grads = local
    else:
        node._prim = None
        node._parents = ()
        node._local_grads = ()
    return node


def _apply2(op: Primitive, a: Value, b: Value) -> Value:
    x = a.data
    y = b.data
    node = _Node()
    node.grad = 0.0
    if op is _MUL:
        node.data = x * y
        local: tuple[float, ...] = (y, x)
    elif op is _ADD:
        node.data = x + y
        local = (1.0, 1.0)
    else:
        out = node.data = op.forward(x, y)
        if _no_grad_blocks == 0 or _depth.get() == 0:
            node._prim = op
            node._parents = (a, b)
            node._local_grads = op.rule(out, x, y)
            return node
        local = ()
    if _no_grad_blocks == 0 or _depth.get() == 0:
        node._prim = op
        node._parents = (a, b)
        node._local_grads = local
    else:
        node._prim = None
        node._parents = ()
        node._local_grads = ()
    return node


# ---------------------------------------------------------------------- the inlined operators
# Each builds its node in place: no call into apply/_apply2, no op.forward/op.rule calls, the
# five slots of a node set directly. The forward line and the local gradients are the table
# entry's own (ops.add: a + b, (1, 1); ops.mul: a·b, (b, a); ops.neg: −x, (−1,); ops.relu;
# ops.exp: eˣ, (eˣ,); ops.log: ln x, (1/x,); ops.tanh: (1 − out²,)). Where math raises (exp
# overflow, log of x ≤ 0), the entry itself runs, so the error is the table's, by name.
_ONE_ONE = (1.0, 1.0)
_MINUS_ONE = (-1.0,)
_EXP = ops.exp
_LOG = ops.log
_TANH = ops.tanh
_exp = math.exp
_log = math.log
_tanh = math.tanh


def _detached(node: Value) -> Value:
    """The end of every inlined operator inside no_grad: a leaf holding the value."""
    node._prim = None
    node._parents = node._local_grads = ()
    return node


def _unary(node: Value, op: Primitive, parent: Value, local: tuple[float, ...]) -> Value:
    """The end of an inlined one-parent operator: record the edge unless in no_grad."""
    if _no_grad_blocks == 0 or _depth.get() == 0:
        node._prim = op
        node._parents = (parent,)
        node._local_grads = local
        return node
    return _detached(node)


def _fast_add(self: Value, other: Operand) -> Value:
    if other.__class__ is not _Node and other.__class__ is not _Value:
        other = _lift(other, "add")
    node = _Node()
    node.data = self.data + other.data
    node.grad = 0.0
    if _no_grad_blocks == 0 or _depth.get() == 0:
        node._prim = _ADD
        node._parents = (self, other)
        node._local_grads = _ONE_ONE
        return node
    return _detached(node)


def _fast_radd(self: Value, other: Operand) -> Value:
    return _fast_add(_lift(other, "add"), self)  # number + Value: the number comes first


def _fast_mul(self: Value, other: Operand) -> Value:
    if other.__class__ is not _Node and other.__class__ is not _Value:
        other = _lift(other, "mul")
    x = self.data
    y = other.data
    node = _Node()
    node.data = x * y
    node.grad = 0.0
    if _no_grad_blocks == 0 or _depth.get() == 0:
        node._prim = _MUL
        node._parents = (self, other)
        node._local_grads = (y, x)
        return node
    return _detached(node)


def _fast_rmul(self: Value, other: Operand) -> Value:
    return _fast_mul(_lift(other, "mul"), self)


def _fast_neg(self: Value) -> Value:
    node = _Node()
    node.data = -self.data
    node.grad = 0.0
    return _unary(node, _NEG, self, _MINUS_ONE)


def _fast_relu(self: Value) -> Value:
    x = self.data
    node = _Node()
    node.grad = 0.0
    if x <= 0.0:
        node.data = 0.0
        local = (0.0,)
    else:
        node.data = x  # NaN lands here: it passes through, with local gradient 0
        local = (1.0,) if x > 0.0 else (0.0,)
    if _no_grad_blocks == 0 or _depth.get() == 0:  # _unary, inlined: one per neuron
        node._prim = _RELU
        node._parents = (self,)
        node._local_grads = local
        return node
    return _detached(node)


def _fast_exp(self: Value) -> Value:
    try:
        out = _exp(self.data)
    except OverflowError:
        return _apply1(_EXP, self)  # the table's error, naming exp and the input
    node = _Node()
    node.data = out
    node.grad = 0.0
    return _unary(node, _EXP, self, (out,))


def _fast_log(self: Value) -> Value:
    x = self.data
    try:
        out = _log(x)
    except ValueError:
        return _apply1(_LOG, self)  # x ≤ 0: the table's error, naming log and the input
    node = _Node()
    node.data = out
    node.grad = 0.0
    return _unary(node, _LOG, self, (1.0 / x,))


def _fast_tanh(self: Value) -> Value:
    out = _tanh(self.data)
    node = _Node()
    node.data = out
    node.grad = 0.0
    return _unary(node, _TANH, self, (1.0 - out * out,))


FAST_OPERATORS: dict[str, Callable[..., Any]] = {
    "__add__": _fast_add,
    "__radd__": _fast_radd,
    "__mul__": _fast_mul,
    "__rmul__": _fast_rmul,
    "__neg__": _fast_neg,
    "relu": _fast_relu,
    "exp": _fast_exp,
    "log": _fast_log,
    "tanh": _fast_tanh,
}
