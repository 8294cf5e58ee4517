"""Run one spec check on a learner's namespace, and move reports between processes as JSON.

The same function grades a notebook here, and runs inside every platform export (otter,
Gradescope, PrairieLearn, nbgrader, GitHub Classroom), so a check means the same everywhere.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..tutor import Report, Wrong

__all__ = ["XOR_X", "XOR_Y", "report_from_dict", "report_to_dict", "run_check", "run_notebook"]

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0.0, 1.0, 1.0, 0.0]
MARK = "@@tinygrad-edu-report@@"


def _needed(ns: Mapping[str, Any], name: str, kind: str) -> Any:
    if name not in ns:
        raise NameError(f"the {kind} check needs {name!r}, which your work does not define")
    return ns[name]


def run_check(check: Mapping[str, Any], ns: Mapping[str, Any]) -> Report:
    """The tutor's report for ``check`` (a spec check as a dict) on namespace ``ns``.

    >>> from tinygrad_edu.ops import TABLE
    >>> run_check({"kind": "rule", "op": "tanh", "function": "f"},
    ...           {"f": lambda x, out: (1 - out**2,)}).ok
    True
    """
    from .. import examples, tutor

    kind = check["kind"]
    if kind == "rule":
        return tutor.check_rule(check["op"], _needed(ns, check["function"], kind))
    if kind == "backward":
        return tutor.check_backward(_needed(ns, check["function"], kind))
    if kind == "table":
        root = _needed(ns, check["root"], kind)
        return tutor.check_gradients(root, _needed(ns, check["variable"], kind))
    if kind == "delta":
        fn = _needed(ns, check["function"], kind)
        return tutor.check_delta(fn, examples.xor_network(), XOR_X, XOR_Y, loss="bce")
    if kind == "worksheet":
        ws = tutor.worksheet(int(check["seed"]), int(check["level"]),
                             student=str(_needed(ns, "student_id", kind)))  # fmt: skip
        given = _needed(ns, "answers", kind)
        if not isinstance(given, Mapping):
            raise TypeError(
                f"answers must be a dict {{node: gradient}}, got {type(given).__name__}"
            )
        texts = {str(k): None if v is None else str(v) for k, v in given.items()}
        return ws.check(texts)
    raise ValueError(f"run_check: unknown check kind {kind!r}")


def report_to_dict(report: Report) -> dict[str, Any]:
    """A report as JSON-able data, every field of it (:func:`report_from_dict` reads it back).

    >>> from tinygrad_edu.tutor import Wrong
    >>> r = Report("t", False, "tol", ("a",), Wrong("node a", 1.0, 2.0), "sign", "h", 1)
    >>> report_from_dict(report_to_dict(r)) == r
    True
    """
    out: dict[str, Any] = {}
    for f in dataclasses.fields(report):
        value = getattr(report, f.name)
        if isinstance(value, Wrong):
            value = [value.where, value.expected, value.got]
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """The :class:`~tinygrad_edu.tutor.Report` that :func:`report_to_dict` wrote (fields this
    version of the tutor does not know are left out)."""
    known = {f.name for f in dataclasses.fields(Report)}
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            continue
        if name == "first_wrong" and value is not None:
            value = Wrong(str(value[0]), float(value[1]), value[2])
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return Report(**kwargs)


def failed(check: str, why: str) -> Report:
    """The report of work that could not be checked (it raised, or did not finish)."""
    return Report(check, False, "not compared", hint=why)


def _code_cells(path: Path) -> list[str]:
    if path.suffix == ".py":
        return [path.read_text(encoding="utf-8")]
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else str(src)
        # IPython magics and shell escapes are not Python: leave them out
        lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        out.append("\n".join(lines))
    return out


def run_notebook(path: str | Path, check: Mapping[str, Any]) -> Report:
    """Run a notebook's code cells (or a ``.py`` file) in this process, then the check (use
    in a subprocess: this runs the learner's code)."""
    ns: dict[str, Any] = {"__name__": "__main__"}
    name = str(check.get("name", check["kind"]))
    try:
        for code in _code_cells(Path(path)):
            exec(compile(code, str(path), "exec"), ns)
    except Exception as err:  # the learner's notebook raised: that is the report
        return failed(name, f"running your notebook raised {type(err).__name__}: {err}")
    try:
        return run_check(check, ns)
    except Exception as err:
        return failed(name, f"{type(err).__name__}: {err}")


if __name__ == "__main__":  # python -m tinygrad_edu.grading.checkrun NOTEBOOK CHECK_JSON
    result = run_notebook(sys.argv[1], json.loads(sys.argv[2]))
    print("\n" + MARK + json.dumps(report_to_dict(result)), flush=True)
