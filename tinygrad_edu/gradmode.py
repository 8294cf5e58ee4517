"""Grad mode: ``no_grad()`` blocks, in which operations compute values but record no graph.

Per thread and per asyncio task: a context variable holds the blocks open here. Reading a
context variable for every node would slow the forward pass, so a count of the blocks open in
ALL threads is read first: while it is 0 (nearly always), grad mode is on everywhere.

A block knows whether it is still open, so a block exited somewhere else — a generator suspended
inside ``no_grad()`` and closed by another thread — leaves no thread's grad mode wrong.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from contextvars import ContextVar
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["is_grad_enabled", "no_grad"]

F = TypeVar("F", bound=Callable[..., Any])


class _Block:
    """One entered ``no_grad()`` block: open until it exits, wherever it exits."""

    __slots__ = ("open",)

    def __init__(self) -> None:
        self.open = True


open_blocks = 0  # no_grad blocks open in all threads and tasks: 0 means recording everywhere
_count_lock = threading.Lock()
_blocks_here: ContextVar[tuple[_Block, ...]] = ContextVar("tinygrad_edu_no_grad", default=())


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or task)."""
    return open_blocks == 0 or not any(block.open for block in _blocks_here.get())


class no_grad:  # used like a function: `with no_grad():`, `@no_grad()`
    """Inside this block, operations compute values but record no graph (no parents).

    Per thread and per asyncio task; restored on exceptions; blocks may overlap (grad mode
    comes back when every block opened here has exited). As a decorator it covers every call
    of the function, and every resumption of a generator function.

    >>> from tinygrad_edu import Value
    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.is_leaf, is_grad_enabled()
    (True, True)
    """

    def __init__(self) -> None:
        self._entered: list[_Block] = []

    def __enter__(self) -> None:
        global open_blocks
        block = _Block()
        self._entered.append(block)
        with _count_lock:
            open_blocks += 1
        _blocks_here.set((*(b for b in _blocks_here.get() if b.open), block))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        global open_blocks
        block = self._entered.pop()
        block.open = False  # wherever this exit runs, the thread that opened it sees it closed
        with _count_lock:
            open_blocks -= 1
        here = _blocks_here.get()
        if block in here:
            _blocks_here.set(tuple(b for b in here if b is not block))

    def __call__(self, fn: F) -> F:
        """``@no_grad()``: run each call of ``fn`` (each step of a generator) inside a block."""
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def generator(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
                return (yield from _stepped(fn(*args, **kwargs)))

            return generator  # type: ignore[return-value]

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        return call  # type: ignore[return-value]


def _stepped(gen: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """Drive ``gen`` with each resumption inside its own ``no_grad()`` block (the caller's
    code between two resumptions runs in the caller's own grad mode)."""
    try:
        with no_grad():
            item = next(gen)
        while True:
            try:
                sent = yield item
            except GeneratorExit:
                with no_grad():
                    gen.close()
                raise
            except BaseException as error:
                with no_grad():
                    item = gen.throw(error)
            else:
                with no_grad():
                    item = gen.send(sent)
    except StopIteration as stop:
        return stop.value
