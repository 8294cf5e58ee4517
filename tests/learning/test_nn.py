"""Neuron, Layer, MLP: shapes, parameter bookkeeping, seeding, errors, forward and gradients."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import activations, inputs_for, mlp_shapes, seeds, smooth_activations

from tinygrad_edu import ops
from tinygrad_edu.engine import Value, no_grad, topo_order
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.nary import vsum
from tinygrad_edu.nn import ACTIVATIONS, MLP, Layer, Module, Neuron, check_activation

VALID = ("sigmoid", "tanh", "relu", "linear")


def expected_count(nin: int, nouts: Sequence[int]) -> int:
    """Each neuron has one weight per input plus a bias."""
    sizes = [nin, *nouts]
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))


def float_activation(name: str, z: float) -> float:
    return {
        "linear": z,
        "relu": max(z, 0.0),
        "tanh": math.tanh(z),
        "sigmoid": 1.0 / (1.0 + math.exp(-z)),
    }[name]


def float_forward(model: MLP, x: Sequence[float]) -> list[float]:
    """The MLP's output recomputed from its parameters with plain floats."""
    a = list(x)
    for layer in model.layers:
        a = [
            float_activation(
                layer.activation, math.fsum(w.data * xi for w, xi in zip(n.w, a)) + n.b.data
            )
            for n in layer.neurons
        ]
    return a


def as_list(out: list[Value]) -> list[Value]:
    assert isinstance(out, list)  # MLP.__call__ has one return type
    return out


def squared_error(model: MLP, batch: Sequence[Sequence[float]], targets: Sequence[float]) -> Value:
    """Σ over examples and outputs of (output − target)²."""
    terms = []
    for x in batch:
        for out, t in zip(as_list(model(x)), targets):
            terms.append((out - t) ** 2)
    return vsum(terms)


def load_parameters(model: MLP, values: Sequence[Value]) -> None:
    """Put ``values`` in place of the model's parameters, in parameters() order."""
    it = iter(values)
    for layer in model.layers:
        for n in layer.neurons:
            n.w = [next(it) for _ in n.w]
            n.b = next(it)


# --------------------------------------------------------------------------- shapes and counts
def test_nn_micrograd_demo_mlp_has_337_parameters() -> None:
    model = MLP(2, [16, 16, 1])
    assert model.num_parameters() == 337
    assert len(model.parameters()) == 337
    assert len({id(p) for p in model.parameters()}) == 337


@given(shape=mlp_shapes(), seed=seeds())
def test_nn_parameter_count_matches_layer_sizes(shape: tuple[int, list[int]], seed: int) -> None:
    nin, nouts = shape
    model = MLP(nin, nouts, seed=seed)
    assert model.num_parameters() == len(model.parameters()) == expected_count(nin, nouts)
    assert [len(layer.neurons) for layer in model.layers] == nouts
    assert [len(layer.neurons[0].w) for layer in model.layers] == [nin, *nouts[:-1]]


@given(shape=mlp_shapes(), seed=seeds(), data=st.data())
def test_nn_mlp_always_returns_a_list_of_one_value_per_output(
    shape: tuple[int, list[int]], seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    out = MLP(nin, nouts, seed=seed)(data.draw(inputs_for(nin)))
    assert isinstance(out, list) and len(out) == nouts[-1]
    assert all(isinstance(o, Value) for o in out)


def test_nn_layer_always_returns_a_list_and_neuron_a_value() -> None:
    out = Layer(3, 1, seed=0)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    assert len(Layer(3, 4, seed=0)([1.0, 2.0, 3.0])) == 4
    assert isinstance(Neuron(3, seed=0)([1.0, 2.0, 3.0]), Value)


def test_nn_neuron_is_one_dot_node_then_activation() -> None:
    n = Neuron(2, "tanh", seed=3)
    x = [Value(0.5), Value(-1.0)]
    out = n(x)
    assert out.primitive is ops.tanh
    (z,) = out.parents
    assert z.primitive is ops.dot
    assert z.parents == (*n.w, *x, n.b)


# --------------------------------------------------------------------------- parameters
def test_nn_parameters_go_layer_neuron_weights_then_bias() -> None:
    model = MLP(3, [2, 2], seed=1)
    expected = [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]
    assert len(model.parameters()) == len(expected) == 4 * 2 + 3 * 2
    assert all(p is q for p, q in zip(model.parameters(), expected))


def test_nn_named_parameters_and_labels() -> None:
    model = MLP(2, [2, 1], seed=1)
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
        "layers.0.neurons.1.w.1",
        "layers.0.neurons.1.b",
        "layers.1.neurons.0.w.0",
        "layers.1.neurons.0.w.1",
        "layers.1.neurons.0.b",
    ]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert [p.label for p in model.parameters()] == names
    assert model.layers[1].neurons[0].b.label == "layers.1.neurons.0.b"


def test_nn_neuron_and_layer_name_their_own_parameters() -> None:
    n = Neuron(2, seed=0)
    assert [name for name, _ in n.named_parameters()] == ["w.0", "w.1", "b"]
    assert [p.label for p in n.parameters()] == ["w.0", "w.1", "b"]
    layer = Layer(1, 2, seed=0)
    assert [p.label for p in layer.parameters()] == [
        "neurons.0.w.0",
        "neurons.0.b",
        "neurons.1.w.0",
        "neurons.1.b",
    ]


def test_nn_base_module_has_no_parameters() -> None:
    m = Module()
    assert m.parameters() == [] and m.num_parameters() == 0


def test_nn_zero_grad_clears_every_parameter() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=2)
    loss = squared_error(model, [[0.5, -0.25]], [1.0])
    loss.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --------------------------------------------------------------------------- initialisation
def test_nn_micrograd_compatible_defaults() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert Neuron(3).activation == "relu" and Layer(3, 2).activation == "relu"
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    biases = [n.b.data for layer in model.layers for n in layer.neurons]
    assert all(b == 0.0 for b in biases)
    assert all(-1.0 <= w <= 1.0 for w in weights)
    # 320 draws from uniform(−1, 1) reach both ends and balance around 0
    assert min(weights) < -0.9 and max(weights) > 0.9
    assert abs(sum(weights) / len(weights)) < 0.15


@given(seed=seeds())
def test_nn_same_seed_same_weights(seed: int) -> None:
    a = [p.data for p in MLP(3, [4, 2], seed=seed).parameters()]
    b = [p.data for p in MLP(3, [4, 2], seed=seed).parameters()]
    c = [p.data for p in MLP(3, [4, 2], seed=seed + 1).parameters()]
    assert a == b
    assert a != c


@given(seed=seeds())
def test_nn_seed_equals_a_random_with_that_seed(seed: int) -> None:
    by_seed = [p.data for p in MLP(2, [3, 1], seed=seed).parameters()]
    by_rng = [p.data for p in MLP(2, [3, 1], rng=random.Random(seed)).parameters()]
    assert by_seed == by_rng
    assert [p.data for p in Neuron(4, seed=seed).w] == [
        p.data for p in Neuron(4, rng=random.Random(seed)).w
    ]


def test_nn_shared_rng_advances_between_modules() -> None:
    rng = random.Random(5)
    first = [p.data for p in Layer(2, 2, rng=rng).parameters()]
    second = [p.data for p in Layer(2, 2, rng=rng).parameters()]
    assert first != second


@pytest.mark.parametrize(
    "make",
    [
        lambda: Neuron(2, seed=1, rng=random.Random(1)),
        lambda: Layer(2, 2, seed=1, rng=random.Random(1)),
        lambda: MLP(2, [2], seed=1, rng=random.Random(1)),
    ],
)
def test_nn_seed_and_rng_together_is_an_error(make: object) -> None:
    with pytest.raises(ValueError, match=r"seed.*rng"):
        make()  # type: ignore[operator]


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "make",
    [
        lambda: Neuron(2, "swish"),
        lambda: Layer(2, 3, activation="swish"),
        lambda: MLP(2, [3, 1], activation="swish"),
        lambda: MLP(2, [3, 1], output_activation="swish"),
        lambda: check_activation("swish"),
    ],
)
def test_nn_unknown_activation_lists_the_valid_ones(make: object) -> None:
    with pytest.raises(ValueError) as info:
        make()  # type: ignore[operator]
    message = str(info.value)
    assert "swish" in message
    for name in VALID:
        assert repr(name) in message


def test_nn_activations_are_the_documented_four() -> None:
    assert set(ACTIVATIONS) == set(VALID)
    assert all(check_activation(name) == name for name in VALID)


@pytest.mark.parametrize(
    ("module", "name"),
    [(Neuron(7, seed=0), "Neuron"), (Layer(7, 2, seed=0), "Layer"), (MLP(7, [2], seed=0), "MLP")],
)
def test_nn_wrong_input_length_says_both_lengths(module: object, name: str) -> None:
    with pytest.raises(ValueError, match=rf"{name}: expected 7 inputs, got 4"):
        module([1.0, 2.0, 3.0, 4.0])  # type: ignore[operator]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Neuron(0),
        lambda: Layer(2, 0),
        lambda: MLP(0, [1]),
        lambda: MLP(2, []),
    ],
)
def test_nn_bad_sizes_are_value_errors(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Neuron(True), r"Neuron: nin must be an int, got bool True"),
        (lambda: Neuron(2.0), r"Neuron: nin must be an int, got float 2\.0"),
        (lambda: Layer(2, True), r"Layer: nout must be an int, got bool True"),
        (lambda: MLP(2, None), r"MLP: nouts \(the layer sizes\) must be a sequence"),
        (lambda: MLP(2, [3, None]), r"MLP: nouts\[1\] must be an int, got NoneType None"),
        (lambda: MLP(2, "41"), r"MLP: nouts .* must be a sequence"),
    ],
)
def test_nn_sizes_of_the_wrong_type_are_named_type_errors(make: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        make()  # type: ignore[operator]


def test_nn_layer_with_no_inputs_names_the_layer_not_its_neurons() -> None:
    with pytest.raises(ValueError, match=r"^Layer: nin must be an int ≥ 1, got 0$"):
        Layer(0, 2)


def test_nn_numpy_sizes_and_seeds_are_accepted() -> None:
    np = pytest.importorskip("numpy", reason="needs NumPy: pip install 'tinygrad_edu[dev]'")
    model = MLP(np.int64(2), [np.int64(3), np.int32(1)], seed=np.int64(7))
    assert model.nin == 2 and model.nouts == [3, 1]
    assert all(type(n) is int for n in [model.nin, *model.nouts])
    assert model.state_dict() == MLP(2, [3, 1], seed=7).state_dict()
    # a NumPy row is an input like a list
    assert model(np.array([0.5, -1.0]))[0].data == model([0.5, -1.0])[0].data


def test_nn_without_a_seed_draws_from_the_global_random_as_micrograd_does() -> None:
    import random

    state = random.getstate()
    try:
        random.seed(1337)
        first = MLP(2, [4, 1]).state_dict()
        n1 = Neuron(3).state_dict()
        random.seed(1337)
        second = MLP(2, [4, 1]).state_dict()
        n2 = Neuron(3).state_dict()
        # the weights are exactly random.uniform(-1, 1) draws, in parameter order
        random.seed(1337)
        draws = [random.uniform(-1.0, 1.0) for _ in range(8)]
    finally:
        random.setstate(state)
    assert first == second and n1 == n2
    weights = [v for k, v in first.items() if ".w." in k]
    assert weights[:8] == draws
    assert MLP(2, [4, 1], seed=5).state_dict() == MLP(2, [4, 1], seed=5).state_dict()


@pytest.mark.parametrize(("nonlin", "activation"), [(True, "relu"), (False, "linear")])
def test_nn_micrograd_nonlin_keyword_picks_relu_or_linear(nonlin: bool, activation: str) -> None:
    assert Neuron(2, nonlin=nonlin, seed=0).activation == activation
    assert Layer(2, 3, nonlin=nonlin, seed=0).activation == activation
    n = Neuron(2, nonlin=nonlin, seed=0)
    n.w[0].data, n.w[1].data = 1.0, 1.0
    # relu(-2) = 0 with nonlin, -2 without
    assert n([-1.0, -1.0]).data == (0.0 if nonlin else -2.0)


def test_nn_nonlin_and_activation_together_are_refused() -> None:
    with pytest.raises(ValueError, match=r"Neuron: give activation= or micrograd's nonlin="):
        Neuron(2, "tanh", nonlin=True)
    with pytest.raises(TypeError, match=r"Layer: nonlin must be True or False, got 1"):
        Layer(2, 2, nonlin=1)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- forward
@given(shape=mlp_shapes(), act=activations(), out_act=activations(), seed=seeds(), data=st.data())
def test_nn_forward_matches_a_float_reference(
    shape: tuple[int, list[int]], act: str, out_act: str, seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    model = MLP(nin, nouts, act, out_act, seed=seed)
    x = data.draw(inputs_for(nin))
    got = [o.data for o in as_list(model(x))]
    for g, e in zip(got, float_forward(model, x), strict=True):
        assert math.isclose(g, e, rel_tol=1e-12, abs_tol=1e-14)


def test_nn_inputs_may_be_numbers_or_values_and_get_gradients() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=4)
    xs = [Value(0.5), Value(-1.5)]
    (out,) = model(xs)
    assert out.data == model([0.5, -1.5])[0].data
    out.backward()
    assert all(x.grad != 0.0 for x in xs)


# --------------------------------------------------------------------------- gradients
@given(
    shape=mlp_shapes(max_nin=3, max_layers=3, max_width=3),
    act=smooth_activations(),
    out_act=smooth_activations(),
    seed=seeds(),
    data=st.data(),
)
def test_nn_loss_gradients_match_central_differences(
    shape: tuple[int, list[int]], act: str, out_act: str, seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    model = MLP(nin, nouts, act, out_act, seed=seed)
    batch = [data.draw(inputs_for(nin)) for _ in range(2)]
    targets = data.draw(st.lists(st.floats(-1.0, 1.0), min_size=nouts[-1], max_size=nouts[-1]))
    squared_error(model, batch, targets).backward()
    eps = 1e-6
    for p in model.parameters():
        analytic, original = p.grad, p.data
        with no_grad():
            p.data = original + eps
            plus = squared_error(model, batch, targets).data
            p.data = original - eps
            minus = squared_error(model, batch, targets).data
        p.data = original
        numeric = (plus - minus) / (2.0 * eps)
        assert math.isclose(analytic, numeric, rel_tol=1e-6, abs_tol=1e-8), (p.label, analytic)


@given(shape=mlp_shapes(max_nin=3, max_layers=2, max_width=3), seed=seeds(), data=st.data())
def test_nn_relu_mlp_loss_passes_gradcheck(
    shape: tuple[int, list[int]], seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    model = MLP(nin, nouts, seed=seed)  # micrograd's defaults: relu hidden, linear out
    x = data.draw(inputs_for(nin))
    targets = [0.5] * nouts[-1]
    loss = squared_error(model, [x], targets)
    # central differences need every relu input off its kink by more than ε·|gradient|
    assume(all(abs(n.parents[0].data) > 1e-3 for n in topo_order(loss) if n.primitive is ops.relu))
    start = [p.data for p in model.parameters()]

    def f(*params: Value) -> Value:
        load_parameters(model, params)
        return squared_error(model, [x], targets)

    assert gradcheck(f, start, atol=1e-7, rtol=1e-6)
