"""Grad mode across generators and threads, pickled nodes and models, and sizes refused up front."""

from __future__ import annotations

import math
import pickle
import threading
import time
from collections.abc import Iterator

import pytest

from tinygrad_edu import MLP, Neuron, Perceptron, Value, data, no_grad, ops
from tinygrad_edu.engine import is_grad_enabled
from tinygrad_edu.expr import evaluate
from tinygrad_edu.nn import Layer


def test_gradmode_decorated_generator_runs_each_step_without_recording() -> None:
    @no_grad()
    def squares(x: Value) -> Iterator[tuple[bool, bool]]:
        for _ in range(2):
            y = x * x
            yield is_grad_enabled(), y.is_leaf

    x = Value(3.0)
    steps = []
    for step in squares(x):
        steps.append((*step, is_grad_enabled()))  # the caller's code between steps records
    assert steps == [(False, True, True), (False, True, True)]
    assert is_grad_enabled()


def test_gradmode_decorated_generator_passes_send_throw_and_return() -> None:
    @no_grad()
    def echo() -> Iterator[object]:
        got = yield "ready"
        try:
            yield got
        except KeyError:
            yield "caught"
        return "done"

    gen = echo()
    assert next(gen) == "ready"
    assert gen.send(5) == 5
    assert gen.throw(KeyError()) == "caught"
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done" and is_grad_enabled()


def test_gradmode_generator_closed_in_another_thread_leaves_grad_mode_right() -> None:
    def inside() -> Iterator[int]:
        with no_grad():
            yield 1
            yield 2

    gen = inside()
    next(gen)
    assert not is_grad_enabled()  # suspended inside the block, in this thread
    seen: list[bool] = []

    def close() -> None:
        gen.close()
        seen.append(is_grad_enabled())

    worker = threading.Thread(target=close)
    worker.start()
    worker.join()
    assert seen == [True]  # the other thread's grad mode was never touched
    assert is_grad_enabled()  # and this thread's block is closed
    assert not (Value(2.0) * 3).is_leaf


def test_pickle_op_nodes_keep_values_edges_and_gradients() -> None:
    x = Value(0.5, "x")
    y = (x * 3.0).tanh() ** 2 + x.clamp(0.0, 1.0) + x.leaky_relu(0.2) + x.atan()
    copy = pickle.loads(pickle.dumps(y))
    assert copy.data == y.data and copy.primitive is ops.add
    copy.backward()
    y.backward()
    (x_copy,) = [v for v in _leaves(copy) if v.label == "x"]
    assert x_copy.grad.hex() == x.grad.hex()


def _leaves(root: Value) -> list[Value]:
    from tinygrad_edu.engine import topo_order

    return [v for v in topo_order(root) if v.is_leaf]


def test_pickle_models_predict_the_same() -> None:
    for model in (MLP(2, [3, 1], activation="tanh", seed=0), Neuron(2, "linear", seed=1)):
        copy = pickle.loads(pickle.dumps(model))
        out, out_copy = model([0.25, -1.0]), copy([0.25, -1.0])
        got = out_copy if isinstance(out_copy, list) else [out_copy]
        want = out if isinstance(out, list) else [out]
        assert [v.data for v in got] == [v.data for v in want]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Value(10**400), OverflowError, r"Value: the number is too large for a float"),
        (lambda: Value(1.0) + 10**400, OverflowError, r"add: the number is too large"),
        (lambda: Value(1.0).backward(10**400), OverflowError, r"backward: the number is too"),
        (lambda: evaluate("x * 2", {"x": 10**400}), OverflowError, r"expression: the value of"),
        (lambda: MLP(2, [1], seed=0)([10**400, 1.0]), OverflowError, r"MLP: the number is too"),
        (lambda: Neuron(2, seed=0)(["a", 1.0]), TypeError, r"Neuron: expected each input"),
        (lambda: data.moons(n=10**400), ValueError, r"moons: n = 1000.* over the limit of 1,00"),
        (lambda: MLP(2, [10**12]), ValueError, r"MLP: .* over the limit of 1,000,000 .*PyTorch"),
        (lambda: Layer(10**6, 10**6), ValueError, r"Layer: .* parameters, over the limit"),
        (lambda: Neuron(10**9), ValueError, r"Neuron: .* over the limit"),
        (lambda: Perceptron(10**9), ValueError, r"Perceptron: .* over the limit"),
    ],
)
def test_sizes_are_refused_up_front_naming_the_function(
    make: object, error: type[Exception], message: str
) -> None:
    start = time.perf_counter()
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]
    assert time.perf_counter() - start < 0.5  # refused before any allocation


def test_expression_accepts_the_numbers_the_library_accepts() -> None:
    from fractions import Fraction

    assert evaluate("x * 2", {"x": Fraction(1, 4)}).data == 0.5
    assert math.isnan(Value(math.nan).relu().data)
