"""Tracing: run a function once on Values, and note every comparison it made on them.

``x > 0`` on a Value gives a bool computed from ``x.data``: a branch on it takes one path while
tracing, and a replay would take that path for every input. So while tracing, each comparison a
Value makes (``<``, ``<=``, ``>``, ``>=``, reflected ones included; ``bool()`` where a class
defines it — Value's own truth is its identity, the same on every call) is noted as a
:class:`Guard`; the generated code re-checks it and raises :class:`GuardFailed` when the branch
would go the other way, and the caller traces again or runs eagerly — never a silently wrong
replay. The comparisons are seen through ``sys.setprofile`` (this thread only, only while
tracing): nothing of the engine is replaced.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine import Value

# the methods whose result depends on a Value's data; ``bool`` only if a class defines it
_SYMBOLS = {"__lt__": "<", "__le__": "<=", "__gt__": ">", "__ge__": ">=", "__bool__": "bool"}


class GuardFailed(Exception):
    """A replay reached a comparison that goes the other way than when it was traced."""


@dataclass(frozen=True)
class Guard:
    """``left <symbol> right`` was ``result`` when traced (either side a Value or a float);
    for ``bool`` (a class that defines ``__bool__``), ``bool(left.data)`` was ``result``."""

    left: Value | float
    symbol: str
    right: Value | float | None
    result: bool


def _comparison_codes() -> dict[types.CodeType, str]:
    """The code objects of Value's comparison methods (and of any subclass's own)."""
    codes: dict[types.CodeType, str] = {}
    classes: list[type] = [Value]
    while classes:
        cls = classes.pop()
        classes += cls.__subclasses__()
        for name, symbol in _SYMBOLS.items():
            fn = cls.__dict__.get(name)
            if isinstance(fn, types.FunctionType):
                codes[fn.__code__] = symbol
    return codes


def _operand(x: object) -> Value | float | None:
    if isinstance(x, Value):
        return x
    if isinstance(x, bool):
        return None
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def trace(f: Callable[..., Any], *args: Any) -> tuple[Any, list[Guard]]:
    """``f(*args)`` and the comparisons on Values it made, in order."""
    codes = _comparison_codes()
    guards: list[Guard] = []

    def profile(frame: types.FrameType, event: str, arg: Any) -> None:
        if event != "return" or type(arg) is not bool:
            return
        symbol = codes.get(frame.f_code)
        if symbol is None:
            return
        names = frame.f_code.co_varnames
        left = frame.f_locals.get(names[0]) if names else None
        if symbol == "bool":
            if isinstance(left, Value):
                guards.append(Guard(left, symbol, None, arg))
            return
        right = _operand(frame.f_locals.get(names[1])) if len(names) > 1 else None
        if isinstance(left, Value) and right is not None:
            guards.append(Guard(left, symbol, right, arg))

    previous: Any = sys.getprofile()
    hook = profile
    if callable(previous):  # a profile function of Python's: it still sees every event

        def hook(frame: types.FrameType, event: str, arg: Any) -> None:
            profile(frame, event, arg)
            previous(frame, event, arg)

    sys.setprofile(hook)
    try:
        out = f(*args)
    finally:
        _restore(previous)
    return out, guards


def _restore(previous: Any) -> None:
    """Put back the thread's profiler: a function, or a C profiler such as cProfile's."""
    if previous is None or callable(previous):
        sys.setprofile(previous)
    else:
        sys.setprofile(None)
        previous.enable()  # cProfile.Profile: it reinstalls itself (the trace goes unprofiled)
