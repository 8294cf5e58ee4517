"""Training: ``fit()`` runs forward, backward and update over (mini-)batches and keeps a history.

One graph per batch: the model's outputs for every row of the batch feed one loss node (the
batch mean), one ``backward()`` fills every parameter's gradient, one ``optimizer.step()``
updates them. Full batch by default; with ``batch_size`` the rows are shuffled each epoch by a
``random.Random(seed)``, so a run is reproducible.

How accuracy is decided (``decision=``, ``"auto"`` from the loss): see ``inference``.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import checks
from .compile.step import CompiledStep
from .compile.step import objective as training_objective
from .gcpolicy import gc_paused
from .inference import (
    DECISIONS,
    Model,
    _check_decision,
    _count_correct,
    _data,
    _plain,
    accuracy,
    classify,
    predict,
)
from .losses import LOSSES, LossFn, get_loss
from .optim import Checkpoint, Optimizer

__all__ = [
    "DECISIONS",
    "DivergedError",
    "History",
    "accuracy",
    "classify",
    "fit",
    "predict",
]


_AUTO_DECISION: dict[str, str | None] = {
    "bce": "prob",
    "bce_with_logits": "logit",
    "hinge": "sign",
    "cross_entropy": "argmax",
    "mse": None,
    "half_sse": None,
}


class DivergedError(FloatingPointError):
    """Training produced a NaN/infinite loss or parameter; the message names the epoch."""


@dataclass
class History:
    """What ``fit`` recorded, one entry per epoch.

    ``loss[e]`` is the mean over the epoch's batches (weighted by batch size) of the objective
    that was minimised (the loss plus the L2 term, if any), each batch measured on its forward
    pass, before its update. ``accuracy[e]`` is the fraction of rows classified right in those
    same forward passes (as micrograd's demo reports it); empty for regression.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    decision: str | None = None
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.loss)

    def __repr__(self) -> str:
        last = f", final loss {self.loss[-1]:.6g}" if self.loss else ""
        acc = f", final accuracy {self.accuracy[-1]:.2%}" if self.accuracy else ""
        return f"History({self.epochs} epochs{last}{acc}, {self.seconds:.2f} s)"


# --------------------------------------------------------------------------- fit
def _resolve_loss(loss: str | LossFn, decision: str | None) -> tuple[LossFn, str | None]:
    if isinstance(loss, str):
        fn = get_loss(loss)
        auto = _AUTO_DECISION.get(loss)
    elif callable(loss):
        fn = loss
        auto = None
    else:
        valid = ", ".join(repr(k) for k in LOSSES)
        raise TypeError(
            f"fit: loss must be a loss function or one of {valid}, got {type(loss).__name__}"
        )
    if decision == "auto":
        return fn, auto
    return fn, _check_decision(decision, "fit")


def _rows(X: object) -> list[list[float]]:
    """X as lists of floats (NumPy rows and scalars accepted), ragged or non-finite refused."""
    out = []
    for i, row in enumerate(checks.rows(X, "fit", "X")):
        out.append([checks.finite(v, "fit", f"X[{i}]") for v in row])
    return out


def _located(err: Exception, where: str) -> Exception:
    """``err`` with the epoch and batch in its message (same type), or with a note if it can't."""
    try:
        located = type(err)(f"fit: at {where}: {err}")
    except Exception:  # an exception type that needs other arguments: a note (3.11+) instead
        add_note = getattr(err, "add_note", None)
        if add_note is not None:
            add_note(f"fit: raised at {where}")
        return err
    return located


def _diverged(optimizer: Optimizer, last_good: Checkpoint, message: str) -> DivergedError:
    """Put the last good weights back, and the error to raise: one path for every divergence."""
    optimizer.restore(last_good)
    return DivergedError(f"{message}; the weights before it are kept (try a smaller learning rate)")


@contextmanager
def _attributed(where: str, optimizer: Optimizer, last_good: Checkpoint) -> Iterator[None]:
    """Errors inside name the epoch and batch; an overflow is a divergence (weights kept)."""
    try:
        yield
    except ArithmeticError as err:
        raise _diverged(optimizer, last_good, f"fit: training diverged at {where}: {err}") from err
    except Exception as err:
        located = _located(err, where)
        if located is err:
            raise
        raise located from err


def _check_parameters(optimizer: Optimizer, last_good: Checkpoint, where: str) -> None:
    """An update that made a parameter inf or NaN is a divergence: the last good weights return."""
    for p in optimizer.params:
        if not math.isfinite(p.data):
            name = f" {p.label!r}" if p.label else ""
            message = f"fit: parameter{name} became {p.data!r} in the update at {where}"
            raise _diverged(optimizer, last_good, message)


def fit(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[object],
    *,
    loss: str | LossFn,
    optimizer: Optimizer,
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int | None = 0,
    progress: bool = True,
    decision: str | None = "auto",
    l2: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    compile: bool = False,
) -> History:
    """Train ``model`` on rows X with targets y; return the per-epoch :class:`History`.

    ``loss`` is a loss function ``(predictions, targets) -> Value`` or the name of one in
    ``tinygrad_edu.losses`` ("mse", "half_sse", "bce", "bce_with_logits", "cross_entropy",
    "hinge"). ``optimizer`` holds the parameters to update. ``l2`` adds l2 · Σ p² over the
    optimizer's parameters to the loss (micrograd's demo uses 1e-4). ``lr_schedule(epoch)``,
    epoch counted from 0, sets ``optimizer.lr`` before each epoch. ``progress`` shows a tqdm
    bar with the current loss. X and y may be lists or NumPy arrays.

    A NaN or infinite loss, or a parameter that becomes one, stops training with a
    :class:`DivergedError` naming the epoch and batch, and the model keeps the weights it had
    before that batch (the optimizer's state too). Any other error from the model, the loss
    or the step says the epoch and batch it came from.

    ``compile=True`` replays one example's traced graph as float code over each batch
    (``tinygrad_edu.compile.CompiledStep``): the same losses and weights, bit for bit, faster.
    Each step runs with the cyclic garbage collector paused (its graph is freed before the
    collector is restored; see ``tinygrad_edu.gcpolicy``).

    >>> from tinygrad_edu.nn import Neuron
    >>> from tinygrad_edu.optim import SGD
    >>> n = Neuron(1, "linear", seed=0)
    >>> h = fit(n, [[0.0], [1.0]], [1.0, 3.0], loss="mse", optimizer=SGD(n.parameters(), 0.3),
    ...         epochs=300, progress=False)
    >>> round(n.w[0].data, 6), round(n.b.data, 6)
    (2.0, 1.0)
    """
    loss_fn, rule = _resolve_loss(loss, decision)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an Optimizer, got {type(optimizer).__name__}")
    rows = _rows(X)
    targets = [_plain(t) for t in checks.sequence(y, "fit", "y")]
    n = len(rows)
    if n != len(targets):
        raise ValueError(f"fit: {n} rows but {len(targets)} targets; the lengths must match")
    if n == 0:
        raise ValueError("fit: no training rows")
    epochs = checks.count(epochs, "fit", "epochs", minimum=1)
    size = n if batch_size is None else min(checks.count(batch_size, "fit", "batch_size", 1), n)
    l2 = checks.in_range(l2, "fit", "l2", 0.0)
    rng = random.Random(checks.seed(seed, "fit"))
    run = _Run(model, loss_fn, optimizer, l2, rule)
    if not isinstance(compile, bool):
        raise TypeError(f"fit: compile must be True or False, got {checks.show(compile)}")
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError(
            "fit: lr_schedule must be a function of the epoch (epoch -> learning rate) or "
            f"None, got {type(lr_schedule).__name__} {checks.show(lr_schedule)}"
        )
    if compile:
        run.compiled = CompiledStep(model, loss_fn, optimizer.params, l2=l2)
    order = list(range(n))
    history = History(decision=rule)

    from tqdm import tqdm  # a dependency, imported here to keep `import tinygrad_edu` light

    start = time.perf_counter()
    bar = tqdm(total=epochs, desc="fit", unit="epoch", disable=not progress)
    try:
        for epoch in range(epochs):
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)
            if batch_size is not None:
                rng.shuffle(order)
            total = 0.0
            correct = 0
            for b, lo in enumerate(range(0, n, size)):
                idx = order[lo : lo + size]
                where = f"epoch {epoch + 1} of {epochs}, batch {b + 1}"
                with gc_paused():  # the step's graph is freed inside: no collection walks it
                    value, right = run.batch(
                        [rows[i] for i in idx], [targets[i] for i in idx], where
                    )
                total += value * len(idx)
                correct += right
            history.loss.append(total / n)
            if rule is not None:
                history.accuracy.append(correct / n)
            bar.set_postfix(loss=f"{history.loss[-1]:.4g}", refresh=False)
            bar.update(1)
    finally:
        bar.close()
        history.seconds = time.perf_counter() - start
    return history


@dataclass
class _Run:
    """One training run's fixed parts; ``batch`` does forward, backward and update once."""

    model: Model
    loss_fn: LossFn
    optimizer: Optimizer
    l2: float
    rule: str | None
    compiled: CompiledStep | None = None  # fit(compile=True): the step replayed as code

    def batch(self, xb: list[list[float]], yb: list[object], where: str) -> tuple[float, int]:
        """(the batch's objective before its update, rows classified right)."""
        opt = self.optimizer
        last_good = opt.checkpoint()
        if self.compiled is not None:
            return self._compiled_batch(xb, yb, where, last_good)
        with _attributed(where, opt, last_good):  # an overflow in the forward pass diverges
            outs = [self.model(x) for x in xb]
            objective = training_objective(self.loss_fn, outs, yb, opt.params, self.l2)
        value = objective.data
        if not math.isfinite(value):
            raise _diverged(opt, last_good, f"fit: the loss became {value!r} at {where}")
        # an overflowing local derivative diverges; a bad scheduled lr names the batch
        with _attributed(where, opt, last_good):
            opt.zero_grad()
            objective.backward()
            opt.step()
        _check_parameters(opt, last_good, where)
        right = 0
        if self.rule is not None:
            right = _count_correct([_data(o) for o in outs], yb, self.rule, "fit")
        return value, right

    def _compiled_batch(
        self, xb: list[list[float]], yb: list[object], where: str, last_good: Checkpoint
    ) -> tuple[float, int]:
        """``batch`` through the compiled step: it fills the gradients; then the same checks."""
        assert self.compiled is not None
        opt = self.optimizer
        with _attributed(where, opt, last_good):
            value, outs = self.compiled.step(xb, yb)
        if not math.isfinite(value):
            raise _diverged(opt, last_good, f"fit: the loss became {value!r} at {where}")
        with _attributed(where, opt, last_good):
            opt.step()
        _check_parameters(opt, last_good, where)
        right = _count_correct(outs, yb, self.rule, "fit") if self.rule is not None else 0
        return value, right
