"""A forward-mode pass, shown: each node's tangent beside its value, as a tape and a drawing.

``forward_tape(f, x, v)`` is the tape's forward half (``tape.tape``'s lines, numbered the same
way) with each node's tangent along ``v`` written beside it, as the sum the forward sweep
computes: v̇ₖ = Σ ∂vₖ/∂vᵢ · v̇ᵢ over its inputs. ``draw_forward(f, x, v)`` is the same pass as a
drawing: the usual boxes and edge labels (the local derivatives ∂out/∂in), with the tangent in
each box where the gradient would be. One seed direction per picture: ``draw_each_direction``.
The tangents are the Dual pass itself (``forward.apply`` node by node), so they are equal to
``jvp``'s to the last bit.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import checks
from ..engine import Value, topo_order
from ..tape import tape
from ..textsafe import md_code
from .dual import Dual, _dual, apply
from .modes import Fn, _check_f, point

if TYPE_CHECKING:
    import graphviz


def _names(f: Fn, n: int, names: Sequence[str] | None) -> list[str]:
    if names is not None:
        given = list(checks.sequence(names, "forward_tape", "names"))
        bad = [s for s in given if not isinstance(s, str)]
        if bad:
            raise TypeError(f"forward_tape: names must be strings, got {checks.show(bad[0])}")
        if len(given) != n:
            raise ValueError(f"forward_tape: {len(given)} names for {n} inputs")
        return given
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):  # a builtin or a callable without a signature
        params = []
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return positional if len(positional) == n else [f"x{i}" for i in range(n)]


def forward_pass(
    f: Fn, x: Sequence[float], v: Sequence[float], names: Sequence[str] | None = None
) -> tuple[Value, list[Value], dict[Value, Dual]]:
    """f recorded on labelled Values, and the Dual (value, tangent along ``v``) of every node."""
    _check_f("forward_tape", f)
    xs, vs = point("forward_tape", x), point("forward_tape", v, "v")
    if len(vs) != len(xs):
        raise ValueError(f"forward_tape: v has {len(vs)} entries but x has {len(xs)}")
    leaves = [Value(a, label) for a, label in zip(xs, _names(f, len(xs), names))]
    root = f(*leaves)
    if not isinstance(root, Value):
        raise TypeError(f"forward_tape: f must return one Value-like, got {checks.show(root)}")
    duals: dict[Value, Dual] = {leaf: _dual(a, t) for leaf, a, t in zip(leaves, xs, vs)}
    for node in topo_order(root):
        if node not in duals:
            prim = node.primitive
            if prim is None:
                duals[node] = _dual(node.data, 0.0)
            else:
                duals[node] = apply(prim, *(duals[p] for p in node.parents))
    return root, leaves, duals


class ForwardTape(str):
    """The forward-mode tape's text; Jupyter shows it monospaced (fenced Markdown)."""

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        return md_code(self)


def _num(x: float, digits: int | None) -> str:
    if digits is None:
        return repr(float(x))
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def _tangent_sum(node: Value, duals: dict[Value, Dual], d: int | None) -> str:
    numbers = []
    for parent, local in zip(node.parents, node.local_grads):
        t = _num(duals[parent].tangent, d)
        numbers.append(f"{_num(local, d)}·{f'({t})' if t.startswith('-') else t}")
    if len(numbers) > 4:  # a neuron's Σwx+b: the formula, not every term
        return f"Σ ∂v/∂vᵢ·v̇ᵢ over {len(numbers)} inputs"
    return " + ".join(numbers)


def forward_tape(
    f: Fn,
    x: Sequence[float],
    v: Sequence[float],
    digits: int | None = None,
    names: Sequence[str] | None = None,
) -> ForwardTape:
    """The forward sweep of f at ``x`` along ``v``: each tape line, then its tangent.

    >>> print(forward_tape(lambda x, y: (x * y).tanh(), [2.0, -0.25], [1.0, 0.0], digits=4))
    forward mode along v = (1, 0): v̇ = Σ ∂v/∂input · input's v̇
    v0 = x = 2                 v̇0 = 1 (seed)
    v1 = y = -0.25             v̇1 = 0 (seed)
    v2 = v0 * v1 = -0.5        v̇2 = -0.25·1 + 2·0 = -0.25
    v3 = tanh(v2) = -0.4621    v̇3 = 0.7864·(-0.25) = -0.1966
    """
    if digits is not None:
        digits = checks.count(digits, "forward_tape", "digits", minimum=1)
    root, leaves, duals = forward_pass(f, x, v, names)
    order = topo_order(root)
    forward_lines = str(tape(root, digits=digits)).splitlines()[: len(order)]
    width = max(len(line) for line in forward_lines) + 4
    seeds = ", ".join(_num(duals[leaf].tangent, digits or 4) for leaf in leaves)
    lines = [f"forward mode along v = ({seeds}): v̇ = Σ ∂v/∂input · input's v̇"]
    for k, (node, text) in enumerate(zip(order, forward_lines)):
        t = _num(duals[node].tangent, digits)
        if node.is_leaf:
            why = "(seed)" if node in leaves else "(a constant)"
            lines.append(f"{text:<{width}}v̇{k} = {t} {why}")
        else:
            lines.append(f"{text:<{width}}v̇{k} = {_tangent_sum(node, duals, digits)} = {t}")
    return ForwardTape("\n".join(lines))


class _Tangents:
    """The box field a drawing usually fills with the gradient: here, the tangent."""

    def __init__(self, duals: dict[Value, Dual], precision: int) -> None:
        self.duals, self.precision = duals, precision

    def value(self, node: Value) -> float | None:
        return self.duals[node].tangent

    def text(self, node: Value) -> str:
        return f"tangent {_num(self.duals[node].tangent, self.precision)}"

    def zero(self, node: Value) -> bool:
        return False  # a zero tangent is not a dead gradient: drawn like any other


def draw_forward(
    f: Fn,
    x: Sequence[float],
    v: Sequence[float],
    *,
    rankdir: str = "LR",
    precision: int = 4,
    names: Sequence[str] | None = None,
) -> graphviz.Digraph:
    """The graph of f at ``x`` with each value's tangent along ``v`` in its box.

    Edge labels are the local derivatives ∂out/∂in, so each box's tangent is the sum of
    (edge label × the tangent at the edge's start) over the edges into its operation.

    >>> g = draw_forward(lambda a, b: a * b, [2.0, 3.0], [1.0, 0.0])
    >>> "a | data 2 | tangent 1" in g.source and "data 6 | tangent 3" in g.source
    True
    """
    # viz sits above forward in the rooms' order: imported here, when a drawing is asked for
    from ..viz.dot import to_digraph
    from ..viz.graph import analyse
    from ..viz.scene import build_scene, validate
    from ..viz.scene_types import Options

    validate("draw_forward", rankdir, "value", precision)
    root, leaves, duals = forward_pass(f, x, v, names)
    graph = analyse(root)
    opt = Options(rankdir, True, True, "value", False, precision)
    scene = build_scene(graph, {}, _Tangents(duals, precision), opt)
    seeds = ", ".join(_num(duals[leaf].tangent, precision) for leaf in leaves)
    scene.notes.append(f"box: value and tangent along v = ({seeds})")
    scene.notes.append("tangent = Σ edge label × the tangent it comes from")
    return to_digraph(scene, legend=True)


def draw_each_direction(f: Fn, x: Sequence[float], **options: Any) -> list[graphviz.Digraph]:
    """One ``draw_forward`` picture per input direction e₁ … eₙ: the Jacobian's columns."""
    n = len(point("draw_each_direction", x))
    return [
        draw_forward(f, x, [1.0 if i == j else 0.0 for i in range(n)], **options) for j in range(n)
    ]
