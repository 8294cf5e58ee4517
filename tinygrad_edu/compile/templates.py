"""Each primitive's forward and local derivatives as code, and the stop-gradient ``data_max``.

A primitive without a template is called through its own ``forward`` and ``rule``, so every op
of the table compiles.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .. import ops
from ..engine import Value, apply
from ..ops import Primitive

Fwd = Callable[[Primitive, list[str]], str]
Loc = Callable[[Primitive, list[str], str], list[str]]

_SUM_IS_PLAIN = sys.version_info < (3, 12)  # 3.12 made sum() of floats compensated


def _dot_forward(op: Primitive, a: list[str]) -> str:
    n = (len(a) - 1) // 2
    products = [f"{w} * {x}" for w, x in zip(a[:n], a[n : 2 * n])]
    if _SUM_IS_PLAIN:
        # sum() adds left to right from 0: the same roundings as the written-out chain
        return " + ".join(["0.0", *products, a[2 * n]])
    return f"_sum(({', '.join(products)},)) + {a[2 * n]}" if products else f"0 + {a[2 * n]}"


def _dot_locals(op: Primitive, a: list[str], out: str) -> list[str]:
    n = (len(a) - 1) // 2
    return [*a[n : 2 * n], *a[:n], "1.0"]


def _powc_forward(op: Primitive, a: list[str]) -> str:
    return f"{a[0]} ** {op.params[0]!r}"


def _powc_locals(op: Primitive, a: list[str], out: str) -> list[str]:
    n = op.params[0]
    if n == 0.0:
        return ["0.0"]
    if n == 1.0:
        return ["1.0"]
    return [f"{n!r} * {a[0]} ** {n - 1.0!r}"]


def _powc_has_template(op: Primitive) -> bool:
    # an integer exponent never turns a negative base complex; others go through op.forward
    return float(op.params[0]).is_integer()


def _unary(fn: str) -> Fwd:
    return lambda op, a: f"{fn}({a[0]})"


def _const(*texts: str) -> Loc:
    return lambda op, a, out: list(texts)


# name -> (forward code, local-derivative code); {a} are the parents' names, out the node's.
# Each is written to give exactly the floats of the entry's forward and rule in ops.py.
TEMPLATES: dict[str, tuple[Fwd, Loc]] = {
    "add": (lambda op, a: f"{a[0]} + {a[1]}", _const("1.0", "1.0")),
    "mul": (lambda op, a: f"{a[0]} * {a[1]}", lambda op, a, out: [a[1], a[0]]),
    "neg": (lambda op, a: f"-{a[0]}", _const("-1.0")),
    "sum": (lambda op, a: f"_fsum(({', '.join(a)},))", lambda op, a, out: ["1.0"] * len(a)),
    "dot": (_dot_forward, _dot_locals),
    "powc": (_powc_forward, _powc_locals),
    "exp": (_unary("_exp"), lambda op, a, out: [out]),
    "log": (_unary("_log"), lambda op, a, out: [f"1.0 / {a[0]}"]),
    "tanh": (_unary("_tanh"), lambda op, a, out: [f"1.0 - {out} * {out}"]),
    "relu": (
        lambda op, a: f"(0.0 if {a[0]} <= 0.0 else {a[0]})",
        lambda op, a, out: [f"(1.0 if {a[0]} > 0.0 else 0.0)"],
    ),
    "log1p": (_unary("_log1p"), lambda op, a, out: [f"1.0 / (1.0 + {a[0]})"]),
    "sin": (_unary("_sin"), lambda op, a, out: [f"_cos({a[0]})"]),
    "cos": (_unary("_cos"), lambda op, a, out: [f"-_sin({a[0]})"]),
    "sigmoid": (
        lambda op, a: f"_sigmoid({a[0]})",
        lambda op, a, out: [f"{out} * (1.0 - {out})"],
    ),
}

# what the templates call: the same math functions the table's forwards use
NAMESPACE: dict[str, Any] = {
    "_sum": sum,
    "_fsum": math.fsum,
    "_exp": math.exp,
    "_log": math.log,
    "_tanh": math.tanh,
    "_log1p": math.log1p,
    "_sin": math.sin,
    "_cos": math.cos,
    "_sigmoid": ops.sigmoid.forward,
    "_max": max,
}


def _max_forward(*xs: float) -> float:
    """f(x₁…xₙ) = max xᵢ, as a constant shift.   ∂f/∂xᵢ = 0 (stops the gradient)."""
    return max(xs)


def _max_rule(out: Any, *xs: Any) -> tuple[float, ...]:
    return (0.0,) * len(xs)


DATA_MAX = Primitive(
    "data_max", "max", _max_forward, _max_rule, -1, derivatives=("0",), domain=(-3.0, 3.0)
)
TEMPLATES["data_max"] = (
    lambda op, a: f"_max(({', '.join(a)},))",
    lambda op, a, out: ["0.0"] * len(a),
)


def data_max(values: Sequence[Value]) -> Value:
    """The largest value as a node with zero gradient: a softmax shift a trace can follow.

    ``z - max(v.data for v in zs)`` freezes the shift when traced; ``z - data_max(zs)``
    computes the same floats and gradients, and a replay recomputes it.

    >>> data_max([Value(1.0), Value(3.0), Value(2.0)]).data
    3.0
    """
    if not values:
        raise ValueError("data_max: needs at least one value")
    return apply(DATA_MAX, *values)


def has_template(op: Primitive) -> bool:
    """Whether ``op`` is written out from ``TEMPLATES`` (else it is called through its rule)."""
    if op.name not in TEMPLATES:
        return False
    if op.name == "powc":
        return _powc_has_template(op)
    return op is ops.TABLE.get(op.name) or op.name in ("powc", "data_max")
