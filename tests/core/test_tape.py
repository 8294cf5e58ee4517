"""The tape: its layout (golden texts written by hand), and its numbers against the engine's."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
from hypothesis import given
from strategies import Dag, dags, leaves_for

from tinygrad_edu import ops
from tinygrad_edu.engine import Value, apply, topo_order
from tinygrad_edu.nn import Neuron
from tinygrad_edu.tape import print_tape, tape

FORWARD = re.compile(r"^v(\d+) = (?:(.*) = )?(\S+)(?:  # .*)?$")
EDGE = re.compile(r"^v(\d+)\.grad \+= (.*) = (.*) → v(\d+)\.grad = (\S+)$")


def tiny() -> tuple[Value, Value, Value]:
    """L = (x·y + x)², x = 2, y = −3: a reused leaf and a node used twice."""
    x, y = Value(2.0, "x"), Value(-3.0, "y")
    b = x * y + x
    return x, y, b * b


# Derived by hand: b = −4, L = 16, ∂L/∂b = 2b = −8 (two edges of −4), ∂L/∂x = −8 + (−3)(−8) =
# 16, ∂L/∂y = 2 · (−8) = −16.
GOLDEN_TEXT = """\
v0 = x = 2.0
v1 = y = -3.0
v2 = v0 * v1 = -6.0
v3 = v2 + v0 = -4.0
v4 = v3 * v3 = 16.0
v4.grad = 1.0
v3.grad += v3 * v4.grad = -4.0 * 1.0 → v3.grad = -4.0
v3.grad += v3 * v4.grad = -4.0 * 1.0 → v3.grad = -8.0
v2.grad += v3.grad = -8.0 → v2.grad = -8.0
v0.grad += v3.grad = -8.0 → v0.grad = -8.0
v0.grad += v1 * v2.grad = -3.0 * -8.0 → v0.grad = 16.0
v1.grad += v0 * v2.grad = 2.0 * -8.0 → v1.grad = -16.0"""

GOLDEN_LATEX = "\n".join(
    [
        r"\begin{aligned}",
        r"v_{0} &= x = 2 \\",
        r"v_{1} &= y = -3 \\",
        r"v_{2} &= v_{0} \cdot v_{1} = -6 \\",
        r"v_{3} &= v_{2} + v_{0} = -4 \\",
        r"v_{4} &= v_{3} \cdot v_{3} = 16 \\[0.5em]",
        r"\bar{v}_{4} &= 1 \\",
        r"\bar{v}_{3} &\mathrel{+}= v_{3} \cdot \bar{v}_{4} = -4 \cdot 1"
        r" \;\rightarrow\; \bar{v}_{3} = -4 \\",
        r"\bar{v}_{3} &\mathrel{+}= v_{3} \cdot \bar{v}_{4} = -4 \cdot 1"
        r" \;\rightarrow\; \bar{v}_{3} = -8 \\",
        r"\bar{v}_{2} &\mathrel{+}= \bar{v}_{3} = -8 \;\rightarrow\; \bar{v}_{2} = -8 \\",
        r"\bar{v}_{0} &\mathrel{+}= \bar{v}_{3} = -8 \;\rightarrow\; \bar{v}_{0} = -8 \\",
        r"\bar{v}_{0} &\mathrel{+}= v_{1} \cdot \bar{v}_{2} = -3 \cdot (-8)"
        r" \;\rightarrow\; \bar{v}_{0} = 16 \\",
        r"\bar{v}_{1} &\mathrel{+}= v_{0} \cdot \bar{v}_{2} = 2 \cdot (-8)"
        r" \;\rightarrow\; \bar{v}_{1} = -16",
        r"\end{aligned}",
    ]
)


def test_tape_text_golden() -> None:
    *_, loss = tiny()
    assert tape(loss) == GOLDEN_TEXT


def test_tape_latex_golden() -> None:
    *_, loss = tiny()
    assert tape(loss, fmt="latex", digits=6) == GOLDEN_LATEX


def test_tape_golden_grads_are_the_engines() -> None:
    x, y, loss = tiny()
    loss.backward()
    assert (x.grad, y.grad) == (16.0, -16.0)


def test_tape_print_tape_prints_the_tape(capsys: pytest.CaptureFixture[str]) -> None:
    *_, loss = tiny()
    print_tape(loss)
    assert capsys.readouterr().out == GOLDEN_TEXT + "\n"


def test_tape_digits_rounds_the_numbers() -> None:
    x = Value(0.5, "x")
    text = tape(x.tanh(), digits=4)
    assert text.splitlines()[1] == "v1 = tanh(v0) = 0.4621"
    assert (
        text.splitlines()[3] == "v0.grad += (1 - v1**2) * v1.grad = 0.7864 * 1 → v0.grad = 0.7864"
    )


def test_tape_of_a_leaf_is_its_seed() -> None:
    assert tape(Value(3.0, "x")) == "v0 = x = 3.0\nv0.grad = 1.0"


def test_tape_shows_interior_labels_and_unlabelled_constants() -> None:
    x = Value(1.5, "x")
    z = x - 1.0
    z.label = "z"
    lines = tape(z).splitlines()
    assert lines[:4] == ["v0 = x = 1.5", "v1 = 1.0", "v2 = -v1 = -1.0", "v3 = v0 + v2 = 0.5  # z"]


# --------------------------------------------------------------------------- every primitive
# name -> (arguments, forward expression, local-derivative expressions), with {0}, {1}, …
# standing for the arguments' names and {o} for the result's (numbered by topo_order).
RENDERING: dict[str, tuple[tuple[float, ...], str, list[str]]] = {
    "add": ((1.0, 2.0), "{0} + {1}", ["1", "1"]),
    "mul": ((1.0, 2.0), "{0} * {1}", ["{1}", "{0}"]),
    "neg": ((1.0,), "-{0}", ["-1"]),
    "sum": ((1.0, 2.0, 3.0), "{0} + {1} + {2}", ["1", "1", "1"]),
    "dot": (
        (1.0, 2.0, 3.0, 4.0, 5.0),
        "{0} * {2} + {1} * {3} + {4}",
        ["{2}", "{3}", "{0}", "{1}", "1"],
    ),
    "powc": ((1.5,), "{0}**3", ["3 * {0}**2"]),
    "pow": ((1.5, 2.5), "{0}**{1}", ["{1} * {0}**({1} - 1)", "{o} * log({0})"]),
    "exp": ((0.5,), "exp({0})", ["{o}"]),
    "log": ((0.5,), "log({0})", ["(1 / {0})"]),
    "tanh": ((0.5,), "tanh({0})", ["(1 - {o}**2)"]),
    "sigmoid": ((0.5,), "sigmoid({0})", ["{o} * (1 - {o})"]),
    "relu": ((0.5,), "relu({0})", ["1.0"]),
    "abs": ((-0.5,), "abs({0})", ["sign({0})"]),
    "sqrt": ((0.5,), "sqrt({0})", ["(0.5 / {o})"]),
    "sin": ((0.5,), "sin({0})", ["cos({0})"]),
    "cos": ((0.5,), "cos({0})", ["-sin({0})"]),
    "softplus": ((0.5,), "softplus({0})", ["sigmoid({0})"]),
    "log1p": ((0.5,), "log1p({0})", ["(1 / (1 + {0}))"]),
    "clamp": ((0.5,), "clamp({0}, -1, 1)", ["1.0"]),
    "leaky_relu": ((-0.5,), "leaky_relu[0.01]({0})", ["0.01"]),
    "atan": ((0.5,), "atan({0})", ["(1 / (1 + {0}**2))"]),
    "eq": ((1.0, 2.0), "==({0}, {1})", ["0", "0"]),
    "lt": ((1.0, 2.0), "<({0}, {1})", ["0", "0"]),
    "gt": ((1.0, 2.0), ">({0}, {1})", ["0", "0"]),
}


def names(root: Value, *nodes: Value) -> list[str]:
    """The tape's names of ``nodes``: v + position in topo_order."""
    order = topo_order(root)
    return [f"v{order.index(node)}" for node in nodes]


def test_tape_rendering_table_covers_every_primitive() -> None:
    assert set(RENDERING) == set(ops.TABLE)


@pytest.mark.parametrize("name", sorted(RENDERING))
def test_tape_renders_each_primitive(name: str) -> None:
    args, expr, local_exprs = RENDERING[name]
    leaves = [Value(a) for a in args]
    out = apply(ops.TABLE[name], *leaves)
    arg_names = names(out, *leaves)
    (o,) = names(out, out)
    n = len(leaves)
    lines = tape(out).splitlines()
    assert lines[n] == f"{o} = {expr.format(*arg_names, o=o)} = {out.data!r}"
    edges = [EDGE.match(line) for line in lines[n + 2 :]]
    assert len(edges) == n
    symbolic = []
    for m, local, leaf in zip(edges, out.local_grads, arg_names):
        assert m is not None
        assert f"v{m.group(1)}" == leaf  # one line per edge, in parent order
        text = m.group(2)
        if text == f"{o}.grad":
            symbolic.append("1")
            assert local == 1.0
        else:
            assert text.endswith(f" * {o}.grad"), text
            symbolic.append(text.removesuffix(f" * {o}.grad"))
            assert m.group(3) == f"{local!r} * 1.0"
    assert symbolic == [e.format(*arg_names, o=o) for e in local_exprs]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda x: x**-1, ("v0**-1", "-1 * v0**-2")),
        (lambda x: x**2, ("v0**2", "2 * v0")),
        (lambda x: x**0.5, ("v0**0.5", "0.5 * v0**-0.5")),
        (lambda x: x**1, ("v0**1", "1")),
        (lambda x: x.clamp(0, 2.5), ("clamp(v0, 0, 2.5)", "1.0")),
    ],
)
def test_tape_renders_parameterised_primitives(
    make: Callable[[Value], Value], expected: tuple[str, str]
) -> None:
    lines = tape(make(Value(1.5))).splitlines()
    assert lines[1].startswith(f"v1 = {expected[0]} = ")
    edge = EDGE.match(lines[3])
    assert edge is not None
    assert edge.group(2) == ("v1.grad" if expected[1] == "1" else f"{expected[1]} * v1.grad")


def test_tape_shows_a_neuron_as_one_dot_node() -> None:
    n = Neuron(2, activation="tanh", seed=0)
    out = n([0.5, -1.0])
    (z,) = out.parents
    w0, w1, x0, x1, b = names(out, *z.parents)  # a dot node's parents: w…, x…, b
    (vz,) = names(out, z)
    text = tape(out)
    assert f"{w0} = w.0 = {n.w[0].data!r}" in text and f"{b} = b = 0.0" in text
    assert f"{vz} = {w0} * {x0} + {w1} * {x1} + {b} = {z.data!r}" in text
    assert f"{w0}.grad += {x0} * {vz}.grad = 0.5 * " in text


# --------------------------------------------------------------------------- numbers
def check_against_engine(root: Value) -> None:
    """Forward numbers = node.data; each edge = the recorded local gradient; totals consistent;
    the last total of every node = its .grad after a fresh backward(), bit for bit."""
    order = topo_order(root)
    lines = tape(root).splitlines()
    assert len(lines) == len(order) + 1 + sum(len(node.parents) for node in order)
    for k, (node, line) in enumerate(zip(order, lines)):
        m = FORWARD.match(line)
        assert m is not None, line
        assert int(m.group(1)) == k
        assert float(m.group(3)) == node.data
    assert lines[len(order)] == f"v{len(order) - 1}.grad = 1.0"

    totals = dict.fromkeys(range(len(order)), 0.0)
    totals[len(order) - 1] = 1.0
    edges = iter(lines[len(order) + 1 :])
    for node in reversed(order):  # the engine's order, edge by edge
        for parent, local in zip(node.parents, node.local_grads):
            m = EDGE.match(next(edges))
            assert m is not None
            target = order.index(parent)
            assert int(m.group(1)) == int(m.group(4)) == target
            factors = m.group(3).split(" * ")
            if len(factors) == 2:
                assert float(factors[0]) == local
            assert float(factors[-1]) == totals[order.index(node)]
            totals[target] = totals[target] + local * totals[order.index(node)]
            assert float(m.group(5)) == totals[target]

    for node in order:
        node.zero_grad()
    root.backward()
    for k, node in enumerate(order):
        assert totals[k] == node.grad, (k, totals[k], node.grad)


def test_tape_square_of_a_leaf_counts_both_edges() -> None:
    a = Value(3.0, "a")
    check_against_engine(a * a)
    lines = tape(a * a).splitlines()
    assert lines[-1] == "v0.grad += v0 * v1.grad = 3.0 * 1.0 → v0.grad = 6.0"


def test_tape_difference_of_a_node_with_itself_has_zero_gradient() -> None:
    a = Value(0.7, "a")
    check_against_engine(a - a)
    assert tape(a - a).splitlines()[-1].endswith("→ v0.grad = 0.0")


def test_tape_diamond_accumulates_both_paths() -> None:
    x = Value(0.3, "x")
    top = x.tanh()
    out = top.exp() * top.sin() + top
    check_against_engine(out)
    # three paths reach top: through exp, through sin, directly
    assert sum(1 for line in tape(out).splitlines() if line.startswith("v1.grad +=")) == 3


@given(dag=dags())
def test_tape_numbers_equal_the_engines_on_random_programs(dag: Dag) -> None:
    check_against_engine(dag(*leaves_for(dag)))


@given(dag=dags(max_steps=6))
def test_tape_latex_has_one_row_per_text_line(dag: Dag) -> None:
    root = dag(*leaves_for(dag))
    latex = tape(root, fmt="latex").splitlines()
    assert latex[0] == r"\begin{aligned}" and latex[-1] == r"\end{aligned}"
    rows = latex[1:-1]
    assert len(rows) == len(tape(root).splitlines())
    assert all(row.endswith(("\\\\", "\\\\[0.5em]")) for row in rows[:-1])
    assert not rows[-1].endswith("\\\\")
    assert sum(row.endswith("[0.5em]") for row in rows) == 1


def test_tape_does_not_change_gradients() -> None:
    x, y, loss = tiny()
    x.grad = 5.0
    tape(loss)
    tape(loss, fmt="latex")
    assert (x.grad, y.grad, loss.grad) == (5.0, 0.0, 0.0)


# --------------------------------------------------------------------------- LaTeX details
def test_tape_latex_writes_exponents_and_escapes_labels() -> None:
    x = Value(1e-5, "layers.0_w#1")
    c = Value(-2.0)
    out = x * c
    vx, vc = (name[1:] for name in names(out, x, c))
    latex = tape(out, fmt="latex")
    expected = [  # X and C stand for the two leaves' numbers
        r"v_{X} &= \text{layers.0\_w\#1} = 1 \times 10^{-5} \\",
        r"\bar{v}_{X} &\mathrel{+}= v_{C} \cdot \bar{v}_{2} = -2.0 \cdot 1.0"
        r" \;\rightarrow\; \bar{v}_{X} = -2.0",
        r"\bar{v}_{C} &\mathrel{+}= v_{X} \cdot \bar{v}_{2} = 1 \times 10^{-5} \cdot 1.0"
        r" \;\rightarrow\; \bar{v}_{C} = 1 \times 10^{-5}",
    ]
    for line in expected:
        assert line.replace("X", vx).replace("C", vc) in latex, line


def test_tape_latex_names_functions_as_math_operators() -> None:
    x = Value(0.5, "x")
    latex = tape(x.tanh() + x.sigmoid() + x.relu() + x.sqrt() + abs(x) + x.log1p(), fmt="latex")
    for piece in (
        r"\tanh(v_{0})",
        r"\sigma(v_{0})",
        r"\operatorname{relu}(v_{0})",
        r"\sqrt{v_{0}}",
        r"\lvert v_{0} \rvert",
        r"\ln(1 + v_{0})",
        r"(1 - v_{1}^{2}) \cdot \bar{v}_{1}",
        r"\frac{1}{1 + v_{0}}",
    ):
        assert piece in latex, piece
    assert math.isfinite(float(tape(x.tanh()).splitlines()[1].split(" = ")[-1]))


# --------------------------------------------------------------------------- bad input
def test_tape_rejects_bad_input() -> None:
    with pytest.raises(TypeError, match=r"tape: expected a Value, got float"):
        tape(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"tape: fmt must be one of 'text', 'latex', got 'html'"):
        tape(Value(1.0), fmt="html")
    with pytest.raises(ValueError, match=r"tape: digits must be >= 1, got 0"):
        tape(Value(1.0), digits=0)
    with pytest.raises(TypeError, match=r"tape: digits must be an int or None, got 2.5"):
        tape(Value(1.0), digits=2.5)  # type: ignore[arg-type]


def test_tape_displays_its_lines_in_jupyter_not_an_escaped_repr() -> None:
    x = Value(2.0, "x")
    t = tape(x.tanh())
    assert isinstance(t, str) and "\n" in t
    markdown = t._repr_markdown_()
    assert markdown.startswith("```\n") and markdown.endswith("\n```")
    assert markdown.splitlines()[1:-1] == t.splitlines()
    assert "\\n" not in markdown  # the lines themselves, never repr()'s escapes
    shown: list[str] = []

    class Printer:
        def text(self, s: str) -> None:
            shown.append(s)

    t._repr_pretty_(Printer(), False)
    assert shown == [str(t)]
    latex = tape(x.tanh(), fmt="latex")
    assert latex._repr_latex_() == f"$${latex}$$"
    assert t._repr_latex_() is None
