"""The command line: ``tinygrad-edu demo`` (also ``python -m tinygrad_edu``)."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

from .engine import Value
from .gradcheck import numerical_grad


def worked_example() -> list[tuple[str, float, float, float]]:
    """The lesson's single sigmoid neuron: rows of (quantity, engine, closed form, numeric).

    x = 0.5, w = 1.2, b = −0.8, target y = 0, loss L = ½(y − ŷ)².
    """
    x, w0, b0, y = 0.5, 1.2, -0.8, 0.0

    def loss(w: Value, b: Value) -> Value:
        y_hat = (w * x + b).sigmoid()
        return 0.5 * (y - y_hat) ** 2

    w, b = Value(w0, "w"), Value(b0, "b")
    z = w * x + b
    y_hat = z.sigmoid()
    L = 0.5 * (y - y_hat) ** 2
    L.backward()

    # closed forms, by hand: σ′(z) = σ(1 − σ), ∂L/∂w = (ŷ − y)·σ′(z)·x, ∂L/∂b = (ŷ − y)·σ′(z)
    z_cf = w0 * x + b0
    s = 1.0 / (1.0 + math.exp(-z_cf))
    ds = s * (1.0 - s)
    dw_num, db_num = numerical_grad(loss, [w0, b0])
    nan = math.nan
    return [
        ("z = w·x + b", z.data, z_cf, nan),
        ("ŷ = σ(z)", y_hat.data, s, nan),
        ("L = ½(y − ŷ)²", L.data, 0.5 * (y - s) ** 2, nan),
        ("σ′(z)", y_hat.data * (1.0 - y_hat.data), ds, nan),
        ("∂L/∂w", w.grad, (s - y) * ds * x, dw_num),
        ("∂L/∂b", b.grad, (s - y) * ds, db_num),
    ]


def format_worked_example() -> str:
    """The worked example as a text table."""
    lines = [
        "One sigmoid neuron: x = 0.5, w = 1.2, b = -0.8, target y = 0, L = ½(y − ŷ)²",
        "",
        f"{'quantity':<16}{'engine':>14}{'closed form':>14}{'numerical':>14}",
        "-" * 58,
    ]
    for name, engine, closed, numeric in worked_example():
        num = f"{numeric:>14.6f}" if not math.isnan(numeric) else f"{'':>14}"
        lines.append(f"{name:<16}{engine:>14.6f}{closed:>14.6f}{num}")
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    print(format_worked_example())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu",
        description="A scalar autodiff engine for learning backpropagation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="the worked example: one sigmoid neuron, by three methods")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["demo"])
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
