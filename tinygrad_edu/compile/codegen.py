"""Code for one op, generated from its table entry: the forward, and the local derivatives.

Nothing here knows a primitive by name. The forward is the entry's own ``forward``: written
inline when its body is one ``return <expression>`` (``a + b``, ``math.tanh(x)``, relu's
conditional), called by name otherwise. The local derivatives are the entry's ``derivatives``
text (``"1 - out**2"``) turned into Python over the code's names: ``x`` / ``a``, ``b`` the
inputs, ``out`` the output, the parameter names (``n``, ``lo``, ``slope``) their numbers, and
for n-ary entries ``x_i`` / ``w_i`` each input in turn. The text's vocabulary beyond arithmetic:
the table's functions by name (``cos(x)``, ``log(a)``, ``sigmoid(x)``), ``sign(x)``, and
``e**2`` meaning ``e * e`` (what a rule computes for a square). A test holds the generated code
to every entry's ``rule``, bit for bit, so the text and the rule cannot drift apart.

>>> from tinygrad_edu import ops
>>> gen = OpCode(ops.tanh)
>>> gen.forward(["v0"], {}), gen.locals(["v0"], "v1")
('_math_tanh(v0)', ['1.0 - v1 * v1'])
"""

from __future__ import annotations

import ast
import copy
import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from .. import ops
from ..ops import Primitive
from .forwards import inline, inline_forward, unroll


def sign(x: float) -> float:
    """``sign(x)`` of the derivative texts: 1, −1 or 0 (NaN gives 0, as abs's rule)."""
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


# Functions of the text whose value is finite at every finite argument.
_BOUNDED = frozenset({"sin", "cos", "sigmoid", "sign", "tanh", "atan"})


class TextError(ValueError):
    """A derivative text that is not in the vocabulary this module writes as code."""


def _text_function(name: str) -> Callable[..., float]:
    if name == "sign":
        return sign
    entry = ops.TABLE.get(name)
    if entry is None or entry.arity != 1:
        raise TextError(f"unknown function {name!r} in a derivative text")
    return entry.forward


class _Writer(ast.NodeTransformer):
    """Rewrites a parsed expression: names to code names or numbers, functions to bindings."""

    def __init__(self, names: dict[str, str], numbers: dict[str, float], env: dict[str, Any]):
        self.names = names
        self.numbers = numbers
        self.env = env
        self.finite = True  # every part finite whenever the names are

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.names:
            return ast.Name(self.names[node.id], ast.Load())
        if node.id in self.numbers:
            return _number(self.numbers[node.id], self.env)
        raise TextError(f"unknown name {node.id!r} in a derivative text")

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise TextError(f"unexpected constant {node.value!r} in a derivative text")
        return _number(float(node.value), self.env)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if isinstance(node.op, ast.Pow) and _is_two(node.right):
            base = self.visit(node.left)  # e**2 is e * e, as the rules square
            self.finite = False
            return ast.BinOp(base, ast.Mult(), base)
        if isinstance(node.op, (ast.Div, ast.Pow, ast.Mult)):
            self.finite = False
        elif not isinstance(node.op, (ast.Add, ast.Sub)):
            raise TextError(f"unexpected operator {type(node.op).__name__} in a derivative text")
        else:
            self.finite = False  # a sum of finite floats can overflow too
        node = self.generic_visit(node)  # type: ignore[assignment]
        left, right = _value(node.left), _value(node.right)
        if left is not None and right is not None:  # parameters folded: n - 1 with n = 3
            folded = _FOLD[type(node.op)](left, right)
            return _number(folded, self.env)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if not isinstance(node.func, ast.Name) or node.keywords or len(node.args) != 1:
            raise TextError("a derivative text calls functions by name with one argument")
        fn = _text_function(node.func.id)
        if node.func.id not in _BOUNDED:
            self.finite = False
        arg = self.visit(node.args[0])
        return ast.Call(ast.Name(_bind(self.env, f"_{node.func.id}", fn), ast.Load()), [arg], [])

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if not isinstance(node, _ALLOWED):
            raise TextError(f"unexpected {type(node).__name__} in a derivative text")
        return super().generic_visit(node)


_FOLD: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
}


def _value(node: ast.expr) -> float | None:
    """The number a literal (or a negated literal) stands for; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _value(node.operand)
        return None if inner is None else -inner
    return None


_ALLOWED: tuple[type, ...] = (
    *(ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.IfExp, ast.Compare),
    *(ast.Gt, ast.Lt, ast.GtE, ast.LtE, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Load),
)


def _is_two(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == 2


def _number(value: float, env: dict[str, Any]) -> ast.expr:
    """A float as code: a literal, or a bound name for inf and NaN."""
    if math.isfinite(value):
        if value == 0.0 and math.copysign(1.0, value) < 0.0:
            return ast.UnaryOp(ast.USub(), ast.Constant(0.0))
        if value < 0.0:
            return ast.UnaryOp(ast.USub(), ast.Constant(-value))
        return ast.Constant(value)
    return ast.Name(_bind(env, f"_c_{'nan' if value != value else 'inf'}", value), ast.Load())


def number_code(c: float) -> str:
    """A finite float as a literal safe as an operand (a negative one parenthesised)."""
    if c == 0.0 and math.copysign(1.0, c) < 0.0:
        return "(-0.0)"
    return repr(c) if c >= 0.0 or c != c else f"({c!r})"


def _bind(env: dict[str, Any], name: str, obj: object) -> str:
    """``name`` (or ``name_2``, …) bound to ``obj`` in the generated code's namespace."""
    key, k = name, 1
    while key in env and env[key] is not obj and not _same_float(env[key], obj):
        k += 1
        key = f"{name}_{k}"
    env[key] = obj
    return key


def _same_float(a: object, b: object) -> bool:
    return isinstance(a, float) and isinstance(b, float) and a.hex() == b.hex()


def _text_of_each_input(op: Primitive, n_args: int) -> list[int]:
    """Which text of ``op.derivatives`` is the derivative for each argument."""
    if op.arity >= 0:
        return list(range(op.arity))
    if len(op.derivatives) == 1:
        return [0] * n_args
    n = (n_args - 1) // 2  # (w₁…wₙ, x₁…xₙ, b): the texts for w_i, for x_i, and for b
    return [0] * n + [1] * n + [2]


_PLACEHOLDER = re.compile(r"__A(\d+)__|__OUT__")
_Pieces = list[str | int]  # code text, and the argument each placeholder stands for (-1: out)


def _fill(pieces: _Pieces, names: list[str]) -> list[str]:
    return [p if isinstance(p, str) else names[p] for p in pieces]


def _pieces(code: str) -> _Pieces:
    parts = _PLACEHOLDER.split(code)  # text, group, text, group, …, text
    pieces: _Pieces = []
    for k, part in enumerate(parts):
        if k % 2 == 0:
            pieces.append(part)
        else:
            pieces.append(-1 if part is None else int(part))
    return pieces


class OpCode:
    """The code of one table entry: ``forward(args)`` and ``locals(args, out)`` as text."""

    def __init__(self, op: Primitive) -> None:
        self.op = op
        self.inline = inline_forward(op.forward)
        # per number of arguments: the code with placeholder names, and the names it binds
        self._templates: dict[tuple[str, int], tuple[list[_Pieces], dict[str, Any]]] = {}

    def forward(self, args: Sequence[str], env: dict[str, Any]) -> str:
        """The expression computing the op's output from the code names ``args``."""
        return self._filled("forward", args, "", env)[0]

    def locals(self, args: Sequence[str], out: str, env: dict[str, Any] | None = None) -> list[str]:
        """Each ∂out/∂arg as an expression (raises TextError outside the text's vocabulary)."""
        return self._filled("locals", args, out, {} if env is None else env)

    def _filled(self, kind: str, args: Sequence[str], out: str, env: dict[str, Any]) -> list[str]:
        """The cached code for this many arguments, with the real names put in.

        Writing code from the AST costs tens of microseconds; a graph has thousands of nodes
        of a few kinds, so each kind is written once, with placeholders, and then filled.
        """
        key = (kind, len(args))
        cached = self._templates.get(key)
        if cached is None:
            scratch: dict[str, Any] = {}
            places = [f"__A{i}__" for i in range(len(args))]
            if kind == "forward":
                codes = [self._forward(places, scratch)]
            else:
                codes = self._locals(places, "__OUT__", scratch)
            cached = ([_pieces(code) for code in codes], scratch)
            if len(self._templates) < 64:
                self._templates[key] = cached
        templates, bindings = cached
        for name, obj in bindings.items():
            if name in env and env[name] is not obj and not _same_float(env[name], obj):
                # a name taken by something else in this code: write it afresh
                if kind == "forward":
                    return [self._forward(args, env)]
                return self._locals(args, out, env)
        env.update(bindings)
        names = [*args, out]  # piece -1 is the output
        return ["".join(_fill(pieces, names)) for pieces in templates]

    def _forward(self, args: Sequence[str], env: dict[str, Any]) -> str:
        def bind(name: str, obj: object) -> str:
            return _bind(env, f"_{name.lstrip('_')}", obj)

        def number(c: float) -> ast.expr:
            return _number(c, env)

        if self.inline is not None and len(self.inline[0]) == len(args):
            return inline(self.inline, args, bind, number)
        written = unroll(self.op.forward, list(args), bind, number)
        if written is not None:
            return written
        name = _bind(env, f"_{self.op.name}", self.op.forward)
        return f"{name}({', '.join(args)})"

    def _locals(self, args: Sequence[str], out: str, env: dict[str, Any]) -> list[str]:
        texts = self.op.derivatives
        if not texts:
            raise TextError(f"{self.op.name} has no derivative text")
        numbers = dict(zip(self.op.param_names, self.op.params))
        codes = []
        if self.op.arity >= 0 and len(args) != self.op.arity:
            raise TextError(f"{self.op.name} takes {self.op.arity} inputs, got {len(args)}")
        for j, k in enumerate(_text_of_each_input(self.op, len(args))):
            codes.append(_derivative(texts[k], self._names(args, j, out), numbers, env))
        return codes

    def finite_locals(self) -> bool:
        """Whether every local derivative is finite whenever the inputs and output are."""
        numbers = dict(zip(self.op.param_names, self.op.params))
        for text in self.op.derivatives:
            writer = _Writer(_text_names(text), numbers, {})
            try:
                writer.visit(parse_text(text))
            except TextError:
                return False
            if not writer.finite:
                return False
        return bool(self.op.derivatives)

    def _names(self, args: Sequence[str], j: int, out: str) -> dict[str, str]:
        if self.op.arity == 1:
            return {"x": args[0], "out": out}
        if self.op.arity == 2:
            return {"a": args[0], "b": args[1], "out": out}
        names = {"out": out, "x_i": args[j]}
        if len(self.op.derivatives) > 1:
            n = (len(args) - 1) // 2
            i = j % n if j < 2 * n else 0
            names.update({"w_i": args[i], "x_i": args[n + i], "b": args[-1]})
        return names


def _text_names(text: str) -> dict[str, str]:
    """Each name of ``text`` standing for itself (to analyse a text without code names)."""
    tree = parse_text(text)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    return {n: n for n in names - called}


def parse_text(text: str) -> ast.Expression:
    """A derivative text parsed (a fresh tree: callers may rewrite it in place)."""
    return copy.deepcopy(_parsed(text))


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> ast.Expression:
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise TextError(f"derivative text {text!r} is not an expression") from err


def _derivative(
    text: str, names: dict[str, str], numbers: dict[str, float], env: dict[str, Any]
) -> str:
    tree = _Writer(names, numbers, env).visit(parse_text(text))
    return ast.unparse(ast.fix_missing_locations(tree))


@functools.lru_cache(maxsize=1024)
def op_code(op: Primitive) -> OpCode:
    """The (cached) code generator of ``op``."""
    return OpCode(op)
