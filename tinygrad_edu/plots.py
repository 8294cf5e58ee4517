"""Plots for the lessons: loss curves, decision boundaries, perceptrons, approximation by width.

Each ``plot_*`` function returns a matplotlib ``Figure`` (labelled axes, a title) and
:func:`save` writes it atomically (a temporary file in the same folder, then a rename, so a
crash never leaves half a PNG where a good one was). matplotlib is imported inside the
functions, and figures are drawn on an explicit Agg canvas: no pyplot, no global backend
switch, nothing needs a display. Sizes are fixed (``figsize`` × ``DPI``) so pictures are
reproducible: :data:`SIZE` is 640 × 480 pixels for one panel.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import checks
from .engine import Value, no_grad
from .fileio import atomic_write_bytes, atomic_write_text
from .textsafe import plot_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "SIZE",
    "PerceptronRun",
    "atomic_write_bytes",
    "atomic_write_text",
    "plot_approximation",
    "plot_decision_boundary",
    "plot_loss_curve",
    "plot_perceptron",
    "save",
]

DPI = 100
SIZE = (6.4, 4.8)  # inches: 640 × 480 pixels at DPI
WIDE = (12.8, 4.8)  # two panels side by side: 1280 × 480
# Points must stand out from the region under them, which is coloured by the class the model
# gives it (blue for 0, red for 1): a class-0 point on a blue region or a class-1 point on a
# red one is the usual, correct case. So points are not blue and red but white circles and
# black squares (face, edge): each contrasts with both colours, and the shape says the class.
_CLASS_STYLE = {
    0: ("white", "black", "o", "class 0 (y = 0)"),
    1: ("black", "white", "s", "class 1 (y = 1)"),
}

Point = Sequence[float]
Model = Callable[[list[float]], Any]  # returns a Value, a float, or a one-element list


# --------------------------------------------------------------------------- files
_FORMATS = ("png", "svg", "pdf")


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (png, svg or pdf, from the suffix) atomically.

    >>> import tempfile, pathlib
    >>> path = save(plot_loss_curve([1.0, 0.5]), pathlib.Path(tempfile.mkdtemp()) / "l.png")
    >>> path.read_bytes()[:4]
    b'\x89PNG'
    """
    import io

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"save: path must be a file name (a str or a Path), "
            f"got {type(path).__name__} {checks.show(path)}"
        )
    if not hasattr(fig, "savefig"):
        raise TypeError(f"save: fig must be a matplotlib Figure, got {type(fig).__name__}")
    out = Path(path)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in _FORMATS:
        raise ValueError(f"save: the file name must end in .png, .svg or .pdf, got {str(out)!r}")
    buf = io.BytesIO()
    # metadata without dates, so the same figure gives the same bytes
    meta: dict[str, str | None] = {"Software": None} if fmt == "png" else {"Date": None}
    if fmt == "pdf":
        meta = {"CreationDate": None, "ModDate": None}
    fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta)
    return atomic_write_bytes(out, buf.getvalue(), "save")


# --------------------------------------------------------------------------- helpers
_FIGURE_CLASS: list[type[Figure]] = []


def _figure_class(base: type[Figure]) -> type[Figure]:
    """Figure with ``_repr_png_``: Jupyter shows it as a picture without pyplot's help."""
    if not _FIGURE_CLASS:

        class ShownFigure(base):  # type: ignore[valid-type,misc]
            def _repr_png_(self) -> bytes:
                import io

                buf = io.BytesIO()
                self.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
                return buf.getvalue()

        _FIGURE_CLASS.append(ShownFigure)
    return _FIGURE_CLASS[0]


def _figure(size: tuple[float, float] = SIZE, rows: int = 1, cols: int = 1) -> tuple[Figure, Any]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError(
            "plots need matplotlib: pip install 'tinygrad_edu[plots]' (or pip install matplotlib)"
        ) from None
    fig = _figure_class(Figure)(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False)
    return fig, axes


def _floats(xs: Sequence[float], where: str) -> list[float]:
    """Numbers (Values, NumPy scalars too) as floats; the first bad one named by its index."""
    out = []
    for i, x in enumerate(checks.sequence(xs, where, "the data")):
        out.append(x.data if isinstance(x, Value) else checks.real(x, where, f"item {i}"))
    return out


def _points(
    X: Sequence[Point], y: Sequence[float], where: str
) -> tuple[list[list[float]], list[int]]:
    rows = checks.sequence(X, where, "X")
    targets = checks.sequence(y, where, "y")
    if len(rows) != len(targets):
        raise ValueError(f"{where}: {len(rows)} points but {len(targets)} labels")
    if len(rows) == 0:
        raise ValueError(f"{where}: no points to plot")
    pts = []
    for i, row in enumerate(rows):
        point = _floats(row, where)
        if len(point) != 2:
            raise ValueError(f"{where}: point {i} has {len(point)} coordinates; plots need 2")
        pts.append(point)
    labels = []
    for i, t in enumerate(targets):
        c = checks.real(t, where, f"label {i}")
        if c not in (0.0, 1.0, -1.0):
            raise ValueError(f"{where}: label {i} must be 0 or 1 (or -1), got {t!r}")
        labels.append(1 if c == 1.0 else 0)
    return pts, labels


def _scatter(ax: Axes, pts: list[list[float]], labels: list[int]) -> None:
    for cls, (face, edge, marker, name) in _CLASS_STYLE.items():
        xs = [p[0] for p, c in zip(pts, labels) if c == cls]
        ys = [p[1] for p, c in zip(pts, labels) if c == cls]
        if xs:
            ax.scatter(
                xs,
                ys,
                c=face,
                marker=marker,
                s=70,
                edgecolors=edge,
                linewidths=1.5,
                zorder=3,
                label=plot_text(name),
            )


def _grid(
    pts: list[list[float]], resolution: int, padding: float
) -> tuple[list[float], list[float]]:
    resolution = checks.count(resolution, "plot", "resolution", minimum=2)
    lo_x = min(p[0] for p in pts) - padding
    hi_x = max(p[0] for p in pts) + padding
    lo_y = min(p[1] for p in pts) - padding
    hi_y = max(p[1] for p in pts) + padding
    gx = [lo_x + (hi_x - lo_x) * i / (resolution - 1) for i in range(resolution)]
    gy = [lo_y + (hi_y - lo_y) * i / (resolution - 1) for i in range(resolution)]
    return gx, gy


def _score(model: Model, x: list[float]) -> float:
    out = model(x)
    if isinstance(out, list):
        if len(out) != 1:
            raise ValueError(
                f"plot_decision_boundary: the model must give one output, got {len(out)}"
            )
        out = out[0]
    return float(out.data) if isinstance(out, Value) else float(out)


# --------------------------------------------------------------------------- the plots
def plot_loss_curve(
    losses: Sequence[float],
    *,
    title: str = "Training loss",
    ylabel: str = "loss",
    log_scale: bool = True,
    accuracy: Sequence[float] | None = None,
) -> Figure:
    """The loss per epoch (log scale by default); with ``accuracy``, that too on a right axis.

    >>> plot_loss_curve([1.0, 0.5, 0.25]).axes[0].get_yscale()
    'log'
    """
    ys = _floats(losses, "plot_loss_curve")
    if not ys:
        raise ValueError("plot_loss_curve: no losses to plot")
    fig, axes = _figure()
    ax = axes[0][0]
    epochs = list(range(1, len(ys) + 1))
    ax.plot(epochs, ys, color="#1f77b4", label=plot_text(ylabel))
    positive = all(v > 0.0 and math.isfinite(v) for v in ys)
    if log_scale and positive:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(plot_text(ylabel) + (" (log scale)" if log_scale and positive else ""))
    ax.set_title(plot_text(title))
    ax.grid(True, which="both", alpha=0.3)
    if accuracy is not None:
        acc = _floats(accuracy, "plot_loss_curve")
        right = ax.twinx()
        right.plot(list(range(1, len(acc) + 1)), acc, color="#2ca02c", label="accuracy")
        right.set_ylabel("accuracy")
        right.set_ylim(-0.05, 1.05)
        lines = ax.get_lines() + right.get_lines()
        ax.legend(lines, [str(line.get_label()) for line in lines], loc="center right")
    return fig


def plot_decision_boundary(
    model: Model,
    X: Sequence[Point],
    y: Sequence[float],
    *,
    title: str = "Decision boundary",
    resolution: int = 100,
    padding: float = 0.5,
    threshold: float = 0.5,
    output_label: str = "network output",
) -> Figure:
    """The model's output over the plane (colours), the ``threshold`` contour, and the points.

    ``model([x1, x2])`` returns one number (a Value, a float or a one-element list); it is
    evaluated on a ``resolution`` × ``resolution`` grid under ``no_grad()``.

    >>> fig = plot_decision_boundary(lambda x: x[0], [[0, 0], [1, 1]], [0, 1], resolution=5)
    >>> fig.axes[0].get_title()
    'Decision boundary'
    """
    pts, labels = _points(X, y, "plot_decision_boundary")
    gx, gy = _grid(pts, resolution, checks.finite(padding, "plot_decision_boundary", "padding"))
    with no_grad():
        z = [[_score(model, [a, b]) for a in gx] for b in gy]
    fig, axes = _figure()
    from matplotlib.colors import TwoSlopeNorm

    ax = axes[0][0]
    flat = [v for row in z for v in row]
    lo, hi = min(flat), max(flat)
    threshold = checks.finite(threshold, "plot_decision_boundary", "threshold")
    # a probability gets the fixed scale 0 … 1, so pictures of different runs compare
    probability = lo >= 0.0 and hi <= 1.0
    levels: int | list[float] = [i / 20 for i in range(21)] if probability else 20
    # diverging about the threshold: white on the boundary, blue below it, red above
    low, high = (0.0, 1.0) if probability else (lo, hi)
    norm = TwoSlopeNorm(threshold, low, high) if low < threshold < high else None
    filled = ax.contourf(gx, gy, z, levels=levels, cmap="RdBu_r", norm=norm, alpha=0.8)
    fig.colorbar(filled, ax=ax, label=plot_text(output_label))
    if lo < threshold < hi:
        ax.contour(gx, gy, z, levels=[threshold], colors="black", linewidths=2)
        ax.plot([], [], color="black", linewidth=2, label=f"output = {threshold:g}")
    _scatter(ax, pts, labels)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(plot_text(title))
    ax.legend(loc="upper right", framealpha=0.9)
    return fig


@dataclass
class PerceptronRun:
    """One perceptron training run to draw: the data, the final weights, mistakes per epoch."""

    title: str
    X: Sequence[Point]
    y: Sequence[float]
    w: Sequence[float]
    b: float
    mistakes: Sequence[int] = field(default_factory=list)
    bound: float | None = None  # the (R/γ)² bound on the total number of mistakes
    note: str = ""


def plot_perceptron(runs: Sequence[PerceptronRun], *, resolution: int = 200) -> Figure:
    """One column per run: the points and the learned line w·x + b = 0, then mistakes/epoch.

    >>> run = PerceptronRun("AND", [[0, 0], [1, 1]], [0, 1], [1.0, 1.0], -1.5, [1, 0])
    >>> [ax.get_title() for ax in plot_perceptron([run], resolution=10).axes][0]
    'AND'
    """
    if not runs:
        raise ValueError("plot_perceptron: no runs to plot")
    from matplotlib.ticker import MaxNLocator

    n = len(runs)
    fig, axes = _figure((6.4 * n, 9.6), rows=2, cols=n)
    for k, run in enumerate(runs):
        pts, labels = _points(run.X, run.y, "plot_perceptron")
        w = _floats(run.w, "plot_perceptron")
        if len(w) != 2:
            raise ValueError(f"plot_perceptron: w must have 2 entries, got {len(w)}")
        b = float(run.b)
        top, bottom = axes[0][k], axes[1][k]
        gx, gy = _grid(pts, resolution, 0.5)
        side = [[1.0 if w[0] * a + w[1] * c + b >= 0.0 else 0.0 for a in gx] for c in gy]
        top.contourf(gx, gy, side, levels=[-0.5, 0.5, 1.5], colors=["#cfe2f3", "#f4cccc"])
        if any(v != 0.0 for v in w):
            top.contour(gx, gy, side, levels=[0.5], colors="black", linewidths=2)
            top.plot([], [], color="black", linewidth=2, label="w·x + b = 0")
        _scatter(top, pts, labels)
        top.set_xlabel("x₁")
        top.set_ylabel("x₂")
        top.set_title(plot_text(run.title + (f"\n{run.note}" if run.note else "")))
        top.legend(loc="best", framealpha=0.9)
        m = [int(v) for v in run.mistakes]
        epochs = list(range(1, len(m) + 1))
        bottom.bar(epochs, m, color="#888888", label="mistakes in the epoch")
        # the convergence theorem bounds the running total, so draw that beside the bound
        running = [sum(m[: i + 1]) for i in range(len(m))]
        bottom.step(epochs, running, where="mid", color="black", label="mistakes so far")
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        bottom.yaxis.set_major_locator(MaxNLocator(integer=True))
        if run.bound is not None and math.isfinite(run.bound):
            bottom.axhline(
                run.bound,
                color="#d62728",
                linestyle="--",
                label=f"(R/γ)² = {run.bound:.1f}, bound on the total",
            )
        bottom.set_xlabel("epoch")
        bottom.set_ylabel("mistakes")
        total = sum(m)
        bottom.set_title(f"mistakes: per epoch and so far (total {total})")
        # under the axes, where it can never cover the bound or the running total
        bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)
    return fig


def plot_approximation(
    x: Sequence[float],
    target: Sequence[float],
    fits: Mapping[int, Sequence[float]],
    errors: Mapping[str, Mapping[int, float]],
    *,
    target_label: str = "sin x",
    title: str = "One hidden layer of sigmoids",
) -> Figure:
    """Left: the target and each width's fit. Right: each error measure against the width.

    >>> fig = plot_approximation([0.0, 1.0], [0.0, 1.0], {2: [0.1, 0.9]}, {"max": {2: 0.1}})
    >>> fig.axes[1].get_xlabel()
    'hidden units (log scale)'
    """
    xs = _floats(x, "plot_approximation")
    ts = _floats(target, "plot_approximation")
    if len(xs) != len(ts) or not xs:
        raise ValueError(f"plot_approximation: {len(xs)} x values but {len(ts)} targets")
    if not fits:
        raise ValueError("plot_approximation: no fits to plot")
    fig, axes = _figure(WIDE, rows=1, cols=2)
    left, right = axes[0][0], axes[0][1]
    left.plot(xs, ts, color="black", linewidth=3, alpha=0.4, label=plot_text(target_label))
    for width in sorted(fits):
        ys = _floats(fits[width], "plot_approximation")
        if len(ys) != len(xs):
            raise ValueError(
                f"plot_approximation: the fit of width {width} has {len(ys)} values, "
                f"expected {len(xs)}"
            )
        left.plot(xs, ys, label=f"{width} hidden units")
    left.set_xlabel("x")
    left.set_ylabel("y")
    left.set_title(f"{plot_text(title)}: fits")
    left.legend(loc="best")
    for name, per_width in errors.items():
        widths = sorted(per_width)
        right.plot(widths, [per_width[w] for w in widths], marker="o", label=plot_text(name))
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xlabel("hidden units (log scale)")
    right.set_ylabel("error (log scale)")
    right.set_title("error against width")
    right.grid(True, which="both", alpha=0.3)
    right.legend(loc="best")
    return fig
