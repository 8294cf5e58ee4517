"""The audit: a teacher's pytest suite against engines with each catalogued mistake injected.

A deliberately weak suite (forward values and one sum's gradient) must be reported as missing
the mutants it cannot see; a strong one (every edge checked against central differences, a
second call, a batch mean, the delta equations) catches all of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tinygrad_edu.cli import main
from tinygrad_edu.grading.audit import audit
from tinygrad_edu.grading.mutants import ENV, MUTANTS

WEAK = """
from tinygrad_edu import Value

def test_forward_values():
    a, b = Value(2.0), Value(-3.0)
    assert (a * b).data == -6.0 and (a + b).data == -1.0

def test_gradient_of_a_sum():
    a, b = Value(2.0), Value(-3.0)
    c = a + b
    c.backward()
    assert a.grad == 1.0 and b.grad == 1.0
"""

STRONG = """
import math
import numpy as np
from tinygrad_edu import Value, losses
from tinygrad_edu.manual import backward, forward
from tinygrad_edu.manual.loss_terms import loss_value, targets_matrix

H = 1e-6

def grads(f, xs):
    vs = [Value(x) for x in xs]
    f(*vs).backward()
    return [v.grad for v in vs]

def central(f, xs):
    out = []
    for k in range(len(xs)):
        up, down = list(xs), list(xs)
        up[k] += H
        down[k] -= H
        out.append((f(*up) - f(*down)) / (2 * H))
    return out

def agree(f, g, xs):
    return all(abs(a - b) < 1e-5 for a, b in zip(grads(f, xs), central(g, xs)))

def test_every_op_against_central_differences():
    xs = [0.7, -1.3, 0.4]
    assert agree(lambda a, b, c: a * b * c, lambda a, b, c: a * b * c, xs)
    assert agree(lambda a, b, c: a - b * c, lambda a, b, c: a - b * c, xs)
    assert agree(lambda a, b, c: (a * b).tanh() + c, lambda a, b, c: math.tanh(a * b) + c, xs)
    assert agree(lambda a, b, c: (a * a + 1).log() * c, lambda a, b, c: math.log(a * a + 1) * c, xs)
    assert agree(lambda a, b, c: (a * b + a) * c, lambda a, b, c: (a * b + a) * c, xs)

def test_a_second_backward_call_gives_the_same_interior_gradient():
    a = Value(0.5)
    b = a * 3.0
    c = b * b
    c.backward()
    first = b.grad
    c.backward()
    assert b.grad == first

def test_mse_is_a_mean():
    pred = [Value(1.0), Value(2.0)]
    assert losses.mse(pred, [0.0, 0.0]).data == 2.5

def test_delta_equations_against_central_differences():
    W1, b1 = np.array([[0.3, -0.8], [0.5, 0.2]]), np.array([0.1, -0.2])
    W2, b2 = np.array([[0.7, -0.4]]), np.array([0.05])
    X, Y = [[1.0, 0.5], [-0.3, 0.8]], [1.0, 0.0]
    def loss(W1):
        cache = forward([(W1, b1), (W2, b2)], X)
        return loss_value(cache.a[-1], targets_matrix(Y, "mse", 2, 1), "mse")
    dW1 = backward(forward([(W1, b1), (W2, b2)], X), Y, "mse").dW[0]
    for i in range(2):
        for j in range(2):
            up, down = W1.copy(), W1.copy()
            up[i, j] += H
            down[i, j] -= H
            assert abs(dW1[i, j] - (loss(up) - loss(down)) / (2 * H)) < 1e-6
"""


def _suite(folder: Path, name: str, text: str) -> Path:
    folder.mkdir()
    (folder / f"test_{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def _mutant_fails(folder: Path, mutant: str) -> int:
    env = {**os.environ, ENV: mutant, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    args = [sys.executable, "-m", "pytest", "-q", "-p", "tinygrad_edu.grading.mutant_plugin",
            "-p", "no:cacheprovider", str(folder)]  # fmt: skip
    return subprocess.run(args, env=env, capture_output=True, cwd=folder, check=False).returncode


@pytest.mark.slow
def test_audit_names_the_mutants_a_weak_suite_misses(tmp_path: Path) -> None:
    weak = _suite(tmp_path / "weak", "weak", WEAK)
    result = audit(weak, timeout=120)
    assert result.baseline.status == "passed"
    assert set(result.missed) == set(MUTANTS) - {"unseeded-root"}


@pytest.mark.slow
def test_audit_of_a_strong_suite_misses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strong = _suite(tmp_path / "strong", "strong", STRONG)
    assert main(["audit", str(strong), "--timeout", "120"]) == 0
    out = capsys.readouterr().out
    assert f"caught {len(MUTANTS)}, missed 0" in out
    assert "MISSED" not in out


@pytest.mark.slow
def test_each_mutant_changes_what_a_right_engine_computes(tmp_path: Path) -> None:
    """The mutants are real: the suite that passes on the engine fails on one of them."""
    strong = _suite(tmp_path / "strong", "strong", STRONG)
    assert _mutant_fails(strong, "reversed-operands") == 1


@pytest.mark.slow
def test_audit_refuses_a_suite_that_fails_on_the_real_engine(tmp_path: Path) -> None:
    bad = _suite(tmp_path / "bad", "bad", "def test_wrong():\n    assert 1 == 2\n")
    with pytest.raises(RuntimeError, match="do not pass on the real engine"):
        audit(bad, mutants=["sign"], timeout=60)
    with pytest.raises(ValueError, match="unknown mistakes \\['typo'\\]"):
        audit(bad, mutants=["typo"])
