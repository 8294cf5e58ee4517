"""The command line: ``tinygrad-edu COMMAND`` (also ``python -m tinygrad_edu``).

Commands: ``demo`` (the default), ``graph``, ``crosscheck``, ``perceptron``, ``approx``. Run
``tinygrad-edu COMMAND --help`` for each. Bad arguments exit with status 2 (argparse); errors
of the library (a bad expression, a domain error, an unwritable folder) print
``tinygrad-edu: error: …`` and exit with status 1, never a traceback.

The heavy modules (NumPy, matplotlib, graphviz, the training loop) are imported inside the
commands, so ``--help`` is instant and a missing optional dependency only affects the command
that needs it.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine import Value
from .gradcheck import numerical_grad

if TYPE_CHECKING:
    from .nn import MLP

PROG = "tinygrad-edu"

# The lesson's XOR run: MLP(2, [4, 4, 1]) with sigmoids everywhere, BCE, plain full-batch
# gradient descent: reaches a loss below 0.05 after about 1000 epochs, 0.0065 after 2000.
DEMO_SEED = 0
DEMO_LR = 1.0
DEMO_EPOCHS = 2000

# Size limits for crosscheck: the scalar engine and the finite differences (two forward
# passes per parameter) stay interactive below these.
MAX_WIDTH = 64
MAX_LAYERS = 8
MAX_BATCH = 256
MAX_APPROX_WIDTH = 256


# --------------------------------------------------------------------------- worked example
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


# --------------------------------------------------------------------------- helpers
def _say(*lines: str) -> None:
    print("\n".join(lines), flush=True)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], right: bool = True) -> list[str]:
    widths = [max(len(h), *(len(r[c]) for r in rows)) for c, h in enumerate(head)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(w) if c == 0 or not right else cell.rjust(w)
            for c, (cell, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    return [line(head), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _render(root: Value, path: Path, **options: Any) -> tuple[Path, str]:
    """Draw ``root`` into ``path`` (.svg/.png/.pdf, or .dot/.mmd as text); (file, note).

    Without the Graphviz program the DOT source is written next to ``path`` and the note says
    that rendering needs graphviz; the command goes on.
    """
    from . import viz
    from .fileio import atomic_write_text

    suffix = path.suffix.lower()
    if suffix == ".dot":
        return atomic_write_text(path, viz.draw_dot(root, **options).source), ""
    if suffix in (".mmd", ".mermaid"):
        options.pop("legend", None)
        return atomic_write_text(path, viz.to_mermaid(root, **options)), ""
    try:
        return viz.render(root, path, **options), ""
    except viz.GraphvizNotFound as err:
        return err.dot_path, (
            f"the Graphviz program 'dot' is not installed, so {path.name} was not drawn; "
            f"rendering needs graphviz (the DOT source is in {err.dot_path}).\n" + viz.INSTALL_HINT
        )


def _int_list(text: str, what: str, lo: int, hi: int) -> list[int]:
    items = [t.strip() for t in text.split(",")]
    out: list[int] = []
    for item in items:
        try:
            n = int(item)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be comma-separated integers such as 2,4,4,1, got {text!r}"
            ) from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"each of {what} must be in [{lo}, {hi}], got {n}")
        out.append(n)
    return out


def _layers_arg(text: str) -> list[int]:
    sizes = _int_list(text, "the layer sizes", 1, MAX_WIDTH)
    if not 2 <= len(sizes) <= MAX_LAYERS + 1:
        raise argparse.ArgumentTypeError(
            f"--layers needs the input size then 1 to {MAX_LAYERS} layer sizes, as in 2,4,4,1; "
            f"got {text!r}"
        )
    return sizes


def _widths_arg(text: str) -> list[int]:
    widths = _int_list(text, "the hidden widths", 1, MAX_APPROX_WIDTH)
    if len(set(widths)) != len(widths):
        raise argparse.ArgumentTypeError(f"the hidden widths must differ, got {text!r}")
    return sorted(widths)


def _bounded_int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"must be in [{lo}, {hi}], got {n}")
        return n

    parse.__name__ = "integer"  # argparse names the type in its messages
    return parse


def _positive_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(x) and x > 0.0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return x


_positive_float.__name__ = "number"


# --------------------------------------------------------------------------- demo
def _one_forward_pass(model: MLP, x: Sequence[float], target: float) -> tuple[Value, Value]:
    """The BCE loss of one example through ``model``, after backward(); (loss, first neuron)."""
    from . import losses

    inputs = [Value(float(v), f"x{k + 1}") for k, v in enumerate(x)]
    hidden = model.layers[0](inputs)
    out: list[Value] = hidden
    for layer in model.layers[1:]:
        out = layer(out)
    loss = losses.bce(out[0], target)
    loss.label = "L"
    hidden[0].label = "a (layers.0.neurons.0)"
    model.zero_grad()
    loss.backward()
    return loss, hidden[0]


def cmd_demo(args: argparse.Namespace) -> int:
    """Train the lesson's XOR network and write every picture and report of the lesson."""
    from . import data, manual, optim, serialize, train
    from .fileio import atomic_write_text
    from .nn import MLP
    from .plots import plot_decision_boundary, plot_loss_curve, save

    start = time.perf_counter()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    X, y = data.xor()
    model = MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=args.seed)
    _say(
        f"Training {model} on XOR with binary cross-entropy: gradient descent (SGD, full "
        f"batch) lr={args.lr:g}, {args.epochs} epochs, seed {args.seed}"
    )
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
    history = train.fit(
        model,
        X,
        y,
        loss="bce",
        optimizer=optimizer,
        epochs=args.epochs,
        seed=args.seed,
        progress=not args.quiet,
    )
    outputs = [o[0] for o in train.predict(model, X)]  # type: ignore[index]
    right = [(o >= 0.5) == (t == 1) for o, t in zip(outputs, y)]

    files: list[tuple[Path, str]] = []
    notes: list[str] = []
    fig = plot_loss_curve(
        history.loss,
        title="XOR, MLP(2, [4, 4, 1]) sigmoid: binary cross-entropy",
        ylabel="BCE loss",
        accuracy=history.accuracy,
    )
    files.append((save(fig, out / "loss.png"), "loss curve (PNG)"))
    fig = plot_decision_boundary(
        model,
        X,
        y,
        title="XOR: the trained network's decision boundary",
        output_label="network output P(y = 1)",
    )
    files.append((save(fig, out / "decision_boundary.png"), "decision boundary, four points (PNG)"))

    loss, neuron = _one_forward_pass(model, X[2], float(y[2]))
    path, note = _render(loss, out / "forward_graph.svg", params=model, level="neuron")
    files.append((path, f"one forward pass (x = {X[2]}, y = {y[2]}), one box per neuron"))
    notes += [note] if note else []
    path, note = _render(neuron, out / "neuron_graph.svg", params=model, grads_computed=True)
    files.append((path, "the full scalar graph of neuron layers.0.neurons.0, with ∂L/∂·"))
    notes += [note] if note and not notes else []

    report = manual.crosscheck(model, X, y, loss="bce")
    text = "# XOR network: engine vs delta equations vs finite differences\n\n"
    files.append(
        (
            atomic_write_text(out / "crosscheck.md", text + report.to_markdown() + "\n"),
            "three-way gradient cross-check (Markdown)",
        )
    )
    files.append((serialize.save(model, out / "weights.json"), "trained weights (JSON)"))

    rows = [
        [f"{a:g}", f"{b:g}", f"{t}", f"{o:.4f}", "yes" if ok else "NO"]
        for (a, b), t, o, ok in zip(X, y, outputs, right)
    ]
    width = max(len(str(p)) for p, _ in files)
    _say(
        "",
        f"final loss {history.loss[-1]:.5f} (BCE, mean over the 4 points); "
        f"{sum(right)}/4 classified correctly; trained in {history.seconds:.1f} s",
        "",
        *_table(["x1", "x2", "target", "output", "right"], rows),
        "",
        f"gradient cross-check: {'OK' if report.ok else 'MISMATCH'}, "
        f"{len(report.rows)} parameters (max |engine − delta| = {report.max_delta_diff:.1e}, "
        f"max |numerical − engine| = {report.max_numerical_diff:.1e})",
        "",
        "files written:",
        *(f"  {p!s:<{width}}  {what}" for p, what in files),
        *notes,
        "",
        format_worked_example(),
        "",
        f"demo finished in {time.perf_counter() - start:.1f} s",
    )
    return 0 if report.ok else 1


# --------------------------------------------------------------------------- graph
def _assignments(items: Sequence[str]) -> dict[str, float]:
    from keyword import iskeyword

    from .expr import FUNCTIONS, ExprError, constant, tokenize

    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"--set expects NAME=VALUE, as in x=0.5, got {item!r}")
        try:
            toks = tokenize(name)
        except ExprError:
            toks = []
        if len(toks) != 2 or toks[0].kind != "name" or name in FUNCTIONS or iskeyword(name):
            raise ValueError(f"--set {item!r}: {name!r} is not a name that an expression can use")
        if name in values:
            raise ValueError(f"--set: {name!r} is given twice")
        try:
            values[name] = constant(text)
        except ExprError as err:
            raise ExprError(f"--set {name}: {err.message}", err.text, err.position) from None
    return values


def cmd_graph(args: argparse.Namespace) -> int:
    """Parse an expression, evaluate it, backpropagate, draw its graph, print the gradients."""
    from .engine import no_grad
    from .expr import ExprError, build

    values = _assignments(args.set or [])
    root, leaves = build(args.expression, values)
    root.label = root.label or "f"
    root.backward()
    unused = [n for n in values if n not in leaves]

    def at(shifted: dict[str, float]) -> float | None:
        try:
            with no_grad():
                return build(args.expression, shifted)[0].data
        except ExprError:
            return None  # x ± ε leaves the domain (log near 0, …): no central difference

    rows = []
    for name, leaf in leaves.items():
        eps = 1e-6 * max(1.0, abs(leaf.data))  # relative step: x ± ε must differ from x
        plus = at({**values, name: leaf.data + eps})
        minus = at({**values, name: leaf.data - eps})
        numeric = "-" if plus is None or minus is None else f"{(plus - minus) / (2 * eps):.10g}"
        rows.append([name, f"{leaf.data:.10g}", f"{leaf.grad:.10g}", numeric])
    path, note = _render(root, Path(args.out))
    _say(f"f = {args.expression.strip()}", f"  = {root.data:.12g}")
    if rows:
        _say("", *_table(["name", "value", "∂f/∂name (backward)", "central difference"], rows))
    if unused:
        _say(f"note: not used by the expression: {', '.join(unused)}")
    if args.tape:
        from .tape import tape

        _say("", tape(root))
    _say("", f"graph: {path}")
    if note:
        _say(note)
    return 0


# --------------------------------------------------------------------------- crosscheck
def _crosscheck_data(
    sizes: Sequence[int], loss: str, batch: int, seed: int
) -> tuple[list[list[float]], list[Any]]:
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


def cmd_crosscheck(args: argparse.Namespace) -> int:
    """The three-way gradient report for a seeded random network on seeded data."""
    from . import manual
    from .fileio import atomic_write_text
    from .nn import MLP

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
    X, y = _crosscheck_data(sizes, args.loss, args.batch, args.seed)
    report = manual.crosscheck(model, X, y, loss=args.loss)
    _say(
        f"{model}, loss {args.loss}, batch of {args.batch}, seed {args.seed}",
        "",
        str(report),
    )
    if args.markdown:
        path = atomic_write_text(args.markdown, report.to_markdown() + "\n")
        _say("", f"Markdown report: {path}")
    return 0 if report.ok else 1


# --------------------------------------------------------------------------- perceptron
XOR_PROOF = (
    "Why no line separates XOR (threshold unit ŷ = 1[w₁x₁ + w₂x₂ + b ≥ 0]):",
    "  (0,0)→0 needs b < 0; (0,1)→1 needs w₂ + b ≥ 0; (1,0)→1 needs w₁ + b ≥ 0;",
    "  adding the middle two: w₁ + w₂ + 2b ≥ 0, so w₁ + w₂ + b ≥ −b > 0,",
    "  but (1,1)→0 needs w₁ + w₂ + b < 0: a contradiction.",
)


def cmd_perceptron(args: argparse.Namespace) -> int:
    """Rosenblatt's rule on separable data (converges within (R/γ)²) and on XOR (cannot)."""
    import warnings

    from . import data
    from .nn import ConvergenceWarning, Perceptron, perceptron_bound, separation_margin
    from .plots import PerceptronRun, plot_perceptron, save

    out = Path(args.out)
    X, y, sep = data.blobs(n=args.points, seed=args.seed, return_separator=True)
    gamma = separation_margin(X, y, sep.w, sep.b)
    bound = perceptron_bound(X, y, sep.w, sep.b)
    separable = Perceptron(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported below, in words
        result = separable.fit(X, y, max_epochs=args.max_epochs)
        xor_X, xor_y = data.xor()
        xor_model = Perceptron(2)
        xor_result = xor_model.fit(xor_X, xor_y, max_epochs=args.max_epochs)
    within = result.mistakes <= bound
    radius = math.sqrt(max(sum(v * v for v in x) + 1.0 for x in X))
    runs = [
        PerceptronRun(
            f"separable blobs ({len(X)} points): {'converged' if result.converged else 'not yet'}",
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
    path = save(plot_perceptron(runs), out / "perceptron.png")
    _say(
        "Rosenblatt's rule: after each sample, w ← w + η(y − ŷ)x and b ← b + η(y − ŷ) (η = 1)",
        "",
        f"separable blobs, {len(X)} points (seed {args.seed}): {result}",
        f"  convergence theorem: at most (R/γ)² mistakes, R = max ‖(x, 1)‖ = {radius:.4f}, "
        f"γ = {gamma:.4f} (the margin of the known separator, bias folded in)",
        f"  (R/γ)² = {bound:.2f}; mistakes made: {result.mistakes} — "
        + ("within the bound" if within else "ABOVE THE BOUND (this should never happen)"),
        "",
        f"XOR, 4 points: {xor_result}",
        *XOR_PROOF,
        "",
        f"plot: {path}",
    )
    if not result.converged:
        _say(f"note: raise --max-epochs (now {args.max_epochs}) to let the separable run finish")
    return 0 if within else 1


# --------------------------------------------------------------------------- approx
def staircase(
    model: MLP, f: Callable[[float], float], lo: float, hi: float, k: float = 3.0
) -> None:
    """Set a 1 → N → 1 sigmoid network to the constructive proof's staircase for f on [lo, hi].

    Split [lo, hi] into N + 1 equal cells of width h with centres c₀ … c_N. Hidden unit j
    (1 … N) is a smooth step σ((k/h)(x − t_j)) at the boundary t_j between cells j − 1 and j,
    and its output weight is the jump f(c_j) − f(c_{j−1}); the output bias is f(c₀). So the
    network climbs from f(c₀) to f(c_N) in N steps, and the error shrinks like h·max|f′|:
    more units, smaller steps.
    """
    hidden, output = model.layers[0].neurons, model.layers[-1].neurons[0]
    n = len(hidden)
    h = (hi - lo) / (n + 1)
    centres = [f(lo + (j + 0.5) * h) for j in range(n + 1)]
    for j, unit in enumerate(hidden, start=1):
        unit.w[0].data = k / h
        unit.b.data = -(k / h) * (lo + j * h)
        output.w[j - 1].data = centres[j] - centres[j - 1]
    output.b.data = centres[0]


def _errors(model: MLP, grid: Sequence[float], f: Callable[[float], float]) -> tuple[float, float]:
    """(max error, RMS error) of the network against f on the grid."""
    from .engine import no_grad

    with no_grad():
        diffs = [model([x])[0].data - f(x) for x in grid]
    return max(abs(d) for d in diffs), math.sqrt(math.fsum(d * d for d in diffs) / len(diffs))


def cmd_approx(args: argparse.Namespace) -> int:
    """One hidden layer of sigmoids fits sin on [0, 2π]; the error falls as the width grows."""
    from . import data, optim, train
    from .engine import no_grad
    from .nn import MLP
    from .plots import plot_approximation, save

    lo, hi, f = 0.0, 2.0 * math.pi, math.sin
    X, y = data.sine(n=args.samples, lo=lo, hi=hi)
    grid = [lo + (hi - lo) * i / 400 for i in range(401)]
    fits: dict[int, list[float]] = {}
    sup: dict[int, float] = {}
    rms: dict[int, float] = {}
    rows = []
    _say(
        f"sin x on [0, 2π]: x → N sigmoids → linear output, {args.samples} training points, "
        f"start: {args.init}, then Adam lr={args.lr:g} for {args.epochs} epochs (MSE)",
        "",
    )
    for width in args.hidden:
        model = MLP(1, [width, 1], activation="sigmoid", output_activation="linear", seed=args.seed)
        if args.init == "construct":
            staircase(model, f, lo, hi)
        start_sup, _ = _errors(model, grid, f)
        if args.epochs > 0:
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
        sup[width], rms[width] = _errors(model, grid, f)
        with no_grad():
            fits[width] = [model([x])[0].data for x in grid]
        rows.append(
            [
                str(width),
                str(model.num_parameters()),
                f"{start_sup:.4f}",
                f"{sup[width]:.4f}",
                f"{rms[width]:.4f}",
            ]
        )
    path = save(
        plot_approximation(
            grid, [f(x) for x in grid], fits, {"max |error|": sup, "RMS error": rms}
        ),
        Path(args.out) / "approx.png",
    )
    widths = list(args.hidden)
    falls = all(sup[a] > sup[b] for a, b in itertools.pairwise(widths))
    _say(
        *_table(
            ["hidden units", "parameters", "max |error| at start", "max |error|", "RMS error"],
            rows,
        ),
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


# --------------------------------------------------------------------------- the parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tinygrad-edu`` and its commands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A scalar autodiff engine for learning backpropagation. "
        "Without a command, runs the demo.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="train the lesson's XOR network and write its pictures and reports (the default)",
        description="Train MLP(2, [4, 4, 1]) (sigmoid everywhere) on XOR with binary "
        "cross-entropy, then write into DIR: the loss curve and the decision boundary (PNG), "
        "the graph of one forward pass collapsed per neuron and the full graph of one neuron "
        "(SVG), the three-way gradient cross-check (Markdown) and the weights (JSON). "
        "Prints a summary and the lesson's worked example.",
    )
    demo.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    demo.add_argument(
        "--epochs", type=_bounded_int(1, 100_000), default=DEMO_EPOCHS, help="%(default)s"
    )
    demo.add_argument("--lr", type=_positive_float, default=DEMO_LR, help="SGD step (%(default)s)")
    demo.add_argument("--seed", type=_bounded_int(0, 2**32 - 1), default=DEMO_SEED)
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_demo)

    graph = sub.add_parser(
        "graph",
        help="draw the graph of an expression with its gradients",
        description="Parse EXPRESSION (numbers, names, + - * / **, parentheses and the "
        "functions exp log log1p tanh sigmoid relu softplus abs sqrt sin cos), evaluate it "
        "with the values given by --set, backpropagate, draw the graph and print the value "
        "and the gradient of each name (and a central difference for comparison). "
        "An expression may start with '-' (it is never taken for an option).",
        epilog='example: tinygrad-edu graph "tanh(w*x + b)" --set x=0.5 w=1.2 b=-0.8',
    )
    graph.add_argument("expression", help='for example "tanh(w*x + b)"')
    graph.add_argument(
        "--set",
        nargs="+",
        action="extend",
        metavar="NAME=VALUE",
        help="the value of each name, as x=0.5 (a value may be a constant expression: x=1/3)",
    )
    graph.add_argument(
        "--out",
        default="out/graph.svg",
        metavar="FILE",
        help="picture to write: .svg, .png or .pdf (needs graphviz), .dot or .mmd (text) "
        "(default: out/graph.svg)",
    )
    graph.add_argument("--tape", action="store_true", help="also print the Wengert list")
    graph.set_defaults(func=cmd_graph)

    from .manual import LOSSES
    from .nn import ACTIVATIONS

    cross = sub.add_parser(
        "crosscheck",
        help="engine vs delta equations vs finite differences, parameter by parameter",
        description="Build a seeded random MLP and a seeded random batch, compute the "
        "gradient of the loss three ways (the engine's backward(), the delta equations in "
        "NumPy, central differences) and print the report. Exit status 1 if any disagree.",
        epilog="example: tinygrad-edu crosscheck --layers 2,4,4,1 --activation sigmoid --loss bce",
    )
    cross.add_argument(
        "--layers",
        type=_layers_arg,
        default=[2, 4, 4, 1],
        metavar="N0,N1,...",
        help="input size then the layer sizes (default: 2,4,4,1)",
    )
    cross.add_argument("--activation", choices=list(ACTIVATIONS), default="sigmoid")
    cross.add_argument(
        "--output-activation",
        choices=list(ACTIVATIONS),
        default=None,
        help="default: sigmoid for bce, linear for cross_entropy, else --activation",
    )
    cross.add_argument("--loss", choices=list(LOSSES), default="bce")
    cross.add_argument("--seed", type=_bounded_int(0, 2**32 - 1), default=0)
    cross.add_argument("--batch", type=_bounded_int(1, MAX_BATCH), default=4)
    cross.add_argument("--markdown", metavar="FILE", help="also write the report as Markdown")
    cross.set_defaults(func=cmd_crosscheck)

    perc = sub.add_parser(
        "perceptron",
        help="Rosenblatt's rule: converges on separable data, fails on XOR",
        description="Train a Rosenblatt perceptron on a linearly separable set (it converges, "
        "with at most (R/γ)² mistakes) and on XOR (it cannot), and plot both.",
    )
    perc.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    perc.add_argument("--seed", type=_bounded_int(0, 2**32 - 1), default=0)
    perc.add_argument("--max-epochs", type=_bounded_int(1, 10_000), default=100)
    perc.add_argument(
        "--points", type=_bounded_int(2, 10_000), default=40, help="separable points (40)"
    )
    perc.set_defaults(func=cmd_perceptron)

    approx = sub.add_parser(
        "approx",
        help="universal approximation: one hidden layer of sigmoids fits sin x",
        description="For each width N, a network x → N sigmoids → linear output fits sin on "
        "[0, 2π]: first the constructive proof's staircase of steep sigmoids, then gradient "
        "descent (Adam) from there. Prints the error per width and plots the fits and the "
        "error against the width.",
    )
    approx.add_argument(
        "--hidden",
        type=_widths_arg,
        default=[2, 8, 32],
        metavar="N1,N2,...",
        help="hidden widths (default: 2,8,32)",
    )
    approx.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    approx.add_argument("--epochs", type=_bounded_int(0, 100_000), default=200)
    approx.add_argument("--samples", type=_bounded_int(2, 10_000), default=64)
    approx.add_argument("--lr", type=_positive_float, default=0.01, help="Adam step (0.01)")
    approx.add_argument(
        "--init",
        choices=["construct", "random"],
        default="construct",
        help="start from the staircase construction (default) or from random weights",
    )
    approx.add_argument("--seed", type=_bounded_int(0, 2**32 - 1), default=0)
    approx.add_argument("--quiet", action="store_true", help="no progress bar")
    approx.set_defaults(func=cmd_approx)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def _expression_first(argv: list[str]) -> list[str]:
    """``graph "-x**2" --set x=2``: argparse would read "-x**2" as an option; move it after --."""
    if len(argv) >= 2 and argv[0] == "graph" and "--" not in argv:
        first = argv[1]
        if first.startswith("-") and not first.startswith("--") and first != "-h":
            return ["graph", *argv[2:], "--", first]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(_expression_first(list(sys.argv[1:] if argv is None else argv)))
    if args.command is None:
        args = parser.parse_args(["demo"])
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, and keep Python's exit flush quiet too
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, TypeError, ArithmeticError, OSError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    except ImportError as err:
        hint = "" if "pip install" in str(err) else " (pip install 'tinygrad_edu[plots]')"
        print(f"{PROG}: error: {err}{hint}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
