"""The one door between the live page's JavaScript and the engine: ``call(name, args_json)``
takes and returns JSON text, so nothing but plain data crosses between the two languages, and
any error becomes ``{"error": message}`` for the page to show (as text).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from . import lab
from .session import MAX_POINTS, Settings, Training, dataset, point

_current: dict[str, Training] = {}


def _start(settings: dict[str, Any]) -> dict[str, Any]:
    training = Training(Settings.parse(settings))
    _current["run"] = training
    return {"settings": training.settings.as_dict(), "title": training.title(),
            "parameters": training.settings.parameters(), **training.progress()}  # fmt: skip


def _advance(seconds: float) -> dict[str, Any]:
    training = _current.get("run")
    if training is None:
        raise ValueError("advance: no run started")
    progress = training.advance(seconds)
    if progress["done"]:
        progress["data"] = training.page_data()
        progress["parameters_after"] = [p.data for p in training.model.parameters()]
    return progress


def _validate(settings: dict[str, Any]) -> dict[str, Any]:
    s = Settings.parse(settings)
    return {"settings": s.as_dict(), "work": s.work(), "parameters": s.parameters()}


def _dataset(name: str, seed: int, points: list[list[float]]) -> list[Any]:
    """The rows and targets to draw (clicked points are drawn before they make a dataset)."""
    if name == "points":
        return list(dataset("points", 0, [point(p, "dataset") for p in points][:MAX_POINTS]))
    loss = "mse" if name == "sine" else "bce"  # one epoch: the data only, never refused for size
    s = Settings.parse({"dataset": name, "seed": seed, "loss": loss, "epochs": 1})
    return list(dataset(s.dataset, s.seed, s.points))


CALLS: dict[str, Callable[..., Any]] = {
    "validate": _validate,
    "dataset": _dataset,
    "start": _start,
    "advance": _advance,
    "regression_step": lab.regression_step,
    "regression_surface": lab.regression_surface,
    "fit_line": lab.fit_line,
    "check_code": lab.check_code,
    "expression": lab.expression_dot,
}


def call(name: str, args_json: str) -> str:
    """Run ``CALLS[name](*args)`` with args from JSON; the result (or the error) as JSON.

    >>> call("fit_line", "[[[0, 1], [1, 3]]]")
    '{"result": [2.0, 1.0]}'
    >>> call("validate", '[{"epochs": 6000}]')
    '{"error": "live settings: epochs must be 1 to 5000, got 6000"}'
    """
    try:
        fn = CALLS[name]
        args = json.loads(args_json)
        result = fn(*args)
    except Exception as e:
        return json.dumps({"error": str(e) or type(e).__name__})
    return json.dumps({"result": _finite(result)}, allow_nan=False)


def _finite(x: Any) -> Any:
    """``x`` with every NaN or infinity replaced by None (JSON has no such numbers; the page
    reads None as "diverged")."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x
