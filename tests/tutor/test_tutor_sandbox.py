"""Learner code never breaks the tutor or the library: time limits, odd values, monkeypatches.

Every check runs the learner's code through ``tutor.sandbox.run``: an endless loop or an
endless recursion becomes a ``did-not-finish`` report within the time limit, any exception
or odd value becomes a report, and anything the code replaced in the library is put back
(the check that saw it says ``changed-the-library``, never "right").
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import numpy as np
import pytest
from test_tutor import XOR_X, XOR_Y, right_backprop, right_backward

from tinygrad_edu import engine, examples, ops, tutor
from tinygrad_edu.engine import Value, topo_order
from tinygrad_edu.tutor import sandbox

LIMIT = 0.3  # seconds: short, so that these tests stay cheap


def _library_intact() -> None:
    """The engine computes d(a·b + tanh a)/da = b + 1 − tanh² a again, and a right backward
    passes: nothing a learner did is left behind."""
    a, b = Value(0.5), Value(-2.0)
    y = a * b + a.tanh()
    y.backward()
    assert a.grad == -2.0 + 1.0 - np.tanh(0.5) ** 2
    assert ops.TABLE["tanh"].rule(0.5, 0.3) == (0.75,)
    assert tutor.check_backward(right_backward).ok


def test_a_python_busy_loop_in_a_rule_ends_as_a_report_within_the_limit() -> None:
    def spin(x: float, out: float) -> float:
        while True:
            pass

    start = time.perf_counter()
    report = tutor.check_rule("tanh", spin, timeout=LIMIT)
    assert time.perf_counter() - start < LIMIT + 2.0
    assert not report.ok and report.diagnosis == "did-not-finish"
    assert "did not finish within 0.3 s" in report.hint


@pytest.mark.slow
def test_a_loop_that_swallows_every_exception_is_reported_and_left_behind() -> None:
    finished = threading.Event()  # lets this test end the loop it leaves behind

    def stubborn(root: Value) -> None:
        while not finished.is_set():
            try:
                while not finished.is_set():
                    pass
            except BaseException:
                continue

    start = time.perf_counter()
    report = tutor.check_backward(stubborn, timeout=LIMIT)
    finished.set()
    assert time.perf_counter() - start < LIMIT + sandbox.GRACE + 2.0
    assert report.diagnosis == "did-not-finish"
    assert "still running in the background" in report.hint


def test_a_deep_recursion_that_never_ends_is_stopped_and_names_the_graph() -> None:
    def explode(root: Value) -> None:  # a recursion 900 deep with two calls per level
        def visit(v: Value, depth: int) -> None:
            if depth < 900:
                visit(v, depth + 1)
                visit(v, depth + 1)

        visit(root, 0)

    report = tutor.check_backward(explode, timeout=LIMIT)
    assert report.diagnosis == "did-not-finish"
    assert report.first_wrong is not None and report.first_wrong.where.startswith("graph 'chain'")
    assert "did not finish on graph 'chain'" in report.hint


def test_an_endless_recursion_is_a_recursion_report_and_the_limit_is_restored() -> None:
    limit = sys.getrecursionlimit()

    def endless(root: Value) -> None:
        sys.setrecursionlimit(200)
        endless(root)

    report = tutor.check_backward(endless)
    assert report.diagnosis == "recursion-depth"
    assert sys.getrecursionlimit() == limit


def test_the_watchdog_works_outside_the_main_thread() -> None:
    def spin(x: float, out: float) -> float:
        while True:
            pass

    result: list[tutor.Report] = []
    worker = threading.Thread(
        target=lambda: result.append(tutor.check_rule("exp", spin, timeout=LIMIT))
    )
    worker.start()
    worker.join(10.0)
    assert result and result[0].diagnosis == "did-not-finish"


@pytest.mark.slow
def test_odd_values_in_grad_become_reports() -> None:
    for odd, words in [(Value(1.0), "a Value"), ("0.5", "a str"), (None, "a NoneType")]:

        def leaves_odd(root: Value, odd: Any = odd) -> None:
            right_backward(root)
            for n in topo_order(root):
                if not n.parents:
                    n.grad = odd

        report = tutor.check_backward(leaves_odd)
        assert not report.ok and words in report.hint, str(report)

    def huge(root: Value) -> None:
        right_backward(root)
        for n in topo_order(root):
            if not n.parents:
                n.grad = 10**400

    report = tutor.check_backward(huge)  # an int beyond the float range is read as inf
    assert not report.ok and report.first_wrong is not None
    assert report.first_wrong.got == float("inf") and "graph 'chain'" in report.hint


def test_exit_in_learner_code_is_a_report_not_the_end_of_the_session() -> None:
    report = tutor.check_rule("exp", lambda x, out: sys.exit(3))
    assert not report.ok and "SystemExit" in report.hint


def test_an_error_on_the_second_call_is_a_report() -> None:
    calls = {"n": 0}

    def once(root: Value) -> None:
        calls["n"] += 1
        if calls["n"] > 7:  # the 8th call is the second call on the same graph
            raise RuntimeError("second call")
        right_backward(root)

    report = tutor.check_backward(once)
    assert not report.ok and "second time" in report.hint


def test_a_result_that_fails_while_iterated_is_a_report() -> None:
    def generator(weights: Any, X: Any, Y: Any) -> Any:
        yield from right_backprop(weights, X, Y)[:1]
        raise ValueError("stopped half way")

    report = tutor.check_delta(generator, examples.xor_network(), XOR_X, XOR_Y)
    assert not report.ok and "ValueError" in report.hint

    class Endless:
        def __iter__(self) -> Any:
            while True:
                yield (np.zeros((4, 2)), np.zeros(4))

    report = tutor.check_delta(lambda w, X, Y: Endless(), examples.xor_network(), XOR_X, XOR_Y)
    assert not report.ok and "3 pairs" in report.hint


def test_a_repr_that_never_ends_does_not_hang_the_report() -> None:
    class Odd:
        def __repr__(self) -> str:
            while True:
                pass

    start = time.perf_counter()
    report = tutor.check_rule("exp", lambda x, out: Odd())
    assert time.perf_counter() - start < 5.0
    assert not report.ok and "Odd" in report.hint


def test_patching_value_backward_is_undone_and_never_right() -> None:
    def cheat(root: Value) -> None:
        right_backward(root)
        Value.backward = lambda self, gradient=1.0: None  # type: ignore[method-assign]

    report = tutor.check_backward(cheat)
    assert not report.ok and report.diagnosis == "changed-the-library"
    assert any("Value.backward" in note for note in report.extra)
    _library_intact()


@pytest.mark.slow
def test_patching_operators_module_functions_and_the_table_is_undone() -> None:
    tanh_entry = ops.TABLE["tanh"]

    def vandal(root: Value) -> None:
        right_backward(root)
        Value.__mul__ = lambda self, other: self  # type: ignore[method-assign,assignment]
        engine.topo_order = lambda root: []  # type: ignore[assignment]
        object.__setattr__(tanh_entry, "rule", lambda out, x: (0.0,))
        ops.TABLE["exp"] = tanh_entry
        ops.mul = ops.add  # the entry every product records
        tutor.backward.close = lambda *a, **k: True  # the tutor's own judge  # type: ignore[assignment]

    report = tutor.check_backward(vandal)
    assert not report.ok and report.diagnosis == "changed-the-library"
    assert ops.TABLE["exp"] is ops.exp and tanh_entry.rule(0.5, 0.3) == (0.75,)
    assert ops.mul is ops.TABLE["mul"] and (Value(2.0) * 3.0).op == "*"
    _library_intact()

    def rule_vandal(x: float, out: float) -> float:
        Value.__add__ = lambda self, other: self  # type: ignore[method-assign,assignment]
        return 1.0 - out**2

    report = tutor.check_rule("tanh", rule_vandal)
    assert not report.ok and report.diagnosis == "changed-the-library"
    _library_intact()


def test_run_returns_the_value_and_notes_no_patch_for_honest_code() -> None:
    out = sandbox.run(lambda: sum(range(10)))
    assert out.ok and out.value == 45 and out.patched == () and not out.timed_out
    assert sandbox.as_number(10**400) == (float("inf"), "")
    assert sandbox.as_number(np.float32(0.25)) == (0.25, "")
    assert sandbox.as_number(True)[0] is None
