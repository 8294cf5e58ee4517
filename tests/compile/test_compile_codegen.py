"""compile.codegen: each op's code comes from its table entry, and agrees with it bit for bit."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import POWC_EXPONENTS, arg_count, away_from, floats_in, primitive_args

from tinygrad_edu import ops
from tinygrad_edu.compile import compile
from tinygrad_edu.compile.codegen import TextError, op_code
from tinygrad_edu.engine import Value, apply
from tinygrad_edu.ops import Primitive

FAMILIES = (
    [ops.powc(n) for n in POWC_EXPONENTS]
    + [ops.clamp(-1.0, 1.0), ops.clamp(0.0, 2.5)]
    + [ops.leaky_relu(0.01), ops.leaky_relu(0.3)]
)
ENTRIES = list(ops.TABLE.values()) + FAMILIES


def run_code(op: Primitive, args: tuple[float, ...]) -> tuple[float, list[float]]:
    """The generated forward and locals of ``op`` evaluated at ``args``."""
    names = [f"v{i}" for i in range(len(args))]
    env: dict[str, Any] = {}
    code = op_code(op)
    forward = code.forward(names, env)
    scope = dict(env, **dict(zip(names, args)))
    out = eval(forward, scope)  # the code under test, as compile() runs it
    scope["out"] = out
    local_codes = code.locals(names, "out", env)
    scope.update(env)
    return out, [eval(text, scope) for text in local_codes]


def same(a: float, b: float) -> bool:
    return a.hex() == b.hex() or (a != a and b != b)


@pytest.mark.slow
@pytest.mark.parametrize("op", ENTRIES, ids=lambda op: f"{op.name}{list(op.params)}")
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_generated_code_is_the_entrys_forward_and_rule_bit_for_bit(
    op: Primitive, data: st.DataObject
) -> None:
    args = data.draw(primitive_args(op))
    try:
        expected_out = op.forward(*args)
    except (ArithmeticError, ValueError):
        return  # outside the domain: the generated forward raises too (checked below)
    out, local_values = run_code(op, args)
    assert same(out, expected_out)
    expected = op.rule(expected_out, *args)
    assert len(local_values) == len(expected) == len(args)
    for got, want in zip(local_values, expected):
        assert same(float(got), float(want)), (op, args, got, want)


@pytest.mark.parametrize("op", [ops.log, ops.sqrt, ops.log1p, ops.powc(-0.5)])
def test_generated_forward_raises_the_entrys_error_outside_its_domain(op: Primitive) -> None:
    with pytest.raises(ValueError) as expected:
        op.forward(-1.0)
    with pytest.raises(ValueError) as got:
        run_code(op, (-1.0,))
    assert str(got.value) == str(expected.value)


def test_every_entry_has_derivative_text_that_becomes_code() -> None:
    for op in ENTRIES:
        n = arg_count(op, 2)
        codes = op_code(op).locals([f"v{i}" for i in range(n)], "out", {})
        assert len(codes) == n


def test_one_line_forwards_are_inlined_and_the_rest_called_by_name() -> None:
    env: dict[str, Any] = {}
    assert op_code(ops.add).forward(["v0", "v1"], env) == "v0 + v1"
    assert op_code(ops.relu).forward(["v0"], env) == "0.0 if v0 <= 0.0 else v0"
    assert op_code(ops.leaky_relu(0.25)).forward(["v0"], env) == "v0 if v0 > 0.0 else 0.25 * v0"
    assert op_code(ops.tanh).forward(["v0"], env) == "_math_tanh(v0)"
    assert env["_math_tanh"] is math.tanh
    assert op_code(ops.softplus).forward(["v0"], env) == "_softplus(v0)"
    assert env["_softplus"] is ops.softplus.forward


def test_derivative_text_vocabulary() -> None:
    env: dict[str, Any] = {}
    assert op_code(ops.tanh).locals(["v0"], "v1", env) == ["1.0 - v1 * v1"]  # e**2 is e * e
    assert op_code(ops.powc(3.0)).locals(["v0"], "v1", env) == ["3.0 * v0 ** 2.0"]  # n folded
    assert op_code(ops.dot).locals(["w", "u", "x", "y", "b"], "o", env) == [
        "x",
        "y",
        "w",
        "u",
        "1.0",
    ]
    assert op_code(ops.abs).locals(["v0"], "v1", env) == ["_sign(v0)"]
    bad = Primitive("odd", "?", lambda x: x, lambda out, x: (1.0,), 1, derivatives=("gamma(x)",))
    with pytest.raises(TextError, match="unknown function 'gamma'"):
        op_code(bad).locals(["v0"], "v1", {})


def test_finite_locals_read_from_the_text() -> None:
    finite = {op.name for op in ops.TABLE.values() if op_code(op).finite_locals()}
    assert {"add", "mul", "neg", "sum", "dot", "relu", "exp", "sin", "cos"} <= finite
    assert not {"log", "sqrt", "powc", "pow", "log1p"} & finite


def _square(x: float) -> float:
    """f(x) = x².   df/dx = 2x."""
    return x * x


SQUARE = Primitive("square", "²", _square, lambda out, x: (2.0 * x,), 1, derivatives=("2 * x",))


@given(away_from(floats_in(-3.0, 3.0), ()))
def test_a_new_primitive_compiles_from_its_entry_alone(x: float) -> None:
    compiled = compile(lambda v: apply(SQUARE, v).tanh(), [0.5], params=[])
    assert "v0 = x0 * x0" in compiled.source and "2.0 * x0" in compiled.source
    leaf = Value(x)
    root = apply(SQUARE, leaf).tanh()
    root.backward()
    value, (dx,) = compiled.value_and_grad(x)
    assert (value.hex(), dx.hex()) == (root.data.hex(), leaf.grad.hex())
