"""The tutor's policies at the point of use: hand work to the digits written, code at its own
dtype's precision, conventions as notes, every failure counted, user text escaped.

The lesson's worked neuron (LESSON.md §6, checked against PyTorch float64 by hand): x = 0.5,
w = 1.2, b = −0.8, y = 0, ½(y − ŷ)²: ŷ = 0.450166, ∂L/∂w = 0.055712, ∂L/∂b = 0.111424;
textbooks round them to 0.450, 0.056, 0.112 (and ∂L/∂z = ∂L/∂b, ∂L/∂x = 1.2·∂L/∂b = 0.133709).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from learner_set import XOR_X, XOR_Y, backprop, bw_right

from tinygrad_edu import examples, tutor
from tinygrad_edu.engine import Value
from tinygrad_edu.tutor.tolerance import HandTolerance, read_exponent

LESSON = {"L": 1.0, "ŷ": 0.450, "z": 0.112, "w": 0.056, "b": 0.112, "x": 0.134}


def _neuron() -> Value:
    return examples.neuron_loss()["L"]


@pytest.mark.parametrize("seed", range(40))
def test_the_worksheet_key_as_printed_passes_its_own_check_at_every_level(seed: int) -> None:
    for level in tutor.LEVELS:
        ws = tutor.worksheet(seed, level)
        printed = ws.markdown(answers=True)
        report = ws.check(printed)
        assert report.ok, (level, str(report))
        assert "digits written" in report.tolerance


def test_the_lessons_textbook_rounding_and_the_readmes_example_pass() -> None:
    report = tutor.check_gradients(_neuron(), LESSON)
    assert report.ok, str(report)
    readme = {**LESSON, "w": 0.0557, "b": 0.1114, "z": 0.1114, "x": 0.1337, "ŷ": 0.4502}
    assert tutor.check_gradients(_neuron(), readme).ok


def test_hand_work_wrong_in_its_written_digits_is_caught_and_the_digits_are_stated() -> None:
    report = tutor.check_gradients(_neuron(), {**LESSON, "w": 0.06, "b": 0.1116})
    assert not report.ok and report.wrong_count == 2
    assert report.failures == ("node w", "node b")  # from the root backwards
    assert "2 entries are wrong: w, b" in report.hint
    assert "read as at least" not in report.tolerance and "3 significant digits" in report.tolerance


def test_a_teacher_sets_the_tolerance_with_digits_or_tol() -> None:
    strict = tutor.check_gradients(_neuron(), LESSON, digits=4)
    assert not strict.ok and "4 significant digits" in strict.tolerance
    loose = tutor.check_gradients(_neuron(), {**LESSON, "w": 0.06}, tol=0.01)
    assert loose.ok and "0.01" in loose.tolerance


def test_answers_written_as_text_keep_their_trailing_zeros() -> None:
    # "0.4500" claims four decimals: 0.4500 vs 0.450166 is off by 1.7e-4, more than 1e-4
    assert not tutor.check_gradients(_neuron(), {**LESSON, "ŷ": "0.4500"}).ok
    assert tutor.check_gradients(_neuron(), {**LESSON, "ŷ": "0.4502"}).ok
    assert read_exponent("0.45") == read_exponent("0.450") == -3
    assert HandTolerance().allowed(0.0, "0", 1e-4) == pytest.approx(1e-3, rel=1e-6)


def test_float32_delta_equations_are_compared_at_float32_precision() -> None:
    def float32(weights: Any, X: Any, Y: Any) -> Any:
        return backprop(weights, X, Y, dtype=np.float32)

    report = tutor.check_delta(float32, examples.xor_network(), XOR_X, XOR_Y)
    assert report.ok and "float32 precision" in report.tolerance
    assert "float64" in tutor.check_delta(backprop, examples.xor_network(), XOR_X, XOR_Y).tolerance


def test_shapes_in_a_report_are_the_learners_own() -> None:
    def unsummed(weights: Any, X: Any, Y: Any) -> Any:
        return [(dW, np.tile(db, (4, 1))) for dW, db in backprop(weights, X, Y)]

    report = tutor.check_delta(unsummed, examples.xor_network(), XOR_X, XOR_Y)
    assert not report.ok and "(4, 4)" in report.hint and "(16,)" not in report.hint


def test_a_rule_may_return_any_sequence_and_a_kink_takes_any_subgradient() -> None:
    assert tutor.check_rule("mul", lambda a, b, out: np.array([b, a])).ok
    assert tutor.check_rule("mul", lambda a, b, out: [b, a]).ok
    relu = tutor.check_rule("relu", lambda x, out: 1.0 if x >= 0 else 0.0)
    assert relu.ok and any("subgradient" in n and "[0, 1]" in n for n in relu.extra)
    clamp = tutor.check_rule("clamp", lambda x, out: 0.5 if abs(x) == 1 else float(abs(x) < 1))
    assert clamp.ok and clamp.extra
    outside = tutor.check_rule("relu", lambda x, out: 2.0 if x == 0 else float(x > 0))
    assert not outside.ok  # 2 is no subgradient of relu at 0


def test_every_failing_graph_is_counted_and_listed() -> None:
    def wrong_on_shared_nodes(root: Value) -> None:
        bw_right(root)
        if root.label == "L" and len(root.parents) == 2 and root.parents[0] is not root:
            root.parents[1].grad *= 3.0  # the last factor of every graph rooted at L

    report = tutor.check_backward(wrong_on_shared_nodes)
    assert not report.ok
    assert report.wrong_count == len(report.failures) >= 2
    assert f"({report.wrong_count} wrong)" in str(report)
    assert report.failures[0].startswith("graph 'chain'") is False or len(report.failures) > 1


def test_reports_escape_user_text_in_markdown_and_html() -> None:
    evil = "x*<img src=x onerror=alert(1)>|`"
    a = Value(2.0, evil)
    L = a * a
    L.label = "L"
    report = tutor.check_gradients(L, {"L": 1.0, evil: 1.0})
    md, page = report._repr_markdown_(), report._repr_html_()
    assert not re.search(r"(?<!\\)<img", md) and "\\<img" in md and "\\|" in md and "\\`" in md
    assert "<img" not in page and "&lt;img" in page
    ws = tutor.worksheet(1, 1, student="Ada <b>*Lovelace*</b>\n# owned")
    sheet = ws.markdown()
    assert "<b>" not in sheet and "\\*Lovelace\\*" in sheet
    assert sheet.splitlines()[0].startswith("## ") and "\n# owned" not in sheet
    assert "<b>" not in ws.html() and "&lt;b&gt;" in ws.html()


def test_hand_work_tolerance_never_accepts_a_different_number_at_more_digits() -> None:
    exact = math.pi
    for digits in range(3, 10):
        written = f"{exact:#.{digits}g}"  # '#' keeps trailing zeros: the digits as written
        assert HandTolerance().accepts(float(written), written, exact)
        off = f"{exact + 3 * 10 ** (1 - digits):#.{digits}g}"
        assert not HandTolerance().accepts(float(off), off, exact)


def test_a_hand_table_on_a_graph_too_large_to_fill_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tutor.table, "MAX_NODES", 5)
    with pytest.raises(ValueError, match=r"check_gradients: the graph has 12 nodes"):
        tutor.check_gradients(_neuron(), LESSON)


def test_a_primitive_registered_later_is_checkable_with_no_tutor_edit() -> None:
    from tinygrad_edu import ops
    from tinygrad_edu.ops import primitive

    @primitive("cube", ("3 * x**2",), domain=(-2.0, 2.0))
    def cube_for_the_tutor_test(x: float) -> float:
        """f(x) = x³.   df/dx = 3x²."""
        return x * x * x

    try:
        assert tutor.check_rule("cube_for_the_tutor_test", lambda x, out: 3 * x * x).ok
        wrong = tutor.check_rule("cube_for_the_tutor_test", lambda x, out: -3 * x * x)
        assert wrong.diagnosis == "sign"
    finally:
        del ops.TABLE["cube_for_the_tutor_test"]
        delattr(ops, "cube_for_the_tutor_test")
        tutor.RULES.pop("cube_for_the_tutor_test", None)
