"""check_rule: a learner's local-derivative rule against the table's, on seeded awkward inputs.

Every primitive of ``ops.TABLE`` is checkable, generated from its entry (forward, rule,
derivative text, domain, kinks, parameters), plus the composites ``sub`` and ``div``: a new
primitive needs no tutor edit. n-ary primitives are checked at a fixed size (``sum`` of
three inputs; ``dot`` of two weights, two inputs and a bias).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import checks, ops
from . import sandbox
from .report import Report, Wrong, fmt
from .tolerance import CODE_RTOL, code_rtol, dtype_of

N_RANDOM = 12
RULE_RTOL = CODE_RTOL
TOLERANCE = f"|got − expected| ≤ {RULE_RTOL:g}·max(1, |expected|) at every input (float64)"
_NARY_SIZE = {"sum": 3, "dot": 5}  # dot: w1, w2, x1, x2, b

Ref = Callable[..., tuple[float, ...]]


@dataclass(frozen=True)
class RuleSpec:
    """What check_rule knows about one op: forward, reference rule, where to sample."""

    name: str
    arity: int
    forward: Callable[..., float]
    reference: Ref  # (out, *xs) -> one derivative per input
    domain: tuple[float, float]
    awkward: tuple[tuple[float, ...], ...]  # domain ends, 0, far out, either side of a kink
    formula: str
    kinks: tuple[float, ...] = ()
    arg_names: tuple[str, ...] = ("x",)
    derivatives: tuple[str, ...] = ()  # the table's texts of ∂out/∂input


def _valid(forward: Callable[..., float], ref: Ref, xs: tuple[float, ...]) -> bool:
    try:
        out = forward(*xs)
        return math.isfinite(out) and all(math.isfinite(float(d)) for d in ref(out, *xs))
    except (ArithmeticError, ValueError, TypeError):
        return False


def _awkward(
    forward: Callable[..., float],
    ref: Ref,
    arity: int,
    lo: float,
    hi: float,
    kinks: Sequence[float],
) -> tuple[tuple[float, ...], ...]:
    """Domain ends, the middle, 0, far outside (where valid) and either side of each kink."""
    singles = [lo, hi, (lo + hi) / 2, 0.0, -hi, 4.0 * lo, 4.0 * hi]
    for k in kinks:
        singles += [k - 1e-3, k + 1e-3]
    pts: list[tuple[float, ...]]
    if arity == 1:
        pts = [(v,) for v in singles]
    else:
        pts = [tuple(singles[(i + j) % len(singles)] for j in range(arity)) for i in range(7)]
    valid = (p for p in pts if _valid(forward, ref, p) and not (arity == 1 and p[0] in kinks))
    return tuple(dict.fromkeys(valid))  # a kink itself is checked apart, as a convention


def _formula(p: ops.Primitive) -> str:
    text = ", ".join(p.derivatives)
    if len(p.derivatives) > 1:
        text = f"({text})"
    if p.params:
        text += " with " + ", ".join(f"{n} = {v:g}" for n, v in zip(p.param_names, p.params))
    return text


def _arg_names(arity: int, name: str) -> tuple[str, ...]:
    if name == "dot":
        return ("w1", "w2", "x1", "x2", "b")
    if arity == 1:
        return ("x",)
    if arity == 2:
        return ("a", "b")
    return tuple(f"x{i + 1}" for i in range(arity))


def _spec(p: ops.Primitive) -> RuleSpec:
    arity = p.arity if p.arity > 0 else _NARY_SIZE.get(p.name, 3)
    lo, hi = p.domain or (-3.0, 3.0)
    return RuleSpec(
        p.name, arity, p.forward, p.rule, (lo, hi),
        _awkward(p.forward, p.rule, arity, lo, hi, p.kinks), _formula(p), p.kinks,
        _arg_names(arity, p.name), p.derivatives,
    )  # fmt: skip


def _sub_forward(a: float, b: float) -> float:
    return a - b


def _div_forward(a: float, b: float) -> float:
    return a / b


def _sub_rule(out: float, a: float, b: float) -> tuple[float, float]:
    return (1.0, -1.0)


def _div_rule(out: float, a: float, b: float) -> tuple[float, float]:
    return (1.0 / b, -a / (b * b))


def _composites() -> list[RuleSpec]:
    out = []
    for name, fwd, rule, formula, awkward in (
        ("sub", _sub_forward, _sub_rule, "(1, −1)", ((0.0, 0.0), (-3.0, 4.0))),
        ("div", _div_forward, _div_rule, "(1/b, −a/b²)", ((1.0, 0.1), (-2.0, -0.1), (3.0, -4.0))),
    ):
        out.append(RuleSpec(name, 2, fwd, rule, (-5.0, 5.0), awkward, formula, (), ("a", "b")))
    return out


def rule_specs() -> dict[str, RuleSpec]:
    """One spec per primitive of ``ops.TABLE`` (generated) and the composites sub, div."""
    specs = {name: _spec(p) for name, p in ops.TABLE.items()}
    specs.update((s.name, s) for s in _composites())
    return specs


RULES: dict[str, RuleSpec] = rule_specs()


def _points(spec: RuleSpec, seed: int) -> list[tuple[float, ...]]:
    rng = random.Random(seed)
    lo, hi = spec.domain
    pts: list[tuple[float, ...]] = []
    while len(pts) < N_RANDOM:
        p = tuple(rng.uniform(lo, hi) for _ in range(spec.arity))
        if spec.name == "div" and abs(p[1]) <= 0.1:  # keep random divisors away from 0
            p = (p[0], 0.5)
        if _valid(spec.forward, spec.reference, p):
            pts.append(p)
    kinks = [(k,) for k in spec.kinks] if spec.arity == 1 else []
    return [*spec.awkward, *kinks, *pts]


def _read(result: object, arity: int) -> tuple[tuple[float, ...] | None, str | None, str]:
    """(floats, low-precision dtype or None, what was wrong) from a learner's result."""
    low = dtype_of(result)
    if arity == 1 and not isinstance(result, (str, bytes)) and not hasattr(result, "__len__"):
        x, why = sandbox.as_number(result)
        return ((x,) if x is not None else None), low, why
    if isinstance(result, (str, bytes)) or not hasattr(result, "__iter__"):
        return None, low, sandbox.describe(result)
    items: list[Any] = []
    for item in result:
        items.append(item)
        if len(items) > arity:
            break
    if hasattr(result, "reshape") and len(items) == 1 and arity > 1:
        items = list(result.reshape(-1))
    if len(items) == 1 and hasattr(items[0], "__len__") and arity > 1:
        items = list(items[0])[: arity + 1]
    got = []
    for item in items:
        low = low or dtype_of(item)
        x, why = sandbox.as_number(item)
        if x is None:
            return None, low, f"an item that is {why}"
        got.append(x)
    if len(got) != arity:
        return None, low, f"{len(got)}{'+' if len(got) > arity else ''} numbers"
    return tuple(got), low, ""


def _candidates(spec: RuleSpec) -> list[tuple[str, Ref]]:
    """The reference with each catalogued mistake applied: (code, wrong rule)."""
    ref, fwd = spec.reference, spec.forward
    out: list[tuple[str, Ref]] = []
    for i in range(spec.arity):

        def flipped(o: float, *xs: float, i: int = i) -> tuple[float, ...]:
            r = list(ref(o, *xs))
            r[i] = -r[i]
            return tuple(r)

        out.append(("sign", flipped))
    if spec.arity == 1:
        if any("out" in d for d in spec.derivatives):  # f′ written in out, applied to out
            out.append(("derivative-at-output", lambda o, x: ref(fwd(o), o)))
        out.append(("input-instead-of-output", lambda o, x: ref(x, x)))
        out.append(("output-instead-of-input", lambda o, x: ref(o, o)))
    elif spec.arity == 2:
        out.append(("reversed-operands", lambda o, a, b: tuple(reversed(ref(o, a, b)))))
        out.append(("reversed-operands", lambda o, a, b: ref(fwd(b, a), b, a)))
    if spec.name == "dot":
        out.append(("reversed-operands", lambda o, *xs: ref(o, *xs[2:4], *xs[:2], xs[4])))
    return out


Answer = tuple[tuple[float, ...], float, tuple[float, ...]]


def _fits(cand: Ref, answers: Sequence[Answer], rtol: float) -> bool:
    for xs, o, got in answers:
        try:
            want = cand(o, *xs)
        except (ArithmeticError, ValueError):
            return False
        if not all(_close(g, float(w), rtol) for g, w in zip(got, want)):
            return False
    return bool(answers)


def _close(got: float, expected: float, rtol: float = RULE_RTOL) -> bool:
    if math.isnan(got) or math.isnan(expected):
        return math.isnan(got) and math.isnan(expected)
    return abs(got - expected) <= rtol * max(1.0, abs(expected))


def _at(spec: RuleSpec, xs: tuple[float, ...], out: float) -> str:
    inputs = ", ".join(f"{n} = {fmt(v)}" for n, v in zip(spec.arg_names, xs))
    return f"{inputs} (out = {fmt(out)})"


def _kink_interval(spec: RuleSpec, k: float) -> tuple[float, float]:
    sides = [float(spec.reference(spec.forward(k + d), k + d)[0]) for d in (-1e-9, 1e-9)]
    return min(sides), max(sides)


_ADVICE = {
    "sign": "Check the sign of that derivative.",
    "input-instead-of-output": "Your formula is written in the output out, but you fed it "
    "the input x.",
    "output-instead-of-input": "Your formula is right but you fed it the output; it needs x.",
    "derivative-at-output": "out is already the activation: the derivative in terms of it is "
    "{formula}, without applying the function to out again.",
    "reversed-operands": "The derivatives are swapped: ∂out/∂a goes with the first input.",
}


def check_rule(
    op_name: str, my_rule: Callable[..., Any], seed: int = 0, *, timeout: float = 5.0
) -> Report:
    """Check ``my_rule(x, out)`` (or ``my_rule(a, b, out)`` → a pair) against op ``op_name``.

    Sampled at seeded random inputs across the op's domain and at awkward ones (domain
    ends, far out, either side of a kink, the kink itself — where any subgradient passes,
    with a note); the first wrong input is named, and the likely mistake. The rule may return
    a number (one input) or any sequence of numbers: a tuple, a list, a NumPy array;
    float32 results are compared at float32 precision. Every call runs under ``timeout``
    seconds.

    >>> r = check_rule("tanh", lambda x, out: 1 - out**2)
    >>> r.ok, r.diagnosis
    (True, None)
    >>> check_rule("tanh", lambda x, out: 1 - x**2).diagnosis
    'input-instead-of-output'
    """
    for key, entry in ops.TABLE.items():  # a primitive registered since import is checkable
        if key not in RULES:
            RULES[key] = _spec(entry)
    name = checks.one_of(op_name, "check_rule", "op_name", sorted(RULES))
    if not callable(my_rule):
        raise TypeError(f"check_rule: my_rule must be a function, got {checks.show(my_rule)}")
    seconds = checks.positive(timeout, "check_rule", "timeout")
    spec = RULES[name]
    seed_ = checks.seed(seed, "check_rule") or 0
    title = f"check_rule({name!r})"
    pts = _points(spec, seed_)
    awkward = ", ".join("(" + ", ".join(f"{v:g}" for v in xs) + ")" for xs in spec.awkward)
    kinks = f", the kinks {', '.join(f'{k:g}' for k in spec.kinks)}" if spec.kinks else ""
    checked: tuple[str, ...] = (
        f"{len(pts)} inputs: awkward {awkward}{kinks}, and {N_RANDOM} random in "
        f"[{spec.domain[0]:g}, {spec.domain[1]:g}] (seed {seed_})",
        f"reference: ∂out/∂input = {spec.formula}",
    )
    answers: list[Answer] = []
    wrong: list[tuple[Wrong, tuple[float, ...]]] = []
    notes: list[str] = []
    low: str | None = None

    def fail(
        where: str, want: float, code: str | None, hint: str, extra: tuple[str, ...] = ()
    ) -> Report:
        return Report(
            title, False, _tolerance(low), checked, Wrong(where, want, None), code, hint, 1,
            extra, (where,), (code,) if code else (),
        )  # fmt: skip

    outs = [spec.forward(*xs) for xs in pts]
    results: list[tuple[tuple[float, ...] | None, str | None, str]] = []
    raised: list[BaseException] = []

    def calls() -> None:
        for xs, out in zip(pts, outs):
            try:
                raw = my_rule(*xs, out)
            except Exception as err:  # the learner's code: an error is an answer to report
                raised.append(err)
                return
            results.append(_read(raw, spec.arity))

    res = sandbox.run(calls, seconds)
    patched = _patched_note(res.patched)
    k = len(results)  # the input being worked on when it stopped
    if k < len(pts) or res.error is not None:
        xs, out = pts[min(k, len(pts) - 1)], outs[min(k, len(pts) - 1)]
        want0 = float(spec.reference(out, *xs)[0])
        where = _at(spec, xs, out)
        if res.timed_out:
            return fail(
                f"{name} rule at {where}", want0, "did-not-finish",
                f"Your rule did not finish within {seconds:g} s at {where}: probably a loop "
                f"that never ends.{res.note}", patched,
            )  # fmt: skip
        err = raised[0] if raised else res.error
        return fail(
            f"{name} rule at {where}", want0, None,
            f"Your rule raised {type(err).__name__}: {sandbox.describe(str(err))[1:-1]} "
            f"at {where}.", patched,
        )  # fmt: skip
    for xs, out, (got, dtype, problem) in zip(pts, outs, results):
        want = tuple(float(w) for w in spec.reference(out, *xs))
        where = _at(spec, xs, out)
        if got is None:
            shape = "a number" if spec.arity == 1 else f"{spec.arity} numbers (a tuple or list)"
            code = "missing-answer" if problem.startswith("a NoneType") else None
            return fail(
                f"{name} rule at {where}", want[0], code,
                f"Your rule returned {problem}; it should return {shape}.", patched,
            )  # fmt: skip
        if patched:
            return fail(f"{name} rule at {where}", want[0], "changed-the-library",
                        "Your rule changed the library while it ran.", patched)  # fmt: skip
        low = low or dtype
        rtol = code_rtol(low, RULE_RTOL)
        if spec.arity == 1 and xs[0] in spec.kinks:
            lo, hi = _kink_interval(spec, xs[0])
            if lo - rtol <= got[0] <= hi + rtol:
                if not _close(got[0], want[0], rtol):
                    notes.append(
                        f"at the kink x = {xs[0]:g} your rule gives {fmt(got[0])}: any value in "
                        f"[{fmt(lo)}, {fmt(hi)}] is a valid subgradient there (a convention); "
                        f"the library uses {fmt(want[0])}, as PyTorch does"
                    )
                continue
        answers.append((xs, out, got))
        bad = [i for i, (g, w) in enumerate(zip(got, want)) if not _close(g, w, rtol)]
        if bad:
            i = bad[0]
            edge = "" if spec.arity == 1 else f" ∂out/∂{spec.arg_names[i]}"
            wrong.append((Wrong(f"{name}{edge} at {where}", want[i], got[i]), xs))
    tol = _tolerance(low)
    notes = list(dict.fromkeys(notes))
    if not wrong:
        return Report(title, True, tol, checked, extra=tuple(notes))
    rtol = code_rtol(low, RULE_RTOL)
    code = next((c for c, cand in _candidates(spec) if _fits(cand, answers, rtol)), None)
    first = wrong[0][0]
    hint = f"At {first.where.split(' at ', 1)[1]} your rule gives {fmt(first.got)} but the "
    hint += f"derivative is {fmt(first.expected)} ({spec.formula})."
    if len(wrong) > 1:
        hint += f" {len(wrong)} of the {len(pts)} inputs are wrong."
    if code is not None:
        hint += " " + _ADVICE[code].format(formula=spec.formula)
    return Report(
        title, False, tol, checked, first, code, hint, len(wrong), tuple(notes),
        tuple(w.where for w, _ in wrong), (code,) if code else (),
    )  # fmt: skip


def _tolerance(low: str | None) -> str:
    if low is None:
        return TOLERANCE
    return (
        f"|got − expected| ≤ {code_rtol(low, RULE_RTOL):g}·max(1, |expected|) at every input "
        f"(your rule returned {low}: compared at {low} precision)"
    )


def _patched_note(patched: tuple[str, ...]) -> tuple[str, ...]:
    if not patched:
        return ()
    shown = ", ".join(patched[:5]) + (" …" if len(patched) > 5 else "")
    return (f"your code replaced {shown}; the tutor put it back",)
