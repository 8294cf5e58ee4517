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
from .gcpolicy import gc_paused
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
    "_sigmoid": ops.sigmoid.forward,
    "_max": max,
}


def _max_forward(*xs: float) -> float:
    """f(x₁…xₙ) = max xᵢ, as a constant shift.   ∂f/∂xᵢ = 0 (stops the gradient)."""
    return max(xs)


def _max_rule(out: Any, *xs: Any) -> tuple[float, ...]:
    return (0.0,) * len(xs)


DATA_MAX = Primitive(
    "data_max", "max", _max_forward, _max_rule, -1, derivatives=("0",), domain=(-3.0, 3.0)
)
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
    auto_params: list[Value] = field(default_factory=list)  # the leaves taken as parameters


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
        op = node._prim
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

    # Each gradient is written once, as the sum of its contributions in the order backward()
    # adds them: an interior node's when the sweep reaches it (all its children are done), a
    # leaf's at the end. Left to right, ((c₁ + c₂) + c₃)…, that is the same rounding as +=.
    backward: list[str] = []
    pending: dict[str, list[tuple[str, str]]] = {}
    leaf_targets: list[str] = []

    def contribute(target: str, sign: str, term: str) -> None:
        terms = pending.get(target)
        if terms is None:
            terms = pending[target] = []
            if target[1] in "px":
                leaf_targets.append(target)
        terms.append((sign, term))

    def reported(name: str) -> bool:
        return name[0] == "p" or (name[0] == "x" and input_grads)

    literal_root = ""
    for r, seed in zip(roots, seeds):
        if r._parents:
            g_root = f"g{position[id(r)]}"
            contribute(g_root, "+", seed)
            if seeds == ["1.0"]:
                literal_root = g_root
        elif reported(names[id(r)]):
            contribute(f"g{names[id(r)]}", "+", seed)
    for i in range(len(order) - 1, -1, -1):
        g = f"g{i}"
        terms = pending.pop(g, None)
        if terms is None or not needs[i]:
            continue
        backward += _sum_into(g, terms, accumulate=False)
        literal_one = g == literal_root
        node = order[i]
        for parent, local in zip(node._parents, locals_of[i]):
            if parent._parents:
                j = position[id(parent)]
                if not needs[j]:
                    continue
                target = f"g{j}"
            else:
                name = names[id(parent)]
                if not reported(name):
                    continue  # a constant: its gradient is never read
                target = f"g{name}"
            if local == "1.0":
                contribute(target, "+", g)
            elif local == "-1.0":
                contribute(target, "-", g)
            else:
                contribute(target, "+", local if literal_one else f"{_atom(local)} * {g}")
    for target in leaf_targets:
        backward += _sum_into(target, pending[target], accumulate=True)
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
        auto_params=auto_params,
    )
    return lowered


_TERMS_PER_LINE = 32  # long sums are split, left to right, to keep lines readable


def _sum_into(target: str, terms: list[tuple[str, str]], accumulate: bool) -> list[str]:
    """``target = [target] ± t₁ ± t₂ …``, evaluated left to right like repeated ``+=``."""
    lines = []
    for lo in range(0, len(terms), _TERMS_PER_LINE):
        chunk = terms[lo : lo + _TERMS_PER_LINE]
        if (accumulate or lo) and len(chunk) == 1:
            lines.append(f"{target} {chunk[0][0]}= {chunk[0][1]}")
            continue
        if accumulate or lo:
            text = target + "".join(f" {sign} {term}" for sign, term in chunk)
        else:
            sign, first = chunk[0]
            text = ("-" if sign == "-" else "") + first
            text += "".join(f" {sign} {term}" for sign, term in chunk[1:])
        lines.append(f"{target} = {text}")
    return lines


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
        self.params: list[Value] = list(params) if params is not None else low.auto_params
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


# ====================================================================== the training step
_NAME_RE = re.compile(r"\b[vxl]\d+\b")


@dataclass
class _ExampleProgram:
    """One example's model graph as two loops over a batch: forward, and backward."""

    n_outputs: int
    single: bool  # the model returned a Value (not a list)
    params: list[int]
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    source: str


def _example_program(
    model: Callable[[Sequence[Any]], Any], n_inputs: int, x: Sequence[float], params: list[Value]
) -> _ExampleProgram:
    leaves = [Value(float(v)) for v in x]
    out = model(leaves)
    single = isinstance(out, Value)
    outs: list[Value] = [out] if single else list(out)
    if not outs or not all(isinstance(o, Value) for o in outs):
        raise TypeError("compile: the model must return a Value or a list of Values")
    seeds = [f"s{k}" for k in range(len(outs))]
    low = lower(outs, leaves, params, seeds=seeds, input_grads=False)
    tape = sorted(
        {n for line in low.backward for n in _NAME_RE.findall(line)},
        key=lambda n: (n[0], int(n[1:])),
    )
    ps = [f"p{k}" for k in low.params]
    xs = [f"x{j}" for j in range(n_inputs)]
    fwd = ["def forward_batch(rows, P):"]
    fwd.append(f'    """{low.n_nodes} nodes per example: outputs and tape, row by row."""')
    if ps:
        fwd.append("    " + _unpack(ps, "P"))
    fwd.append("    result = []")
    fwd.append(f"    for {', '.join(xs) + ',' if xs else '_'} in rows:")
    fwd += ["        " + line for line in low.forward]
    outs_tuple = "".join(f"{r}, " for r in low.roots)
    tape_tuple = "".join(f"{n}, " for n in tape)
    fwd.append(f"        result.append((({outs_tuple}), ({tape_tuple})))")
    fwd.append("    return result")
    bwd = ["def backward_batch(items, P, G):"]
    bwd.append('    """The reverse sweep, example by example, into the parameters\' gradients."""')
    if ps:
        bwd.append("    " + _unpack(ps, "P"))
        bwd.append("    " + _unpack([f"g{p}" for p in ps], "G"))
    seed_tuple = "".join(f"{s}, " for s in seeds)
    bwd.append(f"    for ({tape_tuple}), ({seed_tuple}) in items:")
    bwd += ["        " + line for line in low.backward] or ["        pass"]
    bwd.append(f"    return ({''.join(f'g{p}, ' for p in ps)})")
    source = "\n".join(fwd) + "\n\n\n" + "\n".join(bwd) + "\n"
    env = dict(_NAMESPACE)
    env.update(low.namespace)
    exec(builtins.compile(source, "<tinygrad_edu.compile step>", "exec"), env)
    return _ExampleProgram(
        len(outs), single, low.params, env["forward_batch"], env["backward_batch"], source
    )


class _NotCompilable(Exception):
    """This step's graph does not have the per-example shape compile() replays."""


class CompiledStep:
    """``fit``'s step (model, loss over a batch, optional L2) with the model compiled.

    One example's graph is traced once per input length and replayed as a loop over the batch,
    forward and backward. The loss and the L2 term are built as usual around the replayed
    outputs (they are small, and may depend on the targets or branch on the data), and their
    gradient seeds the replayed backward pass, example by example in the order ``backward()``
    would visit them. ``step(X, y)`` leaves every parameter's ``.grad`` exactly as
    ``optimizer.zero_grad(); objective.backward()`` would, and returns the loss and outputs.

    A loss that reads the outputs out of example order, or puts parameters inside the loss,
    cannot be split this way: those steps run eagerly (``eager_steps`` counts them).
    """

    def __init__(
        self,
        model: Callable[[Sequence[Any]], Any],
        loss_fn: Callable[[Any, Any], Value],
        params: Sequence[Value],
        l2: float = 0.0,
        check: int = 1,
        cache_size: int = 8,
    ) -> None:
        self.model = model
        self.loss_fn = loss_fn
        self.params = list(params)
        self.l2 = l2
        self.check = checks.count(check, "compile", "check")
        self.cache_size = checks.count(cache_size, "compile", "cache_size", minimum=1)
        self.programs: dict[int, _ExampleProgram] = {}
        self.compiled_steps = 0
        self.eager_steps = 0
        self._checked = 0
        self._broken = False
        self._glue: dict[tuple[Any, str], Callable[..., Any]] = {}
        self._seen: dict[tuple[Any, str], int] = {}

    @property
    def source(self) -> str:
        """The generated code of every traced input length."""
        return "\n\n".join(p.source for p in self.programs.values())

    def _program(self, x: Sequence[float]) -> _ExampleProgram:
        key = len(x)
        program = self.programs.get(key)
        if program is None:
            if len(self.programs) >= self.cache_size:
                raise _NotCompilable(f"more than {self.cache_size} input lengths")
            program = _example_program(self.model, key, x, self.params)
            self.programs[key] = program
        return program

    def _objective(self, preds: list[Any], targets: Sequence[object]) -> Value:
        objective = self.loss_fn(preds, targets)
        if not isinstance(objective, Value):
            raise TypeError(
                f"the loss function returned {type(objective).__name__} "
                f"{checks.show(objective)}; it must return a Value built from the predictions"
            )
        if self.l2:
            objective = objective + self.l2 * _vsum([p * p for p in self.params])
        return objective

    def eager(self, X: Sequence[Sequence[float]], y: Sequence[object]) -> tuple[float, list[Any]]:
        """The step built and differentiated as usual (the reference, and the fallback)."""
        self.eager_steps += 1
        for p in self.params:
            p.grad = 0.0
            p.grad_value = None
        outs = [self.model(x) for x in X]
        objective = self._objective(outs, y)
        objective.backward()
        return objective.data, [_data(o) for o in outs]

    def step(self, X: Sequence[Sequence[float]], y: Sequence[object]) -> tuple[float, list[Any]]:
        """Fill the parameters' gradients for the batch; return (loss, each example's output)."""
        with gc_paused():  # the library's own call: no collection walks the step's objects
            return self._step(X, y)

    def _step(self, X: Sequence[Sequence[float]], y: Sequence[object]) -> tuple[float, list[Any]]:
        if self._broken:
            return self.eager(X, y)
        try:
            value, outs, grads = self._replay(X, y)
        except _NotCompilable:
            self._broken = True
            return self.eager(X, y)
        except (ArithmeticError, ValueError, TypeError):
            return self.eager(X, y)  # the library's own error (or result) for this batch
        if self._checked < self.check:
            self._checked += 1
            eager_value, eager_outs = self.eager(X, y)
            self.eager_steps -= 1
            flat_eager = [eager_value]
            flat = [value]
            for o, e in zip(outs, eager_outs):
                flat += o if isinstance(o, list) else [o]
                flat_eager += e if isinstance(e, list) else [e]
            flat += grads
            flat_eager += [p.grad for p in self.params]
            _compare("compile (training step)", flat, flat_eager)
        for p, g in zip(self.params, grads):
            p.grad = g
            p.grad_value = None
        self.compiled_steps += 1
        return value, outs

    def _replay(
        self, X: Sequence[Sequence[float]], y: Sequence[object]
    ) -> tuple[float, list[Any], list[float]]:
        P = [p.data for p in self.params]
        programs = [self._program(x) for x in X]
        # the forward pass, run by run of examples with the same program
        results: list[Any] = []
        for program, run in _runs(programs, X):
            used = [P[k] for k in program.params]
            results += program.forward(run, used)
        flat = [o for _, (outs, _) in zip(programs, results) for o in outs]
        value, seeds = self._loss(programs, flat, y)
        # the L2 term l2·Σp² is visited first by backward(): 2 edges p·l2 into each p
        if self.l2:
            l2 = self.l2
            grads = [(0.0 + p * l2) + p * l2 for p in P]
            value = value + l2 * math.fsum([p * p for p in P])
        else:
            grads = [0.0] * len(P)
        # the model's backward, last example first (the order backward() visits them)
        offsets = list(itertools.accumulate((p.n_outputs for p in programs), initial=0))
        items: list[tuple[_ExampleProgram, Any]] = []
        for i in range(len(X) - 1, -1, -1):
            items.append((programs[i], (results[i][1], seeds[offsets[i] : offsets[i + 1]])))
        for program, run in _runs([p for p, _ in items], [it for _, it in items]):
            used = [grads[k] for k in program.params]
            new = program.backward(run, [P[k] for k in program.params], used)
            for k, g in zip(program.params, new):
                grads[k] = g
        outs_data = [
            o[0] if program.single else list(o) for program, (o, _) in zip(programs, results)
        ]
        return value, outs_data, grads

    def _loss(
        self, programs: list[_ExampleProgram], flat: list[float], y: Sequence[object]
    ) -> tuple[float, list[float]]:
        """The loss of the outputs ``flat`` and its gradient with respect to each of them.

        Built with Values around placeholders (``o·1.0``, exact, marking where each output
        enters); after a batch's targets recur, replayed from code instead, unless a second
        trace at other outputs gives other code (a constant taken from the data).
        """
        key = (tuple(p.n_outputs if not p.single else 0 for p in programs), _key(y))
        glue = self._glue.get(key)
        if glue is not None:
            value, seeds, _ = glue(flat, (), ())
            return value, list(seeds)
        seen = self._seen.get(key, 0) + 1
        self._seen[key] = seen
        leaves, objective = self._trace_loss(programs, flat, y, check_order=seen <= 2)
        objective.backward()
        seeds = [v.grad for v in leaves]
        if seen == 2 and len(self._glue) < self.cache_size:
            low = lower([objective], leaves, [])
            probe = [o * 0.75 + 0.125 for o in flat]
            other_leaves, other_objective = self._trace_loss(programs, probe, y)
            other = lower([other_objective], other_leaves, [])
            if other.forward == low.forward and other.backward == low.backward:
                self._glue[key] = _build(_function_source(low), low.namespace, "replay")
        return objective.data, seeds

    def _trace_loss(
        self,
        programs: list[_ExampleProgram],
        flat: list[float],
        y: Sequence[object],
        check_order: bool = True,
    ) -> tuple[list[Value], Value]:
        leaves = [Value(o) for o in flat]
        marks = [v * 1.0 for v in leaves]
        placeholders: list[list[Value]] = []
        preds: list[Any] = []
        k = 0
        for program in programs:
            mine = marks[k : k + program.n_outputs]
            k += program.n_outputs
            placeholders.append(mine)
            preds.append(mine[0] if program.single else mine)
        objective = self.loss_fn(preds, y)
        if not isinstance(objective, Value):
            raise TypeError(
                f"compile: the loss must return a Value, got {type(objective).__name__}"
            )
        if check_order:
            _check_order(objective, placeholders)
        return leaves, objective


def _key(targets: Sequence[object]) -> str:
    return repr(list(targets))


def _vsum(values: list[Value]) -> Value:
    from .engine import vsum

    return vsum(values)


def _data(out: Any) -> Any:
    return out.data if isinstance(out, Value) else [v.data for v in out]


def _runs(programs: Sequence[_ExampleProgram], items: Sequence[Any]) -> list[tuple[Any, list[Any]]]:
    """Consecutive items sharing a program, as (program, items) runs."""
    runs: list[tuple[Any, list[Any]]] = []
    for program, item in zip(programs, items):
        if runs and runs[-1][0] is program:
            runs[-1][1].append(item)
        else:
            runs.append((program, [item]))
    return runs


def _check_order(objective: Value, placeholders: list[list[Value]]) -> None:
    """Raise _NotCompilable unless backward() would visit the examples one after another.

    backward() walks the reverse of ``interior_order``: the replay runs every loss node first,
    then each example's model nodes, last example first. That is the same order if the loss
    reaches the outputs example by example, in output order.
    """
    where = {id(m): (i, k) for i, marks in enumerate(placeholders) for k, m in enumerate(marks)}
    seen: list[tuple[int, int]] = []
    for node in interior_order(objective):
        mark = where.get(id(node))
        if mark is not None:
            seen.append(mark)
    expected = sorted(where.values())
    if seen != expected:
        raise _NotCompilable("the loss reads the outputs out of example order")
