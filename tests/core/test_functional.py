"""grad, derivative, hessian, hvp and gradgradcheck against independent references.

References: closed forms as exact polynomials (tanh and σ derivatives, evaluated in rational
arithmetic), central differences of the ordinary backward() gradient, textbook second
derivatives, and known minimisers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import sigmoid
from strategies import (
    POWC_EXPONENTS,
    Dag,
    clamp_bounds_and_x,
    dags,
    floats_in,
    primitive_args,
    seeds,
)

from tinygrad_edu import ops
from tinygrad_edu.engine import Value, apply, topo_order
from tinygrad_edu.functional import (
    derivative,
    grad,
    gradgradcheck,
    hessian,
    hvp,
    numerical_hessian,
)
from tinygrad_edu.gradcheck import GradcheckError
from tinygrad_edu.nary import vsum
from tinygrad_edu.nn import MLP

EPS = 1e-6
NAMES = sorted(ops.TABLE)


# --------------------------------------------------------------------------- references
Poly = list[int]  # integer coefficients, lowest degree first


def poly_derivative(p: Poly) -> Poly:
    return [i * c for i, c in enumerate(p)][1:] or [0]


def poly_mul(p: Poly, q: Poly) -> Poly:
    out = [0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return out


def derivative_polys(inner: Poly, orders: int) -> list[Poly]:
    """Pₙ with f⁽ⁿ⁾ = Pₙ(f), for an f with f′ = inner(f): P₀ = u, Pₙ₊₁ = Pₙ′(u) · inner(u).

    tanh′ = 1 − t² gives inner = 1 − u²; σ′ = σ(1 − σ) gives inner = u − u².
    """
    polys: list[Poly] = [[0, 1]]
    for _ in range(orders):
        polys.append(poly_mul(poly_derivative(polys[-1]), inner))
    return polys


TANH_POLYS = derivative_polys([1, 0, -1], 6)
SIGMOID_POLYS = derivative_polys([0, 1, -1], 6)


def poly_eval(p: Poly, u: float) -> Fraction:
    """Pₙ(u) exactly (rational arithmetic): no rounding in the reference."""
    x = Fraction(u)
    return sum((c * x**i for i, c in enumerate(p)), Fraction(0))


def poly_scale(p: Poly, u: float) -> float:
    """Σ |cᵢ| |u|ⁱ: the size of the terms, the natural unit of rounding error near a root."""
    return float(sum(abs(c) * abs(Fraction(u)) ** i for i, c in enumerate(p)))


def backward_grad(f: Callable[..., Value], xs: Sequence[float]) -> list[float]:
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()
    return [leaf.grad for leaf in leaves]


def central_hessian(f: Callable[..., Value], xs: Sequence[float]) -> list[list[float]]:
    """Column j: (∇f(x + εeⱼ) − ∇f(x − εeⱼ)) / 2ε with ∇f from ordinary backward()."""
    n = len(xs)
    columns = []
    for j in range(n):
        plus, minus = list(xs), list(xs)
        plus[j] += EPS
        minus[j] -= EPS
        gp, gm = backward_grad(f, plus), backward_grad(f, minus)
        columns.append([(a - b) / (2.0 * EPS) for a, b in zip(gp, gm)])
    return [[columns[j][i] for j in range(n)] for i in range(n)]


def assert_matrix_close(
    actual: Sequence[Sequence[float]], expected: Sequence[Sequence[float]], rel: float, abs_: float
) -> None:
    assert len(actual) == len(expected)
    for i, (ra, re_) in enumerate(zip(actual, expected)):
        assert len(ra) == len(re_)
        for j, (a, e) in enumerate(zip(ra, re_)):
            assert math.isclose(a, e, rel_tol=rel, abs_tol=abs_), (i, j, a, e)


# --------------------------------------------------------------------------- the references
def test_functional_reference_polynomials_are_the_textbook_ones() -> None:
    # tanh″ = −2t(1 − t²) = −2t + 2t³ ; σ″ = σ′(1 − 2σ) = s − 3s² + 2s³
    assert TANH_POLYS[1] == [1, 0, -1]
    assert TANH_POLYS[2] == [0, -2, 0, 2]
    assert TANH_POLYS[3] == [-2, 0, 8, 0, -6]
    assert SIGMOID_POLYS[1] == [0, 1, -1]
    assert SIGMOID_POLYS[2] == [0, 1, -3, 2]
    assert SIGMOID_POLYS[3] == [0, 1, -7, 12, -6]


@pytest.mark.parametrize("n", range(1, 7))
def test_functional_reference_polynomials_match_central_differences(n: int) -> None:
    """Each Pₙ is the derivative of Pₙ₋₁ along x (checked with math only, not the engine)."""
    for polys, f in ((TANH_POLYS, math.tanh), (SIGMOID_POLYS, sigmoid)):
        for x in (-1.7, -0.3, 0.6, 1.9):
            h = 1e-5
            slope = (
                float(poly_eval(polys[n - 1], f(x + h))) - float(poly_eval(polys[n - 1], f(x - h)))
            ) / (2 * h)
            assert math.isclose(slope, float(poly_eval(polys[n], f(x))), rel_tol=1e-7, abs_tol=1e-9)


# --------------------------------------------------------------------------- derivatives of tanh, σ
POINTS = (-3.0, -1.3, -0.4, 0.25, 0.9, 2.2)


@pytest.mark.parametrize("x", POINTS)
def test_functional_tanh_first_six_derivatives_match_closed_form(x: float) -> None:
    t = math.tanh(x)
    for n in range(7):
        got = derivative(Value.tanh, n)(x)
        assert isinstance(got, Value)
        # measured worst relative error over these points: 5e-15
        assert math.isclose(got.data, float(poly_eval(TANH_POLYS[n], t)), rel_tol=1e-12), n


@pytest.mark.parametrize("x", POINTS)
def test_functional_sigmoid_first_six_derivatives_match_closed_form(x: float) -> None:
    s = sigmoid(x)
    for n in range(7):
        got = derivative(Value.sigmoid, n)(x).data
        assert math.isclose(got, float(poly_eval(SIGMOID_POLYS[n], s)), rel_tol=1e-12), n


@settings(max_examples=60)
@given(x=floats_in(-6.0, 6.0), which=st.sampled_from(("tanh", "sigmoid")))
def test_functional_tanh_sigmoid_derivatives_match_closed_form_anywhere(
    x: float, which: str
) -> None:
    """Near a root of f⁽ⁿ⁾ a relative tolerance is meaningless; the unit is the terms' size."""
    polys, f = (TANH_POLYS, math.tanh) if which == "tanh" else (SIGMOID_POLYS, sigmoid)
    u = f(x)
    fn = getattr(Value, which)
    for n in range(7):
        got = derivative(fn, n)(x).data
        err = abs(Fraction(got) - poly_eval(polys[n], u))
        # measured: err ≤ 8e-16 · scale over 300 random points in [-6, 6]
        # in exact arithmetic: 1e-13 · scale underflows to 0 in floats for subnormal x
        assert err <= Fraction(1, 10**13) * Fraction(poly_scale(polys[n], u)), (n, got)


def test_functional_derivative_graph_growth_stays_small() -> None:
    # Each order differentiates the previous graph: measured 701 nodes at order 6 for tanh,
    # 772 for σ (about ×2.8 per order), a millisecond each.
    x = Value(0.7)
    sizes = [len(topo_order(derivative(Value.tanh, n)(x))) for n in range(7)]
    assert sizes == sorted(sizes)
    assert sizes[6] < 2000


def test_functional_derivative_of_polynomial_ends_in_zero() -> None:
    f = lambda x: x**5 - 2.0 * x**2  # noqa: E731
    expected = [
        3.0**5 - 18.0,
        5 * 3.0**4 - 12.0,
        20 * 3.0**3 - 4.0,
        60 * 3.0**2,
        120 * 3.0,
        120.0,
        0.0,
        0.0,
    ]
    assert [derivative(f, n)(3.0).data for n in range(8)] == expected


def test_functional_derivative_zero_is_f_itself() -> None:
    assert derivative(Value.exp, 0)(1.5).data == math.exp(1.5)


# --------------------------------------------------------------------------- grad
def test_functional_grad_of_one_input_is_a_value() -> None:
    g = grad(lambda x: x.sin() * x)(0.8)
    assert isinstance(g, Value)
    assert math.isclose(g.data, math.sin(0.8) + 0.8 * math.cos(0.8), rel_tol=1e-15)


def test_functional_grad_of_several_inputs_is_a_tuple() -> None:
    g = grad(lambda x, y: x * y**2 + x.sin())(0.5, -3.0)
    assert isinstance(g, tuple) and len(g) == 2
    assert g[0].data == pytest.approx(9.0 + math.cos(0.5), rel=1e-15)
    assert g[1].data == 2 * 0.5 * -3.0


def test_functional_grad_nests_to_the_second_derivative() -> None:
    f = lambda x: (x * x).tanh() + x.exp()  # noqa: E731
    for x in (-1.1, 0.3, 1.4):
        t = math.tanh(x * x)
        # d²/dx² tanh(x²) = 2(1 − t²) − 8x²t(1 − t²)
        closed = 2 * (1 - t * t) - 8 * x * x * t * (1 - t * t) + math.exp(x)
        nested = grad(grad(f))(x)
        assert isinstance(nested, Value)
        assert math.isclose(nested.data, closed, rel_tol=1e-12)
        assert nested.data == derivative(f, 2)(x).data
        third = grad(grad(grad(f)))(x)
        assert isinstance(third, Value)
        assert third.data == derivative(f, 3)(x).data


def test_functional_grad_mixed_partials_nest() -> None:
    def f(x: Value, y: Value) -> Value:
        return x**3 * y.sin()

    def df_dx(x: Value, y: Value) -> Value:
        gx, _ = grad(f)(x, y)  # type: ignore[misc]
        return gx

    _, d2 = grad(df_dx)(1.5, 0.4)  # type: ignore[misc]
    assert math.isclose(d2.data, 3 * 1.5**2 * math.cos(0.4), rel_tol=1e-14)


def test_functional_grad_avoids_perturbation_confusion() -> None:
    """d/dx [∂(x·y)/∂y at y = x] = d/dx x = 1; reusing x as the inner variable would give 2."""
    inner = lambda x: grad(lambda y: x * y)(x)  # noqa: E731
    assert grad(inner)(3.0).data == 1.0  # type: ignore[union-attr]
    # Siskind & Pearlmutter's example: d/dx [x · d/dy (x + y) at y = 1] at x = 1 is 1
    outer = lambda x: x * grad(lambda y: x + y)(1.0)  # noqa: E731
    assert grad(outer)(1.0).data == 1.0  # type: ignore[union-attr]


def test_functional_grad_stays_connected_to_value_inputs() -> None:
    x = Value(2.0)
    y = x * 3.0  # an interior node
    g = grad(lambda t: t**3)(y)  # 3y² = 27x²
    assert isinstance(g, Value)
    assert g.data == 108.0
    g.backward()
    assert x.grad == 108.0  # d(27x²)/dx = 54x


def test_functional_grad_of_input_that_f_ignores_is_zero() -> None:
    gx, gy = grad(lambda x, y: x * 2.0)(1.0, 5.0)  # type: ignore[misc]
    assert (gx.data, gy.data) == (2.0, 0.0)
    assert grad(lambda x: Value(5.0))(1.0).data == 0.0  # type: ignore[union-attr]


def test_functional_grad_accepts_ints() -> None:
    assert grad(lambda x: x * x)(3).data == 6.0  # type: ignore[union-attr]


# --------------------------------------------------------------------------- bad input
def test_functional_grad_rejects_f_returning_a_float() -> None:
    with pytest.raises(TypeError, match=r"grad: f must return a scalar Value, got float"):
        grad(lambda x: 3.0)(1.0)


def test_functional_grad_of_several_inputs_cannot_be_nested_directly() -> None:
    with pytest.raises(TypeError, match=r"got tuple.*pick one entry"):
        grad(grad(lambda x, y: x * y))(1.0, 2.0)


def test_functional_grad_rejects_bad_inputs() -> None:
    with pytest.raises(TypeError, match=r"grad: input 1 must be a number or a Value, got str"):
        grad(lambda x, y: x)(1.0, "2")
    with pytest.raises(TypeError, match=r"grad: input 0 .* got bool"):
        grad(lambda x: x)(True)
    with pytest.raises(ValueError, match=r"grad: f needs at least one input"):
        grad(lambda: Value(1.0))()
    with pytest.raises(TypeError, match=r"grad: f must be a function, got int"):
        grad(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [2.0, 1.5, True, "2", None])
def test_functional_derivative_rejects_an_order_that_is_not_an_int(n: object) -> None:
    with pytest.raises(TypeError, match=r"derivative: the order n must be an int, got"):
        derivative(Value.tanh, n)  # type: ignore[arg-type]


def test_functional_derivative_rejects_a_negative_order() -> None:
    with pytest.raises(ValueError, match=r"derivative: the order n must be an int ≥ 0, got -1"):
        derivative(Value.tanh, -1)


def test_functional_numerical_hessian_and_gradgradcheck_refuse_bad_tolerances() -> None:
    f = lambda x: x * x * x  # noqa: E731
    with pytest.raises(ValueError, match=r"numerical_hessian: eps=1e-300 is below"):
        numerical_hessian(f, [1.0], eps=1e-300)
    with pytest.raises(TypeError, match=r"numerical_hessian: eps must be a real number"):
        numerical_hessian(f, [1.0], eps="a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"gradgradcheck: atol must be finite, got nan"):
        gradgradcheck(f, [1.0], atol=math.nan)
    with pytest.raises(TypeError, match=r"grad: input 0 must be a number or a Value, got bool"):
        grad(f)(True)


def test_functional_hessian_and_hvp_reject_bad_input() -> None:
    f = lambda x, y: x * y  # noqa: E731
    with pytest.raises(TypeError, match=r"hessian: expected a list of inputs.*got float"):
        hessian(f, 3.0)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"hvp: v has 3 entries but f has 2 inputs"):
        hvp(f, [1.0, 2.0], [1.0, 0.0, 0.0])
    with pytest.raises(TypeError, match=r"hvp: v\[1\] must be a number or a Value, got str"):
        hvp(f, [1.0, 2.0], [1.0, "0"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"hessian: f must return a scalar Value, got list"):
        hessian(lambda x: [x], [1.0])
    with pytest.raises(ValueError, match=r"numerical_hessian: eps must be a finite number > 0"):
        numerical_hessian(f, [1.0, 2.0], eps=0.0)


# --------------------------------------------------------------------------- second derivatives
def _apply_fn(prim: ops.Primitive) -> Callable[..., Value]:
    return lambda *xs: apply(prim, *xs)


# Measured worst error against central differences (300 draws per primitive): 4e-10
# relative, 1e-8 absolute (log near 0.1, where f″ = −100).
REL = 1e-6
ABS = 1e-7


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40)
@given(data=st.data())
def test_functional_hessian_of_every_primitive_matches_central_differences(
    name: str, data: st.DataObject
) -> None:
    prim = ops.TABLE[name]
    xs = data.draw(primitive_args(prim, max_terms=2))
    f = _apply_fn(prim)
    assert_matrix_close(hessian(f, xs), central_hessian(f, xs), REL, ABS)


@given(n=st.sampled_from(POWC_EXPONENTS), x=floats_in(0.2, 3.0))
def test_functional_hessian_of_powc_matches_central_differences(n: float, x: float) -> None:
    f = _apply_fn(ops.powc(n))
    (h,) = hessian(f, [x])
    assert math.isclose(h[0], central_hessian(f, [x])[0][0], rel_tol=REL, abs_tol=ABS)
    assert math.isclose(h[0], n * (n - 1.0) * x ** (n - 2.0), rel_tol=1e-12, abs_tol=1e-300)


@given(case=clamp_bounds_and_x())
def test_functional_hessian_of_clamp_is_zero(case: tuple[float, float, float]) -> None:
    lo, hi, x = case
    assert hessian(_apply_fn(ops.clamp(lo, hi)), [x]) == [[0.0]]


def _sig(x: float) -> float:
    return sigmoid(x)


# d²f/dx² for the one-input primitives, from the textbook formulas.
SECOND: dict[str, Callable[[float], float]] = {
    "neg": lambda x: 0.0,
    "exp": math.exp,
    "log": lambda x: -1.0 / (x * x),
    "tanh": lambda x: -2.0 * math.tanh(x) / math.cosh(x) ** 2,
    "sigmoid": lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
    "relu": lambda x: 0.0,
    "abs": lambda x: 0.0,
    "sqrt": lambda x: -0.25 * x**-1.5,
    "sin": lambda x: -math.sin(x),
    "cos": lambda x: -math.cos(x),
    "softplus": lambda x: _sig(x) * (1 - _sig(x)),
    "log1p": lambda x: -1.0 / (1.0 + x) ** 2,
    "powc": lambda x: 6.0 * x,  # the table's representative is x³
    "clamp": lambda x: 0.0,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SECOND))
@given(data=st.data())
def test_functional_second_derivative_of_unary_primitive_matches_closed_form(
    name: str, data: st.DataObject
) -> None:
    prim = ops.TABLE[name]
    (x,) = data.draw(primitive_args(prim))
    got = derivative(_apply_fn(prim), 2)(x).data
    assert math.isclose(got, SECOND[name](x), rel_tol=1e-12, abs_tol=1e-15)


@given(a=floats_in(0.2, 3.0), b=floats_in(-3.0, 3.0))
def test_functional_hessian_of_binary_primitives_matches_closed_form(a: float, b: float) -> None:
    assert hessian(lambda x, y: x * y, [a, b]) == [[0.0, 1.0], [1.0, 0.0]]
    assert hessian(lambda x, y: x + y, [a, b]) == [[0.0, 0.0], [0.0, 0.0]]
    la = math.log(a)
    expected = [
        [b * (b - 1) * a ** (b - 2), a ** (b - 1) * (1 + b * la)],
        [a ** (b - 1) * (1 + b * la), a**b * la * la],
    ]
    assert_matrix_close(hessian(lambda x, y: x**y, [a, b]), expected, 1e-12, 1e-14)


def test_functional_hessian_of_dot_pairs_each_weight_with_its_input() -> None:
    from tinygrad_edu.nary import dot

    h = hessian(lambda w0, w1, x0, x1, b: dot([w0, w1], [x0, x1], b), [1.0, 2.0, 3.0, 4.0, 5.0])
    expected = [[0.0] * 5 for _ in range(5)]
    for i, j in ((0, 2), (2, 0), (1, 3), (3, 1)):
        expected[i][j] = 1.0
    assert h == expected


def test_functional_hessian_create_graph_differentiates_again() -> None:
    x, y = Value(1.5), Value(-2.0)
    h = hessian(lambda a, b: a**4 * b, [x, y], create_graph=True)
    assert isinstance(h[0][0], Value)
    assert h[0][0].data == 12 * 1.5**2 * -2.0
    assert h[0][1].data == h[1][0].data == 4 * 1.5**3
    h[0][0].backward()  # ∂/∂x 12x²y = 24xy, ∂/∂y = 12x²
    assert (x.grad, y.grad) == (24 * 1.5 * -2.0, 12 * 1.5**2)


# --------------------------------------------------------------------------- a small MLP
def mlp_loss(seed: int) -> tuple[Callable[..., Value], list[float]]:
    """The squared error of MLP(2, [3, 1], tanh) on three points, as f(*parameters)."""
    model = MLP(2, [3, 1], activation="tanh", seed=seed)
    data = [([0.5, -1.0], 0.3), ([-0.2, 0.8], -0.7), ([1.5, 0.1], 0.9)]
    neurons = [n for layer in model.layers for n in layer.neurons]

    def loss(*params: Value) -> Value:
        k = 0
        for n in neurons:  # install the given Values as the parameters
            n.w = list(params[k : k + n.nin])
            n.b = params[k + n.nin]
            k += n.nin + 1
        errors = []
        for x, y in data:
            (out,) = model(x)
            errors.append((out - y) ** 2)
        return vsum(errors) / len(data)

    return loss, [p.data for p in model.parameters()]


@settings(max_examples=10)
@given(seed=seeds())
def test_functional_hessian_of_mlp_loss_is_symmetric_and_matches_central_differences(
    seed: int,
) -> None:
    loss, params = mlp_loss(seed)
    assert len(params) == 13
    h = hessian(loss, params)
    for i in range(13):
        for j in range(i):
            # two different graphs compute H[i][j] and H[j][i]: equal up to rounding
            assert math.isclose(h[i][j], h[j][i], rel_tol=1e-12, abs_tol=1e-15), (i, j)
    # measured worst over 30 seeds: 3.5e-10 absolute
    assert_matrix_close(h, central_hessian(loss, params), 1e-6, 1e-8)
    assert gradgradcheck(loss, params, atol=1e-8, rtol=1e-6)


@settings(max_examples=20)
@given(seed=seeds(), v=st.lists(floats_in(-2.0, 2.0), min_size=13, max_size=13))
def test_functional_hvp_equals_hessian_times_v(seed: int, v: list[float]) -> None:
    loss, params = mlp_loss(seed)
    h = hessian(loss, params)
    hv = hvp(loss, params, v)
    for i in range(13):
        terms = [h[i][j] * v[j] for j in range(13)]
        # the rounding of a sum is relative to the size of its terms (measured: 8e-16 of it)
        scale = math.fsum(abs(t) for t in terms)
        assert abs(hv[i] - math.fsum(terms)) <= 1e-13 * scale + 1e-300, i


def test_functional_hvp_create_graph_returns_values() -> None:
    x = Value(2.0)
    (hv,) = hvp(lambda a: a**4, [x], [0.5], create_graph=True)
    assert hv.data == 0.5 * 12 * 2.0**2
    hv.backward()  # d/dx (0.5 · 12x²) = 12x
    assert x.grad == 24.0


# --------------------------------------------------------------------------- Newton's method
def newton(f: Callable[..., Value], p: list[float], tol: float, max_steps: int) -> int:
    """Newton steps (2-D) until |p − p*| is tiny; returns the number of steps."""
    for step in range(1, max_steps + 1):
        g = [gi.data for gi in grad(f)(*p)]  # type: ignore[union-attr]
        (a, b), (c, d) = hessian(f, p)
        det = a * d - b * c
        p = [p[0] - (d * g[0] - b * g[1]) / det, p[1] - (a * g[1] - c * g[0]) / det]
        if math.hypot(p[0] - 1.0, p[1] - 1.0) <= tol:
            return step
    return max_steps + 1


def gradient_descent(
    f: Callable[..., Value], p: list[float], lr: float, tol: float, max_steps: int
) -> int:
    for step in range(1, max_steps + 1):
        x, y = Value(p[0]), Value(p[1])
        f(x, y).backward()
        p = [p[0] - lr * x.grad, p[1] - lr * y.grad]
        if math.hypot(p[0] - 1.0, p[1] - 1.0) <= tol:
            return step
    return max_steps + 1


@given(start=st.tuples(floats_in(-5.0, 5.0), floats_in(-5.0, 5.0)))
def test_functional_newton_minimises_a_quadratic_in_one_step(start: tuple[float, float]) -> None:
    # f = 3x² + 2xy + y² − 4x + 5y + 7, Hessian [[6, 2], [2, 2]] > 0; ∇f = 0 at (9/4, −19/4)
    def f(x: Value, y: Value) -> Value:
        return 3 * x * x + 2 * x * y + y * y - 4 * x + 5 * y + 7

    p = list(start)
    g = [gi.data for gi in grad(f)(*p)]  # type: ignore[union-attr]
    (a, b), (c, d) = hessian(f, p)
    assert [[a, b], [c, d]] == [[6.0, 2.0], [2.0, 2.0]]
    det = a * d - b * c
    p = [p[0] - (d * g[0] - b * g[1]) / det, p[1] - (a * g[1] - c * g[0]) / det]
    assert math.isclose(p[0], 2.25, rel_tol=1e-13)
    assert math.isclose(p[1], -4.75, rel_tol=1e-13)


def rosenbrock(x: Value, y: Value) -> Value:
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def test_functional_newton_beats_gradient_descent_on_rosenbrock() -> None:
    """From (−1.2, 1) to within 1e-8 of (1, 1): measured 6 Newton steps, 45 903 GD steps."""
    start = [-1.2, 1.0]
    steps_newton = newton(rosenbrock, start, 1e-8, 100)
    steps_gd = gradient_descent(rosenbrock, start, 1e-3, 1e-8, 60_000)
    assert steps_newton <= 10
    assert 40_000 <= steps_gd <= 60_000  # it does converge, slowly along the curved valley


# --------------------------------------------------------------------------- gradgradcheck
@settings(max_examples=50)
@given(dag=dags(max_inputs=3, max_steps=8))
def test_functional_gradgradcheck_passes_on_random_programs(dag: Dag) -> None:
    assert gradgradcheck(dag, dag.inputs, atol=1e-6, rtol=1e-6)


def _cube_without_second_derivative() -> ops.Primitive:
    """x³ whose rule reads the float out of a Value: right once, wrong when differentiated."""

    def forward(x: float) -> float:
        """f(x) = x³.   df/dx = 3x² (rule written with data_of: no graph)."""
        return x**3

    return ops.Primitive(
        "bad_cube", "cube", forward, lambda out, x: (3.0 * ops.data_of(x) ** 2,), 1
    )


def test_functional_gradgradcheck_reports_a_rule_that_is_not_differentiable() -> None:
    bad = _cube_without_second_derivative()
    f = lambda x, y: apply(bad, x) * y  # noqa: E731
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(f, [2.0, 0.5])
    report = str(info.value)
    assert "gradgradcheck" in report and "H[0,0]" in report and "H[1,1]" in report
    lines = [line for line in report.splitlines() if "mismatch" in line]
    assert len(lines) == 1 and "H[0,0]" in lines[0]  # analytic 0, numeric 6x·y = 6
    assert float(lines[0].split()[1]) == 0.0
    assert math.isclose(float(lines[0].split()[2]), 6.0, rel_tol=1e-8)
    assert gradgradcheck(f, [2.0, 0.5], raise_exception=False) is False


def test_functional_numerical_hessian_matches_closed_form() -> None:
    h = numerical_hessian(lambda x, y: x * x * y, [1.5, -2.0])
    assert_matrix_close(h, [[-4.0, 3.0], [3.0, 0.0]], 1e-9, 1e-9)
