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
    "derivative-at-output": "σ′ or tanh′ evaluated at the output: σ(out)(1 − σ(out)) or "
    "1 − tanh(out)², where out(1 − out) and 1 − out² already take the output",
    "tanh-prime-of-z": "tanh′ written 1 − z² in the delta equations: it is 1 − a² = 1 − tanh² z",
    "all-negated": "every gradient has the wrong sign (y − a where a − y belongs)",
    "bias-missing-1-over-m": "the bias gradients were summed over the batch, not averaged "
    "(1/m missing on db only)",
    "dW-transposed": "∂L/∂W computed as a δᵀ, the wrong way round (it is δ aᵀ, nₗ × nₗ₋₁)",
    "double-counting": "a recursive backward sent a shared node's gradient on each time it was "
    "reached, so paths through it were counted more than once",
    "missing-sigma-prime": "the σ′(z) factor was left out of δ",
    "did-not-finish": "the code did not finish within the time limit",
    "changed-the-library": "the code replaced part of the library (a Value method, an "
    "operator or a module function); the tutor put it back",
}
