"""``tinygrad-edu explore``: train a small network and write the explorer page (one HTML file)."""

from __future__ import annotations

import argparse
import sys

from .common import SEED, Output, bounded_int, int_list, output, positive_float, say

MAX_SECONDS = 60.0  # explore.budget.MAX_SECONDS (not imported: --help stays instant)

NAME = "explore"
HELP = "write the explorer: the four phases of backprop and a training replay, one HTML file"
DEFAULT_OUT = "out/explorer.html"
EPILOG = (
    "example: tinygrad-edu explore --dataset xor --epochs 2000 --seed 0 --out out/explorer.html"
)

# dataset → (loss, output activation, default learning rate)
DATASETS: dict[str, tuple[str, str, float]] = {
    "xor": ("bce", "sigmoid", 1.0),
    "and": ("bce", "sigmoid", 1.0),
    "or": ("bce", "sigmoid", 1.0),
    "moons": ("bce", "sigmoid", 0.5),
    "circles": ("bce", "sigmoid", 0.5),
    "sine": ("mse", "linear", 0.05),
}


def description() -> str:
    """What the command does."""
    return (
        "Train an MLP on a small dataset with full-batch gradient descent and write one "
        "self-contained HTML page (no server, no network) that steps through the four phases "
        "of backprop for any training row, draws any neuron's scalar graph at any recorded "
        "epoch, replays the training, and can ask you to predict each value before revealing "
        "it. Every number on the page is recorded from the engine. The time and the page's "
        "size are estimated first; past --max-seconds the run is refused."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--dataset, --hidden, --activation, --epochs, --lr, --every, --seed, --max-seconds, --out."""
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="xor")
    parser.add_argument(
        "--live", action="store_true",
        help="write the live page instead (default --out out/live.html): the engine itself runs "
        "in the browser (Pyodide), retrains with any settings, and the tutor checks code typed "
        "into it; needs the npm packages of `make js`",
    )  # fmt: skip
    parser.add_argument(
        "--hidden", type=_hidden, default=[4, 4], metavar="N,N",
        help="hidden layer sizes, each 1 to 64 (default: 4,4)",
    )  # fmt: skip
    parser.add_argument(
        "--activation", choices=("sigmoid", "tanh", "relu"), default="sigmoid",
        help="hidden activation (default: sigmoid)",
    )  # fmt: skip
    parser.add_argument("--epochs", type=bounded_int(1, 100_000), default=2000)
    parser.add_argument(
        "--lr", type=positive_float, default=None, help="learning rate (default: per dataset)"
    )
    parser.add_argument(
        "--every", type=bounded_int(1, 100_000), default=None,
        help="record every k-th epoch (default: about 100 recorded epochs)",
    )  # fmt: skip
    parser.add_argument("--seed", type=SEED, default=0, help="initialisation seed (default: 0)")
    parser.add_argument(
        "--max-seconds", type=positive_float, default=MAX_SECONDS, metavar="S",
        help="refuse a recording estimated to take longer (default: %(default)g)",
    )  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="FILE")


def _hidden(text: str) -> list[int]:
    return int_list(text, "--hidden", 1, 64)


_hidden.__name__ = "sizes"


def _data(name: str, seed: int) -> tuple[list[list[float]], list[float]]:
    from .. import data

    if name == "sine":
        X, y = data.sine(n=24)
        return [list(r) for r in X], [float(t) for t in y]
    if name in ("moons", "circles"):
        X, labels = data.moons(n=40, seed=seed) if name == "moons" else data.circles(40, seed=seed)
    else:
        X, labels = data.logic_gate(name)
    return [list(map(float, r)) for r in X], [float(t) for t in labels]


def run(args: argparse.Namespace) -> int:
    """Train, record and write the page; prints where it went."""
    if args.live:
        live_default = "out/live.html"
        value = live_default if args.out == DEFAULT_OUT else args.out
        return _live(output(value, "--out", "explore", default=live_default))
    from ..explore import write_explorer
    from ..nn import MLP

    out = output(args.out, "--out", "explore", default=DEFAULT_OUT)
    loss, output_activation, lr = DATASETS[args.dataset]
    hidden: list[int] = args.hidden
    X, y = _data(args.dataset, args.seed)
    model = MLP(
        len(X[0]), [*hidden, 1], activation=args.activation,
        output_activation=output_activation, seed=args.seed,
    )  # fmt: skip
    lr = args.lr if args.lr is not None else lr
    title = f"{args.dataset}, {model!r}, {loss}"
    out.make_folders()
    try:
        path = write_explorer(
            model, X, y, out.path, loss=loss, lr=lr, epochs=args.epochs, every=args.every,
            seed=args.seed, title=title, max_seconds=args.max_seconds,
            progress=False if args.quiet else None,
        )  # fmt: skip
    except ValueError as err:
        message = str(err).replace("max_seconds=", "--max-seconds ").replace("every=", "--every")
        print(f"tinygrad-edu explore: {message}", file=sys.stderr)
        return 2
    size = path.stat().st_size
    say(
        f"trained {model!r} on {args.dataset} ({len(X)} rows): {loss}, lr {lr:g}, "
        f"{args.epochs} epochs, seed {args.seed}",
        f"wrote {path} ({size / 1e6:.2f} MB): open it in a browser (no server needed)",
    )
    return 0


def _live(out: Output) -> int:
    from ..live import build_live_page

    out.make_folders()
    path = build_live_page(out.path)
    say(
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): the engine runs in the page; open "
        "it in a browser (no server, no network, no Python needed)"
    )
    return 0
