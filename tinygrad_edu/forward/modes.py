"""Derivatives of a function written over Value-like numbers, in either mode.

``f(*xs)`` takes numbers that behave like ``Value`` (operators, ``.tanh()``, ``vsum``/``dot``
from ``tinygrad_edu.forward``) and returns one of them or a list of them. The same ``f`` runs:

* on ``Dual`` numbers: :func:`jvp` (one directional derivative per pass) and the Jacobian
  column by column (``jacobian(..., mode="forward")``: one pass per input);
* on ``Value`` leaves: the Jacobian row by row (``mode="reverse"``: one graph, one backward
  pass per output);
* on plain Values under ``no_grad``: :func:`numerical_jacobian` (two evaluations per input).

:func:`hvp` is forward-over-reverse: the reverse sweep itself run on Duals, so one pass gives
the gradient and the Hessian-vector product H·v together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

from .. import checks
from ..engine import Value, interior_order, no_grad, topo_order
from .dual import Dual, _dual, apply

Fn = Callable[..., Any]
Mode = Literal["forward", "reverse"]
MODES: tuple[str, ...] = ("forward", "reverse")


# --------------------------------------------------------------------------- inputs and outputs
def _check_f(where: str, f: object) -> None:
    if not callable(f):
        raise TypeError(f"{where}: f must be a function, got {checks.show(f)}")


def point(where: str, xs: object, what: str = "x") -> list[float]:
    """A non-empty list of real numbers (a Value counts as its data), or a named error."""
    seq = checks.sequence(xs, where, what)
    if len(seq) == 0:
        raise ValueError(f"{where}: {what} must hold at least one number, got none")
    return [
        x.data if isinstance(x, Value) else checks.real(x, where, f"{what}[{i}]")
        for i, x in enumerate(seq)
    ]


def outputs(where: str, out: object) -> tuple[list[Any], bool]:
    """f's result as a list of scalars, and whether it was a single scalar."""
    if isinstance(out, (Value, Dual)) or checks.is_real(out):
        return [out], True
    if isinstance(out, (str, bytes)) or not isinstance(out, Sequence) or len(out) == 0:
        raise TypeError(
            f"{where}: f must return a number-like (Value or Dual) or a non-empty list of them, "
            f"got {checks.show(out)}"
        )
    return list(out), False


def primal_tangent(where: str, o: object, k: int) -> tuple[float, float]:
    """Output k's value and tangent: a Dual's, or a constant's (tangent 0); a Value is an error."""
    if isinstance(o, Dual):
        return o.data, o.tangent
    if isinstance(o, Value):
        raise TypeError(
            f"{where}: output {k} is a Value; in forward mode f must compute with the Duals it "
            "is given (use forward.vsum / forward.dot rather than engine.vsum / engine.dot)"
        )
    return checks.real(o, where, f"output {k}"), 0.0  # a constant: its tangent is 0


# --------------------------------------------------------------------------- forward mode
def jvp(f: Fn, x: Sequence[float], v: Sequence[float]) -> tuple[Any, Any]:
    """(f(x), J·v): the value and its directional derivative along ``v``, in one Dual pass.

    Results are floats for a scalar f and lists for a list-valued f.

    >>> jvp(lambda a, b: a * b.sin(), [2.0, 0.0], [1.0, 1.0])  # ∂ = sin b · 1 + a cos b · 1
    (0.0, 2.0)
    """
    _check_f("jvp", f)
    xs, vs = point("jvp", x), point("jvp", v, "v")
    if len(vs) != len(xs):
        raise ValueError(
            f"jvp: v has {len(vs)} entries but x has {len(xs)}; the lengths must match"
        )
    items, scalar = outputs("jvp", f(*(Dual(a, t) for a, t in zip(xs, vs))))
    pairs = [primal_tangent("jvp", o, k) for k, o in enumerate(items)]
    if scalar:
        return pairs[0]
    return [p for p, _ in pairs], [t for _, t in pairs]


def _forward_columns(f: Fn, xs: list[float]) -> list[list[float]]:
    columns = []
    for j in range(len(xs)):
        seeds = [_dual(a, 1.0 if i == j else 0.0) for i, a in enumerate(xs)]
        items, _ = outputs("jacobian", f(*seeds))
        columns.append([primal_tangent("jacobian", o, k)[1] for k, o in enumerate(items)])
    return [list(row) for row in zip(*columns)]


# --------------------------------------------------------------------------- reverse mode
def _reverse_rows(f: Fn, xs: list[float]) -> list[list[float]]:
    leaves = [Value(a) for a in xs]
    items, _ = outputs("jacobian", f(*leaves))
    rows = []
    for o in items:
        for leaf in leaves:
            leaf.grad = 0.0
        if isinstance(o, Value):
            o.backward()
        elif isinstance(o, Dual):
            raise TypeError("jacobian: f returned a Dual when given Values")
        rows.append([leaf.grad for leaf in leaves])
    return rows


def jacobian(f: Fn, x: Sequence[float], mode: Mode = "forward") -> list[list[float]]:
    """J[i][j] = ∂fᵢ/∂xⱼ at ``x`` (one row per output; a scalar f gives one row).

    ``mode="forward"``: column j from one Dual pass seeded with eⱼ (n passes for n inputs).
    ``mode="reverse"``: one Value graph, then row i from one backward pass from output i
    (m passes for m outputs). The two agree to rounding.

    >>> f = lambda a, b: [a * b, a + b]
    >>> jacobian(f, [2.0, 3.0]), jacobian(f, [2.0, 3.0], mode="reverse")
    ([[3.0, 2.0], [1.0, 1.0]], [[3.0, 2.0], [1.0, 1.0]])
    """
    _check_f("jacobian", f)
    xs = point("jacobian", x)
    checks.one_of(mode, "jacobian", "mode", MODES)
    return _forward_columns(f, xs) if mode == "forward" else _reverse_rows(f, xs)


# --------------------------------------------------------------------------- finite differences
def numerical_jacobian(f: Fn, x: Sequence[float], eps: float = 1e-6) -> list[list[float]]:
    """J by central differences: column j is (f(x + εeⱼ) − f(x − εeⱼ)) / 2ε (2n evaluations).

    f runs on Values under ``no_grad`` (no graph is kept), as ``gradcheck.numerical_grad``.

    >>> J = numerical_jacobian(lambda a: [a * a, a.exp()], [0.0])
    >>> [[round(d, 6) for d in row] for row in J]
    [[0.0], [1.0]]
    """
    _check_f("numerical_jacobian", f)
    xs = point("numerical_jacobian", x)
    step = checks.positive(eps, "numerical_jacobian", "eps")
    for i, a in enumerate(xs):
        if a + step == a or a - step == a:
            raise ValueError(
                f"numerical_jacobian: eps={step!r} is below the float spacing at x[{i}] = {a!r}"
            )
    columns = []
    for j in range(len(xs)):
        plus, minus = list(xs), list(xs)
        plus[j] += step
        minus[j] -= step
        width = (plus[j] - xs[j]) + (xs[j] - minus[j])  # the steps taken, exactly (as gradcheck)
        hi, lo = evaluate(f, plus), evaluate(f, minus)
        columns.append([(p - m) / width for p, m in zip(hi, lo)])
    return [list(row) for row in zip(*columns)]


def evaluate(f: Fn, xs: Sequence[float]) -> list[float]:
    """f's outputs as floats, computed on Values under ``no_grad`` (no graph is kept)."""
    with no_grad():
        items, _ = outputs("evaluate", f(*(Value(a) for a in xs)))
    return [
        o.data if isinstance(o, Value) else checks.real(o, "evaluate", "an output") for o in items
    ]


# --------------------------------------------------------------------------- forward over reverse
def grad_and_hvp(f: Fn, x: Sequence[float], v: Sequence[float]) -> tuple[list[float], list[float]]:
    """(∇f(x), H·v) for a scalar f, forward-over-reverse: the reverse sweep run on Duals.

    f is recorded once on Values. Then every node gets a Dual (its value and its tangent along
    ``v``, from the table's forward on Duals), and the chain-rule loop of ``backward()`` runs
    with Dual adjoints, each local derivative being the entry's ``rule`` evaluated on Duals.
    An adjoint's value is ∂f/∂node and its tangent is the derivative of that along ``v``: at a
    leaf, (H·v)ᵢ.

    >>> grad_and_hvp(lambda x, y: x * x * y, [1.0, 3.0], [1.0, 0.0])  # ∇ = (2xy, x²)
    ([6.0, 1.0], [6.0, 2.0])
    """
    _check_f("hvp", f)
    xs, vs = point("hvp", x), point("hvp", v, "v")
    if len(vs) != len(xs):
        raise ValueError(
            f"hvp: v has {len(vs)} entries but x has {len(xs)}; the lengths must match"
        )
    leaves = [Value(a) for a in xs]
    root = f(*leaves)
    if not isinstance(root, Value):
        raise TypeError(f"hvp: f must return a scalar Value-like result, got {checks.show(root)}")
    duals: dict[Value, Dual] = {leaf: _dual(a, t) for leaf, a, t in zip(leaves, xs, vs)}
    for node in topo_order(root):  # the forward sweep: value and tangent of every node
        if node not in duals:
            prim = node.primitive
            if prim is None:
                duals[node] = _dual(node.data, 0.0)  # a constant
            else:
                duals[node] = apply(prim, *(duals[p] for p in node.parents))
    adjoint: dict[Value, Dual] = {root: _dual(1.0, 0.0)}
    for node in reversed(interior_order(root)):  # the reverse sweep, on Duals
        g = adjoint.get(node)
        prim = node.primitive
        if g is None or prim is None:
            continue
        locals_ = prim.rule(duals[node], *(duals[p] for p in node.parents))
        for parent, local in zip(node.parents, locals_):
            contribution = g * local  # ∂f/∂parent += ∂node/∂parent · ∂f/∂node, on Duals
            previous = adjoint.get(parent)
            adjoint[parent] = contribution if previous is None else previous + contribution
    zero = _dual(0.0, 0.0)
    results = [adjoint.get(leaf, zero) for leaf in leaves]
    return [r.data for r in results], [r.tangent for r in results]


def hvp(f: Fn, x: Sequence[float], v: Sequence[float]) -> list[float]:
    """H·v for a scalar f at ``x``, forward-over-reverse (see :func:`grad_and_hvp`).

    >>> hvp(lambda x, y: x * x * y, [1.0, 3.0], [0.0, 1.0])  # the second column of H
    [2.0, 0.0]
    """
    return grad_and_hvp(f, x, v)[1]


def max_abs_difference(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> float:
    """max |aᵢⱼ − bᵢⱼ| over two matrices of one shape (NaN if any entry is NaN)."""
    worst = 0.0
    for row_a, row_b in zip(a, b, strict=True):
        for p, q in zip(row_a, row_b, strict=True):
            d = abs(p - q)
            if math.isnan(d):
                return math.nan
            worst = max(worst, d)
    return worst
