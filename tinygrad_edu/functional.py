"""Derivatives as functions: grad, derivative, hessian, hvp, and gradgradcheck.

Backpropagation is itself a program of additions and multiplications. ``engine.gradients``
runs it with ``Value`` arithmetic, so every gradient is a node of the graph and can be
differentiated again; everything here is built on that one function.

Each call gives every input position its own node: a fresh leaf for a number, and a one-term
Σ node on top of a ``Value`` (so the result stays connected to the caller's graph). That is
what makes ``grad(grad(f))`` right even when an inner function is called on the outer
variable itself ("perturbation confusion"): ∂/∂y of x·y at y = x is x, not 2x.

Results are ``Value``s for ``grad`` and ``derivative`` (so they nest); ``hessian`` and ``hvp``
return floats unless ``create_graph=True``.
"""

from __future__ import annotations

import math  # noqa: F401  (the doctests use it)
import numbers
from collections.abc import Callable, Sequence
from typing import Literal, overload

from . import checks, ops
from .engine import Operand, Value, apply, gradients
from .gradcheck import GradcheckError, analytic_grad, compare
from .nary import vsum

ScalarFn = Callable[..., object]


# --------------------------------------------------------------------------- helpers
def _positions(where: str, inputs: Sequence[object]) -> list[Value]:
    """One new node per input position (see the module docstring for why)."""
    if len(inputs) == 0:
        raise ValueError(f"{where}: f needs at least one input, got none")
    nodes = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            nodes.append(apply(ops.sum, x))  # d(node)/dx = 1: the caller's graph continues
        elif checks.is_real(x):
            nodes.append(Value(checks.real(x, where, f"input {i}")))
        else:
            raise TypeError(
                f"{where}: input {i} must be a number or a Value, got {type(x).__name__} ({x!r})"
            )
    return nodes


def _call(where: str, f: ScalarFn, args: Sequence[Value]) -> Value:
    out = f(*args)
    if not isinstance(out, Value):
        hint = ""
        if isinstance(out, tuple):
            hint = " (grad of a function of several inputs returns a tuple: pick one entry)"
        raise TypeError(
            f"{where}: f must return a scalar Value, got {type(out).__name__} ({out!r}){hint}"
        )
    return out


def _grads_wrt(out: Value, wrt: Sequence[Value]) -> list[Value]:
    """d(out)/d(w) for each w, as Values; a new constant 0 where out does not depend on w."""
    grads = gradients(out)
    result = []
    for w in wrt:
        g = grads.get(w)
        result.append(Value(0.0) if g is None else g)
    return result


def _check_f(where: str, f: object) -> None:
    if not callable(f):
        raise TypeError(f"{where}: f must be a function, got {type(f).__name__} ({f!r})")


# --------------------------------------------------------------------------- grad / derivative
def grad(f: ScalarFn) -> Callable[..., Value | tuple[Value, ...]]:
    """The function computing ∂f/∂xᵢ at the given inputs, for a scalar-valued f(x₁, …, xₙ).

    Returns a Value for one input and a tuple of Values for several. The Values carry their
    own graph, so the result can be differentiated again: ``grad(grad(f))``.

    >>> cube = lambda x: x * x * x
    >>> grad(cube)(2.0).data, grad(grad(cube))(2.0).data  # 3x², 6x
    (12.0, 12.0)
    """
    _check_f("grad", f)

    def gradient(*inputs: Operand) -> Value | tuple[Value, ...]:
        nodes = _positions("grad", inputs)
        out = _call("grad", f, nodes)
        result = _grads_wrt(out, nodes)
        return result[0] if len(result) == 1 else tuple(result)

    gradient.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    gradient.__doc__ = f"∂f/∂xᵢ for f = {getattr(f, '__name__', f)!s}."
    return gradient


def derivative(f: ScalarFn, n: int = 1) -> Callable[[Operand], Value]:
    """The function x ↦ f⁽ⁿ⁾(x) for a one-input scalar f (n = 0 gives f itself).

    Builds f once and differentiates the previous derivative n times: the same numbers as
    ``grad`` nested n times, without recomputing the lower orders at every level.

    >>> derivative(lambda x: x.sin(), 2)(0.5).data == -math.sin(0.5)
    True
    """
    _check_f("derivative", f)
    n = checks.count(n, "derivative", "the order n")

    def nth(x: Operand) -> Value:
        (node,) = _positions("derivative", (x,))
        d = _call("derivative", f, (node,))
        for _ in range(n):
            (d,) = _grads_wrt(d, (node,))
        return d

    nth.__name__ = f"derivative_{n}_{getattr(f, '__name__', 'f')}"
    return nth


# --------------------------------------------------------------------------- second order
def _hessian_values(where: str, f: ScalarFn, inputs: Sequence[Operand]) -> list[list[Value]]:
    nodes = _positions(where, inputs)
    first = _grads_wrt(_call(where, f, nodes), nodes)
    # one backward pass through the gradient graph per row
    return [_grads_wrt(g, nodes) for g in first]


@overload
def hessian(
    f: ScalarFn, inputs: Sequence[Operand], create_graph: Literal[False] = False
) -> list[list[float]]: ...
@overload
def hessian(
    f: ScalarFn, inputs: Sequence[Operand], create_graph: Literal[True]
) -> list[list[Value]]: ...
def hessian(
    f: ScalarFn, inputs: Sequence[Operand], create_graph: bool = False
) -> list[list[float]] | list[list[Value]]:
    """H[i][j] = ∂²f/∂xᵢ∂xⱼ at ``inputs``, as a list of rows.

    Floats by default; with ``create_graph=True`` Values connected to the graph (of Value
    inputs), which can be differentiated again. Costs one backward pass through the gradient
    graph per input.

    >>> hessian(lambda x, y: x * x * y, [1.0, 3.0])  # [[2y, 2x], [2x, 0]]
    [[6.0, 2.0], [2.0, 0.0]]
    """
    _check_f("hessian", f)
    rows = _hessian_values("hessian", f, _as_sequence("hessian", inputs))
    if create_graph:
        return rows
    return [[h.data for h in row] for row in rows]


@overload
def hvp(
    f: ScalarFn,
    inputs: Sequence[Operand],
    v: Sequence[Operand],
    create_graph: Literal[False] = False,
) -> list[float]: ...
@overload
def hvp(
    f: ScalarFn, inputs: Sequence[Operand], v: Sequence[Operand], create_graph: Literal[True]
) -> list[Value]: ...
def hvp(
    f: ScalarFn, inputs: Sequence[Operand], v: Sequence[Operand], create_graph: bool = False
) -> list[float] | list[Value]:
    """The Hessian-vector product H·v at ``inputs``, without forming H.

    Double backward: H·v = ∇(∇f · v), with v held constant, so it costs two backward passes
    whatever the number of inputs.

    >>> hvp(lambda x, y: x * x * y, [1.0, 3.0], [1.0, 0.0])  # the first column of H
    [6.0, 2.0]
    """
    _check_f("hvp", f)
    inputs = _as_sequence("hvp", inputs)
    v = _as_sequence("hvp", v)
    if len(v) != len(inputs):
        raise ValueError(
            f"hvp: v has {len(v)} entries but f has {len(inputs)} inputs; the lengths must match"
        )
    for i, vi in enumerate(v):
        if not isinstance(vi, Value) and not checks.is_real(vi):
            raise TypeError(
                f"hvp: v[{i}] must be a number or a Value, got {type(vi).__name__} ({vi!r})"
            )
    nodes = _positions("hvp", inputs)
    first = _grads_wrt(_call("hvp", f, nodes), nodes)
    directional = vsum(g * vi for g, vi in zip(first, v))
    result = _grads_wrt(directional, nodes)
    if create_graph:
        return result
    return [r.data for r in result]


def _as_sequence(where: str, xs: object) -> Sequence[Operand]:
    if isinstance(xs, (Value, numbers.Real, str)) or not isinstance(xs, Sequence):
        raise TypeError(
            f"{where}: expected a list of inputs (numbers or Values), "
            f"got {type(xs).__name__} ({xs!r})"
        )
    return xs


# --------------------------------------------------------------------------- gradgradcheck
def numerical_hessian(
    f: ScalarFn, inputs: Sequence[Operand], eps: float = 1e-6
) -> list[list[float]]:
    """H[i][j] by central differences of the analytic gradient (ordinary backward()).

    Column j is (∇f(x + εeⱼ) − ∇f(x − εeⱼ)) / 2ε: second derivatives to about 1e-10 relative
    on smooth functions, since the first derivatives are exact.

    >>> [[round(h, 6) for h in row] for row in numerical_hessian(lambda x: x**3, [2.0])]
    [[12.0]]
    """
    _check_f("numerical_hessian", f)
    inputs = _as_sequence("numerical_hessian", inputs)
    base = [
        x.data if isinstance(x, Value) else checks.real(x, "numerical_hessian", f"inputs[{i}]")
        for i, x in enumerate(inputs)
    ]
    eps = checks.positive(eps, "numerical_hessian", "eps")
    for i, x in enumerate(base):
        if x + eps == x or x - eps == x:
            raise ValueError(
                f"numerical_hessian: eps={eps!r} is below the float spacing at inputs[{i}] = "
                f"{x!r} (x ± eps == x)"
            )
    n = len(base)
    columns = []
    for j in range(n):
        plus = list(base)
        minus = list(base)
        plus[j] += eps
        minus[j] -= eps
        g_plus = analytic_grad(f, plus)  # type: ignore[arg-type]
        g_minus = analytic_grad(f, minus)  # type: ignore[arg-type]
        columns.append([(a - b) / (2.0 * eps) for a, b in zip(g_plus, g_minus)])
    return [[columns[j][i] for j in range(n)] for i in range(n)]


def gradgradcheck(
    f: ScalarFn,
    inputs: Sequence[Operand],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compare the double-backward Hessian with central differences of backward()'s gradient.

    Passes when |analytic − numeric| ≤ atol + rtol·|numeric| for every entry H[i, j]. Returns
    True; on a mismatch raises GradcheckError with a per-entry table (or returns False when
    ``raise_exception=False``). Checks second derivatives only: use gradcheck for the first.

    >>> gradgradcheck(lambda x, y: (x * y).tanh(), [0.3, -0.7])
    True
    """
    _check_f("gradgradcheck", f)
    inputs = _as_sequence("gradgradcheck", inputs)
    atol = checks.in_range(atol, "gradgradcheck", "atol", 0.0)
    rtol = checks.in_range(rtol, "gradgradcheck", "rtol", 0.0)
    analytic = [[h.data for h in row] for row in _hessian_values("gradgradcheck", f, inputs)]
    numeric = numerical_hessian(f, inputs, eps)
    pairs = [
        (f"H[{i},{j}]", a, n)
        for i, (a_row, n_row) in enumerate(zip(analytic, numeric))
        for j, (a, n) in enumerate(zip(a_row, n_row))
    ]
    ok, table = compare(pairs, atol, rtol, label="entry")
    if not ok and raise_exception:
        raise GradcheckError(
            f"gradgradcheck: second derivatives (double backward) disagree with central "
            f"differences of backward() (eps={eps:g}, atol={atol:g}, rtol={rtol:g})\n{table}"
        )
    return ok
