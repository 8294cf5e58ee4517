"""The engine that runs is the one a student reads: operators generated from ops.TABLE.

* engine.py's generated block is what ``ops.codegen`` writes today (stale → fails);
* stepping into ``a * b``, ``x.tanh()`` and ``L.backward()`` lands in engine.py;
* each entry's ``rule`` is its derivative texts, on floats and on Values;
* a new primitive is one entry: it gets a method, the tape's lines and the drawings' edge text.
"""

from __future__ import annotations

import math
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import ops, tape
from tinygrad_edu.engine import Value, chain_rule, gradients
from tinygrad_edu.ops import codegen, rules
from tinygrad_edu.viz.scene import local_formula

ENGINE = Path(codegen.engine_path())


def test_engine_generated_operators_are_fresh() -> None:
    text = ENGINE.read_text(encoding="utf-8")
    assert text.count(codegen.BEGIN) == 1 and text.count(codegen.END) == 1
    assert codegen.render_engine(text) == text, (
        "engine.py is stale: run `python -m tinygrad_edu.ops.codegen`"
    )


def test_engine_every_entry_with_a_method_is_a_value_method() -> None:
    for op in ops.TABLE.values():
        if op.method:
            assert op.method in Value.__dict__, op.name
            assert Value.__dict__[op.method].__code__.co_filename == str(ENGINE)
    assert ops.TABLE["atan"].method == "atan"


def test_engine_atan_method_value_and_gradient() -> None:
    # arctan(0.5) and 1/(1 + 0.25) = 0.8: closed forms
    x = Value(0.5)
    y = x.atan()
    y.backward()
    assert y.data == math.atan(0.5)
    assert x.grad == 0.8
    assert y.op == "atan" and y.parents == (x,)


def _python_frames(action: Callable[[], object]) -> list[str]:
    """The files of the Python functions ``action`` calls first (skipping this test file)."""
    files: list[str] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename != __file__:
            files.append(frame.f_code.co_filename)

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return files


@pytest.mark.parametrize(
    "name",
    ["mul", "add", "tanh", "relu", "exp", "backward"],
)
def test_engine_stepping_into_an_operator_lands_in_engine_py(name: str) -> None:
    a, b = Value(0.5), Value(-1.5)
    loss = (a * b).tanh()
    actions: dict[str, Callable[[], object]] = {
        "mul": lambda: a * b,
        "add": lambda: a + b,
        "tanh": lambda: a.tanh(),
        "relu": lambda: a.relu(),
        "exp": lambda: a.exp(),
        "backward": lambda: loss.backward(),
    }
    files = _python_frames(actions[name])
    assert files and files[0] == str(ENGINE), files[:3]


# --------------------------------------------------------------------------- rules from text
def _reference(op: ops.Primitive, out: float, xs: tuple[float, ...]) -> tuple[float, ...]:
    """The derivative texts evaluated directly with math (no rules code involved)."""
    names: dict[str, Any] = dict(zip(("x",) if op.arity == 1 else ("a", "b"), xs))
    names.update(zip(op.param_names, op.params))
    names.update(
        out=out,
        cos=math.cos,
        sin=math.sin,
        log=math.log,
        sigmoid=lambda v: 1.0 / (1.0 + math.exp(-v)),
        sign=lambda v: math.copysign(1.0, v) if v != 0.0 else 0.0,
    )
    return tuple(float(eval(text, {"__builtins__": {}}, names)) for text in op.derivatives)


FIXED = [op for op in ops.TABLE.values() if op.arity > 0]


@pytest.mark.slow
@pytest.mark.parametrize("op", FIXED, ids=[op.name for op in FIXED])
@given(u=st.floats(0.0, 1.0), v=st.floats(0.0, 1.0))
def test_engine_rule_is_its_derivative_text(op: ops.Primitive, u: float, v: float) -> None:
    assert op.domain is not None
    lo, hi = op.domain
    xs = tuple(lo + (hi - lo) * t for t in (u, v)[: op.arity])
    out = op.forward(*xs)
    got = op.rule(out, *xs)
    want = _reference(op, out, xs)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
    # the same rule on Values (the create_graph path) gives the same numbers
    on_values = op.rule(Value(out), *(Value(x) for x in xs))
    assert [float(g.data if isinstance(g, Value) else g) for g in on_values] == pytest.approx(
        list(got), rel=1e-12, abs=1e-12
    )


@pytest.mark.parametrize("n", [1, 2, 3])
def test_engine_nary_rules_follow_their_texts(n: int) -> None:
    xs = [0.5 + k for k in range(2 * n + 1)]
    texts = ops.parent_texts(ops.dot, len(xs))
    names = dict(zip(ops.input_names(ops.dot, len(xs)), xs))
    assert ops.dot.rule(0.0, *xs) == tuple(float(eval(t, {}, dict(names))) for t in texts)
    assert ops.sum.rule(0.0, *xs) == (1.0,) * len(xs)


def test_engine_powc_folds_its_parameter() -> None:
    assert rules.local_code(ops.powc(3.0), ops.powc(3.0).derivatives[0]) == (
        "3.0 * generic_pow(x, 2.0)"
    )
    assert ops.powc(0.0).rule(0.0, 0.0) == (0.0,)  # not 0 · 0⁻¹ = nan
    assert ops.powc(1.0).rule(0.0, 0.0) == (1.0,)


def test_engine_relu_derivative_passes_nan_through() -> None:
    x = Value(math.nan)
    y = x.relu()
    y.backward()
    assert math.isnan(y.data) and math.isnan(x.grad)
    assert Value(2.0).relu().local_grads == (1.0,) and Value(0.0).relu().local_grads == (0.0,)


def test_engine_sqrt_at_zero_has_an_infinite_slope() -> None:
    x = Value(0.0)
    y = x.sqrt()
    y.backward()
    assert x.grad == math.inf


# --------------------------------------------------------------------------- a new primitive
@pytest.fixture
def cube_root() -> Iterator[ops.Primitive]:
    """A primitive that is not in the library: one entry, registered for this test only."""

    @ops.primitive("∛", ("1 / (3 * out**2)",), formula="cbrt(x)", method="cbrt")
    def cbrt(x: float) -> float:
        """f(x) = ∛x.   df/dx = 1/(3∛x²) = 1/(3f²)."""
        return math.copysign(abs(x) ** (1.0 / 3.0), x)

    source = codegen.method_source(cbrt)
    namespace: dict[str, Any] = {}
    exec(textwrap.dedent(source), vars(sys.modules[Value.__module__]), namespace)
    Value.cbrt = namespace["cbrt"]  # type: ignore[attr-defined]
    try:
        yield cbrt
    finally:
        del Value.cbrt  # type: ignore[attr-defined]
        del ops.TABLE["cbrt"]
        delattr(ops, "cbrt")
        from tinygrad_edu import tutor

        tutor.RULES.pop("cbrt", None)


def test_engine_new_primitive_is_one_entry(cube_root: ops.Primitive) -> None:
    # the method, generated from the entry: ∛8 = 2, d/dx = 1/(3·4) = 1/12
    assert "def cbrt(self) -> Value:" in codegen.methods_source()
    x = Value(8.0, "x")
    y = x.cbrt()  # type: ignore[attr-defined]
    assert y.data == 2.0 and y.primitive is cube_root
    y.backward()
    assert x.grad == pytest.approx(1.0 / 12.0, rel=1e-15)
    # its rule runs on Values: d²/dx² ∛x = −2/(9 x^(5/3)) = −2/288 at x = 8
    second = gradients(gradients(x.cbrt())[x])[x]  # type: ignore[attr-defined]
    assert second.data == pytest.approx(-2.0 / 288.0, rel=1e-12)
    # the tape's forward line and edge line come from the entry's texts
    lines = tape(y).splitlines()
    assert lines[1] == "v1 = cbrt(v0) = 2.0"
    assert lines[3].startswith("v0.grad += (1 / (3 * v1**2)) * v1.grad = ")
    # the drawings' edge text
    assert local_formula(y, 0) == "1 / (3 * out**2)"
    # the chain rule sees its local gradient
    assert [s.local for s in chain_rule(y)] == [pytest.approx(1.0 / 12.0, rel=1e-15)]
    # compiled from the entry alone, bit for bit with the eager engine (27: ∛27 = 3, 1/27)
    from tinygrad_edu.compile import compile as compile_graph

    f = compile_graph(lambda t: t.cbrt() * t, [8.0])  # d/dt t·∛t = ∛t + t/(3∛t²)
    t = Value(27.0)
    (t.cbrt() * t).backward()  # type: ignore[attr-defined]
    assert f.value_and_grad(27.0) == (81.0, [t.grad])
    assert t.grad == pytest.approx(3.0 + 27.0 / 27.0, rel=1e-15)
    # the tutor checks a learner's rule for it with no tutor edit
    from tinygrad_edu import tutor

    assert tutor.check_rule("cbrt", lambda x, out: 1 / (3 * out**2)).ok
    wrong = tutor.check_rule("cbrt", lambda x, out: 1 / (3 * x**2))
    assert wrong.diagnosis == "input-instead-of-output"


def test_ops_registration_sets_the_package_name_and_refuses_a_taken_one() -> None:
    # ops.<name> is a plain attribute set by registration (no module __getattr__)
    assert ops.mul is ops.TABLE["mul"] and "__getattr__" not in vars(ops)
    with pytest.raises(ValueError, match=r"primitive: the name 'rules' is taken in ops"):

        @ops.primitive("r", ("1",))
        def rules(x: float) -> float:
            """f(x) = x.   df/dx = 1."""
            return x

    assert "rules" not in ops.TABLE and not isinstance(ops.rules, ops.Primitive)
