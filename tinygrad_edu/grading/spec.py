"""The assignment spec: which checks, how many points, and what each diagnosis earns.

One small file (TOML, or the same as JSON) drives grading and every platform export::

    title = "Backprop by hand"
    seed = 0          # the worksheet seed (each student's variant is drawn from it)
    level = 3

    [[check]]
    name = "table"
    kind = "worksheet"          # a filled sheet
    points = 10
    [check.credit]              # share of the points a wrong answer with this diagnosis earns
    sign = 0.6
    missing-upstream = 0.5

    [[check]]
    name = "tanh rule"
    kind = "rule"               # tutor.check_rule(op, the learner's function)
    op = "tanh"
    function = "my_tanh_rule"
    notebook = "01_tanh_rule.ipynb"
    points = 2

Kinds: ``worksheet``; ``rule`` (``op``, ``function``); ``backward`` (``function``);
``table`` (``variable`` holding {node: grad}, ``root`` the graph's root); ``delta``
(``function``, checked on the lesson's XOR network with BCE).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import checks
from ..tutor import BUGS, LEVELS

__all__ = ["KINDS", "Check", "Spec", "load_spec", "parse_spec", "starter_spec"]

KINDS: dict[str, tuple[str, ...]] = {
    "worksheet": (),
    "rule": ("op", "function"),
    "backward": ("function",),
    "table": ("variable", "root"),
    "delta": ("function",),
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_FILE = re.compile(r"[A-Za-z0-9._-]+\Z")


@dataclass(frozen=True)
class Check:
    """One graded check: its kind and parameters, points, and credit by diagnosis code."""

    name: str
    kind: str
    points: float
    credit: Mapping[str, float] = field(default_factory=dict)
    op: str = ""
    function: str = ""
    variable: str = ""
    root: str = ""
    notebook: str = ""

    def earned(self, ok: bool, diagnosis: str | None) -> float:
        """The points for a verdict: all when right, else ``points × credit[diagnosis]``.

        >>> Check("t", "worksheet", 10, {"sign": 0.6}).earned(False, "sign")
        6.0
        """
        if ok:
            return float(self.points)
        return float(self.points) * self.credit.get(diagnosis or "", 0.0)

    @property
    def slug(self) -> str:
        """The check's name as an identifier (for generated test names)."""
        text = re.sub(r"[^A-Za-z0-9]+", "_", self.name).strip("_").lower()
        return text if text and not text[0].isdigit() else f"check_{text}"


@dataclass(frozen=True)
class Spec:
    """An assignment: a title, the worksheet seed and level, and its checks."""

    title: str
    seed: int
    level: int
    checks: tuple[Check, ...]

    @property
    def total(self) -> float:
        """The most points there are."""
        return float(sum(c.points for c in self.checks))

    def as_dict(self) -> dict[str, Any]:
        """The spec as plain data (what :func:`parse_spec` reads back)."""
        out: dict[str, Any] = {"title": self.title, "seed": self.seed, "level": self.level}
        out["check"] = [
            {k: v for k, v in vars(c).items() if v not in ("", {}) or k == "credit"}
            for c in self.checks
        ]
        for c in out["check"]:
            c["credit"] = dict(c["credit"])
        return out


def _text(entry: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
    value = entry.get(key, default)
    if not isinstance(value, str):
        raise TypeError(f"{where}: {key} must be a str, got {checks.show(value)}")
    return value


def _check(entry: Any, k: int) -> Check:
    where = f"spec: check {k}"
    if not isinstance(entry, Mapping):
        raise TypeError(f"{where} must be a table, got {checks.show(entry)}")
    known = {"name", "kind", "points", "credit", "op", "function", "variable", "root", "notebook"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown} (known: {sorted(known)})")
    kind = checks.one_of(entry.get("kind"), where, "kind", tuple(KINDS))
    name = _text(entry, "name", where, kind).strip() or kind
    points = checks.finite(entry.get("points", 1), where, "points")
    if points < 0:
        raise ValueError(f"{where}: points must be ≥ 0, got {points!r}")
    raw = entry.get("credit", {})
    if not isinstance(raw, Mapping):
        raise TypeError(f"{where}: credit must be a table {{code: share}}, got {checks.show(raw)}")
    credit: dict[str, float] = {}
    for code, share in raw.items():
        if code not in BUGS:
            raise ValueError(f"{where}: credit for {code!r}, which is not a diagnosis code "
                             f"(known: {', '.join(BUGS)})")  # fmt: skip
        credit[code] = checks.in_range(share, where, f"credit[{code!r}]", 0.0, 1.0)
    params = {key: _text(entry, key, where) for key in ("op", "function", "variable", "root")}
    for key in KINDS[kind]:
        if not _IDENTIFIER.match(params[key]):
            raise ValueError(f"{where}: a {kind} check needs {key} = a Python name, got "
                             f"{params[key]!r}")  # fmt: skip
    notebook = _text(entry, "notebook", where)
    if notebook and not _FILE.match(notebook):
        raise ValueError(f"{where}: notebook must be a file name, got {notebook!r}")
    return Check(name, kind, points, credit, notebook=notebook, **params)


def parse_spec(data: Mapping[str, Any]) -> Spec:
    """A :class:`Spec` from parsed TOML/JSON, every field checked and named when wrong.

    >>> parse_spec({"level": 2, "check": [{"kind": "worksheet", "points": 4}]}).total
    4.0
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"spec: expected a table, got {checks.show(data)}")
    title = _text(data, "title", "spec", "Backprop by hand")
    seed = checks.count(data.get("seed", 0), "spec", "seed")
    level = checks.one_of(data.get("level", 1), "spec", "level", LEVELS)
    entries = data.get("check", [])
    if not isinstance(entries, list) or not entries:
        raise ValueError("spec: no [[check]] entries (which checks, and their points)")
    found = tuple(_check(e, k) for k, e in enumerate(entries, 1))
    names = [c.slug for c in found]
    if len(set(names)) != len(names):
        raise ValueError(f"spec: two checks have the same name: {names}")
    return Spec(title, seed, level, found)


def _toml() -> Any:
    for name in ("tomllib", "tomli"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    raise ImportError("spec: reading TOML needs Python 3.11 or `pip install tomli` (or use JSON)")


def load_spec(path: str | Path) -> Spec:
    """Read a spec file: ``.json`` as JSON, anything else as TOML."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"spec: no such file: {p}") from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            toml = _toml()
            data = toml.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:  # TOMLDecodeError is a ValueError
        raise ValueError(f"spec: {p} cannot be read: {err}") from None
    return parse_spec(data)


def starter_spec(title: str, seed: int, level: int) -> str:
    """A spec for a hand-out: the worksheet check, with partial credit for near misses."""
    return "\n".join(
        [
            f"title = {json.dumps(title, ensure_ascii=False)}",
            f"seed = {seed}",
            f"level = {level}",
            "",
            "[[check]]",
            'name = "table"',
            'kind = "worksheet"',
            "points = 10",
            "[check.credit]  # share of the points a wrong table earns, by its first mistake",
            "sign = 0.6",
            "reversed-operands = 0.5",
            "input-instead-of-output = 0.5",
            "assign-not-accumulate = 0.4",
            "missing-upstream = 0.3",
            "",
        ]
    )
