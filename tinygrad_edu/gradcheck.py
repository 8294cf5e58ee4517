"""Central finite differences, and gradcheck(): the engine's gradients against them.

f'(x) ≈ (f(x + ε) − f(x − ε)) / 2ε has error O(ε²) from truncation plus O(u/ε) from
rounding (u ≈ 1.1e-16 in float64), so ε ≈ 1e-6 gives about 1e-10 relative accuracy on
smooth functions — tight enough to catch any wrong derivative rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Operand, Value, as_value, no_grad

ScalarFn = Callable[..., Value]


class GradcheckError(AssertionError):
    """Raised by gradcheck() when the analytic and numerical gradients disagree."""


def _evaluate(f: ScalarFn, xs: Sequence[float]) -> float:
    with no_grad():
        out = f(*[Value(x) for x in xs])
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    return out.data


def numerical_grad(f: ScalarFn, inputs: Sequence[Operand], eps: float = 1e-6) -> list[float]:
    """∂f/∂xᵢ for each input by central differences: (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε."""
    if not eps > 0.0:
        raise ValueError(f"numerical_grad: eps must be > 0, got {eps!r}")
    base = [as_value(x).data for x in inputs]
    grads = []
    for i in range(len(base)):
        plus = list(base)
        minus = list(base)
        plus[i] += eps
        minus[i] -= eps
        grads.append((_evaluate(f, plus) - _evaluate(f, minus)) / (2.0 * eps))
    return grads


def analytic_grad(f: ScalarFn, inputs: Sequence[Operand]) -> list[float]:
    """∂f/∂xᵢ for each input from one backward() on fresh leaves."""
    leaves = [Value(as_value(x).data) for x in inputs]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()
    return [leaf.grad for leaf in leaves]


def compare(
    pairs: Sequence[tuple[str, float, float]], atol: float, rtol: float, label: str = "input"
) -> tuple[bool, str]:
    """Check (name, analytic, numeric) triples: |a − n| ≤ atol + rtol·|n| for each.

    Returns whether all pass and a readable table with a mismatch mark per failing row.
    """
    width = max([8, *(len(name) for name, _, _ in pairs)])
    header = f"{label:>{width}} {'analytic':>22} {'numeric':>22} {'abs err':>10} {'rel err':>10}"
    lines = [header, "-" * len(header)]
    ok = True
    for name, a, n in pairs:
        abs_err = abs(a - n)
        rel_err = abs_err / abs(n) if n != 0.0 else (0.0 if abs_err == 0.0 else float("inf"))
        bad = not abs_err <= atol + rtol * abs(n)  # written so that NaN counts as a mismatch
        ok = ok and not bad
        mark = "  <-- mismatch" if bad else ""
        lines.append(
            f"{name:>{width}} {a:>22.15g} {n:>22.15g} {abs_err:>10.2e} {rel_err:>10.2e}{mark}"
        )
    return ok, "\n".join(lines)


def gradcheck(
    f: ScalarFn,
    inputs: Sequence[Operand],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compare backward() with central differences for f(*inputs) -> scalar Value.

    Passes when |analytic − numeric| ≤ atol + rtol·|numeric| for every input. Returns True;
    on a mismatch raises GradcheckError with a per-input table (or returns False when
    ``raise_exception=False``).
    """
    analytic = analytic_grad(f, inputs)
    numeric = numerical_grad(f, inputs, eps)
    pairs = [(f"x[{i}]", a, n) for i, (a, n) in enumerate(zip(analytic, numeric))]
    ok, table = compare(pairs, atol, rtol)
    if not ok and raise_exception:
        raise GradcheckError(
            f"gradcheck: backward() disagrees with central differences "
            f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g})\n{table}"
        )
    return ok
