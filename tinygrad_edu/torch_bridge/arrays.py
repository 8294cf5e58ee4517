"""An activation's forward and derivative as array code (NumPy or PyTorch), from its table entry.

The derivative is the entry's ``derivatives`` text with ``x`` the pre-activation ``Z`` and
``out`` the activation ``A``; a conditional becomes ``where``, a chained comparison ``&``, and
``e**2`` becomes ``e * e``. The forward is the entry's own one-line forward
(``math.tanh(x)`` → ``np.tanh(Z)``, relu's conditional → ``np.where``); an entry whose forward
is longer than one line is NumPy's function of the same name (``np.exp``), or, where NumPy has
none, the expression in ``_NUMPY_FORWARD``: the one place a forward is restated. PyTorch
differentiates by itself: there the forward is its function of the same name (``torch.relu``),
and no derivative is written.

>>> numpy_activation("tanh")
('np.tanh(Z)', '1.0 - A * A', True)
>>> numpy_activation("relu")  # relu′ passes NaN through, as its table text says
('np.where(Z <= 0.0, 0.0, Z)', 'np.where(Z > 0.0, 1.0, np.where(Z <= 0.0, 0.0, Z))', False)
>>> torch_activation("relu")
'torch.relu(Z)'
"""

from __future__ import annotations

import ast
import copy
import math
import types
from typing import Any

from .. import ops
from ..compile.codegen import parse_text
from ..compile.forwards import inline_forward

# Forwards that are not one line in the table, in NumPy (torch has them by name).
_NUMPY_FORWARD = {"sigmoid": "1.0 / (1.0 + np.exp(-Z))", "softplus": "np.logaddexp(0.0, Z)"}
_NUMPY_NAMES = {"atan": "arctan"}  # the few functions NumPy spells otherwise


class _ArrayCode(ast.NodeTransformer):
    def __init__(self, lib: str, names: dict[str, str], reads: dict[str, Any] | None = None):
        self.lib = lib
        self.names = names
        self.reads = reads or {}

    def function(self, name: str) -> ast.expr:
        spelled = _NUMPY_NAMES.get(name, name) if self.lib == "np" else name
        return ast.Attribute(ast.Name(self.lib, ast.Load()), spelled, ast.Load())

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.names:
            return ast.Name(self.names[node.id], ast.Load())
        value = self.reads.get(node.id)
        if isinstance(value, float) and math.isfinite(value):
            return ast.Constant(value)
        raise ValueError(f"export_code: cannot write {node.id!r} as array code")

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return ast.Constant(float(node.value))
        raise ValueError(f"export_code: cannot write {node.value!r} as array code")

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        where = self.function("where")
        parts = [self.visit(node.test), self.visit(node.body), self.visit(node.orelse)]
        return ast.Call(where, parts, [])

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        left = self.visit(node.left)
        tests: list[ast.expr] = []
        for op, right in zip(node.ops, node.comparators):
            right = self.visit(right)
            tests.append(ast.Compare(left, [op], [right]))
            left = right
        result = tests[0]
        for test in tests[1:]:
            result = ast.BinOp(result, ast.BitAnd(), test)
        return result

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        right = node.right
        if isinstance(node.op, ast.Pow) and isinstance(right, ast.Constant) and right.value == 2:
            base = self.visit(node.left)
            return ast.BinOp(base, ast.Mult(), base)
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        if isinstance(func, ast.Name) and func.id not in self.reads:
            # a function of the derivative text (cos, sigmoid, …): that entry's own forward
            arg = self.visit(node.args[0])
            if func.id in ops.TABLE and self.lib == "np":
                forward = ast.parse(_numpy_forward(func.id), mode="eval").body
                written: ast.AST = _Replace("Z", arg).visit(forward)
                return written
            name = func.id
            return ast.Call(self.function(name), [arg], [])
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            base = self.reads.get(func.value.id)
            if not isinstance(base, types.ModuleType):
                raise ValueError(f"export_code: cannot write {ast.unparse(func)} as array code")
            name = func.attr  # math.tanh, builtins.abs
        else:
            raise ValueError(f"export_code: cannot write {ast.unparse(func)} as array code")
        return ast.Call(self.function(name), [self.visit(a) for a in node.args], [])


class _Replace(ast.NodeTransformer):
    def __init__(self, name: str, by: ast.expr):
        self.name = name
        self.by = by

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.by if node.id == self.name else node


def _write(tree: ast.AST, lib: str, names: dict[str, str], reads: Any = None) -> str:
    new = _ArrayCode(lib, names, reads).visit(copy.deepcopy(tree))
    return ast.unparse(ast.fix_missing_locations(new))


def _numpy_forward(name: str) -> str:
    inline = inline_forward(ops.TABLE[name].forward)
    if inline is not None:
        params, tree, reads = inline
        try:
            return _write(tree, "np", {params[0]: "Z"}, reads)
        except ValueError:
            pass
    return _NUMPY_FORWARD.get(name) or f"np.{_NUMPY_NAMES.get(name, name)}(Z)"


def numpy_activation(name: str) -> tuple[str, str, bool]:
    """(the activation of ``Z``, its derivative given ``Z`` and ``A``, whether that reads
    ``A``) as NumPy code."""
    if name == "linear":
        return "Z", "np.ones_like(Z)", False
    (text,) = ops.TABLE[name].derivatives
    tree = parse_text(text)
    reads_out = any(isinstance(n, ast.Name) and n.id == "out" for n in ast.walk(tree))
    derivative = _write(tree.body, "np", {"x": "Z", "out": "A"})
    return _numpy_forward(name), derivative, reads_out


def torch_activation(name: str) -> str:
    """The activation of ``Z`` as PyTorch code (its derivative is autograd's)."""
    return "Z" if name == "linear" else f"torch.{name}(Z)"
