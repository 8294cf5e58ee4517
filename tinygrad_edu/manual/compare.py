"""The cross-check: the engine, the delta equations, central differences (and PyTorch) compared.

Only this module of the manual touches the engine: to build the loss with
``tinygrad_edu.losses`` and call ``backward()``, and to evaluate the forward pass for central
differences. The delta equations themselves never see the engine's derivative rules.

Engine and delta equations (and PyTorch) do the same arithmetic in a different order, so
they must agree to rounding: |engine − delta| ≤ delta_tol · max(1, |engine|) (1e-10 in
float64). Central differences have truncation error ε²/6·|L‴| and rounding error: each
engine node v is rounded with relative error ≤ u (≤ 2u for exp/log from libm), which
reaches L multiplied by ∂L/∂v, so L is computed to within E ≈ 2u·S,
S = Σᵥ |∂L/∂v| · max(|v|, Σ|terms of v|); the difference quotient then errs by up to E/ε.
The default ``atol`` = 4u·S/ε is twice that first-order bound. A numerical entry is
compared only if θ ± ε leaves every ReLU pre-activation and every BCE clamp on the same
side as at θ; otherwise the row is marked 'kink'.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import checks
from .base import BCE_EPS, UNIT_ROUNDOFF, check_loss, layers_of, numpy, weights_from
from .equations import backward, forward
from .loss_terms import targets_matrix
from .report import TORCH_MISSING, CrosscheckReport, LayerSummary, ParameterRow, close, rel

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..engine import Value
    from ..nn import MLP
    from .base import ActivationDerivative, Array, Mask
    from .equations import Backward, ForwardCache

# (layer, neuron, input column or None for the bias) of each parameter
Place = tuple[int, int, int | None]


@dataclass(frozen=True)
class _Batch:
    """The batch as each witness takes it."""

    X: Array  # m × nin, for the delta equations
    rows: list[list[float]]  # the same, for the engine
    T: Array  # m × n targets, for the delta equations
    targets: list[Any]  # the targets as the engine's losses take them
    y: Any  # as given (for PyTorch)


def _batch(model: MLP, X: ArrayLike, y: ArrayLike, loss: str, n: int) -> _Batch:
    np = numpy()
    if not isinstance(X, np.ndarray):
        checks.rows(X, "crosscheck", "X", width=model.nin)  # ragged: names the row
    Xa = np.asarray(X, dtype=np.float64)
    if Xa.ndim != 2 or Xa.shape[1] != model.nin or Xa.shape[0] == 0:
        raise ValueError(
            f"crosscheck: X must be a non-empty 2-D batch with {model.nin} columns (rows are "
            f"examples), got shape {Xa.shape}"
        )
    T = targets_matrix(y, loss, Xa.shape[0], n)  # validates y
    y_arr = np.asarray(y)
    if loss == "cross_entropy" and y_arr.ndim == 1:
        targets: list[Any] = [int(c) for c in y_arr]
    else:
        targets = T.tolist()
    return _Batch(Xa, Xa.tolist(), T, targets, y)


def _parameters(model: MLP, layers: list[Any]) -> tuple[list[Place], list[Value], list[str]]:
    """Every parameter with its place in the matrices, in named_parameters() order."""
    places: list[Place] = []
    values: list[Value] = []
    for i, layer in enumerate(layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                places.append((i, j, k))
                values.append(w)
            places.append((i, j, None))
            values.append(neuron.b)
    named = list(model.named_parameters())
    if [p for _, p in named] != values:
        raise RuntimeError("crosscheck: named_parameters() is not in layer/neuron/weight order")
    return places, values, [name for name, _ in named]


# ------------------------------------------------------------------------- the engine
def _engine_loss(model: MLP, batch: _Batch, loss: str, bce_eps: float) -> Value:
    from .. import losses

    # always a batch of vectors, so that the losses never mistake a vector for a batch
    preds = [list(model(x)) for x in batch.rows]
    if loss == "mse":
        return losses.mse(preds, batch.targets)
    if loss == "half_sse":
        return losses.half_sse(preds, batch.targets)
    if loss == "bce":
        return losses.bce(preds, batch.targets, eps=bce_eps)
    return losses.cross_entropy(preds, batch.targets)


def _rounding_scale(root: Value) -> float:
    """S = Σᵥ |∂root/∂v| · max(|v|, Σᵢ |∂v/∂pᵢ · pᵢ|) over the interior nodes, after backward().

    u·S estimates how far rounding moves the computed root: every node's rounding, weighted by
    how much the root feels it; the sum over parents stands in for |v| when the terms cancel.
    """
    from ..engine import topo_order

    total = 0.0
    for v in topo_order(root):
        if v.is_leaf:
            continue  # inputs and parameters are exact: nothing was rounded
        terms = math.fsum(abs(g * p.data) for g, p in zip(v.local_grads, v.parents))
        total += abs(v.grad) * max(abs(v.data), terms)
    return total


def _engine(
    model: MLP, values: list[Value], batch: _Batch, loss: str, bce_eps: float
) -> tuple[list[float], float, float]:
    """(∂L/∂p by backward(), L, rounding scale S); the parameters' gradients are restored."""
    saved = [(p.grad, p.grad_value) for p in values]
    try:
        model.zero_grad()
        root = _engine_loss(model, batch, loss, bce_eps)
        root.backward()
        return [p.grad for p in values], root.data, _rounding_scale(root)
    finally:
        for p, (g, gv) in zip(values, saved):
            p.grad, p.grad_value = g, gv


# ------------------------------------------------------------------------- central differences
def _pattern(cache: ForwardCache, loss: str, bce_eps: float) -> list[Mask]:
    """Which side of every non-smooth point each value is on: ReLU signs, BCE clamp."""
    marks = [z > 0.0 for z, act in zip(cache.z, cache.activations) if act == "relu"]
    if loss == "bce":
        out = cache.output
        marks.append((out >= bce_eps) & (out <= 1.0 - bce_eps))
    return marks


def _crosses(
    cache: ForwardCache, place: Place, value: float, loss: str, bce_eps: float, base: list[Mask]
) -> bool:
    """True when setting the parameter at ``place`` to ``value`` moves a kink's side."""
    np = numpy()
    i, j, col = place
    shifted = [(W.copy(), b.copy()) for W, b in cache.weights]
    if col is None:
        shifted[i][1][j] = value
    else:
        shifted[i][0][j, col] = value
    moved = _pattern(forward(shifted, cache.a[0], cache.activations), loss, bce_eps)
    return not all(np.array_equal(u, v) for u, v in zip(moved, base))


def _central_differences(
    model: MLP,
    params: tuple[list[Place], list[Value]],
    batch: _Batch,
    cache: ForwardCache,
    options: tuple[str, float, float],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[float], list[bool]]:
    """(L(θ + ε) − L(θ − ε)) / 2ε per parameter under no_grad, and whether θ ± ε hit a kink."""
    from ..engine import no_grad

    loss, eps, bce_eps = options
    base = _pattern(cache, loss, bce_eps)
    numeric: list[float] = []
    kinks: list[bool] = []
    with no_grad():
        for place, p in zip(*params):
            theta, f = p.data, []
            for step in (eps, -eps):
                p.data = theta + step
                try:
                    f.append(_engine_loss(model, batch, loss, bce_eps).data)
                finally:
                    p.data = theta
            numeric.append((f[0] - f[1]) / (2.0 * eps))
            kinks.append(
                any(_crosses(cache, place, theta + s, loss, bce_eps, base) for s in (eps, -eps))
            )
            if progress is not None:
                progress(len(numeric), len(params[1]))
    return numeric, kinks


# ------------------------------------------------------------------------- PyTorch
def _torch_column(
    model: MLP, batch: _Batch, loss: str, bce_eps: float, wanted: bool | None
) -> tuple[dict[str, float] | None, str]:
    """PyTorch autograd's ∂L/∂p by name, or None and the reason (not installed, not asked)."""
    if wanted is False:
        return None, ""
    found = importlib.util.find_spec("torch") is not None
    bridge = importlib.util.find_spec("tinygrad_edu.torch_bridge") is not None
    if not (found and bridge):
        return None, TORCH_MISSING
    from ..torch_bridge import torch_parameter_grads

    y = batch.targets
    if model.layers[-1].nout == 1 and loss != "cross_entropy":
        y = [row[0] for row in batch.targets]
    try:
        grads = torch_parameter_grads(model, batch.rows, y, loss, bce_eps)
    except (ValueError, TypeError) as err:
        return None, f"PyTorch: not compared ({err})"
    return grads, "PyTorch: autograd in float64 on the same weights (torch_bridge.to_torch)"


# ------------------------------------------------------------------------- the report
def _rows(
    names: list[str],
    places: list[Place],
    columns: tuple[list[float], Backward, list[float], list[bool], dict[str, float] | None],
    tolerances: tuple[float, float, float],
    numerical: bool,
) -> list[ParameterRow]:
    engine, manual, numeric, kinks, torch = columns
    tol_abs, rtol, delta_tol = tolerances
    rows: list[ParameterRow] = []
    for name, (i, j, col), e, num, kink in zip(names, places, engine, numeric, kinks):
        d = float(manual.dW[i][j, col] if col is not None else manual.db[i][j])
        t = torch[name] if torch is not None else math.nan
        pairs = [(e, d)] + ([(t, e)] if torch is not None else [])
        compared = numerical and not kink
        if compared:
            pairs += [(num, e), (num, d)]
        bound = tol_abs + rtol * abs(num)
        rows.append(
            ParameterRow(
                name=name, layer=i, engine=e, delta=d, numerical=num,
                abs_diff=max(abs(a - b) for a, b in pairs),
                rel_diff=max(rel(a, b) for a, b in pairs),
                delta_ok=close(e, d, delta_tol),
                numerical_engine_ok=not compared or abs(num - e) <= bound,
                numerical_delta_ok=not compared or abs(num - d) <= bound,
                kink=kink, torch=t,
                torch_ok=torch is None or close(t, e, delta_tol) or close(t, d, delta_tol),
            )
        )  # fmt: skip
    return rows


def _summaries(layers: list[Any], rows: list[ParameterRow], manual: Backward) -> list[LayerSummary]:
    np = numpy()
    out = []
    for i, layer in enumerate(layers):
        layer_rows = [r for r in rows if r.layer == i]
        out.append(
            LayerSummary(
                index=i, nin=layer.nin, nout=layer.nout, activation=layer.activation,
                dW_norm=float(np.linalg.norm(manual.dW[i])),
                db_norm=float(np.linalg.norm(manual.db[i])),
                delta_norm=float(np.mean(np.linalg.norm(manual.delta[i], axis=1))),
                max_abs_diff=max(abs(r.engine - r.delta) for r in layer_rows),
            )
        )  # fmt: skip
    return out


def _notes(
    loss: str, numerical: bool, rounding: float, eps: float, kinks: list[bool], clamped: int,
    bce_eps: float,
) -> list[str]:  # fmt: skip
    notes: list[str] = []
    if numerical and rounding / eps > 1e-7:
        why = " (a saturated sigmoid under BCE: bce_with_logits avoids this)."
        notes.append(
            f"The loss is ill-conditioned here: rounding alone can move L by about "
            f"{rounding:.1e}, so central differences are only good to about {rounding / eps:.1e}"
            + (why if loss == "bce" else ".")
        )
    if numerical and any(kinks):
        notes.append(
            f"{sum(kinks)} parameter(s) marked 'kink': θ ± eps moves a ReLU pre-activation or "
            "the BCE clamp across its kink, so the central difference is not a derivative "
            "there; only engine vs delta equations is compared for them."
        )
    if clamped:
        notes.append(
            f"{clamped} output(s) lie outside [{bce_eps:g}, 1 − {bce_eps:g}]: the BCE clamp "
            "makes the loss flat there, so their gradient is 0 (not the unclamped a − y)."
        )
    return notes


def crosscheck(
    model: MLP,
    X: ArrayLike,
    y: ArrayLike,
    loss: str = "bce",
    eps: float = 1e-6,
    *,
    rtol: float = 1e-6,
    atol: float | None = None,
    delta_tol: float = 1e-10,
    numerical: bool = True,
    simplify: bool = True,
    activation_derivatives: Mapping[str, ActivationDerivative] | None = None,
    bce_eps: float = BCE_EPS,
    with_torch: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CrosscheckReport:
    """Gradients of ``loss`` over the batch (X, y) three ways (four), parameter by parameter.

    1. the engine: the loss built with ``tinygrad_edu.losses``, then ``backward()``;
    2. the delta equations of this package, on the weights read out of the model;
    3. central differences (L(θ + ε) − L(θ − ε)) / 2ε of the engine's forward, under no_grad;
    4. PyTorch autograd in float64 (``torch_bridge``), when torch is installed and
       ``with_torch`` is not False; otherwise the report says why there is no such column.

    The central differences cost two forward passes per parameter (``manual.cost``);
    ``progress(done, total)`` is called after each parameter's.

    How each tolerance is chosen: the docstring of ``tinygrad_edu.manual.compare``. The
    model's parameters and gradients are the same afterwards as before.

    >>> from tinygrad_edu.nn import MLP
    >>> net = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    >>> crosscheck(net, [[0, 1], [1, 0]], [1, 0], loss="bce", with_torch=False).ok
    True
    """
    check_loss(loss, "crosscheck")
    eps = checks.positive(eps, "crosscheck", "eps")
    layers = layers_of(model, "crosscheck")
    batch = _batch(model, X, y, loss, layers[-1].nout)
    places, values, names = _parameters(model, layers)
    weights, activations = weights_from(model)
    cache = forward(weights, batch.X, activations)
    manual = backward(
        cache, batch.T, loss, activation_derivatives=activation_derivatives, simplify=simplify,
        bce_eps=bce_eps,
    )  # fmt: skip
    engine, loss_engine, scale = _engine(model, values, batch, loss, bce_eps)
    rounding = 2.0 * UNIT_ROUNDOFF * scale  # E: how far rounding may move the computed L
    tol_abs = atol if atol is not None else 2.0 * rounding / eps
    if numerical:
        diffs = _central_differences(
            model, (places, values), batch, cache, (loss, eps, bce_eps), progress
        )
    else:
        diffs = ([math.nan] * len(values), [False] * len(values))
    torch, torch_note = _torch_column(model, batch, loss, bce_eps, with_torch)
    rows = _rows(
        names, places, (engine, manual, *diffs, torch), (tol_abs, rtol, delta_tol), numerical
    )
    clamped = int(numpy().sum(~_pattern(cache, loss, bce_eps)[-1])) if loss == "bce" else 0
    return CrosscheckReport(
        loss=loss, batch_size=batch.X.shape[0], loss_engine=loss_engine, loss_delta=manual.loss,
        rows=rows, layers=_summaries(layers, rows, manual), eps=eps, atol=tol_abs, rtol=rtol,
        delta_tol=delta_tol, numerical=numerical, output_rule=manual.output_rule,
        notes=_notes(loss, numerical, rounding, eps, diffs[1], clamped, bce_eps), manual=manual,
        cache=cache, torch_note=torch_note,
    )  # fmt: skip
