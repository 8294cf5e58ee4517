"""The language's vocabulary and limits, and :class:`ExprError`, the error every stage raises."""

from __future__ import annotations

import functools
from collections.abc import Callable

from .. import ops
from ..engine import Value, apply

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NUMBER_LENGTH",
    "ExprError",
]

#: The functions an expression may call: every primitive of ``ops.TABLE`` marked callable by
#: name (a new entry there is a new function here), in alphabetical order.
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    name: functools.partial(apply, op) for name, op in sorted(ops.functions().items())
}

MAX_LENGTH = 4096  # characters; a graph from longer text would not be readable anyway
MAX_DEPTH = 64  # nested parentheses, calls, unary signs and exponents, together
MAX_EXPONENT = 1024.0  # |constant exponent|: beyond it xⁿ over- or underflows for any |x| ≠ 1
MAX_NUMBER_LENGTH = 64  # characters in one number literal

WHITESPACE = " \t\r\n"
FUNCTION_LIST = ", ".join(FUNCTIONS)
SYNTAX = f"numbers, names, + - * / **, parentheses and the functions {FUNCTION_LIST}"


class ExprError(ValueError):
    """A bad expression: ``message`` about ``text`` at ``position`` (0-based).

    ``str(err)`` is the message, then the text and a caret under the position.

    >>> print(ExprError("unexpected '^'", "x^2", 1))
    unexpected '^' (at position 1)
      x^2
       ^
    """

    def __init__(self, message: str, text: str, position: int) -> None:
        self.message = message
        self.text = text
        self.position = max(0, min(position, len(text)))
        super().__init__(f"{message} (at position {self.position})\n{self.caret()}")

    def caret(self) -> str:
        """Two lines: the text (a window of it, if long) and a ``^`` under the position."""
        text = "".join(" " if c in WHITESPACE else c for c in self.text)
        pos = self.position
        width = 70
        start = max(0, pos - width // 2)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
        left = "…" if start > 0 else ""
        right = "…" if end < len(text) else ""
        shown = left + text[start:end] + right
        return f"  {shown}\n  {' ' * (len(left) + pos - start)}^"
