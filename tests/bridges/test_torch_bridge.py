"""torch_bridge with PyTorch: exact weights both ways, and torch autograd = the engine's grads.

These tests need the ``[torch]`` extra; without torch they skip, naming it. The torch-free parts
(export_code's scripts, the errors without torch) are in test_torch_bridge_export.py.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import activations, floats_in, inputs_for, mlp_shapes, seeds

from tinygrad_edu.losses import get_loss
from tinygrad_edu.nn import MLP
from tinygrad_edu.torch_bridge import (
    LOSS_NAMES,
    export_code,
    from_torch,
    to_torch,
    torch_parameter_grads,
)

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed: pip install 'tinygrad_edu[torch]'"
)


def _engine_grads(model: MLP, X: list[list[float]], Y: list[Any], loss: str) -> dict[str, float]:
    """∂L/∂p by tinygrad_edu's engine, the loss built as a learner would build it."""
    model.zero_grad()
    if loss == "cross_entropy" or model.nouts[-1] > 1:
        preds: list[Any] = [model(x) for x in X]
    else:
        preds = [model(x)[0] for x in X]
    get_loss(loss)(preds, Y).backward()
    return {name: p.grad for name, p in model.named_parameters()}


def _assert_grads_equal(got: dict[str, float], want: dict[str, float]) -> None:
    assert list(got) == list(want)
    for name in want:
        assert abs(got[name] - want[name]) <= 1e-12 * max(1.0, abs(want[name])), name


@st.composite
def problems(draw: st.DrawFn, loss: str) -> tuple[MLP, list[list[float]], list[Any]]:
    """A small random MLP, a batch X, and targets valid for ``loss``."""
    nin, nouts = draw(mlp_shapes(max_nin=3, max_layers=3, max_width=3))
    if loss == "cross_entropy" and nouts[-1] == 1:
        nouts[-1] = 2
    out_act = "sigmoid" if loss == "bce" else draw(activations())
    model = MLP(nin, nouts, draw(activations()), out_act, seed=draw(seeds()))
    m = draw(st.integers(1, 4))
    X = [draw(inputs_for(nin)) for _ in range(m)]
    k = nouts[-1]
    if loss == "cross_entropy":
        one = st.one_of(
            st.integers(0, k - 1),
            st.lists(floats_in(0.0, 1.0), min_size=k, max_size=k),
        )
        return model, X, [draw(one) for _ in range(m)]
    if loss == "hinge":
        entry: st.SearchStrategy[float] = st.sampled_from((-1.0, 1.0))
    elif loss in ("bce", "bce_with_logits"):
        entry = floats_in(0.0, 1.0)
    else:
        entry = floats_in(-2.0, 2.0)
    Y: list[Any] = [[draw(entry) for _ in range(k)] for _ in range(m)]
    if k == 1 and draw(st.booleans()):
        Y = [y[0] for y in Y]  # one output: the flat list a learner usually writes
    return model, X, Y


@pytest.mark.parametrize("loss", LOSS_NAMES)
@settings(max_examples=40)
@given(data=st.data())
def test_torch_parameter_grads_equal_the_engine_for_every_loss(
    loss: str, data: st.DataObject
) -> None:
    model, X, Y = data.draw(problems(loss))
    _assert_grads_equal(torch_parameter_grads(model, X, Y, loss), _engine_grads(model, X, Y, loss))


def test_torch_parameter_grads_match_a_worked_value() -> None:
    # the lesson's sigmoid neuron: x = 0.5, w = 1.2, b = -0.8, y = 0, L = ½(y − ŷ)² (half_sse)
    model = MLP(1, [1], output_activation="sigmoid", seed=0)
    model.load_state_dict({"layers.0.neurons.0.w.0": 1.2, "layers.0.neurons.0.b": -0.8})
    g = torch_parameter_grads(model, [[0.5]], [0.0], "half_sse")
    assert g["layers.0.neurons.0.w.0"] == pytest.approx(0.0557116, abs=1e-6)
    assert g["layers.0.neurons.0.b"] == pytest.approx(0.1114232, abs=1e-6)


def test_torch_parameter_grads_bce_eps_is_the_engine_clamp() -> None:
    # a saturated sigmoid output: p rounds to 1.0, so the clamp decides the gradient (0 outside)
    model = MLP(1, [1], output_activation="sigmoid", seed=0)
    model.load_state_dict({"layers.0.neurons.0.w.0": 50.0, "layers.0.neurons.0.b": 0.0})
    X, Y = [[1.0], [0.1]], [0.0, 1.0]
    for eps in (1e-12, 1e-3):
        model.zero_grad()
        preds = [model(x)[0] for x in X]
        get_loss("bce")(preds, Y, eps=eps).backward()
        want = {n: p.grad for n, p in model.named_parameters()}
        _assert_grads_equal(torch_parameter_grads(model, X, Y, "bce", bce_eps=eps), want)


@settings(max_examples=40)
@given(mlp_shapes(), activations(), activations(), seeds())
def test_to_torch_from_torch_round_trip_is_bit_identical(
    shape: tuple[int, list[int]], act: str, out_act: str, seed: int
) -> None:
    nin, nouts = shape
    model = MLP(nin, nouts, act, out_act, seed=seed)
    for p in model.parameters():
        p.data = p.data * 3.0 + 1e-17  # biases become non-zero, weights lose no digits
    back = from_torch(to_torch(model))
    assert back.state_dict() == model.state_dict()
    assert back.config() == model.config() or len(nouts) == 1


@settings(max_examples=30)
@given(mlp_shapes(), activations(), activations(), seeds(), st.data())
def test_to_torch_forward_equals_the_engine(
    shape: tuple[int, list[int]], act: str, out_act: str, seed: int, data: st.DataObject
) -> None:
    nin, nouts = shape
    model = MLP(nin, nouts, act, out_act, seed=seed)
    x = data.draw(inputs_for(nin))
    got = to_torch(model)(torch.tensor([x], dtype=torch.float64))[0].tolist()
    want = [v.data for v in model(x)]
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_to_torch_builds_linear_float64_and_the_activations() -> None:
    seq = to_torch(MLP(2, [4, 4, 1], "sigmoid", "sigmoid", seed=0))
    assert [type(m).__name__ for m in seq] == ["Linear", "Sigmoid"] * 3
    assert seq[0].weight.dtype == torch.float64 and tuple(seq[0].weight.shape) == (4, 2)
    assert [type(m).__name__ for m in to_torch(MLP(3, [2], seed=0))] == ["Linear"]


def test_to_torch_weight_entry_follows_the_name_map() -> None:
    model = MLP(3, [4, 2], seed=5)
    seq = to_torch(model)
    w = dict(model.named_parameters())
    assert seq[2].weight[1, 3].item() == w["layers.1.neurons.1.w.3"].data  # W2[1, 3]
    assert seq[0].bias[2].item() == w["layers.0.neurons.2.b"].data  # b1[2]


def test_from_torch_loads_into_a_given_model_and_checks_it() -> None:
    source = MLP(2, [3, 1], "tanh", "sigmoid", seed=1)
    target = MLP(2, [3, 1], "tanh", "sigmoid", seed=2)
    assert from_torch(to_torch(source), target) is target
    assert target.state_dict() == source.state_dict()
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"from_torch: the Sequential is \[2, 3, 1\]"):
        from_torch(to_torch(MLP(2, [3, 1], "relu", "sigmoid", seed=1)), target)
    with pytest.raises(ValueError, match=r"from_torch: the Sequential is \[2, 4, 1\]"):
        from_torch(to_torch(MLP(2, [4, 1], "tanh", "sigmoid", seed=1)), target)
    assert target.state_dict() == before


@pytest.mark.slow
def test_from_torch_brings_back_weights_trained_by_torch() -> None:
    model = MLP(2, [3, 1], "tanh", seed=3)
    seq = to_torch(model)
    opt = torch.optim.SGD(seq.parameters(), lr=0.1)
    X = torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64)
    Y = torch.tensor([[1.0], [0.0]], dtype=torch.float64)
    opt.zero_grad()
    ((seq(X) - Y) ** 2).mean().backward()
    opt.step()
    back = from_torch(seq)
    assert back.state_dict()["layers.1.neurons.0.b"] == seq[2].bias[0].item()
    assert back.state_dict() != model.state_dict()


def test_from_torch_refuses_what_an_mlp_cannot_be() -> None:
    nn = torch.nn
    with pytest.raises(
        TypeError, match=r"from_torch: expected a torch\.nn\.Sequential, got Linear"
    ):
        from_torch(nn.Linear(2, 1))
    with pytest.raises(ValueError, match="module 1 is a Dropout"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.Dropout(), nn.Linear(2, 1)))
    with pytest.raises(ValueError, match="mix activations"):
        from_torch(
            nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
        )
    with pytest.raises(ValueError, match="module 0 \\(ReLU\\) must follow a Linear"):
        from_torch(nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    with pytest.raises(ValueError, match="Linear 1 takes 3 inputs but the layer before gives 2"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.Linear(3, 1)))
    with pytest.raises(ValueError, match="without bias"):
        from_torch(nn.Sequential(nn.Linear(2, 1, bias=False)))


def test_torch_parameter_grads_takes_numpy_arrays_like_the_engine() -> None:
    np = pytest.importorskip(
        "numpy", reason="NumPy is not installed: pip install 'tinygrad_edu[plots]'"
    )
    model = MLP(2, [3, 3], "tanh", seed=8)
    X = np.array([[0.5, -1.0], [1.5, 0.25]])
    classes = np.array([2, 0])
    want = _engine_grads(model, X.tolist(), classes.tolist(), "cross_entropy")
    _assert_grads_equal(torch_parameter_grads(model, X, classes, "cross_entropy"), want)
    Y = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]])
    want = _engine_grads(model, X.tolist(), Y.tolist(), "mse")
    _assert_grads_equal(torch_parameter_grads(model, X, Y, "mse"), want)


def test_torch_parameter_grads_cross_entropy_class_must_be_an_int() -> None:
    # as the engine: 1.0 is not a class index (a float target is a probability list's entry)
    with pytest.raises(TypeError, match=r"Y\[0\] must be a class index \(an int\) or a list of 2"):
        torch_parameter_grads(MLP(2, [2], seed=0), [[0.0, 1.0]], [1.0], "cross_entropy")


def test_torch_parameter_grads_refuses_bad_arguments() -> None:
    model = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="torch_parameter_grads: loss must be one of"):
        torch_parameter_grads(model, [[0.0, 1.0]], [1.0], "l1")
    with pytest.raises(ValueError, match="X has 1 rows but Y has 2 targets"):
        torch_parameter_grads(model, [[0.0, 1.0]], [1.0, 0.0], "mse")
    with pytest.raises(ValueError, match="hinge targets must be"):
        torch_parameter_grads(model, [[0.0, 1.0]], [0.0], "hinge")
    with pytest.raises(TypeError, match="must be a tinygrad_edu MLP, got str"):
        torch_parameter_grads("model", [[0.0, 1.0]], [1.0], "mse")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"torch_parameter_grads: Y\[0\] must be a number, got bool True"
    ):
        torch_parameter_grads(model, [[0.0, 1.0]], [True], "mse")


@pytest.mark.slow
@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_export_code_torch_script_runs_and_agrees_with_the_engine(
    loss: str, tmp_path: Path
) -> None:
    out_act = "sigmoid" if loss == "bce" else "linear"
    nout = 3 if loss == "cross_entropy" else 1
    model = MLP(2, [4, nout], "tanh", out_act, seed=11)
    path = tmp_path / "model_torch.py"
    export_code(model, "torch", loss=loss, lr=0.5, steps=2, path=path)
    ns = runpy.run_path(str(path))  # imported, not run: __name__ is not "__main__"
    X = ns["X"].tolist()
    Y = ns["Y"].tolist()
    want = _engine_grads(model, X, Y, loss)
    grads = ns["gradients"]()
    for name, g in want.items():
        parts = name.split(".")
        k, j = int(parts[1]) + 1, int(parts[3])
        got = grads[f"b{k}"][j] if parts[4] == "b" else grads[f"W{k}"][j, int(parts[5])]
        assert abs(got.item() - g) <= 1e-12 * max(1.0, abs(g)), name
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True)
    lines = run.stdout.split("\n")
    first = float(lines[0].split()[-1])
    preds = [model(x) if nout > 1 or loss == "cross_entropy" else model(x)[0] for x in X]
    assert first == pytest.approx(get_loss(loss)(preds, Y).data, rel=1e-12, abs=1e-15)
    assert lines[1].startswith("step 1 loss ") and lines[2].startswith("step 2 loss ")
