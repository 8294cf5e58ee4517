"""The GC policy: the collector is paused only inside the library's own calls and gc_paused()."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tinygrad_edu import Value, gc_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_gc_paused_disables_then_restores(collector_on: None) -> None:
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner block leaves it to the outer one
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_paused_restores_after_an_exception(collector_on: None) -> None:
    with pytest.raises(ZeroDivisionError), gc_paused():
        Value(1.0) / 0.0
    assert gc.isenabled()


def test_gc_paused_leaves_a_disabled_collector_disabled(collector_on: None) -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
    gc.enable()


def test_gc_paused_keeps_thresholds(collector_on: None) -> None:
    before = gc.get_threshold()
    with gc_paused():
        x = Value(3.0)
        (x * x).backward()
    assert gc.get_threshold() == before and gc.isenabled()
    assert x.grad == 6.0


def test_gc_paused_graph_is_freed_by_reference_counting(collector_on: None) -> None:
    def values_alive() -> int:
        return sum(issubclass(type(o), Value) for o in gc.get_objects())

    gc.collect()
    before = values_alive()
    with gc_paused():
        x = Value(1.0)
        y = (x * 2.0).tanh() + x
        y.backward()
        assert values_alive() == before + 5  # x, the constant 2.0, x·2, tanh, the sum
        del x, y
        assert values_alive() == before  # no cycle: gone without the collector
