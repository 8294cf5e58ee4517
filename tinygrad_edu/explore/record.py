"""What the explorer shows, recorded from the engine: every number is a Value's ``.data`` or
``.grad`` (or a local gradient the engine stored), read in Python while the model trains.

``record_run`` trains an MLP with full-batch gradient descent — ``fit(compile=True)``'s step,
``compile.CompiledStep``, and ``optim.SGD`` — and, every ``every``-th epoch, records for each
training row the forward values z and a of every neuron, the sigmoid/tanh/ReLU slope σ′(z) the
engine stored on the edge z → a, the deltas δ = ∂L/∂z, ∂L/∂a, and the gradients ∂L/∂W and
∂L/∂b of that row's own loss (through the engine's graph), and, for the batch, the weights
before and after the update and the gradient the update used. The cost is estimated first
(``budget``) and refused past a bound.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .. import checks, losses, optim
from ..compile import CompiledStep
from ..engine import Value
from ..names import tensor_name
from ..nary import dot
from ..nn import ACTIVATIONS, MLP
from ..ops import relu, sigmoid, tanh
from . import budget

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
_FLOAT_ACTIVATIONS: dict[str, Callable[[float], float]] = {
    "sigmoid": sigmoid.forward,
    "tanh": tanh.forward,
    "relu": relu.forward,
    "linear": lambda z: z,
}


def _digits(x: float, n: int = 10) -> float:
    """``x`` rounded to ``n`` significant digits for the page (shown with fewer)."""
    return float(f"{x:.{n}g}")


@dataclass
class ExampleRecord:
    """One row's forward and backward pass at one recorded epoch, per layer and neuron."""

    z: list[list[float]]
    a: list[list[float]]
    slope: list[list[float]]  # σ′(z): the engine's local gradient on the edge z → a
    delta: list[list[float]]  # ∂L/∂z, the grad of the z node
    dW: list[list[list[float]]]  # ∂L/∂W⁽ˡ⁾ⱼᵢ of this row's own loss: exactly δⱼ · inputᵢ
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
    examples: list[ExampleRecord]  # every row
    health: list[dict[str, float]]
    surface: list[float]  # the model's output on the grid (2-D) or the curve (1-D)


@dataclass
class Run:
    """A recorded training run; ``explorer_html(run)`` turns it into a page."""

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
    notes: list[str] = field(default_factory=list)
    estimate: budget.Estimate | None = None

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


def _outputs(model: MLP, points: list[list[float]]) -> list[float]:
    """The model's output at many points as floats, a layer at a time: Σ wᵢxᵢ + b summed as
    ``ops.dot``'s forward sums it, then the table's forward of the activation. No graph is
    built (the decision surface needs only the values), so a grid costs milliseconds."""
    acts = points
    for layer in model.layers:
        f = _FLOAT_ACTIVATIONS[layer.neurons[0].activation]
        params = [([w.data for w in n.w], n.b.data) for n in layer.neurons]
        acts = [[f(sum(map(operator.mul, ws, row)) + b) for ws, b in params] for row in acts]
    return [row[0] for row in acts]


def _surface(model: MLP, axes: list[list[float]]) -> list[float]:
    if not axes:
        return []
    if len(axes) == 1:
        points = [[u] for u in axes[0]]
    else:
        points = [[u, v] for v in axes[1] for u in axes[0]]
    return [_digits(o, 4) for o in _outputs(model, points)]


def _frames_to_record(epochs: int, every: int) -> set[int]:
    chosen = set(range(0, epochs, every))
    chosen.add(epochs - 1)
    return chosen


def _correct(outs: list[float], targets: list[float]) -> int:
    """Rows classified right by the 0.5 threshold (BCE's sigmoid output), as ``fit`` counts."""
    return sum((o >= 0.5) == (t >= 0.5) for o, t in zip(outs, targets))


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
    max_seconds: float = budget.MAX_SECONDS,
    max_megabytes: float = budget.MAX_MEGABYTES,
    progress: bool | None = None,
) -> Run:
    """Train ``model`` (one output) with full-batch gradient descent and record it for the page.

    Training is ``fit(compile=True)``'s step (``compile.CompiledStep``) with ``optim.SGD(lr)``:
    the same losses and weights as ``train.fit``, bit for bit. ``every``: record every k-th
    epoch (default: about 100 recorded epochs, fewer for many rows × neurons; the last epoch
    always); every row is recorded at each. The time and page size are estimated first and
    refused past ``max_seconds`` / ``max_megabytes`` (the message names the way out);
    ``progress`` shows a bar (default: when the estimate passes 3 s). ``seed`` is printed on
    the page (the model's initialisation seed).

    >>> from tinygrad_edu.nn import MLP
    >>> m = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    >>> run = record_run(m, [[0, 0], [1, 1]], [0, 1], epochs=5, every=2)
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
    sizes = [model.nin, *model.nouts]
    every = (
        budget.default_every(epochs, len(rows), sum(sizes[1:]))
        if every is None
        else checks.count(every, where, "every", minimum=1)
    )
    max_seconds = checks.positive(max_seconds, where, "max_seconds")
    max_megabytes = checks.positive(max_megabytes, where, "max_megabytes")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"{where}: progress must be True, False or None, got {progress!r}")
    activations = [layer.neurons[0].activation for layer in model.layers]
    run = Run(
        sizes=sizes,
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
    grid = math.prod(len(a) for a in run.axes) if run.axes else 0
    run.estimate = budget.estimate(sizes, len(rows), epochs, len(chosen), grid)
    budget.check(run.estimate, where, max_seconds, max_megabytes)
    show = run.estimate.seconds > budget.SHOW_PROGRESS if progress is None else progress
    from tqdm import tqdm  # a dependency, imported here to keep `import tinygrad_edu` light

    loss_fn = losses.get_loss(loss_name)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    step = CompiledStep(model, loss_fn, optimizer.params)
    bar = tqdm(total=epochs, desc="fit, recording", unit="epoch", disable=not show, file=sys.stderr)
    try:
        for epoch in range(epochs):
            if epoch in chosen:
                before = _weights(model)
                records = [_example(model, x, t, loss_name) for x, t in zip(rows, targets)]
                surface = _surface(model, run.axes)
            value, outs = step.step(rows, targets)
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"{where}: the loss became {value!r} at epoch {epoch + 1}; try a smaller lr"
                )
            optimizer.step()
            run.losses.append(value)
            if loss_name == "bce":
                run.accuracy.append(_correct([o[0] for o in outs], targets) / len(rows))
            if epoch in chosen:
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
                        batch_loss=value,
                        examples=records,
                        health=_health(records, activations),
                        surface=surface,
                    )
                )
            bar.update(1)
    finally:
        bar.close()
    return run


# ------------------------------------------------------------------------------ names
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
