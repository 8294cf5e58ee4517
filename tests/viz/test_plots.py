"""tinygrad_edu.plots: sizes, labels, the pixels where the data says they should be, atomic saves.

Pixel checks map data coordinates to pixels with the axes' own transform, then read the PNG
back with PIL: the colour on each side of a known decision boundary, and the boundary line.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tinygrad_edu import plots
from tinygrad_edu.engine import Value
from tinygrad_edu.plots import (
    PerceptronRun,
    atomic_write_bytes,
    atomic_write_text,
    plot_approximation,
    plot_decision_boundary,
    plot_loss_curve,
    plot_perceptron,
    save,
)


def numbers(data: Any) -> list[float]:
    """A line's x or y data as a list of floats."""
    return [float(v) for v in data]


XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0, 1, 1, 0]


def step_model(x: list[float]) -> Value:
    """A smooth step across the vertical line x₁ = 0.5: σ(20(x₁ − 0.5))."""
    return (20.0 * (Value(x[0]) - 0.5)).sigmoid()


def pixel(
    img: Image.Image, fig: object, ax: Any, x: float, y: float, shift: int = 0
) -> tuple[int, int, int]:
    """The RGB colour at data point (x, y) of ``ax`` in ``img``, ``shift`` pixels to the right."""
    px, py = ax.transData.transform((x, y))
    height = img.size[1]
    rgb = img.convert("RGB").getpixel((round(px) + shift, height - round(py)))
    assert isinstance(rgb, tuple)
    return rgb[0], rgb[1], rgb[2]


# --------------------------------------------------------------------------- saving
@pytest.mark.slow
def test_plots_save_png_svg_pdf_with_fixed_size(tmp_path: Path) -> None:
    fig = plot_loss_curve([1.0, 0.5, 0.25])
    png = save(fig, tmp_path / "loss.png")
    with Image.open(png) as img:
        assert img.format == "PNG" and img.size == (640, 480)
    svg = save(fig, tmp_path / "loss.svg")
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "460.8pt" and root.get("height") == "345.6pt"  # 6.4 × 4.8 in
    pdf = save(fig, tmp_path / "loss.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError, match=r"must end in \.png, \.svg or \.pdf"):
        save(fig, tmp_path / "loss.jpg")


@pytest.mark.slow
def test_plots_figures_show_themselves_in_jupyter() -> None:
    # IPython displays any object with _repr_png_; no pyplot backend needed
    fig = plot_loss_curve([1.0, 0.5])
    png = fig._repr_png_()  # type: ignore[attr-defined]
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and img.size == (640, 480)


@pytest.mark.slow
def test_plots_same_figure_gives_the_same_bytes(tmp_path: Path) -> None:
    a = save(plot_loss_curve([3.0, 2.0, 1.0]), tmp_path / "a.png").read_bytes()
    b = save(plot_loss_curve([3.0, 2.0, 1.0]), tmp_path / "b.png").read_bytes()
    assert a == b
    c = save(plot_loss_curve([3.0, 2.0, 1.5]), tmp_path / "c.png").read_bytes()
    assert a != c


def test_plots_atomic_write_keeps_the_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "keep.txt"
    atomic_write_text(target, "good")

    def crash(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"half a file")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]  # no temporary left


def test_plots_atomic_write_creates_folders_with_the_usual_mode(tmp_path: Path) -> None:
    target = atomic_write_text(tmp_path / "a" / "b" / "c.md", "# hi\n")
    assert target.read_text(encoding="utf-8") == "# hi\n"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


# --------------------------------------------------------------------------- content
def test_plots_loss_curve_axes_labels_and_scale() -> None:
    fig = plot_loss_curve([0.7, 0.3, 0.1, 0.05], title="XOR", accuracy=[0.5, 0.75, 1.0, 1.0])
    ax = fig.axes[0]
    assert ax.get_title() == "XOR"
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "loss (log scale)"
    assert ax.get_yscale() == "log"
    line = ax.get_lines()[0]
    assert numbers(line.get_xdata()) == [1, 2, 3, 4]
    assert numbers(line.get_ydata()) == [0.7, 0.3, 0.1, 0.05]
    right = fig.axes[1]
    assert right.get_ylabel() == "accuracy"
    assert numbers(right.get_lines()[0].get_ydata()) == [0.5, 0.75, 1.0, 1.0]
    # a loss that is not positive everywhere cannot be drawn on a log scale
    linear = plot_loss_curve([1.0, 0.0, -1.0]).axes[0]
    assert linear.get_yscale() == "linear" and linear.get_ylabel() == "loss"


@pytest.mark.slow
def test_plots_decision_boundary_colours_each_side(tmp_path: Path) -> None:
    fig = plot_decision_boundary(step_model, XOR_X, XOR_Y, resolution=60, title="step")
    path = save(fig, tmp_path / "db.png")
    ax = fig.axes[0]
    assert ax.get_title() == "step"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x₁", "x₂")
    assert fig.axes[1].get_ylabel() == "network output"  # the colour bar
    with Image.open(path) as img:
        assert img.size == (640, 480)
        r, _, b = pixel(img, fig, ax, -0.25, 0.5)  # output ≈ 0: blue
        assert b > r + 60
        r, _, b = pixel(img, fig, ax, 1.25, 0.5)  # output ≈ 1: red
        assert r > b + 60
        # the 0.5 contour is a black line at x₁ = 0.5
        rgb = img.convert("RGB")
        darkest = min(sum(pixel(rgb, fig, ax, 0.5, 0.25, shift=d)) for d in range(-2, 3))
        assert darkest < 150
        # the points: class 1 at (0, 1) a black square, class 0 at (1, 1) a white circle
        assert sum(pixel(img, fig, ax, 0.0, 1.0)) < 60
        assert min(pixel(img, fig, ax, 1.0, 1.0)) > 220


@pytest.mark.slow
def test_plots_points_contrast_with_the_region_under_them(tmp_path: Path) -> None:
    # the hard case of issue 14: every point on the region of its own class (red on red)
    def xor_like(x: list[float]) -> Value:
        return (20.0 * (Value(x[0]) - Value(x[1])) ** 2 - 4.0).sigmoid()

    fig = plot_decision_boundary(xor_like, XOR_X, XOR_Y, resolution=60)
    path = save(fig, tmp_path / "db.png")
    ax = fig.axes[0]
    with Image.open(path) as img:
        for (x1, x2), label in zip(XOR_X, XOR_Y):
            centre = pixel(img, fig, ax, x1, x2)
            region = pixel(img, fig, ax, x1, x2, shift=-14)  # just outside the marker
            red, blue = region[0] > region[2] + 60, region[2] > region[0] + 60
            assert red if label == 1 else blue  # the point lies on its own class's region
            distance = sum(abs(a - b) for a, b in zip(centre, region))
            assert distance > 150, ((x1, x2), centre, region)


def test_plots_background_diverges_about_the_threshold() -> None:
    fig = plot_decision_boundary(lambda x: 3.0 * x[0] - 1.0, XOR_X, XOR_Y, threshold=0.0)
    norm = fig.axes[0].collections[0].norm
    assert norm.vcenter == 0.0 and norm.vmin < 0.0 < norm.vmax  # type: ignore[attr-defined]
    fig = plot_decision_boundary(step_model, XOR_X, XOR_Y, resolution=20)
    norm = fig.axes[0].collections[0].norm
    assert (norm.vmin, norm.vcenter, norm.vmax) == (0.0, 0.5, 1.0)  # type: ignore[attr-defined]


def test_plots_decision_boundary_accepts_floats_and_one_element_lists() -> None:
    fig = plot_decision_boundary(
        lambda x: [Value(x[0] + x[1])], XOR_X, XOR_Y, resolution=5, threshold=1.0
    )
    assert len(fig.axes[0].collections) >= 2  # the filled contours and the threshold line
    fig = plot_decision_boundary(lambda x: x[0] - x[1], XOR_X, XOR_Y, resolution=5)
    assert fig.axes[0].get_title() == "Decision boundary"


@pytest.mark.slow
def test_plots_perceptron_panels_show_line_and_mistakes() -> None:
    runs = [
        PerceptronRun("sep", XOR_X, [0, 0, 0, 1], [1.0, 1.0], -1.5, [2, 1, 0], bound=8.0),
        PerceptronRun("xor", XOR_X, XOR_Y, [0.0, 0.0], 0.0, [2, 3, 3], note="no line"),
    ]
    fig = plot_perceptron(runs, resolution=50)
    assert fig.get_size_inches().tolist() == [12.8, 9.6]
    top_left, top_right, bottom_left, bottom_right = (
        fig.axes[0],
        fig.axes[1],
        fig.axes[2],
        fig.axes[3],
    )
    assert top_left.get_title() == "sep"
    assert top_right.get_title() == "xor\nno line"
    assert [p.get_height() for p in bottom_left.patches] == [2, 1, 0]  # type: ignore[attr-defined]
    assert [p.get_height() for p in bottom_right.patches] == [2, 3, 3]  # type: ignore[attr-defined]
    assert bottom_left.get_title() == "mistakes: per epoch and so far (total 3)"
    bound_lines = [ln for ln in bottom_left.get_lines() if numbers(ln.get_ydata())[0] == 8.0]
    assert len(bound_lines) == 1
    running = [numbers(ln.get_ydata()) for ln in bottom_left.get_lines()]
    assert [2.0, 3.0, 3.0] in running  # the running total of mistakes, which the bound bounds
    assert (bottom_left.get_xlabel(), bottom_left.get_ylabel()) == ("epoch", "mistakes")
    # the legend sits under the axes: it can cover neither the bound nor the running total
    fig.canvas.draw()
    for ax in (bottom_left, bottom_right):
        legend = ax.get_legend()
        assert legend is not None
        assert legend.get_window_extent().y1 <= ax.get_window_extent().y0


def test_plots_approximation_draws_fits_and_errors() -> None:
    xs = [i / 10 for i in range(63)]
    fig = plot_approximation(
        xs,
        [math.sin(v) for v in xs],
        {8: [0.9 * math.sin(v) for v in xs], 2: [0.5 * math.sin(v) for v in xs]},
        {"max |error|": {2: 0.5, 8: 0.1}},
    )
    assert fig.get_size_inches().tolist() == [12.8, 4.8]
    left, right = fig.axes
    assert [line.get_label() for line in left.get_lines()] == [
        "sin x",
        "2 hidden units",
        "8 hidden units",
    ]
    (errors,) = right.get_lines()
    assert numbers(errors.get_xdata()) == [2, 8] and numbers(errors.get_ydata()) == [0.5, 0.1]
    assert right.get_xscale() == "log" and right.get_yscale() == "log"
    assert right.get_xlabel() == "hidden units (log scale)"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plot_loss_curve([]), "no losses"),
        (lambda: plot_loss_curve(["a"]), "item 0 must be a real number, got str"),  # type: ignore[list-item]
        (lambda: plot_loss_curve([True]), "item 0 must be a number, got bool"),
        (lambda: plot_loss_curve(None), "must be a sequence"),  # type: ignore[arg-type]
        (lambda: plot_decision_boundary(step_model, XOR_X, [0, 1, True, 0]), "label 2 must be"),
        (lambda: plot_decision_boundary(step_model, XOR_X, XOR_Y, threshold=math.nan), "finite"),
        (lambda: plot_decision_boundary(step_model, XOR_X, [0, 1]), "4 points but 2 labels"),
        (lambda: plot_decision_boundary(step_model, [[0, 0, 0]], [0]), "has 3 coordinates"),
        (lambda: plot_decision_boundary(step_model, XOR_X, [0, 1, 2, 0]), "must be 0 or 1"),
        (lambda: plot_decision_boundary(step_model, [], []), "no points"),
        (lambda: plot_decision_boundary(step_model, XOR_X, XOR_Y, resolution=1), "resolution"),
        (
            lambda: plot_decision_boundary(lambda x: [Value(1), Value(2)], XOR_X, XOR_Y),
            "one output, got 2",
        ),
        (lambda: plot_perceptron([]), "no runs"),
        (lambda: save(plot_loss_curve([1.0]), None), "save: path must be a file name"),  # type: ignore[arg-type]
        (lambda: save(None, "a.png"), "save: fig must be a matplotlib Figure"),  # type: ignore[arg-type]
        (lambda: plot_approximation([0.0], [0.0, 1.0], {1: [0.0]}, {}), "1 x values but 2"),
        (lambda: plot_approximation([0.0], [0.0], {1: [0.0, 1.0]}, {}), "has 2 values"),
    ],
)
def test_plots_bad_input_is_a_clear_error(call: object, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        call()  # type: ignore[operator]


@pytest.mark.slow
def test_plots_import_is_lazy_and_never_touches_pyplot(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import tinygrad_edu.plots as p\n"
        "assert 'matplotlib' not in sys.modules\n"
        f"p.save(p.plot_loss_curve([1.0, 0.5]), {str(tmp_path / 'x.png')!r})\n"
        "assert 'matplotlib' in sys.modules\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "x.png").stat().st_size > 1000
    assert plots.SIZE == (6.4, 4.8) and plots.DPI == 100


def test_plots_accept_numpy_points_labels_and_losses() -> None:
    np = pytest.importorskip("numpy", reason="needs NumPy: pip install 'tinygrad_edu[dev]'")
    fig = plot_decision_boundary(
        step_model, np.array(XOR_X), np.array(XOR_Y), resolution=np.int64(5)
    )
    assert fig.axes[0].get_title() == "Decision boundary"
    curve = plot_loss_curve(np.array([1.0, 0.5, 0.25], dtype=np.float32)).axes[0]
    assert numbers(curve.get_lines()[0].get_ydata()) == [1.0, 0.5, 0.25]
