"""One example's model graph as two loops over a batch: the forward, and the backward."""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Value, topo_order
from .codegen import op_code
from .lowering import lower
from .source import unpack
from .trace import trace

_NAME_RE = re.compile(r"\b[vxl]\d+\b")


@dataclass
class ExampleProgram:
    """One example's model graph as two loops over a batch: forward, and backward."""

    n_outputs: int
    single: bool  # the model returned a Value (not a list)
    params: list[int]
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    source: str
    # every local gradient is finite when the tape and the parameters are: an example whose
    # seeds are all 0 then adds only ±0.0 to each parameter's gradient, and can be skipped
    zero_skippable: bool = False


def _zero_skippable(outs: list[Value], leaves: list[Value], params: list[Value]) -> bool:
    """Whether every op of the graph has local derivatives finite at finite values (read from
    its derivative text: no division, power or unbounded function), and every constant of the
    graph is finite."""
    known = {id(v) for v in leaves} | {id(p) for p in params}
    for out in outs:
        for node in topo_order(out):
            if node._prim is not None:
                if not op_code(node._prim).finite_locals():
                    return False
            elif id(node) not in known and not math.isfinite(node.data):
                return False
    return True


def all_finite(xs: Sequence[float]) -> bool:
    """True when no x is inf or NaN (a sum that overflows says False: safe, only slower)."""
    total = builtins.sum(xs)
    return bool(total - total == 0.0)


def example_program(
    model: Callable[[Sequence[Any]], Any], n_inputs: int, x: Sequence[float], params: list[Value]
) -> ExampleProgram:
    leaves = [Value(float(v)) for v in x]
    out, guards = trace(model, leaves)
    single = isinstance(out, Value)
    outs: list[Value] = [out] if single else list(out)
    if not outs or not all(isinstance(o, Value) for o in outs):
        raise TypeError("compile: the model must return a Value or a list of Values")
    seeds = [f"s{k}" for k in range(len(outs))]
    low = lower(outs, leaves, params, seeds=seeds, input_grads=False, guards=guards)
    tape = sorted(
        {n for line in low.backward for n in _NAME_RE.findall(line)},
        key=lambda n: (n[0], int(n[1:])),
    )
    ps = [f"p{k}" for k in low.params]
    xs = [f"x{j}" for j in range(n_inputs)]
    fwd = ["def forward_batch(rows, P):"]
    fwd.append(f'    """{low.n_nodes} nodes per example: outputs and tape, row by row."""')
    if ps:
        fwd.append("    " + unpack(ps, "P"))
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
        bwd.append("    " + unpack(ps, "P"))
        bwd.append("    " + unpack([f"g{p}" for p in ps], "G"))
    seed_tuple = "".join(f"{s}, " for s in seeds)
    bwd.append(f"    for ({tape_tuple}), ({seed_tuple}) in items:")
    bwd += ["        " + line for line in low.backward] or ["        pass"]
    bwd.append(f"    return ({''.join(f'g{p}, ' for p in ps)})")
    source = "\n".join(fwd) + "\n\n\n" + "\n".join(bwd) + "\n"
    env = dict(low.namespace)
    exec(builtins.compile(source, "<tinygrad_edu.compile step>", "exec"), env)
    return ExampleProgram(
        len(outs),
        single,
        low.params,
        env["forward_batch"],
        env["backward_batch"],
        source,
        _zero_skippable(outs, leaves, params),
    )


def runs(programs: Sequence[ExampleProgram], items: Sequence[Any]) -> list[tuple[Any, list[Any]]]:
    """Consecutive items sharing a program, as (program, items) runs."""
    runs: list[tuple[Any, list[Any]]] = []
    for program, item in zip(programs, items):
        if runs and runs[-1][0] is program:
            runs[-1][1].append(item)
        else:
            runs.append((program, [item]))
    return runs
