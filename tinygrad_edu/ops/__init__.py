"""The table of primitives: each one's float forward and its local-derivative rule.

A primitive is the only kind of operation that knows a derivative; everything else (subtraction,
division, the losses, ...) is a composite of these. Each entry has two halves, side by side:
``forward(*xs) -> float`` on plain floats, and ``rule(out, *xs) -> tuple`` giving ∂out/∂xᵢ with
only arithmetic and the ``generic_*`` helpers, so it works on floats and on Values alike; it is
compiled from the entry's derivative texts (``rules``), the one source of each derivative.

Rooms: ``table`` (the entry type, ``TABLE``, ``primitive``), ``generic`` (helpers for rules),
``arithmetic``, ``unary`` (the functions f(x)), ``families`` (powc, clamp, leaky_relu),
``comparisons``, ``views`` (generated from the table), ``rules`` (the rules compiled from
the derivative texts), ``codegen`` (Value's generated methods). Never imports the engine.
"""

from __future__ import annotations

# Import order is registration order: the table keeps the order it has always had.
from .table import INF, TABLE, Primitive, Rule, Scalar, data_of  # isort: skip
from .generic import (  # isort: skip
    generic_cos,
    generic_div,
    generic_log,
    generic_pow,
    generic_sigmoid,
    generic_sign,
    generic_sin,
)
from .rules import make_rule, primitive  # isort: skip
from .families import clamp, leaky_relu, powc  # isort: skip
from .arithmetic import add, dot, mul, neg, pow, sum  # isort: skip
from .unary import (  # isort: skip
    abs,
    atan,
    cos,
    exp,
    log,
    log1p,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    tanh,
)
from .comparisons import eq, gt, lt  # isort: skip
from .views import (  # isort: skip
    function_help,
    functions,
    input_names,
    parent_texts,
    reference_table,
    term_count,
)

__all__ = [
    "INF",
    "TABLE",
    "Primitive",
    "Rule",
    "Scalar",
    "abs",
    "add",
    "atan",
    "clamp",
    "cos",
    "data_of",
    "dot",
    "eq",
    "exp",
    "function_help",
    "functions",
    "generic_cos",
    "generic_div",
    "generic_log",
    "generic_pow",
    "generic_sigmoid",
    "generic_sign",
    "generic_sin",
    "gt",
    "input_names",
    "leaky_relu",
    "log",
    "log1p",
    "lt",
    "make_rule",
    "mul",
    "neg",
    "parent_texts",
    "pow",
    "powc",
    "primitive",
    "reference_table",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "sum",
    "tanh",
    "term_count",
]
