"""Rosenblatt's perceptron: the rule traced by hand, convergence within (R/γ)² on separable
blobs, no convergence on XOR (it stops and says so), the bound helper, clear errors."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import data
from tinygrad_edu.nn import (
    ConvergenceWarning,
    Perceptron,
    PerceptronResult,
    perceptron_bound,
    separation_margin,
)


def test_perceptron_rule_on_and_matches_a_hand_trace() -> None:
    # w = (0, 0), b = 0, η = 1, samples in order (0,0)→0, (0,1)→0, (1,0)→0, (1,1)→1; ŷ = 1[s ≥ 0]:
    # epoch 1: (0,0) s=0 ŷ=1 ✗ b=−1; (1,1) s=−1 ✗ w=(1,1) b=0                    2 mistakes
    # epoch 2: (0,0) ✗ b=−1; (0,1) s=0 ✗ w=(1,0) b=−2; (1,1) s=−1 ✗ w=(2,1) b=−1   3
    # epoch 3: (0,1) s=0 ✗ w=(2,0) b=−2; (1,0) s=0 ✗ w=(1,0) b=−3; (1,1) ✗ w=(2,1) b=−2   3
    # epoch 4: (1,0) s=0 ✗ w=(1,1) b=−3; (1,1) s=−1 ✗ w=(2,2) b=−2                 2
    # epoch 5: (0,1) s=0 ✗ w=(2,1) b=−3; the rest right                            1
    # epoch 6: s = −3, −2, −1, 0: all right                                         0
    X, y = data.and_()
    p = Perceptron(2)
    result = p.fit(X, y)
    assert result == PerceptronResult(True, 6, 11, [2, 3, 3, 2, 1, 0])
    assert [w.data for w in p.w] == [2.0, 1.0] and p.b.data == -3.0
    assert p.predict(X) == y
    assert str(result) == "converged after 6 epochs (11 mistakes in all)"


@given(
    seed=st.integers(0, 100_000),
    margin=st.floats(0.02, 1.0),
    radius=st.floats(0.2, 3.0),
    n=st.integers(2, 80),
    shuffle=st.booleans(),
)
def test_perceptron_converges_on_blobs_within_the_bound(
    seed: int, margin: float, radius: float, n: int, shuffle: bool
) -> None:
    X, y, sep = data.blobs(n, margin=margin, radius=radius, seed=seed, return_separator=True)
    bound = perceptron_bound(X, y, sep.w, sep.b)
    p = Perceptron(2)
    result = p.fit(X, y, max_epochs=10_000, shuffle=shuffle, seed=seed)
    assert result.converged
    assert result.mistakes <= bound  # Novikoff: at most (R/γ)² updates
    assert p.predict(X) == y
    assert result.mistakes_per_epoch[-1] == 0 and sum(result.mistakes_per_epoch) == result.mistakes


@given(seed=st.integers(0, 1000), lr=st.sampled_from([0.01, 0.5, 3.0]))
def test_perceptron_mistakes_do_not_depend_on_the_learning_rate(seed: int, lr: float) -> None:
    # from w = 0 every weight vector is η times the η = 1 one, so each ŷ is the same
    X, y = data.blobs(40, margin=0.1, seed=seed)
    a = Perceptron(2, lr=1.0).fit(X, y, max_epochs=10_000)
    b = Perceptron(2, lr=lr).fit(X, y, max_epochs=10_000)
    assert a.mistakes_per_epoch == b.mistakes_per_epoch


def test_perceptron_fails_on_xor_stops_and_says_so() -> None:
    X, y = data.xor()
    p = Perceptron(2)
    with pytest.warns(ConvergenceWarning, match="did not converge in 50 epochs"):
        result = p.fit(X, y, max_epochs=50)
    assert not result.converged
    assert result.epochs == 50 and len(result.mistakes_per_epoch) == 50
    assert min(result.mistakes_per_epoch) > 0  # no epoch is ever clean
    assert p.predict(X) != y
    assert "may not be linearly separable" in str(result)


@given(w1=st.floats(-3, 3), w2=st.floats(-3, 3), b=st.floats(-3, 3).filter(lambda v: abs(v) > 1e-3))
def test_perceptron_no_line_separates_xor(w1: float, w2: float, b: float) -> None:
    # the lesson's proof, by example: some point of XOR is always on the wrong side
    X, y = data.xor()
    with pytest.raises(ValueError, match="does not separate the data"):
        separation_margin(X, y, (w1, w2), b)


def test_perceptron_bound_on_hand_numbers() -> None:
    X, y = [[1.0, 0.0], [-1.0, 0.0]], [1, 0]
    # x̃ = (±1, 0, 1): R² = 2; v = (1, 0, 0): γ = 1
    assert separation_margin(X, y, (1.0, 0.0)) == 1.0
    assert perceptron_bound(X, y, (1.0, 0.0)) == 2.0
    # v = (1, 0, 0.5)/√1.25: the closer point is (−1, 0) at 0.5/√1.25, so (R/γ)² = 2·1.25/0.25
    assert math.isclose(
        separation_margin(X, y, (1.0, 0.0), 0.5), 0.5 / math.sqrt(1.25), rel_tol=1e-15
    )
    assert math.isclose(perceptron_bound(X, y, (1.0, 0.0), 0.5), 10.0, rel_tol=1e-14)
    # the scale of (w, b) does not matter
    assert math.isclose(perceptron_bound(X, y, (4.0, 0.0), 2.0), 10.0, rel_tol=1e-14)


def test_perceptron_refits_from_zero() -> None:
    X, y = data.or_()
    p = Perceptron(2)
    first = p.fit(X, y)
    assert p.fit(X, y) == first


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: Perceptron(0), "Perceptron: nin must be an int ≥ 1, got 0"),
        (lambda: Perceptron(2, lr=0.0), "Perceptron: lr must be a finite number > 0, got 0.0"),
        (lambda: Perceptron(2).fit([[0.0, 1.0]], [2]), "labels must be 0 or 1, got 2 at index 0"),
        (lambda: Perceptron(2).fit([[0.0, 1.0]], [1, 0]), "1 rows but 2 labels"),
        (
            lambda: Perceptron(2).fit([[0.0]], [1]),
            "Perceptron.fit: X is ragged: X[0] has 1 entry but the model's input size has 2",
        ),
        (
            lambda: Perceptron(2).fit([[0.0, 1.0], [1.0]], [1, 0]),
            "Perceptron.fit: X is ragged: X[1] has 1 entry",
        ),
        (lambda: Perceptron(2).fit([[0.0, 1.0]], [1], max_epochs=0), "max_epochs must be"),
        (
            lambda: Perceptron(2).fit([[math.nan, 1.0]], [0]),
            "Perceptron.fit: an input must be finite, got nan",
        ),
        (lambda: perceptron_bound([[1.0]], [1], (0.0,), 0.0), "must be finite and non-zero"),
        (lambda: perceptron_bound([[1.0, 2.0]], [1], (1.0,)), "row 0 has 2 inputs but w has 1"),
    ],
)
def test_perceptron_bad_input_gets_a_clear_error(call: Callable[[], object], words: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these may get as far as training
        with pytest.raises(ValueError) as info:
            call()
    assert words in str(info.value)


def test_perceptron_bad_input_types_are_named_type_errors() -> None:
    with pytest.raises(TypeError, match=r"Perceptron.decision_function: an input must be a real"):
        Perceptron(2)([1.0, "a"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"Perceptron.fit: label 0 must be a number, got bool"):
        Perceptron(2).fit([[0.0, 1.0]], [True])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"Perceptron: nin must be an int, got bool True"):
        Perceptron(True)


def test_perceptron_bound_is_exact_for_points_at_1e200() -> None:
    # the hand numbers of test_perceptron_bound_on_hand_numbers scaled by s = 1e200: with
    # x̃ = (±s, 0, 1) and v = (1, 0, 0): R² = s² + 1, γ = s, so (R/γ)² = 1 + 1/s² = 1.0 in floats
    s = 1e200
    X, y = [[s, 0.0], [-s, 0.0]], [1, 0]
    assert separation_margin(X, y, (1.0, 0.0)) == s
    assert perceptron_bound(X, y, (1.0, 0.0)) == 1.0
    # a huge separator too: the norm is taken without squaring
    assert perceptron_bound(X, y, (1e300, 0.0)) == 1.0
    # (0.5s, 0) and (−0.5s, 0) added: R is still ≈ s, γ = 0.5s, so (R/γ)² = 4
    X2, y2 = [*X, [0.5 * s, 0.0], [-0.5 * s, 0.0]], [*y, 1, 0]
    assert perceptron_bound(X2, y2, (1.0, 0.0)) == 4.0


def test_perceptron_bound_beyond_the_float_range_is_a_clear_overflow() -> None:
    # R ≈ 1e200 and γ = 1e-200: (R/γ)² = 1e800
    X, y = [[1e200, 0.0], [-1e-200, 0.0]], [1, 0]
    with pytest.raises(OverflowError, match=r"perceptron_bound: the bound \(R/γ\)² is beyond"):
        perceptron_bound(X, y, (1.0, 0.0))


def test_perceptron_accepts_numpy_rows_labels_and_counts() -> None:
    np = pytest.importorskip("numpy", reason="needs NumPy: pip install 'tinygrad_edu[dev]'")
    X, y = data.and_()
    p = Perceptron(np.int64(2), lr=np.float32(1.0))
    result = p.fit(np.array(X), np.array(y), max_epochs=np.int64(10), seed=np.int64(0))
    assert result == Perceptron(2).fit(X, y, max_epochs=10)
    assert perceptron_bound(np.array(X), np.array(y), np.array([2.0, 2.0]), np.float64(-3.0)) > 0
