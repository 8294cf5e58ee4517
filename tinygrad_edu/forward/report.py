"""What ``compare_modes`` measured: rows per mode, a text/Markdown table, and a plot."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..textsafe import md_text

MODE_NAMES: dict[str, str] = {
    "reverse": "reverse mode (backprop)",
    "forward": "forward mode (duals)",
    "central": "central differences",
}
METRICS: tuple[str, ...] = ("seconds", "operations", "tape_nodes")


@dataclass(frozen=True)
class ModeCost:
    """One way of getting the whole Jacobian, and what it cost.

    ``operations``: primitives evaluated plus chain-rule products (local × tangent or
    local × adjoint), counted, never timed. ``passes``: function evaluations (forward, central)
    or backward passes (reverse). ``tape_nodes``/``tape_edges``: what must be kept alive until
    the gradient is known (reverse mode's graph; 0 for the others, which free each value as
    they go). ``peak_kib``: the largest Python allocation during one pass (tracemalloc), or None.
    ``estimated``: the time (and counts) scaled from fewer directions than inputs.
    ``max_error``: the largest |difference| from reverse mode's Jacobian (0 for reverse itself).
    """

    mode: str
    seconds: float
    operations: int
    passes: int
    tape_nodes: int
    tape_edges: int
    peak_kib: float | None
    estimated: bool
    max_error: float


def _time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


@dataclass(frozen=True)
class ModeComparison:
    """The three modes on one function (``rows`` in the order measured)."""

    name: str
    n_inputs: int
    n_outputs: int
    rows: tuple[ModeCost, ...]
    notes: tuple[str, ...] = ()

    def row(self, mode: str) -> ModeCost:
        """The row of ``mode`` ("reverse", "forward" or "central")."""
        for r in self.rows:
            if r.mode == mode:
                return r
        raise KeyError(f"compare_modes: {mode!r} was not measured (measured: {self.modes})")

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(r.mode for r in self.rows)

    def ratio(self, mode: str, metric: str = "seconds", to: str = "reverse") -> float:
        """``mode``'s cost over ``to``'s, in ``metric`` (seconds or operations)."""
        a, b = getattr(self.row(mode), metric), getattr(self.row(to), metric)
        return float(a) / float(b) if b else math.inf

    def cheapest(self, metric: str = "operations") -> str:
        """The mode with the smallest ``metric`` (operations by default: deterministic)."""
        return min(self.rows, key=lambda r: getattr(r, metric)).mode

    def _lines(self) -> tuple[list[str], list[list[str]]]:
        head = ["mode", "time", "× reverse", "operations", "passes", "tape nodes", "peak KiB",
                "max |Δ| vs reverse"]  # fmt: skip
        body = []
        base = "reverse" if "reverse" in self.modes else self.rows[0].mode
        for r in self.rows:
            mark = " (est.)" if r.estimated else ""
            body.append([
                MODE_NAMES.get(r.mode, r.mode),
                _time(r.seconds) + mark,
                f"{self.ratio(r.mode, to=base):.1f}×",
                f"{r.operations:,}" + mark,
                f"{r.passes:,}",
                f"{r.tape_nodes:,}",
                "" if r.peak_kib is None else f"{r.peak_kib:,.0f}",
                f"{r.max_error:.1e}",
            ])  # fmt: skip
        return head, body

    def title(self) -> str:
        return f"{self.name}: {self.n_inputs:,} inputs, {self.n_outputs:,} outputs"

    def to_markdown(self) -> str:
        """The table in Markdown (cells are numbers and fixed words; the name is escaped)."""
        head, body = self._lines()
        lines = [f"**{md_text(self.title())}**", "", _md_row(head)]
        lines.append("|" + "---|" * len(head))
        lines += [_md_row(row) for row in body]
        lines += ["", *(f"- {md_text(n)}" for n in self.notes)]
        return "\n".join(lines).rstrip()

    def __str__(self) -> str:
        head, body = self._lines()
        widths = [max(len(c) for c in col) for col in zip(head, *body)]
        out = [self.title()]
        out.append("  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip())
        out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in body]
        out += [f"note: {n}" for n in self.notes]
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(md_text(c) for c in cells) + " |"


@dataclass(frozen=True)
class ModeSweep:
    """``compare_modes`` at several sizes: a table and a plot against the number of inputs."""

    comparisons: tuple[ModeComparison, ...]

    def series(self, mode: str, metric: str = "operations") -> list[tuple[int, float]]:
        """(number of inputs, metric) for ``mode`` at each size where it was measured."""
        return [
            (c.n_inputs, float(getattr(c.row(mode), metric)))
            for c in self.comparisons
            if mode in c.modes
        ]

    def crossover(self, metric: str = "operations") -> int | None:
        """The first number of inputs at which reverse mode becomes cheaper than forward mode
        (None if it never changes over the sizes measured)."""
        previous: bool | None = None
        for c in self.comparisons:
            if not {"reverse", "forward"} <= set(c.modes):
                continue
            reverse_wins = getattr(c.row("reverse"), metric) < getattr(c.row("forward"), metric)
            if previous is False and reverse_wins:
                return c.n_inputs
            previous = reverse_wins
        return None

    def to_markdown(self) -> str:
        head = ["inputs", "outputs"] + [f"{m} ops" for m in MODE_NAMES] + ["forward/reverse time"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for c in self.comparisons:
            cells = [f"{c.n_inputs:,}", f"{c.n_outputs:,}"]
            cells += [f"{c.row(m).operations:,}" if m in c.modes else "" for m in MODE_NAMES]
            both = {"reverse", "forward"} <= set(c.modes)
            cells.append(f"{c.ratio('forward'):.1f}×" if both else "")
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def plot(self, metric: str = "operations", ax: Any = None) -> Any:
        """Each mode's ``metric`` against the number of inputs (log-log); returns the Axes.

        matplotlib is imported here, only when a plot is asked for.
        """
        if metric not in METRICS:
            raise ValueError(f"plot: metric must be one of {', '.join(METRICS)}, got {metric!r}")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.0, 4.0))
        for mode, label in MODE_NAMES.items():
            points = self.series(mode, metric)
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, [max(y, 1e-9) for y in ys], marker="o", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("number of inputs")
        ax.set_ylabel({"seconds": "time (s)", "operations": "elementary operations",
                       "tape_nodes": "nodes kept (tape)"}[metric])  # fmt: skip
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        return ax
