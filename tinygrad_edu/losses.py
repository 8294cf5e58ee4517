"""Loss functions, built from the engine's primitives (no derivative code of their own).

Every loss returns one scalar ``Value`` and averages over the batch (the 1/m of the delta
equations), so ``loss.backward()`` gives the mean gradient.

Shapes. A prediction is one example or a batch:

* a ``Value`` (or a number): one scalar example, with a number as its target;
* a flat list of Values: a batch of scalar examples (what a one-output model gives for each
  row of ``X``), with a list of numbers as targets;
* a list of lists of Values: a batch of vector examples, with a list of lists as targets (or
  a list of numbers when every vector has length 1).

:func:`cross_entropy` is the exception: its examples are vectors of logits, so a flat list is
*one* example and a list of lists a batch. Targets are plain numbers (class indices for
cross-entropy); they are constants, never differentiated.

Why these forms:

* sums and means are one n-ary ``vsum`` node each, not a chain of additions;
* ``bce`` clamps p to [ε, 1 − ε] (ε = 1e-12 by default), so log never sees 0; outside the clamp
  the gradient is 0, as the loss is flat there (at most −ln ε ≈ 27.6);
* ``bce_with_logits`` writes −[y log σ(z) + (1 − y) log(1 − σ(z))] as
  (1 − y)·softplus(z) + y·softplus(−z): two non-negative terms, no exp of a large number and no
  cancellation, so it is exact at logits of ±1000; ∂/∂z = σ(z) − y;
* ``softmax``/``log_softmax`` subtract the largest logit first (log-sum-exp), so exp never
  overflows; ∂(cross-entropy)/∂zₖ = pₖ − yₖ.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

from . import checks
from .engine import Value
from .nary import vsum

Scalar = Value | float | int
Prediction = Scalar | Sequence[Scalar | Sequence[Scalar]]
Number = float | int
Target = Number | Sequence[Number | Sequence[Number]]
LossFn = Callable[..., Value]

__all__ = [
    "LOSSES",
    "LossFn",
    "bce",
    "bce_with_logits",
    "cross_entropy",
    "get_loss",
    "half_sse",
    "hinge",
    "log_softmax",
    "mse",
    "softmax",
]


# --------------------------------------------------------------------------- shapes
def _is_scalar(x: object) -> bool:
    return isinstance(x, Value) or checks.is_real(x)


def _as_value(x: object, where: str) -> Value:
    if isinstance(x, Value):
        return x
    return Value(checks.real(x, where, "a prediction"))


def _target_number(t: object, where: str) -> float:
    return checks.finite(t, where, "a target")


def _is_sequence(x: object) -> bool:
    if isinstance(x, Sequence):
        return not isinstance(x, (str, bytes))
    return hasattr(x, "tolist") and hasattr(x, "__len__")  # a NumPy array


def _check_not_ragged(batch: Sequence[object], noun: str, where: str) -> None:
    """A batch whose examples are vectors must have one length; the first other one is named."""
    lengths = [len(e) if _is_sequence(e) else None for e in batch]  # type: ignore[arg-type]
    if all(n is None for n in lengths):
        return
    first = lengths[0]
    for i, n in enumerate(lengths):
        if n != first:

            def size(k: int | None) -> str:
                if k is None:
                    return "a single number"
                return f"{k} entry" if k == 1 else f"{k} entries"

            raise ValueError(
                f"{where}: the batch is ragged: {noun} {i} has {size(n)} but {noun} 0 has "
                f"{size(first)}"
            )


def _batch_targets(target: object, n: int, noun: str, where: str) -> Sequence[object]:
    """``target`` as a list of ``n`` targets for a batch of ``n`` ``noun``, or a ValueError.

    A single number is the target of a batch of one (``mse(model(x), y)`` with a
    one-output model): both readings of it give the same loss.
    """
    if n == 1 and _is_scalar(target) and not isinstance(target, Value):
        return [target]
    if not _is_sequence(target):
        raise ValueError(
            f"{where}: a batch of {n} {noun} needs a list of {n} targets, got {checks.show(target)}"
        )
    targets: Sequence[object] = checks.sequence(target, where, "the targets")
    if len(targets) != n:
        raise ValueError(f"{where}: {n} {noun} but {len(targets)} targets; the lengths must match")
    return targets


def _pairs(pred: object, target: object, where: str) -> tuple[list[tuple[Value, float]], int]:
    """(prediction, target) for every element, and the number of examples m."""
    if _is_scalar(pred):
        t = target
        if _is_sequence(t) and len(t) == 1:  # type: ignore[arg-type]
            t = t[0]  # type: ignore[index]
        if not _is_scalar(t) or isinstance(t, Value):
            raise ValueError(
                f"{where}: one scalar prediction needs one number as target, got {t!r}"
            )
        return [(_as_value(pred, where), _target_number(t, where))], 1
    if not _is_sequence(pred):
        raise TypeError(
            f"{where}: expected a Value, a list of Values or a list of lists, "
            f"got {type(pred).__name__}"
        )
    batch: Sequence[object] = checks.sequence(pred, where, "the predictions")
    if len(batch) == 0:
        raise ValueError(f"{where}: the batch is empty")
    _check_not_ragged(batch, "example", where)
    targets = _batch_targets(target, len(batch), "predictions", where)
    pairs: list[tuple[Value, float]] = []
    for i, (p, t) in enumerate(zip(batch, targets)):
        if _is_scalar(p):
            p = [p]
        elif not _is_sequence(p) or len(p) == 0:  # type: ignore[arg-type]
            checks.real(p, where, f"example {i} (a prediction)")  # names a bool or a string
            raise TypeError(
                f"{where}: example {i} must be a Value or a non-empty list of Values, "
                f"got {checks.show(p)}"
            )
        row: Sequence[object] = p  # type: ignore[assignment]
        if _is_scalar(t):
            t = [t]
        elif not _is_sequence(t):
            _target_number(t, where)  # a named TypeError for a bool, a string, None
        if not _is_sequence(t) or len(t) != len(row):  # type: ignore[arg-type]
            raise ValueError(
                f"{where}: example {i} has {len(row)} outputs but its target is {checks.show(t)}"
            )
        for pk, tk in zip(row, t):  # type: ignore[call-overload]
            if _is_sequence(pk):
                raise TypeError(f"{where}: example {i} is nested more than two levels deep")
            pairs.append((_as_value(pk, where), _target_number(tk, where)))
    return pairs, len(batch)


def _mean(terms: list[Value], count: int) -> Value:
    total = vsum(terms)
    return total if count == 1 else total * (1.0 / count)


# --------------------------------------------------------------------------- regression
def _squared_errors(pairs: list[tuple[Value, float]]) -> list[Value]:
    return [(p if t == 0.0 else p + (-t)) ** 2 for p, t in pairs]


def mse(pred: Prediction, target: Target) -> Value:
    """Mean squared error over every element of the batch: (1/N) Σ (ŷ − y)².

    ∂/∂ŷ = 2(ŷ − y)/N. For a batch of vectors this is the mean over examples and outputs.

    >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    pairs, _ = _pairs(pred, target, "mse")
    return _mean(_squared_errors(pairs), len(pairs))


def half_sse(pred: Prediction, target: Target) -> Value:
    """½ Σₖ (yₖ − ŷₖ)² per example, then the mean over the batch: the delta equations' loss.

    For one example ∂/∂ŷ = ŷ − y (the ½ cancels the 2). A flat list is a batch of scalar
    examples; give one vector example as a batch of one, ``[[ŷ₁, ŷ₂]]``.

    >>> half_sse([[Value(1.0), Value(3.0)]], [[0.0, 1.0]]).data
    2.5
    """
    pairs, m = _pairs(pred, target, "half_sse")
    return vsum(_squared_errors(pairs)) * (0.5 / m)


# --------------------------------------------------------------------------- binary
def bce(prob: Prediction, target: Target, eps: float = 1e-12) -> Value:
    """Binary cross-entropy on probabilities, the mean of −[y log p + (1 − y) log(1 − p)].

    p is clamped to [eps, 1 − eps] so log never sees 0. Probabilities must lie in [0, 1]
    (use :func:`bce_with_logits` for raw scores); targets in [0, 1] (soft labels allowed).

    >>> round(bce([Value(0.5), Value(0.9)], [1, 1]).data, 6)  # (ln 2 + ln(1/0.9)) / 2
    0.399254
    """
    eps = checks.in_range(eps, "bce", "eps", 0.0, 0.5, low_open=True, high_open=True)
    pairs, _ = _pairs(prob, target, "bce")
    lo, hi = eps, 1.0 - eps
    terms: list[Value] = []
    for p, y in pairs:
        if not 0.0 <= p.data <= 1.0 and p.data == p.data:  # NaN passes: fit() reports it
            raise ValueError(
                f"bce: probabilities must be in [0, 1], got {p.data!r} "
                "(for logits use bce_with_logits)"
            )
        _check_unit(y, "bce")
        c = p.clamp(lo, hi)
        # log(1 − c) as log1p(−c): accurate when c is tiny, and one node fewer
        if y != 0.0:
            terms.append(c.log() if y == 1.0 else c.log() * y)
        if y != 1.0:
            terms.append((-c).log1p() if y == 0.0 else (-c).log1p() * (1.0 - y))
    return vsum(terms) * (-1.0 / len(pairs))


def bce_with_logits(logit: Prediction, target: Target) -> Value:
    """Binary cross-entropy on logits z, computed stably: the mean of
    (1 − y)·softplus(z) + y·softplus(−z), which equals −[y log σ(z) + (1 − y) log(1 − σ(z))].

    ∂/∂z = σ(z) − y for one example. Finite for any finite logit.

    >>> round(bce_with_logits(Value(0.0), 1).data, 6)  # ln 2
    0.693147
    """
    pairs, _ = _pairs(logit, target, "bce_with_logits")
    terms: list[Value] = []
    for z, y in pairs:
        _check_unit(y, "bce_with_logits")
        if y != 1.0:
            terms.append(z.softplus() if y == 0.0 else z.softplus() * (1.0 - y))
        if y != 0.0:
            terms.append((-z).softplus() if y == 1.0 else (-z).softplus() * y)
    return _mean(terms, len(pairs))


def _check_unit(y: float, where: str) -> None:
    if not 0.0 <= y <= 1.0:
        raise ValueError(f"{where}: targets must be in [0, 1], got {y!r}")


def hinge(score: Prediction, target: Target) -> Value:
    """The max-margin loss of micrograd's demo: the mean of relu(1 − y·s), targets y = ±1.

    ∂/∂s = −y where y·s < 1, else 0.

    >>> hinge([Value(0.5), Value(2.0)], [1, -1]).data  # (0.5 + 3) / 2
    1.75
    """
    pairs, _ = _pairs(score, target, "hinge")
    terms: list[Value] = []
    for s, y in pairs:
        if y not in (1.0, -1.0):
            raise ValueError(f"hinge: targets must be +1 or -1, got {y!r} (map 0/1 labels to ±1)")
        terms.append((s * -y + 1.0).relu())
    return _mean(terms, len(pairs))


# --------------------------------------------------------------------------- softmax
def _logit_vector(logits: object, where: str) -> list[Value]:
    if not _is_sequence(logits):
        raise TypeError(f"{where}: expected a list of logits, got {type(logits).__name__}")
    zs = [_as_value(z, where) for z in checks.sequence(logits, where, "the logits")]
    if not zs:
        raise ValueError(f"{where}: expected at least one logit, got none")
    return zs


def _shifted_exps(zs: list[Value]) -> tuple[list[Value], list[Value], Value]:
    """(zₖ − M, e^(zₖ − M), Σ e^(zⱼ − M)) with M = max z: every exponent is ≤ 0.

    M is a constant: it cancels in softmax and log-sum-exp, so no gradient flows through it.
    """
    top = max(z.data for z in zs)
    shifted = [z + (-top) for z in zs] if top != 0.0 else list(zs)
    exps = [s.exp() for s in shifted]
    return shifted, exps, vsum(exps)


def softmax(logits: Sequence[Scalar]) -> list[Value]:
    """pₖ = e^(zₖ) / Σⱼ e^(zⱼ), computed as e^(zₖ − M) / Σⱼ e^(zⱼ − M) with M = max z.

    >>> [round(p.data, 6) for p in softmax([0.0, 0.0, 1000.0])]
    [0.0, 0.0, 1.0]
    """
    _, exps, total = _shifted_exps(_logit_vector(logits, "softmax"))
    inverse = total**-1  # one reciprocal node shared by every output
    return [e * inverse for e in exps]


def log_softmax(logits: Sequence[Scalar]) -> list[Value]:
    """log pₖ = zₖ − log Σⱼ e^(zⱼ) = (zₖ − M) − log Σⱼ e^(zⱼ − M) (log-sum-exp).

    >>> [round(p.data, 6) for p in log_softmax([0.0, 0.0])]
    [-0.693147, -0.693147]
    """
    shifted, _, total = _shifted_exps(_logit_vector(logits, "log_softmax"))
    minus_log_total = -total.log()
    return [s + minus_log_total for s in shifted]


def _class_loss(zs: list[Value], t: object, where: str) -> Value:
    """−Σₖ yₖ log softmax(z)ₖ for one example; t a class index or a list of yₖ."""
    shifted, _, total = _shifted_exps(zs)
    n = len(zs)
    if checks.is_real(t) and isinstance(t, numbers.Integral):
        c = int(t)
        if not 0 <= c < n:
            raise ValueError(f"{where}: class index {c} out of range for {n} classes")
        return total.log() + -shifted[c]  # log Σ e^(zⱼ − M) − (z_c − M)
    if not _is_sequence(t):
        raise TypeError(
            f"{where}: a target must be a class index (int) or a list of {n} probabilities, "
            f"got {type(t).__name__} ({t!r})"
        )
    ys = [_target_number(y, where) for y in checks.sequence(t, where, "a target")]
    if len(ys) != n:
        raise ValueError(f"{where}: {n} logits but a target of {len(ys)} probabilities")
    if any(y < 0.0 for y in ys):
        raise ValueError(f"{where}: target probabilities must be ≥ 0, got {ys!r}")
    # Σₖ yₖ (log Σ − (zₖ − M)) = (Σ y) log Σ − Σₖ yₖ (zₖ − M)
    weight = math.fsum(ys)
    log_total = total.log()
    terms = [log_total if weight == 1.0 else log_total * weight]
    terms += [s * -y for s, y in zip(shifted, ys) if y != 0.0]
    return vsum(terms)


def cross_entropy(logits: Prediction, target: Target) -> Value:
    """Softmax + categorical cross-entropy on logits: the mean of −Σₖ yₖ log softmax(z)ₖ.

    ``logits`` is one example (a list of logits) or a batch (a list of lists); each target a
    class index or a one-hot/probability list. ∂/∂zₖ = pₖ − yₖ for one example.

    >>> round(cross_entropy([0.0, 0.0], 1).data, 6)  # ln 2
    0.693147
    """
    where = "cross_entropy"
    if not _is_sequence(logits):
        raise TypeError(
            f"{where}: expected a list of logits or a batch of them, got {type(logits).__name__}"
        )
    rows: Sequence[object] = checks.sequence(logits, where, "the logits")
    if len(rows) == 0:
        raise ValueError(f"{where}: expected at least one logit, got none")
    if all(_is_scalar(z) for z in rows):
        return _class_loss(_logit_vector(rows, where), target, where)
    _check_not_ragged(rows, "example", where)
    targets = _batch_targets(target, len(rows), "examples", where)
    losses = [_class_loss(_logit_vector(z, where), t, where) for z, t in zip(rows, targets)]
    return _mean(losses, len(losses))


# --------------------------------------------------------------------------- by name
LOSSES: dict[str, LossFn] = {
    "mse": mse,
    "half_sse": half_sse,
    "bce": bce,
    "bce_with_logits": bce_with_logits,
    "cross_entropy": cross_entropy,
    "hinge": hinge,
}


def get_loss(name: str) -> LossFn:
    """The loss function called ``name``; a ValueError listing the valid names otherwise.

    >>> get_loss("mse") is mse
    True
    """
    if name not in LOSSES:
        valid = ", ".join(repr(k) for k in LOSSES)
        raise ValueError(f"unknown loss {name!r}; choose one of {valid}")
    return LOSSES[name]
