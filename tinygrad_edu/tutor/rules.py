"""check_rule: a learner's local-derivative rule against the table's, on seeded awkward inputs."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import checks, ops
from .report import Report, Wrong, fmt

RULE_RTOL = 1e-9
TOLERANCE = f"|got − expected| ≤ {RULE_RTOL:g}·max(1, |expected|) at every input"
N_RANDOM = 12

Ref = Callable[..., tuple[float, ...]]


def _sub_forward(a: float, b: float) -> float:
    return a - b


def _div_forward(a: float, b: float) -> float:
    return a / b


@dataclass(frozen=True)
class RuleSpec:
    """What check_rule knows about one op: forward, reference rule, where to sample."""

    name: str
    arity: int
    forward: Callable[..., float]
    reference: Ref  # (out, *xs) -> one derivative per input
    domain: tuple[float, float]
    awkward: tuple[tuple[float, ...], ...]  # near kinks, large |x|, negative bases, ...
    formula: str


def _table(name: str, awkward: tuple[tuple[float, ...], ...], formula: str) -> RuleSpec:
    p = ops.TABLE[name]
    assert p.domain is not None
    return RuleSpec(name, p.arity, p.forward, p.rule, p.domain, awkward, formula)


_CUBE = ops.powc(3.0)

RULES: dict[str, RuleSpec] = {
    s.name: s
    for s in [
        _table("tanh", ((0.0,), (-4.0,), (20.0,), (-20.0,)), "1 − tanh²x = 1 − out²"),
        _table("sigmoid", ((0.0,), (-8.0,), (30.0,), (-30.0,)), "σ(x)(1 − σ(x)) = out(1 − out)"),
        _table("exp", ((0.0,), (-10.0,), (8.0,)), "eˣ = out"),
        _table("log", ((1e-3,), (0.5,), (50.0,)), "1/x"),
        _table("relu", ((1e-3,), (-1e-3,), (25.0,), (-25.0,)), "1 if x > 0 else 0"),
        _table("abs", ((1e-3,), (-1e-3,), (-25.0,)), "sign(x)"),
        _table("sqrt", ((1e-3,), (40.0,)), "1/(2√x) = 0.5/out"),
        _table("sin", ((0.0,), (math.pi / 2,), (-20.0,)), "cos x"),
        _table("cos", ((0.0,), (math.pi,), (-20.0,)), "−sin x"),
        _table("softplus", ((0.0,), (-30.0,), (30.0,)), "σ(x)"),
        _table("neg", ((0.0,), (-7.0,)), "−1"),
        _table("add", ((0.0, 0.0), (-7.0, 3.0)), "(1, 1)"),
        _table("mul", ((0.0, 2.0), (-3.0, -0.5), (40.0, 0.25)), "(b, a)"),
        _table("pow", ((0.25, 3.0), (2.0, -1.5), (1.0, 2.0)), "(b·aᵇ⁻¹, aᵇ·ln a)"),
        RuleSpec(
            "powc",
            1,
            _CUBE.forward,
            _CUBE.rule,
            (-3.0, 3.0),
            ((-2.5,), (-0.5,), (0.0,)),
            "3x² (x³, negative bases included)",
        ),
        RuleSpec(
            "sub",
            2,
            _sub_forward,
            lambda out, a, b: (1.0, -1.0),
            (-5.0, 5.0),
            ((0.0, 0.0), (-3.0, 4.0)),
            "(1, −1)",
        ),
        RuleSpec(
            "div",
            2,
            _div_forward,
            lambda out, a, b: (1.0 / b, -a / (b * b)),
            (-5.0, 5.0),
            ((1.0, 0.1), (-2.0, -0.1), (3.0, -4.0)),
            "(1/b, −a/b²)",
        ),
    ]
}


def _points(spec: RuleSpec, seed: int) -> list[tuple[float, ...]]:
    rng = random.Random(seed)
    lo, hi = spec.domain
    pts = [tuple(rng.uniform(lo, hi) for _ in range(spec.arity)) for _ in range(N_RANDOM)]
    if spec.name == "div":  # keep random divisors away from 0
        pts = [(a, b if abs(b) > 0.1 else 0.5) for a, b in pts]
    return [*spec.awkward, *pts]


def _close(got: float, expected: float) -> bool:
    return abs(got - expected) <= RULE_RTOL * max(1.0, abs(expected))


def _as_tuple(result: object, arity: int) -> tuple[float, ...] | None:
    """The learner's result as floats (a bare number for one input), or None if unusable."""
    if arity == 1 and checks.is_real(result):
        return (float(result),)  # type: ignore[arg-type]
    if (
        isinstance(result, (tuple, list))
        and len(result) == arity
        and all(checks.is_real(r) for r in result)
    ):
        return tuple(float(r) for r in result)
    return None


def _candidates(spec: RuleSpec) -> list[tuple[str, Ref]]:
    """The reference with each catalogued mistake applied: (code, wrong rule)."""
    ref = spec.reference
    out: list[tuple[str, Ref]] = []
    for i in range(spec.arity):

        def flipped(o: float, *xs: float, i: int = i) -> tuple[float, ...]:
            r = list(ref(o, *xs))
            r[i] = -r[i]
            return tuple(r)

        out.append(("sign", flipped))
    if spec.arity == 1:
        out.append(("input-instead-of-output", lambda o, x: ref(x, x)))
        out.append(("output-instead-of-input", lambda o, x: ref(o, o)))
    else:
        out.append(("reversed-operands", lambda o, a, b: tuple(reversed(ref(o, a, b)))))
        out.append(("reversed-operands", lambda o, a, b: ref(spec.forward(b, a), b, a)))
    return out


def _fits(cand: Ref, answers: Sequence[tuple[tuple[float, ...], float, tuple[float, ...]]]) -> bool:
    for xs, o, got in answers:
        try:
            want = cand(o, *xs)
        except (ArithmeticError, ValueError):
            return False
        if not all(_close(g, float(w)) for g, w in zip(got, want)):
            return False
    return True


def _at(spec: RuleSpec, xs: tuple[float, ...], out: float) -> str:
    names = ("x",) if spec.arity == 1 else ("a", "b")
    inputs = ", ".join(f"{n} = {fmt(v)}" for n, v in zip(names, xs))
    return f"{inputs} (out = {fmt(out)})"


_ADVICE = {
    "sign": "Check the sign of that derivative.",
    "input-instead-of-output": "Your formula is right but you fed it the input x; "
    "it needs the output out.",
    "output-instead-of-input": "Your formula is right but you fed it the output; it needs x.",
    "reversed-operands": "The two derivatives are swapped: ∂out/∂a goes with the first input.",
}


def check_rule(op_name: str, my_rule: Callable[..., Any], seed: int = 0) -> Report:
    """Check ``my_rule(x, out)`` (or ``my_rule(a, b, out)`` → a pair) against op ``op_name``.

    Sampled at seeded random inputs across the op's domain and at awkward ones (near kinks,
    large |x|, negative bases); the first wrong input is named, and the likely mistake.

    >>> r = check_rule("tanh", lambda x, out: 1 - out**2)
    >>> r.ok, r.diagnosis
    (True, None)
    >>> check_rule("tanh", lambda x, out: 1 - x**2).diagnosis
    'input-instead-of-output'
    """
    name = checks.one_of(op_name, "check_rule", "op_name", sorted(RULES))
    if not callable(my_rule):
        raise TypeError(f"check_rule: my_rule must be a function, got {checks.show(my_rule)}")
    spec = RULES[name]
    seed_ = checks.seed(seed, "check_rule") or 0
    title = f"check_rule({name!r})"
    pts = _points(spec, seed_)
    awkward = ", ".join("(" + ", ".join(f"{v:g}" for v in xs) + ")" for xs in spec.awkward)
    checked: tuple[str, ...] = (
        f"{len(pts)} inputs: awkward {awkward} and {N_RANDOM} random in "
        f"[{spec.domain[0]:g}, {spec.domain[1]:g}] (seed {seed_})",
        f"reference: ∂out/∂input = {spec.formula}",
    )
    answers: list[tuple[tuple[float, ...], float, tuple[float, ...]]] = []
    first: Wrong | None = None
    wrong = 0
    for xs in pts:
        out = spec.forward(*xs)
        want = tuple(float(w) for w in spec.reference(out, *xs))
        try:
            raw = my_rule(*xs, out)
        except Exception as err:  # the learner's code: any error is an answer to report
            where = _at(spec, xs, out)
            return Report(
                title,
                False,
                TOLERANCE,
                checked,
                Wrong(f"{name} rule at {where}", want[0], None),
                None,
                f"Your rule raised {type(err).__name__}: {err} at {where}.",
                1,
            )
        got = _as_tuple(raw, spec.arity)
        if got is None:
            shape = "a number" if spec.arity == 1 else "a pair (∂out/∂a, ∂out/∂b)"
            return Report(
                title,
                False,
                TOLERANCE,
                checked,
                Wrong(f"{name} rule at {_at(spec, xs, out)}", want[0], None),
                "missing-answer" if raw is None else None,
                f"Your rule returned {checks.show(raw)}; it should return {shape}.",
                1,
            )
        answers.append((xs, out, got))
        bad = [i for i, (g, w) in enumerate(zip(got, want)) if not _close(g, w)]
        if bad:
            wrong += 1
            if first is None:
                i = bad[0]
                edge = "" if spec.arity == 1 else f" ∂out/∂{'ab'[i]}"
                first = Wrong(f"{name}{edge} at {_at(spec, xs, out)}", want[i], got[i])
    if name in ("relu", "abs"):
        checked += ("not at the kink x = 0 itself, where the slope is a convention (PyTorch: 0)",)
    if first is None:
        return Report(title, True, TOLERANCE, checked)
    code = next((c for c, cand in _candidates(spec) if _fits(cand, answers)), None)
    hint = f"At {first.where.split(' at ', 1)[1]} your rule gives {fmt(first.got)} but the "
    hint += f"derivative is {fmt(first.expected)} ({spec.formula})."
    if code is not None:
        hint += " " + _ADVICE[code]
    return Report(title, False, TOLERANCE, checked, first, code, hint, wrong)
