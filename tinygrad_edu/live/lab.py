"""The live page's small labs, in Python (run by Pyodide in the page, by CPython in the tests):
the linear-regression simulator, the tutor's code box and the expression box.

Every number the page shows comes from here, that is from the engine: the regression's loss
and gradient are a ``Value`` graph and its ``backward()``, the tutor's verdicts are
``tutor.check_rule`` / ``tutor.check_backward``, and the expression's drawing is the engine's
graph of what the learner typed, parsed by the safe parser ``tinygrad_edu.expr``.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

from .. import checks, expr, tutor
from ..engine import Value, no_grad, topo_order
from ..nary import vsum
from ..tutor.sandbox import run as run_learner_code
from ..viz import draw_dot

MAX_POINTS = 40
MAX_GRID = 60
MAX_CODE = 20_000  # characters of learner code
T = TypeVar("T")


def _points(points: object, where: str) -> list[tuple[float, float]]:
    rows = checks.sequence(points, where, "points")
    if not 1 <= len(rows) <= MAX_POINTS:
        raise ValueError(f"{where}: 1 to {MAX_POINTS} points, got {len(rows)}")
    out = []
    for p in rows:
        xy = checks.sequence(p, where, "a point")
        if len(xy) != 2:
            raise ValueError(f"{where}: a point is [x, y], got {checks.show(p)}")
        out.append((checks.finite(xy[0], where, "x"), checks.finite(xy[1], where, "y")))
    return out


def _mse(points: list[tuple[float, float]], w: Value | float, b: Value | float) -> Value:
    """L(w, b) = mean over the points of (w·x + b − y)², as a graph of Values."""
    terms = [(w * x + b - y) ** 2 for x, y in points]
    return vsum(terms) / len(points)


def regression_step(points: object, w: float, b: float, lr: float) -> dict[str, float]:
    """Loss and gradient of the mean squared error at (w, b), and the gradient-descent step.

    The gradient is the engine's: ``L.backward()`` on the graph of L(w, b). Where the loss
    overflows (a learning rate too big has diverged), every number is NaN.

    >>> r = regression_step([[0, 1], [1, 3]], 0.0, 0.0, 0.1)
    >>> r["loss"], r["dw"], r["db"], r["w_next"], r["b_next"]
    (5.0, -3.0, -4.0, 0.30000000000000004, 0.4)
    """
    where = "regression_step"
    pts = _points(points, where)
    wv = Value(checks.finite(w, where, "w"), "w")
    bv = Value(checks.finite(b, where, "b"), "b")
    lr = checks.finite(lr, where, "lr")
    try:
        loss = _mse(pts, wv, bv)
        loss.backward()
    except OverflowError:  # the engine refuses to overflow: a too-big rate has diverged
        nan = math.nan
        return {"loss": nan, "dw": nan, "db": nan, "w_next": nan, "b_next": nan}
    return {
        "loss": loss.data,
        "dw": wv.grad,
        "db": bv.grad,
        "w_next": wv.data - lr * wv.grad,
        "b_next": bv.data - lr * bv.grad,
    }


def regression_surface(
    points: object, w_range: tuple[float, float], b_range: tuple[float, float], n: int = 40
) -> list[list[float]]:
    """The loss L(w, b) on an n × n grid (rows: b from low to high; columns: w), forward only.

    >>> regression_surface([[1, 1]], (0.0, 2.0), (0.0, 0.0), 3)[0]
    [1.0, 0.0, 1.0]
    """
    where = "regression_surface"
    pts = _points(points, where)
    n = checks.count(n, where, "n", minimum=2)
    if n > MAX_GRID:
        raise ValueError(f"{where}: n must be 2 to {MAX_GRID}, got {n}")
    w0, w1 = (checks.finite(v, where, "w_range") for v in w_range)
    b0, b1 = (checks.finite(v, where, "b_range") for v in b_range)
    grid = []
    with no_grad():
        for i in range(n):
            b = b0 + (b1 - b0) * i / (n - 1)
            grid.append([_mse(pts, Value(w0 + (w1 - w0) * j / (n - 1)), b).data for j in range(n)])
    return grid


def fit_line(points: object) -> tuple[float, float]:
    """The least-squares line (w, b): where gradient descent is going (closed form).

    >>> fit_line([[0, 1], [1, 3], [2, 5]])
    (2.0, 1.0)
    """
    pts = _points(points, "fit_line")
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    w = sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx > 0 else 0.0
    return w, my - w * mx


def check_code(kind: str, source: str, op: str = "tanh", seconds: float = 5.0) -> dict[str, Any]:
    """Run the learner's code and check it with the tutor: ``kind`` "rule" (the code defines
    ``my_rule(x, out)``, or ``my_rule(a, b, out)`` for a two-input op) or "backward" (it defines
    ``my_backward(root)``; ``topo_order``, ``Value`` and ``math`` are there to use). Returns the
    report: ok, diagnosis, and its text.

    The code is the learner's own, run in their own browser (or Python): an error in it is part
    of the report, not a crash, and code still running after ``seconds`` is stopped.

    >>> r = check_code("rule", "def my_rule(x, out):\\n    return 1 - x**2", "tanh")
    >>> r["ok"], r["diagnosis"]
    (False, 'input-instead-of-output')
    """
    where = "check_code"
    kind = checks.one_of(kind, where, "kind", ("rule", "backward"))
    if not isinstance(source, str):
        raise TypeError(f"{where}: source must be a str, got {checks.show(source)}")
    if len(source) > MAX_CODE:
        return _failed(f"the code is {len(source):,} characters; at most {MAX_CODE:,}")
    name = "my_rule" if kind == "rule" else "my_backward"
    # what a learner's code may use without importing it: the engine's topological order
    space: dict[str, Any] = {"__name__": "learner", "topo_order": topo_order, "Value": Value,
                             "math": math}  # fmt: skip
    seconds = checks.positive(seconds, where, "seconds")
    try:
        code = compile(source, "<your code>", "exec")
    except SyntaxError as e:
        return _failed(f"your code did not run: SyntaxError: {e}")
    ran = run_learner_code(lambda: exec(code, space), seconds)  # the tutor's time limit
    if ran.timed_out:
        return _failed(f"your code ran longer than {seconds:g} s and was stopped")
    if ran.error is not None:
        return _failed(f"your code did not run: {type(ran.error).__name__}: {ran.error}")
    fn = space.get(name)
    if not callable(fn):
        return _failed(f"your code must define a function {name}(...)")
    if kind == "rule":
        report = tutor.check_rule(op, fn, timeout=seconds)
    else:
        report = tutor.check_backward(fn, timeout=seconds)
    return {"ok": report.ok, "diagnosis": report.diagnosis, "text": str(report)}


def _failed(text: str) -> dict[str, Any]:
    return {"ok": False, "diagnosis": None, "text": text}


def expression_dot(text: str, values: str) -> dict[str, Any]:
    """The scalar graph of ``text`` at ``values`` ("a=2, b=-3"), after ``backward()``, as DOT.

    Both go through the safe parser (``expr.build`` and ``expr.constant``): nothing the
    learner types is evaluated as Python.

    >>> r = expression_dot("a*b + a", "a=2, b=-3")
    >>> r["value"], r["grads"]
    (-4.0, {'a': -2.0, 'b': 2.0})
    """
    where = "expression_dot"
    if not isinstance(text, str) or not isinstance(values, str):
        raise TypeError(f"{where}: the expression and the values must be text")
    given: dict[str, float] = {}
    for part in values.replace(";", ",").split(","):
        if not part.strip():
            continue
        name, sep, number = part.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ValueError(f"{where}: a value is written name=number, got {part.strip()!r}")
        given[name.strip()] = expr.constant(number.strip())
    root, leaves = expr.build(text, given)
    root.backward()
    dot = draw_dot(root, legend=False).source
    return {
        "value": root.data,
        "grads": {name: leaf.grad for name, leaf in sorted(leaves.items())},
        "dot": dot,
    }
