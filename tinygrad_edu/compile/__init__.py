"""Trace once, replay: a graph turned into straight-line Python over plain floats.

A program that builds the same graph every time (an MLP's forward pass, a loss) can be recorded
once and written out as code: one assignment per node for the forward pass, then the reverse
sweep — ``∂root/∂parent += ∂node/∂parent · ∂root/∂node`` — as one statement per edge, in exactly
the order ``Value.backward()`` accumulates. Replaying that code with new leaf values gives the
same floats as building the graph again (bit for bit) without creating a single node::

    >>> from tinygrad_edu import Value
    >>> w = Value(0.5, label="w")
    >>> f = compile(lambda x: (x * w + 1.0).tanh(), [2.0], params=[w])
    >>> value, (dx,) = f.value_and_grad(0.3)
    >>> round(value, 12), round(dx, 12), round(w.grad, 12)
    (0.81775407797, 0.165639133981, 0.099383480389)
    >>> print(f.source.splitlines()[0])
    def replay(X, P, G):

Each op's code is generated from its entry in ``ops.TABLE`` (``codegen``): its ``forward``
(inlined when it is one expression) and its ``derivatives`` text (``"1 - out**2"``), so every
op of the table compiles, and a new one needs no edit here.

Known limits (the trace records one run of Python):

* a comparison on a traced Value (``if x > 0``) is a guard: inputs that take the other branch
  are traced again (``MAX_VARIANTS`` traces at most, then calls run eagerly);
* a constant computed from ``.data`` while tracing (``x - max(v.data for v in xs)``, a branch
  on ``x.data > 0``) is frozen at its traced value. ``check=`` compares the first calls with
  an eager rebuild and raises :class:`CompileMismatch` on any difference; a max-shift that
  follows the data is available as :func:`data_max` (a stop-gradient node);
* leaves that are neither inputs nor ``params`` are constants (their value at trace time);
* an arithmetic error during a replay (overflow, log of 0) reruns the step eagerly, so the
  error raised is the library's own message.

Labels are user text: they reach ``.source`` only as ``repr`` of a string in a comment.
Calls of one compiled function are serialised by a lock.
"""

from __future__ import annotations

from .compiled import MAX_VARIANTS, Compiled, CompileMismatch, compile
from .lowering import Lowered, lower
from .shift import DATA_MAX, data_max
from .step import CompiledStep

__all__ = [
    "DATA_MAX",
    "MAX_VARIANTS",
    "CompileMismatch",
    "Compiled",
    "CompiledStep",
    "Lowered",
    "compile",
    "data_max",
    "lower",
]
