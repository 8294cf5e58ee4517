"""Lowering: the graph above some roots written out as forward and backward lines of code."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine import Value, interior_order
from .codegen import TextError, number_code, op_code
from .trace import Guard, GuardFailed


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


@dataclass
class _Names:
    """Each leaf's name in the code: ``x<j>`` an input, ``p<k>`` a parameter, else a constant."""

    input_index: dict[int, int]
    param_index: dict[int, int]
    auto: bool  # params is None: every leaf that is not an input is a parameter
    names: dict[int, str] = field(default_factory=dict)
    namespace: dict[str, Any] = field(default_factory=dict)
    used_params: list[int] = field(default_factory=list)
    auto_params: list[Value] = field(default_factory=list)
    n_consts: Iterator[int] = field(default_factory=itertools.count)

    def leaf(self, v: Value) -> str:
        key = id(v)
        name = self.names.get(key)
        if name is not None:
            return name
        if key in self.input_index:
            name = f"x{self.input_index[key]}"
        elif key in self.param_index or self.auto:
            if self.auto:
                self.param_index[key] = len(self.auto_params)
                self.auto_params.append(v)
            k = self.param_index[key]
            self.used_params.append(k)
            name = f"p{k}"
        else:
            name = self._constant(v.data)
        self.names[key] = name
        return name

    def _constant(self, c: float) -> str:
        if not math.isfinite(c):
            name = f"c{next(self.n_consts)}"
            self.namespace[name] = c
            return name
        return number_code(c)

    def operand(self, x: Value | float) -> str:
        """A guard's side as code: a node's or leaf's name, or a number."""
        if isinstance(x, Value):
            return self.names[id(x)] if x._parents else self.leaf(x)
        return self._constant(x)


def _varies(guard: Guard, names: _Names) -> bool:
    """Whether a guard's sides can change between calls (else it holds on every replay)."""
    for side in (guard.left, guard.right):
        if isinstance(side, Value) and (
            side._parents
            or names.auto
            or id(side) in names.input_index
            or id(side) in names.param_index
        ):
            return True
    return False


def _reported(name: str, input_grads: bool) -> bool:
    """Whether the gradient of the leaf called ``name`` is returned (never a constant's)."""
    return name[0] == "p" or (name[0] == "x" and input_grads)


def _order(roots: Sequence[Value], extra: Sequence[Value] = ()) -> list[Value]:
    """The roots' nodes in backward()'s order, then any nodes only ``extra`` reaches."""
    if len(roots) == 1:
        order = interior_order(roots[0]) if roots[0]._parents else []
    else:
        hub = Value(0.0)
        hub._parents = tuple(roots)
        order = interior_order(hub)[:-1]
    seen = {id(v) for v in order}
    for v in extra:
        if v._parents and id(v) not in seen:
            for node in interior_order(v):
                if id(node) not in seen:
                    seen.add(id(node))
                    order.append(node)
    return order


def _comment(node: Value) -> str:
    """The op's symbol and the node's label, as a comment no label can end or disguise.

    The label is user text: it is written as ``repr`` of a string, which escapes line breaks,
    NUL, lone surrogates and the bidirectional controls (any character not printable).
    """
    op = node._prim
    assert op is not None
    symbol = str.__str__(str(op.symbol))
    text = f"  # {symbol if symbol.isprintable() else ascii(symbol)[1:-1]}"
    label = str.__str__(str(node.label))  # a plain str: no subclass's own __repr__
    return text + (f" {str.__repr__(label)}" if label else "")


def _write_forward(
    order: list[Value], names: _Names, guards: Sequence[Guard] = ()
) -> tuple[list[str], list[list[str]], int]:
    """One line per node, from its table entry; each node's local derivatives as code.

    An entry whose derivative text is outside the vocabulary of ``codegen`` has its ``rule``
    called (a second line). Each guard is checked as soon as both its sides are computed.
    """
    lines_of: list[list[str]] = []
    locals_of: list[list[str]] = []
    n_edges = 0
    env = names.namespace
    position = {id(node): i for i, node in enumerate(order)}
    for i, node in enumerate(order):
        op = node._prim
        assert op is not None
        args = [names.names[id(p)] if p._parents else names.leaf(p) for p in node._parents]
        out = f"v{i}"
        names.names[id(node)] = out
        n_edges += len(args)
        code = op_code(op)
        lines = [f"{out} = {code.forward(args, env)}{_comment(node)}"]
        try:
            locals_of.append(code.locals(args, out, env))
        except TextError:
            rname, lname = f"_r{i}", f"l{i}"
            env[rname] = op.rule
            lines.append(f"{lname} = {rname}({out}, {', '.join(args)})")
            locals_of.append([f"{lname}[{j}]" for j in range(len(args))])
        lines_of.append(lines)
    before: list[str] = []
    for k, guard in enumerate(guards):
        left = names.operand(guard.left)
        if guard.right is None:
            test = f"bool({left})"
        else:
            test = f"{left} {guard.symbol} {names.operand(guard.right)}"
        test = f"not {test}" if guard.result else test
        line = f"if {test}: raise _GuardFailed({k})  # the branch taken when traced"
        at = max(position.get(id(side), -1) for side in (guard.left, guard.right))
        (before if at < 0 else lines_of[at]).append(line)
    if guards:
        env["_GuardFailed"] = GuardFailed
    return before + [line for lines in lines_of for line in lines], locals_of, n_edges


def _needs_gradient(
    order: list[Value], position: dict[int, int], names: _Names, input_grads: bool
) -> list[bool]:
    """Which nodes pass a gradient on to something we report."""
    needs = [False] * len(order)
    for i, node in enumerate(order):
        for p in node._parents:
            if p._parents:
                if needs[position[id(p)]]:
                    needs[i] = True
                    break
            elif _reported(names.names[id(p)], input_grads):
                needs[i] = True
                break
    return needs


class _Sums:
    """Each gradient's pending contributions, in the order ``backward()`` adds them."""

    def __init__(self) -> None:
        self.pending: dict[str, list[tuple[str, str]]] = {}
        self.leaf_targets: list[str] = []

    def add(self, target: str, sign: str, term: str) -> None:
        terms = self.pending.get(target)
        if terms is None:
            terms = self.pending[target] = []
            if target[1] in "px":
                self.leaf_targets.append(target)
        terms.append((sign, term))


@dataclass
class _Graph:
    """What the backward writer reads: the nodes in order, their names and local derivatives."""

    order: list[Value]
    position: dict[int, int]
    names: _Names
    locals_of: list[list[str]]
    needs: list[bool]
    input_grads: bool


def _write_backward(roots: Sequence[Value], seeds: Sequence[str], graph: _Graph) -> list[str]:
    """Each gradient written once, as the sum of its contributions in ``backward()``'s order.

    An interior node's when the sweep reaches it (all its children are done), a leaf's at the
    end. Left to right, ((c₁ + c₂) + c₃)…, that is the same rounding as +=.
    """
    names = graph.names.names
    sums = _Sums()
    literal_root = ""
    for r, seed in zip(roots, seeds):
        if r._parents:
            g_root = f"g{graph.position[id(r)]}"
            sums.add(g_root, "+", seed)
            if seeds == ["1.0"]:
                literal_root = g_root
        elif _reported(names[id(r)], graph.input_grads):
            sums.add(f"g{names[id(r)]}", "+", seed)
    backward: list[str] = []
    for i in range(len(graph.order) - 1, -1, -1):
        g = f"g{i}"
        terms = sums.pending.pop(g, None)
        if terms is None or not graph.needs[i]:
            continue
        backward += _sum_into(g, terms, accumulate=False)
        _pass_on(graph, i, g, g == literal_root, sums)
    for target in sums.leaf_targets:
        backward += _sum_into(target, sums.pending[target], accumulate=True)
    return backward


def _pass_on(graph: _Graph, i: int, g: str, literal_one: bool, sums: _Sums) -> None:
    """Node i's gradient ``g`` times each local derivative, added to its parents' sums."""
    node = graph.order[i]
    for parent, local in zip(node._parents, graph.locals_of[i]):
        if parent._parents:
            j = graph.position[id(parent)]
            if not graph.needs[j]:
                continue
            target = f"g{j}"
        else:
            name = graph.names.names[id(parent)]
            if not _reported(name, graph.input_grads):
                continue  # a constant: its gradient is never read
            target = f"g{name}"
        if local == "1.0":
            sums.add(target, "+", g)
        elif local == "-1.0":
            sums.add(target, "-", g)
        else:
            sums.add(target, "+", local if literal_one else f"{_atom(local)} * {g}")


def lower(
    roots: Sequence[Value],
    inputs: Sequence[Value],
    params: Sequence[Value] | None,
    seeds: Sequence[str] | None = None,
    input_grads: bool = True,
    guards: Sequence[Guard] = (),
) -> Lowered:
    """Write the graph above ``roots`` as straight-line code.

    ``inputs`` are leaves read per call (``x0, x1, …``); ``params`` leaves whose ``.data`` is
    read and whose gradient is accumulated (``p0, …`` by their index in ``params``; ``None``
    makes every other leaf a parameter); every other leaf is a constant. ``seeds`` names each
    root's incoming gradient (default: one root, seeded with 1.0 as ``backward()`` does).
    The backward sweep is in the order ``backward()`` would use on a node whose parents are
    ``roots`` in that order. ``guards`` are comparisons re-checked as the forward runs.
    """
    if seeds is None:
        if len(roots) != 1:
            raise ValueError("lower: several roots need seed names")
        seeds = ["1.0"]
    names = _Names(
        input_index={id(v): j for j, v in enumerate(inputs)},
        param_index={id(p): k for k, p in enumerate(params)} if params is not None else {},
        auto=params is None,
    )
    guards = [g for g in guards if _varies(g, names)]
    sides = [side for g in guards for side in (g.left, g.right) if isinstance(side, Value)]
    order = _order(roots, sides)
    for v in roots:
        if not v._parents:
            names.leaf(v)
    forward, locals_of, n_edges = _write_forward(order, names, guards)
    position = {id(node): i for i, node in enumerate(order)}
    needs = _needs_gradient(order, position, names, input_grads)
    graph = _Graph(order, position, names, locals_of, needs, input_grads)
    return Lowered(
        forward=forward,
        backward=_write_backward(roots, seeds, graph),
        roots=[names.names[id(r)] for r in roots],
        n_inputs=len(inputs),
        params=sorted(set(names.used_params)),
        seeds=list(seeds),
        namespace=names.namespace,
        n_nodes=len(order),
        n_edges=n_edges,
        auto_params=names.auto_params,
    )


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
    """``expr`` safe as an operand of ``*``: parenthesised unless it is a name, a literal, a
    call or already in parentheses."""
    if re.fullmatch(r"[\w.]+(\[\d+\])?", expr):
        return expr
    head = re.match(r"[\w.]*\(", expr)
    if head and expr.endswith(")"):
        depth = 0
        for i, ch in enumerate(expr):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i >= head.end() - 1 and i < len(expr) - 1:
                break
        else:
            return expr
    return f"({expr})"
