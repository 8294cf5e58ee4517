"""A char-level transformer step written as user code for the 200-line scalar GPT runs unchanged.

The step below (embeddings, RMS-norm, causal attention with a max-shifted softmax, a ReLU MLP
block, Adam with its moments in plain lists) is ordinary code over "a Value class with data,
grad, +, *, **, exp, log, relu, backward". It runs on tinygrad_edu's Value (imported through
compat, as a learner arriving from micrograd would) and on the minimal tuple engine of
benchmarks/ (the shape that code is written for): the losses agree to 12 digits, and the
gradients match central differences.
"""

from __future__ import annotations

import importlib.util
import math
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tinygrad_edu.compat.micrograd.engine import Value
from tinygrad_edu.engine import topo_order
from tinygrad_edu.minigpt import encode, load_words

PEER_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "tuple_engine.py"
VOCAB, EMBD, HEADS, BLOCK = 27, 8, 2, 8
HEAD = EMBD // HEADS


def _peer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tuple_engine_for_compat", PEER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _params(V: Any, seed: int) -> dict[str, list[list[Any]]]:
    rng = random.Random(seed)

    def matrix(rows: int, cols: int) -> list[list[Any]]:
        return [[V(rng.gauss(0.0, 0.3)) for _ in range(cols)] for _ in range(rows)]

    return {
        "wte": matrix(VOCAB, EMBD),
        "wpe": matrix(BLOCK, EMBD),
        "wq": matrix(EMBD, EMBD),
        "wk": matrix(EMBD, EMBD),
        "wv": matrix(EMBD, EMBD),
        "wo": matrix(EMBD, EMBD),
        "fc1": matrix(4 * EMBD, EMBD),
        "fc2": matrix(EMBD, 4 * EMBD),
        "head": matrix(VOCAB, EMBD),
    }


def _linear(x: list[Any], w: list[list[Any]]) -> list[Any]:
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def _softmax(logits: list[Any]) -> list[Any]:
    top = max(v.data for v in logits)  # the shift: a plain float, as user code writes it
    exps = [(v - top).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _rmsnorm(x: list[Any]) -> list[Any]:
    scale = (sum(xi * xi for xi in x) / len(x) + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def _loss(p: dict[str, list[list[Any]]], word: str) -> Any:
    tokens = encode(word)[: BLOCK + 1]
    keys: list[list[Any]] = []
    values: list[list[Any]] = []
    losses = []
    for pos in range(len(tokens) - 1):
        x = [t + q for t, q in zip(p["wte"][tokens[pos]], p["wpe"][pos])]
        x = _rmsnorm(x)
        q, k, v = _linear(x, p["wq"]), _linear(x, p["wk"]), _linear(x, p["wv"])
        keys.append(k)
        values.append(v)
        mixed: list[Any] = []
        for h in range(HEADS):
            s = slice(h * HEAD, (h + 1) * HEAD)
            scores = [
                sum(a * b for a, b in zip(q[s], kt[s])) * (1.0 / math.sqrt(HEAD)) for kt in keys
            ]
            weights = _softmax(scores)
            mixed += [sum(w * vt[s][i] for w, vt in zip(weights, values)) for i in range(HEAD)]
        x = [a + b for a, b in zip(x, _linear(mixed, p["wo"]))]
        hidden = [h.relu() for h in _linear(_rmsnorm(x), p["fc1"])]
        x = [a + b for a, b in zip(x, _linear(hidden, p["fc2"]))]
        probs = _softmax(_linear(x, p["head"]))
        losses.append(-probs[tokens[pos + 1]].log())
    return sum(losses) * (1.0 / len(losses))


def _flat(p: dict[str, list[list[Any]]]) -> list[Any]:
    return [v for m in p.values() for row in m for v in row]


def _train(V: Any, words: list[str], seed: int = 4) -> tuple[list[float], list[int]]:
    """Adam steps (moments in lists, bias-corrected); the losses and each step's graph size."""
    p = _params(V, seed)
    params = _flat(p)
    m = [0.0] * len(params)
    v = [0.0] * len(params)
    lr, b1, b2, eps = 1e-2, 0.85, 0.99, 1e-8
    losses, sizes = [], []
    for t, word in enumerate(words, start=1):
        loss = _loss(p, word)
        for q in params:
            q.grad = 0.0
        loss.backward()
        for i, q in enumerate(params):
            m[i] = b1 * m[i] + (1 - b1) * q.grad
            v[i] = b2 * v[i] + (1 - b2) * q.grad**2
            q.data -= lr * (m[i] / (1 - b1**t)) / ((v[i] / (1 - b2**t)) ** 0.5 + eps)
        losses.append(loss.data)
        if V is Value:
            sizes.append(len(topo_order(loss)))
    return losses, sizes


def test_compat_transformer_step_losses_agree_with_the_tuple_engine_to_12_digits() -> None:
    words = load_words()[:3]
    ours, sizes = _train(Value, words)
    theirs, _ = _train(_peer().Value, words)
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert ours[0] == pytest.approx(math.log(VOCAB), abs=1.0)  # an untrained model guesses
    assert all(size > 1000 for size in sizes)  # a real graph was built and differentiated


def test_compat_transformer_step_gradients_match_central_differences() -> None:
    word = "emma"
    p = _params(Value, 9)
    _loss(p, word).backward()
    params = _flat(p)
    for i in (3, VOCAB * EMBD + 5, 400, len(params) - 1):
        x0 = params[i].data
        grad = params[i].grad
        h = 1e-6
        params[i].data = x0 + h
        up = _loss(p, word).data
        params[i].data = x0 - h
        down = _loss(p, word).data
        params[i].data = x0
        assert grad == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9), i
