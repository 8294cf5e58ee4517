"""A pytest plugin (``-p tinygrad_edu.grading.mutant_plugin``): applies the mutant named in
``$TINYGRAD_EDU_MUTANT`` before any test module is imported. Nothing without the variable."""

from __future__ import annotations

import os

from .mutants import ENV, apply

if os.environ.get(ENV):
    apply(os.environ[ENV])
