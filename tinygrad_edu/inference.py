"""Inference: a trained model's outputs (``predict``), labels (``classify``) and ``accuracy``.

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
import numbers
from collections.abc import Callable, Sequence

from . import checks
from .engine import Value, no_grad

__all__ = ["DECISIONS", "accuracy", "classify", "predict"]

Model = Callable[[Sequence[float]], "Value | list[Value]"]
Output = float | list[float]

DECISIONS = ("prob", "logit", "sign", "argmax")


# --------------------------------------------------------------------------- decisions
def _check_decision(decision: str | None, where: str) -> str | None:
    if decision is not None and (not isinstance(decision, str) or decision not in DECISIONS):
        valid = ", ".join(repr(d) for d in DECISIONS)
        raise ValueError(
            f"{where}: unknown decision {checks.show(decision)}; choose one of {valid} or None"
        )
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


def _target_label(target: object, decision: str, where: str) -> int:
    if decision == "argmax":
        if checks.is_real(target) and isinstance(target, numbers.Integral):
            return int(target)
        if isinstance(target, Sequence) and not isinstance(target, str):
            return _argmax([checks.finite(t, where, "a one-hot target") for t in target])
        raise ValueError(
            f"{where}: decision 'argmax' needs class indices or one-hot targets, "
            f"got {checks.show(target)}"
        )
    if isinstance(target, Sequence) and len(target) == 1:
        target = target[0]
    t = checks.finite(target, where, "a target")  # NaN would count as class 0
    if decision == "sign":
        return 1 if t > 0 else -1
    return 1 if t >= 0.5 else 0


def _data(out: Value | list[Value]) -> Output:
    return [v.data for v in out] if isinstance(out, list) else out.data


def _count_correct(
    outs: Sequence[Output], targets: Sequence[object], decision: str, where: str = "accuracy"
) -> int:
    correct = 0
    for i, (o, t) in enumerate(zip(outs, targets)):
        target = _target_label(t, decision, where)
        values = o if isinstance(o, list) else [o]
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"{where}: the model's output for row {i} is {checks.show(o)}")
        if decision == "argmax" and isinstance(o, list) and not 0 <= target < len(o):
            raise ValueError(f"{where}: class index {target} is out of range for {len(o)} outputs")
        correct += _predicted_label(o, decision) == target
    return correct


def _plain(target: object) -> object:
    """A target with NumPy scalars and arrays turned into Python ints, floats and lists."""
    if checks.is_real(target):
        if isinstance(target, numbers.Integral):
            return int(target)
        return checks.real(target, "fit", "a target")
    if hasattr(target, "tolist") and hasattr(target, "__len__"):  # a NumPy row
        return [_plain(t) for t in target]  # type: ignore[attr-defined]
    return target


# --------------------------------------------------------------------------- inference
def predict(model: Model, X: Sequence[Sequence[float]]) -> list[Output]:
    """The model's output for every row of X, as floats (a list per row for vector outputs).

    Runs under ``no_grad()``: no graph is recorded.

    >>> from tinygrad_edu.nn import Neuron
    >>> n = Neuron(1, "linear", seed=0); n.w[0].data = 2.0
    >>> predict(n, [[1.0], [3.0]])
    [2.0, 6.0]
    """
    rows = checks.rows(X, "predict", "X")
    with no_grad():
        return [_data(model(x)) for x in rows]


def classify(model: Model, X: Sequence[Sequence[float]], decision: str) -> list[int]:
    """The predicted label of every row of X under ``decision`` (see the module docstring)."""
    _check_decision(decision, "classify")
    return [_predicted_label(o, decision) for o in predict(model, X)]


def accuracy(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[object], decision: str
) -> float:
    """The fraction of rows whose predicted label equals the target's label (under no_grad).

    A NaN target, or a NaN output, is an error: it has no label.

    >>> from tinygrad_edu.nn import Neuron
    >>> n = Neuron(1, "linear", seed=0); n.w[0].data = 1.0
    >>> accuracy(n, [[-2.0], [3.0], [1.0]], [-1, 1, -1], "sign")
    0.6666666666666666
    """
    _check_decision(decision, "accuracy")
    rows = checks.rows(X, "accuracy", "X")
    targets = checks.sequence(y, "accuracy", "y")
    if len(rows) != len(targets):
        raise ValueError(
            f"accuracy: {len(rows)} rows but {len(targets)} targets; the lengths must match"
        )
    if len(rows) == 0:
        raise ValueError("accuracy: no rows")
    return _count_correct(predict(model, rows), targets, decision) / len(rows)
