"""Hypothesis strategies: the one place that chooses the input domains of the test suite.

What lives here and why:

* ``floats_in``, ``away_from``, ``primitive_args``: inputs for a primitive of ``ops.TABLE``,
  drawn from the domain the primitive itself declares and kept a margin away from its kinks,
  so central differences are meaningful there.
* ``dags``: random straight-line programs over scalars (a ``Dag``) that reuse nodes on purpose
  (``a + a``, ``a * a``, diamonds, n-ary sums with repeated terms). A ``Dag`` is callable on
  Values (the engine under test) and carries two independent references written with
  ``math`` only: its float forward, and its exact gradient by forward-mode tangents.
* ``mlp_shapes``, ``activations``, ``seeds``: small networks for tests of ``tinygrad_edu.nn``.

Other test modules import from here rather than inventing their own domains.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from tinygrad_edu import ops
from tinygrad_edu.engine import Value, apply
from tinygrad_edu.nary import dot, vsum
from tinygrad_edu.nn import ACTIVATIONS

# Central differences use ε ≈ 1e-6; staying 1e-3 away from a kink keeps both probes x ± ε on
# the same smooth piece, with room to spare.
KINK_MARGIN = 1e-3


# --------------------------------------------------------------------------- plain floats
def floats_in(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite floats in [lo, hi] (no NaN, no infinities)."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from(
    xs: st.SearchStrategy[float], kinks: Sequence[float], margin: float = KINK_MARGIN
) -> st.SearchStrategy[float]:
    """``xs`` with any draw closer than ``margin`` to a kink pushed out to kink ± margin.

    Mapping instead of filtering: hypothesis likes 0.0, which is also the most common kink.
    """
    kinks = tuple(kinks)

    def push(x: float) -> float:
        for k in kinks:
            if abs(x - k) < margin:
                return k + margin if x >= k else k - margin
        return x

    return xs.map(push)


def nonzero_floats(lo: float = -5.0, hi: float = 5.0, gap: float = 0.1) -> st.SearchStrategy[float]:
    """Floats in [lo, hi] with |x| ≥ gap: safe divisors."""
    return away_from(floats_in(lo, hi), (0.0,), gap)


# --------------------------------------------------------------------------- primitives
def primitive_domain(prim: ops.Primitive) -> tuple[float, float]:
    """Where a primitive is sampled: the domain it declares, or [-3, 3] if it declares none."""
    return prim.domain if prim.domain is not None else (-3.0, 3.0)


def arg_count(prim: ops.Primitive, n: int) -> int:
    """How many arguments a call of ``prim`` takes; ``n`` terms for an n-ary primitive.

    ``dot`` takes (w₁…wₙ, x₁…xₙ, b), i.e. 2n + 1 arguments; ``sum`` takes n.
    """
    if prim.arity >= 0:
        return prim.arity
    return 2 * n + 1 if prim.name == "dot" else n


@st.composite
def primitive_args(draw: st.DrawFn, prim: ops.Primitive, max_terms: int = 4) -> tuple[float, ...]:
    """A tuple of arguments for ``prim``: in its domain, away from its kinks."""
    n = draw(st.integers(1, max_terms)) if prim.arity < 0 else 0
    lo, hi = primitive_domain(prim)
    x = away_from(floats_in(lo, hi), prim.kinks)
    return tuple(draw(x) for _ in range(arg_count(prim, n)))


# Exponents for ops.powc(n): integers (also defined at negative bases), fractions, 0 and 1.
POWC_EXPONENTS: tuple[float, ...] = (-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 7.0)
INTEGER_EXPONENTS: tuple[float, ...] = tuple(n for n in POWC_EXPONENTS if n.is_integer())


@st.composite
def clamp_bounds_and_x(draw: st.DrawFn) -> tuple[float, float, float]:
    """(lo, hi, x) with lo < hi and x away from both bounds (the clamp's kinks)."""
    lo = draw(floats_in(-3.0, 2.0))
    hi = lo + draw(floats_in(0.01, 3.0))
    x = draw(away_from(floats_in(-4.0, 4.0), (lo, hi)))
    return lo, hi, x


# --------------------------------------------------------------------------- random DAGs
# A node of a Dag may not exceed this in magnitude: keeps exp/pow finite and keeps the
# rounding error of central differences (about u·|f|/ε) far below the tolerances.
DAG_BOUND = 30.0
# Distance from relu/abs/clamp kinks and from poles; large enough that a gradient of a few
# hundred times ε cannot carry a probe across.
DAG_MARGIN = 0.05
DAG_POLE_GAP = 0.25


@dataclass(frozen=True)
class DagOp:
    """One operation a random program may use.

    ``on_values`` builds it with the engine; ``on_floats`` and ``partials`` are independent
    ``math`` references (the value, and ∂/∂ each argument); ``ok`` says whether the arguments
    are safely inside the domain (away from kinks and poles).
    """

    name: str
    arity: int  # -1: n-ary sum; -2: dot (2n + 1 arguments)
    on_values: Callable[..., Value]
    on_floats: Callable[..., float]
    partials: Callable[..., tuple[float, ...]]
    ok: Callable[..., bool] = lambda *xs: True


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _dot_floats(*a: float) -> float:
    n = (len(a) - 1) // 2
    return math.fsum(a[i] * a[n + i] for i in range(n)) + a[2 * n]


def _dot_partials(*a: float) -> tuple[float, ...]:
    n = (len(a) - 1) // 2
    return (*a[n : 2 * n], *a[:n], 1.0)


def _far(x: float, points: Sequence[float], gap: float) -> bool:
    return all(abs(x - p) >= gap for p in points)


DAG_OPS: tuple[DagOp, ...] = (
    DagOp("add", 2, lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    DagOp("sub", 2, lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    DagOp("mul", 2, lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a)),
    DagOp(
        "div",
        2,
        lambda a, b: a / b,
        lambda a, b: a / b,
        lambda a, b: (1.0 / b, -a / (b * b)),
        lambda a, b: abs(b) >= DAG_POLE_GAP,
    ),
    DagOp(
        "pow",
        2,
        lambda a, b: a**b,
        lambda a, b: a**b,
        lambda a, b: (b * a ** (b - 1.0), a**b * math.log(a)),
        lambda a, b: a >= DAG_POLE_GAP,
    ),
    # number-and-Value forms, both sides
    DagOp("radd", 1, lambda a: 1.5 + a, lambda a: 1.5 + a, lambda a: (1.0,)),
    DagOp("rsub", 1, lambda a: 1.5 - a, lambda a: 1.5 - a, lambda a: (-1.0,)),
    DagOp("subc", 1, lambda a: a - 0.5, lambda a: a - 0.5, lambda a: (1.0,)),
    DagOp("rmul", 1, lambda a: -0.75 * a, lambda a: -0.75 * a, lambda a: (-0.75,)),
    DagOp("divc", 1, lambda a: a / 4.0, lambda a: a / 4.0, lambda a: (0.25,)),
    DagOp(
        "rdiv",
        1,
        lambda a: 2.0 / a,
        lambda a: 2.0 / a,
        lambda a: (-2.0 / (a * a),),
        lambda a: abs(a) >= DAG_POLE_GAP,
    ),
    DagOp("rpow", 1, lambda a: 1.5**a, lambda a: 1.5**a, lambda a: (1.5**a * math.log(1.5),)),
    DagOp("neg", 1, lambda a: -a, lambda a: -a, lambda a: (-1.0,)),
    DagOp("square", 1, lambda a: a**2, lambda a: a * a, lambda a: (2.0 * a,)),
    DagOp("cube", 1, lambda a: a**3, lambda a: a * a * a, lambda a: (3.0 * a * a,)),
    DagOp(
        "inv",
        1,
        lambda a: a**-1,
        lambda a: 1.0 / a,
        lambda a: (-1.0 / (a * a),),
        lambda a: abs(a) >= DAG_POLE_GAP,
    ),
    DagOp(
        "sqrt",
        1,
        lambda a: a.sqrt(),
        math.sqrt,
        lambda a: (0.5 / math.sqrt(a),),
        lambda a: a >= DAG_POLE_GAP,
    ),
    DagOp("exp", 1, lambda a: a.exp(), math.exp, lambda a: (math.exp(a),), lambda a: a <= 3.0),
    DagOp(
        "log",
        1,
        lambda a: a.log(),
        math.log,
        lambda a: (1.0 / a,),
        lambda a: a >= DAG_POLE_GAP,
    ),
    DagOp(
        "log1p",
        1,
        lambda a: a.log1p(),
        math.log1p,
        lambda a: (1.0 / (1.0 + a),),
        lambda a: a >= DAG_POLE_GAP - 1.0,
    ),
    DagOp("tanh", 1, lambda a: a.tanh(), math.tanh, lambda a: (1.0 / math.cosh(a) ** 2,)),
    DagOp(
        "sigmoid",
        1,
        lambda a: a.sigmoid(),
        _sigmoid,
        lambda a: (_sigmoid(a) * _sigmoid(-a),),
    ),
    DagOp(
        "softplus",
        1,
        lambda a: a.softplus(),
        lambda a: math.log1p(math.exp(a)),
        lambda a: (_sigmoid(a),),
    ),
    DagOp("sin", 1, lambda a: a.sin(), math.sin, lambda a: (math.cos(a),)),
    DagOp("cos", 1, lambda a: a.cos(), math.cos, lambda a: (-math.sin(a),)),
    DagOp(
        "relu",
        1,
        lambda a: a.relu(),
        lambda a: max(a, 0.0),
        lambda a: (1.0 if a > 0.0 else 0.0,),
        lambda a: _far(a, (0.0,), DAG_MARGIN),
    ),
    DagOp(
        "abs",
        1,
        lambda a: abs(a),
        abs,
        lambda a: (1.0 if a > 0.0 else -1.0,),
        lambda a: _far(a, (0.0,), DAG_MARGIN),
    ),
    DagOp(
        "clamp",
        1,
        lambda a: a.clamp(-1.0, 1.0),
        lambda a: min(max(a, -1.0), 1.0),
        lambda a: (1.0 if -1.0 < a < 1.0 else 0.0,),
        lambda a: _far(a, (-1.0, 1.0), DAG_MARGIN),
    ),
    DagOp(
        "leaky_relu",
        1,
        lambda a: a.leaky_relu(0.1),
        lambda a: a if a > 0.0 else 0.1 * a,
        lambda a: (1.0 if a > 0.0 else 0.1,),
        lambda a: _far(a, (0.0,), DAG_MARGIN),
    ),
    DagOp(
        "vsum",
        -1,
        lambda *a: vsum(a),
        lambda *a: math.fsum(a),
        lambda *a: (1.0,) * len(a),
    ),
    DagOp(
        "dot",
        -2,
        lambda *a: dot(a[: len(a) // 2], a[len(a) // 2 : -1], a[-1]),
        _dot_floats,
        _dot_partials,
    ),
)
# Operations the default programs leave out (atan is no Value method; max, min and eq are
# composites over the comparison entries): with these, a program can reach every entry of
# ops.TABLE. Pass ``ops_=DAG_OPS + MORE_DAG_OPS`` to ``dags`` to use them.
MORE_DAG_OPS: tuple[DagOp, ...] = (
    DagOp("atan", 1, lambda a: apply(ops.atan, a), math.atan, lambda a: (1.0 / (1.0 + a * a),)),
    DagOp(
        "max",
        2,
        lambda a, b: a.max(b),
        max,
        lambda a, b: (1.0, 0.0) if a > b else (0.0, 1.0),
        lambda a, b: abs(a - b) >= DAG_MARGIN,
    ),
    DagOp(
        "min",
        2,
        lambda a, b: a.min(b),
        min,
        lambda a, b: (1.0, 0.0) if a < b else (0.0, 1.0),
        lambda a, b: abs(a - b) >= DAG_MARGIN,
    ),
    DagOp(
        "eq_plus",
        2,
        lambda a, b: a.eq(b) + a,
        lambda a, b: float(a == b) + a,
        lambda a, b: (1.0, 0.0),
        lambda a, b: abs(a - b) >= DAG_MARGIN,
    ),
)
DAG_OP_BY_NAME: dict[str, DagOp] = {op.name: op for op in DAG_OPS + MORE_DAG_OPS}


@dataclass(frozen=True)
class DagStep:
    """``v[k] = op(v[args[0]], v[args[1]], ...)``, with ``k`` the step's position."""

    op: str
    args: tuple[int, ...]


@dataclass(frozen=True)
class Dag:
    """A straight-line program: nodes ``v0 … v(n-1)`` are the inputs, each step adds one node.

    The result is the last node. Node indices repeat freely, so ``a * a``, ``a - a`` and
    diamonds (two paths from one node to the result) occur. Call it on Values to build the
    graph with the engine; ``forward_floats`` and ``grad_floats`` are the math references.
    """

    inputs: tuple[float, ...]
    steps: tuple[DagStep, ...]

    def __call__(self, *leaves: Value) -> Value:
        nodes = list(leaves)
        for step in self.steps:
            nodes.append(DAG_OP_BY_NAME[step.op].on_values(*(nodes[i] for i in step.args)))
        return nodes[-1]

    def forward_floats(self, xs: Sequence[float] | None = None) -> float:
        """The result computed with math on floats."""
        nodes = list(self.inputs if xs is None else xs)
        for step in self.steps:
            nodes.append(DAG_OP_BY_NAME[step.op].on_floats(*(nodes[i] for i in step.args)))
        return nodes[-1]

    def grad_floats(self) -> list[float]:
        """∂result/∂inputᵢ exactly (to rounding): forward-mode tangents, one per input."""
        n = len(self.inputs)
        nodes = list(self.inputs)
        tangents = [[1.0 if j == i else 0.0 for j in range(n)] for i in range(n)]
        for step in self.steps:
            op = DAG_OP_BY_NAME[step.op]
            args = [nodes[i] for i in step.args]
            partials = op.partials(*args)
            nodes.append(op.on_floats(*args))
            tangents.append(
                [
                    math.fsum(d * tangents[i][j] for d, i in zip(partials, step.args))
                    for j in range(n)
                ]
            )
        return tangents[-1]

    def __repr__(self) -> str:
        lines = [f"v{i} = {x!r}" for i, x in enumerate(self.inputs)]
        k = len(self.inputs)
        for step in self.steps:
            args = ", ".join(f"v{i}" for i in step.args)
            lines.append(f"v{k} = {step.op}({args})")
            k += 1
        return "Dag(\n  " + "\n  ".join(lines) + "\n)"


def _usable(op: DagOp, args: Sequence[float]) -> bool:
    if not op.ok(*args):
        return False
    try:
        out = op.on_floats(*args)
    except (ValueError, OverflowError, ZeroDivisionError):
        return False
    return math.isfinite(out) and abs(out) <= DAG_BOUND


@st.composite
def dags(
    draw: st.DrawFn,
    max_inputs: int = 4,
    max_steps: int = 10,
    input_range: float = 2.0,
    ops_: Sequence[DagOp] = DAG_OPS,
) -> Dag:
    """A random Dag whose every node stays in [-DAG_BOUND, DAG_BOUND], away from kinks/poles.

    Arguments are picked from all earlier nodes, often the same node twice and often the
    newest one, so reuse (a + a, a * a, a - a) and diamonds are common. If an op's arguments
    fall outside its safe region the draw tries another, falling back to tanh (safe anywhere).
    The last step is a sum of every node not yet used, so every node reaches the result.
    """
    n_inputs = draw(st.integers(1, max_inputs))
    # Inputs avoid 0 by a little, so a first relu/abs step is often usable.
    xs = [
        draw(away_from(floats_in(-input_range, input_range), (0.0,), DAG_MARGIN))
        for _ in range(n_inputs)
    ]
    values = list(xs)
    steps: list[DagStep] = []
    fallback = DAG_OP_BY_NAME["tanh"]
    for _ in range(draw(st.integers(1, max_steps))):
        newest = len(values) - 1
        index = st.one_of(st.just(newest), st.integers(0, newest))
        step: DagStep | None = None
        for _attempt in range(4):
            op = draw(st.sampled_from(tuple(ops_)))
            if op.arity >= 0:
                count = op.arity
            else:
                terms = draw(st.integers(1, 3))
                count = terms if op.arity == -1 else 2 * terms + 1
            first = draw(index)
            args = [first] + [draw(st.one_of(st.just(first), index)) for _ in range(count - 1)]
            if _usable(op, [values[i] for i in args]):
                step = DagStep(op.name, tuple(args))
                break
        if step is None:
            op = fallback
            step = DagStep(op.name, (newest,))
        values.append(DAG_OP_BY_NAME[step.op].on_floats(*(values[i] for i in step.args)))
        steps.append(step)
    used = {i for s in steps for i in s.args}
    sinks = [i for i in range(len(values) - 1) if i not in used and i >= n_inputs]
    if sinks:
        final = DagStep("vsum", (*sinks, len(values) - 1))
        steps.append(final)
    return Dag(tuple(xs), tuple(steps))


def leaves_for(dag: Dag) -> list[Value]:
    """Fresh leaf Values holding a Dag's inputs."""
    return [Value(x, label=f"v{i}") for i, x in enumerate(dag.inputs)]


# --------------------------------------------------------------------------- networks
def activations() -> st.SearchStrategy[str]:
    """Any activation name nn accepts."""
    return st.sampled_from(sorted(ACTIVATIONS))


def smooth_activations() -> st.SearchStrategy[str]:
    """Activations without kinks: central differences apply at every point."""
    return st.sampled_from(("linear", "sigmoid", "tanh"))


def seeds() -> st.SearchStrategy[int]:
    """Seeds for nn's initialisation."""
    return st.integers(0, 2**32 - 1)


@st.composite
def mlp_shapes(
    draw: st.DrawFn, max_nin: int = 4, max_layers: int = 3, max_width: int = 4
) -> tuple[int, list[int]]:
    """(nin, nouts) for a small MLP."""
    nin = draw(st.integers(1, max_nin))
    nouts = draw(st.lists(st.integers(1, max_width), min_size=1, max_size=max_layers))
    return nin, nouts


def inputs_for(nin: int, bound: float = 2.0) -> st.SearchStrategy[list[float]]:
    """An input vector of length ``nin`` with entries in [-bound, bound]."""
    return st.lists(floats_in(-bound, bound), min_size=nin, max_size=nin)
