"""``tinygrad-edu demo`` (the default): train the lesson's XOR network, write its pictures.

Optional dependencies are checked before training starts: without matplotlib (or NumPy) the
plots (or the cross-check) are skipped and the summary says which extra installs them; without
the Graphviz program the graphs are written as DOT text. Everything else is still written.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..examples import XOR_EPOCHS, XOR_LR, XOR_SEED, format_worked_example
from .common import (
    PLOTS_HINT,
    SEED,
    available,
    bounded_int,
    moved,
    output,
    positive_float,
    render,
    say,
    table,
)

if TYPE_CHECKING:
    from ..engine import Value
    from ..explore import Run
    from ..nn import MLP
    from ..train import History

NAME = "demo"
HELP = "train the lesson's XOR network and write its pictures and reports (the default)"
EPILOG = "example: tinygrad-edu demo --out out --epochs 2000"

Files = list[tuple[Path, str]]


def description() -> str:
    """What the command writes."""
    return (
        "Train MLP(2, [4, 4, 1]) (sigmoid everywhere) on XOR with binary cross-entropy, then "
        "write into DIR: the loss curve and the decision boundary (PNG, needs the [plots] "
        "extra), the graph of one forward pass collapsed per neuron and the full graph of one "
        "neuron (SVG, needs graphviz; DOT text otherwise), the gradient cross-check (Markdown, "
        "needs NumPy), the weights (JSON) and the explorer page (HTML). Prints a summary and "
        "the lesson's worked example."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--out, --epochs, --lr, --seed, --quiet."""
    parser.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    parser.add_argument(
        "--epochs", type=bounded_int(1, 100_000), default=XOR_EPOCHS, help="%(default)s"
    )
    parser.add_argument("--lr", type=positive_float, default=XOR_LR, help="SGD step (%(default)s)")
    parser.add_argument("--seed", type=SEED, default=XOR_SEED)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def missing_extras() -> dict[str, str]:
    """The optional modules the demo needs that do not import: {module: what is skipped}.

    >>> sorted(missing_extras())  # with the [plots] extra installed
    []
    """
    wanted = {
        "matplotlib": "loss.png and decision_boundary.png (the plots)",
        "numpy": "crosscheck.md (the delta equations run in NumPy)",
    }
    return {name: what for name, what in wanted.items() if not available(name)}


def _train(args: argparse.Namespace) -> tuple[MLP, History, Run]:
    """Train once, recording the explorer's numbers on the way (the same run as ``fit``)."""
    from .. import data
    from ..examples import xor_network
    from ..explore import record_run
    from ..train import History

    X, y = data.xor()
    model = xor_network(seed=args.seed)
    say(
        f"Training {model} on XOR with binary cross-entropy: gradient descent (SGD, full "
        f"batch) lr={args.lr:g}, {args.epochs} epochs, seed {args.seed}"
    )
    start = time.perf_counter()
    run = record_run(
        model, X, y, loss="bce", lr=args.lr, epochs=args.epochs, seed=args.seed,
        title="XOR, MLP(2, [4, 4, 1]) with sigmoids, binary cross-entropy",
        progress=not args.quiet,
    )  # fmt: skip
    history = History(list(run.losses), list(run.accuracy), "prob", time.perf_counter() - start)
    return model, history, run


def _plots(model: MLP, history: History, out: Path) -> Files:
    from .. import data
    from ..plots import plot_decision_boundary, plot_loss_curve, save

    X, y = data.xor()
    fig = plot_loss_curve(
        history.loss,
        title="XOR, MLP(2, [4, 4, 1]) sigmoid: binary cross-entropy",
        ylabel="BCE loss",
        accuracy=history.accuracy,
    )
    files = [(save(fig, out / "loss.png"), "loss curve (PNG)")]
    fig = plot_decision_boundary(
        model, X, y, title="XOR: the trained network's decision boundary",
        output_label="network output P(y = 1)",
    )  # fmt: skip
    files.append((save(fig, out / "decision_boundary.png"), "decision boundary, four points (PNG)"))
    return files


def one_forward_pass(model: MLP, x: Sequence[float], target: float) -> tuple[Value, Value]:
    """The BCE loss of one example through ``model``, after backward(); (loss, first neuron)."""
    from .. import losses
    from ..engine import Value
    from ..names import activation_name, input_name

    inputs = [Value(float(v), input_name(0, k)) for k, v in enumerate(x)]  # x[0], x[1]
    hidden = model.layers[0](inputs)
    out: list[Value] = hidden
    for layer in model.layers[1:]:
        out = layer(out)
    loss = losses.bce(out[0], target)
    loss.label = "L"
    hidden[0].label = activation_name(1, 0)  # a1[0], the first hidden unit
    model.zero_grad()
    loss.backward()
    return loss, hidden[0]


def _graphs(model: MLP, out: Path) -> tuple[Files, list[str]]:
    from .. import data

    X, y = data.xor()
    loss, neuron = one_forward_pass(model, X[2], float(y[2]))
    path, note = render(loss, out / "forward_graph.svg", params=model, level="neuron")
    files = [(path, f"one forward pass (x = {X[2]}, y = {y[2]}), one box per neuron")]
    notes = [note] if note else []
    path, note = render(neuron, out / "neuron_graph.svg", params=model, grads_computed=True)
    files.append((path, "the full scalar graph of a1[0] (layers.0.neurons.0), with ∂L/∂·"))
    return files, notes + ([note] if note and not notes else [])


def _explorer(run: Run, out: Path) -> Files:
    """The explorer page of the training run above (recorded while it trained)."""
    from ..explore import explorer_html
    from ..fileio import atomic_write_text

    path = atomic_write_text(out / "explorer.html", explorer_html(run))
    return [(path, "the explorer: the four phases of backprop and the training replay (HTML)")]


def loss_now(model: MLP) -> float:
    """The mean BCE over the four XOR points with the model's current weights.

    >>> from tinygrad_edu.examples import xor_network
    >>> 0.69 < loss_now(xor_network()) < 0.71  # about ln 2 before training
    True
    """
    from .. import data, losses
    from ..engine import no_grad

    X, y = data.xor()
    with no_grad():
        values = [losses.bce(model(x)[0], float(t)).data for x, t in zip(X, y)]
    return math.fsum(values) / len(values)


def _summary(model: MLP, history: History, crosscheck_line: str) -> list[str]:
    from .. import data, train

    X, y = data.xor()
    outputs = [o[0] for o in train.predict(model, X)]  # type: ignore[index]
    right = [(o >= 0.5) == (t == 1) for o, t in zip(outputs, y)]
    rows = [
        [f"{a:g}", f"{b:g}", f"{t}", f"{o:.4f}", "yes" if ok else "NO"]
        for (a, b), t, o, ok in zip(X, y, outputs, right)
    ]
    return [
        "",
        f"loss (BCE, mean over the 4 points): {history.loss[-1]:.5f} in the last epoch, before "
        f"its update; {loss_now(model):.5f} after it (the trained weights, as the cross-check "
        "measures)",
        f"{sum(right)}/4 classified correctly; trained in {history.seconds:.1f} s",
        "",
        *table(["x[0]", "x[1]", "target", "output", "right"], rows),
        "",
        crosscheck_line,
    ]


def run(args: argparse.Namespace) -> int:
    """Train the lesson's XOR network and write every picture and report of the lesson."""
    from ..fileio import file_set

    start = time.perf_counter()
    missing = missing_extras()  # before the work starts, not after 2,000 epochs
    target = output(args.out, "--out", NAME, default="out", folder=True)
    target.make_folders()
    with file_set(target.path, NAME) as stage:  # every file, or none of them
        model, history, files, notes, ok, line = _write_all(args, missing, stage)
        notes = [note.replace(str(stage.resolve()), str(target.path.resolve())) for note in notes]
    files = list(zip(moved([p for p, _ in files], stage, target.path), [w for _, w in files]))
    if not target.existed:
        notes.append(f"created folder {target.path}")
    notes += [f"skipped {what}: needs {name} ({PLOTS_HINT})" for name, what in missing.items()]
    width = max(len(str(p)) for p, _ in files)
    say(
        *_summary(model, history, line),
        "",
        "files written:",
        *(f"  {p!s:<{width}}  {what}" for p, what in files),
        *notes,
        "",
        format_worked_example(),
        "",
        f"demo finished in {time.perf_counter() - start:.1f} s",
    )
    return 0 if ok else 1


def _write_all(
    args: argparse.Namespace, missing: dict[str, str], out: Path
) -> tuple[MLP, History, Files, list[str], bool, str]:
    """Train and write every file of the demo into ``out``."""
    from .. import data, manual, serialize
    from ..fileio import atomic_write_text

    model, history, run = _train(args)
    files = [] if "matplotlib" in missing else _plots(model, history, out)
    graphs, notes = _graphs(model, out)
    files += graphs
    ok, line = True, "gradient cross-check: skipped (NumPy is not installed)"
    if "numpy" not in missing:
        X, y = data.xor()
        report = manual.crosscheck(model, X, y, loss="bce")
        text = "# XOR network: engine vs delta equations vs finite differences\n\n"
        path = atomic_write_text(out / "crosscheck.md", text + report.to_markdown() + "\n")
        files.append((path, "gradient cross-check (Markdown)"))
        ok = report.ok
        line = (
            f"gradient cross-check: {'OK' if ok else 'MISMATCH'}, {len(report.rows)} parameters "
            f"(max |engine − delta| = {report.max_delta_diff:.1e}, "
            f"max |numerical − engine| = {report.max_numerical_diff:.1e})"
        )
    files.append((serialize.save(model, out / "weights.json"), "trained weights (JSON)"))
    files += _explorer(run, out)
    return model, history, files, notes, ok, line
