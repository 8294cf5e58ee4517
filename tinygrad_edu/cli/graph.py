"""``tinygrad-edu graph EXPRESSION``: draw an expression's graph and print its gradients."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .common import output, render, say, table

NAME = "graph"
HELP = "draw the graph of an expression with its gradients"
DEFAULT_OUT = "out/graph.svg"
EPILOG = 'example: tinygrad-edu graph "tanh(w*x + b)" --set x=0.5 w=1.2 b=-0.8'


def description() -> str:
    """The command's description, with the functions the parser knows (from the ops table)."""
    from ..ops import function_help

    return (
        "Parse EXPRESSION (numbers, names, + - * / **, parentheses and the "
        f"{function_help()}), evaluate it with the values given by --set, backpropagate, "
        "draw the graph and print the value and the gradient of each name (and a central "
        "difference for comparison). An expression may start with '-' (it is never taken for "
        "an option). A graph too large for Graphviz to lay out quickly is not drawn: the "
        "command says so (write .dot or .mmd text instead)."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The expression, --set, --out, --tape."""
    parser.add_argument("expression", help='for example "tanh(w*x + b)"')
    parser.add_argument(
        "--set",
        nargs="+",
        action="extend",
        metavar="NAME=VALUE",
        help="the value of each name, as x=0.5 (a value may be a constant expression: x=1/3)",
    )
    parser.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="FILE",
        help="picture to write: .svg, .png or .pdf (needs graphviz), .dot or .mmd (text) "
        "(default: out/graph.svg)",
    )
    parser.add_argument("--tape", action="store_true", help="also print the Wengert list")


def assignments(items: Sequence[str]) -> dict[str, float]:
    """``["x=0.5", "w=1/4"]`` as {name: value}; names an expression can use, each once.

    >>> assignments(["x=0.5", "w=1/4"])
    {'x': 0.5, 'w': 0.25}
    """
    from keyword import iskeyword

    from ..expr import FUNCTIONS, ExprError, constant, tokenize

    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"--set expects NAME=VALUE, as in x=0.5, got {item!r}")
        try:
            toks = tokenize(name)
        except ExprError:
            toks = []
        if len(toks) != 2 or toks[0].kind != "name" or name in FUNCTIONS or iskeyword(name):
            raise ValueError(f"--set {item!r}: {name!r} is not a name that an expression can use")
        if name in values:
            raise ValueError(f"--set: {name!r} is given twice")
        try:
            values[name] = constant(text)
        except ExprError as err:
            raise ExprError(f"--set {name}: {err.message}", err.text, err.position) from None
    return values


def _gradient_rows(
    expression: str, values: dict[str, float], leaves: dict[str, object]
) -> list[list[str]]:
    from ..engine import Value, no_grad
    from ..expr import ExprError, build

    def at(shifted: dict[str, float]) -> float | None:
        try:
            with no_grad():
                return build(expression, shifted)[0].data
        except ExprError:
            return None  # x ± ε leaves the domain (log near 0, …): no central difference

    rows = []
    for name, leaf in leaves.items():
        assert isinstance(leaf, Value)
        eps = 1e-6 * max(1.0, abs(leaf.data))  # relative step: x ± ε must differ from x
        plus = at({**values, name: leaf.data + eps})
        minus = at({**values, name: leaf.data - eps})
        numeric = "-" if plus is None or minus is None else f"{(plus - minus) / (2 * eps):.10g}"
        rows.append([name, f"{leaf.data:.10g}", f"{leaf.grad:.10g}", numeric])
    return rows


def run(args: argparse.Namespace) -> int:
    """Parse an expression, evaluate it, backpropagate, draw its graph, print the gradients."""
    from ..expr import build

    out = output(args.out, "--out", "graph", default=DEFAULT_OUT)
    values = assignments(args.set or [])
    root, leaves = build(args.expression, values)
    root.label = root.label or "f"
    root.backward()
    unused = [n for n in values if n not in leaves]
    rows = _gradient_rows(args.expression, values, dict(leaves))
    out.make_folders()
    path, note = render(root, out.path)  # before printing: an error prints only itself
    say(f"f = {args.expression.strip()}", f"  = {root.data:.12g}")
    if rows:
        say("", *table(["name", "value", "∂f/∂name (backward)", "central difference"], rows))
    if unused:
        say(f"note: not used by the expression: {', '.join(unused)}")
    if args.tape:
        from ..tape import tape

        say("", tape(root))
    say("", f"graph: {path}")
    if note:
        say(note)
    return 0
