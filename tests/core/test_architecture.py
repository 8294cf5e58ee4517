"""docs/ARCHITECTURE.md's import tiers are the real import graph: no circles, no arrow against.

Every ``import`` of the package is parsed (module level, inside functions and under
``TYPE_CHECKING`` alike): a room may import only rooms of a lower tier, and every room is in the
diagram. Strict tiers admit no cycle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tinygrad_edu"
DOC = ROOT / "docs" / "ARCHITECTURE.md"
BEGIN = "<!-- import tiers: tests/core/test_architecture.py -->"


def _room(module: str) -> str:
    """tinygrad_edu.viz.scene → viz; the package itself (its __init__) → tinygrad_edu."""
    parts = module.split(".")
    if len(parts) == 1:
        return "tinygrad_edu"
    top = parts[1]
    exists = (PACKAGE / top).is_dir() or (PACKAGE / f"{top}.py").is_file()
    return top if exists else "tinygrad_edu"  # `from .. import __version__`


def import_edges() -> set[tuple[str, str]]:
    """(importer room, imported room) for every import between two rooms."""
    edges: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = module if parts[-1] == "__init__" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if node.module:
                    targets = [target]
                else:
                    targets = [f"{target}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                if target == "tinygrad_edu" or target.startswith("tinygrad_edu."):
                    a, b = _room(module), _room(target)
                    if a != b:
                        edges.add((a, b))
    return edges


def documented_tiers() -> dict[str, int]:
    text = DOC.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1, f"docs/ARCHITECTURE.md needs the marker {BEGIN}"
    block = text.split(BEGIN)[1].split("```")[1]
    tiers: dict[str, int] = {}
    for line in block.splitlines():
        m = re.match(r"\s*(\d+)\s+(.+)$", line)
        if m:
            for room in m.group(2).split("#")[0].split():
                assert room not in tiers, f"{room} is listed twice"
                tiers[room] = int(m.group(1))
    return tiers


def test_architecture_every_room_is_in_the_diagram() -> None:
    tiers = documented_tiers()
    rooms = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    rooms |= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    rooms.add("tinygrad_edu")
    missing = sorted(rooms - set(tiers))
    assert not missing, f"add these rooms to docs/ARCHITECTURE.md's import tiers: {missing}"
    assert not sorted(set(tiers) - rooms), "the diagram lists rooms that do not exist"


def test_architecture_imports_point_down_the_tiers() -> None:
    tiers = documented_tiers()
    against = sorted(
        f"{a} (tier {tiers.get(a)}) imports {b} (tier {tiers.get(b)})"
        for a, b in import_edges()
        if a in tiers and b in tiers and tiers[b] >= tiers[a]
    )
    assert not against, "imports against the diagram's arrows:\n" + "\n".join(against)


def test_architecture_finds_a_known_arrow() -> None:
    # the parser itself: the engine imports ops, and nary imports the engine
    edges = import_edges()
    assert ("engine", "ops") in edges and ("nary", "engine") in edges
    assert ("engine", "nary") not in edges


def test_architecture_no_module_is_over_the_line_budget() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 410
    }
    assert not long, long
