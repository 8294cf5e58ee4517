"""A tiny character-level transformer, written over any Value-like scalar class.

The model is the now-common teaching shape: one layer, 16-wide embeddings, 4 attention heads,
a context of 16 characters, a vocabulary of 27 (``a``…``z`` and one boundary token), RMS-norm,
causal self-attention with a max-shifted softmax, a ReLU MLP block, tied to nothing, trained
with Adam — 4,192 parameters. Every number is a scalar node of the engine you pass in, so the
same code runs on tinygrad_edu's ``Value`` and on any engine with the usual operators
(``+ - * / **``, ``exp``, ``log``, ``relu``, ``backward``, ``data``, ``grad``)::

    >>> from tinygrad_edu import Value
    >>> model = MiniGPT(Value, seed=0)
    >>> model.num_parameters()
    4192
    >>> opt = AdamState(model.parameters())
    >>> loss = train_step(model, opt, "emma")
    >>> round(loss, 6)  # close to ln 27 ≈ 3.2958: an untrained model guesses evenly
    3.295273

The softmax subtracts the largest logit before exponentiating. By default that shift is a plain
float read from ``.data`` (what user code usually writes); ``shift=`` accepts a function that
returns a node instead, which ``tinygrad_edu.compile`` uses so that a replayed trace recomputes
the shift rather than baking in the one seen while tracing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol, TypeVar

from . import checks

__all__ = [
    "ALPHABET",
    "BOUNDARY",
    "AdamState",
    "GPTConfig",
    "MiniGPT",
    "ValueLike",
    "encode",
    "load_words",
    "train_step",
]

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
BOUNDARY = len(ALPHABET)  # token 26 marks both the start and the end of a word
WORDS_FILE = "minigpt_words.txt"


class ValueLike(Protocol):
    """What the model needs from a scalar node class."""

    data: float
    grad: float

    def __add__(self, other: Any) -> Any: ...
    def __radd__(self, other: Any) -> Any: ...
    def __mul__(self, other: Any) -> Any: ...
    def __sub__(self, other: Any) -> Any: ...
    def __neg__(self) -> Any: ...
    def __pow__(self, exponent: float) -> Any: ...
    def exp(self) -> Any: ...
    def log(self) -> Any: ...
    def relu(self) -> Any: ...
    def backward(self) -> None: ...


V = TypeVar("V", bound=ValueLike)
Matrix = list[list[Any]]  # rows of nodes of the engine in use
Shift = Callable[[Sequence[Any]], Any]


@dataclass(frozen=True)
class GPTConfig:
    """Sizes of the model (the defaults give 4,192 parameters)."""

    n_embd: int = 16
    n_head: int = 4
    n_layer: int = 1
    block_size: int = 16
    vocab_size: int = BOUNDARY + 1
    init_std: float = 0.08
    mlp_ratio: int = 4
    norm_eps: float = 1e-5

    @property
    def head_size(self) -> int:
        """Width of one attention head."""
        return self.n_embd // self.n_head


def load_words() -> list[str]:
    """The word list shipped with the package: 300 short lowercase names, one per line.

    >>> words = load_words()
    >>> len(words), words[0].isalpha()
    (300, True)
    """
    text = resources.files("tinygrad_edu").joinpath(WORDS_FILE).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def encode(word: str) -> list[int]:
    """Tokens of a word framed by the boundary token: ``"ab"`` → ``[26, 0, 1, 26]``.

    >>> encode("ab")
    [26, 0, 1, 26]
    """
    if not isinstance(word, str) or not word:
        raise ValueError(
            f"encode: expected a non-empty word of letters a-z, got {checks.show(word)}"
        )
    bad = [c for c in word if c not in ALPHABET]
    if bad:
        raise ValueError(
            f"encode: {checks.show(word)} has characters outside a-z: {checks.show(bad[0])}"
        )
    return [BOUNDARY, *(ALPHABET.index(c) for c in word), BOUNDARY]


def _float_max_shift(logits: Sequence[Any]) -> float:
    return float(max(v.data for v in logits))


class MiniGPT:
    """The transformer's parameters (nodes of ``value_cls``) and its forward pass."""

    def __init__(
        self, value_cls: type[Any], seed: int = 0, config: GPTConfig | None = None
    ) -> None:
        self.value_cls = value_cls
        self.config = cfg = config if config is not None else GPTConfig()
        checks.count(seed, "MiniGPT", "seed")
        if cfg.n_embd % cfg.n_head:
            raise ValueError(
                f"MiniGPT: n_embd ({cfg.n_embd}) must be a multiple of n_head ({cfg.n_head})"
            )
        rng = random.Random(seed)
        self._rng = rng
        d, hidden = cfg.n_embd, cfg.mlp_ratio * cfg.n_embd
        self.token_embedding = self._matrix(cfg.vocab_size, d)
        self.position_embedding = self._matrix(cfg.block_size, d)
        self.layers: list[dict[str, Matrix]] = []
        for _ in range(cfg.n_layer):
            self.layers.append(
                {
                    "query": self._matrix(d, d),
                    "key": self._matrix(d, d),
                    "value": self._matrix(d, d),
                    "attn_out": self._matrix(d, d),
                    "mlp_in": self._matrix(hidden, d),
                    "mlp_out": self._matrix(d, hidden),
                }
            )
        self.unembedding = self._matrix(cfg.vocab_size, d)

    def _matrix(self, n_rows: int, n_cols: int) -> Matrix:
        std = self.config.init_std
        return [
            [self.value_cls(self._rng.gauss(0.0, std)) for _ in range(n_cols)]
            for _ in range(n_rows)
        ]

    def matrices(self) -> list[Matrix]:
        """Every weight matrix, in a fixed order."""
        out = [self.token_embedding, self.position_embedding]
        for layer in self.layers:
            out += layer.values()
        out.append(self.unembedding)
        return out

    def parameters(self) -> list[Any]:
        """All parameters, row by row, in the order of ``matrices()``."""
        return [p for m in self.matrices() for row in m for p in row]

    def num_parameters(self) -> int:
        """How many scalars the model learns."""
        return sum(len(row) for m in self.matrices() for row in m)

    # ------------------------------------------------------------------ building blocks
    @staticmethod
    def linear(x: Sequence[Any], weight: Matrix) -> list[Any]:
        """y = W x: one row of ``weight`` per output, summed left to right."""
        return [sum(w * xi for w, xi in zip(row, x)) for row in weight]

    def rmsnorm(self, x: Sequence[Any]) -> list[Any]:
        """x / √(mean(x²) + ε)."""
        mean_square = sum(xi * xi for xi in x) * (1.0 / len(x))
        scale = (mean_square + self.config.norm_eps) ** -0.5
        return [xi * scale for xi in x]

    @staticmethod
    def softmax(logits: Sequence[Any], shift: Shift | None = None) -> list[Any]:
        """exp(zᵢ − m) / Σⱼ exp(zⱼ − m), with m the largest logit (so nothing overflows)."""
        m = _float_max_shift(logits) if shift is None else shift(logits)
        exps = [(z - m).exp() for z in logits]
        inverse_total = sum(exps) ** -1
        return [e * inverse_total for e in exps]

    def forward_position(
        self,
        token: int,
        position: int,
        keys: list[list[list[Any]]],
        values: list[list[list[Any]]],
        shift: Shift | None = None,
    ) -> list[Any]:
        """The logits for the next token after ``token`` at ``position``.

        ``keys``/``values`` hold, per layer, the keys and values of the earlier positions (a
        cache the caller keeps for one sequence); this position's are appended.
        """
        cfg = self.config
        hs = cfg.head_size
        scale = 1.0 / math.sqrt(hs)
        x = [t + p for t, p in zip(self.token_embedding[token], self.position_embedding[position])]
        x = self.rmsnorm(x)
        for li, layer in enumerate(self.layers):
            residual = x
            h = self.rmsnorm(x)
            q = self.linear(h, layer["query"])
            keys[li].append(self.linear(h, layer["key"]))
            values[li].append(self.linear(h, layer["value"]))
            attended: list[Any] = []
            for head in range(cfg.n_head):
                lo, hi = head * hs, (head + 1) * hs
                q_h = q[lo:hi]
                scores = [sum(qj * kj for qj, kj in zip(q_h, k[lo:hi])) * scale for k in keys[li]]
                weights = self.softmax(scores, shift)
                for j in range(lo, hi):
                    attended.append(sum(w * v[j] for w, v in zip(weights, values[li])))
            x = [a + r for a, r in zip(self.linear(attended, layer["attn_out"]), residual)]
            residual = x
            h = [u.relu() for u in self.linear(self.rmsnorm(x), layer["mlp_in"])]
            x = [a + r for a, r in zip(self.linear(h, layer["mlp_out"]), residual)]
        return self.linear(x, self.unembedding)

    def loss(self, word: str, shift: Shift | None = None) -> Any:
        """Mean cross-entropy of predicting each next character of ``word`` (and its end)."""
        tokens = encode(word)
        n = min(self.config.block_size, len(tokens) - 1)
        keys: list[list[list[Any]]] = [[] for _ in self.layers]
        values: list[list[list[Any]]] = [[] for _ in self.layers]
        losses = []
        for pos in range(n):
            logits = self.forward_position(tokens[pos], pos, keys, values, shift)
            probs = self.softmax(logits, shift)
            losses.append(-probs[tokens[pos + 1]].log())
        return sum(losses) * (1.0 / n)


class AdamState:
    """Adam on the ``.data``/``.grad`` of any Value-like parameters (bias-corrected).

    The update is written in the order of ``tinygrad_edu.optim.Adam`` (which accepts only
    tinygrad_edu Values), so both give the same floats on tinygrad_edu parameters.
    """

    def __init__(
        self,
        params: Sequence[Any],
        lr: float = 1e-2,
        betas: tuple[float, float] = (0.85, 0.99),
        eps: float = 1e-8,
    ) -> None:
        self.params = list(params)
        self.lr = checks.positive(lr, "AdamState", "lr")
        self.beta1 = checks.in_range(betas[0], "AdamState", "betas[0]", 0.0, 1.0)
        self.beta2 = checks.in_range(betas[1], "AdamState", "betas[1]", 0.0, 1.0)
        self.eps = checks.positive(eps, "AdamState", "eps")
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """m ← m + (1−β₁)(g−m); v ← β₂v + (1−β₂)g²; p ← p − η/(1−β₁ᵗ) · m/(√v/√(1−β₂ᵗ) + ε)."""
        beta1, beta2 = self.beta1, self.beta2
        self.t += 1
        step_size = self.lr / (1.0 - beta1**self.t)
        bias_correction2_sqrt = (1.0 - beta2**self.t) ** 0.5
        m, v, eps = self.m, self.v, self.eps
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = beta2 * v[i] + (1.0 - beta2) * (g * g)
            p.data = p.data - step_size * (m[i] / (math.sqrt(v[i]) / bias_correction2_sqrt + eps))


def train_step(model: MiniGPT, optimizer: AdamState, word: str) -> float:
    """One step on one word: forward, zero_grad, backward, Adam; returns the loss before it.

    >>> from tinygrad_edu import Value
    >>> model = MiniGPT(Value, seed=1)
    >>> opt = AdamState(model.parameters())
    >>> first = train_step(model, opt, "ann")
    >>> all(train_step(model, opt, "ann") < first for _ in range(3))
    True
    """
    loss = model.loss(word)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return float(loss.data)
