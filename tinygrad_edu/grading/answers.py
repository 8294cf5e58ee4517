"""The explorer's answer files (predict mode), read and checked, and a class simulator.

The format (``tinygrad_edu.explorer.answers/1``) is the explorer's: ``learner``, ``run``
and ``answers``, each answer with ``epoch``, ``row``, ``phase`` (1 forward, 2 loss, 3 deltas,
4 gradients and update), ``layer`` (all 1-based), ``quantity``, ``expected``, ``given``,
``first_try``, ``right`` and ``diagnosis`` (a tutor code or null).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from ..tutor import BUGS

__all__ = ["FORMAT", "PHASES", "read_answers", "simulate_class"]

FORMAT = "tinygrad_edu.explorer.answers/1"
PHASES = {1: "① forward", 2: "② loss", 3: "③ deltas", 4: "④ gradients, update"}
_INTS = ("epoch", "row", "phase", "layer")
MAX_ANSWERS = 100_000


def check_document(doc: Any, where: str) -> dict[str, Any]:
    """One answer file's data, checked: the fields named when wrong."""
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: expected an object with learner, run and answers")
    if doc.get("format", FORMAT) != FORMAT:
        raise ValueError(f"{where}: format {doc.get('format')!r} is not {FORMAT!r}")
    if not isinstance(doc.get("learner", ""), str):
        raise ValueError(f"{where}: 'learner' must be a string")
    answers = doc.get("answers")
    if not isinstance(answers, list) or len(answers) > MAX_ANSWERS:
        raise ValueError(f"{where}: 'answers' must be a list of at most {MAX_ANSWERS}")
    for k, a in enumerate(answers):
        if not isinstance(a, dict):
            raise ValueError(f"{where}: answers[{k}] must be an object")
        for name in _INTS:
            v = a.get(name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{where}: answers[{k}].{name} must be an int ≥ 1, got {v!r}")
        if a["phase"] > 4:
            raise ValueError(f"{where}: answers[{k}].phase must be 1–4, got {a['phase']}")
        if not isinstance(a.get("quantity"), str) or not isinstance(a.get("first_try"), bool):
            raise ValueError(f"{where}: answers[{k}] needs quantity (str) and first_try (bool)")
        if a.get("right") not in (True, False, None):
            raise ValueError(f"{where}: answers[{k}].right must be true, false or null")
        d = a.get("diagnosis")
        if d is not None and d not in BUGS:
            raise ValueError(f"{where}: answers[{k}].diagnosis {d!r} is not a tutor code")
    return doc


def read_answers(paths: list[str | Path]) -> list[dict[str, Any]]:
    """The answer files at ``paths``, each checked (a learner without a name is named by
    the file)."""
    out = []
    for p in map(Path, paths):
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"dashboard: {p.name} is not a JSON answer file ({err})") from None
        doc = check_document(doc, f"dashboard: {p.name}")
        if not doc.get("learner"):
            doc["learner"] = p.stem
        out.append(doc)
    if not out:
        raise ValueError("dashboard: no answer files given")
    return out


# what each phase asks, and the mistakes a wrong answer there can match
_QUANTITY = {1: "a{l}[{j}]", 2: "∂L/∂a{l}[{j}]", 3: "δ{l}[{j}]", 4: "W{l}[{j}, 0]"}
_MISTAKES = {
    1: (None,),
    2: (None, "sign"),
    3: ("sigma-prime-of-a", "missing-upstream", "sign", None),
    4: ("sign", "missing-1-over-m", "missing-upstream"),
}
_HARD = {1: 0.08, 2: 0.15, 3: 0.35, 4: 0.25}  # base error rate of each phase


def _wrong(expected: float, code: str | None, rng: random.Random) -> float:
    if code == "sign":
        return -expected
    if code == "missing-1-over-m":
        return expected * 4
    if code == "sigma-prime-of-a":
        return expected * rng.uniform(0.6, 0.9)
    return expected + rng.choice((-1, 1)) * rng.uniform(0.1, 0.5)


def simulate_class(n: int = 30, seed: int = 0, layers: int = 3) -> list[dict[str, Any]]:
    """``n`` simulated answer files of a [2 → 4 → 4 → 1] network's predict mode.

    Learners differ in skill; deltas (phase ③) of early layers are hardest; a wrong first
    try is followed by a right second one. Deterministic in ``seed``.

    >>> docs = simulate_class(3, seed=1)
    >>> len(docs), docs[0]["learner"], sorted(docs[0]["answers"][0])[:3]
    (3, 'learner-01', ['diagnosis', 'epoch', 'expected'])
    """
    rng = random.Random(seed)
    docs = []
    for k in range(1, n + 1):
        skill = rng.uniform(0.3, 1.0)
        answers: list[dict[str, Any]] = []
        for _ in range(rng.randint(18, 36)):
            phase = rng.choice((1, 1, 2, 3, 3, 3, 4, 4))
            layer = layers if phase == 2 else rng.randint(1, layers)
            j = 0 if layer == layers else rng.randint(0, 3)
            expected = round(rng.uniform(-1.5, 1.5), 4) or 0.1
            depth = (layers - layer) * 0.08 if phase in (3, 4) else 0.0
            p_wrong = min(0.9, (_HARD[phase] + depth) * (1.6 - skill))
            base = {"epoch": rng.randint(1, 3), "row": rng.randint(1, 4), "phase": phase,
                    "layer": layer, "quantity": _QUANTITY[phase].format(l=layer, j=j),
                    "mode": "value", "expected": expected}  # fmt: skip
            if rng.random() < p_wrong:
                code = rng.choice(_MISTAKES[phase])
                if phase == 3 and layer == layers and rng.random() < 0.5:
                    code = "wrong-output-delta"
                given = f"{_wrong(expected, code, rng):.4g}"
                answers.append({**base, "given": given, "first_try": True, "right": False,
                                "diagnosis": code})  # fmt: skip
                answers.append({**base, "given": f"{expected:.4g}", "first_try": False,
                                "right": True, "diagnosis": None})  # fmt: skip
            else:
                answers.append({**base, "given": f"{expected:.4g}", "first_try": True,
                                "right": True, "diagnosis": None})  # fmt: skip
        docs.append({
            "format": FORMAT, "learner": f"learner-{k:02d}",
            "run": {"title": "XOR, [2 → 4 → 4 → 1]", "seed": seed, "sizes": [2, 4, 4, 1]},
            "mode": "value", "tolerance": {"abs": 0.01, "rel": 0.05}, "answers": answers,
        })  # fmt: skip
    return docs
