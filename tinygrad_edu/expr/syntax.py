"""The syntax tree (:data:`Node`) and the recursive-descent parser that builds it.

The grammar (the precedence is Python's; ``**`` is right-associative and binds tighter than a
unary minus on its left, so ``-x**2`` is ``-(x**2)`` and ``2**-1`` is 0.5)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | power
    power  := atom ("**" unary)?
    atom   := NUMBER | NAME | FUNCTION "(" expr ")" | "(" expr ")"
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass

from .language import FUNCTION_LIST, FUNCTIONS, MAX_DEPTH, MAX_EXPONENT, SYNTAX, ExprError
from .tokens import Token, describe, stream

__all__ = ["Binary", "Call", "Node", "Num", "Unary", "Var", "children", "names", "parse", "walk"]


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
        self.stream = stream(text)
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
            return f"the keyword {tok.text!r} is not allowed: only {SYNTAX}"
        if tok.kind == ",":
            return "unexpected ',': every function takes one argument"
        return f"expected an operator (+ - * / **) or the end, got {describe(tok)}"

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
        return f"expected a number, a name or '(', got {describe(tok)}"

    def group(self, opener: Token, what: str) -> Node:
        if self.tok.kind == ")":
            raise self.error(f"empty parentheses after {what}: expected an expression")
        node = self.expr()
        tok = self.tok
        if tok.kind == ",":
            raise self.error("unexpected ',': every function takes one argument")
        if tok.kind != ")":
            raise self.error(
                f"expected ')' to close the '(' at position {opener.pos}, got {describe(tok)}"
            )
        self.advance()
        return node

    def name(self) -> Node:
        name = self.tok.text
        if keyword.iskeyword(name):
            raise self.error(f"the keyword {name!r} is not allowed: only {SYNTAX}")
        tok = self.advance()
        if self.tok.kind == "(":
            if name not in FUNCTIONS:
                raise self.error(
                    f"unknown function {name!r}: the functions are {FUNCTION_LIST}", tok.pos
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


# --------------------------------------------------------------------------- walking the tree
def children(node: Node) -> tuple[Node, ...]:
    """The operands of ``node``, left to right (none for a number or a name)."""
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Call):
        return (node.arg,)
    return ()


def walk(node: Node) -> list[Node]:
    """Every node, parents before children, without recursion (chains can be long)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(children(n)))
    return out


def _check_exponents(root: Node, text: str) -> None:
    for node in walk(root):
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
    for n in walk(node):
        if isinstance(n, Var):
            seen.setdefault(n.name, None)
    return list(seen)
