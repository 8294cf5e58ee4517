"""The explorer's answers as xAPI statements, for an LMS's learning-record store.

One ``answered`` statement per answer: the actor is the learner (an account on the course's
home page), the object a ``cmi.interaction`` activity (numeric) per asked quantity, the result
its ``response`` and ``success``, and the diagnosis (a tutor code) a result extension.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

__all__ = ["ANSWERED", "EXTENSION", "xapi_statements"]

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
BASE = "https://tinygrad-edu.invalid/xapi"
EXTENSION = f"{BASE}/extensions/diagnosis"
_NS = uuid.uuid5(uuid.NAMESPACE_URL, BASE)


def _statement(doc: dict[str, Any], k: int, a: dict[str, Any], home: str) -> dict[str, Any]:
    learner = doc.get("learner") or "anonymous"
    run = doc.get("run") or {}
    run_id = quote(str(run.get("title", "run")), safe="") + f"-{run.get('seed', 0)}"
    item = f"e{a['epoch']}/r{a['row']}/p{a['phase']}/l{a['layer']}/{quote(a['quantity'], safe='')}"
    activity: dict[str, Any] = {
        "objectType": "Activity",
        "id": f"{BASE}/explorer/{run_id}/{item}",
        "definition": {
            "type": INTERACTION,
            "interactionType": "numeric",
            "name": {"en-US": f"{a['quantity']} (epoch {a['epoch']}, row {a['row']})"},
        },
    }
    expected = a.get("expected")
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        activity["definition"]["correctResponsesPattern"] = [f"{expected:.6g}"]
    extensions = {EXTENSION: a.get("diagnosis"), f"{BASE}/extensions/first-try": a["first_try"]}
    result: dict[str, Any] = {"extensions": extensions}
    if a.get("given") not in (None, ""):
        result["response"] = str(a["given"])
    if a.get("right") is not None:
        result["success"] = bool(a["right"])
    return {
        "id": str(uuid.uuid5(_NS, f"{learner}\x00{run_id}\x00{k}")),
        "actor": {
            "objectType": "Agent",
            "name": learner,
            "account": {"homePage": home, "name": learner},
        },
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": activity,
        "result": result,
        "context": {
            "extensions": {
                f"{BASE}/extensions/phase": a["phase"],
                f"{BASE}/extensions/layer": a["layer"],
            }
        },
        "version": "1.0.3",
    }


def xapi_statements(
    docs: Sequence[dict[str, Any]], home_page: str = "https://lms.example.org"
) -> list[dict[str, Any]]:
    """Every answer of every file as an xAPI ``answered`` statement (ids stable per answer).

    >>> from tinygrad_edu.grading.answers import simulate_class
    >>> s = xapi_statements(simulate_class(1))[0]
    >>> s["verb"]["id"].endswith("/answered"), s["object"]["definition"]["type"][-15:]
    (True, 'cmi.interaction')
    """
    return [_statement(doc, k, a, home_page) for doc in docs for k, a in enumerate(doc["answers"])]
