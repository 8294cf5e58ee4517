"""``tinygrad-edu crosscheck``: engine vs delta equations vs finite differences (vs PyTorch)."""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from typing import Any

from .common import MAX_BATCH, MAX_LAYERS, MAX_WIDTH, SEED, bounded_int, int_list, output, say

NAME = "crosscheck"
HELP = "engine vs delta equations vs finite differences, parameter by parameter"
EPILOG = "example: tinygrad-edu crosscheck --layers 2,4,4,1 --activation sigmoid --loss bce"


def description() -> str:
    """What the command does."""
    return (
        "Build a seeded random MLP and a seeded random batch, compute the gradient of the loss "
        "three ways (the engine's backward(), the delta equations in NumPy, central "
        "differences; a fourth with PyTorch autograd when torch is installed) and print the "
        "report. Exit status 1 if any disagree."
    )


def layers_arg(text: str) -> list[int]:
    """An argparse type: the input size then 1 to MAX_LAYERS layer sizes.

    >>> layers_arg("2,4,4,1")
    [2, 4, 4, 1]
    """
    sizes = int_list(text, "the layer sizes", 1, MAX_WIDTH)
    if not 2 <= len(sizes) <= MAX_LAYERS + 1:
        raise argparse.ArgumentTypeError(
            f"--layers needs the input size then 1 to {MAX_LAYERS} layer sizes, as in 2,4,4,1; "
            f"got {text!r}"
        )
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--layers, --activation, --output-activation, --loss, --seed, --batch, --markdown."""
    from ..manual import LOSSES
    from ..nn import ACTIVATIONS

    parser.add_argument(
        "--layers",
        type=layers_arg,
        default=[2, 4, 4, 1],
        metavar="N0,N1,...",
        help="input size then the layer sizes (default: 2,4,4,1)",
    )
    parser.add_argument("--activation", choices=list(ACTIVATIONS), default="sigmoid")
    parser.add_argument(
        "--output-activation",
        choices=list(ACTIVATIONS),
        default=None,
        help="default: sigmoid for bce, linear for cross_entropy, else --activation",
    )
    parser.add_argument("--loss", choices=list(LOSSES), default="bce")
    parser.add_argument("--seed", type=SEED, default=0)
    parser.add_argument("--batch", type=bounded_int(1, MAX_BATCH), default=4)
    parser.add_argument("--markdown", metavar="FILE", help="also write the report as Markdown")


def random_batch(
    sizes: Sequence[int], loss: str, batch: int, seed: int
) -> tuple[list[list[float]], list[Any]]:
    """A seeded batch: inputs in [−1, 1], targets of the kind ``loss`` expects.

    >>> X, y = random_batch([3, 2], "cross_entropy", 4, seed=0)
    >>> len(X), len(X[0]), all(c in (0, 1) for c in y)
    (4, 3, True)
    """
    rng = random.Random(seed)
    nin, nout = sizes[0], sizes[-1]
    X = [[rng.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(batch)]
    y: list[Any]
    if loss == "bce":
        y = [[float(rng.randrange(2)) for _ in range(nout)] for _ in range(batch)]
    elif loss == "cross_entropy":
        y = [rng.randrange(nout) for _ in range(batch)]
    else:
        y = [[rng.uniform(0.0, 1.0) for _ in range(nout)] for _ in range(batch)]
    return X, y


def run(args: argparse.Namespace) -> int:
    """The gradient report for a seeded random network on seeded data."""
    from .. import manual
    from ..fileio import atomic_write_text
    from ..nn import MLP

    markdown = None if args.markdown is None else output(args.markdown, "--markdown", NAME)
    sizes: list[int] = args.layers
    output_activation = args.output_activation or {
        "bce": "sigmoid",
        "cross_entropy": "linear",
    }.get(args.loss, args.activation)
    model = MLP(
        sizes[0],
        sizes[1:],
        activation=args.activation,
        output_activation=output_activation,
        seed=args.seed,
    )
    X, y = random_batch(sizes, args.loss, args.batch, args.seed)
    report = manual.crosscheck(model, X, y, loss=args.loss)
    say(f"{model}, loss {args.loss}, batch of {args.batch}, seed {args.seed}", "", str(report))
    if markdown is not None:
        markdown.make_folders()
        path = atomic_write_text(markdown.path, report.to_markdown() + "\n", NAME)
        say("", f"Markdown report: {path}")
    return 0 if report.ok else 1
