"""tinygrad_edu.examples: the lesson's worked numbers (LESSON.md §6), the XOR set-up, the
staircase, each against references computed here with ``math`` only."""

from __future__ import annotations

import math

import pytest
from oracles import sigmoid as _sigmoid

from tinygrad_edu import examples
from tinygrad_edu.nn import MLP

# LESSON.md §6, one sigmoid neuron, L = ½(y − ŷ)² at x = 0.5, w = 1.2, b = −0.8, y = 0
LESSON = {
    "z = w·x + b": -0.2,
    "ŷ = σ(z)": 0.450166,
    "L = ½(y − ŷ)²": 0.101325,
    "σ′(z)": 0.247517,
    "∂L/∂w": 0.055712,
    "∂L/∂b": 0.111424,
}


def test_neuron_example_is_the_lessons_inputs() -> None:
    e = examples.NEURON
    assert (e.x, e.w, e.b, e.y) == (0.5, 1.2, -0.8, 0.0)


def test_worked_example_matches_the_lessons_numbers_every_column() -> None:
    rows = {
        name: (engine, closed, numeric)
        for name, engine, closed, numeric in examples.worked_example()
    }
    assert list(rows) == list(LESSON)
    for name, (engine, closed, numeric) in rows.items():
        assert engine == pytest.approx(LESSON[name], abs=5e-7), name  # the lesson rounds to 6
        assert closed == pytest.approx(engine, rel=1e-12, abs=1e-15), name
        if name.startswith("∂"):
            assert numeric == pytest.approx(engine, rel=1e-6), name
        else:
            assert math.isnan(numeric)


def test_neuron_loss_gradients_equal_the_chain_rule_by_hand() -> None:
    nodes = examples.neuron_loss()
    s = _sigmoid(1.2 * 0.5 - 0.8)
    delta = (s - 0.0) * s * (1.0 - s)  # ∂L/∂ŷ · σ′(z)
    assert nodes["w"].grad == pytest.approx(delta * 0.5, rel=1e-12)
    assert nodes["b"].grad == pytest.approx(delta, rel=1e-12)
    assert nodes["x"].grad == pytest.approx(delta * 1.2, rel=1e-12)
    assert nodes["L"].label == "L" and nodes["ŷ"].label == "ŷ"


def test_worked_example_other_inputs_follow_the_closed_form() -> None:
    e = examples.NeuronExample(x=-1.5, w=0.3, b=0.4, y=1.0)
    rows = {name: engine for name, engine, _, _ in examples.worked_example(e)}
    s = _sigmoid(0.3 * -1.5 + 0.4)
    assert rows["∂L/∂w"] == pytest.approx((s - 1.0) * s * (1 - s) * -1.5, rel=1e-12)
    assert "x = -1.5, w = 0.3, b = 0.4, target y = 1" in examples.format_worked_example(e)


def test_format_worked_example_prints_the_textbook_values() -> None:
    text = examples.format_worked_example()
    for value in ("-0.200000", "0.450166", "0.101325", "0.247517", "0.055712", "0.111424"):
        assert value in text
    assert text.splitlines()[0].startswith("One sigmoid neuron: x = 0.5, w = 1.2, b = -0.8")


def test_xor_network_is_the_lessons_2_4_4_1_sigmoid_net() -> None:
    model = examples.xor_network()
    assert [model.nin, *(layer.nout for layer in model.layers)] == list(examples.XOR_SIZES)
    assert [layer.activation for layer in model.layers] == ["sigmoid"] * 3
    assert model.num_parameters() == 2 * 4 + 4 + 4 * 4 + 4 + 4 + 1 == 37
    assert (examples.XOR_SEED, examples.XOR_LR, examples.XOR_EPOCHS) == (0, 1.0, 2000)
    assert examples.XOR_LOSS == "bce"
    same = [p.data for p in examples.xor_network(examples.XOR_SEED).parameters()]
    assert same == [p.data for p in model.parameters()]
    assert same != [p.data for p in examples.xor_network(1).parameters()]


def test_xor_network_refuses_a_bad_seed() -> None:
    with pytest.raises(TypeError, match="xor_network: seed must be an int"):
        examples.xor_network(True)  # type: ignore[arg-type]


def _staircase_by_hand(x: float, n: int, k: float, lo: float, hi: float) -> float:
    h = (hi - lo) / (n + 1)
    c = [math.sin(lo + (j + 0.5) * h) for j in range(n + 1)]
    steps = ((c[j] - c[j - 1]) * _sigmoid((k / h) * (x - (lo + j * h))) for j in range(1, n + 1))
    return c[0] + math.fsum(steps)


@pytest.mark.parametrize("width", [1, 2, 8, 32])
def test_staircase_network_is_the_constructive_sum_of_steps(width: int) -> None:
    model = examples.staircase_network(width)
    for x in (0.0, 0.7, math.pi, 5.9, 2 * math.pi):
        expected = _staircase_by_hand(x, width, examples.STAIRCASE_STEEPNESS, 0.0, 2 * math.pi)
        assert model([x])[0].data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_staircase_error_shrinks_as_the_width_grows() -> None:
    grid = [2 * math.pi * i / 200 for i in range(201)]

    def sup(width: int) -> float:
        model = examples.staircase_network(width)
        return max(abs(model([x])[0].data - math.sin(x)) for x in grid)

    errors = [sup(n) for n in (2, 8, 32)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 2 * math.pi / 33  # about h·max|f′| with h = 2π/(N + 1)


def test_staircase_refuses_a_network_of_the_wrong_shape_and_bad_bounds() -> None:
    with pytest.raises(ValueError, match="staircase: needs a 1 → N → 1 network"):
        examples.staircase(MLP(1, [4, 4, 1], seed=0), math.sin, 0.0, 1.0)
    model = MLP(1, [4, 1], activation="sigmoid", seed=0)
    with pytest.raises(ValueError, match="staircase: hi must be greater than lo"):
        examples.staircase(model, math.sin, 1.0, 1.0)
    with pytest.raises(TypeError, match="staircase: lo"):
        examples.staircase(model, math.sin, "0", 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="staircase_network: width"):
        examples.staircase_network(0)
