"""The explorer's answer file: what "download answers" writes in predict mode, for a teacher's
dashboard to read.

One JSON object (``explorer-answers-<learner>.json``)::

    {
      "format": "tinygrad_edu.explorer.answers/1",
      "learner": "ada",                      # the id or name typed into the page ("" if none)
      "run": {"title": "...", "seed": 0, "epochs": 2000, "sizes": [2, 4, 4, 1], "loss": "bce"},
      "mode": "value",                       # the mode of the last answer: "value" or "sign"
      "tolerance": {"abs": 0.01, "rel": 0.05},
      "answers": [
        {
          "epoch": 1,            # 1-based, as the page shows it
          "row": 2,              # 1-based training row (the example)
          "phase": 3,            # 1 forward, 2 loss, 3 deltas, 4 gradients and update
          "layer": 2,            # 1-based layer of neurons (as in δ2, W2)
          "quantity": "δ2[0]",   # the project's name for the asked number
          "mode": "value",       # "value" or "sign"
          "expected": -0.01234,  # the engine's number (for "sign": its sign, -1, 0 or 1)
          "given": "-0.0123",    # what the learner typed (null when revealed unanswered)
          "first_try": true,     # the first answer to this question
          "right": true,         # null when revealed unanswered
          "diagnosis": null      # for a wrong answer, the catalogued mistake it matches
        }
      ]
    }

A wrong value answer is compared with the value each catalogued mistake would give, within the
same tolerance, and named by the tutor's bug code (``tutor.BUGS``) when one matches:
"""

from __future__ import annotations

import json
from typing import Any

FORMAT = "tinygrad_edu.explorer.answers/1"

# the mistakes the page recognises, by the tutor's code, and the value each one gives
DIAGNOSES: dict[str, str] = {
    "sigma-prime-of-a": "δ with σ′ applied to a instead of z: (∂L/∂a) · σ′(a)",
    "missing-upstream": "δ = σ′(z) without ∂L/∂a; ∂L/∂W = the input without δ; "
    "∂a/∂· without the upstream gradient",
    "sign": "the right magnitude with the wrong sign (an update W + η ∂L/∂W)",
    "missing-1-over-m": "the update with the rows' gradients summed, not averaged: W − η m ḡ",
    "wrong-output-delta": "δᴸ for sigmoid + BCE with σ′ applied on top: (a − y) · σ′(z)",
}
__doc__ = (__doc__ or "") + "".join(f"\n- ``{k}``: {v}" for k, v in DIAGNOSES.items()) + "\n"

_ANSWER_FIELDS = {
    "epoch": int,
    "row": int,
    "phase": int,
    "layer": int,
    "quantity": str,
    "first_try": bool,
}


def read(text: str) -> dict[str, Any]:
    """An answer file's JSON, checked: the fields above with their types, 1-based counters,
    and a diagnosis that is null or a known code. Errors name the field.

    >>> doc = read('{"format": "tinygrad_edu.explorer.answers/1", "learner": "ada", '
    ...            '"run": {"title": "XOR", "seed": 0}, "answers": [{"epoch": 1, "row": 1, '
    ...            '"phase": 1, "layer": 1, "quantity": "a1[0]", "mode": "value", '
    ...            '"expected": 0.5, "given": "0.5", "first_try": true, "right": true, '
    ...            '"diagnosis": null}]}')
    >>> doc["learner"], doc["answers"][0]["quantity"]
    ('ada', 'a1[0]')
    """
    where = "explore.answers.read"
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: not JSON: {err}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{where}: not an explorer answer file (format {FORMAT!r} expected)")
    if not isinstance(doc.get("learner"), str):
        raise ValueError(f"{where}: 'learner' must be a string")
    if not isinstance(doc.get("run"), dict):
        raise ValueError(f"{where}: 'run' must be an object with the run's title and seed")
    answers = doc.get("answers")
    if not isinstance(answers, list):
        raise ValueError(f"{where}: 'answers' must be a list")
    for k, a in enumerate(answers):
        if not isinstance(a, dict):
            raise ValueError(f"{where}: answers[{k}] must be an object")
        for name, kind in _ANSWER_FIELDS.items():
            v = a.get(name)
            if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
                raise ValueError(f"{where}: answers[{k}].{name} must be {kind.__name__}, got {v!r}")
            if kind is int and isinstance(v, int) and v < 1:
                raise ValueError(f"{where}: answers[{k}].{name} counts from 1, got {v}")
        if a.get("right") not in (True, False, None):
            raise ValueError(f"{where}: answers[{k}].right must be true, false or null")
        if a.get("diagnosis") is not None and a["diagnosis"] not in DIAGNOSES:
            raise ValueError(f"{where}: answers[{k}].diagnosis {a['diagnosis']!r} is not a code")
    return doc
