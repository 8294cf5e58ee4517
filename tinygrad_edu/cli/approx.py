"""``tinygrad-edu approx``: one hidden layer of sigmoids fits sin x; the error falls with N."""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .common import (
    MAX_APPROX_WIDTH,
    SEED,
    bounded_int,
    int_list,
    output,
    positive_float,
    say,
    table,
    write_set,
)

if TYPE_CHECKING:
    from ..nn import MLP

NAME = "approx"
HELP = "universal approximation: one hidden layer of sigmoids fits sin x"
EPILOG = "example: tinygrad-edu approx --hidden 2,8,32 --epochs 200"
LO, HI = 0.0, 2.0 * math.pi
GRID = [LO + (HI - LO) * i / 400 for i in range(401)]


def description() -> str:
    """What the command does."""
    return (
        "For each width N, a network x → N sigmoids → linear output fits sin on [0, 2π]: first "
        "the constructive proof's staircase of steep sigmoids, then gradient descent (Adam) "
        "from there. Prints the error per width and plots the fits and the error against the "
        "width."
    )


def widths_arg(text: str) -> list[int]:
    """An argparse type: distinct hidden widths, sorted.

    >>> widths_arg("32,2,8")
    [2, 8, 32]
    """
    widths = int_list(text, "the hidden widths", 1, MAX_APPROX_WIDTH)
    if len(set(widths)) != len(widths):
        raise argparse.ArgumentTypeError(f"the hidden widths must differ, got {text!r}")
    return sorted(widths)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--hidden, --out, --epochs, --samples, --lr, --init, --seed, --quiet."""
    parser.add_argument(
        "--hidden",
        type=widths_arg,
        default=[2, 8, 32],
        metavar="N1,N2,...",
        help="hidden widths (default: 2,8,32)",
    )
    parser.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    parser.add_argument("--epochs", type=bounded_int(0, 100_000), default=200)
    parser.add_argument("--samples", type=bounded_int(2, 10_000), default=64)
    parser.add_argument("--lr", type=positive_float, default=0.01, help="Adam step (0.01)")
    parser.add_argument(
        "--init",
        choices=["construct", "random"],
        default="construct",
        help="start from the staircase construction (default) or from random weights",
    )
    parser.add_argument("--seed", type=SEED, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def errors(model: MLP, grid: Sequence[float], f: Callable[[float], float]) -> tuple[float, float]:
    """(max error, RMS error) of the network against f on the grid."""
    from ..engine import no_grad

    with no_grad():
        diffs = [model([x])[0].data - f(x) for x in grid]
    return max(abs(d) for d in diffs), math.sqrt(math.fsum(d * d for d in diffs) / len(diffs))


def _fit_width(args: argparse.Namespace, width: int) -> tuple[MLP, float]:
    """The network of one width, constructed or random, then trained; (model, start error)."""
    from .. import data, optim, train
    from ..examples import staircase
    from ..nn import MLP

    model = MLP(1, [width, 1], activation="sigmoid", output_activation="linear", seed=args.seed)
    if args.init == "construct":
        staircase(model, math.sin, LO, HI)
    start_sup, _ = errors(model, GRID, math.sin)
    if args.epochs > 0:
        X, y = data.sine(n=args.samples, lo=LO, hi=HI)
        train.fit(
            model,
            X,
            y,
            loss="mse",
            optimizer=optim.Adam(model.parameters(), lr=args.lr),
            epochs=args.epochs,
            seed=args.seed,
            progress=not args.quiet,
        )
    return model, start_sup


def run(args: argparse.Namespace) -> int:
    """Fit sin with each width; print the errors; plot the fits and the errors."""
    from ..engine import no_grad
    from ..plots import plot_approximation, save

    out = output(args.out, "--out", NAME, default="out", folder=True)
    fits: dict[int, list[float]] = {}
    sup: dict[int, float] = {}
    rms: dict[int, float] = {}
    rows = []
    say(
        f"sin x on [0, 2π]: x → N sigmoids → linear output, {args.samples} training points, "
        f"start: {args.init}, then Adam lr={args.lr:g} for {args.epochs} epochs (MSE)",
        "",
    )
    for width in args.hidden:
        model, start_sup = _fit_width(args, width)
        sup[width], rms[width] = errors(model, GRID, math.sin)
        with no_grad():
            fits[width] = [model([x])[0].data for x in GRID]
        cells = [start_sup, sup[width], rms[width]]
        rows.append([str(width), str(model.num_parameters()), *(f"{c:.4f}" for c in cells)])
    target = [math.sin(x) for x in GRID]
    figure = plot_approximation(GRID, target, fits, {"max |error|": sup, "RMS error": rms})
    (path,) = write_set(out, NAME, lambda folder: [save(figure, folder / "approx.png")])
    falls = all(sup[a] > sup[b] for a, b in itertools.pairwise(args.hidden))
    head = ["hidden units", "parameters", "max |error| at start", "max |error|", "RMS error"]
    say(
        *table(head, rows),
        "",
        "errors measured on 401 evenly spaced points of [0, 2π]",
        "the error falls as the width grows"
        if falls
        else "note: the error did not fall at every step here (try more --epochs)",
        "Cybenko/Hornik: some width reaches any accuracy; the theorem does not say how to find "
        "the weights — here the staircase construction finds them, and gradient descent refines.",
        "",
        f"plot: {path}",
    )
    return 0
