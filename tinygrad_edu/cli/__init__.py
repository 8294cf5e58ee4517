"""The command line: ``tinygrad-edu COMMAND`` (also ``python -m tinygrad_edu``).

Commands: ``demo`` (the default), ``graph``, ``crosscheck``, ``perceptron``, ``approx``. Run
``tinygrad-edu COMMAND --help`` for each. Bad arguments exit with status 2 (argparse); errors
of the library (a bad expression, a domain error, an unwritable folder, a graph too large to
draw) print ``tinygrad-edu: error: …`` and exit with status 1, never a traceback.

**Adding a command** is one module and one line. Write ``cli/<name>.py`` with

- ``NAME``: the command's name; ``HELP``: one line for ``tinygrad-edu --help``;
- ``EPILOG`` (optional): an example invocation;
- ``description() -> str``: the paragraph for ``tinygrad-edu NAME --help``;
- ``add_arguments(parser: argparse.ArgumentParser) -> None``;
- ``run(args: argparse.Namespace) -> int``: the exit status;

and add its module name to :data:`COMMANDS`. Shared pieces (printing, tables, drawing a graph,
argument types, size limits) are in :mod:`tinygrad_edu.cli.common`. A command that writes
checks its path before any work with ``common.output`` (an empty path refused, only the last
folder of a path created, and said) and writes a set of files with ``common.write_set`` (whole
or not at all). A command module imports
only ``argparse`` and ``common`` at the top: NumPy, matplotlib, graphviz and the training loop
are imported inside ``run``, so ``--help`` is instant and a missing optional dependency only
affects the command that needs it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from .common import PLOTS_HINT, PROG

__all__ = ["COMMANDS", "PROG", "build_parser", "command", "main"]

COMMANDS: tuple[str, ...] = (
    "demo",
    "graph",
    "crosscheck",
    "perceptron",
    "approx",
    "worksheet",
    "explore",
    "grade",
    "dashboard",
    "audit",
    "export",
)
DEFAULT = "demo"


def command(name: str) -> ModuleType:
    """The module of command ``name`` (one of :data:`COMMANDS`).

    >>> command("graph").NAME
    'graph'
    """
    if name not in COMMANDS:
        raise ValueError(f"command: unknown command {name!r}; known: {', '.join(COMMANDS)}")
    return importlib.import_module(f"{__name__}.{name}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tinygrad-edu`` and its commands (one subparser per module).

    >>> build_parser().parse_args(["graph", "x*y", "--set", "x=2", "y=3"]).set
    ['x=2', 'y=3']
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A scalar autodiff engine for learning backpropagation. "
        "Without a command, runs the demo.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = command(name)
        child = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=module.description(),
            epilog=getattr(module, "EPILOG", None),
        )
        module.add_arguments(child)
        child.set_defaults(func=module.run)
    return parser


def _version() -> str:
    from .. import __version__

    return __version__


def _expression_first(argv: list[str]) -> list[str]:
    """``graph "-x**2" --set x=2``: argparse would read "-x**2" as an option; move it after --."""
    if len(argv) >= 2 and argv[0] == "graph" and "--" not in argv:
        first = argv[1]
        if first.startswith("-") and not first.startswith("--") and first != "-h":
            return ["graph", *argv[2:], "--", first]
    return argv


def _undecodable(argv: Sequence[str]) -> str | None:
    """The message for the first argument that is not valid text (bytes that are not UTF-8
    reach Python as lone surrogates), naming it and the option it belongs to; else None.

    >>> name = b"g\\xff.svg".decode("utf-8", "surrogateescape")  # as Python gets it from argv
    >>> print(_undecodable(["graph", "x", "--out", name]))
    argument 4 (the value of --out) is not valid UTF-8 text: b'g\xff.svg'; give it in UTF-8
    """
    for k, arg in enumerate(argv):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            try:
                raw = arg.encode("utf-8", "surrogateescape")  # the bytes as given
            except UnicodeEncodeError:
                raw = arg.encode("utf-8", "backslashreplace")
            before = argv[k - 1] if k else ""
            role = f" (the value of {before})" if before.startswith("-") else ""
            return f"argument {k + 1}{role} is not valid UTF-8 text: {raw!r}; give it in UTF-8"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (the console script's entry point)."""
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    problem = _undecodable(given)
    if problem is not None:
        parser.error(problem)  # exits with status 2, as argparse does for a bad argument
    args = parser.parse_args(_expression_first(given))
    if args.command is None:
        args = parser.parse_args([DEFAULT])
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, and keep Python's exit flush quiet too
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, TypeError, ArithmeticError, OSError, RuntimeError) as err:
        # RuntimeError: Graphviz failing or timing out (viz's named errors)
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    except ImportError as err:
        hint = "" if "pip install" in str(err) else f" ({PLOTS_HINT})"
        print(f"{PROG}: error: {err}{hint}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
