"""Losses: values against closed forms, gradients against the lesson's closed forms and central
differences, extreme logits, batch shapes, and clear errors."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from oracles import sigmoid
from strategies import floats_in

from tinygrad_edu import ops
from tinygrad_edu.engine import Value, topo_order
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.losses import (
    LOSSES,
    bce,
    bce_with_logits,
    cross_entropy,
    get_loss,
    half_sse,
    hinge,
    log_softmax,
    mse,
    softmax,
)

CLOSE = 1e-12  # closed forms: a few roundings apart


def close(a: float, b: float, tol: float = CLOSE) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def leaves(xs: Sequence[float]) -> list[Value]:
    return [Value(x) for x in xs]


def check_grad(f: Callable[..., Value], xs: Sequence[float]) -> None:
    # smooth functions of moderate size: central differences are good to ~1e-9 here
    gradcheck(f, list(xs), eps=1e-6, atol=1e-8, rtol=1e-6)


def probs_for(z: Sequence[float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    s = math.fsum(e)
    return [v / s for v in e]


vectors = st.lists(floats_in(-5.0, 5.0), min_size=1, max_size=6)
unit = floats_in(0.0, 1.0)


# --------------------------------------------------------------------------- mse / half_sse
@given(data=st.data(), m=st.integers(1, 6))
def test_losses_mse_value_and_gradient_match_closed_forms(data: st.DataObject, m: int) -> None:
    preds = data.draw(st.lists(floats_in(-5, 5), min_size=m, max_size=m))
    targets = data.draw(st.lists(floats_in(-5, 5), min_size=m, max_size=m))
    ps = leaves(preds)
    loss = mse(ps, targets)
    loss.backward()
    assert close(loss.data, math.fsum((p - t) ** 2 for p, t in zip(preds, targets)) / m)
    for v, p, t in zip(ps, preds, targets):
        assert close(v.grad, 2.0 * (p - t) / m)  # ∂/∂ŷ = 2(ŷ − y)/N


@given(y=floats_in(-5, 5), yhat=floats_in(-5, 5))
def test_losses_half_sse_one_example_gradient_is_yhat_minus_y(y: float, yhat: float) -> None:
    v = Value(yhat)
    loss = half_sse(v, y)
    loss.backward()
    assert close(loss.data, 0.5 * (y - yhat) ** 2)
    assert close(v.grad, yhat - y)  # the lesson: ½(y − ŷ)² has ∂/∂ŷ = ŷ − y


@given(data=st.data(), m=st.integers(1, 4), n=st.integers(1, 4))
def test_losses_half_sse_batch_of_vectors_is_mean_of_half_sums(
    data: st.DataObject, m: int, n: int
) -> None:
    rows = st.lists(floats_in(-5, 5), min_size=n, max_size=n)
    preds = data.draw(st.lists(rows, min_size=m, max_size=m))
    targets = data.draw(st.lists(rows, min_size=m, max_size=m))
    ps = [leaves(r) for r in preds]
    loss = half_sse(ps, targets)
    loss.backward()
    per_example = [
        0.5 * math.fsum((a - b) ** 2 for a, b in zip(p, t)) for p, t in zip(preds, targets)
    ]
    assert close(loss.data, math.fsum(per_example) / m)
    for row, p, t in zip(ps, preds, targets):
        for v, a, b in zip(row, p, t):
            assert close(v.grad, (a - b) / m)  # (ŷ − y)/m: the 1/m of the delta equations


def test_losses_half_sse_flat_list_is_a_batch_and_nested_list_a_vector() -> None:
    a, b = Value(3.0), Value(-1.0)
    assert half_sse([a, b], [1.0, 0.0]).data == 0.5 * (0.5 * 4.0 + 0.5 * 1.0)  # two examples
    assert half_sse([[a, b]], [[1.0, 0.0]]).data == 0.5 * (4.0 + 1.0)  # one vector example
    assert mse([a, b], [1.0, 0.0]).data == mse([[a, b]], [[1.0, 0.0]]).data == 2.5


def test_losses_half_sse_reproduces_the_lessons_worked_sigmoid_neuron() -> None:
    # x = 0.5, w = 1.2, b = −0.8, y = 0: z = −0.2, ŷ = σ(z), L = ½ŷ², ∂L/∂b = ŷ·σ′(z)
    w, b = Value(1.2), Value(-0.8)
    yhat = (w * 0.5 + b).sigmoid()
    loss = half_sse(yhat, 0.0)
    loss.backward()
    s = sigmoid(-0.2)
    assert close(loss.data, 0.5 * s * s)
    assert close(b.grad, s * s * (1.0 - s))  # (a − y) ⊙ a ⊙ (1 − a)
    assert close(w.grad, 0.5 * s * s * (1.0 - s))
    # the lesson's six-digit numbers
    assert abs(yhat.data - 0.450166) < 5e-7
    assert abs(loss.data - 0.101325) < 5e-7
    assert abs(w.grad - 0.055712) < 5e-7
    assert abs(b.grad - 0.111424) < 5e-7


# --------------------------------------------------------------------------- bce
@given(z=floats_in(-20.0, 20.0), y=st.sampled_from([0.0, 1.0]) | unit)
def test_losses_sigmoid_then_bce_gradient_is_a_minus_y(z: float, y: float) -> None:
    zv = Value(z)
    a = zv.sigmoid()
    loss = bce(a, y)
    loss.backward()
    s = sigmoid(z)
    assert close(loss.data, -(y * math.log(s) + (1.0 - y) * math.log1p(-s)), 1e-10)
    assert close(zv.grad, s - y)  # δᴸ = a − y: σ′ cancels the BCE denominator


@given(data=st.data(), m=st.integers(1, 6))
def test_losses_bce_batch_gradient_is_a_minus_y_over_m(data: st.DataObject, m: int) -> None:
    zs = data.draw(st.lists(floats_in(-20.0, 20.0), min_size=m, max_size=m))
    ys = data.draw(st.lists(st.sampled_from([0, 1]), min_size=m, max_size=m))
    zv = leaves(zs)
    loss = bce([z.sigmoid() for z in zv], ys)
    loss.backward()
    for v, z, y in zip(zv, zs, ys):
        assert close(v.grad, (sigmoid(z) - y) / m)


@given(p=floats_in(0.05, 0.95), y=unit)
def test_losses_bce_derivative_on_probability_matches_lesson(p: float, y: float) -> None:
    pv = Value(p)
    bce(pv, y).backward()
    assert close(pv.grad, (p - y) / (p * (1.0 - p)), 1e-11)  # ∂/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ))


def test_losses_bce_clamps_probabilities_zero_and_one() -> None:
    eps = 1e-12
    p0 = Value(0.0)
    loss = bce(p0, 1.0)
    loss.backward()
    assert close(loss.data, -math.log(eps))  # ≈ 27.63, not inf
    assert p0.grad == 0.0  # flat outside the clamp
    p1 = Value(1.0)
    loss = bce(p1, 0.0)
    assert close(loss.data, -math.log1p(-(1.0 - eps)))
    assert close(bce(Value(1.0), 1.0).data, -math.log(1.0 - eps))
    assert bce(Value(0.3), 1.0, eps=0.4).data == -math.log(0.4)  # a custom eps clamps too


# --------------------------------------------------------------------------- bce_with_logits
@given(z=floats_in(-30.0, 30.0), y=st.sampled_from([0.0, 1.0]) | unit)
def test_losses_bce_with_logits_value_and_gradient(z: float, y: float) -> None:
    zv = Value(z)
    loss = bce_with_logits(zv, y)
    loss.backward()
    # ln(1 + eᶻ) − y z, written stably: max(z, 0) − y z + ln(1 + e^(−|z|))
    expected = max(z, 0.0) - y * z + math.log1p(math.exp(-abs(z)))
    assert close(loss.data, expected, 1e-11)
    assert close(zv.grad, sigmoid(z) - y)  # ∂L/∂z = σ(z) − y


@given(z=floats_in(-5.0, 5.0), y=unit)
def test_losses_bce_with_logits_equals_bce_of_sigmoid(z: float, y: float) -> None:
    # only for moderate z: beyond, 1 − σ(z) cancels and bce(σ(z)) loses digits (next test)
    assert close(bce_with_logits(Value(z), y).data, bce(Value(z).sigmoid(), y).data)


def test_losses_bce_with_logits_keeps_digits_that_bce_of_sigmoid_loses() -> None:
    exact = 20.0 + math.log1p(math.exp(-20.0))  # −log(1 − σ(20)) = softplus(20)
    assert close(bce_with_logits(Value(20.0), 0.0).data, exact, 1e-15)
    assert not close(bce(Value(20.0).sigmoid(), 0.0).data, exact, 1e-9)


@pytest.mark.parametrize(
    ("z", "y", "value", "grad"),
    [(1000.0, 0.0, 1000.0, 1.0), (-1000.0, 1.0, 1000.0, -1.0), (1000.0, 1.0, 0.0, 0.0)],
)
def test_losses_bce_with_logits_is_finite_at_extreme_logits(
    z: float, y: float, value: float, grad: float
) -> None:
    zv = Value(z)
    loss = bce_with_logits(zv, y)
    loss.backward()
    assert loss.data == value
    assert zv.grad == grad


# --------------------------------------------------------------------------- softmax
@given(z=vectors)
def test_losses_softmax_matches_closed_form_and_sums_to_one(z: list[float]) -> None:
    p = [v.data for v in softmax(leaves(z))]
    s = math.fsum(math.exp(v) for v in z)
    for got, v in zip(p, z):
        assert close(got, math.exp(v) / s)
    assert close(math.fsum(p), 1.0)
    assert all(close(a, math.log(b)) for a, b in zip((v.data for v in log_softmax(z)), p))


@given(z=vectors, shift=floats_in(-100.0, 100.0))
def test_losses_softmax_is_shift_invariant(z: list[float], shift: float) -> None:
    p = softmax(z)
    q = softmax([v + shift for v in z])
    assert all(close(a.data, b.data, 1e-9) for a, b in zip(p, q))


def test_losses_softmax_and_log_softmax_do_not_overflow_at_1000() -> None:
    z = [1000.0, -1000.0, 0.0]
    assert [v.data for v in softmax(z)] == [1.0, 0.0, 0.0]
    assert [v.data for v in log_softmax(z)] == [0.0, -2000.0, -1000.0]


@given(z=vectors, k=st.integers(0, 5))
def test_losses_log_softmax_and_softmax_pass_gradcheck(z: list[float], k: int) -> None:
    k %= len(z)
    check_grad(lambda *v: log_softmax(list(v))[k], z)
    check_grad(lambda *v: softmax(list(v))[k], z)


# --------------------------------------------------------------------------- cross-entropy
@given(z=st.lists(floats_in(-5.0, 5.0), min_size=2, max_size=6), c=st.integers(0, 5))
def test_losses_softmax_cross_entropy_gradient_is_p_minus_y(z: list[float], c: int) -> None:
    c %= len(z)
    zv = leaves(z)
    loss = cross_entropy(zv, c)
    loss.backward()
    p = probs_for(z)
    assert close(loss.data, -math.log(p[c]), 1e-11)
    for k, v in enumerate(zv):
        assert close(v.grad, p[k] - (1.0 if k == c else 0.0))  # ∂L/∂zₖ = pₖ − yₖ


@given(data=st.data(), n=st.integers(2, 5))
def test_losses_cross_entropy_with_probability_targets(data: st.DataObject, n: int) -> None:
    z = data.draw(st.lists(floats_in(-5.0, 5.0), min_size=n, max_size=n))
    raw = data.draw(st.lists(floats_in(0.0, 1.0), min_size=n, max_size=n))
    assume(math.fsum(raw) > 0.1)
    y = [r / math.fsum(raw) for r in raw]
    zv = leaves(z)
    loss = cross_entropy(zv, y)
    loss.backward()
    p = probs_for(z)
    assert close(loss.data, -math.fsum(t * math.log(q) for t, q in zip(y, p)), 1e-11)
    total = math.fsum(y)
    for v, q, t in zip(zv, p, y):
        assert close(v.grad, q * total - t)  # = pₖ − yₖ when Σy = 1


@given(z=st.lists(floats_in(-5.0, 5.0), min_size=2, max_size=5), c=st.integers(0, 4))
def test_losses_cross_entropy_index_equals_one_hot(z: list[float], c: int) -> None:
    c %= len(z)
    one_hot = [1.0 if k == c else 0.0 for k in range(len(z))]
    assert close(cross_entropy(z, c).data, cross_entropy(z, one_hot).data)


def test_losses_cross_entropy_batch_is_the_mean_with_gradient_over_m() -> None:
    rows = [[0.5, -1.0, 2.0], [3.0, 0.0, -2.0], [0.0, 0.0, 0.0]]
    targets = [2, 0, 1]
    zv = [leaves(r) for r in rows]
    loss = cross_entropy(zv, targets)
    loss.backward()
    per = [-math.log(probs_for(r)[c]) for r, c in zip(rows, targets)]
    assert close(loss.data, math.fsum(per) / 3)
    for row, r, c in zip(zv, rows, targets):
        p = probs_for(r)
        for k, v in enumerate(row):
            assert close(v.grad, (p[k] - (k == c)) / 3)


def test_losses_cross_entropy_is_finite_at_extreme_logits() -> None:
    zv = leaves([1000.0, -1000.0, 0.0])
    loss = cross_entropy(zv, 1)
    loss.backward()
    assert loss.data == 2000.0
    assert [v.grad for v in zv] == [1.0, -1.0, 0.0]
    assert cross_entropy([1000.0, -1000.0, 0.0], 0).data == 0.0


# --------------------------------------------------------------------------- hinge
@given(data=st.data(), m=st.integers(1, 6))
def test_losses_hinge_value_and_gradient(data: st.DataObject, m: int) -> None:
    scores = data.draw(st.lists(floats_in(-3.0, 3.0), min_size=m, max_size=m))
    ys = data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=m, max_size=m))
    assume(all(abs(1.0 - y * s) > 1e-9 for s, y in zip(scores, ys)))  # off the kink
    sv = leaves(scores)
    loss = hinge(sv, ys)
    loss.backward()
    assert close(loss.data, math.fsum(max(0.0, 1.0 - y * s) for s, y in zip(scores, ys)) / m)
    for v, s, y in zip(sv, scores, ys):
        assert v.grad == (-y / m if y * s < 1.0 else 0.0)


# --------------------------------------------------------------------------- gradcheck
@given(data=st.data(), n=st.integers(1, 4))
def test_losses_vector_losses_pass_gradcheck(data: st.DataObject, n: int) -> None:
    preds = data.draw(st.lists(floats_in(0.05, 0.95), min_size=2 * n, max_size=2 * n))
    ys = data.draw(st.lists(unit, min_size=2 * n, max_size=2 * n))

    def batch(v: Sequence[Value]) -> list[list[Value]]:
        return [list(v[:n]), list(v[n:])]

    targets = [ys[:n], ys[n:]]
    check_grad(lambda *v: mse(batch(v), targets), preds)
    check_grad(lambda *v: half_sse(batch(v), targets), preds)
    check_grad(lambda *v: bce(batch(v), targets), preds)
    check_grad(lambda *v: bce_with_logits(batch(v), targets), preds)
    check_grad(lambda *v: cross_entropy(batch(v), targets), preds)


# --------------------------------------------------------------------------- structure
@pytest.mark.parametrize(
    ("name", "pred", "target"),
    [
        ("mse", [[0.3, 0.6], [0.1, 0.2]], [[1.0, 0.0], [0.0, 1.0]]),
        ("half_sse", [[0.3, 0.6], [0.1, 0.2]], [[1.0, 0.0], [0.0, 1.0]]),
        ("bce", [0.3, 0.6, 0.5], [1.0, 0.0, 0.25]),
        ("bce_with_logits", [0.3, -0.6, 2.0], [1.0, 0.0, 0.25]),
        ("cross_entropy", [[0.3, 0.6], [0.1, 0.2]], [1, [0.5, 0.5]]),
        ("hinge", [0.3, -0.6, 2.0], [1.0, -1.0, 1.0]),
    ],
)
def test_losses_are_composites_of_table_primitives_with_one_mean_node(
    name: str, pred: list[object], target: list[object]
) -> None:
    def lift(x: object) -> object:
        return [lift(v) for v in x] if isinstance(x, list) else Value(x)  # type: ignore[arg-type]

    loss = get_loss(name)(lift(pred), target)
    nodes = topo_order(loss)
    for node in nodes:
        if node.primitive is not None:
            assert node.primitive.name in ops.TABLE  # no derivative code of its own
    sums = [node for node in nodes if node.op == "Σ"]
    assert sums, "the mean is one n-ary Σ node"
    assert max(len(s.parents) for s in sums) >= 2


def test_losses_one_scalar_example_needs_no_list() -> None:
    assert mse(Value(3.0), 1.0).data == 4.0
    assert mse(3.0, [1.0]).data == 4.0
    assert hinge(Value(0.25), -1.0).data == 1.25


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: mse([], []), ValueError, "mse: the batch is empty"),
        (lambda: mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
        (lambda: mse([[Value(1.0)]], [[1.0, 2.0]]), ValueError, "example 0 has 1 outputs"),
        (lambda: mse([Value(1.0), Value(2.0)], 1.0), ValueError, "needs a list of 2 targets"),
        (lambda: mse(Value(1.0), "a"), ValueError, "one number as target"),
        (lambda: mse("x", 1.0), TypeError, "mse: expected a Value"),
        (lambda: mse([Value(1.0)], [float("nan")]), ValueError, "mse: a target must be finite"),
        (lambda: mse([Value(1.0)], [True]), TypeError, "mse: a target must be a number, got bool"),
        (
            lambda: mse([True], [1.0]),
            TypeError,
            "mse: example 0 (a prediction) must be a number, got bool",
        ),
        (lambda: mse([Value(1.0)], [10**400]), OverflowError, "mse: a target is too large"),
        (
            lambda: mse([[Value(1.0), Value(2.0)], [Value(3.0)]], [[1, 2], [3]]),
            ValueError,
            "mse: the batch is ragged: example 1 has 1 entry but example 0 has 2 entries",
        ),
        (
            lambda: half_sse([[1.0, 2.0], [3.0]], [[1, 2], [3]]),
            ValueError,
            "half_sse: the batch is ragged: example 1 has 1 entry",
        ),
        (
            lambda: mse([Value(1.0), [Value(2.0)]], [1.0, [2.0]]),
            ValueError,
            "mse: the batch is ragged: example 1 has 1 entry but example 0 has a single number",
        ),
        (
            lambda: cross_entropy([[1.0, 2.0], [3.0]], [0, 0]),
            ValueError,
            "cross_entropy: the batch is ragged: example 1 has 1 entry but example 0 has 2",
        ),
        (lambda: bce(Value(1.5), 1.0), ValueError, "bce: probabilities must be in [0, 1], got 1.5"),
        (lambda: bce(Value(0.5), 2.0), ValueError, "bce: targets must be in [0, 1], got 2.0"),
        (lambda: bce(Value(0.5), 1.0, eps=0.5), ValueError, "bce: eps must be"),
        (lambda: bce(Value(0.5), 1.0, eps=True), TypeError, "bce: eps must be a number, got bool"),
        (
            lambda: bce(Value(0.0), 1.0, eps=0.0),
            ValueError,
            "bce: eps must be in (0, 0.5), got 0.0",
        ),
        (lambda: bce_with_logits(Value(0.5), -1.0), ValueError, "bce_with_logits: targets"),
        (lambda: hinge(Value(0.5), 0.0), ValueError, "hinge: targets must be +1 or -1, got 0.0"),
        (lambda: cross_entropy([1.0, 2.0], 2), ValueError, "class index 2 out of range for 2"),
        (lambda: cross_entropy([1.0, 2.0], True), TypeError, "class index (int)"),
        (lambda: cross_entropy([1.0, 2.0], [1.0]), ValueError, "2 logits but a target of 1"),
        (lambda: cross_entropy([1.0, 2.0], [1.5, -0.5]), ValueError, "must be ≥ 0"),
        (lambda: cross_entropy([], 0), ValueError, "at least one logit"),
        (lambda: cross_entropy([[1.0], [2.0]], [0]), ValueError, "2 examples but 1 targets"),
        (lambda: softmax([]), ValueError, "softmax: expected at least one logit"),
        (lambda: get_loss("l1"), ValueError, "unknown loss 'l1'; choose one of 'mse'"),
    ],
)
def test_losses_bad_input_gets_a_clear_error(
    call: Callable[[], object], exc: type[Exception], words: str
) -> None:
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)


def test_losses_registry_lists_the_agreed_six() -> None:
    assert list(LOSSES) == ["mse", "half_sse", "bce", "bce_with_logits", "cross_entropy", "hinge"]
    assert get_loss("hinge") is hinge


def test_losses_nan_prediction_passes_through_for_fit_to_report() -> None:
    assert math.isnan(bce(Value(float("nan")), 1.0).data)
    assert math.isnan(mse([Value(float("nan"))], [0.0]).data)


def test_losses_numpy_targets_and_predictions_give_the_same_numbers() -> None:
    np = pytest.importorskip("numpy", reason="needs NumPy: pip install 'tinygrad_edu[dev]'")
    preds = [Value(0.25), Value(0.75)]
    assert mse(preds, np.array([0, 1])).data == mse(preds, [0.0, 1.0]).data == 0.0625
    assert bce(preds, np.array([0.0, 1.0])).data == bce(preds, [0, 1]).data
    assert hinge(preds, np.array([-1, 1])).data == hinge(preds, [-1, 1]).data
    logits = [[Value(1.0), Value(2.0)], [Value(0.5), Value(-0.5)]]
    assert (
        cross_entropy(logits, np.array([1, 0])).data
        == cross_entropy(logits, [1, 0]).data
        == cross_entropy(logits, np.array([[0.0, 1.0], [1.0, 0.0]])).data
    )
    assert mse(np.float64(0.5), np.float32(0.0)).data == 0.25
