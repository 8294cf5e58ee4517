"""Forward mode beside reverse mode, from the same table; and what each costs.

* ``Dual``: a value and its tangent; every operation is ``apply(entry, …)``, whose tangent is
  Σ ruleᵢ · tangentᵢ with the locals from the entry's ``rule`` in ``ops.TABLE`` (the rule
  reverse mode uses). Its methods are generated from the table, so a function written for
  Values (``x.tanh()``, ``a * b``, ``forward.vsum``, ``forward.dot``) runs on Duals unchanged.
* ``jvp``, ``jacobian(mode="forward" | "reverse")``, ``numerical_jacobian``, and
  forward-over-reverse ``hvp`` / ``grad_and_hvp``.
* ``compare_modes``: the time, the elementary operations and the memory of reverse mode,
  forward mode and central differences, for a function or a model (``mlp_loss``); ``sweep``
  over growing sizes, with a plot; ``fan_out``, a few-inputs/many-outputs function where
  forward mode wins.
* ``forward_tape`` and ``draw_forward``: a forward-mode pass shown as a tape and a drawing,
  each node's tangent beside its value (one picture per seed direction).

Rooms: ``dual``, ``modes``, ``models``, ``cost``, ``report``, ``show``. Imports the engine,
never the other way; matplotlib and graphviz are imported only when a plot or drawing is made.
"""

from .cost import BudgetExceeded, compare_modes, sweep
from .dual import GENERATED, Dual, OpCount, apply, counting, dot, vsum
from .models import Problem, fan_out, mlp_loss
from .modes import evaluate, grad_and_hvp, hvp, jacobian, jvp, numerical_jacobian
from .report import ModeComparison, ModeCost, ModeSweep
from .show import ForwardTape, draw_each_direction, draw_forward, forward_pass, forward_tape

__all__ = [
    "GENERATED",
    "BudgetExceeded",
    "Dual",
    "ForwardTape",
    "ModeComparison",
    "ModeCost",
    "ModeSweep",
    "OpCount",
    "Problem",
    "apply",
    "compare_modes",
    "counting",
    "dot",
    "draw_each_direction",
    "draw_forward",
    "evaluate",
    "fan_out",
    "forward_pass",
    "forward_tape",
    "grad_and_hvp",
    "hvp",
    "jacobian",
    "jvp",
    "mlp_loss",
    "numerical_jacobian",
    "sweep",
    "vsum",
]
