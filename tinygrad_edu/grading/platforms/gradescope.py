"""Gradescope: an autograder zip whose ``run_autograder`` writes ``results.json``.

``results.json`` carries the score, one test per check (its points, ``status``, the tutor's
report as Markdown in ``output`` with ``output_format: "md"``, the diagnosis in ``tags`` and
``extra_data``), and, for the whole submission, the diagnosis codes in ``extra_data``.
Run inside the container as
``python3 -m tinygrad_edu.grading.platforms.gradescope --spec assignment.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...fileio import atomic_write_text
from ..collect import SHEET_SUFFIXES, read_sheet
from ..grade import Result, grade_work
from ..spec import Spec, load_spec

__all__ = ["gradescope_results", "gradescope_zip", "main"]

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update && apt-get install -y python3 python3-pip graphviz
cd /autograder/source
if ls ./*.whl >/dev/null 2>&1; then
  pip3 install ./*.whl   # a tinygrad_edu wheel put beside this script
else
  pip3 install tinygrad_edu
fi
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes /autograder/results/results.json.
set -euo pipefail
cd /autograder/source
python3 -m tinygrad_edu.grading.platforms.gradescope --spec assignment.json \\
  --submission /autograder/submission --results /autograder/results/results.json
"""


def gradescope_results(spec: Spec, results: Sequence[Result], seconds: float) -> dict[str, Any]:
    """The ``results.json`` of one submission."""
    tests = []
    codes: list[str] = []
    for k, (check, report, points) in enumerate(results, 1):
        if not report.ok and report.diagnosis and report.diagnosis not in codes:
            codes.append(report.diagnosis)
        tests.append(
            {
                "name": check.name,
                "number": str(k),
                "score": points,
                "max_score": float(check.points),
                "status": "passed" if report.ok else "failed",
                "output": report._repr_markdown_(),
                "output_format": "md",
                "tags": [report.diagnosis] if report.diagnosis else [],
                "visibility": "visible",
                "extra_data": {
                    "diagnosis": report.diagnosis,
                    "first_wrong": str(report.first_wrong) if report.first_wrong else None,
                    "ok": report.ok,
                },
            }
        )
    score = round(sum(p for _, _, p in results), 6)
    lines = [f"**{score:g} / {spec.total:g} points**", ""]
    lines += [f"- {t['name']}: {t['score']:g} / {t['max_score']:g}" for t in tests]
    return {
        "score": score,
        "execution_time": round(seconds, 3),
        "output": "\n".join(lines),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"diagnosis_codes": codes, "spec": spec.title},
        "tests": tests,
    }


def grade_submission(spec: Spec, submission: Path, timeout: float = 60.0) -> dict[str, Any]:
    """Grade a submission folder (a sheet and/or notebooks) into ``results.json`` data."""
    start = time.perf_counter()
    sheets = sorted(p for p in submission.iterdir() if p.suffix.lower() in SHEET_SUFFIXES
                    and p.name != "submission_metadata.json")  # fmt: skip
    sheet = read_sheet(sheets[0]) if sheets else None
    results = grade_work(spec, sheet, submission, timeout)
    return gradescope_results(spec, results, time.perf_counter() - start)


def gradescope_zip(spec: Spec) -> bytes:
    """The autograder zip: ``setup.sh``, ``run_autograder`` and ``assignment.json``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text, mode in [
            ("setup.sh", SETUP, 0o755),
            ("run_autograder", RUN, 0o755),
            ("assignment.json", json.dumps(spec.as_dict(), indent=1) + "\n", 0o644),
        ]:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    return buf.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """The autograder's entry point (see ``run_autograder``)."""
    parser = argparse.ArgumentParser(prog="gradescope-autograder")
    parser.add_argument("--spec", required=True)
    parser.add_argument("--submission", default="/autograder/submission")
    parser.add_argument("--results", default="/autograder/results/results.json")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    data = grade_submission(load_spec(args.spec), Path(args.submission), args.timeout)
    atomic_write_text(args.results, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
