"""A small, safe expression language for building graphs from text: ``"tanh(w*x + b)"``.

NUMBER is a decimal literal (``2``, ``0.5``, ``.5``, ``1e-3``); NAME a variable; FUNCTION one of
:data:`FUNCTIONS`, the engine's one-argument functions; the grammar is in :mod:`.syntax`. User
text never reaches ``eval``, ``exec``, ``compile`` or ``ast``. Anything else — attribute access,
calls of other names, keywords, ``^``, strings, huge numbers, nesting deeper than
:data:`MAX_DEPTH`, empty input, trailing text — raises :class:`ExprError`, which says what is
wrong and where (0-based position, and a caret line).

The rooms, each importing only the ones before it: ``language`` (functions, limits, the error),
``tokens`` (text to tokens), ``syntax`` (the tree and the parser), ``evaluation`` (tree to
Values).
"""

from __future__ import annotations

from .evaluation import build, constant, evaluate
from .language import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NUMBER_LENGTH,
    ExprError,
)
from .syntax import Binary, Call, Node, Num, Unary, Var, names, parse
from .tokens import Token, tokenize

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NUMBER_LENGTH",
    "Binary",
    "Call",
    "ExprError",
    "Node",
    "Num",
    "Token",
    "Unary",
    "Var",
    "build",
    "constant",
    "evaluate",
    "names",
    "parse",
    "tokenize",
]
