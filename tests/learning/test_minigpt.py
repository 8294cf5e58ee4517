"""minigpt: the same transformer code on tinygrad_edu and on the minimal peer engine."""

from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path
from types import ModuleType

import pytest

from tinygrad_edu import Value
from tinygrad_edu.minigpt import (
    ALPHABET,
    BOUNDARY,
    AdamState,
    GPTConfig,
    MiniGPT,
    encode,
    load_words,
    train_step,
)

PEER_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "tuple_engine.py"


def _load_peer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tuple_engine", PEER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


peer = _load_peer()


def test_minigpt_parameter_count_matches_the_closed_form() -> None:
    cfg = GPTConfig()
    d, v, t = cfg.n_embd, cfg.vocab_size, cfg.block_size
    # embeddings v·d + t·d, four d×d attention matrices, two d×4d MLP matrices, unembedding v·d
    expected = v * d + t * d + cfg.n_layer * (4 * d * d + 2 * 4 * d * d) + v * d
    model = MiniGPT(Value, seed=0)
    assert expected == 4192
    assert model.num_parameters() == expected == len(model.parameters())


@pytest.mark.slow
def test_minigpt_losses_identical_on_both_engines_over_training() -> None:
    words = load_words()[:4]
    ours = MiniGPT(Value, seed=3)
    theirs = MiniGPT(peer.Value, seed=3)
    opt_ours = AdamState(ours.parameters())
    opt_theirs = AdamState(theirs.parameters())
    for word in words:
        a = train_step(ours, opt_ours, word)
        b = train_step(theirs, opt_theirs, word)
        assert a == pytest.approx(b, rel=1e-12, abs=0.0)
        assert a.hex() == b.hex()  # the same operations in the same order: the same floats
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert p.data.hex() == q.data.hex()


def test_minigpt_first_loss_is_near_uniform_guessing() -> None:
    # small random weights give nearly uniform predictions: loss ≈ ln 27
    loss = MiniGPT(Value, seed=0).loss("emma").data
    assert abs(loss - math.log(27)) < 0.05
    assert loss == pytest.approx(3.2952727009390177, rel=1e-12)  # this seed's value (both engines)


@pytest.mark.slow
def test_minigpt_gradients_match_central_differences() -> None:
    word = "abby"
    model = MiniGPT(Value, seed=5)
    loss = model.loss(word)
    loss.backward()
    # the peer engine evaluates the perturbed losses: an independent forward pass
    reference = MiniGPT(peer.Value, seed=5)
    params = model.parameters()
    ref_params = reference.parameters()
    # a few parameters from different matrices: embeddings, attention, MLP, unembedding
    picks = [0, 27 * 16 + 3, 700, 1500, 2600, 3400, 4191]
    for i in picks:
        x0 = ref_params[i].data
        h = 1e-6 * max(1.0, abs(x0))
        ref_params[i].data = x0 + h
        up = reference.loss(word).data
        ref_params[i].data = x0 - h
        down = reference.loss(word).data
        ref_params[i].data = x0
        numeric = (up - down) / (2 * h)
        assert params[i].grad == pytest.approx(numeric, rel=1e-6, abs=1e-9), i


def test_minigpt_gradients_identical_on_both_engines() -> None:
    ours = MiniGPT(Value, seed=2)
    theirs = MiniGPT(peer.Value, seed=2)
    ours.loss("kim").backward()
    theirs.loss("kim").backward()
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert p.grad.hex() == q.grad.hex()


@pytest.mark.slow
def test_minigpt_training_lowers_the_loss_on_one_word() -> None:
    model = MiniGPT(Value, seed=1)
    opt = AdamState(model.parameters())
    losses = [train_step(model, opt, "ann") for _ in range(6)]
    assert all(b < a for a, b in itertools.pairwise(losses))
    assert losses[-1] < losses[0] - 0.5


def test_minigpt_long_word_is_cut_to_the_context() -> None:
    model = MiniGPT(Value, seed=0, config=GPTConfig(block_size=4))
    # 4 positions predicted, of the 8 a seven-letter word has
    assert model.loss("abcdefg").data == pytest.approx(model.loss("abcdxyz").data, rel=0.2)
    keys: list[list[list[Value]]] = [[]]
    values: list[list[list[Value]]] = [[]]
    for pos, tok in enumerate(encode("abc")[:4]):
        model.forward_position(tok, pos, keys, values)
    assert len(keys[0]) == 4


def test_minigpt_softmax_shift_does_not_change_probabilities() -> None:
    logits = [Value(x) for x in (1.0, 2.0, 3.0)]
    probs = MiniGPT.softmax(logits)
    total = math.exp(1.0) + math.exp(2.0) + math.exp(3.0)
    for p, z in zip(probs, (1.0, 2.0, 3.0)):
        assert p.data == pytest.approx(math.exp(z) / total, rel=1e-15)
    huge = MiniGPT.softmax([Value(1000.0), Value(1000.0)])  # no overflow thanks to the shift
    assert [p.data for p in huge] == [0.5, 0.5]


def test_minigpt_encode_frames_the_word() -> None:
    assert encode("az") == [BOUNDARY, 0, 25, BOUNDARY]
    with pytest.raises(ValueError, match=r"encode: 'a1' has characters outside a-z: '1'"):
        encode("a1")
    with pytest.raises(ValueError, match="encode: expected a non-empty word"):
        encode("")


def test_minigpt_word_list_is_distinct_short_lowercase() -> None:
    words = load_words()
    assert 200 <= len(words) <= 500
    assert len(set(words)) == len(words)
    assert all(3 <= len(w) <= 8 and set(w) <= set(ALPHABET) for w in words)


def test_minigpt_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="MiniGPT: seed must be an int, got bool"):
        MiniGPT(Value, seed=True)
    with pytest.raises(ValueError, match=r"MiniGPT: n_embd \(15\) must be a multiple of n_head"):
        MiniGPT(Value, config=GPTConfig(n_embd=15))
    with pytest.raises(ValueError, match=r"AdamState: lr must be a finite number > 0, got 0\.0"):
        AdamState([Value(1.0)], lr=0.0)
