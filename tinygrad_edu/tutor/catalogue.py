"""The bug catalogue: the mistakes the tutor can name, each with a short description."""

from __future__ import annotations

BUGS: dict[str, str] = {
    "missing-upstream": "the local derivative was not multiplied by the upstream gradient",
    "assign-not-accumulate": "'=' instead of '+=': a node used twice keeps only one path",
    "sign": "a derivative with the wrong sign (e.g. subtraction's second edge is −1)",
    "input-instead-of-output": "the derivative used the input where the output belongs "
    "(tanh′ = 1 − out², σ′ = out(1 − out), exp′ = out)",
    "output-instead-of-input": "the derivative used the output where the input belongs "
    "(log′ = 1/x, not 1/out)",
    "not-topological": "nodes were processed before every node that uses them was done",
    "unseeded-root": "the root's gradient was not set to 1 before the backward pass",
    "doubled-on-second-call": "a second backward() call added to interior gradients "
    "instead of recomputing them",
    "reversed-operands": "the two operands' derivatives were swapped (mul, div, pow)",
    "recursion-depth": "a recursive walk of the graph fails on a deep chain (use a loop)",
    "missing-transpose": "δˡ = Wδˡ⁺¹ where (Wˡ⁺¹)ᵀδˡ⁺¹ is needed",
    "sigma-prime-of-a": "σ′ applied to the activation a instead of the pre-activation z",
    "missing-1-over-m": "the batch gradients were summed, not averaged (missing 1/m)",
    "wrong-output-delta": "δᴸ for sigmoid + BCE is not a − y (σ′ was applied on top)",
    "missing-answer": "some entries were not filled in",
}
