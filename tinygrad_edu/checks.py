"""The one validation policy: every public function checks its arguments with these.

The rules, one per kind of argument (README, "Semantics and conventions"):

* **numbers**: Python ints and floats, NumPy integer and floating scalars and
  ``fractions.Fraction`` are real numbers. **Bools are not**: ``True`` where a number is
  expected is almost always a bug (``y == 1`` passed for ``y``), so it is a TypeError
  everywhere, for ``Value(True)`` as for a learning rate. An int too large for a float is an
  OverflowError naming the function and the value.
* **sizes and counts**: Python ints and NumPy integers (not bools, not floats, not ``2.0``).
* **sequences**: lists, tuples, ranges and NumPy arrays; a string is not a sequence of
  numbers. A batch (rows) must not be ragged: the first row of another length is named.

Every error names the function (``where``), the argument and the offending value, with long
values shortened so a message never runs to megabytes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

__all__ = [
    "count",
    "finite",
    "in_range",
    "is_real",
    "one_of",
    "operand",
    "positive",
    "real",
    "rows",
    "seed",
    "sequence",
    "show",
]

_MAX_SHOWN = 80
_EXACT_INT = 2**53  # every int up to this converts to a float exactly, without overflow


def show(x: object) -> str:
    """``repr(x)``, shortened to about 80 characters (messages never run to megabytes)."""
    try:
        text = repr(x)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(x).__name__}>"
    if len(text) > _MAX_SHOWN:
        text = f"{text[: _MAX_SHOWN - 20]}…({len(text)} characters)"
    return text


def _what(x: object) -> str:
    return f"{type(x).__name__} {show(x)}"


def is_real(x: object) -> bool:
    """True for a real number by the policy above (bools and Values excluded)."""
    if type(x) is float or type(x) is int:
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and not hasattr(x, "_parents")


_BOOL_HINT = "(pass 1 or 0 if you mean it)"


def _is_bool(x: object) -> bool:
    return isinstance(x, bool) or type(x).__name__ == "bool_"


def real(x: object, where: str, name: str = "the argument") -> float:
    """``float(x)`` for a real number; a TypeError (or OverflowError) naming ``where`` otherwise."""
    if type(x) is float:
        return x
    if not is_real(x):
        if _is_bool(x):
            raise TypeError(f"{where}: {name} must be a number, got bool {x!r} {_BOOL_HINT}")
        raise TypeError(f"{where}: {name} must be a real number, got {_what(x)}")
    try:
        return float(x)  # type: ignore[arg-type]
    except OverflowError:
        raise OverflowError(
            f"{where}: {name} is too large for a float: {show(x)} (the largest is about 1.8e308)"
        ) from None


def operand(x: object, where: str, expected: str = "a Value or a real number") -> float:
    """``real`` for the engine's operands, worded as the engine's errors are.

    >>> operand(2, "add")
    2.0
    """
    if type(x) is float:
        return x
    if type(x) is int and -_EXACT_INT <= x <= _EXACT_INT:  # `sum(values)` starts at 0
        return float(x)
    if not is_real(x):
        if _is_bool(x):
            raise TypeError(f"{where}: expected {expected}, got bool {x!r} {_BOOL_HINT}")
        raise TypeError(f"{where}: expected {expected}, got {_what(x)}")
    return real(x, where, "the number")


def finite(x: object, where: str, name: str = "the argument") -> float:
    """A real number that is neither infinite nor NaN."""
    v = real(x, where, name)
    if not math.isfinite(v):
        raise ValueError(f"{where}: {name} must be finite, got {show(x)}")
    return v


def in_range(
    x: object,
    where: str,
    name: str,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number in the interval [low, high] (ends opened by the flags)."""
    v = finite(x, where, name)
    below = v <= low if low_open else v < low
    above = v >= high if high_open else v > high
    if below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        interval = f"{left}{low:g}, {high:g}{right}"
        raise ValueError(f"{where}: {name} must be in {interval}, got {show(x)}")
    return v


def positive(x: object, where: str, name: str = "the argument") -> float:
    """A finite real number > 0."""
    v = finite(x, where, name)
    if not v > 0.0:
        raise ValueError(f"{where}: {name} must be a finite number > 0, got {show(x)}")
    return v


def count(
    x: object,
    where: str,
    name: str = "n",
    minimum: int = 0,
    maximum: int | None = None,
    way_out: str = "",
) -> int:
    """An int ≥ ``minimum`` (NumPy integers accepted; bools and floats refused), and at most
    ``maximum`` when given: past it a ValueError states the bound and ``way_out``, before any
    work is done.

    >>> count(3, "f", "n", maximum=10)
    3
    """
    if isinstance(x, bool) or type(x).__name__ == "bool_" or not isinstance(x, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {_what(x)}")
    n = int(x)
    if n < minimum:
        raise ValueError(f"{where}: {name} must be an int ≥ {minimum}, got {show(x)}")
    if maximum is not None and n > maximum:
        raise ValueError(
            f"{where}: {name} = {show(x)} is over the limit of {maximum:,}"
            + (f"; {way_out}" if way_out else "")
        )
    return n


def seed(x: object, where: str) -> int | None:
    """A seed for ``random.Random``: None (fresh randomness) or an int ≥ 0."""
    return None if x is None else count(x, where, "seed")


def one_of(x: object, where: str, name: str, options: Sequence[Any]) -> Any:
    """``x`` if it is one of ``options``; a ValueError listing them otherwise."""
    try:
        ok = x in options
    except TypeError:  # an unhashable or incomparable value is simply not an option
        ok = False
    if isinstance(x, bool) and not any(isinstance(o, bool) for o in options):
        ok = False  # True == 1, but a flag is not a choice among numbers
    if not ok:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{where}: {name} must be one of {listed}, got {show(x)}")
    return x


def sequence(x: object, where: str, name: str = "the argument") -> Sequence[Any]:
    """``x`` as a sequence (list, tuple, range, NumPy array); strings, None and scalars refused."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{where}: {name} must be a sequence (a list or a tuple), got {_what(x)}")
    if isinstance(x, Sequence):
        return x
    if hasattr(x, "tolist") and hasattr(x, "__len__"):  # a NumPy array, without importing NumPy
        return list(x)  # type: ignore[call-overload, no-any-return]
    if hasattr(x, "__iter__") and not hasattr(x, "_parents"):
        return list(x)  # type: ignore[call-overload, unused-ignore]
    raise TypeError(f"{where}: {name} must be a sequence (a list or a tuple), got {_what(x)}")


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def rows(x: object, where: str, name: str = "X", width: int | None = None) -> list[Sequence[Any]]:
    """A non-ragged batch of rows; the first row whose length differs is named."""
    batch = sequence(x, where, name)
    out: list[Sequence[Any]] = []
    expected = width
    for i, row in enumerate(batch):
        r = sequence(row, where, f"{name}[{i}]")
        if expected is None:
            expected = len(r)
        elif len(r) != expected:
            first = "the model's input size" if width is not None else f"{name}[0]"
            raise ValueError(
                f"{where}: {name} is ragged: {name}[{i}] has {_entries(len(r))} but {first} "
                f"has {expected}"
            )
        out.append(r)
    return out
