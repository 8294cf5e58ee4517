"""A lowered graph as the source of one Python function, and that source made callable."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any

from .lowering import Lowered


def unpack(names: Sequence[str], source: str) -> str:
    if not names:
        return ""
    return f"{', '.join(names)}, = {source}"


def function_source(low: Lowered, name: str = "replay") -> str:
    xs = [f"x{j}" for j in range(low.n_inputs)]
    ps = [f"p{k}" for k in low.params]
    lines = [
        f"def {name}(X, P, G):",
        f'    """{low.n_nodes} nodes, {low.n_edges} edges: the value, then d/dX and d/dP."""',
    ]
    body: list[str] = []
    if xs:
        body.append(unpack(xs, "X"))
    if ps:
        body.append(unpack(ps, "P"))
    body.append("# forward: one line per node, parents before children")
    body += low.forward
    body.append("# backward: parent gradient += local derivative * node gradient, in reverse")
    if ps:
        body.append(unpack([f"g{p}" for p in ps], "G"))
    body += [f"g{x} = 0.0" for x in xs]
    body += low.backward
    grads_x = "".join(f"g{x}, " for x in xs)
    grads_p = "".join(f"g{p}, " for p in ps)
    body.append(f"return {low.roots[0]}, ({grads_x}), ({grads_p})")
    lines += ["    " + line for line in body]
    return "\n".join(lines) + "\n"


def build(source: str, namespace: dict[str, Any], name: str) -> Callable[..., Any]:
    """Compile ``source`` with ``namespace`` as its globals and return the function ``name``."""
    env = dict(namespace)
    exec(builtins.compile(source, f"<tinygrad_edu.compile {name}>", "exec"), env)
    fn: Callable[..., Any] = env[name]
    return fn
