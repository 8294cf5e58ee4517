"""Trace once, replay: a graph turned into straight-line Python over plain floats.

A program that builds the same graph every time (an MLP's forward pass, a loss) can be recorded
once and written out as code: one assignment per node for the forward pass, then the reverse
sweep — ``∂root/∂parent += ∂node/∂parent · ∂root/∂node`` — as one statement per edge, in exactly
the order ``Value.backward()`` accumulates. Replaying that code with new leaf values gives the
same floats as building the graph again (bit for bit) without creating a single node::

    >>> from tinygrad_edu import Value
    >>> w = Value(0.5, label="w")
    >>> f = compile(lambda x: (x * w + 1.0).tanh(), [2.0], params=[w])
    >>> value, (dx,) = f.value_and_grad(0.3)
    >>> round(value, 12), round(dx, 12), round(w.grad, 12)
    (0.81775407797, 0.165639133981, 0.099383480389)
    >>> print(f.source.splitlines()[0])
    def replay(X, P, G):

Each primitive contributes its forward and its local derivatives as code (``TEMPLATES``, keyed
by the name in ``ops.TABLE``); a primitive without a template is called through its own
``forward`` and ``rule``, so every op of the table compiles.

Known limits (the trace records one run of Python):

* a constant computed from ``.data`` while tracing (``x - max(v.data for v in xs)``, a branch
  on ``x.data > 0``) is frozen at its traced value. ``check=`` compares the first replays with
  an eager rebuild and raises :class:`CompileMismatch` on any difference; a max-shift that
  follows the data is available as :func:`data_max` (a stop-gradient node);
* leaves that are neither inputs nor ``params`` are constants (their value at trace time);
* an arithmetic error during a replay (overflow, log of 0) reruns the step eagerly, so the
  error raised is the library's own message.
"""

from __future__ import annotations

import builtins
import itertools
import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import checks, ops
from .engine import Value, apply, interior_order
from .ops import Primitive

__all__ = [
    "TEMPLATES",
    "CompileMismatch",
    "Compiled",
    "compile",
    "data_max",
    "lower",
]

Fwd = Callable[[Primitive, list[str]], str]
Loc = Callable[[Primitive, list[str], str], list[str]]

_SUM_IS_PLAIN = sys.version_info < (3, 12)  # 3.12 made sum() of floats compensated


def _dot_forward(op: Primitive, a: list[str]) -> str:
    n = (len(a) - 1) // 2
    products = [f"{w} * {x}" for w, x in zip(a[:n], a[n : 2 * n])]
    if _SUM_IS_PLAIN:
        # sum() adds left to right from 0: the same roundings as the written-out chain
        return " + ".join(["0.0", *products, a[2 * n]])
    return f"_sum(({', '.join(products)},)) + {a[2 * n]}" if products else f"0 + {a[2 * n]}"


def _dot_locals(op: Primitive, a: list[str], out: str) -> list[str]:
    n = (len(a) - 1) // 2
    return [*a[n : 2 * n], *a[:n], "1.0"]


def _powc_forward(op: Primitive, a: list[str]) -> str:
    return f"{a[0]} ** {op.params[0]!r}"


def _powc_locals(op: Primitive, a: list[str], out: str) -> list[str]:
    n = op.params[0]
    if n == 0.0:
        return ["0.0"]
    if n == 1.0:
        return ["1.0"]
    return [f"{n!r} * {a[0]} ** {n - 1.0!r}"]


def _powc_has_template(op: Primitive) -> bool:
    # an integer exponent never turns a negative base complex; others go through op.forward
    return float(op.params[0]).is_integer()


def _unary(fn: str) -> Fwd:
    return lambda op, a: f"{fn}({a[0]})"


def _const(*texts: str) -> Loc:
    return lambda op, a, out: list(texts)


# name -> (forward code, local-derivative code); {a} are the parents' names, out the node's.
# Each is written to give exactly the floats of the entry's forward and rule in ops.py.
TEMPLATES: dict[str, tuple[Fwd, Loc]] = {
    "add": (lambda op, a: f"{a[0]} + {a[1]}", _const("1.0", "1.0")),
    "mul": (lambda op, a: f"{a[0]} * {a[1]}", lambda op, a, out: [a[1], a[0]]),
    "neg": (lambda op, a: f"-{a[0]}", _const("-1.0")),
    "sum": (lambda op, a: f"_fsum(({', '.join(a)},))", lambda op, a, out: ["1.0"] * len(a)),
    "dot": (_dot_forward, _dot_locals),
    "powc": (_powc_forward, _powc_locals),
    "exp": (_unary("_exp"), lambda op, a, out: [out]),
    "log": (_unary("_log"), lambda op, a, out: [f"1.0 / {a[0]}"]),
    "tanh": (_unary("_tanh"), lambda op, a, out: [f"1.0 - {out} * {out}"]),
    "relu": (
        lambda op, a: f"(0.0 if {a[0]} <= 0.0 else {a[0]})",
        lambda op, a, out: [f"(1.0 if {a[0]} > 0.0 else 0.0)"],
    ),
    "log1p": (_unary("_log1p"), lambda op, a, out: [f"1.0 / (1.0 + {a[0]})"]),
    "sin": (_unary("_sin"), lambda op, a, out: [f"_cos({a[0]})"]),
    "cos": (_unary("_cos"), lambda op, a, out: [f"-_sin({a[0]})"]),
    "sigmoid": (
        lambda op, a: f"_sigmoid({a[0]})",
        lambda op, a, out: [f"{out} * (1.0 - {out})"],
    ),
}

# what the templates call: the same math functions the table's forwards use
_NAMESPACE: dict[str, Any] = {
    "_sum": sum,
    "_fsum": math.fsum,
    "_exp": math.exp,
    "_log": math.log,
    "_tanh": math.tanh,
    "_log1p": math.log1p,
    "_sin": math.sin,
    "_cos": math.cos,
    "_sigmoid": ops.sigmoid_.forward,
    "_max": max,
}


def _max_forward(*xs: float) -> float:
    """f(x₁…xₙ) = max xᵢ, as a constant shift.   ∂f/∂xᵢ = 0 (stops the gradient)."""
    return max(xs)


def _max_rule(out: Any, *xs: Any) -> tuple[float, ...]:
    return (0.0,) * len(xs)


DATA_MAX = Primitive("data_max", "max", _max_forward, _max_rule, -1, (-3.0, 3.0))
TEMPLATES["data_max"] = (
    lambda op, a: f"_max(({', '.join(a)},))",
    lambda op, a, out: ["0.0"] * len(a),
)


def data_max(values: Sequence[Value]) -> Value:
    """The largest value as a node with zero gradient: a softmax shift a trace can follow.

    ``z - max(v.data for v in zs)`` freezes the shift when traced; ``z - data_max(zs)``
    computes the same floats and gradients, and a replay recomputes it.

    >>> data_max([Value(1.0), Value(3.0), Value(2.0)]).data
    3.0
    """
    if not values:
        raise ValueError("data_max: needs at least one value")
    return apply(DATA_MAX, *values)


def _has_template(op: Primitive) -> bool:
    if op.name not in TEMPLATES:
        return False
    if op.name == "powc":
        return _powc_has_template(op)
    return op is ops.TABLE.get(op.name) or op.name in ("powc", "data_max")


class CompileMismatch(AssertionError):
    """A replay differed from an eager rebuild: the trace does not describe this call."""


# ====================================================================== lowering
@dataclass
class Lowered:
    """A graph written out as code: the forward lines, the backward lines and the names."""

    forward: list[str]
    backward: list[str]
    roots: list[str]  # the value names of the roots, in order
    n_inputs: int
    params: list[int]  # indices (into the params list given) of the parameters used
    seeds: list[str]  # how each root's gradient starts (a literal or a seed name)
    namespace: dict[str, Any] = field(default_factory=dict)
    n_nodes: int = 0
    n_edges: int = 0


def lower(
    roots: Sequence[Value],
    inputs: Sequence[Value],
    params: Sequence[Value] | None,
    seeds: Sequence[str] | None = None,
    input_grads: bool = True,
) -> Lowered:
    """Write the graph above ``roots`` as straight-line code.

    ``inputs`` are leaves read per call (``x0, x1, …``); ``params`` leaves whose ``.data`` is
    read and whose gradient is accumulated (``p0, …`` by their index in ``params``; ``None``
    makes every other leaf a parameter); every other leaf is a constant. ``seeds`` names each
    root's incoming gradient (default: one root, seeded with 1.0 as ``backward()`` does).
    The backward sweep is in the order ``backward()`` would use on a node whose parents are
    ``roots`` in that order.
    """
    if seeds is None:
        if len(roots) != 1:
            raise ValueError("lower: several roots need seed names")
        seeds = ["1.0"]
    input_index = {id(v): j for j, v in enumerate(inputs)}
    param_index: dict[int, int] = {}
    auto_params: list[Value] = []
    if params is not None:
        param_index = {id(p): k for k, p in enumerate(params)}
    if len(roots) == 1:
        order = interior_order(roots[0]) if roots[0]._parents else []
    else:
        hub = Value(0.0)
        hub._parents = tuple(roots)
        order = interior_order(hub)[:-1]
    namespace: dict[str, Any] = {}
    names: dict[int, str] = {}
    used_params: list[int] = []
    n_consts = itertools.count()

    def leaf_name(v: Value) -> str:
        key = id(v)
        name = names.get(key)
        if name is not None:
            return name
        if key in input_index:
            name = f"x{input_index[key]}"
        elif key in param_index or params is None:
            if params is None:
                param_index[key] = len(auto_params)
                auto_params.append(v)
            k = param_index[key]
            used_params.append(k)
            name = f"p{k}"
        else:
            c = v.data
            if math.isfinite(c):
                name = repr(c) if c >= 0.0 or c != c else f"({c!r})"
                if c == 0.0 and math.copysign(1.0, c) < 0.0:
                    name = "(-0.0)"
            else:
                name = f"c{next(n_consts)}"
                namespace[name] = c
        names[key] = name
        return name

    for v in roots:
        if not v._parents:
            leaf_name(v)
    forward: list[str] = []
    locals_of: dict[int, list[str]] = {}
    n_edges = 0
    for i, node in enumerate(order):
        op = node._op
        assert op is not None
        args = [names[id(p)] if p._parents else leaf_name(p) for p in node._parents]
        out = f"v{i}"
        names[id(node)] = out
        n_edges += len(args)
        comment = f"  # {op.symbol}" + (f" {node.label}" if node.label else "")
        if _has_template(op):
            fwd, loc = TEMPLATES[op.name]
            forward.append(f"{out} = {fwd(op, args)}{comment}")
            locals_of[i] = loc(op, args, out)
        else:
            fname, rname = f"_f{i}", f"_r{i}"
            namespace[fname] = op.forward
            namespace[rname] = op.rule
            forward.append(f"{out} = {fname}({', '.join(args)}){comment}")
            lname = f"l{i}"
            forward.append(f"{lname} = {rname}({out}, {', '.join(args)})")
            locals_of[i] = [f"{lname}[{j}]" for j in range(len(args))]

    # which nodes pass a gradient on to something we report
    position = {id(node): i for i, node in enumerate(order)}
    needs = [False] * len(order)
    for i, node in enumerate(order):
        for p in node._parents:
            if p._parents:
                if needs[position[id(p)]]:
                    needs[i] = True
                    break
            else:
                name = names[id(p)]
                if name[0] == "p" or (name[0] == "x" and input_grads):
                    needs[i] = True
                    break

    backward: list[str] = []
    started: set[str] = set()
    grad_of_root: dict[int, str] = {}
    for r, seed in zip(roots, seeds):
        if r._parents:
            gname = f"g{position[id(r)]}"
            if gname in started:
                backward.append(f"{gname} += {seed}")
            else:
                backward.append(f"{gname} = {seed}")
                started.add(gname)
            grad_of_root[id(r)] = gname
        else:
            name = names[id(r)]
            if name[0] == "p" or (name[0] == "x" and input_grads):
                backward.append(f"g{name} += {seed}")
    for i in range(len(order) - 1, -1, -1):
        if not needs[i]:
            continue
        node = order[i]
        g = f"g{i}"
        if g not in started:
            continue  # no gradient reached it (cannot happen below a root)
        literal_one = g in grad_of_root.values() and seeds == ["1.0"]
        for parent, local in zip(node._parents, locals_of[i]):
            if parent._parents:
                j = position[id(parent)]
                if not needs[j]:
                    continue
                target = f"g{j}"
            else:
                name = names[id(parent)]
                if not (name[0] == "p" or (name[0] == "x" and input_grads)):
                    continue  # a constant: its gradient is never read
                target = f"g{name}"
            if local == "1.0":
                term, op_ = (g, "+")
            elif local == "-1.0":
                term, op_ = (g, "-")
            else:
                term, op_ = (local if literal_one else f"{_atom(local)} * {g}", "+")
            if target[1] != "p" and target[1] != "x" and target not in started:
                started.add(target)
                backward.append(f"{target} = {'-' if op_ == '-' else ''}{term}")
            else:
                backward.append(f"{target} {op_}= {term}")
    lowered = Lowered(
        forward=forward,
        backward=backward,
        roots=[names[id(r)] for r in roots],
        n_inputs=len(inputs),
        params=sorted(set(used_params)),
        seeds=list(seeds),
        namespace=namespace,
        n_nodes=len(order),
        n_edges=n_edges,
    )
    lowered.auto_params = auto_params  # type: ignore[attr-defined]
    return lowered


def _atom(expr: str) -> str:
    """``expr`` safe as an operand of ``*``: parenthesised unless it is a name or a literal."""
    if re.fullmatch(r"[\w.]+(\[\d+\])?", expr):
        return expr
    if expr.startswith("(") and expr.endswith(")"):
        depth = 0
        for i, ch in enumerate(expr):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(expr) - 1:
                break
        else:
            return expr
    return f"({expr})"


def _unpack(names: Sequence[str], source: str) -> str:
    if not names:
        return ""
    return f"{', '.join(names)}, = {source}"


def _function_source(low: Lowered, name: str = "replay") -> str:
    xs = [f"x{j}" for j in range(low.n_inputs)]
    ps = [f"p{k}" for k in low.params]
    lines = [
        f"def {name}(X, P, G):",
        f'    """{low.n_nodes} nodes, {low.n_edges} edges: the value, then d/dX and d/dP."""',
    ]
    body: list[str] = []
    if xs:
        body.append(_unpack(xs, "X"))
    if ps:
        body.append(_unpack(ps, "P"))
    body.append("# forward: one line per node, parents before children")
    body += low.forward
    body.append("# backward: parent gradient += local derivative * node gradient, in reverse")
    if ps:
        body.append(_unpack([f"g{p}" for p in ps], "G"))
    body += [f"g{x} = 0.0" for x in xs]
    body += low.backward
    grads_x = "".join(f"g{x}, " for x in xs)
    grads_p = "".join(f"g{p}, " for p in ps)
    body.append(f"return {low.roots[0]}, ({grads_x}), ({grads_p})")
    lines += ["    " + line for line in body]
    return "\n".join(lines) + "\n"


def _build(source: str, namespace: dict[str, Any], name: str) -> Callable[..., Any]:
    env = dict(_NAMESPACE)
    env.update(namespace)
    exec(builtins.compile(source, f"<tinygrad_edu.compile {name}>", "exec"), env)
    fn: Callable[..., Any] = env[name]
    return fn


# ====================================================================== compile(f, inputs)
class Compiled:
    """A scalar function of Values, traced once and replayed as straight-line float code.

    ``compiled(*xs)`` returns f's value; ``value_and_grad(*xs)`` also returns ∂f/∂xᵢ and adds
    ∂f/∂p to every parameter's ``.grad``, as ``backward()`` would. ``source`` is the code.
    """

    def __init__(
        self,
        f: Callable[..., Value],
        example_inputs: Sequence[float],
        params: Sequence[Value] | None = None,
        check: int = 1,
    ) -> None:
        self.f = f
        self.check = checks.count(check, "compile", "check")
        xs = [
            checks.real(x, "compile", f"example_inputs[{i}]") for i, x in enumerate(example_inputs)
        ]
        self.n_inputs = len(xs)
        leaves = [Value(x) for x in xs]
        root = f(*leaves)
        if not isinstance(root, Value):
            raise TypeError(f"compile: f must return a Value, got {type(root).__name__}")
        low = lower([root], leaves, params)
        self.params: list[Value] = (
            list(params) if params is not None else low.auto_params  # type: ignore[attr-defined]
        )
        self._used = [self.params[k] for k in low.params]
        self.source = _function_source(low)
        self.n_nodes = low.n_nodes
        self.n_edges = low.n_edges
        self._fn = _build(self.source, low.namespace, "replay")
        self._checked = 0

    def _args(self, xs: Sequence[float]) -> tuple[list[float], list[float], list[float]]:
        if len(xs) != self.n_inputs:
            raise TypeError(f"compile: the function takes {self.n_inputs} inputs, got {len(xs)}")
        X = [x if type(x) is float else checks.real(x, "compile", "an input") for x in xs]
        return X, [p.data for p in self._used], [p.grad for p in self._used]

    def _eager(self, X: Sequence[float]) -> tuple[float, list[float]]:
        leaves = [Value(x) for x in X]
        root = self.f(*leaves)
        root.backward()
        return root.data, [v.grad for v in leaves]

    def value_and_grad(self, *xs: float) -> tuple[float, list[float]]:
        """f(xs) and [∂f/∂xᵢ]; each parameter's ``.grad`` grows by ∂f/∂p (as backward())."""
        X, P, G = self._args(xs)
        try:
            value, gx, gp = self._fn(X, P, G)
        except (ArithmeticError, ValueError):
            return self._eager(X)  # the library's own error, or its value at a pole
        if self._checked < self.check:
            self._checked += 1
            before = [p.grad for p in self._used]
            eager_value, eager_gx = self._eager(X)
            _compare(
                "compile",
                [value, *gx, *gp],
                [eager_value, *eager_gx, *(p.grad for p in self._used)],
            )
            for p, g in zip(self._used, before):
                p.grad = g
        for p, g in zip(self._used, gp):
            p.grad = g
        return value, list(gx)

    def __call__(self, *xs: float) -> float:
        """f(xs) as a float (the gradient is computed too, and not kept)."""
        X, P, G = self._args(xs)
        try:
            value: float = self._fn(X, P, G)[0]
        except (ArithmeticError, ValueError):
            with_eager = self.f(*[Value(x) for x in X])
            return with_eager.data
        return value

    def __repr__(self) -> str:
        return f"Compiled({self.n_inputs} inputs, {len(self._used)} params, {self.n_nodes} nodes)"


def _compare(where: str, replayed: Sequence[float], eager: Sequence[float]) -> None:
    for i, (a, b) in enumerate(zip(replayed, eager, strict=True)):
        if a.hex() != b.hex() and not (a != a and b != b):
            what = "the value" if i == 0 else f"gradient {i - 1}"
            raise CompileMismatch(
                f"{where}: the replay differs from an eager rebuild in {what}: {a!r} != {b!r} "
                "(a constant computed from .data, or Python control flow, changed the graph)"
            )


def compile(
    f: Callable[..., Value],
    example_inputs: Iterable[float],
    params: Sequence[Value] | None = None,
    check: int = 1,
) -> Compiled:
    """Trace ``f(*example_inputs)`` once and return it as straight-line code (:class:`Compiled`).

    ``params``: the leaves f closes over whose value may change between calls and whose
    ``.grad`` is filled (default: every leaf of the graph that is not an input). ``check``: how
    many first calls are compared, bit for bit, with an eager rebuild.

    >>> from tinygrad_edu import Value
    >>> f = compile(lambda a, b: a * b + a, [2.0, 3.0])
    >>> f.value_and_grad(4.0, 5.0)
    (24.0, [6.0, 4.0])
    """
    return Compiled(f, list(example_inputs), params, check)
