"""Central finite differences, and gradcheck(): the engine's gradients against them.

f'(x) ≈ (f(x + ε) − f(x − ε)) / 2ε has error O(ε²) from truncation plus O(u/ε) from
rounding (u ≈ 1.1e-16 in float64), so ε ≈ 1e-6 gives about 1e-10 relative accuracy on
smooth functions — tight enough to catch any wrong derivative rule. The quotient divides by
the steps actually taken, (x + ε) − x and x − (x − ε), which floats compute exactly.

When the rounding part alone exceeds gradcheck's tolerance (an ε too small for x), a
disagreement is reported as that, never as an error of backward().
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from . import checks
from .engine import Operand, Value, as_value, chain_rule, no_grad

ScalarFn = Callable[..., Value]


class GradcheckError(AssertionError):
    """Raised by gradcheck() when the analytic and numerical gradients disagree."""


def _evaluate(f: ScalarFn, xs: Sequence[float]) -> float:
    with no_grad():
        out = f(*[Value(x) for x in xs])
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    return out.data


def _points(inputs: object, where: str) -> list[float]:
    """The inputs as floats: a sequence of real numbers or Values (their data)."""
    seq = checks.sequence(inputs, where, "inputs")
    return [
        x.data if isinstance(x, Value) else checks.real(x, where, f"inputs[{i}]")
        for i, x in enumerate(seq)
    ]


def _step(eps: object, base: Sequence[float], where: str) -> float:
    """ε: a finite number > 0 that moves every input (x ± ε ≠ x), or a named error."""
    step = checks.positive(eps, where, "eps")
    for i, x in enumerate(base):
        if x + step == x or x - step == x:
            raise ValueError(
                f"{where}: eps={step!r} is below the float spacing at inputs[{i}] = {x!r} "
                f"(x ± eps == x); use an eps near 1e-6 · max(1, |x|)"
            )
    return step


def numerical_grad(f: ScalarFn, inputs: Sequence[Operand], eps: float = 1e-6) -> list[float]:
    """∂f/∂xᵢ for each input by central differences: (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε.

    >>> numerical_grad(lambda x: x * x, [3.0])[0]  # 2x = 6: for x² the quotient is exact
    6.0
    """
    if not callable(f):
        raise TypeError(f"numerical_grad: f must be callable, got {checks.show(f)}")
    base = _points(inputs, "numerical_grad")
    eps = _step(eps, base, "numerical_grad")
    grads = []
    for i in range(len(base)):
        plus = list(base)
        minus = list(base)
        plus[i] += eps
        minus[i] -= eps
        width = (plus[i] - base[i]) + (base[i] - minus[i])  # the steps taken, exactly
        grads.append((_evaluate(f, plus) - _evaluate(f, minus)) / width)
    return grads


def rounding_error(fx: float, eps: float) -> float:
    """About how far rounding moves a central difference of f: each of f(x ± ε) is off by up
    to u·|f| (u = 2⁻⁵³), so their difference over 2ε by about 2u·|f| / 2ε.

    >>> f"{rounding_error(1.0, 1e-6):.1e}"
    '1.1e-10'
    """
    return 2.0 * 2.0**-53 * abs(fx) / (2.0 * eps)


def analytic_grad(f: ScalarFn, inputs: Sequence[Operand]) -> list[float]:
    """∂f/∂xᵢ for each input from one backward() on fresh leaves.

    >>> analytic_grad(lambda x, y: x * y, [3.0, 4.0])
    [4.0, 3.0]
    """
    return _analytic(f, inputs)[0]


def _analytic(f: ScalarFn, inputs: Sequence[Operand]) -> tuple[list[float], Value]:
    if not callable(f):
        raise TypeError(f"gradcheck: f must be callable, got {checks.show(f)}")
    leaves = [Value(as_value(x).data) for x in _points(inputs, "gradcheck")]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()
    return [leaf.grad for leaf in leaves], out


def nonfinite_local(root: Value) -> str:
    """Where the first non-finite local derivative of ``root``'s graph sits ('' if none).

    >>> nonfinite_local(Value(1e-320).log())
    'the local derivative of log at its input 0 (= 1e-320) is inf'
    """
    for step in chain_rule(root):
        if not math.isfinite(step.local):
            op = step.node.primitive
            name = op.name if op is not None else "?"
            return (
                f"the local derivative of {name} at its input {step.position} "
                f"(= {step.parent.data!r}) is {step.local!r}"
            )
    return ""


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


def _unresolved(
    fx: float,
    base: Sequence[float],
    eps: float,
    pairs: Sequence[tuple[str, float, float]],
    atol: float,
    rtol: float,
) -> str:
    """The failing inputs whose central difference rounding alone puts out of tolerance."""
    names = []
    for x, (name, a, n) in zip(base, pairs):
        tolerance = atol + rtol * abs(n)
        noise = rounding_error(fx, eps)
        if not abs(a - n) <= tolerance and math.isfinite(a) and noise > tolerance / 4:
            names.append(f"{name} = {x!r} (rounding ≈ {noise:.1e}, tolerance {tolerance:.1e})")
    return ", ".join(names)


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
    ``raise_exception=False``). A non-finite gradient names the op whose local derivative
    made it.

    >>> gradcheck(lambda x: x.tanh() * x, [0.3])
    True
    """
    base = _points(inputs, "gradcheck")
    eps = _step(eps, base, "gradcheck")
    atol = checks.in_range(atol, "gradcheck", "atol", 0.0)
    rtol = checks.in_range(rtol, "gradcheck", "rtol", 0.0)
    if not isinstance(raise_exception, bool):
        raise TypeError(f"gradcheck: raise_exception must be a bool, got {raise_exception!r}")
    analytic, root = _analytic(f, inputs)
    numeric = numerical_grad(f, base, eps)
    pairs = [(f"x[{i}]", a, n) for i, (a, n) in enumerate(zip(analytic, numeric))]
    ok, table = compare(pairs, atol, rtol)
    if not ok and raise_exception:
        unresolved = _unresolved(root.data, base, eps, pairs, atol, rtol)
        if unresolved:
            raise GradcheckError(
                f"gradcheck: central differences with eps={eps:g} cannot resolve {unresolved}: "
                "rounding alone moves them by more than the tolerance, so the disagreement "
                "says nothing about backward(); use an eps near 1e-6 · max(1, |x|) (or a "
                "looser atol/rtol)\n" + table
            )
        where = ""
        if not all(math.isfinite(a) for a in analytic):
            where = nonfinite_local(root)
            where = f"; {where}" if where else ""
        raise GradcheckError(
            f"gradcheck: backward() disagrees with central differences "
            f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g}){where}\n{table}"
        )
    return ok
