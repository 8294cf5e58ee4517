"""What the commands share: printing, text tables, drawing a graph, argument types, limits."""

from __future__ import annotations

import argparse
import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine import Value

PROG = "tinygrad-edu"

# Size limits for crosscheck: the scalar engine and the finite differences (two forward
# passes per parameter) stay interactive below these.
MAX_WIDTH = 64
MAX_LAYERS = 8
MAX_BATCH = 256
MAX_APPROX_WIDTH = 256

PLOTS_HINT = "pip install 'tinygrad_edu[plots]'"


def say(*lines: str) -> None:
    """Print lines at once (flushed: the progress bar and the text stay in order)."""
    print("\n".join(lines), flush=True)


def available(module: str) -> bool:
    """True when ``module`` imports (an optional dependency is installed and works).

    >>> available("math"), available("no_such_module_here")
    (True, False)
    """
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def table(head: Sequence[str], rows: Sequence[Sequence[str]], right: bool = True) -> list[str]:
    """A text table: the first column left-aligned, the others right-aligned.

    >>> for line in table(["name", "value"], [["x", "0.5"], ["w", "-1.25"]]):
    ...     print(line)
    name  value
    ----  -----
    x       0.5
    w     -1.25
    """
    widths = [max(len(h), *(len(r[c]) for r in rows)) for c, h in enumerate(head)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(w) if c == 0 or not right else cell.rjust(w)
            for c, (cell, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    return [line(head), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render(root: Value, path: Path, **options: Any) -> tuple[Path, str]:
    """Draw ``root`` into ``path`` (.svg/.png/.pdf, or .dot/.mmd as text); (file, note).

    Without the Graphviz program the DOT source is written next to ``path`` and the note says
    that rendering needs graphviz; the command goes on. A graph too large for Graphviz to lay
    out quickly (viz's bounds: ``GraphTooLarge``) is a ValueError that says so and names the
    way out on the command line: the text forms, which are always written.
    """
    from .. import viz
    from ..fileio import atomic_write_text

    suffix = path.suffix.lower()
    if suffix == ".dot":
        return atomic_write_text(path, viz.draw_dot(root, **options).source), ""
    if suffix in (".mmd", ".mermaid"):
        options.pop("legend", None)
        return atomic_write_text(path, viz.to_mermaid(root, **options)), ""
    try:
        return viz.render(root, path, **options), ""
    except viz.GraphTooLarge as err:
        raise ValueError(
            f"{path.name}: the graph is too large to draw ({err}); write the text forms "
            "instead (--out FILE.dot or FILE.mmd), or draw a smaller expression"
        ) from None
    except viz.GraphvizNotFound as err:
        if err.dot_path is None:
            raise
        return err.dot_path, f"{path.name} was not drawn: rendering needs graphviz. {err}"


@dataclass
class Output:
    """Where a command writes, checked before any work: the folders it will create, if any.

    A command creates only folders the user named: the folder of ``--out DIR`` or of
    ``--out DIR/FILE`` when its parent exists, never a chain of missing folders (except
    inside the command's own default, such as ``out/``), and says so when it does.
    """

    path: Path
    missing: list[Path] = field(default_factory=list)  # outermost first
    existed: bool = True

    def make_folders(self) -> None:
        """Create the missing folders (outermost first) and say so."""
        for folder in self.missing:
            if not folder.is_dir():
                folder.mkdir()
                say(f"created folder {folder}")
        self.missing = []


def _missing_folders(folder: Path) -> list[Path]:
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    return missing[::-1]


def output(value: str, flag: str, where: str, *, default: str | None = None,
           folder: bool = False) -> Output:  # fmt: skip
    """Check ``flag``'s path before the work: not empty, and at most the last folder missing.

    ``folder``: the value names a folder for a set of files (the folder itself may be new);
    otherwise a file (its folder may be new). Inside the default value any folder may be
    missing. Raises ValueError naming the flag and the folder that does not exist.

    >>> output("out/g.svg", "--out", "graph", default="out/g.svg").path
    PosixPath('out/g.svg')
    >>> output("/no/such/dir/g.svg", "--out", "graph")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: graph: --out /no/such/dir/g.svg: the folder /no does not exist ...
    """
    if value == "":
        raise ValueError(f"{where}: {flag} is empty; give a {'folder' if folder else 'file'} name")
    path = Path(value)
    holder = path if folder else path.parent
    if folder and path.exists() and not path.is_dir():
        raise ValueError(f"{where}: {flag} {value}: {path} exists and is not a folder")
    missing = _missing_folders(holder)
    if len(missing) > 1 and value != default:
        raise ValueError(
            f"{where}: {flag} {value}: the folder {missing[0]} does not exist (only the last "
            f"folder of a path is created); create it first: mkdir -p {holder}"
        )
    if folder:  # the set's folder itself appears when the set is moved into place
        return Output(path, [m for m in missing if m != path], existed=path.is_dir())
    return Output(path, missing)


def moved(paths: Sequence[Path], stage: Path, final: Path) -> list[Path]:
    """Paths written inside a set's temporary folder, as they are once it is in place."""
    return [final / Path(p).relative_to(stage) if Path(p).is_relative_to(stage) else Path(p)
            for p in paths]  # fmt: skip


def write_set(target: Output, where: str, write: Callable[[Path], Sequence[Path]]) -> list[Path]:
    """Run ``write(folder)`` on a temporary folder and move what it wrote to ``target``
    (all of it, or nothing on an error); returns the files' final paths."""
    from ..fileio import file_set

    target.make_folders()
    with file_set(target.path, where) as stage:
        paths = moved(write(stage), stage, target.path)
    if not target.existed:
        say(f"created folder {target.path}")
    return paths


def int_list(text: str, what: str, lo: int, hi: int) -> list[int]:
    """Comma-separated integers in [lo, hi] (an argparse type's body).

    >>> int_list("2, 4,4,1", "the layer sizes", 1, 64)
    [2, 4, 4, 1]
    """
    items = [t.strip() for t in text.split(",")]
    out: list[int] = []
    for item in items:
        try:
            n = int(item)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be comma-separated integers such as 2,4,4,1, got {text!r}"
            ) from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"each of {what} must be in [{lo}, {hi}], got {n}")
        out.append(n)
    return out


def bounded_int(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: an integer in [lo, hi].

    >>> bounded_int(1, 10)("7")
    7
    """

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"must be in [{lo}, {hi}], got {n}")
        return n

    parse.__name__ = "integer"  # argparse names the type in its messages
    return parse


def positive_float(text: str) -> float:
    """An argparse type: a finite number > 0.

    >>> positive_float("0.01")
    0.01
    """
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(x) and x > 0.0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return x


positive_float.__name__ = "number"

SEED = bounded_int(0, 2**32 - 1)
