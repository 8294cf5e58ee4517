"""Views generated from the table: the callable functions, the CLI help, the README table."""

from __future__ import annotations

from .table import TABLE, Primitive


def functions() -> dict[str, Primitive]:
    """The primitives callable by name as f(x): what expressions and the CLI accept.

    >>> sorted(functions())[:3]
    ['abs', 'atan', 'cos']
    """
    return {name: op for name, op in TABLE.items() if op.function}


def function_help() -> str:
    """One line for the command line's help: the functions an expression may call.

    >>> function_help().startswith("functions: abs, atan, cos")
    True
    """
    return "functions: " + ", ".join(sorted(functions()))


def _inputs(op: Primitive) -> tuple[str, ...]:
    if op.name == "dot":
        return ("w_i", "x_i", "b")
    if op.arity < 0:
        return ("x_i",)
    return ("x",) if op.arity == 1 else ("a", "b")


def term_count(op: Primitive, n_parents: int) -> int:
    """How many terms an n-ary node of ``n_parents`` has (Σwx+b: n weights, n inputs, 1 b)."""
    groups = _inputs(op)
    indexed = sum(1 for g in groups if g.endswith("_i"))
    return (n_parents - (len(groups) - indexed)) // indexed if indexed else n_parents


def input_names(op: Primitive, n_parents: int) -> list[str]:
    """The names of a node's parents in the entry's texts: x; a, b; x_0…; w_0…, x_0…, b.

    >>> from tinygrad_edu import ops
    >>> input_names(ops.dot, 5)
    ['w_0', 'w_1', 'x_0', 'x_1', 'b']
    """
    n = term_count(op, n_parents)
    names: list[str] = []
    for group in _inputs(op):
        names += (
            [group.replace("_i", f"_{k}") for k in range(n)] if group.endswith("_i") else [group]
        )
    return names


def parent_texts(op: Primitive, n_parents: int) -> list[str]:
    """Each parent's derivative text, with an n-ary entry's ``_i`` made the parent's index
    (what the tape and the drawings label an edge with).

    >>> from tinygrad_edu import ops
    >>> parent_texts(ops.dot, 5)
    ['x_0', 'x_1', 'w_0', 'w_1', '1']
    """
    n = term_count(op, n_parents)
    texts: list[str] = []
    for group, text in zip(_inputs(op), op.derivatives):
        if group.endswith("_i"):
            texts += [text.replace("_i", f"_{k}") for k in range(n)]
        else:
            texts.append(text)
    return texts


def _row(name: str, op: Primitive) -> str:
    """One Markdown row: name, symbol, formula, local derivatives, kinks."""
    formula = op.doc.split(".   ")[0].removesuffix(".")
    if op.param_names:
        formula += f" ({', '.join(op.param_names)}: a number fixed at the call)"
    derivs = ", ".join(f"∂out/∂{x} = `{text}`" for x, text in zip(_inputs(op), op.derivatives))
    kinks = "at a = b" if op.arity == 2 and op.derivatives == ("0", "0") else ""
    if op.kinks:
        kinks = (
            ", ".join(op.param_names)
            if op.params == op.kinks
            else ", ".join(f"{k:g}" for k in op.kinks)
        )
    symbol = op.symbol
    if op.param_names:  # the family, not the representative the table holds
        head = symbol.split("[")[0] if "[" in symbol else "**"
        symbol = f"{head}[{','.join(op.param_names)}]" if "[" in op.symbol else "**n"
    cells = [f"`{name}`", f"`{symbol}`", formula.replace("|", "\\|"), derivs, kinks]
    return "| " + " | ".join(cells) + " |"


def reference_table() -> str:
    """The README's operation reference: one Markdown row per entry of TABLE.

    >>> reference_table().splitlines()[0]
    '| name | symbol | formula | local derivatives | kinks |'
    """
    rows = [
        "| name | symbol | formula | local derivatives | kinks |",
        "|---|---|---|---|---|",
    ]
    rows += [_row(name, TABLE[name]) for name in sorted(TABLE)]
    return "\n".join(rows)
