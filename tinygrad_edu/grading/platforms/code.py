"""Pieces shared by the code-running exports: which names a check reads, and its ladder
written as Python test functions (user text reaches the code only as ``repr`` of a string)."""

from __future__ import annotations

import json
from typing import Any

from ..spec import Check, Spec
from ..tiers import Tier, tiers

__all__ = ["check_data", "check_literal", "ladder", "names_read", "stub", "tier_assertion"]


def check_data(spec: Spec, check: Check) -> dict[str, Any]:
    """The check as the dict :func:`~tinygrad_edu.grading.checkrun.run_check` takes."""
    data = {k: v for k, v in vars(check).items() if k != "credit"}
    data["credit"] = dict(check.credit)
    data["seed"], data["level"] = spec.seed, spec.level
    return data


def names_read(check: Check) -> list[str]:
    """The learner's names the check reads (a test function's parameters)."""
    if check.kind == "worksheet":
        return ["answers", "student_id"]
    if check.kind == "table":
        return [check.variable, check.root]
    return [check.function]


def check_literal(spec: Spec, check: Check) -> str:
    """Python source for the check's data: ``json.loads(<repr of its JSON>)``."""
    return f"json.loads({json.dumps(check_data(spec, check), ensure_ascii=False)!r})"


def tier_assertion(tier: Tier) -> str:
    """The assert of one rung: right, or a diagnosis that earns at least its share."""
    return f"assert report.ok or report.diagnosis in {tier.codes!r}, str(report)"


def stub(spec: Spec, check: Check) -> str:
    """What the learner starts from, for a check's answer cell."""
    if check.kind == "rule":
        return (f"def {check.function}(x, out):\n    \"\"\"d(out)/dx for out = {check.op}(x), as "
                "a tuple.\"\"\"\n    return None  # your formula here\n")  # fmt: skip
    if check.kind == "backward":
        return (f"def {check.function}(root):\n    \"\"\"Set node.grad = d(root)/d(node) for every"
                " node.\"\"\"\n    pass  # your code here\n")  # fmt: skip
    if check.kind == "delta":
        return (f"def {check.function}(weights, X, Y):\n    \"\"\"[(dW, db) for each layer] of "
                "the mean BCE loss.\"\"\"\n    return None  # your code here\n")  # fmt: skip
    if check.kind == "table":
        return f"{check.variable} = {{}}  # ∂L/∂node for each node of {check.root}\n"
    from ...tutor import worksheet

    ws = worksheet(spec.seed, spec.level)
    lines = "".join(f"    {n.label!r}: None,\n" for n in reversed(ws.nodes))
    return (f"student_id = ''  # your id, as on your sheet\nanswers = {{  # ∂L/∂node for each "
            f"node of your sheet\n{lines}}}\n")  # fmt: skip


def ladder(check: Check) -> list[Tier]:
    """:func:`~tinygrad_edu.grading.tiers.tiers`, for the exports."""
    return tiers(check)
