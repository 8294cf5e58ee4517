"""export_code: a standalone PyTorch or NumPy script for an MLP, its weights inlined."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import checks
from ..fileio import atomic_write_text
from ..nn import MLP
from .arrays import numpy_activation, torch_activation
from .inputs import LOSS_NAMES, activations, check_mlp, rows_and_targets

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
    model = check_mlp(model, where)
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
        rows, ys = rows_and_targets(model, X, Y, loss, where)
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


# --------------------------------------------------------------------------- shared pieces
def _header(model: MLP, framework: str, loss: str, lr: float, steps: int) -> str:
    shape = " → ".join(str(n) for n in [model.nin, *model.nouts])
    acts = ", ".join(activations(model))
    needs = "PyTorch" if framework == "torch" else "NumPy"
    return (
        f'"""A [{shape}] network ({acts}) exported from tinygrad_edu, with its weights.\n\n'
        f"It needs only {needs}. Run it: it prints the {loss} loss on the data below, takes\n"
        f"{steps} steps of gradient descent (lr = {lr!r}) and prints the loss after each.\n"
        f"W<l>[j, i] is the weight from input i to neuron j of layer l (tinygrad_edu's\n"
        f'layers.<l-1>.neurons.<j>.w.<i>); b<l>[j] is its bias.\n"""\n\n'
    )


def _matrix(rows: Sequence[Sequence[float]], indent: str) -> str:
    lines = [f"{indent}    [{', '.join(repr(v) for v in r)}]," for r in rows]
    return "[\n" + "\n".join(lines) + f"\n{indent}]"


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


def _data_lines(rows: list[list[float]], ys: list[Any], lib: str) -> list[str]:
    ctor = "np.array" if lib == "np" else "torch.tensor"
    xs = f"X = {ctor}({_matrix(rows, '')}" + (")" if lib == "np" else ", dtype=torch.float64)")
    if ys and isinstance(ys[0], int):
        y = f"Y = {ctor}([{', '.join(str(c) for c in ys)}])"
    else:
        y = f"Y = {ctor}({_matrix(ys, '')}" + (")" if lib == "np" else ", dtype=torch.float64)")
    return [xs, y]


# --------------------------------------------------------------------------- the NumPy script
def _numpy_script(
    model: MLP, loss: str, rows: list[list[float]], ys: list[Any], lr: float, steps: int, eps: float
) -> str:
    n = len(model.layers)
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
        *_numpy_functions(activations(model)),
        *_numpy_forward(n),
        *["def loss(A, Y):", f"    return {value}", "", ""],
        *["def dloss(A, Y):", '    """∂L/∂A for the whole batch."""', f"    return {grad}", "", ""],
        *_numpy_gradients(n),
        *_numpy_step_and_main(n, lr, steps),
    ]
    return "\n".join(out)


def _numpy_functions(acts: list[str]) -> list[str]:
    """logsumexp, softmax, and each layer's activation and its derivative."""
    out = [
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
        f, df, reads_output = numpy_activation(act)
        out += [f"def act{k}(Z):", f"    return {f}  # {act}", "", ""]
        body = [f"    A = act{k}(Z)"] if reads_output else []
        out += [f"def act{k}_prime(Z):", *body, f"    return {df}", "", ""]
    return out


def _numpy_forward(n: int) -> list[str]:
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
    return [*fwd, "    return Zs, As", "", ""]


def _numpy_gradients(n: int) -> list[str]:
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
    return [*back, "    return grads", "", ""]


def _numpy_step_and_main(n: int, lr: float, steps: int) -> list[str]:
    params = ", ".join(f"W{k}, b{k}" for k in range(1, n + 1))
    out = [
        "def step(lr):",
        '    """One step of gradient descent: p ← p − lr · ∂L/∂p."""',
        f"    global {params}",
        "    g = gradients()",
    ]
    for k in range(1, n + 1):
        out += [f'    W{k} = W{k} - lr * g["W{k}"]', f'    b{k} = b{k} - lr * g["b{k}"]']
    return [
        *out,
        "",
        "",
        'if __name__ == "__main__":',
        '    print(f"loss {float(loss(forward(X)[1][-1], Y))!r}")',
        f"    for t in range({steps}):",
        f"        step({lr!r})",
        '        print(f"step {t + 1} loss {float(loss(forward(X)[1][-1], Y))!r}")',
        "",
    ]


# --------------------------------------------------------------------------- the PyTorch script
def _torch_script(
    model: MLP, loss: str, rows: list[list[float]], ys: list[Any], lr: float, steps: int, eps: float
) -> str:
    n = len(model.layers)
    params = ", ".join(f'"{q}{k}": {q}{k}' for k in range(1, n + 1) for q in "Wb")
    fwd = ["def forward(X):", "    A = X"]
    for k, act in enumerate(activations(model), start=1):
        fwd += [f"    Z = A @ W{k}.T + b{k}", f"    A = {torch_activation(act)}  # {act}"]
    out = [
        "import torch",
        "",
        f"EPS = {eps!r}  # bce clamps probabilities to [EPS, 1 - EPS]",
        "",
        *_weights_block(model, "torch"),
        "",
        "PARAMS = {" + params + "}",
        "",
        *_data_lines(rows, ys, "torch"),
        "",
        "",
        *fwd,
        *["    return A", "", ""],
        *["def loss(A, Y):", f"    return {_TORCH_LOSS[loss]}", "", ""],
        *_torch_step_and_main(lr, steps),
    ]
    return "\n".join(out)


def _torch_step_and_main(lr: float, steps: int) -> list[str]:
    return [
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
