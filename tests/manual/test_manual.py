"""tinygrad_edu.manual: delta equations vs closed forms, the engine and central differences."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike
from oracles import sigmoid as _sigmoid

from tinygrad_edu import losses, manual
from tinygrad_edu.nn import MLP

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0.0, 1.0, 1.0, 0.0]


def _neuron(w: float, b: float, activation: str = "sigmoid") -> MLP:
    model = MLP(1, [1], output_activation=activation, seed=0)
    manual.load_weights(model, [([[w]], [b])])
    return model


def _xor_net(seed: int = 0) -> MLP:
    return MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=seed)


# ----------------------------------------------------------------------- worked examples
def test_manual_single_sigmoid_neuron_matches_closed_form() -> None:
    x, w, b, y = 0.5, 1.2, -0.8, 0.0
    weights, activations = manual.weights_from(_neuron(w, b))
    cache = manual.forward(weights, [[x]], activations)
    grads = manual.backward(cache, [y], "half_sse")

    z = w * x + b
    y_hat = _sigmoid(z)
    dsigma = y_hat * (1.0 - y_hat)
    # closed form: ∂L/∂w = (ŷ − y) σ′(z) x, ∂L/∂b = (ŷ − y) σ′(z), L = ½(y − ŷ)²
    assert abs(cache.z[0][0, 0] - z) <= 1e-15
    assert abs(cache.output[0, 0] - y_hat) <= 1e-15
    assert abs(grads.loss - 0.5 * (y - y_hat) ** 2) <= 1e-15
    assert abs(grads.dW[0][0, 0] - (y_hat - y) * dsigma * x) <= 1e-12
    assert abs(grads.db[0][0] - (y_hat - y) * dsigma) <= 1e-12
    assert abs(grads.delta[0][0, 0] - (y_hat - y) * dsigma) <= 1e-12
    # the lesson's numbers, to the six decimals it prints
    assert abs(z - -0.2) <= 1e-15
    assert abs(y_hat - 0.450166) < 5e-7
    assert abs(grads.loss - 0.101325) < 5e-7
    assert abs(dsigma - 0.247517) < 5e-7
    assert abs(grads.dW[0][0, 0] - 0.055712) < 5e-7
    assert abs(grads.db[0][0] - 0.111424) < 5e-7


def test_manual_single_neuron_crosscheck_engine_and_numerical_match_closed_form() -> None:
    x, w, b, y = 0.5, 1.2, -0.8, 0.0
    report = manual.crosscheck(_neuron(w, b), [[x]], [y], loss="half_sse")
    y_hat = _sigmoid(w * x + b)
    db = (y_hat - y) * y_hat * (1.0 - y_hat)
    rows = {r.name: r for r in report.rows}
    assert list(rows) == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.b"]
    for name, exact in (("layers.0.neurons.0.w.0", db * x), ("layers.0.neurons.0.b", db)):
        assert abs(rows[name].engine - exact) <= 1e-12
        assert abs(rows[name].delta - exact) <= 1e-12
        assert abs(rows[name].numerical - exact) <= 1e-9
    assert abs(report.loss_engine - 0.5 * y_hat**2) <= 1e-15
    assert report.ok


def test_manual_mse_seed_is_twice_the_error() -> None:
    # the lesson's regression net: L = (ŷ − y)², seed ∂L/∂ŷ = 2(ŷ − y) at ŷ = 0.3890, y = 1.0
    out, target = np.array([[0.3890]]), np.array([[1.0]])
    assert abs(manual.loss_derivative(out, target, "mse")[0, 0] - 2.0 * (0.3890 - 1.0)) <= 1e-15
    assert abs(manual.loss_derivative(out, target, "mse")[0, 0] - -1.2220) <= 1e-12
    assert abs(manual.loss_value(out, target, "mse") - 0.3733) < 5e-5
    assert abs(manual.loss_value(out, target, "mse") - 0.611**2) <= 1e-15


def test_manual_weights_have_lesson_shapes_and_round_trip() -> None:
    model = MLP(3, [2, 1], activation="tanh", output_activation="sigmoid", seed=4)
    weights, activations = manual.weights_from(model)
    assert [(W.shape, b.shape) for W, b in weights] == [((2, 3), (2,)), ((1, 2), (1,))]
    assert activations == ["tanh", "sigmoid"]
    assert weights[0][0][1, 2] == model.layers[0].neurons[1].w[2].data
    assert all(W.dtype == np.float64 and b.dtype == np.float64 for W, b in weights)

    new = [(W * 2.0 - 0.25, b + 0.125 * np.arange(1, b.size + 1)) for W, b in weights]
    manual.load_weights(model, new)
    assert model.layers[1].neurons[0].b.data == 0.125
    assert model.layers[0].neurons[1].w[2].data == new[0][0][1, 2]
    again, _ = manual.weights_from(model)
    for (W1, b1), (W2, b2) in zip(again, new):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


def test_manual_sigmoid_bce_output_delta_is_a_minus_y() -> None:
    model = MLP(3, [5, 1], activation="tanh", output_activation="sigmoid", seed=11)
    rng = np.random.default_rng(11)
    X = rng.uniform(-2.0, 2.0, size=(6, 3))
    y = [0.0, 1.0, 1.0, 0.0, 1.0, 0.3]  # a soft label too: a − y needs no 0/1 labels
    weights, activations = manual.weights_from(model)
    cache = manual.forward(weights, X, activations)
    a_minus_y = cache.output[:, 0] - np.array(y)

    short = manual.backward(cache, y, "bce")
    general = manual.backward(cache, y, "bce", simplify=False)  # ∂ℓ/∂a ⊙ σ′(z), the long way
    assert short.output_rule.startswith("δᴸ = (aᴸ − y)")
    assert np.array_equal(short.delta[-1][:, 0], a_minus_y)
    assert np.max(np.abs(general.delta[-1][:, 0] - a_minus_y)) <= 1e-12

    # the engine's gradient at each output pre-activation zᴸ is δᴸ / m
    outs = [model(list(x))[0] for x in X.tolist()]
    z_nodes = [o.parents[0] for o in outs]
    loss = losses.bce([[o] for o in outs], [[t] for t in y])
    loss.backward()
    engine_delta = np.array([z.grad for z in z_nodes]) * len(y)
    assert np.max(np.abs(engine_delta - a_minus_y)) <= 1e-12
    assert abs(loss.data - short.loss) <= 1e-12


def test_manual_softmax_cross_entropy_output_delta_is_p_minus_y() -> None:
    model = MLP(2, [4, 3], activation="relu", output_activation="linear", seed=5)
    rng = np.random.default_rng(5)
    X = rng.uniform(-2.0, 2.0, size=(5, 2))
    classes = [0, 2, 1, 2, 0]
    weights, activations = manual.weights_from(model)
    cache = manual.forward(weights, X, activations)
    logits = cache.output
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p_minus_y = p - np.eye(3)[classes]

    short = manual.backward(cache, classes, "cross_entropy")
    jacobian = manual.backward(cache, classes, "cross_entropy", simplify=False)
    assert np.max(np.abs(short.delta[-1] - p_minus_y)) <= 1e-15
    assert np.max(np.abs(jacobian.delta[-1] - p_minus_y)) <= 1e-12
    for dW1, dW2 in zip(short.dW, jacobian.dW):
        assert np.max(np.abs(dW1 - dW2)) <= 1e-12

    outs = [model(list(x)) for x in X.tolist()]
    loss = losses.cross_entropy(outs, classes)
    loss.backward()
    engine_delta = np.array([[v.grad for v in row] for row in outs]) * len(classes)
    assert np.max(np.abs(engine_delta - p_minus_y)) <= 1e-12
    expected_loss = -np.mean(np.log(p[np.arange(5), classes]))
    assert abs(short.loss - expected_loss) <= 1e-12
    assert abs(loss.data - expected_loss) <= 1e-12


def test_manual_xor_2_4_4_1_sigmoid_bce_three_ways_agree() -> None:
    report = manual.crosscheck(_xor_net(), XOR_X, XOR_Y, loss="bce")
    assert report.ok
    assert len(report.rows) == (2 * 4 + 4) + (4 * 4 + 4) + (4 + 1)
    assert [s.activation for s in report.layers] == ["sigmoid"] * 3
    assert report.max_delta_diff <= 1e-15
    assert report.max_numerical_diff <= 1e-9
    assert not any(r.kink for r in report.rows)
    assert abs(report.loss_engine - report.loss_delta) <= 1e-15
    # the delta equations, by hand, for the output bias: ∂L/∂b³ = (1/4) Σᵢ (aᵢ − yᵢ)
    assert report.cache is not None
    out = report.cache.output[:, 0]
    bias_row = report.rows[-1]
    assert bias_row.name == "layers.2.neurons.0.b"
    assert abs(bias_row.engine - float(np.mean(out - np.array(XOR_Y)))) <= 1e-15


def test_manual_xor_training_with_delta_equations_tracks_engine() -> None:
    # the same 200 steps of gradient descent, once with engine gradients, once with manual
    lr, steps = 2.0, 200
    engine_net, manual_net = _xor_net(seed=3), _xor_net(seed=3)
    weights, activations = manual.weights_from(manual_net)
    first = None
    for _ in range(steps):
        engine_net.zero_grad()
        preds = [engine_net(x) for x in XOR_X]
        loss = losses.bce(preds, [[t] for t in XOR_Y])
        loss.backward()
        for p in engine_net.parameters():
            p.data -= lr * p.grad
        grads = manual.backward(manual.forward(weights, XOR_X, activations), XOR_Y, "bce")
        first = grads.loss if first is None else first
        weights = [
            (W - lr * dW, b - lr * db) for (W, b), dW, db in zip(weights, grads.dW, grads.db)
        ]
    trained, _ = manual.weights_from(engine_net)
    for (W1, b1), (W2, b2) in zip(trained, weights):
        assert np.max(np.abs(W1 - W2)) <= 1e-9
        assert np.max(np.abs(b1 - b2)) <= 1e-9
    final = manual.backward(manual.forward(weights, XOR_X, activations), XOR_Y, "bce").loss
    assert first is not None and final < first


# ----------------------------------------------------------------------- batch relations
def test_manual_batch_gradient_is_mean_of_per_example_gradients() -> None:
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=8)
    weights, activations = manual.weights_from(model)
    rng = np.random.default_rng(8)
    X, Y = rng.uniform(-1.0, 1.0, size=(5, 3)), rng.uniform(0.0, 1.0, size=(5, 2))
    for loss in ("mse", "half_sse", "bce"):
        batch = manual.backward(manual.forward(weights, X, activations), Y, loss)
        singles = [
            manual.backward(manual.forward(weights, X[i : i + 1], activations), Y[i : i + 1], loss)
            for i in range(5)
        ]
        for layer in range(2):
            mean_dW = sum(s.dW[layer] for s in singles) / 5
            assert np.max(np.abs(batch.dW[layer] - mean_dW)) <= 1e-15
            stacked = np.vstack([s.delta[layer] for s in singles])
            assert np.max(np.abs(batch.delta[layer] - stacked)) <= 1e-15


def test_manual_mse_is_half_sse_scaled_by_two_over_n() -> None:
    # mse = (1/n) Σₖ (a − y)² per example, half_sse = ½ Σₖ (a − y)²: gradients differ by 2/n
    model = MLP(2, [3, 3], activation="sigmoid", output_activation="tanh", seed=2)
    weights, activations = manual.weights_from(model)
    cache = manual.forward(weights, [[0.3, -1.0], [1.5, 0.5]], activations)
    Y = [[0.1, 0.2, -0.3], [0.0, 1.0, 0.5]]
    mse, half = manual.backward(cache, Y, "mse"), manual.backward(cache, Y, "half_sse")
    assert abs(mse.loss - 2.0 / 3.0 * half.loss) <= 1e-15
    for a, b in zip(mse.dW, half.dW):
        assert np.max(np.abs(a - 2.0 / 3.0 * b)) <= 1e-15


# ----------------------------------------------------------------------- hypothesis
@dataclass(frozen=True)
class Case:
    nin: int
    nouts: tuple[int, ...]
    hidden: str
    output: str
    loss: str
    m: int
    prob_targets: bool
    simplify: bool
    seed: int


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """An MLP (1–4 layers, widths 1–6), a loss with a fitting output, a batch, a seed."""
    loss = draw(st.sampled_from(manual.LOSSES))
    if loss == "bce":
        output, nout = "sigmoid", draw(st.integers(1, 6))
    elif loss == "cross_entropy":
        # softmax reads logits; other outputs exercise the general ∂ℓ/∂a ⊙ σ′ path
        output = draw(st.sampled_from(["linear", "linear", "tanh", "sigmoid"]))
        nout = draw(st.integers(2, 6))
    else:
        output, nout = draw(st.sampled_from(manual.ACTIVATIONS)), draw(st.integers(1, 6))
    hidden_widths = draw(st.lists(st.integers(1, 6), min_size=0, max_size=3))
    return Case(
        nin=draw(st.integers(1, 6)),
        nouts=(*hidden_widths, nout),
        hidden=draw(st.sampled_from(manual.ACTIVATIONS)),
        output=output,
        loss=loss,
        m=draw(st.integers(1, 4)),
        prob_targets=draw(st.booleans()),
        simplify=draw(st.booleans()),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def _build(case: Case) -> tuple[MLP, np.ndarray, ArrayLike]:
    rng = np.random.default_rng(case.seed)
    model = MLP(
        case.nin,
        list(case.nouts),
        activation=case.hidden,
        output_activation=case.output,
        seed=case.seed,
    )
    weights, _ = manual.weights_from(model)
    # non-zero biases, so that ∂L/∂b is not the only thing distinguishing the layers
    manual.load_weights(model, [(W, rng.uniform(-0.5, 0.5, size=b.shape)) for W, b in weights])
    X = rng.uniform(-2.0, 2.0, size=(case.m, case.nin))
    n = case.nouts[-1]
    y: ArrayLike
    if case.loss == "cross_entropy":
        y = (
            rng.dirichlet(np.ones(n), size=case.m)
            if case.prob_targets
            else rng.integers(0, n, size=case.m).tolist()
        )
    elif case.loss == "bce":
        y = (
            rng.uniform(0.0, 1.0, size=(case.m, n))
            if case.prob_targets
            else rng.integers(0, 2, size=(case.m, n)).astype(float)
        )
    else:
        y = rng.normal(0.0, 1.0, size=(case.m, n))
    return model, X, y


@pytest.mark.slow
@settings(max_examples=100)
@given(cases())
def test_manual_engine_delta_and_numerical_agree_on_random_networks(case: Case) -> None:
    model, X, y = _build(case)
    report = manual.crosscheck(model, X, y, loss=case.loss, simplify=case.simplify)
    assert report.ok, str(report)
    for r in report.rows:
        assert abs(r.engine - r.delta) <= 1e-10 * max(1.0, abs(r.engine)), r
        if not r.kink:
            # atol ≈ 1.1e-8 for |L| ≤ 1: 100 units of rounding in L, divided by ε = 1e-6
            assert abs(r.numerical - r.engine) <= report.atol + 1e-6 * abs(r.numerical), r
    assert abs(report.loss_engine - report.loss_delta) <= 1e-10 * max(1.0, report.loss_engine)
    # |z| ≤ 6·2 + 0.5 here and σ(13) is far from the BCE clamp: only ReLU has kinks
    uses_relu = "relu" in {case.hidden if len(case.nouts) > 1 else "", case.output}
    if not uses_relu:
        assert not any(r.kink for r in report.rows)
    assert sum(not r.kink for r in report.rows) >= len(report.rows) // 2


@pytest.mark.slow
@pytest.mark.parametrize("loss", manual.LOSSES)
@pytest.mark.parametrize("hidden", manual.ACTIVATIONS)
def test_manual_widest_deepest_network_agrees_for_every_activation_and_loss(
    hidden: str, loss: str
) -> None:
    # the largest case of the strategy above, for every pairing: 4 layers of width 6
    output = {"bce": "sigmoid", "cross_entropy": "linear"}.get(loss, "tanh")
    case = Case(6, (6, 6, 6, 6), hidden, output, loss, 4, False, True, 2024)
    model, X, y = _build(case)
    report = manual.crosscheck(model, X, y, loss=loss)
    assert report.ok, str(report)
    assert len(report.rows) == 4 * (6 * 6 + 6)
    assert report.max_delta_diff <= 1e-10
    assert report.max_numerical_diff <= 1e-7
    if hidden != "relu":
        assert not any(r.kink for r in report.rows)


# ----------------------------------------------------------------------- failure is visible
def test_manual_broken_sigmoid_derivative_is_caught_and_named() -> None:
    # σ′ replaced by σ: a classic slip when writing backprop by hand
    broken = {"sigmoid": lambda z, a: a}
    report = manual.crosscheck(_xor_net(), XOR_X, XOR_Y, loss="bce", activation_derivatives=broken)
    assert not report.ok
    hidden = [r.name for r in report.rows if r.layer < 2]
    # the sigmoid + BCE shortcut never uses σ′, so only the hidden layers go wrong
    assert report.mismatches == hidden
    assert len(hidden) == 32
    assert all(r.suspect == "delta" for r in report.rows if r.layer < 2)
    assert all(r.ok for r in report.rows if r.layer == 2)
    text = str(report)
    for line in text.splitlines():
        if line.startswith(("W1[", "b1[", "W2[", "b2[")):
            assert line.endswith("MISMATCH: delta eqs off")
        elif line.startswith(("W3[", "b3[")):
            assert line.endswith("ok")
    assert "MISMATCH: 32 of 37 parameters disagree: W1[0, 0], W1[0, 1]," in text
    assert "**MISMATCH: 32 of 37" in report.to_markdown()

    # without the shortcut, the output layer's δᴸ = ∂ℓ/∂a ⊙ σ′(z) is wrong too
    long_way = manual.crosscheck(
        _xor_net(), XOR_X, XOR_Y, loss="bce", simplify=False, activation_derivatives=broken
    )
    assert long_way.mismatches == [r.name for r in long_way.rows]


def test_manual_broken_relu_convention_is_caught() -> None:
    # relu′ = 1 everywhere (treating ReLU as linear) is wrong for every negative z
    model = MLP(2, [3, 1], activation="relu", output_activation="linear", seed=7)
    X = [[1.0, -2.0], [-0.5, 0.75], [2.0, 1.0]]
    good = manual.crosscheck(model, X, [0.5, -1.0, 2.0], loss="half_sse")
    bad = manual.crosscheck(
        model,
        X,
        [0.5, -1.0, 2.0],
        loss="half_sse",
        activation_derivatives={"relu": lambda z, a: np.ones_like(z)},
    )
    assert good.ok and not bad.ok
    assert bad.mismatches and all(name.startswith("layers.0.") for name in bad.mismatches)


@pytest.mark.parametrize(
    ("checks", "suspect"),
    [
        ((True, True, True), ""),
        ((False, True, False), "delta"),
        ((False, False, True), "engine"),
        ((True, False, False), "numerical"),
        ((False, False, False), "all"),
        ((False, True, True), "engine/delta"),
    ],
)
def test_manual_row_suspect_is_the_odd_one_out(
    checks: tuple[bool, bool, bool], suspect: str
) -> None:
    row = manual.ParameterRow("p", 0, 1.0, 2.0, 1.0, 1.0, 0.5, *checks, kink=False)
    assert row.suspect == suspect
    assert row.ok == (suspect == "")
    if row.ok:
        assert row.status == "ok"
    else:
        assert row.status.startswith("MISMATCH")


# ----------------------------------------------------------------------- kinks and the clamp
def test_manual_relu_kink_is_flagged_not_counted_as_mismatch() -> None:
    # X = 0 and b = 0: every first-layer z is exactly 0, ReLU's kink, where relu′(0) = 0
    model = MLP(1, [2, 1], activation="relu", output_activation="linear", seed=1)
    manual.load_weights(model, [([[0.5], [-0.7]], [0.0, 0.0]), ([[1.5, 2.0]], [0.1])])
    report = manual.crosscheck(model, [[0.0]], [1.0], loss="half_sse")
    rows = {r.name: r for r in report.rows}
    b0 = rows["layers.0.neurons.0.b"]
    assert b0.kink and b0.engine == 0.0 and b0.delta == 0.0
    # b ± ε: ŷ = 0.1 + 1.5·relu(±ε); only the + side moves, so the quotient is not a slope
    eps = report.eps
    one_sided = (0.5 * (0.1 + 1.5 * eps - 1.0) ** 2 - 0.5 * 0.9**2) / (2.0 * eps)
    assert abs(b0.numerical - one_sided) <= 1e-9
    assert abs(b0.numerical - 0.5 * 1.5 * (0.1 - 1.0)) > 1e-7  # half the right-hand slope
    assert report.ok
    assert "ok (kink: numerical skipped)" in str(report)
    assert any("marked 'kink'" in note for note in report.notes)
    assert not rows["layers.1.neurons.0.b"].kink


@pytest.mark.parametrize(("w", "y"), [(40.0, 0.0), (30.0, 1.0), (-40.0, 1.0)])
def test_manual_bce_clamp_makes_saturated_gradient_zero(w: float, y: float) -> None:
    # |z| > 27.63 puts σ(z) outside [1e-12, 1 − 1e-12]: the engine's clamp flattens the loss
    report = manual.crosscheck(_neuron(w, 0.0), [[1.0]], [y], loss="bce")
    assert report.ok
    assert all(r.engine == 0.0 and r.delta == 0.0 and r.numerical == 0.0 for r in report.rows)
    p = min(max(_sigmoid(w), 1e-12), 1.0 - 1e-12)
    assert abs(report.loss_delta - -(y * math.log(p) + (1 - y) * math.log(1 - p))) <= 1e-12
    assert any("BCE clamp" in note for note in report.notes)


def test_manual_bce_just_inside_clamp_uses_a_minus_y_and_warns_of_conditioning() -> None:
    # z = 20: σ(z) = 1 − 2.1e-9 is inside the clamp, so ∂L/∂w = a − y ≈ 1; but L = −log(1 − p)
    # magnifies the rounding of p by 1/(1 − p) ≈ 5e8, and the report widens atol to match
    report = manual.crosscheck(_neuron(20.0, 0.0), [[1.0]], [0.0], loss="bce")
    a = _sigmoid(20.0)
    assert report.ok
    assert abs(report.rows[0].engine - a) <= 1e-15 and abs(report.rows[0].delta - a) <= 1e-15
    assert 1e-3 < abs(report.rows[0].numerical - a) <= report.atol
    assert report.atol > 1e-2
    assert any("ill-conditioned" in note for note in report.notes)
    # the same network in its well-conditioned range keeps the tight default tolerance
    calm = manual.crosscheck(_neuron(2.0, 0.0), [[1.0]], [0.0], loss="bce")
    assert calm.ok and calm.atol < 1e-7 and not calm.notes
    assert abs(calm.rows[0].numerical - _sigmoid(2.0)) <= 1e-9


# ----------------------------------------------------------------------- per-layer summary
def test_manual_deep_sigmoid_stack_shows_vanishing_gradients() -> None:
    model = MLP(1, [4] * 8 + [1], activation="sigmoid", output_activation="sigmoid", seed=6)
    X = [[-1.0], [0.5], [2.0]]
    report = manual.crosscheck(model, X, [1.0, 0.0, 1.0], loss="bce", numerical=False)
    assert report.ok and report.manual is not None and report.cache is not None
    deltas, weights = report.manual.delta, report.cache.weights
    for layer in range(len(deltas) - 1):
        # ‖δˡ‖ = ‖(Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ′(zˡ)‖ ≤ ‖Wˡ⁺¹‖₂ · ¼ · ‖δˡ⁺¹‖, per example, since σ′ ≤ ¼
        bound = np.linalg.norm(weights[layer + 1][0], 2) / 4.0
        for i in range(3):
            assert np.linalg.norm(deltas[layer][i]) <= bound * np.linalg.norm(deltas[layer + 1][i])
    norms = [s.delta_norm for s in report.layers]
    for s, d, dW in zip(report.layers, deltas, report.manual.dW):
        assert s.delta_norm == float(np.mean(np.linalg.norm(d, axis=1)))
        assert s.dW_norm == float(np.linalg.norm(dW))
    assert norms[0] < 1e-3 * norms[-1]
    assert all(a < b for a, b in itertools.pairwise(norms))


# ----------------------------------------------------------------------- the report's text
def test_manual_report_text_and_markdown_contain_the_numbers() -> None:
    x, w, b = 0.5, 1.2, -0.8
    report = manual.crosscheck(_neuron(w, b), [[x]], [0.0], loss="half_sse")
    y_hat = _sigmoid(w * x + b)
    dw = f"{y_hat * y_hat * (1 - y_hat) * x:.10g}"
    assert dw.startswith("0.05571")
    text, md = str(report), report.to_markdown()
    line = next(s for s in text.splitlines() if s.startswith("W1[0, 0]"))
    cells = line.split()  # W1[0, 0] splits in two
    assert cells[2] == "layers.0.neurons.0.w.0"
    assert cells[3:6] == [dw, dw, cells[5]] and line.endswith("ok")
    assert abs(float(cells[5]) - float(dw)) <= 1e-9
    assert f"| W1\\[0, 0\\] | layers.0.neurons.0.w.0 | {dw} | {dw} |" in md  # cells escaped
    assert f"{0.5 * y_hat**2:.12g}" in text and f"{0.5 * y_hat**2:.12g}" in md
    assert "W1, b1 (layers.0)" in text and "| W1, b1 (layers.0) | 1×1 | sigmoid |" in md
    assert text.splitlines()[-1].startswith("OK: all 2 parameters agree")
    assert report.max_abs_diff == max(r.abs_diff for r in report.rows) <= 1e-9


def test_manual_crosscheck_leaves_the_model_as_it_was() -> None:
    model = _xor_net(seed=9)
    params = model.parameters()
    for k, p in enumerate(params):
        p.grad = 0.25 * k
    before = [(p.data, p.grad) for p in params]
    manual.crosscheck(model, XOR_X, XOR_Y, loss="mse")
    assert [(p.data, p.grad) for p in params] == before


# ----------------------------------------------------------------------- bad input
def test_manual_bad_input_gives_clear_errors() -> None:
    model = _xor_net()
    with pytest.raises(ValueError, match="crosscheck: unknown loss 'hinge'"):
        manual.crosscheck(model, XOR_X, XOR_Y, loss="hinge")
    with pytest.raises(ValueError, match=r"crosscheck: X must be .* 2 columns .* \(4, 3\)"):
        manual.crosscheck(model, np.zeros((4, 3)), XOR_Y)
    with pytest.raises(ValueError, match=r"targets: expected shape \(4, 1\) .* got \(3,\)"):
        manual.crosscheck(model, XOR_X, [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="class index 3 out of range for 3 output classes"):
        manual.crosscheck(MLP(2, [3], seed=0), XOR_X, [0, 1, 3, 2], loss="cross_entropy")
    with pytest.raises(TypeError, match="cross_entropy takes class indices"):
        manual.crosscheck(MLP(2, [3], seed=0), XOR_X, [0.0, 1.0, 2.0, 1.0], loss="cross_entropy")
    with pytest.raises(ValueError, match=r"load_weights: layers.0 needs W of shape \(4, 2\)"):
        manual.load_weights(model, [(np.zeros((2, 4)), np.zeros(4))] * 3)
    with pytest.raises(ValueError, match="load_weights: the model has 3 layers but 1"):
        manual.load_weights(model, [(np.zeros((4, 2)), np.zeros(4))])
    with pytest.raises(ValueError, match="backward: unknown activation 'softsign'"):
        manual.crosscheck(model, XOR_X, XOR_Y, activation_derivatives={"softsign": lambda z, a: z})
    with pytest.raises(TypeError, match="weights_from: expected an MLP, got Neuron"):
        manual.weights_from(model.layers[0].neurons[0])  # type: ignore[arg-type]
    scores = MLP(2, [1], output_activation="tanh", seed=0)
    manual.load_weights(scores, [([[-1.0, -1.0]], [0.0])])
    with pytest.raises(ValueError, match=r"BCE probabilities must be in \[0, 1\], got -0\.76"):
        manual.crosscheck(scores, XOR_X, XOR_Y, loss="bce")
    with pytest.raises(ValueError, match=r"BCE targets must be in \[0, 1\], got 2\.0"):
        manual.crosscheck(model, XOR_X, [0.0, 1.0, 2.0, 0.0], loss="bce")
    weights, activations = manual.weights_from(model)
    with pytest.raises(ValueError, match=r"forward: X must be 2-D .* \(2,\)"):
        manual.forward(weights, [0.0, 1.0], activations)
    with pytest.raises(ValueError, match=r"crosscheck: eps must be a finite number > 0, got 0\.0"):
        manual.crosscheck(model, XOR_X, XOR_Y, eps=0.0)


def test_manual_forward_defaults_to_sigmoid_in_every_layer() -> None:

    weights = [(np.array([[1.2]]), np.array([-0.8])), (np.array([[2.0]]), np.array([0.5]))]
    cache = manual.forward(weights, [[0.5]])
    a1 = 1.0 / (1.0 + math.exp(0.2))  # σ(1.2·0.5 − 0.8)
    a2 = 1.0 / (1.0 + math.exp(-(2.0 * a1 + 0.5)))
    assert abs(float(cache.a[1][0, 0]) - a1) < 1e-15
    assert abs(float(cache.a[2][0, 0]) - a2) < 1e-15
    same = manual.forward(weights, [[0.5]], "sigmoid")
    assert float(same.a[2][0, 0]) == float(cache.a[2][0, 0])
