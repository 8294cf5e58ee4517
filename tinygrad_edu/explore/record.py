"""What the explorer shows, recorded from the engine: every number is a Value's ``.data`` or
``.grad`` (or a local gradient the engine stored), read in Python while the model trains.

``record_run`` trains an MLP with ``train.fit`` one epoch at a time and, every ``every``-th
epoch, records for each training example the forward values z and a of every neuron, the
sigmoid/tanh/ReLU slope σ′(z) the engine stored on the edge z → a, the deltas δ = ∂L/∂z, the
gradients ∂L/∂W and ∂L/∂b of that example's own loss, and, for the batch, the weights before and
after the update and the gradient the update used.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import checks, losses, optim, train
from ..engine import Value, no_grad
from ..names import tensor_name
from ..nary import dot
from ..nn import ACTIVATIONS, MLP

LOSSES: tuple[str, ...] = ("bce", "mse", "half_sse")
LOSS_FORMULAS: dict[str, str] = {
    "bce": "L = −[y log ŷ + (1 − y) log(1 − ŷ)]",
    "mse": "L = (ŷ − y)²",
    "half_sse": "L = ½ (ŷ − y)²",
}
SEED_FORMULAS: dict[str, str] = {
    "bce": "∂L/∂ŷ = (ŷ − y) / (ŷ (1 − ŷ))",
    "mse": "∂L/∂ŷ = 2 (ŷ − y)",
    "half_sse": "∂L/∂ŷ = ŷ − y",
}
SATURATED = 0.01  # a sigmoid is saturated when a < 0.01 or a > 0.99 (then σ′(z) < 0.0099)
GRID = 21  # decision-boundary samples per axis (2-D inputs); curve samples for 1-D: GRID * 3
MAX_FRAMES = 101  # the default `every` keeps about this many recorded epochs


def _digits(x: float, n: int = 10) -> float:
    """``x`` rounded to ``n`` significant digits for the page (shown with fewer)."""
    return float(f"{x:.{n}g}")


@dataclass
class ExampleRecord:
    """One example's forward and backward pass at one recorded epoch, per layer and neuron."""

    z: list[list[float]]
    a: list[list[float]]
    slope: list[list[float]]  # σ′(z): the engine's local gradient on the edge z → a
    delta: list[list[float]]  # ∂L/∂z, the grad of the z node
    dW: list[list[list[float]]]  # ∂L/∂W⁽ˡ⁾ⱼᵢ of this example's own loss
    db: list[list[float]]
    loss: float
    output: float
    seed: float  # ∂L/∂ŷ, the grad of the output node: what seeds the backward pass
    upstream: list[list[float]]  # ∂L/∂a, the grad of each activation node: Σₖ Wₖⱼ δₖ if hidden


@dataclass
class Frame:
    """One recorded epoch: the weights its update started from and ended at, and the records."""

    epoch: int
    W_before: list[list[list[float]]]
    b_before: list[list[float]]
    W_after: list[list[list[float]]]
    b_after: list[list[float]]
    grad_W: list[list[list[float]]]  # the batch gradient the update used (mean over rows)
    grad_b: list[list[float]]
    batch_loss: float
    examples: list[ExampleRecord]
    health: list[dict[str, float]]
    surface: list[float]  # the model's output on the grid (2-D) or the curve (1-D)


@dataclass
class Drill:
    """A neuron on its own at one recorded epoch and example: its graph and backward steps."""

    epoch: int
    example: int
    layer: int
    neuron: int
    svg: str | None
    dot: str
    mermaid: str
    steps: list[dict[str, Any]]


@dataclass
class Run:
    """A recorded training run; ``write_explorer(run, path)`` turns it into a page."""

    sizes: list[int]
    activations: list[str]
    loss_name: str
    lr: float
    epochs: int
    every: int
    seed: int | None
    X: list[list[float]]
    y: list[float]
    title: str
    losses: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    axes: list[list[float]] = field(default_factory=list)
    drills: list[Drill] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def recorded(self) -> list[int]:
        """The epochs (counted from 0) that have a frame."""
        return [f.epoch for f in self.frames]

    def frame(self, epoch: int) -> Frame:
        """The frame of ``epoch`` (it must be recorded)."""
        for f in self.frames:
            if f.epoch == epoch:
                return f
        raise KeyError(f"Run.frame: epoch {epoch} was not recorded; recorded: {self.recorded}")


# ------------------------------------------------------------------------------ recording
def _weights(model: MLP) -> tuple[list[list[list[float]]], list[list[float]]]:
    W = [[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers]
    b = [[n.b.data for n in layer.neurons] for layer in model.layers]
    return W, b


def _grads(model: MLP) -> tuple[list[list[list[float]]], list[list[float]]]:
    W = [[[w.grad for w in n.w] for n in layer.neurons] for layer in model.layers]
    b = [[n.b.grad for n in layer.neurons] for layer in model.layers]
    return W, b


def _forward_nodes(model: MLP, x: Sequence[float]) -> tuple[list[list[Value]], list[list[Value]]]:
    """The z and a nodes of every neuron, made by the model's own parameters and ops."""
    zs: list[list[Value]] = []
    acts: list[list[Value]] = []
    inputs: list[Value] = [Value(float(v)) for v in x]
    for layer in model.layers:
        z_row: list[Value] = []
        a_row: list[Value] = []
        for n in layer.neurons:
            z = dot(n.w, inputs, n.b)
            z_row.append(z)
            a_row.append(ACTIVATIONS[n.activation](z))
        zs.append(z_row)
        acts.append(a_row)
        inputs = a_row
    return zs, acts


def _slope(z: Value, a: Value) -> float:
    """σ′(z) as the engine stored it on the edge z → a (1 for a linear neuron, a is z)."""
    if a is z:
        return 1.0
    return float(a.local_grads[0])


def _example(model: MLP, x: Sequence[float], target: float, loss_name: str) -> ExampleRecord:
    model.zero_grad()
    zs, acts = _forward_nodes(model, x)
    out = acts[-1][0]
    loss = losses.get_loss(loss_name)([out], [target])
    loss.backward()
    record = ExampleRecord(
        z=[[v.data for v in row] for row in zs],
        a=[[v.data for v in row] for row in acts],
        slope=[[_slope(z, a) for z, a in zip(zr, ar)] for zr, ar in zip(zs, acts)],
        delta=[[v.grad for v in row] for row in zs],
        dW=[[[w.grad for w in n.w] for n in layer.neurons] for layer in model.layers],
        db=[[n.b.grad for n in layer.neurons] for layer in model.layers],
        loss=loss.data,
        output=out.data,
        seed=out.grad,
        upstream=[[v.grad for v in row] for row in acts],
    )
    model.zero_grad()
    return record


def _health(examples: list[ExampleRecord], activations: list[str]) -> list[dict[str, float]]:
    """Per layer: mean |δ| over examples and neurons; the share of dead ReLUs (z ≤ 0 on every
    example) and of saturated sigmoids (a < 0.01 or a > 0.99, over examples and neurons)."""
    out: list[dict[str, float]] = []
    for li, act in enumerate(activations):
        deltas = [abs(d) for ex in examples for d in ex.delta[li]]
        width = len(examples[0].z[li])
        dead = 0.0
        saturated = 0.0
        if act == "relu":
            dead = sum(all(ex.z[li][j] <= 0.0 for ex in examples) for j in range(width)) / width
        if act == "sigmoid":
            values = [a for ex in examples for a in ex.a[li]]
            saturated = sum(a < SATURATED or a > 1.0 - SATURATED for a in values) / len(values)
        out.append(
            {"mean_abs_delta": sum(deltas) / len(deltas), "dead": dead, "saturated": saturated}
        )
    return out


def _axes(X: list[list[float]]) -> list[list[float]]:
    dims = len(X[0])
    if dims > 2:
        return []
    axes = []
    count = GRID if dims == 2 else GRID * 3
    for d in range(dims):
        lo = min(r[d] for r in X)
        hi = max(r[d] for r in X)
        pad = 0.25 * (hi - lo) if hi > lo else 1.0
        lo, hi = lo - pad, hi + pad
        axes.append([_digits(lo + (hi - lo) * k / (count - 1), 6) for k in range(count)])
    return axes


def _surface(model: MLP, axes: list[list[float]]) -> list[float]:
    if not axes:
        return []
    with no_grad():
        if len(axes) == 1:
            return [_digits(model([u])[0].data, 4) for u in axes[0]]
        return [_digits(model([u, v])[0].data, 4) for v in axes[1] for u in axes[0]]


def _frames_to_record(epochs: int, every: int) -> set[int]:
    chosen = set(range(0, epochs, every))
    chosen.add(epochs - 1)
    return chosen


def record_run(
    model: MLP,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    *,
    loss: str = "bce",
    lr: float = 1.0,
    epochs: int = 2000,
    every: int | None = None,
    seed: int | None = None,
    title: str = "",
    drill: str = "first",
    examples: int = 4,
) -> Run:
    """Train ``model`` (one output) with full-batch gradient descent and record it for the page.

    Training is ``train.fit`` with ``optim.SGD(lr)``, one epoch per call, so the run is the
    library's own. ``every``: record every k-th epoch (default: about 100 frames; the last epoch
    always). ``drill``: the epochs whose neurons get a drill-down graph, "first", "last",
    "both" or "none". ``examples``: how many rows (the first ones) keep their per-example
    records for the phases (gradient health is measured over all rows). ``seed`` is printed on
    the page (the model's initialisation seed).

    >>> from tinygrad_edu.nn import MLP
    >>> m = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    >>> run = record_run(m, [[0, 0], [1, 1]], [0, 1], epochs=5, every=2, drill="none")
    >>> run.recorded
    [0, 2, 4]
    """
    where = "record_run"
    if not isinstance(model, MLP):
        raise TypeError(f"{where}: model must be an MLP, got {type(model).__name__}")
    if model.nouts[-1] != 1:
        raise ValueError(f"{where}: the explorer draws one-output networks, got {model.nouts}")
    rows = [[checks.finite(v, where, "an input") for v in r] for r in checks.rows(X, where, "X")]
    if not rows:
        raise ValueError(f"{where}: no training rows")
    if len(rows[0]) != model.nin:
        raise ValueError(f"{where}: rows have {len(rows[0])} inputs, the model {model.nin}")
    targets = [checks.finite(t, where, "a target") for t in checks.sequence(y, where, "y")]
    if len(targets) != len(rows):
        raise ValueError(f"{where}: {len(rows)} rows but {len(targets)} targets")
    loss_name = checks.one_of(loss, where, "loss", LOSSES)
    lr = checks.positive(lr, where, "lr")
    epochs = checks.count(epochs, where, "epochs", minimum=1)
    every = (
        max(1, math.ceil(epochs / (MAX_FRAMES - 1)))
        if every is None
        else checks.count(every, where, "every", minimum=1)
    )
    drill = checks.one_of(drill, where, "drill", ("first", "last", "both", "none"))
    keep = checks.count(examples, where, "examples", minimum=1)
    activations = [layer.neurons[0].activation for layer in model.layers]
    run = Run(
        sizes=[model.nin, *model.nouts],
        activations=activations,
        loss_name=loss_name,
        lr=lr,
        epochs=epochs,
        every=every,
        seed=checks.seed(seed, where),
        X=rows,
        y=targets,
        title=title or f"{model!r}, {loss_name}, lr {lr:g}, {epochs} epochs",
    )
    run.axes = _axes(rows)
    chosen = _frames_to_record(epochs, every)
    drill_epochs = {
        "first": {0},
        "last": {epochs - 1},
        "both": {0, epochs - 1},
        "none": set(),
    }[drill]
    optimizer = optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs):
        frame_examples: list[ExampleRecord] = []
        surface: list[float] = []
        before: tuple[list[list[list[float]]], list[list[float]]] | None = None
        if epoch in chosen:
            before = _weights(model)
            frame_examples = [_example(model, x, t, loss_name) for x, t in zip(rows, targets)]
            if epoch in drill_epochs:
                run.drills += _drills(model, epoch, frame_examples[:keep], rows)
            surface = _surface(model, run.axes)
        history = train.fit(
            model, rows, targets, loss=loss_name, optimizer=optimizer, epochs=1,
            progress=False, decision="auto",
        )  # fmt: skip
        run.losses.append(history.loss[0])
        if history.accuracy:
            run.accuracy.append(history.accuracy[0])
        if before is not None:
            gW, gb = _grads(model)
            aW, ab = _weights(model)
            run.frames.append(
                Frame(
                    epoch=epoch,
                    W_before=before[0],
                    b_before=before[1],
                    W_after=aW,
                    b_after=ab,
                    grad_W=gW,
                    grad_b=gb,
                    batch_loss=history.loss[0],
                    examples=frame_examples[:keep],
                    health=_health(frame_examples, activations),
                    surface=surface,
                )
            )
    if not shutil.which("dot") and run.drills:
        run.notes.append(
            "Graphviz's dot program was not found, so the neuron graphs are given as Mermaid and "
            "DOT text (install it: sudo apt-get install graphviz)."
        )
    return run


# ------------------------------------------------------------------------------ drill-down
def weight_name(layer: int, neuron: int, source: int) -> str:
    """The matrix name of a weight (the project's name map), layers counted from 1.

    >>> weight_name(1, 3, 0)
    'W2[3, 0]'
    """
    return tensor_name(f"layers.{layer}.neurons.{neuron}.w.{source}")


def bias_name(layer: int, neuron: int) -> str:
    """The vector name of a bias (the project's name map), layers counted from 1.

    >>> bias_name(1, 3)
    'b2[3]'
    """
    return tensor_name(f"layers.{layer}.neurons.{neuron}.b")


def input_name(layer: int, source: int) -> str:
    """The name of a neuron's input: ``x[i]`` for the first layer, ``a1[i]`` after it.

    >>> input_name(0, 1), input_name(2, 0)
    ('x[1]', 'a2[0]')
    """
    return f"x[{source}]" if layer == 0 else f"a{layer}[{source}]"


def _drills(
    model: MLP, epoch: int, examples: list[ExampleRecord], rows: list[list[float]]
) -> list[Drill]:
    from .. import viz  # the drawing room; imported here, as graphviz is imported there lazily

    have_dot = shutil.which("dot") is not None
    out: list[Drill] = []
    for e, (record, row) in enumerate(zip(examples, rows)):
        for li, layer in enumerate(model.layers):
            sources = row if li == 0 else record.a[li - 1]
            for j, n in enumerate(layer.neurons):
                xs = [Value(v, input_name(li, i)) for i, v in enumerate(sources)]
                ws = [Value(w.data, weight_name(li, j, i)) for i, w in enumerate(n.w)]
                b = Value(n.b.data, bias_name(li, j))
                z = dot(ws, xs, b)
                z.label = f"z{li + 1}[{j}]"
                a = ACTIVATIONS[n.activation](z)
                if a is not z:
                    a.label = f"a{li + 1}[{j}]"
                steps = [
                    {
                        "node": _node_name(s.node),
                        "op": s.node.op or "leaf",
                        "upstream": s.upstream,
                        "parts": [
                            {
                                "parent": _node_name(c.parent),
                                "local": c.local,
                                "contribution": c.contribution,
                                "total": c.total,
                            }
                            for c in s.contributions
                        ],
                    }
                    for s in viz.backward_steps(a)
                ]
                a.backward()
                params = {v.label: v for v in (*ws, b)}
                graph = viz.draw_dot(a, params=params, precision=4, legend=False)
                svg = graph.pipe(format="svg").decode("utf-8") if have_dot else None
                out.append(
                    Drill(
                        epoch=epoch,
                        example=e,
                        layer=li,
                        neuron=j,
                        svg=_trim_svg(svg) if svg else None,
                        dot=graph.source,
                        mermaid=viz.to_mermaid(a, params=params, precision=4),
                        steps=steps,
                    )
                )
    return out


def _node_name(v: Value) -> str:
    return v.label or f"({v.op})"


def _trim_svg(svg: str) -> str:
    """The <svg> element alone (no XML prologue or doctype: it is inlined into the page)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
