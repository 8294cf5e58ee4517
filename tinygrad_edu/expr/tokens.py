"""The tokenizer: text to :class:`Token` objects, by hand (no ``eval``, ``compile`` or ``ast``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .language import MAX_LENGTH, MAX_NUMBER_LENGTH, SYNTAX, WHITESPACE, ExprError

__all__ = ["Token", "describe", "stream", "tokenize"]

_MINUS_SIGNS = "-\u2212"  # ASCII hyphen-minus and the Unicode minus sign "−" of the lesson
_SINGLE = {"+": "+", "*": "*", "/": "/", "(": "(", ")": ")", ",": ","}


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is "num", "name", an operator or parenthesis, or "end"."""

    kind: str
    text: str
    pos: int


def describe(tok: Token) -> str:
    """The token as an error message names it: "the number 2", "the name 'x'", "')'"."""
    if tok.kind == "end":
        return "the end of the expression"
    if tok.kind == "num":
        return f"the number {tok.text}"
    if tok.kind == "name":
        return f"the name {tok.text!r}"
    return f"{tok.text!r}"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an "end" token; ExprError on anything else.

    >>> [t.kind for t in tokenize("x*2")]
    ['name', '*', 'num', 'end']
    """
    return list(stream(text))


def stream(text: str) -> Iterator[Token]:
    """The tokens of ``text`` one at a time, so that the parser meets problems in reading
    order: in "lambda: 0" the keyword is reported, not the colon after it."""
    if not isinstance(text, str):
        raise TypeError(f"expression: expected a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(
            f"the expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})",
            text,
            MAX_LENGTH,
        )
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in WHITESPACE:
            i += 1
            continue
        if _is_digit(c) or (c == "." and i + 1 < n and _is_digit(text[i + 1])):
            tok = _number(text, i)
        elif _is_name_start(c):
            j = i + 1
            while j < n and _is_name_char(text[j]):
                j += 1
            tok = Token("name", text[i:j], i)
        elif c == "*" and text.startswith("**", i):
            tok = Token("**", "**", i)
        elif c in _MINUS_SIGNS:
            tok = Token("-", c, i)
        elif c in _SINGLE:
            tok = Token(_SINGLE[c], c, i)
        else:
            raise ExprError(_bad_character(c), text, i)
        yield tok
        i += len(tok.text)
    yield Token("end", "", n)


def _is_digit(c: str) -> bool:
    return c.isascii() and c.isdigit()


def _is_name_start(c: str) -> bool:
    return c == "_" or c.isalpha()


def _is_name_char(c: str) -> bool:
    return c == "_" or c.isalpha() or _is_digit(c)


def _number(text: str, i: int) -> Token:
    """The number token starting at ``i``, checked for length and for what follows it."""
    j = _scan_number(text, i)
    if j - i > MAX_NUMBER_LENGTH:
        raise ExprError(
            f"the number literal is too long ({j - i} characters; the limit is "
            f"{MAX_NUMBER_LENGTH})",
            text,
            i,
        )
    if j < len(text) and (text[j] == "." or _is_name_start(text[j])):
        if text[j] == ".":
            raise ExprError("a second decimal point in a number", text, j)
        raise ExprError(
            f"unexpected {text[j]!r} right after the number {text[i:j]} "
            f"(write {text[i:j]}*{text[j]} for a product)",
            text,
            j,
        )
    return Token("num", text[i:j], i)


def _scan_number(text: str, i: int) -> int:
    """The end of the number literal starting at ``i`` (digits, a point, an exponent)."""
    n = len(text)
    j = i
    while j < n and _is_digit(text[j]):
        j += 1
    if j < n and text[j] == ".":
        j += 1
        while j < n and _is_digit(text[j]):
            j += 1
    if j < n and text[j] in "eE":
        k = j + 1
        if k < n and text[k] in "+-":
            k += 1
        if k < n and _is_digit(text[k]):
            while k < n and _is_digit(text[k]):
                k += 1
            j = k
        else:
            raise ExprError(
                f"malformed number {text[i : k + 1]!r}: an exponent needs digits, as in 1e-3",
                text,
                k,
            )
    return j


def _bad_character(c: str) -> str:
    if c == "^":
        return "'^' is not a power here: write x**2 for x squared"
    if c == ".":
        return "attribute access ('.') is not allowed: only " + SYNTAX
    if c in "'\"":
        return "strings are not allowed: only " + SYNTAX
    if c == "=":
        return "'=' is not allowed in an expression (give values with --set x=0.5)"
    if c.isprintable():
        return f"unexpected character {c!r}: only {SYNTAX}"
    return f"unexpected character {c!r} (U+{ord(c):04X}): only {SYNTAX}"
