"""Code from the derivative texts: each entry's ``rule``, and registration (``primitive``).

An entry writes each local derivative once, as text in float syntax (``"1 - out**2"``), in the
names ``x`` (one input) or ``a``, ``b`` (two), ``out`` and the parameter names. ``make_rule``
turns those texts into the entry's ``rule(out, *xs)``, which runs on floats (``backward()``)
and on Values (``create_graph``): a power is ``generic_pow``, a quotient ``generic_div`` and a
function ``generic_<f>`` (each never raises, and dispatches on floats and Values); a square of
a name, written ``x**2``, is the product ``x * x``. ``local_code`` is the same expression as
source: ``codegen`` inlines it into ``Value``'s operator methods. ``fold`` puts a family
member's parameters in and simplifies (``n * x**(n - 1)`` at n = 3 is ``3 * x**2``).

The texts are the library's own (``ops.TABLE``): no user text ever reaches ``eval`` here.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from collections.abc import Callable

from . import generic
from .table import TABLE, Primitive, Rule

# The functions a derivative text may call, and the helper each becomes in code.
FUNCTIONS = {
    "cos": "generic_cos",
    "sin": "generic_sin",
    "log": "generic_log",
    "sigmoid": "generic_sigmoid",
    "sign": "generic_sign",
}
_NAMESPACE: dict[str, object] = {
    name: getattr(generic, name) for name in (*FUNCTIONS.values(), "generic_pow", "generic_div")
}


def parse(text: str) -> ast.expr:
    """A derivative text's syntax tree (``ast.parse`` in eval mode)."""
    return ast.parse(text, mode="eval").body


def _number(value: float) -> ast.Constant:
    return ast.Constant(float(value))


class _Fold(ast.NodeTransformer):
    """Put the parameters in as numbers and simplify: 0·e = 0, 1·e = e, e¹ = e, e⁰ = 1."""

    def __init__(self, values: dict[str, float]) -> None:
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return _number(self.values[node.id]) if node.id in self.values else node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        left, right = node.left, node.right
        lc = left.value if isinstance(left, ast.Constant) else None
        rc = right.value if isinstance(right, ast.Constant) else None
        if lc is not None and rc is not None:
            return _number(eval(ast.unparse(node)))  # two numbers: the library's own text
        if isinstance(node.op, ast.Mult) and (lc == 0.0 or rc == 0.0):
            return _number(0.0)
        if isinstance(node.op, ast.Mult) and lc == 1.0:
            return right
        if isinstance(node.op, ast.Mult) and rc == 1.0:
            return left
        if isinstance(node.op, ast.Pow) and rc == 1.0:
            return left
        if isinstance(node.op, ast.Pow) and rc == 0.0:
            return _number(1.0)
        return node


def fold(tree: ast.expr, values: dict[str, float]) -> ast.expr:
    """``tree`` with the named numbers put in, simplified (see ``_Fold``)."""
    folded = _Fold(values).visit(ast.fix_missing_locations(_copy(tree)))
    assert isinstance(folded, ast.expr)
    return folded


def _copy(tree: ast.expr) -> ast.expr:
    return parse(ast.unparse(tree))


class _ToCode(ast.NodeTransformer):
    """Float literals, ``x**2`` as ``x * x``, powers, quotients and functions as helpers."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix  # "ops." where the code runs outside this package (engine.py)

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        return _number(node.value) if isinstance(node.value, (int, float)) else node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        square = (
            isinstance(node.op, ast.Pow)
            and isinstance(node.left, ast.Name)
            and isinstance(node.right, ast.Constant)
            and node.right.value == 2
            and type(node.right.value) is int  # a literal 2 in the text, not a folded 2.0
        )
        self.generic_visit(node)
        if square:
            return ast.BinOp(node.left, ast.Mult(), node.left)
        if isinstance(node.op, (ast.Pow, ast.Div)):
            helper = "generic_pow" if isinstance(node.op, ast.Pow) else "generic_div"
            return ast.Call(ast.Name(self.prefix + helper, ast.Load()), [node.left, node.right], [])
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        assert isinstance(node.func, ast.Name), ast.unparse(node)
        node.func = ast.Name(self.prefix + FUNCTIONS[node.func.id], ast.Load())
        return node


def inputs(op: Primitive) -> tuple[str, ...]:
    return ("x",) if op.arity == 1 else ("a", "b")


def _tree(op: Primitive, text: str) -> ast.expr:
    tree = parse(text)
    if op.params:
        # a literal 2 keeps its type through folding, so x**2 still becomes x * x
        tree = fold(tree, dict(zip(op.param_names, op.params)))
    return tree


def local_code(op: Primitive, text: str, prefix: str = "") -> str:
    """One derivative text as a Python expression over ``out`` and the inputs.

    >>> from tinygrad_edu import ops
    >>> local_code(ops.tanh, "1 - out**2")
    '1.0 - out * out'
    """
    code = _ToCode(prefix).visit(_tree(op, text))
    return ast.unparse(ast.fix_missing_locations(code))


def make_rule(op: Primitive) -> Rule:
    """``rule(out, *xs)`` for a fixed-arity entry, compiled from its derivative texts."""
    if op.arity < 1:
        raise ValueError(f"make_rule: {op.name} is n-ary; its rule is written by hand")
    if len(op.derivatives) != op.arity:
        raise ValueError(
            f"make_rule: {op.name} has {op.arity} inputs but {len(op.derivatives)} derivatives"
        )
    body = ", ".join(local_code(op, text) for text in op.derivatives)
    source = f"lambda out, {', '.join(inputs(op))}: ({body},)"
    rule: Rule = eval(compile(source, f"<rule of {op.name}>", "eval"), dict(_NAMESPACE))
    return rule


def primitive(
    symbol: str,
    derivatives: tuple[str, ...],
    arity: int = 1,
    domain: tuple[float, float] | None = None,
    kinks: tuple[float, ...] = (),
    function: bool = False,
    formula: str = "",
    method: str = "",
    rule: Rule | None = None,
) -> Callable[[Callable[..., float]], Primitive]:
    """Register ``forward`` (a float function whose docstring gives f and f′) as an entry.

    Its ``rule`` is compiled from ``derivatives`` (n-ary entries pass ``rule``). The entry's
    name is the function's name; the decorated name holds the entry, and so does ``ops.<name>``
    (registration sets it: a plain attribute of the package, which the generated methods read
    without a module ``__getattr__`` slowing every operator). ``method`` names the ``Value``
    method generated for it.
    """

    def register(forward: Callable[..., float]) -> Primitive:
        op = Primitive(
            forward.__name__,
            symbol,
            forward,
            _unset_rule,
            arity,
            derivatives,
            domain,
            kinks,
            function=function,
            formula=formula,
            method=method,
        )
        op = dataclasses.replace(op, rule=rule or make_rule(op))
        package = sys.modules[__name__.rpartition(".")[0]]  # tinygrad_edu.ops (also mid-import)
        taken = getattr(package, op.name, None)
        if taken is not None and not isinstance(taken, Primitive):
            raise ValueError(f"primitive: the name {op.name!r} is taken in ops ({taken!r})")
        TABLE[op.name] = op
        setattr(package, op.name, op)
        return op

    return register


def _unset_rule(out: object, *xs: object) -> tuple[float, ...]:
    raise AssertionError("replaced by the compiled rule before the entry is registered")
