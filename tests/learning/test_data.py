"""Toy datasets: exact truth tables, geometry of each shape, seeding, shapes, clear errors."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import data


def is_rows(X: object, width: int) -> bool:
    return isinstance(X, list) and all(
        isinstance(r, list) and len(r) == width and all(type(v) is float for v in r) for r in X
    )


# --------------------------------------------------------------------------- logic gates
def test_data_logic_gates_are_exact_truth_tables() -> None:
    X, y = data.xor()
    assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y == [0, 1, 1, 0]
    assert data.and_() == (X, [0, 0, 0, 1])
    assert data.or_() == (X, [0, 1, 1, 1])
    assert data.logic_gate("NAND")[1] == [1, 1, 1, 0]
    assert data.logic_gate("nor")[1] == [1, 0, 0, 0]
    assert data.logic_gate("xnor")[1] == [1, 0, 0, 1]


def test_data_to_signed_maps_zero_one_to_minus_plus_one() -> None:
    assert data.to_signed([0, 1, 1, 0]) == [-1.0, 1.0, 1.0, -1.0]


# --------------------------------------------------------------------------- shapes
@pytest.mark.parametrize(
    "make",
    [
        lambda s: data.moons(37, noise=0.1, seed=s),
        lambda s: data.circles(37, noise=0.1, seed=s),
        lambda s: data.spiral(37, k=4, seed=s),
        lambda s: data.blobs(37, k=3, seed=s),
    ],
)
def test_data_same_seed_same_data_other_seed_other_data(
    make: Callable[[int], tuple[list[list[float]], list[int]]],
) -> None:
    X, y = make(1)
    assert is_rows(X, 2) and len(X) == len(y) == 37
    assert all(type(label) is int for label in y)
    assert make(1) == (X, y)
    assert make(2)[0] != X


def test_data_classes_are_balanced_and_shuffled() -> None:
    _, y = data.spiral(31, k=3, seed=0)
    assert [y.count(c) for c in range(3)] == [11, 10, 10]
    _, y = data.moons(101, seed=0)
    assert [y.count(c) for c in range(2)] == [51, 50]
    assert y != sorted(y)  # interleaved, so mini-batches see both classes


# --------------------------------------------------------------------------- geometry
def test_data_moons_without_noise_lie_on_their_arcs() -> None:
    X, y = data.moons(40, noise=0.0, seed=3)
    for (a, b), label in zip(X, y):
        if label == 0:  # (cos t, sin t)
            assert math.isclose(math.hypot(a, b), 1.0, rel_tol=1e-15) and b >= -1e-15
        else:  # (1 − cos t, ½ − sin t)
            assert math.isclose(math.hypot(1.0 - a, 0.5 - b), 1.0, rel_tol=1e-15)
            assert b <= 0.5 + 1e-15


def test_data_circles_without_noise_have_their_radii() -> None:
    X, y = data.circles(30, noise=0.0, factor=0.3, seed=0)
    for (a, b), label in zip(X, y):
        assert math.isclose(math.hypot(a, b), 1.0 if label == 0 else 0.3, rel_tol=1e-15)


def test_data_spiral_radius_grows_along_each_arm() -> None:
    X, y = data.spiral(30, k=3, noise=0.0, seed=0)
    for label in range(3):
        radii = sorted(math.hypot(a, b) for (a, b), c in zip(X, y) if c == label)
        assert radii == pytest.approx([i / 9 for i in range(10)], rel=1e-15, abs=1e-15)


@given(
    seed=st.integers(0, 10_000),
    margin=st.floats(0.01, 2.0),
    radius=st.floats(0.1, 3.0),
    n=st.integers(2, 60),
)
def test_data_blobs_separator_keeps_every_point_beyond_the_margin(
    seed: int, margin: float, radius: float, n: int
) -> None:
    X, y, sep = data.blobs(n, margin=margin, radius=radius, seed=seed, return_separator=True)
    assert math.isclose(math.hypot(*sep.w), 1.0, rel_tol=1e-15)
    assert sep.b == 0.0 and sep.margin == margin
    for (a, b), label in zip(X, y):
        signed = (sep.w[0] * a + sep.w[1] * b + sep.b) * (1 if label == 1 else -1)
        assert signed >= margin - 1e-12


@given(seed=st.integers(0, 10_000), k=st.integers(3, 6), margin=st.floats(0.05, 1.0))
def test_data_blobs_with_k_classes_are_pairwise_separated(seed: int, k: int, margin: float) -> None:
    X, y = data.blobs(6 * k, k=k, margin=margin, seed=seed)
    points = [[p for p, c in zip(X, y) if c == j] for j in range(k)]
    # nearest points of different classes are at least 2·margin apart (discs 2(r + m) apart)
    for i in range(k):
        for j in range(i + 1, k):
            gap = min(math.dist(p, q) for p in points[i] for q in points[j])
            assert gap >= 2.0 * margin - 1e-12


def test_data_sine_is_sin_on_an_even_grid() -> None:
    X, y = data.sine(5, lo=0.0, hi=math.pi)
    assert [x for (x,) in X] == [0.0, math.pi / 4, math.pi / 2, 3 * math.pi / 4, math.pi]
    assert y == [math.sin(x) for (x,) in X]
    assert data.curve("square", 3, lo=-1.0, hi=1.0) == ([[-1.0], [0.0], [1.0]], [1.0, 0.0, 1.0])
    assert data.curve("step", 3, lo=-1.0, hi=1.0)[1] == [0.0, 1.0, 1.0]


def test_data_noise_is_gaussian_with_the_given_sd() -> None:
    X, y = data.sine(4000, noise=0.5, seed=7)
    residuals = [t - math.sin(x) for (x,), t in zip(X, y)]
    mean = sum(residuals) / len(residuals)
    sd = math.sqrt(sum((r - mean) ** 2 for r in residuals) / (len(residuals) - 1))
    # sampling error of the sd with 4000 draws is about 0.5/√8000 ≈ 0.0056
    assert abs(sd - 0.5) < 0.03 and abs(mean) < 0.05


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: data.moons(0), "moons: n must be an int ≥ 2, got 0"),
        (lambda: data.moons(10, noise=-0.1), "moons: noise must be in [0, inf], got -0.1"),
        (lambda: data.circles(10, factor=1.5), "circles: factor must be in (0, 1), got 1.5"),
        (lambda: data.spiral(2, k=3), "spiral: n must be ≥ k"),
        (lambda: data.spiral(10, k=1), "spiral: k must be an int ≥ 2, got 1"),
        (lambda: data.blobs(-3), "blobs: n must be an int ≥ 1, got -3"),
        (lambda: data.blobs(10, margin=0.0), "blobs: margin must be a finite number > 0, got 0.0"),
        (lambda: data.blobs(10, k=3, return_separator=True), "return_separator needs k = 2"),
        (lambda: data.logic_gate("implies"), "unknown gate 'implies'; choose one of 'and'"),
        (lambda: data.curve("tan"), "curve: unknown curve 'tan'"),
        (lambda: data.curve(["sine"]), "curve: unknown curve ['sine']"),  # type: ignore[arg-type]
        (lambda: data.sine(10, lo=1.0, hi=0.0), "curve: need lo < hi"),
        (lambda: data.sine(0), "curve: n must be an int ≥ 1, got 0"),
        (lambda: data.to_signed([0, 2]), "to_signed: labels must be 0 or 1, got 2 at index 1"),
    ],
)
def test_data_bad_arguments_are_clear_value_errors(call: Callable[[], object], words: str) -> None:
    with pytest.raises(ValueError) as info:
        call()
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: data.moons(10.5), "moons: n must be an int, got float 10.5"),  # type: ignore[arg-type]
        (lambda: data.moons(True), "moons: n must be an int, got bool True"),
        (lambda: data.moons(10, noise=True), "moons: noise must be a number, got bool"),
        (lambda: data.spiral(10, seed=1.5), "spiral: seed must be an int, got float 1.5"),  # type: ignore[arg-type]
        (lambda: data.sine(10, lo="0"), "curve: lo must be a real number, got str"),  # type: ignore[arg-type]
        (lambda: data.to_signed([0, True]), "to_signed: label 1 must be a number, got bool"),
        (lambda: data.to_signed(None), "to_signed: y must be a sequence"),  # type: ignore[arg-type]
    ],
)
def test_data_arguments_of_the_wrong_type_are_named_type_errors(
    call: Callable[[], object], words: str
) -> None:
    with pytest.raises(TypeError) as info:
        call()
    assert words in str(info.value)


def test_data_numpy_counts_seeds_and_labels_give_the_same_data() -> None:
    np = pytest.importorskip("numpy", reason="needs NumPy: pip install 'tinygrad_edu[dev]'")
    assert data.moons(np.int64(20), np.float32(0.25), seed=np.int64(3)) == data.moons(
        20, float(np.float32(0.25)), seed=3
    )
    assert data.blobs(np.int32(9), k=np.int64(3), seed=np.uint8(1)) == data.blobs(9, k=3, seed=1)
    assert data.to_signed(np.array([0, 1, 1])) == [-1.0, 1.0, 1.0]
