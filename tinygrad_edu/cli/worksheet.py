"""``tinygrad-edu worksheet --seed N --level K --out DIR``: a backprop worksheet and its key."""

from __future__ import annotations

import argparse

from .common import SEED, bounded_int, output, say, write_set

NAME = "worksheet"
DEFAULT_OUT = "out/worksheet"
HELP = "write a seeded backprop worksheet (blank table, drawing) and its answer key"
EPILOG = (
    "examples: tinygrad-edu worksheet --seed 7 --level 3 --out out/sheet --student ada; "
    "tinygrad-edu worksheet --roster class.csv --level 3 --out out/class"
)


def description() -> str:
    """The command's description, with the levels the tutor knows."""
    from ..tutor.worksheet import LEVEL_NAMES

    levels = "; ".join(f"{k}: {text}" for k, text in LEVEL_NAMES.items())
    return (
        "Make a random graph from --seed at --level (" + levels + "), and write into --out "
        "the worksheet (worksheet.md, .tex, .html with a blank table: order | node | made by "
        "| value | grad), the drawing (graph.svg when Graphviz is installed, graph.dot and "
        "graph.mmd always) and the answer key (answer_key.md, .html, .json). --student gives "
        "that student's own variant of the same sheet. With --roster (a CSV with an id column and "
        "optionally name), one sheet per student goes into --out/sheets (print-ready A4 HTML, "
        "a LaTeX document, Markdown to fill in) and the keys, with the chain-rule line behind "
        "every number, into --out/keys; both are written all or nothing."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--seed, --level, --out, --student."""
    parser.add_argument("--seed", type=SEED, default=0, help="the sheet's seed (default 0)")
    parser.add_argument("--level", type=bounded_int(1, 4), default=1, help="1 to 4 (default 1)")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help="the folder")
    parser.add_argument("--student", default=None, help="a name: that student's variant")
    parser.add_argument("--roster", default=None, metavar="CSV", help="a class: one sheet each")
    parser.add_argument("--title", default="Backprop by hand", help="the sheets' title (--roster)")


def run(args: argparse.Namespace) -> int:
    """Write the worksheet and the answer key; print where."""
    if args.roster is not None:
        return _class(args)
    from ..tutor import worksheet

    target = output(args.out, "--out", NAME, default=DEFAULT_OUT, folder=True)
    ws = worksheet(args.seed, args.level, student=args.student)
    paths = write_set(target, NAME, ws.save)  # the sheet and its key together, or neither
    say(f"{ws.title}: {len(ws.nodes)} nodes", *(f"  wrote {p}" for p in paths))
    return 0


def _class(args: argparse.Namespace) -> int:
    """One sheet per student of the roster, the keys beside them."""
    from ..grading import hand_out, read_roster

    students = read_roster(args.roster)
    say(f"{len(students)} students: drawing and writing their sheets and keys (about "
        f"{max(1, len(students) // 10)} s)…")  # fmt: skip
    done = hand_out(students, args.level, args.out, seed=args.seed, title=args.title)
    say(
        f"{done.students} sheets at level {args.level} (seed {args.seed}), {done.files} files",
        f"  hand out: {done.sheets}",
        f"  keep:     {done.keys} (keys, roster.json, assignment.toml for grade --spec)",
    )
    return 0
