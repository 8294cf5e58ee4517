"""Every primitive of ops.TABLE: its forward against math, its rule against central differences.

The closed forms below are written independently of ops.py (from the usual formulas), and
the table of them must cover ops.TABLE exactly, so a new primitive cannot go untested.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from oracles import assert_close, central_differences, evaluate_formula, sigmoid
from strategies import (
    INTEGER_EXPONENTS,
    POWC_EXPONENTS,
    clamp_bounds_and_x,
    floats_in,
    primitive_args,
)

from tinygrad_edu import ops
from tinygrad_edu.engine import Value, apply, chain_rule, gradients
from tinygrad_edu.expr import FUNCTIONS, build
from tinygrad_edu.tape import tape

EPS = 1e-6
# Central differences with ε = 1e-6 are accurate to about 1e-10 relative on these domains
# (truncation ε²·f‴/6 plus rounding u·|f|/ε); 1e-6 leaves a wide margin and still catches
# any wrong rule. abs 1e-8 covers derivatives that are ~0 next to an f of size ~40.
REL = 1e-6
ABS = 1e-8
NAMES = sorted(ops.TABLE)


def _dot(a: Sequence[float]) -> float:
    n = (len(a) - 1) // 2
    return math.fsum(a[i] * a[n + i] for i in range(n)) + a[2 * n]


def _dot_grad(a: Sequence[float]) -> tuple[float, ...]:
    n = (len(a) - 1) // 2
    return (*a[n : 2 * n], *a[:n], 1.0)


def _clamp(p: ops.Primitive, x: float) -> float:
    lo, hi = p.params
    return min(max(x, lo), hi)


def _clamp_grad(p: ops.Primitive, x: float) -> tuple[float, ...]:
    lo, hi = p.params
    return (1.0 if lo < x < hi else 0.0,)


# name -> (f(prim, xs), ∇f(prim, xs)): the textbook formulas.
Closed = tuple[
    Callable[[ops.Primitive, Sequence[float]], float],
    Callable[[ops.Primitive, Sequence[float]], tuple[float, ...]],
]
CLOSED_FORMS: dict[str, Closed] = {
    "add": (lambda p, a: a[0] + a[1], lambda p, a: (1.0, 1.0)),
    "mul": (lambda p, a: a[0] * a[1], lambda p, a: (a[1], a[0])),
    "neg": (lambda p, a: -a[0], lambda p, a: (-1.0,)),
    "sum": (lambda p, a: math.fsum(a), lambda p, a: (1.0,) * len(a)),
    "dot": (lambda p, a: _dot(a), lambda p, a: _dot_grad(a)),
    "powc": (
        lambda p, a: a[0] ** p.params[0],
        lambda p, a: (p.params[0] * a[0] ** (p.params[0] - 1.0),),
    ),
    "pow": (
        lambda p, a: a[0] ** a[1],
        lambda p, a: (a[1] * a[0] ** (a[1] - 1.0), a[0] ** a[1] * math.log(a[0])),
    ),
    "exp": (lambda p, a: math.exp(a[0]), lambda p, a: (math.exp(a[0]),)),
    "log": (lambda p, a: math.log(a[0]), lambda p, a: (1.0 / a[0],)),
    "tanh": (lambda p, a: math.tanh(a[0]), lambda p, a: (1.0 / math.cosh(a[0]) ** 2,)),
    "sigmoid": (
        lambda p, a: sigmoid(a[0]),
        lambda p, a: (math.exp(-a[0]) / (1.0 + math.exp(-a[0])) ** 2,),
    ),
    "relu": (lambda p, a: max(a[0], 0.0), lambda p, a: (1.0 if a[0] > 0.0 else 0.0,)),
    "abs": (lambda p, a: abs(a[0]), lambda p, a: (math.copysign(1.0, a[0]),)),
    "sqrt": (lambda p, a: math.sqrt(a[0]), lambda p, a: (0.5 / math.sqrt(a[0]),)),
    "sin": (lambda p, a: math.sin(a[0]), lambda p, a: (math.cos(a[0]),)),
    "cos": (lambda p, a: math.cos(a[0]), lambda p, a: (-math.sin(a[0]),)),
    "softplus": (lambda p, a: math.log1p(math.exp(a[0])), lambda p, a: (sigmoid(a[0]),)),
    "log1p": (lambda p, a: math.log1p(a[0]), lambda p, a: (1.0 / (1.0 + a[0]),)),
    "clamp": (lambda p, a: _clamp(p, a[0]), lambda p, a: _clamp_grad(p, a[0])),
    "leaky_relu": (
        lambda p, a: a[0] if a[0] > 0.0 else p.params[0] * a[0],
        lambda p, a: (1.0 if a[0] > 0.0 else p.params[0],),
    ),
    "atan": (lambda p, a: math.atan(a[0]), lambda p, a: (1.0 / (1.0 + a[0] * a[0]),)),
    "eq": (lambda p, a: float(a[0] == a[1]), lambda p, a: (0.0, 0.0)),
    "lt": (lambda p, a: float(a[0] < a[1]), lambda p, a: (0.0, 0.0)),
    "gt": (lambda p, a: float(a[0] > a[1]), lambda p, a: (0.0, 0.0)),
}
COMPARISONS = ("eq", "lt", "gt")  # steps along a = b: central differences only away from it


def to_float(x: Any) -> float:
    """A rule's entry as a float, whether the rule returned a number or a Value."""
    return x.data if isinstance(x, Value) else float(x)


def local_grads(prim: ops.Primitive, xs: Sequence[float]) -> list[float]:
    out = prim.forward(*xs)
    return [to_float(g) for g in prim.rule(out, *xs)]


# --------------------------------------------------------------------------- the table itself
def test_ops_table_is_covered_by_closed_forms() -> None:
    assert set(ops.TABLE) == set(CLOSED_FORMS)


@pytest.mark.parametrize("name", NAMES)
def test_ops_entry_is_well_formed(name: str) -> None:
    prim = ops.TABLE[name]
    assert prim.name == name
    assert prim.symbol
    assert prim.arity in (-1, 1, 2)
    assert prim.domain is not None and prim.domain[0] < prim.domain[1]


@pytest.mark.parametrize("name", NAMES)
def test_ops_doc_first_line_gives_formula_and_derivative(name: str) -> None:
    doc = ops.TABLE[name].doc
    assert doc.strip()
    assert "\n" not in doc
    assert "f(" in doc
    assert re.search(r"df/d\w|∂f/∂\w", doc), doc


def test_ops_parameterised_primitives_have_docs_too() -> None:
    for prim in (ops.powc(2.0), ops.powc(-0.5), ops.clamp(0.0, 2.0)):
        assert re.search(r"df/d\w", prim.doc), prim.doc


# --------------------------------------------------------------------------- forward
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_ops_forward_matches_closed_form(name: str, data: st.DataObject) -> None:
    prim = ops.TABLE[name]
    xs = data.draw(primitive_args(prim))
    expected = CLOSED_FORMS[name][0](prim, xs)
    assert math.isclose(prim.forward(*xs), expected, rel_tol=1e-12, abs_tol=1e-300)


# --------------------------------------------------------------------------- derivatives
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_ops_rule_matches_central_differences(name: str, data: st.DataObject) -> None:
    prim = ops.TABLE[name]
    xs = data.draw(primitive_args(prim))
    if name in COMPARISONS:
        assume(abs(xs[0] - xs[1]) > 1e-3)
    assert_close(local_grads(prim, xs), central_differences(prim.forward, xs), REL, ABS)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_ops_rule_matches_closed_form_derivative(name: str, data: st.DataObject) -> None:
    prim = ops.TABLE[name]
    xs = data.draw(primitive_args(prim))
    assert_close(local_grads(prim, xs), CLOSED_FORMS[name][1](prim, xs), 1e-12, 1e-300)


@given(n=st.sampled_from(POWC_EXPONENTS), x=floats_in(0.2, 3.0))
def test_ops_powc_rule_matches_central_differences(n: float, x: float) -> None:
    prim = ops.powc(n)
    assert prim.params == (n,)
    assert math.isclose(prim.forward(x), x**n, rel_tol=1e-12)
    assert_close(local_grads(prim, [x]), central_differences(prim.forward, [x]), REL, ABS)
    assert_close(local_grads(prim, [x]), [n * x ** (n - 1.0)], 1e-12, 1e-300)


@given(n=st.sampled_from(INTEGER_EXPONENTS), x=floats_in(-3.0, -0.2))
def test_ops_powc_integer_exponent_works_for_negative_base(n: float, x: float) -> None:
    prim = ops.powc(n)
    assert math.isclose(prim.forward(x), x**n, rel_tol=1e-12)
    assert_close(local_grads(prim, [x]), central_differences(prim.forward, [x]), REL, ABS)


@given(case=clamp_bounds_and_x())
def test_ops_clamp_rule_matches_central_differences(case: tuple[float, float, float]) -> None:
    lo, hi, x = case
    prim = ops.clamp(lo, hi)
    assert prim.forward(x) == min(max(x, lo), hi)
    assert_close(local_grads(prim, [x]), central_differences(prim.forward, [x]), REL, ABS)
    assert local_grads(prim, [x]) == [1.0 if lo < x < hi else 0.0]


def test_ops_clamp_rejects_reversed_bounds() -> None:
    with pytest.raises(ValueError, match=r"clamp.*lo=2.*hi=1"):
        ops.clamp(2.0, 1.0)


@pytest.mark.parametrize("n", [1, 2, 5, 17])
def test_ops_dot_rule_orders_weights_inputs_bias(n: int) -> None:
    w = [0.5 + i for i in range(n)]
    x = [-1.25 * (i + 1) for i in range(n)]
    args = (*w, *x, 3.0)
    assert ops.dot.forward(*args) == math.fsum(wi * xi for wi, xi in zip(w, x)) + 3.0
    assert list(ops.dot.rule(0.0, *args)) == [*x, *w, 1.0]


# --------------------------------------------------------------------------- rules on Values
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_ops_rule_on_values_gives_the_float_numbers(name: str, data: st.DataObject) -> None:
    prim = ops.TABLE[name]
    xs = data.draw(primitive_args(prim))
    leaves = [Value(x) for x in xs]
    out = apply(prim, *leaves)
    on_values = [to_float(g) for g in prim.rule(out, *leaves)]
    assert_close(on_values, local_grads(prim, xs), 1e-14, 1e-300)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_ops_rule_on_values_differentiates_again(name: str, data: st.DataObject) -> None:
    """∂²f/∂xᵢ∂xⱼ through the rule run on Values, against central differences of the rule."""
    prim = ops.TABLE[name]
    xs = data.draw(primitive_args(prim, max_terms=2))
    for i in range(len(xs)):
        leaves = [Value(x) for x in xs]
        grad_i = gradients(apply(prim, *leaves)).get(leaves[i])
        assert grad_i is not None
        grad_i.backward()
        analytic = [leaf.grad for leaf in leaves]

        def rule_i(*ys: float, i: int = i) -> float:
            return local_grads(prim, ys)[i]

        assert_close(analytic, central_differences(rule_i, xs), REL, ABS)


# --------------------------------------------------------------------------- derivative texts
def text_locals(prim: ops.Primitive, xs: Sequence[float]) -> list[float]:
    """Each ∂out/∂input by evaluating the entry's derivative text (not its rule) at ``xs``."""
    out = prim.forward(*xs)
    env: dict[str, float] = dict(zip(prim.param_names, prim.params))
    env["out"] = out
    if prim.name == "sum":
        return [evaluate_formula(prim.derivatives[0], {**env, "x_i": x}) for x in xs]
    if prim.name == "dot":
        n = (len(xs) - 1) // 2
        w, x = xs[:n], xs[n : 2 * n]
        d_w, d_x, d_b = prim.derivatives
        return [
            *(evaluate_formula(d_w, {**env, "w_i": w[i], "x_i": x[i]}) for i in range(n)),
            *(evaluate_formula(d_x, {**env, "w_i": w[i], "x_i": x[i]}) for i in range(n)),
            evaluate_formula(d_b, env),
        ]
    names = ("x",) if prim.arity == 1 else ("a", "b")
    env.update(zip(names, xs))
    return [evaluate_formula(text, env) for text in prim.derivatives]


PARAMETERISED = (
    *(ops.powc(n) for n in (-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 7.0)),
    ops.clamp(-0.5, 2.0),
    ops.leaky_relu(0.2),
    ops.leaky_relu(-1.5),
)


@pytest.mark.slow
@pytest.mark.parametrize("prim", [*(ops.TABLE[n] for n in NAMES), *PARAMETERISED], ids=repr)
@given(data=st.data())
def test_ops_derivative_text_agrees_with_rule(prim: ops.Primitive, data: st.DataObject) -> None:
    xs = data.draw(primitive_args(prim))
    expected = local_grads(prim, xs)
    assert_close(text_locals(prim, xs), expected, 1e-12, 1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_ops_entry_has_one_derivative_text_per_input(name: str) -> None:
    prim = ops.TABLE[name]
    expected = {"sum": 1, "dot": 3}.get(name, prim.arity)
    assert len(prim.derivatives) == expected
    assert all(isinstance(t, str) and t for t in prim.derivatives)


# --------------------------------------------------------------------------- generated views
README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- generated: ops.reference_table() -->", "<!-- end of generated table -->"


def test_ops_readme_reference_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    table = text.split(BEGIN)[1].split(END)[0].strip()
    assert table == ops.reference_table(), "README is stale: paste ops.reference_table() in"


def test_ops_reference_table_has_a_row_per_entry() -> None:
    rows = ops.reference_table().splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{n}`" for n in NAMES]
    for row, name in zip(rows, NAMES):
        for text in ops.TABLE[name].derivatives:
            assert f"`{text}`" in row, (name, text)


def test_ops_atan_entry_reaches_parser_help_tape_and_readme() -> None:
    # atan is one entry of ops.TABLE and nothing else: every generated view picks it up
    assert "atan" in FUNCTIONS
    root, leaves = build("atan(x)", {"x": 0.5})
    root.backward()
    assert root.data == math.atan(0.5)
    assert leaves["x"].grad == 1.0 / (1.0 + 0.25)  # exact in binary: 0.8
    assert "atan" in ops.function_help().split(": ")[1].split(", ")
    lines = tape(root).splitlines()
    assert lines[1] == "v1 = atan(v0) = " + repr(math.atan(0.5))
    assert lines[-1].startswith("v0.grad += (1 / (1 + v0**2)) * v1.grad = 0.8 * 1.0")
    assert "| `atan` | `atan` | f(x) = arctan x | ∂out/∂x = `1 / (1 + x**2)` |" in (
        README.read_text(encoding="utf-8")
    )
    assert any(step.local == 0.8 for step in chain_rule(root))
    from tinygrad_edu.viz.scene import local_formula  # the drawings' edge labels

    assert local_formula(root, 0) == "1 / (1 + x**2)"
