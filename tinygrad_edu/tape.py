"""The tape: a computation as a Wengert list, forward assignments then the reverse sweep.

``tape(root)`` numbers the nodes v0, v1, … in the order ``engine.topo_order`` gives (the
order the engine evaluates and sorts them), prints one assignment per node, then the reverse
sweep in exactly the order ``Value.backward()`` accumulates::

    v0 = x = 2.0
    v1 = y = -3.0
    v2 = v0 * v1 = -6.0
    v2.grad = 1.0
    v0.grad += v1 * v2.grad = -3.0 * 1.0 → v0.grad = -3.0
    v1.grad += v0 * v2.grad = 2.0 * 1.0 → v1.grad = 2.0

Each edge line shows the local derivative as an expression of the node's inputs and output
where one is natural (the other factor for ``*``, ``(1 - v**2)`` for tanh), else its number,
then the numbers multiplied and the running total. The numbers are the ones a fresh
``root.backward()`` produces (every gradient starting from 0): the sweep is
``engine.chain_rule``, the reference loop ``backward()`` is held bit-identical to.
``tape`` never changes any ``.grad``.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import ops
from .engine import Value, chain_rule, topo_order
from .ops import Primitive, rules

FORMATS = ("text", "latex")


@dataclass(frozen=True)
class _Style:
    """How one output format writes names, numbers and the few operations the tape needs."""

    latex: bool
    digits: int | None

    def var(self, k: int) -> str:
        return f"v_{{{k}}}" if self.latex else f"v{k}"

    def grad(self, k: int) -> str:
        return f"\\bar{{v}}_{{{k}}}" if self.latex else f"v{k}.grad"

    def num(self, x: float) -> str:
        text = repr(float(x)) if self.digits is None else f"{x:.{self.digits}g}"
        if not self.latex:
            return text
        if math.isnan(x):
            return "\\mathrm{NaN}"
        if math.isinf(x):
            return "\\infty" if x > 0 else "-\\infty"
        mantissa, _, exponent = text.partition("e")
        if exponent:
            return f"{mantissa} \\times 10^{{{int(exponent)}}}"
        return text

    def const(self, x: float) -> str:
        """A constant inside an expression, e.g. an exponent: 3 rather than 3.0."""
        return str(int(x)) if float(x).is_integer() else repr(float(x))

    def factor(self, number: str) -> str:
        """A number as the right factor of a product: a negative one in parentheses in LaTeX."""
        return f"({number})" if self.latex and number.startswith("-") else number

    def mul(self, a: str, b: str) -> str:
        return f"{a} \\cdot {b}" if self.latex else f"{a} * {b}"

    def power(self, a: str, b: str) -> str:
        if self.latex:
            return f"{a}^{{{b}}}"
        return f"{a}**{b}" if re.fullmatch(r"-?[\w.]+", b) else f"{a}**({b})"

    def frac(self, a: str, b: str) -> str:
        if self.latex:
            return f"\\frac{{{a}}}{{{b}}}"
        return f"({a} / ({b}))" if " " in b else f"({a} / {b})"

    def call(self, fn: str, a: str) -> str:
        if self.latex:
            known = {
                "tanh": "\\tanh",
                "exp": "\\exp",
                "log": "\\ln",
                "sin": "\\sin",
                "cos": "\\cos",
                "sigmoid": "\\sigma",
            }
            if fn in ("sqrt", "abs", "log1p"):  # written as notation rather than a name
                return {
                    "sqrt": f"\\sqrt{{{a}}}",
                    "abs": f"\\lvert {a} \\rvert",
                    "log1p": f"\\ln(1 + {a})",
                }[fn]
            command = known.get(fn, "\\operatorname{" + fn + "}")
            return f"{command}({a})"
        return f"{fn}({a})"

    def label(self, text: str) -> str:
        """A label as literal text on one line: it can neither start a line of its own nor
        end the math or code block it is shown in."""
        from .textsafe import visible

        text = " ".join(visible(text).splitlines())
        if not self.latex:
            return text
        if re.fullmatch(r"[A-Za-z]", text):
            return text
        # a backslash or an angle bracket is written in math between pieces of \text, so no
        # LaTeX command and no HTML tag can be spelled inside a label
        symbols = {"\\": "\\backslash ", "<": "\\lt ", ">": "\\gt "}
        out = []
        for piece in re.split(r"([\\<>])", text):
            if piece in symbols:
                out.append(symbols[piece])
            elif piece:
                escaped = re.sub(r"([#$%&_{}])", r"\\\1", piece)
                escaped = escaped.replace("^", "\\^{}").replace("~", "\\~{}")
                out.append(f"\\text{{{escaped}}}")
        return "".join(out)


# --------------------------------------------------------------------------- from the table
# Every line comes from the node's table entry: the forward from its ``formula``, each local
# derivative from its derivative text, with the tape's names and the parameters put in.
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def _names(op: Primitive, a: Sequence[str], out: str) -> dict[str, str]:
    """The entry's input names (x; a, b; x_0…; w_0…, x_0…, b), ``out`` and its parameters."""
    names = dict(zip(ops.input_names(op, len(a)), a))
    names["out"] = out
    return names


def _expand_sums(tree: ast.expr, count: int) -> ast.expr:
    """``sum(e_i)`` as e_0 + e_1 + … over the inputs (one term: the call itself stays)."""

    class Expand(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.expr:
            if not (isinstance(node.func, ast.Name) and node.func.id == "sum"):
                return node
            if count < 2 and node is tree:  # Σ of one term: sum(v0)
                return node
            text = ast.unparse(node.args[0])
            terms = [ast.parse(text.replace("_i", f"_{k}"), mode="eval").body for k in range(count)]
            total = terms[0]
            for term in terms[1:]:
                total = ast.BinOp(total, ast.Add(), term)
            return total

    expanded = Expand().visit(tree)
    assert isinstance(expanded, ast.expr)
    return ast.parse(ast.unparse(expanded).replace("_i", "_0"), mode="eval").body


def _forward_expr(s: _Style, node: Value, a: Sequence[str]) -> str:
    op = node.primitive
    assert op is not None
    if not op.formula:  # no formula to show: the symbol, applied
        return f"{op.symbol}({', '.join(a)})"
    names = _names(op, a, "")
    names.update((p, s.const(v)) for p, v in zip(op.param_names, op.params))
    tree = _expand_sums(rules.parse(op.formula), ops.term_count(op, len(a)))
    return _render(s, tree, names, top=True)


def _local_exprs(s: _Style, node: Value, a: Sequence[str], out: str) -> list[str | None]:
    """The entry's derivative texts with the tape's names put in.

    A text with a condition (relu's ``1 if x > 0 else 0 …``) is shown as its number instead.
    """
    op = node.primitive
    assert op is not None
    names = _names(op, a, out)
    exprs: list[str | None] = []
    for text in ops.parent_texts(op, len(a)):
        tree = rules.fold(rules.parse(text), dict(zip(op.param_names, op.params)))
        # top=False: a sum (1 - v**2) is a factor of the upstream gradient: it keeps its
        # parentheses
        exprs.append(None if _has_condition(tree) else _render(s, tree, names, top=False))
    return exprs if len(exprs) == len(a) else [None] * len(a)


def _has_condition(tree: ast.expr) -> bool:
    return any(isinstance(n, (ast.IfExp, ast.Compare)) for n in ast.walk(tree))


def _render(s: _Style, t: ast.expr, names: dict[str, str], top: bool = False) -> str:
    """A text's syntax tree in the tape's style (sums in parentheses as factors)."""
    if isinstance(t, ast.Constant) and isinstance(t.value, (int, float)):
        return s.const(float(t.value))
    if isinstance(t, ast.Name):
        return names[t.id]
    if isinstance(t, ast.UnaryOp):
        return f"-{_render(s, t.operand, names)}"
    if isinstance(t, ast.Call) and isinstance(t.func, ast.Name):
        args = [_render(s, arg, names, top=True) for arg in t.args]
        return s.call(t.func.id, ", ".join(args))
    assert isinstance(t, ast.BinOp)
    if isinstance(t.op, ast.Div):
        return s.frac(_render(s, t.left, names, top=True), _render(s, t.right, names, top=True))
    if isinstance(t.op, ast.Pow):
        return s.power(_render(s, t.left, names), _render(s, t.right, names, top=True))
    level = _PRECEDENCE[type(t.op)]
    left = _operand(s, t.left, names, level)
    right = _operand(s, t.right, names, level + (0 if isinstance(t.op, ast.Add) else 1))
    if isinstance(t.op, ast.Mult):
        return s.mul(left, right)
    text = f"{left} {'+' if isinstance(t.op, ast.Add) else '-'} {right}"
    return text if top else f"({text})"


def _operand(s: _Style, t: ast.expr, names: dict[str, str], level: int) -> str:
    inner = isinstance(t, ast.BinOp) and _PRECEDENCE[type(t.op)] < level
    text = _render(s, t, names, top=True)
    return f"({text})" if inner else text


# --------------------------------------------------------------------------- the tape
class Tape(str):
    """The tape's text, which also displays itself in Jupyter (a cell ending in ``tape(L)``).

    It is a ``str`` (print it, compare it, write it to a file); Jupyter shows the lines
    themselves instead of an escaped one-line repr: monospaced text, or the LaTeX block typeset.

    >>> t = tape(Value(2.0, "x").tanh(), digits=4)
    >>> t._repr_markdown_().splitlines()[1]
    'v0 = x = 2'
    """

    __slots__ = ()

    def _is_latex(self) -> bool:
        return self.startswith("\\begin{aligned}")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_markdown_(self) -> str:
        if self._is_latex():
            return f"$$\n{self}\n$$"  # labels in it are escaped by _Style.label
        from .textsafe import md_code

        return md_code(self)  # a fence longer than any backtick run in a label

    def _repr_latex_(self) -> str | None:
        return f"$${self}$$" if self._is_latex() else None


def tape(root: Value, fmt: str = "text", digits: int | None = None) -> Tape:
    """The Wengert list of ``root``: forward assignments, then the reverse sweep.

    ``fmt`` is "text" or "latex" (an ``aligned`` block for notes). Numbers are printed with
    ``repr`` (exactly the engine's floats) unless ``digits`` asks for that many significant
    digits. See the module docstring for the layout and what the numbers are.

    >>> print(tape(Value(2.0, "x").tanh(), digits=4))
    v0 = x = 2
    v1 = tanh(v0) = 0.964
    v1.grad = 1
    v0.grad += (1 - v1**2) * v1.grad = 0.07065 * 1 → v0.grad = 0.07065
    """
    if not isinstance(root, Value):
        raise TypeError(f"tape: expected a Value, got {type(root).__name__} ({root!r})")
    if fmt not in FORMATS:
        raise ValueError(f"tape: fmt must be one of {', '.join(map(repr, FORMATS))}, got {fmt!r}")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)):
        raise TypeError(f"tape: digits must be an int or None, got {digits!r}")
    if digits is not None and digits < 1:
        raise ValueError(f"tape: digits must be >= 1, got {digits!r}")
    s = _Style(fmt == "latex", digits)
    order = topo_order(root)
    index = {node: k for k, node in enumerate(order)}
    eq = " &= " if s.latex else " = "

    lines: list[str] = []
    for k, node in enumerate(order):
        value = s.num(node.data)
        if node.is_leaf:
            named = f"{s.label(node.label)} = " if node.label else ""
            lines.append(f"{s.var(k)}{eq}{named}{value}")
            continue
        expr = _forward_expr(s, node, [s.var(index[p]) for p in node.parents])
        comment = ""
        if node.label:
            comment = (
                f" \\quad ({s.label(node.label)})" if s.latex else f"  # {s.label(node.label)}"
            )
        lines.append(f"{s.var(k)}{eq}{expr} = {value}{comment}")
    n_forward = len(lines)

    lines += _sweep(s, root, index)

    if not s.latex:
        return Tape("\n".join(lines))
    # rows end in \\ (a little extra space between the two halves), except the last
    ends = [" \\\\[0.5em]" if k == n_forward - 1 else " \\\\" for k in range(len(lines))]
    ends[-1] = ""
    body = "\n".join(line + end for line, end in zip(lines, ends))
    return Tape(f"\\begin{{aligned}}\n{body}\n\\end{{aligned}}")


def _sweep(s: _Style, root: Value, index: dict[Value, int]) -> list[str]:
    """The reverse sweep: engine.chain_rule itself (the loop backward() is held bit-identical
    to), as the seed and then one line per edge with the step's numbers."""
    eq = " &= " if s.latex else " = "
    plus_eq = " &\\mathrel{+}= " if s.latex else " += "
    arrow = " \\;\\rightarrow\\; " if s.latex else " → "
    lines = [f"{s.grad(index[root])}{eq}{s.num(1.0)}"]
    exprs: dict[Value, list[str | None]] = {}
    for step in chain_rule(root):
        node, k = step.node, index[step.node]
        if node not in exprs:
            names = [s.var(index[p]) for p in node.parents]
            exprs[node] = _local_exprs(s, node, names, s.var(k))
        local_expr = exprs[node][step.position]
        if local_expr == "1":
            symbolic, numbers = s.grad(k), s.num(step.upstream)
        else:
            factor = s.num(step.local) if local_expr is None else local_expr
            symbolic = s.mul(factor, s.grad(k))
            numbers = s.mul(s.num(step.local), s.factor(s.num(step.upstream)))
        target = s.grad(index[step.parent])
        lines.append(f"{target}{plus_eq}{symbolic} = {numbers}{arrow}{target} = {s.num(step.grad)}")
    return lines


def print_tape(root: Value, fmt: str = "text", digits: int | None = None) -> None:
    """Print ``tape(root, fmt, digits)``."""
    print(tape(root, fmt, digits))
