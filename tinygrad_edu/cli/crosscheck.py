"""``tinygrad-edu crosscheck``: engine vs delta equations vs finite differences (vs PyTorch)."""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Sequence
from typing import Any

from .common import (
    MAX_BATCH,
    MAX_LAYERS,
    MAX_WIDTH,
    SEED,
    bounded_int,
    int_list,
    output,
    positive_float,
    say,
)

NAME = "crosscheck"
BUDGET = 60.0  # seconds: past this the check is refused before it starts
PROGRESS_AFTER = 5.0  # seconds: a longer check shows its progress
HELP = "engine vs delta equations vs finite differences, parameter by parameter"
EPILOG = "example: tinygrad-edu crosscheck --layers 2,4,4,1 --activation sigmoid --loss bce"


def description() -> str:
    """What the command does."""
    return (
        "Build a seeded random MLP and a seeded random batch, compute the gradient of the loss "
        "three ways (the engine's backward(), the delta equations in NumPy, central "
        "differences; a fourth with PyTorch autograd when torch is installed) and print the "
        "report. Exit status 1 if any disagree. The central differences cost two forward "
        "passes per parameter (quadratic in the network's size): the work is estimated "
        "before it starts and refused past --budget seconds (default "
        f"{BUDGET:g}); progress is shown when it takes more than a few seconds."
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
    parser.add_argument(
        "--budget",
        type=positive_float,
        default=BUDGET,
        metavar="SECONDS",
        help="refuse a check estimated to take longer (default: %(default)g)",
    )
    parser.add_argument(
        "--no-numerical",
        dest="numerical",
        action="store_false",
        help="skip the central differences (the costly part: two forward passes per parameter)",
    )


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


def check_budget(sizes: Sequence[int], batch: int, numerical: bool, budget: float) -> Any:
    """The estimated cost; a ValueError naming the ways out when it is past ``budget`` s.

    >>> check_budget([2, 4, 4, 1], 4, True, 60.0).parameters
    37
    """
    from ..manual.cost import crosscheck_cost

    cost = crosscheck_cost(sizes, batch, numerical)
    if cost.seconds > budget:
        smaller = "a smaller --layers or --batch"
        outs = (
            [smaller, "--no-numerical (skips the central differences)"] if numerical else [smaller]
        )
        raise ValueError(
            f"{NAME}: refusing to start: {cost.describe()} (estimated at "
            f"{OPS_PER_SECOND_TEXT}), past the budget of {budget:g} s. Use "
            + ", or ".join(outs)
            + f", or raise --budget to {math.ceil(cost.seconds):g} or more"
        )
    return cost


OPS_PER_SECOND_TEXT = "about a million a second"


def _progress(cost: Any, numerical: bool) -> Any:
    """A progress callback for the central differences of a long check; None otherwise."""
    if cost.seconds < PROGRESS_AFTER or not numerical:
        return None
    from tqdm.auto import tqdm

    bar = tqdm(total=cost.parameters, desc="central differences", unit="param", mininterval=0.5)

    def update(done: int, total: int) -> None:
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return update


def run(args: argparse.Namespace) -> int:
    """The gradient report for a seeded random network on seeded data."""
    from .. import manual
    from ..fileio import atomic_write_text
    from ..nn import MLP

    markdown = None if args.markdown is None else output(args.markdown, "--markdown", NAME)
    sizes: list[int] = args.layers
    cost = check_budget(sizes, args.batch, args.numerical, args.budget)
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
    if cost.seconds >= PROGRESS_AFTER:
        say(f"{NAME}: {cost.describe()} (within the budget of {args.budget:g} s)")
    report = manual.crosscheck(
        model,
        X,
        y,
        loss=args.loss,
        numerical=args.numerical,
        progress=_progress(cost, args.numerical),
    )
    say(f"{model}, loss {args.loss}, batch of {args.batch}, seed {args.seed}", "", str(report))
    if markdown is not None:
        markdown.make_folders()
        path = atomic_write_text(markdown.path, report.to_markdown() + "\n", NAME)
        say("", f"Markdown report: {path}")
    return 0 if report.ok else 1
