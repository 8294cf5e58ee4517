"""A small, safe expression language for building graphs from text: ``"tanh(w*x + b)"``.

The grammar (the precedence is Python's; ``**`` is right-associative and binds tighter than a
unary minus on its left, so ``-x**2`` is ``-(x**2)`` and ``2**-1`` is 0.5)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | power
    power  := atom ("**" unary)?
    atom   := NUMBER | NAME | FUNCTION "(" expr ")" | "(" expr ")"

NUMBER is a decimal literal (``2``, ``0.5``, ``.5``, ``1e-3``); NAME a variable; FUNCTION one of
:data:`FUNCTIONS`, the engine's one-argument functions. The tokenizer and the recursive-descent
parser below are written by hand: user text never reaches ``eval``, ``exec``, ``compile`` or
``ast``. Anything else — attribute access, calls of other names, keywords, ``^``, strings,
huge numbers, nesting deeper than :data:`MAX_DEPTH`, empty input, trailing text — raises
:class:`ExprError`, which says what is wrong and where (0-based position, and a caret line).

Evaluation makes one labelled leaf per name (``x*x`` has two edges into the same leaf ``x``),
number literals become constant leaves, and errors of the engine (``log(-1)``, ``1/0``,
``exp(1000)``) and an operation whose result overflows to inf (``1e308*10``) are reported as
:class:`ExprError` pointing at the operation. A constant
exponent (``x**2``, ``x**-0.5``, ``x**(1/3)``) is folded to a number, so it uses the
number-exponent primitive xⁿ, which accepts negative bases; an exponent that depends on a name
(``2**x``) uses aᵇ, which needs a > 0.
"""

from __future__ import annotations

import functools
import keyword
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from . import ops
from .engine import Value, apply, no_grad

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
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

#: The functions an expression may call: every primitive of ``ops.TABLE`` marked callable by
#: name (a new entry there is a new function here), in alphabetical order.
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    name: functools.partial(apply, op) for name, op in sorted(ops.functions().items())
}

MAX_LENGTH = 4096  # characters; a graph from longer text would not be readable anyway
MAX_DEPTH = 64  # nested parentheses, calls, unary signs and exponents, together
MAX_EXPONENT = 1024.0  # |constant exponent|: beyond it xⁿ over- or underflows for any |x| ≠ 1
MAX_NUMBER_LENGTH = 64  # characters in one number literal

_WHITESPACE = " \t\r\n"
_MINUS_SIGNS = "-\u2212"  # ASCII hyphen-minus and the Unicode minus sign "−" of the lesson
_SINGLE = {"+": "+", "*": "*", "/": "/", "(": "(", ")": ")", ",": ","}
_FUNCTION_LIST = ", ".join(FUNCTIONS)
_SYNTAX = f"numbers, names, + - * / **, parentheses and the functions {_FUNCTION_LIST}"


# --------------------------------------------------------------------------- the error
class ExprError(ValueError):
    """A bad expression: ``message`` about ``text`` at ``position`` (0-based).

    ``str(err)`` is the message, then the text and a caret under the position.
    """

    def __init__(self, message: str, text: str, position: int) -> None:
        self.message = message
        self.text = text
        self.position = max(0, min(position, len(text)))
        super().__init__(f"{message} (at position {self.position})\n{self.caret()}")

    def caret(self) -> str:
        """Two lines: the text (a window of it, if long) and a ``^`` under the position."""
        text = "".join(" " if c in _WHITESPACE else c for c in self.text)
        pos = self.position
        width = 70
        start = max(0, pos - width // 2)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
        left = "…" if start > 0 else ""
        right = "…" if end < len(text) else ""
        shown = left + text[start:end] + right
        return f"  {shown}\n  {' ' * (len(left) + pos - start)}^"


# --------------------------------------------------------------------------- tokens
@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is "num", "name", an operator or parenthesis, or "end"."""

    kind: str
    text: str
    pos: int


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "the end of the expression"
    if tok.kind == "num":
        return f"the number {tok.text}"
    if tok.kind == "name":
        return f"the name {tok.text!r}"
    return f"{tok.text!r}"


def _scan_number(text: str, i: int) -> int:
    """The end of the number literal starting at ``i`` (digits, a point, an exponent)."""
    n = len(text)
    j = i
    while j < n and text[j].isascii() and text[j].isdigit():
        j += 1
    if j < n and text[j] == ".":
        j += 1
        while j < n and text[j].isascii() and text[j].isdigit():
            j += 1
    if j < n and text[j] in "eE":
        k = j + 1
        if k < n and text[k] in "+-":
            k += 1
        if k < n and text[k].isascii() and text[k].isdigit():
            while k < n and text[k].isascii() and text[k].isdigit():
                k += 1
            j = k
        else:
            raise ExprError(
                f"malformed number {text[i : k + 1]!r}: an exponent needs digits, as in 1e-3",
                text,
                k,
            )
    return j


def _is_name_start(c: str) -> bool:
    return c == "_" or c.isalpha()


def _is_name_char(c: str) -> bool:
    return c == "_" or c.isalpha() or (c.isascii() and c.isdigit())


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an "end" token; ExprError on anything else.

    >>> [t.kind for t in tokenize("x*2")]
    ['name', '*', 'num', 'end']
    """
    return list(_tokens(text))


def _tokens(text: str) -> Iterator[Token]:
    # A generator, so that the parser meets problems in reading order: in "lambda: 0" the
    # keyword is reported, not the colon after it.
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
        if c in _WHITESPACE:
            i += 1
        elif (c.isascii() and c.isdigit()) or (
            c == "." and i + 1 < n and text[i + 1].isascii() and text[i + 1].isdigit()
        ):
            j = _scan_number(text, i)
            if j - i > MAX_NUMBER_LENGTH:
                raise ExprError(
                    f"the number literal is too long ({j - i} characters; the limit is "
                    f"{MAX_NUMBER_LENGTH})",
                    text,
                    i,
                )
            if j < n and (text[j] == "." or _is_name_start(text[j])):
                if text[j] == ".":
                    raise ExprError("a second decimal point in a number", text, j)
                raise ExprError(
                    f"unexpected {text[j]!r} right after the number {text[i:j]} "
                    f"(write {text[i:j]}*{text[j]} for a product)",
                    text,
                    j,
                )
            yield Token("num", text[i:j], i)
            i = j
        elif _is_name_start(c):
            j = i + 1
            while j < n and _is_name_char(text[j]):
                j += 1
            yield Token("name", text[i:j], i)
            i = j
        elif c == "*" and text.startswith("**", i):
            yield Token("**", "**", i)
            i += 2
        elif c in _MINUS_SIGNS:
            yield Token("-", c, i)
            i += 1
        elif c in _SINGLE:
            yield Token(_SINGLE[c], c, i)
            i += 1
        else:
            raise ExprError(_bad_character(c), text, i)
    yield Token("end", "", n)


def _bad_character(c: str) -> str:
    if c == "^":
        return "'^' is not a power here: write x**2 for x squared"
    if c == ".":
        return "attribute access ('.') is not allowed: only " + _SYNTAX
    if c in "'\"":
        return "strings are not allowed: only " + _SYNTAX
    if c == "=":
        return "'=' is not allowed in an expression (give values with --set x=0.5)"
    if c.isprintable():
        return f"unexpected character {c!r}: only {_SYNTAX}"
    return f"unexpected character {c!r} (U+{ord(c):04X}): only {_SYNTAX}"


# --------------------------------------------------------------------------- the tree
@dataclass(frozen=True)
class Num:
    """A number literal (a negative literal when a minus sign was folded into it)."""

    value: float
    pos: int


@dataclass(frozen=True)
class Var:
    """A name: one leaf of the graph, however often it occurs."""

    name: str
    pos: int


@dataclass(frozen=True)
class Unary:
    """``-operand`` (a unary plus leaves no node)."""

    op: str
    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    """``left op right`` for op in + - * / **; ``pos`` is the operator's position."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class Call:
    """``func(arg)`` for a function of :data:`FUNCTIONS`; ``pos`` is the name's position."""

    func: str
    arg: Node
    pos: int


Node = Num | Var | Unary | Binary | Call


# --------------------------------------------------------------------------- the parser
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.stream = _tokens(text)
        self.tok = next(self.stream)  # one token of lookahead
        self.prev: Token | None = None
        self.depth = 0

    def error(self, message: str, pos: int | None = None) -> ExprError:
        return ExprError(message, self.text, self.tok.pos if pos is None else pos)

    def advance(self) -> Token:
        tok = self.prev = self.tok
        if tok.kind != "end":
            self.tok = next(self.stream)
        return tok

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the expression is nested too deeply (limit {MAX_DEPTH})", pos)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error("empty expression: write something like tanh(w*x + b)")
        node = self.expr()
        tok = self.tok
        if tok.kind != "end":
            raise self.error(self._trailing(tok))
        return node

    def _trailing(self, tok: Token) -> str:
        if tok.kind == ")":
            return "unmatched ')': there is no '(' to close"
        if tok.kind == "(":
            return "'(' after a complete expression: write a*(b) for a product"
        if tok.kind == "name" and keyword.iskeyword(tok.text):
            return f"the keyword {tok.text!r} is not allowed: only {_SYNTAX}"
        if tok.kind == ",":
            return "unexpected ',': every function takes one argument"
        return f"expected an operator (+ - * / **) or the end, got {_describe(tok)}"

    def expr(self) -> Node:
        node = self.term()
        while self.tok.kind in ("+", "-"):
            op = self.advance()
            node = Binary(op.kind, node, self.term(), op.pos)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.tok.kind in ("*", "/"):
            op = self.advance()
            node = Binary(op.kind, node, self.unary(), op.pos)
        return node

    def unary(self) -> Node:
        tok = self.tok
        if tok.kind not in ("-", "+"):
            return self.power()
        self.advance()
        self.enter(tok.pos)
        operand = self.unary()
        self.depth -= 1
        if tok.kind == "+":
            return operand
        if isinstance(operand, Num):
            return Num(-operand.value, tok.pos)  # a negative literal such as -0.8, as Python
        return Unary("-", operand, tok.pos)

    def power(self) -> Node:
        base = self.atom()
        if self.tok.kind != "**":
            return base
        op = self.advance()
        self.enter(op.pos)
        exponent = self.unary()
        self.depth -= 1
        return Binary("**", base, exponent, op.pos)

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            value = float(tok.text)  # a validated decimal literal, not arbitrary text
            if not math.isfinite(value):
                raise self.error(f"the number {tok.text} is too large for a float", tok.pos)
            return Num(value, tok.pos)
        if tok.kind == "name":
            return self.name()
        if tok.kind == "(":
            self.advance()
            self.enter(tok.pos)
            node = self.group(tok, "'('")
            self.depth -= 1
            return node
        raise self.error(self._expected_operand(tok))

    def _expected_operand(self, tok: Token) -> str:
        if tok.kind == "end":
            return "the expression ends too early: expected a number, a name or '('"
        if tok.kind == ")":
            return "expected a number, a name or '(' before ')'"
        if tok.kind == "*" and self.prev is not None and self.prev.kind == "*":
            return "'* *' is not a power: write ** without a space"
        return f"expected a number, a name or '(', got {_describe(tok)}"

    def group(self, opener: Token, what: str) -> Node:
        if self.tok.kind == ")":
            raise self.error(f"empty parentheses after {what}: expected an expression")
        node = self.expr()
        tok = self.tok
        if tok.kind == ",":
            raise self.error("unexpected ',': every function takes one argument")
        if tok.kind != ")":
            raise self.error(
                f"expected ')' to close the '(' at position {opener.pos}, got {_describe(tok)}"
            )
        self.advance()
        return node

    def name(self) -> Node:
        name = self.tok.text
        if keyword.iskeyword(name):
            raise self.error(f"the keyword {name!r} is not allowed: only {_SYNTAX}")
        tok = self.advance()
        if self.tok.kind == "(":
            if name not in FUNCTIONS:
                raise self.error(
                    f"unknown function {name!r}: the functions are {_FUNCTION_LIST}", tok.pos
                )
            opener = self.advance()
            self.enter(tok.pos)
            arg = self.group(opener, f"{name}")
            self.depth -= 1
            return Call(name, arg, tok.pos)
        if name in FUNCTIONS:
            raise self.error(f"{name!r} is a function: call it, as in {name}(x)", tok.pos)
        return Var(name, tok.pos)


def parse(text: str) -> Node:
    """The syntax tree of ``text``; ExprError (with a position) if it is not an expression.

    >>> parse("x + 1")
    Binary(op='+', left=Var(name='x', pos=0), right=Num(value=1.0, pos=4), pos=2)
    """
    node = _Parser(text).parse()
    _check_exponents(node, text)
    return node


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Call):
        return (node.arg,)
    return ()


def _walk(node: Node) -> list[Node]:
    """Every node, parents before children, without recursion (chains can be long)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(_children(n)))
    return out


def _is_constant(node: Node) -> bool:
    return not any(isinstance(n, Var) for n in _walk(node))


def _check_exponents(root: Node, text: str) -> None:
    for node in _walk(root):
        if (
            isinstance(node, Binary)
            and isinstance(node.right, Num)
            and node.op == "**"
            and abs(node.right.value) > MAX_EXPONENT
        ):
            raise ExprError(
                f"the exponent {node.right.value:g} is too large (|n| ≤ {MAX_EXPONENT:g}: "
                f"beyond it xⁿ over- or underflows a float)",
                text,
                node.right.pos,
            )


def names(node: Node) -> list[str]:
    """The names in the tree, in order of first appearance.

    >>> names(parse("b*a + b"))
    ['b', 'a']
    """
    seen: dict[str, None] = {}
    for n in _walk(node):
        if isinstance(n, Var):
            seen.setdefault(n.name, None)
    return list(seen)


# --------------------------------------------------------------------------- evaluation
def _apply(node: Node, args: list[Value], text: str, exponent: float | None) -> Value:
    out = _apply_op(node, args, text, exponent)
    # The engine checks exp and ** for overflow but not + and *: 1e308*10 would be inf.
    if not math.isfinite(out.data) and all(math.isfinite(a.data) for a in args):
        shown = ", ".join(f"{a.data:g}" for a in args)
        raise ExprError(
            f"{_op_name(node)}: the result overflows the float range (inputs {shown})",
            text,
            node.pos,
        )
    return out


def _op_name(node: Node) -> str:
    if isinstance(node, Call):
        return node.func
    if isinstance(node, Binary):
        return {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}[node.op]
    return "neg"


def _apply_op(node: Node, args: list[Value], text: str, exponent: float | None) -> Value:
    try:
        if isinstance(node, Unary):
            return -args[0]
        if isinstance(node, Call):
            return FUNCTIONS[node.func](args[0])
        assert isinstance(node, Binary)
        if node.op == "**":
            return args[0] ** (exponent if exponent is not None else args[1])
        a, b = args
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        return a / b
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise ExprError(str(err), text, node.pos) from None


def _evaluate(root: Node, leaves: Mapping[str, Value], text: str) -> Value:
    # An explicit stack: ``a + b + c + …`` nests as deep as it is long.
    results: list[Value] = []
    stack: list[tuple[Node, float | None, bool]] = [(root, None, False)]
    while stack:
        node, exponent, expanded = stack.pop()
        if isinstance(node, Num):
            results.append(Value(node.value))
            continue
        if isinstance(node, Var):
            results.append(leaves[node.name])
            continue
        if not expanded:
            if isinstance(node, Binary) and node.op == "**" and _is_constant(node.right):
                exponent = _constant_value(node.right, text, node.pos)
                stack.append((node, exponent, True))
                stack.append((node.left, None, False))
                continue
            stack.append((node, None, True))
            stack.extend((child, None, False) for child in reversed(_children(node)))
            continue
        k = 1 if exponent is not None else len(_children(node))
        args = results[-k:]
        del results[-k:]
        results.append(_apply(node, args, text, exponent))
    return results[0]


def _constant_value(node: Node, text: str, pos: int) -> float:
    """A subtree without names, as a float (computed with the engine, recording nothing)."""
    with no_grad():
        value = _evaluate(node, {}, text).data
    if isinstance(node, Num) or abs(value) <= MAX_EXPONENT:
        return value
    what = "too large" if math.isfinite(value) else "not a finite number"
    raise ExprError(
        f"the exponent {value:g} is {what} (|n| ≤ {MAX_EXPONENT:g}: beyond it xⁿ over- or "
        "underflows a float)",
        text,
        pos,
    )


def _leaves(node: Node, text: str, values: Mapping[str, float | Value]) -> dict[str, Value]:
    leaves: dict[str, Value] = {}
    for n in _walk(node):
        if not isinstance(n, Var) or n.name in leaves:
            continue
        if n.name not in values:
            given = ", ".join(sorted(values)) or "none"
            raise ExprError(
                f"no value for the name {n.name!r} (values were given for: {given})", text, n.pos
            )
        v = values[n.name]
        if isinstance(v, Value):
            leaves[n.name] = v
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            leaves[n.name] = Value(float(v), n.name)
        else:
            raise TypeError(
                f"expression: the value of {n.name!r} must be a number or a Value, got "
                f"{type(v).__name__}"
            )
    return leaves


def build(text: str, values: Mapping[str, float | Value]) -> tuple[Value, dict[str, Value]]:
    """Parse and evaluate ``text``: (root, {name: leaf}) for the names it uses.

    A number in ``values`` becomes a new leaf labelled with its name; a ``Value`` is used
    as it is. Names in ``values`` that the text does not use are ignored.

    >>> root, leaves = build("x*x", {"x": 3.0}); root.backward(); (root.data, leaves["x"].grad)
    (9.0, 6.0)
    """
    node = parse(text)
    leaves = _leaves(node, text, values)
    return _evaluate(node, leaves, text), leaves


def evaluate(text: str, values: Mapping[str, float | Value]) -> Value:
    """The root Value of ``text`` with the given values (see :func:`build`).

    >>> evaluate("atan(w*x)", {"w": 0.5, "x": 2.0}).data  # atan(1) = π/4
    0.7853981633974483
    """
    return build(text, values)[0]


def constant(text: str) -> float:
    """The value of an expression without names, such as ``-0.8`` or ``1/3``.

    >>> constant("1/4")
    0.25
    """
    node = parse(text)
    for n in _walk(node):
        if isinstance(n, Var):
            raise ExprError(f"expected a number, got the name {n.name!r}", text, n.pos)
    with no_grad():
        return _evaluate(node, {}, text).data
