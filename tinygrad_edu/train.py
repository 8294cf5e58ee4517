"""Training: ``fit()`` runs forward, backward and update over (mini-)batches and keeps a history.

One graph per batch: the model's outputs for every row of the batch feed one loss node (the
batch mean), one ``backward()`` fills every parameter's gradient, one ``optimizer.step()``
updates them. Full batch by default; with ``batch_size`` the rows are shuffled each epoch by a
``random.Random(seed)``, so a run is reproducible.

How classification accuracy is decided (``decision=``): each prediction becomes a label and is
compared with the target's label.

=========  ============================  ====================  ======================
decision   predicted label               target label          ``"auto"`` for loss
=========  ============================  ====================  ======================
"prob"     1 if p ≥ 0.5 else 0           1 if y ≥ 0.5 else 0   "bce"
"logit"    1 if z ≥ 0 else 0 (σ(z)≥½)    1 if y ≥ 0.5 else 0   "bce_with_logits"
"sign"     +1 if s > 0 else −1           +1 if y > 0 else −1   "hinge" (micrograd's)
"argmax"   index of the largest output   the class index, or   "cross_entropy"
                                         argmax of a one-hot
=========  ============================  ====================  ======================

``"mse"``, ``"half_sse"`` and loss functions passed as callables are treated as regression (no
accuracy) unless ``decision`` names a rule.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .engine import Value, no_grad, vsum
from .losses import LOSSES, LossFn, get_loss
from .optim import Optimizer

__all__ = [
    "DECISIONS",
    "DivergedError",
    "History",
    "accuracy",
    "classify",
    "fit",
    "predict",
]

Model = Callable[[Sequence[float]], "Value | list[Value]"]
Output = float | list[float]

DECISIONS = ("prob", "logit", "sign", "argmax")
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


# --------------------------------------------------------------------------- decisions
def _check_decision(decision: str | None, where: str) -> str | None:
    if decision is not None and decision not in DECISIONS:
        valid = ", ".join(repr(d) for d in DECISIONS)
        raise ValueError(f"{where}: unknown decision {decision!r}; choose one of {valid} or None")
    return decision


def _scalar(out: Output, decision: str) -> float:
    if isinstance(out, list):
        if len(out) != 1:
            raise ValueError(
                f"decision {decision!r} needs one output per example, got {len(out)} "
                "(use 'argmax' for several classes)"
            )
        return out[0]
    return out


def _argmax(values: Sequence[float]) -> int:
    best = 0
    for i, v in enumerate(values):
        if v > values[best]:
            best = i
    return best


def _predicted_label(out: Output, decision: str) -> int:
    if decision == "argmax":
        if not isinstance(out, list):
            raise ValueError("decision 'argmax' needs a vector of outputs per example")
        return _argmax(out)
    s = _scalar(out, decision)
    if decision == "prob":
        return 1 if s >= 0.5 else 0
    if decision == "logit":
        return 1 if s >= 0.0 else 0
    return 1 if s > 0.0 else -1  # "sign"


def _target_label(target: object, decision: str) -> int:
    if decision == "argmax":
        if isinstance(target, int) and not isinstance(target, bool):
            return target
        if isinstance(target, Sequence):
            return _argmax([float(t) for t in target])
        raise ValueError(
            f"decision 'argmax' needs class indices or one-hot targets, got {target!r}"
        )
    if isinstance(target, Sequence) and len(target) == 1:
        target = target[0]
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        raise ValueError(f"decision {decision!r} needs numeric targets, got {target!r}")
    if decision == "sign":
        return 1 if target > 0 else -1
    return 1 if target >= 0.5 else 0


def _data(out: Value | list[Value]) -> Output:
    return [v.data for v in out] if isinstance(out, list) else out.data


def _count_correct(outs: Sequence[Output], targets: Sequence[object], decision: str) -> int:
    correct = 0
    for o, t in zip(outs, targets):
        target = _target_label(t, decision)
        if decision == "argmax" and isinstance(o, list) and not 0 <= target < len(o):
            raise ValueError(f"accuracy: class index {target} is out of range for {len(o)} outputs")
        correct += _predicted_label(o, decision) == target
    return correct


# --------------------------------------------------------------------------- inference
def predict(model: Model, X: Sequence[Sequence[float]]) -> list[Output]:
    """The model's output for every row of X, as floats (a list per row for vector outputs).

    Runs under ``no_grad()``: no graph is recorded.
    """
    with no_grad():
        return [_data(model(x)) for x in X]


def classify(model: Model, X: Sequence[Sequence[float]], decision: str) -> list[int]:
    """The predicted label of every row of X under ``decision`` (see the module docstring)."""
    _check_decision(decision, "classify")
    return [_predicted_label(o, decision) for o in predict(model, X)]


def accuracy(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[object], decision: str
) -> float:
    """The fraction of rows whose predicted label equals the target's label (under no_grad)."""
    _check_decision(decision, "accuracy")
    if len(X) != len(y):
        raise ValueError(f"accuracy: {len(X)} rows but {len(y)} targets; the lengths must match")
    if len(X) == 0:
        raise ValueError("accuracy: no rows")
    return _count_correct(predict(model, X), y, decision) / len(X)


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


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"fit: {name} must be an int ≥ 1, got {value!r}")
    return value


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
) -> History:
    """Train ``model`` on rows X with targets y; return the per-epoch :class:`History`.

    ``loss`` is a loss function ``(predictions, targets) -> Value`` or the name of one in
    ``tinygrad_edu.losses`` ("mse", "half_sse", "bce", "bce_with_logits", "cross_entropy",
    "hinge"). ``optimizer`` holds the parameters to update. ``l2`` adds l2 · Σ p² over the
    optimizer's parameters to the loss (micrograd's demo uses 1e-4). ``lr_schedule(epoch)``,
    epoch counted from 0, sets ``optimizer.lr`` before each epoch. ``progress`` shows a tqdm
    bar with the current loss. A NaN or infinite loss, or a parameter that becomes one, stops
    training with a :class:`DivergedError` naming the epoch and batch.
    """
    loss_fn, rule = _resolve_loss(loss, decision)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an Optimizer, got {type(optimizer).__name__}")
    n = len(X)
    if n != len(y):
        raise ValueError(f"fit: {n} rows but {len(y)} targets; the lengths must match")
    if n == 0:
        raise ValueError("fit: no training rows")
    epochs = _check_count(epochs, "epochs")
    size = n if batch_size is None else min(_check_count(batch_size, "batch_size"), n)
    if isinstance(l2, bool) or not isinstance(l2, (int, float)) or not 0.0 <= l2 < math.inf:
        raise ValueError(f"fit: l2 must be a finite number ≥ 0, got {l2!r}")
    params = optimizer.params
    rng = random.Random(seed)
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
                xb = [X[i] for i in idx]
                yb = [y[i] for i in idx]
                where = f"epoch {epoch + 1} of {epochs}, batch {b + 1}"
                try:
                    outs = [model(x) for x in xb]
                    objective = loss_fn(outs, yb)
                    if l2:
                        objective = objective + l2 * vsum([p * p for p in params])
                except ArithmeticError as err:  # an overflow in the forward pass
                    raise DivergedError(
                        f"fit: training diverged at {where}: {err} (try a smaller learning rate)"
                    ) from err
                value = objective.data
                if not math.isfinite(value):
                    raise DivergedError(
                        f"fit: the loss became {value!r} at {where}; stopped before updating "
                        "on it (try a smaller learning rate)"
                    )
                optimizer.zero_grad()
                objective.backward()
                optimizer.step()
                for p in params:
                    if not math.isfinite(p.data):
                        name = f" {p.label!r}" if p.label else ""
                        raise DivergedError(
                            f"fit: parameter{name} became {p.data!r} in the update at {where} "
                            "(try a smaller learning rate)"
                        )
                total += value * len(idx)
                if rule is not None:
                    correct += _count_correct([_data(o) for o in outs], yb, rule)
            history.loss.append(total / n)
            if rule is not None:
                history.accuracy.append(correct / n)
            bar.set_postfix(loss=f"{history.loss[-1]:.4g}", refresh=False)
            bar.update(1)
    finally:
        bar.close()
        history.seconds = time.perf_counter() - start
    return history
