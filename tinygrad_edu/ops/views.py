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
