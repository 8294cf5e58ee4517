"""How close is right: hand work to the digits written, code at its own dtype's precision.

**Hand work** (``check_gradients``, ``Worksheet.check``): a number a person wrote is right
when it agrees with the exact value to the digits written — within one unit of its last
written digit, since rounding carried through a calculation by hand moves the last digit
(the lesson's textbook 0.112 for ∂L/∂b = 0.111424 is 0.450 · 0.248 rounded). A number
written more coarsely than :data:`MIN_DIGITS` significant digits *and* :data:`MIN_DECIMALS`
decimals is read as if padded with zeros to whichever of the two is
coarser: ``0.45`` is read as ``0.450``, ``0.06`` as ``0.060``, ``12`` as ``12.0``, ``0`` as
``0.000`` — so the textbook's 3-decimal rounding (0.056 for 0.055712) passes and ``0.1`` for
0.0557 does not. An answer within the code tolerance is always right. A teacher may set
``digits=k`` (agree with the exact value to k significant digits) or ``tol=t``
(|got − exact| ≤ t·max(1, |exact|)) instead.

**Code** (rules, backward passes, delta equations) is judged tightly, at the precision of
what it returned: float64 at ``CODE_RTOL``; float32 (PyTorch's default) and float16 at a few
hundred units of their own rounding (:func:`code_rtol`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MIN_DIGITS = 3
MIN_DECIMALS = 3
CODE_RTOL = 1e-9
_LOW_PRECISION = {"float32": 2.0**-23, "float16": 2.0**-10, "bfloat16": 2.0**-7}
_ULPS = 256.0  # rounding of a short computation in the learner's dtype, with room to spare


def code_rtol(dtype_name: str | None, base: float = CODE_RTOL) -> float:
    """The relative tolerance for code that computed in ``dtype_name`` (None: float64).

    >>> code_rtol(None), code_rtol("float32")
    (1e-09, 3.0517578125e-05)
    """
    eps = _LOW_PRECISION.get(dtype_name or "")
    return base if eps is None else max(base, _ULPS * eps)


def dtype_of(x: object) -> str | None:
    """'float32' / 'float16' / 'bfloat16' for a low-precision NumPy or torch value, else None."""
    name = str(getattr(x, "dtype", "")).replace("torch.", "")
    return name if name in _LOW_PRECISION else None


def written_digits(text: str) -> tuple[int, int] | None:
    """(significant digits, exponent of the last written digit) of a written number.

    >>> written_digits("0.0557"), written_digits("-1.60275"), written_digits("1e-3")
    ((3, -4), (6, -5), (1, -3))
    """
    try:
        d = Decimal(text.strip().replace("−", "-"))
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    _, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    # Decimal keeps no leading zeros: every digit left is significant, unless all are 0
    return (0 if not any(digits) else len(digits)), exponent


def read_exponent(text: str) -> int | None:
    """The exponent of the last digit an answer is read to (see the module's policy).

    >>> read_exponent("0.45"), read_exponent("0.056"), read_exponent("-1.60275"), read_exponent("0")
    (-3, -3, -5, -3)
    """
    parsed = written_digits(text)
    if parsed is None:
        return None
    significant, last = parsed
    if significant == 0:  # a written zero: read to MIN_DECIMALS decimals
        return min(last, -MIN_DECIMALS)
    top = last + significant - 1
    return min(last, max(top - MIN_DIGITS + 1, -MIN_DECIMALS))


@dataclass(frozen=True)
class HandTolerance:
    """The hand-work policy, or a teacher's ``digits=`` / ``tol=`` in its place."""

    digits: int | None = None
    tol: float | None = None

    def allowed(self, got: float, text: str, exact: float) -> float:
        """The largest |got − exact| accepted for an answer written as ``text``."""
        code = CODE_RTOL * max(1.0, abs(exact))
        if self.tol is not None:
            return max(code, self.tol * max(1.0, abs(exact)))
        if self.digits is not None:
            if exact == 0.0:
                return max(code, 0.5 * 10.0 ** (-self.digits))
            top = math.floor(math.log10(abs(exact)))
            return max(code, 0.5 * 10.0 ** (top - self.digits + 1))
        last = read_exponent(text)
        if last is None:
            return code
        return max(code, 10.0**last * (1.0 + 1e-9))

    def accepts(self, got: float | None, text: str, exact: float) -> bool:
        if got is None or math.isnan(got):
            return False
        if math.isinf(got) or math.isinf(exact):
            return got == exact
        return abs(got - exact) <= self.allowed(got, text, exact)

    def statement(self, shown: list[str]) -> str:
        """The policy in one line, with the precision these answers were read at."""
        if self.tol is not None:
            return f"set by the teacher: |got − exact| ≤ {self.tol:g}·max(1, |exact|)"
        if self.digits is not None:
            return f"set by the teacher: right to {self.digits} significant digits"
        counts = []
        for t in shown:
            p, last = written_digits(t), read_exponent(t)
            if p is not None and p[0] > 0 and last is not None:
                counts.append(p[1] + p[0] - last)  # leading digit's exponent − last + 1
        span = ""
        if counts:
            lo, hi = min(counts), max(counts)
            span = f"; these answers were read to {lo}" + (f"–{hi}" if hi > lo else "")
            span += " significant digits"
        return (
            "hand work: right when it agrees with the exact value to the digits written "
            f"(within one unit of the last digit; a number is read to at least {MIN_DIGITS} "
            f"significant digits or {MIN_DECIMALS} decimals, whichever is coarser){span}"
        )


def number_text(x: float) -> str:
    """The digits a float shows (its shortest repr): what a person wrote as a float.

    >>> number_text(0.45), number_text(3)
    ('0.45', '3')
    """
    return repr(x) if isinstance(x, float) else str(x)
