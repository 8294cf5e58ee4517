"""Running learner code: under a time limit, with the library restored afterwards.

Learner code is untrusted and may be wrong in any way: it may loop for ever, recurse
without end, raise anything, return odd objects, or replace parts of the library
(``Value.backward``, an operator, a module function). :func:`run` calls it so that none of
that escapes as a hang, a raw traceback or a broken library:

* **The time limit.** The learner's code runs in a worker thread (with the caller's
  context, so ``no_grad`` and friends hold there too) while the caller waits ``seconds``;
  if it is still running, :class:`LearnerTimeout` is raised *in the worker* with
  ``PyThreadState_SetAsyncExc`` (via ``ctypes``), again every 50 ms for :data:`GRACE`
  seconds. This works whichever thread calls the tutor (a notebook cell, a grading
  worker), unlike ``signal.setitimer``, which works only in the main thread. The exception
  arrives between two Python bytecodes, so a Python loop or a deep recursion is stopped; a
  single long C call (``sum(range(10**12))``) runs to its end first. Code that swallows
  every exception (``except BaseException: continue``) cannot be stopped from outside: the
  check reports it as not finished after the grace period and leaves the thread behind (a
  daemon: it ends with the process). Where threads cannot start (Pyodide), a
  ``sys.settrace`` hook checks the clock on every line of the learner's code instead.
* **Bounds.** The recursion limit, the trace and profile hooks and the collector's state
  are put back as they were; callers read at most one item past what they expect from a
  learner's result (an endless generator is not followed), and hand tables are refused on
  graphs larger than ``tutor.table.MAX_NODES``.
* **The library restored.** Before the call, every attribute of ``Value`` (and its node
  class), every function and class of the loaded ``tinygrad_edu`` modules, the entries of
  ``ops.TABLE`` and the builtins are noted; after it, anything replaced is put back and
  named in :attr:`Outcome.patched`, so a monkeypatching learner leaves the library intact
  for every later check (and the check that saw it does not say "right").
"""

from __future__ import annotations

import builtins
import contextvars
import ctypes
import gc
import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType, ModuleType
from typing import Any, Generic, TypeVar

from ..ops import table as ops_table

T = TypeVar("T")

DEFAULT_SECONDS = 5.0
_RETRY = 0.05
_LEFT_RUNNING: list[threading.Thread] = []
GRACE = 1.0  # seconds of retries before code that swallows the timeout is left behind


class LearnerTimeout(BaseException):
    """Raised inside learner code that ran past its time limit (a BaseException, so that
    ``except Exception`` in the learner's code does not swallow it)."""


@dataclass
class Outcome(Generic[T]):
    """What a guarded call did: its ``value``, or the ``error`` it raised, or ``timed_out``;
    ``patched`` names what it replaced in the library (restored since)."""

    value: T | None = None
    error: BaseException | None = None
    timed_out: bool = False
    seconds: float = 0.0
    patched: tuple[str, ...] = ()
    left_running: bool = False

    @property
    def note(self) -> str:
        """What a timed-out call left behind, for the report ('' when nothing)."""
        if not self.left_running:
            return ""
        return (
            " It catches every exception, even the time limit's, so it is still running in "
            "the background: restart the kernel to stop it."
        )

    @property
    def ok(self) -> bool:
        return self.error is None and not self.timed_out


# ----------------------------------------------------------------- snapshot and restore
Snapshot = list[tuple[Any, str, dict[str, Any]]]


def _watched_modules() -> list[tuple[str, ModuleType]]:
    mods = [("math", math), ("builtins", builtins)]
    for name, mod in list(sys.modules.items()):
        if (name == "tinygrad_edu" or name.startswith("tinygrad_edu.")) and mod is not None:
            mods.append((name, mod))
    return mods


def _guarded_entries(namespace: dict[str, Any]) -> dict[str, Any]:
    """The callables, classes and table entries of a module (counters and caches are left)."""
    return {
        k: v
        for k, v in namespace.items()
        if callable(v) or isinstance(v, (type, ops_table.Primitive))
    }


def snapshot() -> Snapshot:
    """Note what learner code could replace (restored by :func:`restore`)."""
    from .. import engine, ops

    snap: Snapshot = []
    for name, mod in _watched_modules():
        snap.append((mod, name, _guarded_entries(vars(mod))))
    # Value, its base class Node, and its subclasses (micrograd-style classes)
    classes: list[type] = [*engine.Value.__mro__[:-1], *engine.Value.__subclasses__()]
    for cls in classes:
        snap.append((cls, cls.__name__, dict(vars(cls))))
    snap.append((ops.TABLE, "ops.TABLE", dict(ops.TABLE)))
    for key, prim in ops.TABLE.items():
        snap.append((prim, f"ops.TABLE[{key!r}]", dict(vars(prim))))
    return snap


def restore(snap: Snapshot) -> tuple[str, ...]:
    """Put back everything :func:`snapshot` noted; the names of what had been changed."""
    changed: list[str] = []
    for target, name, saved in snap:
        if isinstance(target, dict):  # ops.TABLE
            for key in [k for k in target if k not in saved]:
                del target[key]
                changed.append(f"{name}[{key!r}]")
            for key, value in saved.items():
                if target.get(key) is not value:
                    target[key] = value
                    changed.append(f"{name}[{key!r}]")
            continue
        if isinstance(target, ModuleType):
            now = _guarded_entries(vars(target))
            for key, value in saved.items():
                if now.get(key) is not value:
                    setattr(target, key, value)
                    changed.append(f"{name}.{key}")
            continue  # names added to a module are left: lazy imports add them legitimately
        current = vars(target)
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                if isinstance(target, type):
                    setattr(target, key, value)
                else:  # a frozen Primitive
                    object.__setattr__(target, key, value)
                changed.append(f"{name}.{key}")
        for key in [k for k in current if k not in saved]:
            if isinstance(target, type):
                delattr(target, key)
            else:
                object.__delattr__(target, key)
            changed.append(f"{name}.{key}")
    return tuple(dict.fromkeys(changed))


_MISSING = object()


# ----------------------------------------------------------------- the watchdog
def _async_raise(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None
    )


def _threads_work() -> bool:
    return sys.platform != "emscripten" and hasattr(ctypes, "pythonapi")


def _call_with_watchdog(thunk: Callable[[], T], seconds: float) -> tuple[T | None, bool]:
    """thunk() in a worker thread (this thread's context copied); (its value, whether the
    time ran out). An error of thunk's is raised here."""
    box: dict[str, Any] = {}
    done = threading.Event()
    context = contextvars.copy_context()

    def work() -> None:
        try:
            try:
                box["value"] = context.run(thunk)
            except LearnerTimeout:
                box["timeout"] = True
            except BaseException as err:  # handed to the caller, raised there
                box["error"] = err
            finally:
                done.set()
        except LearnerTimeout:  # one that arrived as the thunk returned
            pass

    worker = threading.Thread(target=work, name="tutor-learner-code", daemon=True)
    worker.start()
    fired = not done.wait(seconds)
    if fired:
        give_up = time.monotonic() + GRACE
        while not done.is_set() and time.monotonic() < give_up:
            _async_raise(worker.ident or 0, LearnerTimeout)
            done.wait(_RETRY)
        if not done.is_set():  # it swallows every exception: leave it, and say so
            _LEFT_RUNNING.append(worker)
            return None, True
    _async_raise(worker.ident or 0, None)  # clear one that was sent but not yet raised
    worker.join()
    if "error" in box:
        raise box["error"]
    return box.get("value"), fired or "timeout" in box


def _call_with_trace(thunk: Callable[[], T], seconds: float) -> tuple[T | None, bool]:
    """The fallback without threads: a trace hook that checks the clock on every line."""
    deadline = time.monotonic() + seconds
    fired = [False]

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        if time.monotonic() > deadline:
            fired[0] = True
            raise LearnerTimeout
        return tracer

    sys.settrace(tracer)
    try:
        return thunk(), False
    except LearnerTimeout:
        return None, True
    finally:
        sys.settrace(None)


def run(thunk: Callable[[], T], seconds: float = DEFAULT_SECONDS) -> Outcome[T]:
    """``thunk()`` (which calls learner code) under the time limit, the library restored.

    >>> run(lambda: 6 * 7).value
    42
    >>> def spin():
    ...     while True:
    ...         pass
    >>> run(spin, seconds=0.1).timed_out
    True
    """
    limit = sys.getrecursionlimit()
    trace, profile = sys.gettrace(), sys.getprofile()
    collecting = gc.isenabled()
    snap = snapshot()
    start = time.perf_counter()
    out: Outcome[T] = Outcome()
    try:
        call = _call_with_watchdog if _threads_work() else _call_with_trace
        before = len(_LEFT_RUNNING)
        value, fired = call(thunk, seconds)
        out.value, out.timed_out = (None, True) if fired else (value, False)
        out.left_running = len(_LEFT_RUNNING) > before
    except (Exception, SystemExit) as err:  # learner code: exit() too becomes a report
        out.error = err
    finally:
        out.seconds = time.perf_counter() - start
        sys.setrecursionlimit(limit)
        if sys.gettrace() is not trace:  # only when changed: a debugger's hook stays as it is
            sys.settrace(trace)
        if sys.getprofile() is not profile:
            sys.setprofile(profile)
        (gc.enable if collecting else gc.disable)()
        out.patched = restore(snap)
    return out


def describe(x: object) -> str:
    """A short text for a learner's object, never calling the learner's own ``__repr__``
    outside the time limit."""
    shown = run(lambda: _show(x), seconds=1.0)
    return shown.value if shown.ok and shown.value is not None else f"a {type(x).__name__}"


def _show(x: object) -> str:
    from .. import checks

    return checks.show(x)


def as_number(x: object) -> tuple[float | None, str]:
    """A learner's number as a float, or None and why not (call it inside :func:`run`).

    Ints beyond the float range become ±inf; a Value, a string or a bool is not a number.

    >>> as_number(10**400)
    (inf, '')
    >>> as_number("0.5")[1]
    'a str, not a number'
    """
    from .. import checks
    from ..engine import Value

    if isinstance(x, Value):
        return None, "a Value, not a number (use .data or .grad of it)"
    if isinstance(x, bool):
        return None, "a bool, not a number"
    if isinstance(x, int):
        return (float(x) if abs(x) < 2**1023 else (math.inf if x > 0 else -math.inf)), ""
    if not checks.is_real(x):
        if hasattr(x, "dtype") and getattr(x, "shape", None) == ():  # a NumPy 0-d array
            try:
                return float(x), ""  # type: ignore[arg-type]
            except (TypeError, ValueError, OverflowError):
                pass
        return None, f"a {type(x).__name__}, not a number"
    try:
        return float(x), ""  # type: ignore[arg-type]
    except OverflowError:
        return math.copysign(math.inf, x), ""  # type: ignore[arg-type]
