"""The expression parser: closed forms, Python's precedence, clear errors, and fuzzing.

References: closed forms written with ``math``; Python's own operator precedence (values
worked out by hand in the literals); and, for random trees, the same expression built
directly with ``Value`` operators in Python (a second, independent path to the same graph).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu.engine import Value
from tinygrad_edu.expr import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    Binary,
    Call,
    ExprError,
    Num,
    Unary,
    Var,
    build,
    constant,
    evaluate,
    names,
    parse,
    tokenize,
)

# --------------------------------------------------------------------------- closed forms


def test_expr_worked_neuron_matches_closed_form() -> None:
    x, w, b = 0.5, 1.2, -0.8
    root, leaves = build("tanh(w*x + b)", {"x": x, "w": w, "b": b})
    root.backward()
    t = math.tanh(w * x + b)
    dt = 1.0 - t * t
    assert root.data == pytest.approx(t, rel=1e-12)
    assert leaves["w"].grad == pytest.approx(dt * x, rel=1e-12)
    assert leaves["x"].grad == pytest.approx(dt * w, rel=1e-12)
    assert leaves["b"].grad == pytest.approx(dt, rel=1e-12)
    # the lesson's sigmoid neuron with ½(y − ŷ)², y = 0: ∂L/∂w ≈ 0.055712, ∂L/∂b ≈ 0.111424
    root, leaves = build("0.5*(0 - sigmoid(w*x + b))**2", {"x": x, "w": w, "b": b})
    root.backward()
    s = 1.0 / (1.0 + math.exp(-(w * x + b)))
    assert root.data == pytest.approx(0.5 * s * s, rel=1e-12)
    assert leaves["w"].grad == pytest.approx(s * s * (1 - s) * x, rel=1e-12)
    assert leaves["b"].grad == pytest.approx(s * s * (1 - s), rel=1e-12)
    assert leaves["w"].grad == pytest.approx(0.055712, abs=5e-7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 + 3 * 4", 14.0),
        ("(2 + 3) * 4", 20.0),
        ("-2**2", -4.0),  # ** binds tighter than a unary minus on its left
        ("(-2)**2", 4.0),
        ("2**3**2", 512.0),  # right-associative
        ("2**-1", 0.5),
        ("8/4/2", 1.0),  # left-associative
        ("1 - 2 - 3", -4.0),
        ("-x**2", -9.0),
        ("2*-x", -6.0),
        ("--x", 3.0),
        ("+x", 3.0),
        ("x**2**-1", math.sqrt(3.0)),
        ("1e-3*1000", 1.0),
        (".5 + 5.", 5.5),
        ("3 \u2212 1", 2.0),  # the Unicode minus sign of the lesson
        ("2E+2", 200.0),
        ("  x\t*\n2 ", 6.0),
        ("abs(-x) + relu(-x) + sqrt(x*x)", 6.0),
    ],
)
def test_expr_precedence_follows_python(text: str, expected: float) -> None:
    assert evaluate(text, {"x": 3.0}).data == pytest.approx(expected, rel=1e-15)


def test_expr_each_function_is_its_table_entry() -> None:
    x = 0.3
    closed = {
        "exp": math.exp(x),
        "log": math.log(x),
        "log1p": math.log1p(x),
        "tanh": math.tanh(x),
        "sigmoid": 1.0 / (1.0 + math.exp(-x)),
        "relu": x,
        "softplus": math.log1p(math.exp(x)),
        "abs": x,
        "sqrt": math.sqrt(x),
        "sin": math.sin(x),
        "cos": math.cos(x),
        "atan": math.atan(x),
    }
    derivative = {
        "exp": math.exp(x),
        "log": 1.0 / x,
        "log1p": 1.0 / (1.0 + x),
        "tanh": 1.0 - math.tanh(x) ** 2,
        "sigmoid": closed["sigmoid"] * (1.0 - closed["sigmoid"]),
        "relu": 1.0,
        "softplus": closed["sigmoid"],
        "abs": 1.0,
        "sqrt": 0.5 / math.sqrt(x),
        "sin": math.cos(x),
        "cos": -math.sin(x),
        "atan": 1.0 / (1.0 + x * x),
    }
    assert set(closed) == set(FUNCTIONS)
    for name in FUNCTIONS:
        root, leaves = build(f"{name}(x)", {"x": x})
        root.backward()
        assert root.primitive is not None and root.primitive.name == name
        assert root.data == pytest.approx(closed[name], rel=1e-14), name
        assert leaves["x"].grad == pytest.approx(derivative[name], rel=1e-14), name


def test_expr_a_name_is_one_leaf_whatever_its_uses() -> None:
    root, leaves = build("x*x + x", {"x": 3.0})
    root.backward()
    assert root.data == 12.0
    assert leaves["x"].grad == 7.0  # 2x + 1
    assert leaves["x"].label == "x"
    product = root.parents[0]
    assert product.parents == (leaves["x"], leaves["x"])  # two edges into one leaf
    root, leaves = build("x - x", {"x": 2.5})
    root.backward()
    assert (root.data, leaves["x"].grad) == (0.0, 0.0)


def test_expr_given_values_are_used_as_they_are() -> None:
    w = Value(2.0, "weight")
    root, leaves = build("w*w", {"w": w, "unused": 1.0})
    root.backward()
    assert leaves == {"w": w}
    assert w.grad == 4.0


def test_expr_constant_exponent_accepts_a_negative_base() -> None:
    root, leaves = build("x**3 + x**-2", {"x": -2.0})
    root.backward()
    assert root.data == -8.0 + 0.25
    assert leaves["x"].grad == pytest.approx(3 * 4.0 + (-2.0) * (-2.0) ** -3, rel=1e-15)
    # a constant exponent expression is folded too: x**(1/3) at x = 8
    root, leaves = build("x**(1/3)", {"x": 8.0})
    root.backward()
    assert root.data == pytest.approx(2.0, rel=1e-15)
    assert leaves["x"].grad == pytest.approx(1.0 / 12.0, rel=1e-14)  # (1/3)·8^(−2/3)


def test_expr_variable_exponent_differentiates_the_exponent() -> None:
    root, leaves = build("2**x", {"x": 3.0})
    root.backward()
    assert root.data == 8.0
    assert leaves["x"].grad == pytest.approx(8.0 * math.log(2.0), rel=1e-15)


def test_expr_constant_and_names_helpers() -> None:
    assert constant("-0.8") == -0.8
    assert constant("1/4") == 0.25
    assert constant("2**10") == 1024.0
    assert names(parse("b + w*x + exp(b) + y")) == ["b", "w", "x", "y"]
    with pytest.raises(ExprError, match="expected a number, got the name 'x'") as err:
        constant("1 + x")
    assert err.value.position == 4


def test_expr_tree_shapes() -> None:
    tree = parse("-x + 2*tanh(y)**2")
    assert isinstance(tree, Binary) and tree.op == "+" and tree.pos == 3
    assert isinstance(tree.left, Unary) and isinstance(tree.left.operand, Var)
    mul = tree.right
    assert isinstance(mul, Binary) and mul.op == "*"
    assert mul.left == Num(2.0, 5)
    power = mul.right
    assert isinstance(power, Binary) and power.op == "**"
    assert power.left == Call("tanh", Var("y", 12), 7)
    assert parse("-2.5") == Num(-2.5, 0)  # a minus on a literal is folded, as in Python
    kinds = [t.kind for t in tokenize("x**-2.5e3 / (1)")]
    assert kinds == ["name", "**", "-", "num", "/", "(", "num", ")", "end"]


def test_expr_long_flat_chains_do_not_recurse() -> None:
    n = 1500
    root, leaves = build("+".join(["x"] * n), {"x": 0.5})
    root.backward()
    assert root.data == n * 0.5
    assert leaves["x"].grad == n


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("x.y", 1, "attribute access"),
        ("os.system('ls')", 2, "attribute access"),
        ("foo(x)", 0, "unknown function 'foo'"),
        ("x(2)", 0, "unknown function 'x'"),
        ("__import__('os')", 0, "unknown function '__import__'"),
        ("import os", 0, "keyword 'import'"),
        ("lambda: 0", 0, "keyword 'lambda'"),
        ("x if y else z", 2, "keyword 'if'"),
        ("2^3", 1, "write x**2"),
        ("x**99999", 3, "exponent 99999 is too large"),
        ("x**-1e4", 3, "exponent -10000 is too large"),
        ("x**(600*2)", 1, "exponent 1200 is too large"),
        ("1e999", 0, "too large for a float"),
        ("1" * 70, 0, "number literal is too long"),
        ("", 0, "empty expression"),
        ("   ", 3, "empty expression"),
        ("x +", 3, "ends too early"),
        ("(x", 2, "expected ')' to close the '(' at position 0"),
        ("log(x", 5, "expected ')' to close the '(' at position 3"),
        ("x)", 1, "unmatched ')'"),
        ("()", 1, "empty parentheses"),
        ("sin()", 4, "empty parentheses after sin"),
        ("2x", 1, "write 2*x"),
        ("x y", 2, "got the name 'y'"),
        ("1 2", 2, "got the number 2"),
        ("(x) (y)", 4, "'(' after a complete expression"),
        ("tanh(x, y)", 6, "one argument"),
        ("x, y", 1, "one argument"),
        ("exp", 0, "'exp' is a function"),
        ("exp + 1", 0, "'exp' is a function"),
        ("x[0]", 1, "unexpected character '['"),
        ("x @ y", 2, "unexpected character '@'"),
        ("x = 1", 2, "'=' is not allowed"),
        ("'x'", 0, "strings are not allowed"),
        ("x * * 2", 4, "without a space"),
        ("1.2.3", 3, "second decimal point"),
        ("1e+", 3, "malformed number"),
        ("*x", 0, "got '*'"),
        ("x\x00", 1, "U+0000"),
        ("z + 1", 0, "no value for the name 'z'"),
    ],
)
def test_expr_bad_input_names_the_problem_and_position(
    text: str, position: int, fragment: str
) -> None:
    with pytest.raises(ExprError) as err:
        build(text, {"x": 0.5, "y": 1.0})
    assert fragment in err.value.message
    assert err.value.position == position
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("log(x - 1)", 0, "log: the input must be > 0, got -0.5"),
        ("1/(x - x)", 1, "div: division by zero"),
        ("exp(x*2000)", 0, "exp: exp(1000.0) overflows"),
        ("sqrt(-x)", 0, "sqrt: the input must be ≥ 0"),
        ("(-x)**0.5", 4, "pow: a negative base to a non-integer power"),
        ("(x - x)**-1", 7, "pow: 0.0 ** -1.0"),
        ("(-x)**x", 4, "pow: with a Value exponent the base must be > 0"),
        ("log1p(-2*x)", 0, "log1p: the input must be > -1"),
        ("1e308*x*10", 7, "mul: the result overflows the float range (inputs 5e+307, 10)"),
        ("x - 1e308 - 1e308", 10, "sub: the result overflows the float range"),
        ("-1e308/x", 6, "div: the result overflows the float range"),
    ],
)
def test_expr_engine_domain_errors_point_at_the_operation(
    text: str, position: int, fragment: str
) -> None:
    with pytest.raises(ExprError) as err:
        evaluate(text, {"x": 0.5})
    assert fragment in err.value.message
    assert err.value.position == position


def test_expr_error_message_has_position_and_caret_line() -> None:
    with pytest.raises(ExprError) as err:
        parse("tanh(w*x + b")
    text = str(err.value)
    message, shown, caret = text.split("\n")
    assert message.endswith("(at position 12)")
    assert shown == "  tanh(w*x + b"
    assert caret == "  " + " " * 12 + "^"
    # a long text is shown as a window around the position, with the caret still under it
    long = "x + " * 100 + "@"
    with pytest.raises(ExprError) as err:
        parse(long)
    _, shown, caret = str(err.value).split("\n")
    assert len(shown) < 80
    assert shown[caret.index("^")] == "@"


def test_expr_nesting_is_limited() -> None:
    ok = "(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH
    assert evaluate(ok, {"x": 2.0}).data == 2.0
    for deep in (
        "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "-" * (MAX_DEPTH + 1) + "x",
        "x" + "**x" * (MAX_DEPTH + 1),
        "exp(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
    ):
        with pytest.raises(ExprError, match="nested too deeply") as err:
            parse(deep)
        assert 0 < err.value.position <= len(deep)


def test_expr_length_is_limited() -> None:
    text = "x+" * (MAX_LENGTH // 2) + "x"
    with pytest.raises(ExprError, match="too long") as err:
        parse(text)
    assert err.value.position == MAX_LENGTH


def test_expr_never_hands_text_to_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec/compile called on user text")

    for name in ("eval", "exec", "compile", "__import__"):
        monkeypatch.setattr(builtins, name, forbidden)
    root, _ = build("tanh(w*x + b) + x**2 - 1/y", {"x": 0.5, "w": 1.2, "b": -0.8, "y": 2.0})
    with pytest.raises(ExprError):
        parse("__import__('os').system('true')")
    monkeypatch.undo()
    assert root.data == pytest.approx(math.tanh(-0.2) + 0.25 - 0.5, rel=1e-14)


def test_expr_rejects_a_non_string() -> None:
    with pytest.raises(TypeError, match="expected a str, got int"):
        parse(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a number or a Value, got str"):
        build("x", {"x": "1"})  # type: ignore[dict-item]


# --------------------------------------------------------------------------- fuzzing
VALUES = {"x": 0.7, "y": -1.3, "z": 2.1}

_SOUP = [
    "x", "y", "z", "w", "1", "2.5", "1e-3", "0", ".5", "+", "-", "*", "/", "**", "(", ")",
    "exp(", "tanh(", "log(", "sqrt(", "sigmoid(", "foo(", ",", "^", ".", "=", "'", "import",
    "−", "1e400", "e", "_", "é",
]  # fmt: skip


_OPERANDS = ["x", "y", "2.5", "(x)", "exp(y)", "-z", "tanh(x*y)", "0", "sqrt(z)", "log(z)"]
_OPERATORS = ["+", "-", "*", "/", "**", " * ", " + ", "^", ")"]
_MOSTLY_VALID = st.lists(
    st.tuples(st.sampled_from(_OPERANDS), st.sampled_from(_OPERATORS)), max_size=6
).map(lambda pairs: "".join(a + op for a, op in pairs) + "x")


@given(
    st.one_of(
        _MOSTLY_VALID,
        st.text(max_size=40),
        st.text(alphabet="xyz0123456789.+-*/()^ e,_", max_size=40),
        st.lists(st.sampled_from(_SOUP), max_size=14).map("".join),
        st.lists(st.sampled_from(_SOUP), max_size=14).map(" ".join),
    )
)
def test_expr_random_text_is_an_expression_or_an_expr_error(text: str) -> None:
    try:
        root, leaves = build(text, VALUES)
    except ExprError as err:
        assert 0 <= err.position <= len(text)
        assert err.message
        assert str(err).count("\n") == 2
        return
    assert isinstance(root, Value)
    assert set(leaves) <= set(VALUES)
    root.backward()  # whatever parsed, backward runs
    assert all(isinstance(leaf.grad, float) for leaf in leaves.values())


# Random expression trees as tuples; rendered to text, and built directly with Values.
Tree = tuple[Any, ...]
_CONSTANTS = st.floats(0.0, 5.0, allow_nan=False, allow_infinity=False)
_EXPONENTS = st.sampled_from([2.0, 3.0, -1.0, 0.5, -2.0, 1.5, 0.0, 1.0])


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("bin"), st.sampled_from("+-*/"), children, children),
        st.tuples(
            st.just("pow"),
            children,
            st.one_of(
                _EXPONENTS.map(lambda c: ("num", c)),
                _EXPONENTS.map(lambda c: ("neg", ("num", c))),
                st.sampled_from("xyz").map(lambda n: ("var", n)),
                children,
            ),
        ),
        st.tuples(st.just("call"), st.sampled_from(sorted(FUNCTIONS)), children),
    )


TREES = st.recursive(
    st.one_of(
        _CONSTANTS.map(lambda c: ("num", c)), st.sampled_from("xyz").map(lambda n: ("var", n))
    ),
    _extend,
    max_leaves=10,
)

_LEVEL = {"+": 1, "-": 1, "*": 2, "/": 2}


def _full(t: Tree) -> str:
    """Every operation in parentheses."""
    kind = t[0]
    if kind == "num":
        return repr(t[1])
    if kind == "var":
        return str(t[1])
    if kind == "neg":
        return f"(-{_full(t[1])})"
    if kind == "bin":
        return f"({_full(t[2])} {t[1]} {_full(t[3])})"
    if kind == "pow":
        return f"({_full(t[1])} ** {_full(t[2])})"
    return f"{t[1]}({_full(t[2])})"


def _level(t: Tree) -> int:
    kind = t[0]
    if kind == "bin":
        return _LEVEL[t[1]]
    if kind == "neg":
        return 3
    if kind == "pow":
        return 4
    return 5


def _minimal(t: Tree, sep: str) -> str:
    """As few parentheses as Python's precedence allows."""

    def wrap(child: Tree, needed: bool) -> str:
        text = _minimal(child, sep)
        return f"({text})" if needed else text

    kind = t[0]
    if kind == "num":
        return repr(t[1])
    if kind == "var":
        return str(t[1])
    if kind == "neg":
        return "-" + wrap(t[1], _level(t[1]) < 3)
    if kind == "bin":
        p = _LEVEL[t[1]]
        left = wrap(t[2], _level(t[2]) < p)
        right = wrap(t[3], _level(t[3]) <= p)
        return f"{left}{sep}{t[1]}{sep}{right}"
    if kind == "pow":
        return f"{wrap(t[1], _level(t[1]) < 5)}**{wrap(t[2], _level(t[2]) < 3)}"
    return f"{t[1]}({_minimal(t[2], sep)})"


Scalar = Value | float


def _direct(t: Tree, env: dict[str, Value]) -> Scalar:
    """The tree built with Python operators on Values; constants stay Python floats."""
    result = _direct_node(t, env)
    if not math.isfinite(result.data if isinstance(result, Value) else result):
        # every leaf is finite, so this is an overflow: the parser reports it as an error
        raise OverflowError("the documented check on + - * / overflowing")
    return result


def _direct_node(t: Tree, env: dict[str, Value]) -> Scalar:
    kind = t[0]
    if kind == "num":
        return float(t[1])
    if kind == "var":
        return env[t[1]]
    if kind == "neg":
        return -_direct(t[1], env)
    if kind == "call":
        arg = _direct(t[2], env)
        fn: Callable[[Value], Value] = getattr(Value, t[1])
        return fn(arg) if isinstance(arg, Value) else fn(Value(arg)).data
    a, b = _direct(t[-2], env), _direct(t[-1], env)
    op = "**" if kind == "pow" else t[1]
    if op == "**" and isinstance(b, float) and not abs(b) <= MAX_EXPONENT:
        raise ValueError("the documented limit on constant exponents")
    if isinstance(a, float) and isinstance(b, float):
        # the engine's arithmetic on constants (Python's float ** can return a complex)
        if op == "**":
            return (Value(a) ** b).data
        if op == "/":
            return (Value(a) / b).data
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return a**b


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


@given(
    TREES,
    st.floats(-3.0, 3.0),
    st.floats(-3.0, 3.0),
    st.floats(-3.0, 3.0),
    st.sampled_from(["", " "]),
)
def test_expr_random_trees_match_the_same_expression_built_in_python(
    tree: Tree, x: float, y: float, z: float, sep: str
) -> None:
    env = {"x": Value(x, "x"), "y": Value(y, "y"), "z": Value(z, "z")}
    try:
        expected = _direct(tree, env)
    except (ValueError, ZeroDivisionError, OverflowError):
        expected = None
    for text in (_full(tree), _minimal(tree, sep)):
        if expected is None:
            with pytest.raises(ExprError):
                build(text, {"x": x, "y": y, "z": z})
            continue
        root, leaves = build(text, {"x": x, "y": y, "z": z})
        want = expected.data if isinstance(expected, Value) else expected
        assert _same(root.data, want), (text, root.data, want)
        if not isinstance(expected, Value):
            assert leaves == {}  # a tree of constants uses no names
            continue
        for v in env.values():
            v.grad = 0.0
        expected.backward()
        root.backward()
        assert set(leaves) == {n for n, v in env.items() if _uses(tree, n)}
        for name, leaf in leaves.items():
            assert _same(leaf.grad, env[name].grad), (text, name, leaf.grad, env[name].grad)


def _uses(t: Tree, name: str) -> bool:
    if t[0] == "var":
        return bool(t[1] == name)
    return any(isinstance(c, tuple) and _uses(c, name) for c in t[1:])
