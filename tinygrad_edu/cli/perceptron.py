"""``tinygrad-edu perceptron``: Rosenblatt's rule converges on separable data, fails on XOR."""

from __future__ import annotations

import argparse
import math

from .common import SEED, bounded_int, output, say, write_set

NAME = "perceptron"
HELP = "Rosenblatt's rule: converges on separable data, fails on XOR"
EPILOG = "example: tinygrad-edu perceptron --points 60 --seed 2"

XOR_PROOF = (
    "Why no line separates XOR (threshold unit ŷ = 1[w₁x₁ + w₂x₂ + b ≥ 0]):",
    "  (0,0)→0 needs b < 0; (0,1)→1 needs w₂ + b ≥ 0; (1,0)→1 needs w₁ + b ≥ 0;",
    "  adding the middle two: w₁ + w₂ + 2b ≥ 0, so w₁ + w₂ + b ≥ −b > 0,",
    "  but (1,1)→0 needs w₁ + w₂ + b < 0: a contradiction.",
)


def description() -> str:
    """What the command does."""
    return (
        "Train a Rosenblatt perceptron on a linearly separable set (it converges, with at most "
        "(R/γ)² mistakes) and on XOR (it cannot), and plot both."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--out, --seed, --max-epochs, --points."""
    parser.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    parser.add_argument("--seed", type=SEED, default=0)
    parser.add_argument("--max-epochs", type=bounded_int(1, 10_000), default=100)
    parser.add_argument(
        "--points", type=bounded_int(2, 10_000), default=40, help="separable points (40)"
    )


def _runs(args: argparse.Namespace) -> tuple[list[object], list[str], bool, bool]:
    """Both runs: (plot runs, text lines, separable run converged, mistakes within the bound)."""
    import warnings

    from .. import data
    from ..nn import ConvergenceWarning, Perceptron, perceptron_bound, separation_margin
    from ..plots import PerceptronRun

    X, y, sep = data.blobs(n=args.points, seed=args.seed, return_separator=True)
    gamma = separation_margin(X, y, sep.w, sep.b)
    bound = perceptron_bound(X, y, sep.w, sep.b)
    separable, xor_model = Perceptron(2), Perceptron(2)
    xor_X, xor_y = data.xor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported below, in words
        result = separable.fit(X, y, max_epochs=args.max_epochs)
        xor_result = xor_model.fit(xor_X, xor_y, max_epochs=args.max_epochs)
    within = result.mistakes <= bound
    radius = math.sqrt(max(sum(v * v for v in x) + 1.0 for x in X))
    status = "converged" if result.converged else "not yet"
    runs: list[object] = [
        PerceptronRun(
            f"separable blobs ({len(X)} points): {status}",
            X,
            y,
            [w.data for w in separable.w],
            separable.b.data,
            result.mistakes_per_epoch,
            bound=bound,
            note=f"{result.mistakes} mistakes ≤ (R/γ)² = {bound:.1f}",
        ),
        PerceptronRun(
            "XOR: no line separates it",
            xor_X,
            xor_y,
            [w.data for w in xor_model.w],
            xor_model.b.data,
            xor_result.mistakes_per_epoch,
            note=f"still {xor_result.mistakes_per_epoch[-1]} mistakes in epoch {xor_result.epochs}",
        ),
    ]
    lines = [
        f"separable blobs, {len(X)} points (seed {args.seed}): {result}",
        f"  convergence theorem: at most (R/γ)² mistakes, R = max ‖(x, 1)‖ = {radius:.4f}, "
        f"γ = {gamma:.4f} (the margin of the known separator, bias folded in)",
        f"  (R/γ)² = {bound:.2f}; mistakes made: {result.mistakes} — "
        + ("within the bound" if within else "ABOVE THE BOUND (this should never happen)"),
        "",
        f"XOR, 4 points: {xor_result}",
    ]
    return runs, lines, result.converged, within


def run(args: argparse.Namespace) -> int:
    """Rosenblatt's rule on separable data (converges within (R/γ)²) and on XOR (cannot)."""
    from ..plots import plot_perceptron, save

    target = output(args.out, "--out", NAME, default="out", folder=True)
    runs, lines, converged, within = _runs(args)
    figure = plot_perceptron(runs)  # type: ignore[arg-type]
    (path,) = write_set(target, NAME, lambda folder: [save(figure, folder / "perceptron.png")])
    say(
        "Rosenblatt's rule: after each sample, w ← w + η(y − ŷ)x and b ← b + η(y − ŷ) (η = 1)",
        "",
        *lines,
        *XOR_PROOF,
        "",
        f"plot: {path}",
    )
    if not converged:
        say(f"note: raise --max-epochs (now {args.max_epochs}) to let the separable run finish")
    return 0 if within else 1
