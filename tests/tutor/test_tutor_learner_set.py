"""The tutor on a realistic set of learner submissions (tests/learner_set.py): every right
one passes, at least 98 % of the wrong ones are caught and 95 % named with the right code."""

from __future__ import annotations

import pytest
from learner_set import SUBMISSIONS, Submission, outcome

RIGHT = [s for s in SUBMISSIONS if s.expected is None]
WRONG = [s for s in SUBMISSIONS if s.expected is not None]


def test_the_set_is_large_enough_to_measure() -> None:
    assert len(RIGHT) >= 40 and len(WRONG) >= 80
    assert len({s.name for s in SUBMISSIONS}) == len(SUBMISSIONS)


@pytest.mark.slow
def test_every_right_submission_passes_and_the_wrong_ones_are_caught_and_named() -> None:
    refused = [s.name for s in RIGHT if not outcome(s)[0]]
    assert refused == []
    results: list[tuple[Submission, bool, str | None, str]] = [(s, *outcome(s)) for s in WRONG]
    crashed = [s.name for s, _, _, crash in results if crash]
    assert crashed == []
    detected = [s for s, ok, _, _ in results if not ok]
    named = [s for s, ok, code, _ in results if not ok and (code or "") == s.expected]
    assert len(detected) >= 0.98 * len(WRONG), [s.name for s in WRONG if s not in detected]
    assert len(named) >= 0.95 * len(WRONG), [s.name for s in WRONG if s not in named]
