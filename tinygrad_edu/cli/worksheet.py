"""``tinygrad-edu worksheet --seed N --level K --out DIR``: a backprop worksheet and its key."""

from __future__ import annotations

import argparse

from .common import SEED, bounded_int, output, say, write_set

NAME = "worksheet"
DEFAULT_OUT = "out/worksheet"
HELP = "write a seeded backprop worksheet (blank table, drawing) and its answer key"
EPILOG = "example: tinygrad-edu worksheet --seed 7 --level 3 --out out/sheet --student ada"


def description() -> str:
    """The command's description, with the levels the tutor knows."""
    from ..tutor.worksheet import LEVEL_NAMES

    levels = "; ".join(f"{k}: {text}" for k, text in LEVEL_NAMES.items())
    return (
        "Make a random graph from --seed at --level (" + levels + "), and write into --out "
        "the worksheet (worksheet.md, .tex, .html with a blank table: order | node | made by "
        "| value | grad), the drawing (graph.svg when Graphviz is installed, graph.dot and "
        "graph.mmd always) and the answer key (answer_key.md, .html, .json). --student gives "
        "that student's own variant of the same sheet."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--seed, --level, --out, --student."""
    parser.add_argument("--seed", type=SEED, default=0, help="the sheet's seed (default 0)")
    parser.add_argument("--level", type=bounded_int(1, 4), default=1, help="1 to 4 (default 1)")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help="the folder")
    parser.add_argument("--student", default=None, help="a name: that student's variant")


def run(args: argparse.Namespace) -> int:
    """Write the worksheet and the answer key; print where."""
    from ..tutor import worksheet

    target = output(args.out, "--out", NAME, default=DEFAULT_OUT, folder=True)
    ws = worksheet(args.seed, args.level, student=args.student)
    paths = write_set(target, NAME, ws.save)  # the sheet and its key together, or neither
    say(f"{ws.title}: {len(ws.nodes)} nodes", *(f"  wrote {p}" for p in paths))
    return 0
