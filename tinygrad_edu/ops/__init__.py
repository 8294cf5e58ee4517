"""The table of primitives: each one's float forward and its local-derivative rule.

A primitive is the only kind of operation that knows a derivative; everything else (subtraction,
division, the losses, ...) is a composite of these. Each entry has two halves, side by side:
``forward(*xs) -> float`` on plain floats, and ``rule(out, *xs) -> tuple`` giving ∂out/∂xᵢ with
only arithmetic and the ``generic_*`` helpers, so it works on floats and on Values alike.

Rooms: ``table`` (the entry type, ``TABLE``, ``primitive``), ``generic`` (helpers for rules),
``arithmetic``, ``unary`` (the functions f(x)), ``families`` (powc, clamp, leaky_relu),
``comparisons``, ``views`` (generated from the table). Never imports the engine.
"""

from __future__ import annotations

# Import order is registration order: the table keeps the order it has always had.
from .table import INF, TABLE, Primitive, Rule, Scalar, data_of, primitive  # isort: skip
from .generic import generic_cos, generic_log, generic_sigmoid, generic_sin  # isort: skip
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
from .views import function_help, functions, reference_table  # isort: skip

# The primitives' former names, for code written before the naming rule (see
# docs/ARCHITECTURE.md): ``ops.<name>`` is the primitive, ``ops.generic_<name>`` the helper.
sum_ = sum
pow_ = pow
log_ = log
sigmoid_ = sigmoid
abs_ = abs
sin_ = sin
cos_ = cos

__all__ = [
    "INF",
    "TABLE",
    "Primitive",
    "Rule",
    "Scalar",
    "abs",
    "abs_",
    "add",
    "atan",
    "clamp",
    "cos",
    "cos_",
    "data_of",
    "dot",
    "eq",
    "exp",
    "function_help",
    "functions",
    "generic_cos",
    "generic_log",
    "generic_sigmoid",
    "generic_sin",
    "gt",
    "leaky_relu",
    "log",
    "log1p",
    "log_",
    "lt",
    "mul",
    "neg",
    "pow",
    "pow_",
    "powc",
    "primitive",
    "reference_table",
    "relu",
    "sigmoid",
    "sigmoid_",
    "sin",
    "sin_",
    "softplus",
    "sqrt",
    "sum",
    "sum_",
    "tanh",
]
