"""check_delta: a learner's delta equations against the engine, parameter by parameter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import checks, manual
from .report import Report, Wrong, fmt

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    from ..nn import MLP

    Array = NDArray[np.float64]
    Grads = list[tuple[Array, Array]]

DELTA_RTOL = 1e-8
TOLERANCE = (
    f"|got − engine| ≤ {DELTA_RTOL:g}·max(1, |engine|) for every dW and db entry "
    "(engine: backward() on the same loss)"
)
_SHAPE_WORDS = ("matmul", "shape", "broadcast", "aligned", "dimension")


def _sig(x: Array) -> Array:
    import numpy as np

    out: Array = 1.0 / (1.0 + np.exp(-x))
    return out


_AT_A: dict[str, Callable[[Array, Array], Array]] = {
    "sigmoid": lambda z, a: _sig(a) * (1.0 - _sig(a)),
    "tanh": lambda z, a: 1.0 - __import__("numpy").tanh(a) ** 2,
}


def _pairs(b: manual.Backward) -> Grads:
    return list(zip(b.dW, b.db))


def _candidates(cache: manual.ForwardCache, Y: Array, loss: str, m: int) -> list[tuple[str, Grads]]:
    """The delta equations with each catalogued mistake applied."""
    right = manual.backward(cache, Y, loss)
    out: list[tuple[str, Grads]] = [
        ("missing-1-over-m", [(m * W, m * b) for W, b in _pairs(right)])
    ]
    used = {k: f for k, f in _AT_A.items() if k in cache.activations[:-1]}
    if used:
        out.append(
            (
                "sigma-prime-of-a",
                _pairs(manual.backward(cache, Y, loss, activation_derivatives=used)),
            )
        )
    if loss == "bce" and cache.activations[-1] == "sigmoid":
        out.append(("wrong-output-delta", _pairs(manual.backward(cache, Y, "half_sse"))))
    flipped = [(W.T if W.shape[0] == W.shape[1] else W, b) for W, b in cache.weights]
    if any(W.shape[0] == W.shape[1] for W, _ in cache.weights[1:]):
        swapped = manual.ForwardCache(flipped, cache.activations, cache.z, cache.a)
        out.append(("missing-transpose", _pairs(manual.backward(swapped, Y, loss))))
    return out


def _close(got: float, want: float) -> bool:
    return abs(got - want) <= DELTA_RTOL * max(1.0, abs(want))


def _entries(grads: Grads, layers: Sequence[int]) -> list[tuple[str, float, tuple[int, ...]]]:
    """(name, value, key) for the entries of the given layers, output side first."""
    out: list[tuple[str, float, tuple[int, ...]]] = []
    for i in layers:
        W, b = grads[i]
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                out.append(
                    (f"layer {i + 1} (layers.{i}) dW[{j},{k}]", float(W[j, k]), (i, 0, j, k))
                )
        for j in range(b.shape[0]):
            out.append((f"layer {i + 1} (layers.{i}) db[{j}]", float(b[j]), (i, 1, j)))
    return out


def _matches(a: Grads, b: Grads, layers: Sequence[int]) -> bool:
    return all(
        _close(x, y) for (_, x, _), (_, y, _) in zip(_entries(a, layers), _entries(b, layers))
    )


def _as_grads(raw: object, want: Grads) -> tuple[Grads | None, str]:
    """The learner's result as float arrays shaped like ``want``, or None and what is wrong."""
    import numpy as np

    try:
        items = list(raw) if not isinstance(raw, (str, bytes)) else None  # type: ignore[call-overload]
    except TypeError:
        items = None
    if raw is None or items is None or len(items) != len(want):
        return (
            None,
            f"return one (dW, db) pair per layer ({len(want)} pairs), got {checks.show(raw)}",
        )
    out: Grads = []
    for i, (pair, (W, b)) in enumerate(zip(items, want)):
        try:
            dW, db = pair
            dW_a = np.asarray(dW, dtype=np.float64)
            db_a = np.asarray(db, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            return None, f"layers.{i}: expected a pair (dW, db) of numbers, got {checks.show(pair)}"
        if dW_a.shape != W.shape or db_a.shape != b.shape:
            return None, (
                f"layers.{i}: dW must have shape {W.shape} (nₗ × nₗ₋₁) and db {b.shape}, got "
                f"{dW_a.shape} and {db_a.shape}"
            )
        out.append((dW_a, db_a))
    return out, ""


def check_delta(
    my_backprop: Callable[..., Any],
    model: MLP,
    X: ArrayLike,
    y: ArrayLike,
    loss: str = "bce",
) -> Report:
    """Check ``my_backprop(weights, X, Y) -> [(dW, db), ...]`` against the engine's gradients.

    ``weights`` is the model's list of (Wˡ, bˡ) float arrays (Wˡ is nₗ × nₗ₋₁), ``X`` the
    m × n₀ batch and ``Y`` the m × n_L targets; the loss is averaged over the batch. The first
    wrong entry is named, looking from the output layer back, and the likely mistake.

    >>> from tinygrad_edu.nn import MLP
    >>> net = MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=0)
    >>> def mine(weights, X, Y):
    ...     (W, b), = weights
    ...     a = 1 / (1 + __import__("numpy").exp(-(X @ W.T + b)))
    ...     d = (a - Y) / len(X)
    ...     return [(d.T @ X, d.sum(axis=0))]
    >>> check_delta(mine, net, [[0.5], [1.0]], [0, 1]).ok
    True
    """
    import numpy as np

    if not callable(my_backprop):
        raise TypeError(
            f"check_delta: my_backprop must be a function, got {checks.show(my_backprop)}"
        )
    name = checks.one_of(loss, "check_delta", "loss", manual.LOSSES)
    weights, acts = manual.weights_from(model)
    report = manual.crosscheck(model, X, y, loss=name, numerical=False, with_torch=False)
    cache = report.cache
    assert cache is not None
    m = int(cache.a[0].shape[0])
    Y = manual.targets_matrix(y, name, m, int(cache.output.shape[1]))
    want: Grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in weights]
    for row in report.rows:
        # names are layers.i.neurons.j.w.k or layers.i.neurons.j.b, in the model's order
        parts = row.name.split(".")
        i, j = int(parts[1]), int(parts[3])
        if parts[4] == "w":
            want[i][0][j, int(parts[5])] = row.engine
        else:
            want[i][1][j] = row.engine
    title = f"check_delta ({name}, {len(weights)} layers, m = {m})"
    sizes = " → ".join([str(weights[0][0].shape[1]), *(str(W.shape[0]) for W, _ in weights)])
    checked = (f"network [{sizes}], activations {', '.join(acts)}", report.output_rule)
    copies = [(W.copy(), b.copy()) for W, b in weights]
    try:
        raw = my_backprop(copies, cache.a[0].copy(), Y.copy())
    except Exception as err:  # the learner's code: any error is their answer
        code = "missing-transpose" if any(w in str(err).lower() for w in _SHAPE_WORDS) else None
        hint = f"Your backprop raised {type(err).__name__}: {err}."
        if code:
            hint += " A shape mismatch there usually means a missing transpose: δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹."
        return Report(title, False, TOLERANCE, checked, None, code, hint, 1)
    got, problem = _as_grads(raw, want)
    if got is None:
        transposed = "shape" in problem and _transposed(raw, want)
        code = "missing-transpose" if transposed else ("missing-answer" if raw is None else None)
        hint = f"Your backprop should {problem}." if problem.startswith("return") else problem + "."
        if transposed:
            hint += " ∂L/∂W = δ aᵀ is nₗ × nₗ₋₁: transpose it."
        return Report(title, False, TOLERANCE, checked, None, code, hint, 1)
    layers = list(range(len(want) - 1, -1, -1))
    wrong = [
        (n, w, g)
        for (n, w, _), (_, g, _) in zip(_entries(want, layers), _entries(got, layers))
        if not _close(g, w)
    ]
    if not wrong:
        return Report(title, True, TOLERANCE, checked)
    where, w, g = wrong[0]
    first_layer = int(where.split()[1]) - 1
    cands = _candidates(cache, Y, name, m)
    code = next((c for c, pred in cands if _matches(got, pred, layers)), None)
    if code is None:
        code = next((c for c, pred in cands if _matches(got, pred, [first_layer])), None)
    hint = f"{where} should be {fmt(w)} but yours is {fmt(g)}"
    hint += f" (ratio {fmt(g / w)})." if w != 0.0 else "."
    hint += " " + _ADVICE.get(code or "", "")
    if code == "missing-1-over-m":
        hint = f"{where} should be {fmt(w)} but yours is {fmt(g)}, {m} = m times too big. "
        hint += _ADVICE[code]
    return Report(
        title, False, TOLERANCE, checked, Wrong(where, w, g), code, hint.strip(), len(wrong)
    )


def _transposed(raw: Any, want: Grads) -> bool:
    import numpy as np

    try:
        return any(np.asarray(p[0]).shape == W.T.shape != W.shape for p, (W, _) in zip(raw, want))
    except (TypeError, IndexError, ValueError):
        return False


_ADVICE = {
    "missing-1-over-m": "The batch loss is the mean, so divide the sums by m.",
    "sigma-prime-of-a": "σ′ takes the pre-activation: σ′(z) = σ(z)(1 − σ(z)) = a(1 − a).",
    "wrong-output-delta": "For sigmoid + BCE, σ′ cancels: δᴸ = a − y, without another σ′.",
    "missing-transpose": "Errors flow back through the transposed weights: δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹.",
}
