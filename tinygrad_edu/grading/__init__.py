"""Course scale on the tutor: hand out, collect and grade, export to course platforms, see
the class, and audit a teacher's own tests.

* :func:`hand_out` — one sheet per student of a roster (print-ready HTML, LaTeX, Markdown)
  and the keys, with the chain-rule line behind every number, in a folder of their own;
* :func:`grade_folder` — filled sheets (Markdown, HTML, CSV, JSON) and exercise notebooks
  graded by the tutor into a gradebook and one feedback file per student, with partial
  credit by diagnosis from an assignment :class:`Spec`;
* :mod:`~tinygrad_edu.grading.platforms` — the same spec as otter-grader tests, a Gradescope
  autograder, a PrairieLearn question, nbgrader cells and a GitHub Classroom workflow;
* :func:`dashboard_html` and :func:`xapi_statements` — the class at a glance, and the
  explorer's answers as xAPI statements;
* :func:`audit` — which catalogued mistakes a teacher's test suite lets through.
"""

from __future__ import annotations

from .handout import HandOut, hand_out
from .roster import Student, parse_roster, read_roster
from .spec import Check, Spec, load_spec, parse_spec

__all__ = [
    "Check",
    "HandOut",
    "Spec",
    "Student",
    "hand_out",
    "load_spec",
    "parse_roster",
    "parse_spec",
    "read_roster",
]
