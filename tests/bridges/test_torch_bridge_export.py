"""export_code without torch: the scripts parse, have the promised structure, and the NumPy one
runs and agrees with the engine. Also: without torch the bridge says which extra to install."""

from __future__ import annotations

import ast
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import ops
from tinygrad_edu.losses import get_loss
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.torch_bridge import LOSS_NAMES, export_code, from_torch, to_torch
from tinygrad_edu.torch_bridge.arrays import numpy_activation, torch_activation

np = pytest.importorskip(
    "numpy", reason="NumPy is not installed: pip install 'tinygrad_edu[plots]'"
)


def _model_for(loss: str) -> MLP:
    out_act = "sigmoid" if loss == "bce" else "linear"
    nout = 3 if loss == "cross_entropy" else 2
    return MLP(2, [4, nout], "sigmoid", out_act, seed=7)


def _engine_loss(model: MLP, X: list[list[float]], Y: list[Any], loss: str) -> Any:
    return get_loss(loss)([model(x) for x in X], Y)


def _assigned(tree: ast.Module) -> dict[str, ast.expr]:
    return {
        t.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }


@pytest.mark.parametrize("framework", ["torch", "numpy"])
@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_export_code_parses_and_defines_the_promised_functions(framework: str, loss: str) -> None:
    code = export_code(_model_for(loss), framework, loss=loss)
    tree = ast.parse(code)
    compile(tree, "<export>", "exec")
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert {"forward", "loss", "gradients", "step"} <= functions
    imported = {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    assert imported == ({"torch"} if framework == "torch" else {"numpy"})
    assert "tinygrad_edu" not in code.replace("exported from tinygrad_edu", "").replace(
        "(tinygrad_edu's", ""
    )
    assert ast.get_docstring(tree) is not None


@pytest.mark.parametrize("framework", ["torch", "numpy"])
def test_export_code_inlines_the_exact_weights(framework: str) -> None:
    model = MLP(3, [4, 2], "tanh", seed=21)
    for p in model.parameters():
        p.data = p.data / 3.0 + 1e-9  # every digit of a float's repr matters
    values = _assigned(ast.parse(export_code(model, framework)))
    state = model.state_dict()
    for k in (1, 2):
        w_call, b_call = values[f"W{k}"], values[f"b{k}"]
        assert isinstance(w_call, ast.Call) and isinstance(b_call, ast.Call)
        W = ast.literal_eval(w_call.args[0])
        b = ast.literal_eval(b_call.args[0])
        for j, row in enumerate(W):
            for i, w in enumerate(row):
                assert w == state[f"layers.{k - 1}.neurons.{j}.w.{i}"]
            assert b[j] == state[f"layers.{k - 1}.neurons.{j}.b"]


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_export_code_numpy_script_runs_and_agrees_with_the_engine(
    loss: str, tmp_path: Path
) -> None:
    model = _model_for(loss)
    X = [[0.3, -1.2], [1.5, 0.2], [-0.7, 0.9]]
    Y: list[Any] = {
        "cross_entropy": [2, 0, 1],
        "hinge": [[1.0, -1.0], [-1.0, -1.0], [1.0, 1.0]],
    }.get(loss, [[0.0, 1.0], [1.0, 0.25], [0.5, 0.0]])
    path = tmp_path / "model_numpy.py"
    lr, steps = 0.5, 3
    export_code(model, "numpy", loss=loss, X=X, Y=Y, lr=lr, steps=steps, path=path)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True)
    printed = [float(line.split()[-1]) for line in run.stdout.splitlines()]
    assert len(printed) == steps + 1

    grads = runpy.run_path(str(path))["gradients"]()
    model.zero_grad()
    _engine_loss(model, X, Y, loss).backward()
    for name, p in model.named_parameters():
        parts = name.split(".")
        k, j = int(parts[1]) + 1, int(parts[3])
        got = grads[f"b{k}"][j] if parts[4] == "b" else grads[f"W{k}"][j, int(parts[5])]
        assert abs(float(got) - p.grad) <= 1e-12 * max(1.0, abs(p.grad)), name

    # the same gradient-descent steps on the engine give the same printed losses
    opt = SGD(model.parameters(), lr=lr)
    want = [_engine_loss(model, X, Y, loss).data]
    for _ in range(steps):
        model.zero_grad()
        _engine_loss(model, X, Y, loss).backward()
        opt.step()
        want.append(_engine_loss(model, X, Y, loss).data)
    assert printed == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_export_code_default_data_is_xor_for_two_inputs() -> None:
    values = _assigned(ast.parse(export_code(MLP(2, [2, 1], seed=0), "numpy")))
    x_call, y_call = values["X"], values["Y"]
    assert isinstance(x_call, ast.Call) and isinstance(y_call, ast.Call)
    assert ast.literal_eval(x_call.args[0]) == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert ast.literal_eval(y_call.args[0]) == [[0.0], [1.0], [1.0], [0.0]]


def test_export_code_writes_the_file_it_returns(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "net.py"
    code = export_code(MLP(2, [1], seed=0), "torch", path=path)
    assert path.read_text(encoding="utf-8") == code


def test_export_code_refuses_bad_arguments() -> None:
    model = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="export_code: framework must be one of 'torch', 'numpy'"):
        export_code(model, "jax")
    with pytest.raises(ValueError, match="export_code: loss must be one of"):
        export_code(model, loss="l1")
    with pytest.raises(ValueError, match="give both X and Y, or neither"):
        export_code(model, X=[[0.0, 1.0]])
    with pytest.raises(ValueError, match="export_code: lr must be a finite number > 0"):
        export_code(model, lr=0.0)
    with pytest.raises(TypeError, match="export_code: steps must be an int, got bool True"):
        export_code(model, steps=True)
    with pytest.raises(TypeError, match="export_code: model must be a tinygrad_edu MLP"):
        export_code([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Y\\[0\\] has 2 entries, the model 1 outputs"):
        export_code(model, X=[[0.0, 1.0]], Y=[[0.0, 1.0]])


def test_bridge_without_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    model = MLP(2, [1], seed=0)
    with pytest.raises(ImportError, match=r"to_torch needs PyTorch.*tinygrad_edu\[torch\]"):
        to_torch(model)
    with pytest.raises(ImportError, match=r"from_torch needs PyTorch.*tinygrad_edu\[torch\]"):
        from_torch(object())
    assert "import torch" in export_code(model, "torch")  # writing a script needs no torch


UNARY = [op for op in ops.TABLE.values() if op.arity == 1 and not op.params]


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.name)
def test_array_code_of_every_unary_entry_is_its_forward_and_derivative(op: ops.Primitive) -> None:
    forward, derivative, _ = numpy_activation(op.name)
    lo, hi = op.domain or (-3.0, 3.0)
    Z = np.array([lo + (hi - lo) * k / 7.0 for k in range(8)])
    Z = Z[np.all(np.abs(Z[:, None] - np.array(op.kinks or [np.inf])) > 1e-6, axis=1)]
    A = eval(forward, {"np": np, "Z": Z})  # the exported code, as the script runs it
    dA = eval(derivative, {"np": np, "Z": Z, "A": A})
    for z, a, d in zip(Z, np.broadcast_to(A, Z.shape), np.broadcast_to(dA, Z.shape)):
        want = op.forward(float(z))
        assert abs(a - want) <= 1e-12 * max(1.0, abs(want)), (op.name, z)
        (slope,) = op.rule(want, float(z))
        assert abs(d - slope) <= 1e-12 * max(1.0, abs(slope)), (op.name, z)


def test_torch_activation_is_torch_function_of_the_same_name() -> None:
    assert [torch_activation(a) for a in ("relu", "tanh", "sigmoid", "linear")] == [
        "torch.relu(Z)",
        "torch.tanh(Z)",
        "torch.sigmoid(Z)",
        "Z",
    ]
