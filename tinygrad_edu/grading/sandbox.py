"""Learner code, run apart: each notebook in its own child process, under a time limit.

On POSIX the children are forked from the grader, which has already imported the library, so
a child starts in milliseconds instead of a second; up to ``workers`` run at once, watched by
one loop (no threads: forking from a threaded process is unsafe). A child may take at most
:data:`MEMORY` of address space; one that runs past the time limit is killed; one that dies
without a report becomes a report that says so. Elsewhere each notebook runs in a fresh
interpreter (``python -m tinygrad_edu.grading.checkrun``).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..tutor import Report
from .checkrun import MARK, failed, report_from_dict, report_to_dict, run_notebook

__all__ = ["run_notebooks"]

Job = tuple[Path, Mapping[str, Any]]


MEMORY = 2 * 1024**3  # bytes of address space a learner's notebook may take


def _bound_memory() -> None:
    """Cap the child's address space (where the platform has ``resource``)."""
    try:
        import resource
    except ImportError:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > MEMORY:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _child(path: Path, check: Mapping[str, Any], write: int) -> None:
    """In the forked child: run the notebook, send the report, never return."""
    code = 0
    try:
        os.chdir(path.parent)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)  # the learner's prints go nowhere
        os.dup2(quiet, 2)
        os.environ["MPLBACKEND"] = "Agg"
        _bound_memory()
        data = json.dumps(report_to_dict(run_notebook(path, check))).encode("utf-8")
        with os.fdopen(write, "wb") as f:
            f.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _forked(jobs: Sequence[Job], timeout: float, workers: int) -> list[Report]:
    out: list[Report | None] = [None] * len(jobs)
    pending = list(range(len(jobs)))[::-1]
    running: dict[int, tuple[int, int, float, bytearray]] = {}  # fd → (job, pid, start, data)
    sel = selectors.DefaultSelector()

    def finish(fd: int, why: str | None) -> None:
        k, pid, _, data = running.pop(fd)
        sel.unregister(fd)
        os.close(fd)
        if why is not None:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        name = str(jobs[k][1].get("name", jobs[k][1]["kind"]))
        if why is not None:
            out[k] = failed(name, why)
        elif not data:
            out[k] = failed(name, "your notebook stopped the grader's process")
        else:
            out[k] = report_from_dict(json.loads(data.decode("utf-8")))

    while pending or running:
        while pending and len(running) < workers:
            k = pending.pop()
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover (the child)
                os.close(read)
                _child(jobs[k][0], jobs[k][1], write)
            os.close(write)
            running[read] = (k, pid, time.monotonic(), bytearray())
            sel.register(read, selectors.EVENT_READ)
        now = time.monotonic()
        wait = min(start + timeout for _, _, start, _ in running.values()) - now
        for key, _ in sel.select(max(0.0, wait)):
            fd = int(key.fd)
            chunk = os.read(fd, 65536)
            if chunk:
                running[fd][3].extend(chunk)
            else:
                finish(fd, None)
        now = time.monotonic()
        for fd in [fd for fd, (_, _, start, _) in running.items() if now - start > timeout]:
            finish(fd, f"your notebook did not finish within {timeout:g} s")
    return [r for r in out if r is not None]


def _spawned(path: Path, check: Mapping[str, Any], timeout: float) -> Report:
    name = str(check.get("name", check["kind"]))
    args = [sys.executable, "-m", "tinygrad_edu.grading.checkrun", str(path), json.dumps(check)]
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=False,
            env={**os.environ, "MPLBACKEND": "Agg"}, cwd=path.parent,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return failed(name, f"your notebook did not finish within {timeout:g} s")
    found = [ln for ln in done.stdout.splitlines() if ln.startswith(MARK)]
    if not found:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return failed(name, f"your notebook stopped the grader: {tail[0][:300]}")
    return report_from_dict(json.loads(found[-1][len(MARK) :]))


def run_notebooks(jobs: Sequence[Job], timeout: float, workers: int | None = None) -> list[Report]:
    """The report of each (notebook, check) job, in order; each run apart, within ``timeout``."""
    n = workers or max(1, os.cpu_count() or 1)
    if hasattr(os, "fork") and sys.platform != "darwin":  # macOS: fork after imports is unsafe
        return _forked(jobs, timeout, n)
    return [_spawned(path, check, timeout) for path, check in jobs]
