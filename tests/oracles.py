"""Independent references for the tests: the one place that defines them.

Written with ``math`` only, never with the engine's derivative rules, so that a test comparing
the engine to one of these compares two witnesses:

* ``close`` / ``assert_close``: float comparison with explicit relative and absolute tolerances;
* ``central_differences`` / ``central_difference``: (f(x + ε) − f(x − ε)) / 2ε per argument;
* ``sigmoid``: the logistic function, computed stably on both sides of 0;
* ``evaluate_formula``: a small evaluator for the derivative texts of ``ops.TABLE``
  (``"1 - out**2"``, ``"1 if x > 0 else slope"``): it walks Python's syntax tree of the text
  and allows only numbers, the given names, arithmetic, comparisons, ``if``/``else`` and a
  fixed set of ``math`` functions; it never calls ``eval``.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping, Sequence

EPS = 1e-6  # central differences: truncation ε²·f‴/6 and rounding u·|f|/ε both ≲ 1e-10
CLOSE = 1e-12  # closed forms: a few roundings apart at most


def close(a: float, b: float, rel: float = CLOSE, abs_: float = 1e-300) -> bool:
    """``a`` and ``b`` agree within ``rel`` (relative) or ``abs_`` (absolute)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def assert_close(
    actual: Sequence[float], expected: Sequence[float], rel: float = CLOSE, abs_: float = 1e-300
) -> None:
    """Element by element ``close``; the message names the first index that differs."""
    assert len(actual) == len(expected), (len(actual), len(expected))
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert math.isclose(a, e, rel_tol=rel, abs_tol=abs_), (i, a, e)


def central_difference(f: Callable[[float], float], x: float, eps: float = EPS) -> float:
    """(f(x + ε) − f(x − ε)) / 2ε."""
    return (f(x + eps) - f(x - eps)) / (2.0 * eps)


def central_differences(
    f: Callable[..., float], xs: Sequence[float], eps: float = EPS
) -> list[float]:
    """∂f/∂xᵢ by central differences for each argument of ``f(*xs)``, on plain floats."""
    grads = []
    for i in range(len(xs)):
        plus, minus = list(xs), list(xs)
        plus[i] += eps
        minus[i] -= eps
        grads.append((f(*plus) - f(*minus)) / (2.0 * eps))
    return grads


def sigmoid(z: float) -> float:
    """σ(z) = 1/(1 + e⁻ᶻ), never exponentiating a large positive number."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def sign(x: float) -> float:
    """1, −1 or 0 (the subgradient convention at 0)."""
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


# --------------------------------------------------------------------------- derivative texts
FORMULA_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "cos": math.cos,
    "sin": math.sin,
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sqrt": math.sqrt,
    "sigmoid": sigmoid,
    "sign": sign,
}
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
}


def evaluate_formula(text: str, env: Mapping[str, float]) -> float:
    """The value of a derivative text at the point ``env`` (names → numbers)."""
    return float(_walk(ast.parse(text, mode="eval").body, env))


def _walk(node: ast.expr, env: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _walk(node.operand, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_walk(node.left, env), _walk(node.right, env))
    if isinstance(node, ast.IfExp):
        return _walk(node.body if _test(node.test, env) else node.orelse, env)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        return FORMULA_FUNCTIONS[node.func.id](_walk(node.args[0], env))
    raise ValueError(f"evaluate_formula: unsupported syntax {ast.dump(node)}")


def _test(node: ast.expr, env: Mapping[str, float]) -> bool:
    if not isinstance(node, ast.Compare):
        raise ValueError(f"evaluate_formula: a condition must compare, got {ast.dump(node)}")
    left = _walk(node.left, env)
    for op, right_node in zip(node.ops, node.comparators):
        right = _walk(right_node, env)
        if not _COMPARE[type(op)](left, right):
            return False
        left = right
    return True
