"""check_delta: a learner's delta equations against the engine, parameter by parameter."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import checks, manual
from ..names import tensor_name
from . import sandbox
from .report import Report, Wrong, fmt
from .tolerance import code_rtol, dtype_of

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    from ..nn import MLP

    Array = NDArray[np.float64]
    Grads = list[tuple[Array, Array]]

DELTA_RTOL = 1e-8
TOLERANCE = (
    f"|got − engine| ≤ {DELTA_RTOL:g}·max(1, |engine|) for every dW and db entry "
    "(float64; engine: backward() on the same loss)"
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
_PRIME_TEXT = {
    "sigmoid": "σ′(z) = σ(z)(1 − σ(z)) = a(1 − a)",
    "tanh": "tanh′(z) = 1 − tanh² z = 1 − a²",
    "relu": "relu′(z) = 1 if z > 0 else 0",
}


def _pairs(b: manual.Backward) -> Grads:
    return list(zip(b.dW, b.db))


def _with(cache: manual.ForwardCache, Y: Array, loss: str, **derivs: Any) -> Grads:
    return _pairs(manual.backward(cache, Y, loss, activation_derivatives=derivs))


def _candidates(cache: manual.ForwardCache, Y: Array, loss: str, m: int) -> list[tuple[str, Grads]]:
    """The delta equations with each catalogued mistake applied."""
    import numpy as np

    right = _pairs(manual.backward(cache, Y, loss))
    acts = set(cache.activations)
    out: list[tuple[str, Grads]] = [
        ("missing-1-over-m", [(m * W, m * b) for W, b in right]),
        ("bias-missing-1-over-m", [(W, m * b) for W, b in right]),
        ("all-negated", [(-W, -b) for W, b in right]),
    ]
    used = {k: f for k, f in _AT_A.items() if k in acts}
    if used:
        out.append(("sigma-prime-of-a", _with(cache, Y, loss, **used)))
    if "tanh" in acts:
        out.append(("tanh-prime-of-z", _with(cache, Y, loss, tanh=lambda z, a: 1.0 - z**2)))
    ones = {k: (lambda z, a: np.ones_like(z)) for k in acts if k != "linear"}
    if ones:
        out.append(("missing-sigma-prime", _with(cache, Y, loss, **ones)))
    if loss == "bce" and cache.activations[-1] == "sigmoid":
        out.append(("wrong-output-delta", _pairs(manual.backward(cache, Y, "half_sse"))))
    flipped = [(W.T if W.shape[0] == W.shape[1] else W, b) for W, b in cache.weights]
    if any(W.shape[0] == W.shape[1] for W, _ in cache.weights[1:]):
        swapped = manual.ForwardCache(flipped, cache.activations, cache.z, cache.a)
        out.append(("missing-transpose", _pairs(manual.backward(swapped, Y, loss))))
    if any(W.shape[0] == W.shape[1] for W, _ in right):
        out.append(
            ("dW-transposed", [(W.T if W.shape[0] == W.shape[1] else W, b) for W, b in right])
        )
    return out


def _close(got: float, want: float, rtol: float = DELTA_RTOL) -> bool:
    if math.isnan(got):
        return math.isnan(want)
    return abs(got - want) <= rtol * max(1.0, abs(want))


Entry = tuple[str, float, str]  # (the learner's name, value, the long parameter path)


def _entries(grads: Grads, layers: Sequence[int]) -> list[Entry]:
    """(∂L/∂W2[3, 0], value, layers.1.neurons.3.w.0) for the entries of the given layers,
    output side first; layers are counted from 1 as in the delta equations."""
    out: list[Entry] = []
    for i in layers:
        W, b = grads[i]
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                path = f"layers.{i}.neurons.{j}.w.{k}"
                out.append((f"∂L/∂{tensor_name(path)}", float(W[j, k]), path))
        for j in range(b.shape[0]):
            path = f"layers.{i}.neurons.{j}.b"
            out.append((f"∂L/∂{tensor_name(path)}", float(b[j]), path))
    return out


def _matches(a: Grads, b: Grads, layers: Sequence[int], rtol: float) -> bool:
    return all(
        _close(x, y, rtol) for (_, x, _), (_, y, _) in zip(_entries(a, layers), _entries(b, layers))
    )


Read = tuple["Grads | None", str, bool, "str | None"]


def _as_grads(raw: object, want: Grads) -> Read:
    """The learner's result as float arrays shaped like ``want`` (or None and what is wrong),
    whether a dW came back transposed, and the low-precision dtype seen. Runs in the sandbox."""
    import numpy as np

    low = None
    items: list[Any] | None = None
    if raw is not None and not isinstance(raw, (str, bytes)) and hasattr(raw, "__iter__"):
        items = []
        for item in raw:
            items.append(item)
            if len(items) > len(want):
                break
    if items is None or len(items) != len(want):
        return (
            None,
            f"return one (dW, db) pair per layer ({len(want)} pairs), got "
            f"{sandbox.describe(raw)}",
            False, None,
        )  # fmt: skip
    out: Grads = []
    transposed = False
    for i, (pair, (W, b)) in enumerate(zip(items, want)):
        try:
            dW, db = pair
            low = low or dtype_of(dW) or dtype_of(db)
            dW_a = np.asarray(dW, dtype=np.float64)
            db_a = np.asarray(db, dtype=np.float64)
        except (TypeError, ValueError):
            return (
                None,
                f"pair {i} (layer {i + 1}): expected (dW, db) of numbers, got "
                f"{sandbox.describe(pair)}",
                False,
                low,
            )
        n = b.shape[0]
        db_flat = db_a.reshape(-1) if db_a.shape in ((n,), (1, n), (n, 1)) else None
        if dW_a.shape != W.shape or db_flat is None:
            transposed = transposed or (dW_a.shape == W.T.shape != W.shape)
            return None, (
                f"layer {i + 1}: dW{i + 1} must have shape {W.shape} (nₗ × nₗ₋₁) and db{i + 1} "
                f"{n} entries (shape {(n,)} or {(1, n)}), got {dW_a.shape} and {db_a.shape}"
                + (" (summed over the batch? db is the mean of δ over its rows)"
                   if db_a.ndim == 2 and db_a.shape[1] == n and db_a.shape[0] > 1 else "")
            ), transposed, low  # fmt: skip
        out.append((dW_a, db_flat))
    return out, "", False, low


def _advice(code: str | None, acts: Sequence[str]) -> str:
    hidden = [a for a in acts if a in _PRIME_TEXT] or ["sigmoid"]
    prime = "; ".join(dict.fromkeys(_PRIME_TEXT[a] for a in hidden))
    text = {
        "missing-1-over-m": "The batch loss is the mean, so divide the sums by m.",
        "bias-missing-1-over-m": "db is the mean of δ over the batch: divide its sum by m, "
        "as you did for dW.",
        "sigma-prime-of-a": f"The derivative takes the pre-activation z: {prime}.",
        "tanh-prime-of-z": "tanh′(z) = 1 − tanh² z = 1 − a²: square the activation a, not z.",
        "missing-sigma-prime": f"δ = (Wᵀδ) ⊙ σ′(z): multiply by the local slope, {prime}.",
        "wrong-output-delta": "For sigmoid + BCE, σ′ cancels: δᴸ = a − y, without another σ′.",
        "missing-transpose": "Errors flow back through the transposed weights: δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹.",
        "dW-transposed": "∂L/∂W = δ aᵀ (nₗ × nₗ₋₁, rows are the layer's units); square layers "
        "hide the mix-up, the values do not.",
        "all-negated": "The signs are all flipped: δᴸ starts from a − y (prediction minus "
        "target), and the update subtracts the gradient.",
    }
    return text.get(code or "", "")


def check_delta(
    my_backprop: Callable[..., Any],
    model: MLP,
    X: ArrayLike,
    y: ArrayLike,
    loss: str = "bce",
    *,
    timeout: float = 5.0,
) -> Report:
    """Check ``my_backprop(weights, X, Y) -> [(dW, db), ...]`` against the engine's gradients.

    ``weights`` is the model's list of (Wˡ, bˡ) float arrays (Wˡ is nₗ × nₗ₋₁), ``X`` the
    m × n₀ batch and ``Y`` the m × n_L targets; the loss is averaged over the batch. Entries
    are named as in the delta equations (``∂L/∂W2[3, 0]``, ``∂L/∂b2[3]``, layers from 1);
    every wrong one is listed, from the output layer back, the first detailed with the likely
    mistake. float32 results are compared at float32 precision. The call runs under
    ``timeout`` seconds.

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
    seconds = checks.positive(timeout, "check_delta", "timeout")
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
    X0, Y0 = cache.a[0].copy(), Y.copy()
    res = sandbox.run(lambda: _as_grads(my_backprop(copies, X0, Y0), want), seconds)
    notes = (_patched(res.patched),) if res.patched else ()

    def fail(code: str | None, hint: str) -> Report:
        return Report(title, False, TOLERANCE, checked, None, code, hint, 1, notes, (),
                      (code,) if code else ())  # fmt: skip

    if res.timed_out:
        return fail("did-not-finish", f"Your backprop did not finish within {seconds:g} s: a "
                    f"loop that never ends?{res.note}")  # fmt: skip
    if res.error is not None:
        err = res.error
        text = sandbox.describe(str(err))[1:-1]
        code = "missing-transpose" if any(w in text.lower() for w in _SHAPE_WORDS) else None
        hint = f"Your backprop raised {type(err).__name__}: {text}."
        if code:
            hint += " A shape mismatch there usually means a missing transpose: δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹."
        return fail(code, hint)
    assert res.value is not None
    got, problem, transposed, low = res.value
    if res.patched:
        return fail("changed-the-library", "Your backprop replaced part of the library.")
    if got is None:
        nothing = problem.endswith("got None")
        code = "dW-transposed" if transposed else ("missing-answer" if nothing else None)
        hint = f"Your backprop should {problem}." if problem.startswith("return") else problem + "."
        if transposed:
            hint += " ∂L/∂W = δ aᵀ is nₗ × nₗ₋₁: transpose it."
        return fail(code, hint)
    rtol = code_rtol(low, DELTA_RTOL)
    tol = _tolerance(low)
    layers = list(range(len(want) - 1, -1, -1))
    wrong = [
        (n, w, g, path)
        for (n, w, path), (_, g, _) in zip(_entries(want, layers), _entries(got, layers))
        if not _close(g, w, rtol)
    ]
    if not wrong:
        return Report(title, True, tol, checked, extra=notes)
    where, w, g, path = wrong[0]
    first_layer = int(path.split(".")[1])
    cands = _candidates(cache, Y, name, m)
    code = next((c for c, pred in cands if _matches(got, pred, layers, rtol)), None)
    if code is None:
        code = next((c for c, pred in cands if _matches(got, pred, [first_layer], rtol)), None)
    hint = f"{where} should be {fmt(w)} but yours is {fmt(g)}"
    hint += f" (ratio {fmt(g / w)})." if w != 0.0 else "."
    if code in ("missing-1-over-m", "bias-missing-1-over-m"):
        hint = f"{where} should be {fmt(w)} but yours is {fmt(g)}, {m} = m times too big."
    hint += f" ({len(wrong)} of {len(_entries(want, layers))} entries are wrong.)"
    hint += " " + _advice(code, acts)
    listed = tuple(f"{n} ({p})" for n, _, _, p in wrong)
    return Report(
        title, False, tol, checked, Wrong(where, w, g), code, hint.strip(), len(wrong), notes,
        listed, (code,) if code else (),
    )  # fmt: skip


def _tolerance(low: str | None) -> str:
    if low is None:
        return TOLERANCE
    return (
        f"|got − engine| ≤ {code_rtol(low, DELTA_RTOL):g}·max(1, |engine|) for every dW and "
        f"db entry (your arrays are {low}: compared at {low} precision)"
    )


def _patched(patched: tuple[str, ...]) -> str:
    shown = ", ".join(patched[:5]) + (" …" if len(patched) > 5 else "")
    return f"your code replaced {shown}; the tutor put it back"
