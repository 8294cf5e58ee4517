"""The tutor: checks of the learner's own backprop, edge by edge, saying what is wrong and why.

Four checks, each returning a :class:`Report` (``ok``, ``first_wrong``, ``diagnosis``,
``hint``, the tolerance used; ``str()``, Markdown and HTML displays):

* :func:`check_rule` — a local-derivative rule, ``my_rule(x, out)`` (binary: ``(a, b, out)``);
* :func:`check_backward` — a backward pass ``my_backward(root)`` on graphs built to expose the
  classic bugs (fan-out, shared nodes, deep chains, a second call, an interior root);
* :func:`check_gradients` — a hand-filled table ``{label: ∂L/∂node}``;
* :func:`check_delta` — delta equations ``my_backprop(weights, X, Y) -> [(dW, db), ...]``.

Hand work is right to the digits written; code is compared tightly, at its own dtype's
precision (:mod:`.tolerance`). Learner code runs under a time limit and cannot leave the
library changed (:mod:`.sandbox`); every failure becomes a report. Hints name nodes by their
labels or by the expression the learner wrote, and parameters as the delta equations do
(``W2[3, 0]``). Diagnoses are codes of :data:`BUGS`. For teachers, :func:`worksheet` makes
seeded graphs to backpropagate by hand, with blank tables and answer keys. The tutor uses
the engine and the manual cross-check; neither knows the tutor, and the tutor never repairs
the learner's work.
"""

from __future__ import annotations

from .backward import check_backward
from .catalogue import BUGS
from .delta import check_delta
from .report import Report, Wrong
from .rules import RULES, check_rule
from .table import check_gradients
from .worksheet import LEVELS, Worksheet, read_table, worksheet

__all__ = [
    "BUGS",
    "LEVELS",
    "RULES",
    "Report",
    "Worksheet",
    "Wrong",
    "check_backward",
    "check_delta",
    "check_gradients",
    "check_rule",
    "read_table",
    "worksheet",
]
