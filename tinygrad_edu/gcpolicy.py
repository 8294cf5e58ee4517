"""When Python's cyclic garbage collector runs during graph work, and how to keep it out.

A graph is acyclic and dies by reference counting, so the cyclic collector never finds garbage
in it; but every young collection walks the nodes made since the last one, and the full
collections that follow walk everything alive — with NumPy, matplotlib or torch imported that
is ~10⁵ objects per collection, paid again every few training steps.

The policy: inside its own calls that build or walk a graph (``backward()``, ``fit``'s step)
the library pauses the collector and restores it afterwards, once the step's graph is freed.
It never changes the global settings (thresholds, enabled) outside those calls. For your own
loops, pause it yourself::

    >>> import gc
    >>> from tinygrad_edu import Value, gc_paused
    >>> with gc_paused():
    ...     x = Value(2.0)
    ...     y = x * x + x
    ...     y.backward()
    ...     paused = not gc.isenabled()
    >>> paused, x.grad, gc.isenabled()
    (True, 5.0, True)

Cycles you create inside the block (not graphs: those have none) are collected after it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block; restore its state on exit.

    Nests: an inner block leaves the collector as the outer one set it. Let the graphs built
    inside die before the block ends (keep them local to a step function): re-enabling while
    a large graph is alive makes the next young collection walk all of it once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
