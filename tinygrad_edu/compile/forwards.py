"""A forward written out as code: a one-line forward inlined, an n-ary one unrolled.

A forward whose body is one ``return <expression>`` of fixed parameters is that expression with
the call's names put in (``inline_forward`` and ``inline``). An n-ary forward (``def dot(*args)``)
is written out for one call's number of arguments (``unroll``): its own body is evaluated
symbolically, with ``args`` a tuple of code names of known length. Integer arithmetic on
``len(args)`` is done now, slices pick names, ``map(operator.mul, A, B)`` becomes the products
``a * b`` one by one, and a call of a function on such a tuple passes it as a tuple display
(``_sum((w0 * x0, w1 * x1)) + b``). The same operations in the same order as the forward, so
the same floats; a body outside this small subset (a ``try``, a loop) gives None, and the
caller calls the forward by name instead.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import inspect
import operator
import sys
import textwrap
import types
from collections.abc import Callable, Sequence
from typing import Any

_OPERATORS: dict[Any, ast.operator] = {
    operator.mul: ast.Mult(),
    operator.add: ast.Add(),
    operator.sub: ast.Sub(),
    operator.truediv: ast.Div(),
}
_INT_OPS: dict[type, Callable[[int, int], int]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
}


# Before 3.12, sum() of floats adds left to right from 0 (3.12 compensates): then a short sum
# is written as the chain 0.0 + t₁ + t₂ + … (the same roundings, and no call). Longer sums stay
# one call on a flat tuple, so no expression nests deeper than the chain limit.
_PLAIN_SUM = sys.version_info < (3, 12)
_CHAIN_LIMIT = 32


class _GiveUp(Exception):
    """The body uses something this evaluator does not write out."""


@functools.lru_cache(maxsize=256)
def _body(forward: Callable[..., float]) -> tuple[str, list[ast.stmt]] | None:
    """(the varargs name, the statements after the docstring) of an n-ary forward."""
    if not isinstance(forward, types.FunctionType):
        return None
    code = forward.__code__
    if not code.co_flags & inspect.CO_VARARGS or code.co_argcount or code.co_kwonlyargcount:
        return None
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(forward)))
    except (OSError, TypeError, SyntaxError):
        return None
    fn = tree.body[0] if tree.body else None
    if not isinstance(fn, ast.FunctionDef) or fn.args.vararg is None:
        return None
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return fn.args.vararg.arg, body


class _Evaluator:
    def __init__(
        self,
        forward: types.FunctionType,
        bind: Callable[[str, object], str],
        number: Callable[[float], ast.expr],
    ):
        self.forward = forward
        self.bind = bind
        self.number = number
        self.locals: dict[str, Any] = {}

    def run(self, body: list[ast.stmt]) -> ast.expr:
        for stmt in body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            elif isinstance(stmt, ast.Return) and stmt.value is not None:
                return self.expr(self.eval(stmt.value))
            else:
                raise _GiveUp
            if not isinstance(target, ast.Name):
                raise _GiveUp
            self.locals[target.id] = self.eval(value)
        raise _GiveUp

    def expr(self, value: Any) -> ast.expr:
        """A symbolic value as code."""
        if isinstance(value, ast.expr):
            return value
        if isinstance(value, tuple):
            return ast.Tuple([self.expr(v) for v in value], ast.Load())
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.number(float(value)) if isinstance(value, float) else ast.Constant(value)
        if callable(value):
            return ast.Name(self.bind(getattr(value, "__name__", "f"), value), ast.Load())
        raise _GiveUp

    def eval(self, node: ast.expr) -> Any:
        """An int, a tuple of code, a Python object (module, function) or an expression."""
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.Attribute):
            base = self.eval(node.value)
            if isinstance(base, types.ModuleType) and hasattr(base, node.attr):
                return getattr(base, node.attr)
            raise _GiveUp
        if isinstance(node, ast.BinOp):
            left, right = self.eval(node.left), self.eval(node.right)
            if type(left) is int and type(right) is int and type(node.op) in _INT_OPS:
                return _INT_OPS[type(node.op)](left, right)
            return ast.BinOp(self.expr(left), node.op, self.expr(right))
        if isinstance(node, ast.Subscript):
            return self.subscript(self.eval(node.value), node.slice)
        if isinstance(node, ast.Call) and not node.keywords:
            return self.call(self.eval(node.func), [self.eval(a) for a in node.args])
        raise _GiveUp

    def name(self, name: str) -> Any:
        if name in self.locals:
            return self.locals[name]
        closure = dict(
            zip(
                self.forward.__code__.co_freevars,
                (c.cell_contents for c in self.forward.__closure__ or ()),
            )
        )
        for scope in (closure, self.forward.__globals__, vars(builtins)):
            if name in scope:
                return scope[name]
        raise _GiveUp

    def subscript(self, base: Any, index: ast.expr) -> Any:
        if not isinstance(base, tuple):
            raise _GiveUp
        if isinstance(index, ast.Slice):
            if index.step is not None:
                raise _GiveUp
            lo = self.eval(index.lower) if index.lower is not None else None
            hi = self.eval(index.upper) if index.upper is not None else None
            if not all(v is None or type(v) is int for v in (lo, hi)):
                raise _GiveUp
            return base[lo:hi]
        k = self.eval(index)
        if type(k) is not int:
            raise _GiveUp
        return base[k]

    def call(self, fn: Any, args: list[Any]) -> Any:
        if fn is len and len(args) == 1 and isinstance(args[0], tuple):
            return len(args[0])
        if fn is map and len(args) == 3 and args[0] in _OPERATORS:
            op = _OPERATORS[args[0]]
            if not all(isinstance(a, tuple) for a in args[1:]):
                raise _GiveUp
            return tuple(
                ast.BinOp(self.expr(a), op, self.expr(b)) for a, b in zip(args[1], args[2])
            )
        if fn is sum and len(args) == 1 and isinstance(args[0], tuple) and _PLAIN_SUM:
            terms = args[0]
            if 0 < len(terms) <= _CHAIN_LIMIT:  # left to right from 0: a chain of +
                chain: ast.expr = ast.Constant(0.0)
                for term in terms:
                    chain = ast.BinOp(chain, ast.Add(), self.expr(term))
                return chain
        if isinstance(fn, (types.BuiltinFunctionType, types.FunctionType)):
            return ast.Call(self.expr(fn), [self.expr(a) for a in args], [])
        raise _GiveUp


def unroll(
    forward: Callable[..., float],
    args: list[str],
    bind: Callable[[str, object], str],
    number: Callable[[float], ast.expr],
) -> str | None:
    """``forward(*args)`` written out as one expression over the names ``args``, or None."""
    found = _body(forward)
    if found is None:
        return None
    varargs, body = found
    assert isinstance(forward, types.FunctionType)
    evaluator = _Evaluator(forward, bind, number)
    evaluator.locals[varargs] = tuple(ast.Name(a, ast.Load()) for a in args)
    try:
        tree = evaluator.run(body)
    except (_GiveUp, IndexError):
        return None
    return ast.unparse(ast.fix_missing_locations(tree))


Inline = tuple[list[str], ast.expr, dict[str, Any]]


@functools.lru_cache(maxsize=1024)
def inline_forward(forward: Callable[..., float]) -> Inline | None:
    """(parameter names, the returned expression, the names it reads) when ``forward``'s body
    is one ``return <expression>`` of fixed parameters; None when it must be called."""
    if not isinstance(forward, types.FunctionType):
        return None
    code = forward.__code__
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS) or code.co_kwonlyargcount:
        return None
    try:
        source = textwrap.dedent(inspect.getsource(forward))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    fn = tree.body[0] if tree.body else None
    if not isinstance(fn, ast.FunctionDef) or fn.args.defaults:
        return None
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return None
    params = [a.arg for a in fn.args.args]
    reads: dict[str, Any] = {}
    free = dict(zip(code.co_freevars, (c.cell_contents for c in forward.__closure__ or ())))
    for node in ast.walk(body[0].value):
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.comprehension)):
            return None  # a scope of its own: not inlined
        if isinstance(node, ast.Name) and node.id not in params:
            if node.id in free:
                reads[node.id] = free[node.id]
            elif node.id in forward.__globals__:
                reads[node.id] = forward.__globals__[node.id]
            elif hasattr(builtins, node.id):
                reads[node.id] = getattr(builtins, node.id)
            else:
                return None
    return params, body[0].value, reads


class _Substitute(ast.NodeTransformer):
    def __init__(
        self,
        args: dict[str, str],
        reads: dict[str, Any],
        bind: Callable[[str, object], str],
        number: Callable[[float], ast.expr],
    ):
        self.args = args
        self.reads = reads
        self.bind = bind
        self.number = number

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.args:
            return ast.Name(self.args[node.id], ast.Load())
        obj = self.reads[node.id]
        if isinstance(obj, float):
            return self.number(obj)
        return ast.Name(self.bind(node.id, obj), ast.Load())

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        # module.function is bound once as _module_function: one name lookup per call
        if isinstance(node.value, ast.Name) and node.value.id in self.reads:
            base = self.reads[node.value.id]
            if isinstance(base, types.ModuleType) and hasattr(base, node.attr):
                name = f"{node.value.id.lstrip('_')}_{node.attr}"
                return ast.Name(self.bind(name, getattr(base, node.attr)), ast.Load())
        return self.generic_visit(node)


def inline(
    found: Inline,
    args: Sequence[str],
    bind: Callable[[str, object], str],
    number: Callable[[float], ast.expr],
) -> str:
    """A one-line forward (from ``inline_forward``) as code over the names ``args``."""
    params, tree, reads = found
    new = _Substitute(dict(zip(params, args)), reads, bind, number).visit(copy.deepcopy(tree))
    return ast.unparse(ast.fix_missing_locations(new))
