"""Audit a teacher's own tests: which catalogued mistakes do they let through?

The suite runs once on the real engine (it must pass), then once per mutant of
:data:`~tinygrad_edu.grading.mutants.MUTANTS`, each in a child pytest process under a time
limit. A mutant the suite fails on is *caught*; one it passes on is *missed*, and is named.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .mutants import ENV, MUTANTS

__all__ = ["Audit", "MutantRun", "audit"]

PLUGIN = "tinygrad_edu.grading.mutant_plugin"


@dataclass(frozen=True)
class MutantRun:
    """One run of the suite: the mutant (None for the real engine), the verdict, the time."""

    mutant: str | None
    status: str  # "passed", "failed", "timed out", "error"
    seconds: float
    tail: str

    @property
    def caught(self) -> bool:
        """True when the suite failed on this mutant (a time-out counts: the run stopped)."""
        return self.status in ("failed", "timed out")


@dataclass(frozen=True)
class Audit:
    """The baseline run and one run per mutant."""

    tests: Path
    baseline: MutantRun
    runs: tuple[MutantRun, ...]

    @property
    def missed(self) -> list[str]:
        """The mistakes the suite let through."""
        return [r.mutant for r in self.runs if r.mutant is not None and not r.caught]

    def table(self) -> list[str]:
        """One line per mutant: caught or MISSED, the code, what it does."""
        out = []
        for r in self.runs:
            assert r.mutant is not None
            verdict = "caught" if r.caught else "MISSED"
            extra = " (timed out)" if r.status == "timed out" else ""
            out.append(f"{verdict:7} {r.mutant:24} {MUTANTS[r.mutant][0]}{extra}")
        return out


def _run(tests: Path, mutant: str | None, timeout: float, plugins: bool) -> MutantRun:
    env = {k: v for k, v in os.environ.items() if k != ENV}
    if not plugins:  # installed pytest plugins can take seconds to load, per run
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if mutant is not None:
        env[ENV] = mutant
    here = tests if tests.is_dir() else tests.parent
    args = [sys.executable, "-m", "pytest", "-q", "-x", "--no-header", "-p", "no:cacheprovider",
            "-p", PLUGIN, "--rootdir", str(here), str(tests.resolve())]  # fmt: skip
    start = time.perf_counter()
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                              env=env, cwd=here, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        return MutantRun(mutant, "timed out", time.perf_counter() - start, "")
    took = time.perf_counter() - start
    tail = "\n".join(done.stdout.strip().splitlines()[-3:])
    status = {0: "passed", 1: "failed"}.get(done.returncode, "error")
    if status == "error":
        tail = (done.stdout + done.stderr).strip()[-600:]
    return MutantRun(mutant, status, took, tail)


def audit(
    tests: str | Path,
    *,
    mutants: Sequence[str] | None = None,
    timeout: float = 120.0,
    workers: int = 2,
    plugins: bool = False,
    progress: Callable[[MutantRun], None] | None = None,
) -> Audit:
    """Run the suite at ``tests`` (a folder or file of pytest tests) against each mutant.

    Raises when the suite does not pass on the real engine (an audit of a failing suite
    says nothing), naming the last lines of its output. ``plugins=False`` runs pytest without
    the installed plugins (each can take seconds to load per run); set it when the suite
    needs one.
    """
    path = Path(tests)
    if not path.exists():
        raise FileNotFoundError(f"audit: no such test file or folder: {path}")
    chosen = list(MUTANTS) if mutants is None else list(mutants)
    unknown = [m for m in chosen if m not in MUTANTS]
    if unknown:
        raise ValueError(f"audit: unknown mistakes {unknown}; known: {', '.join(MUTANTS)}")
    baseline = _run(path, None, timeout, plugins)
    if baseline.status != "passed":
        raise RuntimeError(
            f"audit: the tests do not pass on the real engine ({baseline.status}); fix them "
            f"first:\n{baseline.tail}"
        )
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        runs = []
        for run in pool.map(lambda m: _run(path, m, timeout, plugins), chosen):
            if progress is not None:
                progress(run)
            runs.append(run)
    errors = [r for r in runs if r.status == "error"]
    if errors:
        raise RuntimeError(f"audit: pytest could not run with mutant {errors[0].mutant}:\n"
                           f"{errors[0].tail}")  # fmt: skip
    return Audit(path, baseline, tuple(runs))
