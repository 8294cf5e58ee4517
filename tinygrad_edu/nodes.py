"""Grad mode and node creation: the engine's speed section, in a room of its own.

An optimisation of ``engine.apply`` (run the op forward, record parents and local gradients),
not a second engine. It lives apart from ``Value`` so that ``engine.py`` reads as the lesson
does; ``engine`` hands it the ``Value`` class once (``bind``), so making a node costs exactly
what it did inside ``engine.py``: module globals, no extra call. Grad mode lives here because
node creation reads it for every node.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from operator import mul as _mul
from typing import TYPE_CHECKING

from . import ops
from .ops import Primitive

if TYPE_CHECKING:
    from .engine import Value

_ADD = ops.add
_MUL = ops.mul
_NEG = ops.neg
_RELU = ops.relu
_DOT = ops.dot
_sum = sum  # the builtin (ops.dot's forward uses it too)
_new_value = object.__new__
_Value: type[Value]  # engine.Value, set by bind() when the engine is imported


def bind(value_class: type[Value]) -> None:
    """Make the node-creation helpers build instances of ``value_class`` (engine.Value)."""
    global _Value
    _Value = value_class


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
# graph walk backward() uses is graphwalk._backward_order. The table's cheapest entries — add, mul,
# neg, relu, dot — are inlined below instead of calling op.forward and op.rule for every node:
# tests/test_compile_engine.py holds each inlined line bit-identical to its entry in ops.py,
# and every other primitive goes through its forward and rule as before.
def _record(op: Primitive, parents: tuple[Value, ...], data: list[float]) -> Value:
    node = _new_value(_Value)
    node.grad = 0.0
    node.grad_value = None
    node.label = ""
    if op is _DOT:  # Σ wᵢxᵢ + b over data = (w…, x…, b); locals (x…, w…, 1)
        n = len(data) >> 1
        ws = data[:n]
        xs = data[n:-1]
        out = node.data = _sum(map(_mul, ws, xs)) + data[-1]
        if _no_grad_blocks == 0 or _depth.get() == 0:
            node._prim = op
            node._parents = parents
            node._local_grads = (*xs, *ws, 1.0)
            return node
    else:
        out = node.data = op.forward(*data)
        if _no_grad_blocks == 0 or _depth.get() == 0:
            node._prim = op
            node._parents = parents
            node._local_grads = op.rule(out, *data)
            return node
    node._prim = None
    node._parents = ()
    node._local_grads = ()
    return node


# apply() for one and two parents: the same steps without building lists, because these
# run once per node of every graph and dominate the forward pass.
def _apply1(op: Primitive, a: Value) -> Value:
    x = a.data
    node = _new_value(_Value)
    node.grad = 0.0
    node.grad_value = None
    node.label = ""
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
    node = _new_value(_Value)
    node.grad = 0.0
    node.grad_value = None
    node.label = ""
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
