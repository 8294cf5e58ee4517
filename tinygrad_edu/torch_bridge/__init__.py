"""Leaving for PyTorch: the same MLP as a ``torch.nn.Sequential``, as a script, and its gradients.

* :func:`to_torch` builds ``Linear`` layers (float64) and the same activations, with the same
  weights; :func:`from_torch` brings weights back. Both copy floats exactly, so a round trip is
  bit-identical.
* :func:`export_code` writes a standalone script (PyTorch or NumPy) that a learner can read and
  run without tinygrad_edu: the weights inlined, the forward pass, the loss, a training step.
* :func:`torch_parameter_grads` gives ∂L/∂p for every parameter from torch autograd in float64,
  for every loss of ``tinygrad_edu.losses``, written to match the engine's definitions.

torch is imported only inside these functions; without it they raise an ImportError naming the
``[torch]`` extra. :func:`export_code` never needs torch (or NumPy) to write a script.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from . import checks
from .fileio import atomic_write_text
from .nn import MLP

__all__ = [
    "LOSS_NAMES",
    "export_code",
    "from_torch",
    "to_torch",
    "torch_parameter_grads",
]

LOSS_NAMES = ("mse", "half_sse", "bce", "bce_with_logits", "hinge", "cross_entropy")
_TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}
_INSTALL_HINT = "install it with: pip install 'tinygrad_edu[torch]'"


def _torch(where: str) -> ModuleType:
    try:
        import torch
    except ImportError as err:
        raise ImportError(
            f"{where} needs PyTorch, which is not installed; {_INSTALL_HINT}"
        ) from err
    return torch


def _mlp(model: object, where: str) -> MLP:
    if not isinstance(model, MLP):
        raise TypeError(f"{where}: model must be a tinygrad_edu MLP, got {type(model).__name__}")
    return model


def _activations(model: MLP) -> list[str]:
    return [layer.activation for layer in model.layers]


# --------------------------------------------------------------------------- to / from torch
def to_torch(model: MLP) -> Any:
    """The equivalent ``torch.nn.Sequential`` (float64 Linear layers, same activations, weights).

    Neuron j of layer l becomes row j of ``Linear.weight`` (W stored as nₗ × nₗ₋₁).

    >>> from tinygrad_edu import MLP
    >>> seq = to_torch(MLP(2, [3, 1], seed=0))
    >>> [type(m).__name__ for m in seq]
    ['Linear', 'ReLU', 'Linear']
    """
    where = "to_torch"
    model = _mlp(model, where)
    torch = _torch(where)
    modules: list[Any] = []
    for layer in model.layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        modules.append(linear)
        if layer.activation != "linear":
            modules.append(getattr(torch.nn, _TORCH_ACTIVATIONS[layer.activation])())
    return torch.nn.Sequential(*modules)


def _read_sequential(seq: Any, torch: ModuleType, where: str) -> list[tuple[Any, str]]:
    """(Linear, activation name) per layer of a Sequential of Linear [+ activation] blocks."""
    if not isinstance(seq, torch.nn.Sequential):
        raise TypeError(f"{where}: expected a torch.nn.Sequential, got {type(seq).__name__}")
    by_class = {v: k for k, v in _TORCH_ACTIVATIONS.items()}
    blocks: list[tuple[Any, str]] = []
    for i, m in enumerate(seq):
        name = type(m).__name__
        if isinstance(m, torch.nn.Linear):
            if m.bias is None:
                raise ValueError(f"{where}: module {i} is a Linear without bias (bias=False)")
            blocks.append((m, "linear"))
        elif name in by_class and isinstance(m, getattr(torch.nn, name)):
            if not blocks or blocks[-1][1] != "linear":
                raise ValueError(f"{where}: module {i} ({name}) must follow a Linear layer")
            blocks[-1] = (blocks[-1][0], by_class[name])
        else:
            raise ValueError(
                f"{where}: module {i} is a {name}; only Linear, ReLU, Tanh and Sigmoid are known"
            )
    if not blocks:
        raise ValueError(f"{where}: the Sequential has no Linear layer")
    for i in range(1, len(blocks)):
        if blocks[i][0].in_features != blocks[i - 1][0].out_features:
            raise ValueError(
                f"{where}: Linear {i} takes {blocks[i][0].in_features} inputs but the layer "
                f"before gives {blocks[i - 1][0].out_features}"
            )
    return blocks


def from_torch(seq: Any, model: MLP | None = None) -> MLP:
    """The weights of a Sequential of Linear [+ ReLU/Tanh/Sigmoid] blocks, as an MLP.

    With ``model`` the weights are loaded into it (the architectures must agree; all or
    nothing); without, a new MLP is built. Hidden layers must share one activation.

    >>> from tinygrad_edu import MLP
    >>> m = MLP(2, [3, 1], seed=0)
    >>> from_torch(to_torch(m)).state_dict() == m.state_dict()
    True
    """
    where = "from_torch"
    torch = _torch(where)
    blocks = _read_sequential(seq, torch, where)
    acts = [a for _, a in blocks]
    hidden = set(acts[:-1])
    if len(hidden) > 1:
        raise ValueError(f"from_torch: hidden layers mix activations {acts[:-1]}; an MLP has one")
    nin = blocks[0][0].in_features
    nouts = [linear.out_features for linear, _ in blocks]
    if model is None:
        hidden_act = acts[0] if len(acts) > 1 else "relu"
        model = MLP(nin, nouts, hidden_act, acts[-1], seed=0)
    else:
        model = _mlp(model, where)
        if [model.nin, *model.nouts] != [nin, *nouts] or _activations(model) != acts:
            raise ValueError(
                f"from_torch: the Sequential is {[nin, *nouts]} with activations {acts}, the "
                f"model {[model.nin, *model.nouts]} with {_activations(model)}"
            )
    state: dict[str, float] = {}
    for k, (linear, _) in enumerate(blocks):
        weight = linear.weight.detach().to(torch.float64).tolist()
        bias = linear.bias.detach().to(torch.float64).tolist()
        for j, row in enumerate(weight):
            for i, w in enumerate(row):
                state[f"layers.{k}.neurons.{j}.w.{i}"] = w
            state[f"layers.{k}.neurons.{j}.b"] = bias[j]
    model.load_state_dict(state)
    return model


# --------------------------------------------------------------------------- gradients
def _targets(
    model: MLP, X: object, Y: object, loss: str, where: str
) -> tuple[list[list[float]], list[Any]]:
    rows = [
        [checks.finite(v, where, "an entry of X") for v in r]
        for r in checks.rows(X, where, "X", width=model.nin)
    ]
    ys = list(checks.sequence(Y, where, "Y"))
    if len(ys) != len(rows):
        raise ValueError(f"{where}: X has {len(rows)} rows but Y has {len(ys)} targets")
    nout = model.nouts[-1]
    out: list[Any] = []
    for k, y in enumerate(ys):
        if loss == "cross_entropy" and checks.is_real(y) and isinstance(y, numbers.Integral):
            c = checks.count(y, where, f"Y[{k}] (a class index)")
            if c >= nout:
                raise ValueError(f"{where}: class index {c} out of range for {nout} classes")
            out.append(c)
            continue
        if loss == "cross_entropy" and not isinstance(y, Sequence) and not hasattr(y, "__len__"):
            raise TypeError(
                f"{where}: Y[{k}] must be a class index (an int) or a list of {nout} "
                f"probabilities, got {checks.show(y)}"
            )
        vec = (
            [checks.finite(y, where, f"Y[{k}]")]
            if not isinstance(y, Sequence) and not hasattr(y, "__len__")
            else [
                checks.finite(v, where, f"an entry of Y[{k}]")
                for v in checks.sequence(y, where, f"Y[{k}]")
            ]
        )
        if len(vec) != nout:
            raise ValueError(f"{where}: Y[{k}] has {len(vec)} entries, the model {nout} outputs")
        out.append(vec)
    return rows, out


def _torch_loss(torch: ModuleType, out: Any, ys: list[Any], loss: str, bce_eps: float) -> Any:
    """The engine's loss definitions (``tinygrad_edu.losses``) written in torch float64."""
    m = out.shape[0]
    if loss == "cross_entropy":
        shifted = out - out.detach().max(dim=1, keepdim=True).values
        log_total = torch.log(torch.exp(shifted).sum(dim=1))
        total = []
        for k, y in enumerate(ys):
            if isinstance(y, int):
                total.append(log_total[k] - shifted[k, y])
            else:
                t = torch.tensor(y, dtype=torch.float64)
                total.append(log_total[k] * t.sum() - (shifted[k] * t).sum())
        return torch.stack(total).mean()
    y = torch.tensor(ys, dtype=torch.float64)
    if loss == "mse":
        return ((out - y) ** 2).mean()
    if loss == "half_sse":
        return ((out - y) ** 2).sum() * (0.5 / m)
    if loss == "bce":
        c = out.clamp(bce_eps, 1.0 - bce_eps)
        return -(y * torch.log(c) + (1.0 - y) * torch.log1p(-c)).mean()
    if loss == "bce_with_logits":
        zero = torch.zeros_like(out)
        return ((1.0 - y) * torch.logaddexp(out, zero) + y * torch.logaddexp(-out, zero)).mean()
    return torch.relu(1.0 - y * out).mean()  # hinge


def torch_parameter_grads(
    model: MLP, X: object, Y: object, loss: str, bce_eps: float = 1e-12
) -> dict[str, float]:
    """Parameter name → ∂L/∂p from torch autograd (float64), L the engine's ``loss`` over X, Y.

    Y is as the engine's losses take it: a number per row for one output (a class index or a
    probability list per row for ``cross_entropy``), a list per row otherwise.

    >>> from tinygrad_edu import MLP
    >>> g = torch_parameter_grads(MLP(2, [1], seed=0), [[1.0, 2.0]], [0.0], "mse")
    >>> sorted(g)
    ['layers.0.neurons.0.b', 'layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1']
    """
    where = "torch_parameter_grads"
    model = _mlp(model, where)
    loss = checks.one_of(loss, where, "loss", LOSS_NAMES)
    bce_eps = checks.in_range(bce_eps, where, "bce_eps", 0.0, 0.5, low_open=True, high_open=True)
    rows, ys = _targets(model, X, Y, loss, where)
    if loss in ("bce", "bce_with_logits", "hinge"):
        flat = [v for y in ys for v in y]
        if loss == "hinge" and any(v not in (1.0, -1.0) for v in flat):
            raise ValueError(f"{where}: hinge targets must be +1 or -1")
        if loss != "hinge" and any(not 0.0 <= v <= 1.0 for v in flat):
            raise ValueError(f"{where}: {loss} targets must be in [0, 1]")
    torch = _torch(where)
    seq = to_torch(model)
    out = seq(torch.tensor(rows, dtype=torch.float64))
    if loss == "bce" and bool(((out < 0.0) | (out > 1.0)).any()):
        raise ValueError(f"{where}: bce needs probabilities in [0, 1]; use bce_with_logits")
    value = _torch_loss(torch, out, ys, loss, bce_eps)
    value.backward()
    grads: dict[str, float] = {}
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    for k, linear in enumerate(linears):
        for j, row in enumerate(linear.weight.grad.tolist()):
            for i, g in enumerate(row):
                grads[f"layers.{k}.neurons.{j}.w.{i}"] = g
            grads[f"layers.{k}.neurons.{j}.b"] = linear.bias.grad[j].item()
    return {name: grads[name] for name, _ in model.named_parameters()}


# --------------------------------------------------------------------------- export
def _default_data(model: MLP, loss: str) -> tuple[list[list[float]], list[Any]]:
    """A small data set the script can run on: XOR's corners for two inputs, else two rows."""
    if model.nin == 2:
        X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
        labels = [0, 1, 1, 0]
    else:
        X = [[0.0] * model.nin, [1.0] * model.nin]
        labels = [0, 1]
    nout = model.nouts[-1]
    if loss == "cross_entropy":
        return X, [c % nout for c in labels]
    if loss == "hinge":
        return X, [[2.0 * c - 1.0] * nout for c in labels]
    return X, [[float(c)] * nout for c in labels]


def _matrix(rows: Sequence[Sequence[float]], indent: str) -> str:
    lines = [f"{indent}    [{', '.join(repr(v) for v in r)}]," for r in rows]
    return "[\n" + "\n".join(lines) + f"\n{indent}]"


_NUMPY_LOSS = {
    "mse": (
        "np.mean((A - Y) ** 2)",
        "2.0 * (A - Y) / A.size",
    ),
    "half_sse": (
        "0.5 * np.sum((A - Y) ** 2) / A.shape[0]",
        "(A - Y) / A.shape[0]",
    ),
    "bce": (
        "-np.mean(Y * np.log(np.clip(A, EPS, 1 - EPS))"
        " + (1 - Y) * np.log1p(-np.clip(A, EPS, 1 - EPS)))",
        "-(Y / np.clip(A, EPS, 1 - EPS) - (1 - Y) / (1 - np.clip(A, EPS, 1 - EPS)))"
        " * ((A >= EPS) & (A <= 1 - EPS)) / A.size",
    ),
    "bce_with_logits": (
        "np.mean((1 - Y) * np.logaddexp(A, 0) + Y * np.logaddexp(-A, 0))",
        "(1 / (1 + np.exp(-A)) - Y) / A.size",
    ),
    "hinge": (
        "np.mean(np.maximum(0.0, 1 - Y * A))",
        "-Y * (1 - Y * A > 0) / A.size",
    ),
    "cross_entropy": (
        "np.mean(logsumexp(A) - A[np.arange(len(Y)), Y])",
        "(softmax(A) - np.eye(A.shape[1])[Y]) / A.shape[0]",
    ),
}

_NUMPY_ACT = {
    "relu": ("np.maximum(Z, 0.0)", "(Z > 0).astype(float)"),
    "tanh": ("np.tanh(Z)", "1 - np.tanh(Z) ** 2"),
    "sigmoid": ("1 / (1 + np.exp(-Z))", "(1 / (1 + np.exp(-Z))) * (1 - 1 / (1 + np.exp(-Z)))"),
    "linear": ("Z", "np.ones_like(Z)"),
}

_TORCH_LOSS = {
    "mse": "((A - Y) ** 2).mean()",
    "half_sse": "0.5 * ((A - Y) ** 2).sum() / A.shape[0]",
    "bce": "-(Y * A.clamp(EPS, 1 - EPS).log()"
    " + (1 - Y) * torch.log1p(-A.clamp(EPS, 1 - EPS))).mean()",
    "bce_with_logits": "((1 - Y) * torch.logaddexp(A, torch.zeros_like(A))"
    " + Y * torch.logaddexp(-A, torch.zeros_like(A))).mean()",
    "hinge": "torch.relu(1 - Y * A).mean()",
    "cross_entropy": "(torch.logsumexp(A, dim=1) - A[torch.arange(len(Y)), Y]).mean()",
}


def _header(model: MLP, framework: str, loss: str, lr: float, steps: int) -> str:
    shape = " → ".join(str(n) for n in [model.nin, *model.nouts])
    acts = ", ".join(_activations(model))
    needs = "PyTorch" if framework == "torch" else "NumPy"
    return (
        f'"""A [{shape}] network ({acts}) exported from tinygrad_edu, with its weights.\n\n'
        f"It needs only {needs}. Run it: it prints the {loss} loss on the data below, takes\n"
        f"{steps} steps of gradient descent (lr = {lr!r}) and prints the loss after each.\n"
        f"W<l>[j, i] is the weight from input i to neuron j of layer l (tinygrad_edu's\n"
        f'layers.<l-1>.neurons.<j>.w.<i>); b<l>[j] is its bias.\n"""\n\n'
    )


def _weights_block(model: MLP, lib: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    ctor = "np.array" if lib == "np" else "torch.tensor"
    tail = "" if lib == "np" else ", dtype=torch.float64, requires_grad=True"
    for k, layer in enumerate(model.layers, start=1):
        w = [[w.data for w in n.w] for n in layer.neurons]
        b = [n.b.data for n in layer.neurons]
        lines.append(f"W{k} = {ctor}({_matrix(w, indent)}{tail})")
        lines.append(f"b{k} = {ctor}([{', '.join(repr(v) for v in b)}]{tail})")
    return lines


def export_code(
    model: MLP,
    framework: str = "torch",
    *,
    loss: str = "mse",
    X: object = None,
    Y: object = None,
    lr: float = 0.1,
    steps: int = 3,
    bce_eps: float = 1e-12,
    path: str | Path | None = None,
) -> str:
    """A standalone script (``framework`` "torch" or "numpy") for ``model``; written to ``path``.

    The script inlines the weights (exact float reprs) and the data, defines ``forward(X)``,
    ``loss(A, Y)``, ``gradients()`` (a name → array dict: autograd in torch, the matrix-form
    delta equations in NumPy) and ``step(lr)``, and when run prints the loss, then the loss
    after each of ``steps`` gradient-descent steps. X, Y default to XOR's corners (two inputs)
    or two rows of 0s and 1s; Y is as for :func:`torch_parameter_grads`.

    >>> from tinygrad_edu import MLP
    >>> code = export_code(MLP(2, [2, 1], seed=0), "numpy")
    >>> compile(code, "<export>", "exec") is not None and "def step(lr)" in code
    True
    """
    where = "export_code"
    model = _mlp(model, where)
    framework = checks.one_of(framework, where, "framework", ("torch", "numpy"))
    loss = checks.one_of(loss, where, "loss", LOSS_NAMES)
    lr = checks.positive(lr, where, "lr")
    steps = checks.count(steps, where, "steps")
    bce_eps = checks.in_range(bce_eps, where, "bce_eps", 0.0, 0.5, low_open=True, high_open=True)
    if (X is None) != (Y is None):
        raise ValueError(f"{where}: give both X and Y, or neither (for the default data)")
    if X is None:
        rows, ys = _default_data(model, loss)
    else:
        rows, ys = _targets(model, X, Y, loss, where)
    if loss == "cross_entropy" and not all(isinstance(y, int) for y in ys):
        raise ValueError(f"{where}: the exported cross_entropy takes class indices as targets")
    body = (
        _numpy_script(model, loss, rows, ys, lr, steps, bce_eps)
        if framework == "numpy"
        else (_torch_script(model, loss, rows, ys, lr, steps, bce_eps))
    )
    code = _header(model, framework, loss, lr, steps) + body
    if path is not None:
        atomic_write_text(path, code, where)
    return code


def _data_lines(rows: list[list[float]], ys: list[Any], lib: str) -> list[str]:
    ctor = "np.array" if lib == "np" else "torch.tensor"
    xs = f"X = {ctor}({_matrix(rows, '')}" + (")" if lib == "np" else ", dtype=torch.float64)")
    if ys and isinstance(ys[0], int):
        y = f"Y = {ctor}([{', '.join(str(c) for c in ys)}])"
    else:
        y = f"Y = {ctor}({_matrix(ys, '')}" + (")" if lib == "np" else ", dtype=torch.float64)")
    return [xs, y]


def _numpy_script(
    model: MLP, loss: str, rows: list[list[float]], ys: list[Any], lr: float, steps: int, eps: float
) -> str:
    n = len(model.layers)
    acts = _activations(model)
    value, grad = _NUMPY_LOSS[loss]
    out = [
        "import numpy as np",
        "",
        f"EPS = {eps!r}  # bce clamps probabilities to [EPS, 1 - EPS]",
        "",
        *_weights_block(model, "np"),
        "",
        *_data_lines(rows, ys, "np"),
        "",
        "",
    ]
    out += [
        "def logsumexp(Z):",
        "    M = Z.max(axis=1, keepdims=True)",
        "    return np.log(np.exp(Z - M).sum(axis=1)) + M[:, 0]",
        "",
        "",
        "def softmax(Z):",
        "    E = np.exp(Z - Z.max(axis=1, keepdims=True))",
        "    return E / E.sum(axis=1, keepdims=True)",
        "",
        "",
    ]
    for k, act in enumerate(acts, start=1):
        f, df = _NUMPY_ACT[act]
        out += [
            f"def act{k}(Z):",
            f"    return {f}  # {act}",
            "",
            "",
            f"def act{k}_prime(Z):",
            f"    return {df}",
            "",
            "",
        ]
    fwd = [
        "def forward(X):",
        '    """Every layer\'s pre-activation Z and activation A."""',
        "    A, Zs, As = X, [], [X]",
    ]
    for k in range(1, n + 1):
        fwd += [
            f"    Z = A @ W{k}.T + b{k}",
            f"    A = act{k}(Z)",
            "    Zs.append(Z)",
            "    As.append(A)",
        ]
    fwd += ["    return Zs, As", "", ""]
    out += fwd
    out += ["def loss(A, Y):", f"    return {value}", "", ""]
    out += [
        "def dloss(A, Y):",
        '    """∂L/∂A for the whole batch."""',
        f"    return {grad}",
        "",
        "",
    ]
    params = ", ".join(f"W{k}, b{k}" for k in range(1, n + 1))
    back = [
        "def gradients():",
        '    """The delta equations: δᴸ = ∂L/∂A ⊙ σ′(Zᴸ), δˡ = δˡ⁺¹ Wˡ⁺¹ ⊙ σ′(Zˡ), dW = δᵀA."""',
        "    Zs, As = forward(X)",
        "    grads = {}",
        f"    delta = dloss(As[-1], Y) * act{n}_prime(Zs[-1])",
    ]
    for k in range(n, 0, -1):
        back += [
            f'    grads["W{k}"] = delta.T @ As[{k - 1}]',
            f'    grads["b{k}"] = delta.sum(axis=0)',
        ]
        if k > 1:
            back += [f"    delta = (delta @ W{k}) * act{k - 1}_prime(Zs[{k - 2}])"]
    back += ["    return grads", "", ""]
    out += back
    out += [
        "def step(lr):",
        '    """One step of gradient descent: p ← p − lr · ∂L/∂p."""',
        f"    global {params}",
        "    g = gradients()",
    ]
    for k in range(1, n + 1):
        out += [f'    W{k} = W{k} - lr * g["W{k}"]', f'    b{k} = b{k} - lr * g["b{k}"]']
    out += ["", ""]
    out += [
        'if __name__ == "__main__":',
        '    print(f"loss {float(loss(forward(X)[1][-1], Y))!r}")',
        f"    for t in range({steps}):",
        f"        step({lr!r})",
        '        print(f"step {t + 1} loss {float(loss(forward(X)[1][-1], Y))!r}")',
        "",
    ]
    return "\n".join(out)


def _torch_script(
    model: MLP, loss: str, rows: list[list[float]], ys: list[Any], lr: float, steps: int, eps: float
) -> str:
    n = len(model.layers)
    acts = _activations(model)
    act_code = {
        "relu": "torch.relu(Z)",
        "tanh": "torch.tanh(Z)",
        "sigmoid": "torch.sigmoid(Z)",
        "linear": "Z",
    }
    out = [
        "import torch",
        "",
        f"EPS = {eps!r}  # bce clamps probabilities to [EPS, 1 - EPS]",
        "",
        *_weights_block(model, "torch"),
        "",
        "PARAMS = {" + ", ".join(f'"{q}{k}": {q}{k}' for k in range(1, n + 1) for q in "Wb") + "}",
        "",
        *_data_lines(rows, ys, "torch"),
        "",
        "",
    ]
    fwd = ["def forward(X):", "    A = X"]
    for k, act in enumerate(acts, start=1):
        fwd += [f"    Z = A @ W{k}.T + b{k}", f"    A = {act_code[act]}  # {act}"]
    fwd += ["    return A", "", ""]
    out += fwd
    out += ["def loss(A, Y):", f"    return {_TORCH_LOSS[loss]}", "", ""]
    out += [
        "def gradients():",
        '    """∂L/∂p for every tensor, by autograd."""',
        "    for p in PARAMS.values():",
        "        p.grad = None",
        "    loss(forward(X), Y).backward()",
        "    return {name: p.grad.clone() for name, p in PARAMS.items()}",
        "",
        "",
        "def step(lr):",
        '    """One step of gradient descent: p ← p − lr · ∂L/∂p."""',
        "    g = gradients()",
        "    with torch.no_grad():",
        "        for name, p in PARAMS.items():",
        "            p -= lr * g[name]",
        "",
        "",
        'if __name__ == "__main__":',
        "    with torch.no_grad():",
        '        print(f"loss {loss(forward(X), Y).item()!r}")',
        f"    for t in range({steps}):",
        f"        step({lr!r})",
        "        with torch.no_grad():",
        '            print(f"step {t + 1} loss {loss(forward(X), Y).item()!r}")',
        "",
    ]
    return "\n".join(out)
