"""Value's operator methods, generated from the table into ``engine.py``.

Each entry with a ``method`` gets a method that reads as the lesson does: the forward value,
the parents, and the local gradients — its derivative texts as code (``rules.local_code``).
``python -m tinygrad_edu.ops.codegen`` rewrites the block between the marker comments of
``engine.py``; ``--check`` exits 1 when it is stale (a test runs it).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from .rules import local_code, parse
from .table import TABLE, Primitive

BEGIN = "    # ---- generated from ops.TABLE by `python -m tinygrad_edu.ops.codegen`: do not edit"
END = "    # ---- end of the generated operators"


def _forward_inline(op: Primitive) -> str | None:
    """The forward as an expression when it is arithmetic on the inputs (+, −, ·), else None."""
    if not op.formula:
        return None
    tree = parse(op.formula)
    allowed = (ast.Name, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.USub, ast.Load)
    if all(isinstance(n, allowed) for n in ast.walk(tree)):
        return ast.unparse(tree)
    return None


def _uses(code: str, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(parse(code)))


def method_source(op: Primitive) -> str:
    """The ``Value`` method(s) of one entry, as they stand in ``engine.py``.

    The body is the lesson's three facts about the new node: its value, the op and parents
    that made it, and the local gradient along each edge (the entry's derivative texts).
    """
    inline = _forward_inline(op)
    grads = ", ".join(local_code(op, text, "ops.") for text in op.derivatives)
    lines = [f"    def {op.method}(self{'' if op.arity == 1 else ', other: Operand'}) -> Value:"]
    lines.append(f'        """{op.doc}"""')
    if op.arity == 1:
        parents, grads = "(self,)", f"({grads},)"
        needs_x = _uses(grads, "x") or (inline is not None and _uses(inline, "x"))
        if needs_x:
            lines.append("        x = self.data")
        given = "x" if needs_x else "self.data"
    else:
        parents, grads = "(self, other)", f"({grads})"
        lines.append(
            f'        other = other if isinstance(other, Value) else _lift(other, "{op.name}")'
        )
        lines.append("        a, b = self.data, other.data")
        given = "a, b"
    forward = inline or f"ops.{op.name}.forward({given})"
    if _uses(grads, "out"):  # a derivative written with the output (tanh: 1 - out**2)
        lines.append(f"        out = {forward}")
        forward = "out"
    lines.append("        node = _new(Value)")
    lines.append(f"        node.data, node.grad = {forward}, 0.0")
    record = (
        f"        node._prim, node._parents, node._local_grads = ops.{op.name}, {parents}, {grads}"
    )
    if len(record) <= 100:
        lines.append(record)
    else:
        lines.append(f"        node._prim, node._parents = ops.{op.name}, {parents}")
        lines.append(f"        node._local_grads = {grads}")
    lines.append("        return node if gradmode.open_blocks == 0 else _unless_no_grad(node)")
    if op.arity == 2 and op.method.startswith("__"):  # the reflected operator: number ∘ Value
        reflected = op.method.replace("__", "__r", 1)
        lines += [
            "",
            f"    def {reflected}(self, other: Operand) -> Value:",
            f'        return _lift(other, "{op.name}").{op.method}(self)',
        ]
    return "\n".join(lines)


def methods_source() -> str:
    """Every generated method, in table order, between the markers."""
    blocks = [method_source(op) for op in TABLE.values() if op.method]
    return "\n".join([BEGIN, "\n\n".join(blocks), "", END])


def engine_path() -> Path:
    return Path(__file__).resolve().parent.parent / "engine.py"


def render_engine(text: str) -> str:
    """``engine.py``'s text with the block between the markers regenerated."""
    start = text.index(BEGIN)
    stop = text.index(END) + len(END)
    return text[:start] + methods_source() + text[stop:]


def main(argv: list[str] | None = None) -> int:
    """Rewrite engine.py's generated block (``--check``: exit 1 if it is stale)."""
    args = sys.argv[1:] if argv is None else argv
    path = engine_path()
    old = path.read_text(encoding="utf-8")
    new = render_engine(old)
    if "--check" in args:
        return 0 if new == old else 1
    if new != old:
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
