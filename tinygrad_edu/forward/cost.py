"""``compare_modes``: the cost of a whole Jacobian by reverse mode, forward mode and central
differences, measured on one function or model, bounded by a stated time budget.

The three, for f with n inputs and m outputs, N primitives and E edges in its graph:

* reverse: one graph (N primitives), then one backward pass per output (E products each):
  N + m·E operations, and the whole graph kept alive until the sweep (the tape);
* forward: one Dual pass per input (N primitives and E tangent products each): n·(N + E);
* central differences: two evaluations per input: 2n·N, and only about 6 correct digits.

Before measuring, one pass of each is timed and the whole run estimated; past ``budget``
seconds it refuses, naming the ways out (a larger budget, ``directions=k`` to time k
directions and scale, or fewer modes).
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .. import checks
from ..engine import Value, interior_order, topo_order
from ..nn import MLP
from .dual import _dual, counting
from .models import Problem, mlp_loss
from .modes import evaluate, max_abs_difference, outputs, primal_tangent
from .report import MODE_NAMES, ModeComparison, ModeCost, ModeSweep

MODES: tuple[str, ...] = tuple(MODE_NAMES)
EPS = 1e-6


class BudgetExceeded(ValueError):
    """compare_modes refused: the estimated run is longer than the budget."""


def _problem(subject: object, inputs: object, X: object, y: object, loss: str) -> Problem:
    if isinstance(subject, Problem):
        return subject
    if isinstance(subject, MLP):
        if X is None or y is None:
            raise ValueError("compare_modes: a model needs data: pass X= and y= (and loss=)")
        return mlp_loss(subject, X, y, loss)  # type: ignore[arg-type]
    if not callable(subject):
        raise TypeError(
            "compare_modes: expected a function, an nn.MLP or a Problem, got "
            f"{checks.show(subject)}"
        )
    seq = checks.sequence(inputs, "compare_modes", "inputs")
    xs = tuple(checks.real(x, "compare_modes", f"inputs[{i}]") for i, x in enumerate(seq))
    if not xs:
        raise ValueError("compare_modes: inputs must hold at least one number")
    return Problem(subject, xs, getattr(subject, "__name__", "f"))


# --------------------------------------------------------------------------- one pass of each
def _reverse(p: Problem) -> tuple[list[list[float]], list[Any]]:
    """The Jacobian row by row: one graph, one backward pass per output; (J, the outputs)."""
    leaves = [Value(a) for a in p.inputs]
    items, _ = outputs("compare_modes", p.f(*leaves))
    rows = []
    for o in items:
        for leaf in leaves:
            leaf.grad = 0.0
        if isinstance(o, Value):
            o.backward()
        rows.append([leaf.grad for leaf in leaves])
    return rows, items


def _reverse_counts(items: list[Any]) -> tuple[int, int, int, int, int]:
    """(primitives, operations, backward passes, tape nodes, tape edges) of ``_reverse``'s run,
    counted
    afterwards from the graph it kept (so the counting is not timed)."""
    values = [o for o in items if isinstance(o, Value)]
    built: set[Value] = set()
    kept: set[Value] = set()
    backward_edges = 0
    for o in values:
        order = interior_order(o)
        built.update(order)
        backward_edges += sum(len(node.parents) for node in order)
        kept.update(topo_order(o))
    edges = sum(len(node.parents) for node in kept)
    return len(built), len(built) + backward_edges, len(values), len(kept), edges


def _forward(p: Problem, j: int) -> tuple[list[float], int]:
    """Column j of the Jacobian from one Dual pass; (column, operations)."""
    seeds = [_dual(a, 1.0 if i == j else 0.0) for i, a in enumerate(p.inputs)]
    with counting() as c:
        items, _ = outputs("compare_modes", p.f(*seeds))
    column = [primal_tangent("compare_modes", o, k)[1] for k, o in enumerate(items)]
    return column, c.total


def _central(p: Problem, j: int) -> list[float]:
    plus, minus = list(p.inputs), list(p.inputs)
    plus[j] += EPS
    minus[j] -= EPS
    hi, lo = evaluate(p.f, plus), evaluate(p.f, minus)
    return [(a - b) / (2.0 * EPS) for a, b in zip(hi, lo)]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _best(fn: Callable[[], Any], within: float = 0.1, most: int = 5) -> tuple[float, Any]:
    """The shortest of a few timed runs of ``fn`` (repeated only while they add up to less
    than ``within`` seconds: a long measurement runs once), and the last run's result."""
    best, result = _timed(fn)
    spent, runs = best, 1
    while spent < within and runs < most:
        seconds, result = _timed(fn)
        best, spent, runs = min(best, seconds), spent + seconds, runs + 1
    return best, result


def _peak_kib(fn: Callable[[], Any]) -> float:
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    if not tracing:
        tracemalloc.stop()
    return max(peak - base, 0) / 1024.0


# --------------------------------------------------------------------------- the comparison
def _chosen(n: int, directions: int | None) -> list[int]:
    if directions is None or directions >= n:
        return list(range(n))
    k = checks.count(directions, "compare_modes", "directions", minimum=1)
    return sorted({round(i * (n - 1) / max(k - 1, 1)) for i in range(k)})


def compare_modes(
    subject: Any,
    inputs: Sequence[float] | None = None,
    *,
    X: Any = None,
    y: Any = None,
    loss: str = "mse",
    modes: Iterable[str] = MODES,
    budget: float = 10.0,
    directions: int | None = None,
    memory: bool = True,
) -> ModeComparison:
    """Time, operations and memory of the three ways to the whole Jacobian of ``subject``.

    ``subject``: a function ``f(*inputs)`` written over Value-like numbers (with ``inputs``),
    an ``nn.MLP`` (with ``X``, ``y`` and ``loss``: its loss as a function of its parameters),
    or a ``Problem``. ``budget``: seconds the whole measurement may take, estimated first
    from one pass of each mode; ``BudgetExceeded`` past it. ``directions=k`` times k of the
    n forward directions (and k of the central differences) and scales the time by n/k (the
    rows say "est."). ``memory``: also the peak allocation of one pass (tracemalloc). Each
    time is the best of a few runs when a run is short (under 0.1 s together), else one run.

    >>> c = compare_modes(lambda a, b: (a * b).tanh(), [0.5, 2.0], memory=False)
    >>> c.row("reverse").operations, c.row("forward").operations, c.row("central").operations
    (5, 10, 8)
    """
    p = _problem(subject, inputs, X, y, loss)
    chosen_modes = [checks.one_of(m, "compare_modes", "a mode", MODES) for m in modes]
    if "reverse" not in chosen_modes:
        raise ValueError("compare_modes: reverse mode is the reference; keep 'reverse' in modes")
    budget = checks.positive(budget, "compare_modes", "budget")
    n = len(p.inputs)
    picked = _chosen(n, directions)
    scale = n / len(picked)

    # one pass of each: the estimate, and the reference Jacobian
    t_reverse, (reference, graph) = _best(lambda: _reverse(p))
    primitives, reverse_ops, backward_passes, nodes, edges = _reverse_counts(graph)
    del graph
    t_dual = _timed(lambda: _forward(p, 0))[0] if "forward" in chosen_modes else 0.0
    t_eval = _timed(lambda: evaluate(p.f, p.inputs))[0] if "central" in chosen_modes else 0.0
    forward_s, central_s = len(picked) * t_dual, 2 * len(picked) * t_eval
    # the measured runs, the short ones repeated (``_best``), and three passes under tracemalloc
    estimate = t_reverse + forward_s + central_s + 0.3
    if memory:
        estimate += 3.0 * (t_reverse + t_dual + t_eval)
    if estimate > budget:
        raise BudgetExceeded(
            f"compare_modes: measuring {p.name} ({n:,} inputs) would take about "
            f"{estimate:.1f} s (forward mode ≈ {forward_s:.1f} s and central differences ≈ "
            f"{central_s:.1f} s over {len(picked):,} directions), over the budget of "
            f"{budget:g} s; pass budget={math.ceil(estimate * 1.5)} to wait, directions=k to "
            "time k directions and scale, or modes=('reverse', 'forward') to leave one out"
        )
    rows = [
        ModeCost("reverse", t_reverse, reverse_ops, backward_passes, nodes, edges,
                 _peak_kib(lambda: _reverse(p)) if memory else None, False, 0.0)
    ]  # fmt: skip
    picked_reference = [[row[j] for j in picked] for row in reference]
    if "forward" in chosen_modes:
        seconds, results = _best(lambda: [_forward(p, j) for j in picked])
        seconds *= scale
        columns = [c for c, _ in results]
        ops = round(sum(k for _, k in results) * scale)
        jac = [list(r) for r in zip(*columns)]
        rows.append(
            ModeCost("forward", seconds, ops, n, 0, 0,
                     _peak_kib(lambda: _forward(p, 0)) if memory else None, scale != 1.0,
                     max_abs_difference(jac, picked_reference))
        )  # fmt: skip
    if "central" in chosen_modes:
        seconds, columns = _best(lambda: [_central(p, j) for j in picked])
        seconds *= scale
        jac = [list(r) for r in zip(*columns)]
        rows.append(
            ModeCost("central", seconds, 2 * n * primitives, 2 * n, 0, 0,
                     _peak_kib(lambda: evaluate(p.f, p.inputs)) if memory else None,
                     scale != 1.0, max_abs_difference(jac, picked_reference))
        )  # fmt: skip
    notes = []
    if scale != 1.0:
        notes.append(f"forward and central timed on {len(picked)} of {n} directions, scaled")
    return ModeComparison(p.name, n, len(reference), tuple(rows), tuple(notes))


def sweep(
    problems: Iterable[Any],
    *,
    budget: float = 30.0,
    **options: Any,
) -> ModeSweep:
    """``compare_modes`` on each problem (a ``Problem``, or an ``(f, inputs)`` pair), for a
    table and a plot against the number of inputs; ``budget`` bounds the whole sweep.

    >>> from tinygrad_edu.forward import fan_out
    >>> s = sweep([fan_out(n, 16) for n in (1, 4, 16)], memory=False)  # 16 outputs
    >>> [(c.row("forward").operations, c.row("reverse").operations) for c in s.comparisons]
    [(338, 1853), (1364, 1901), (5648, 2093)]
    >>> s.crossover()  # the first size where reverse mode needs fewer operations
    16
    """
    budget = checks.positive(budget, "sweep", "budget")
    spent = 0.0
    done = []
    for k, item in enumerate(problems):
        left = budget - spent
        if left <= 0.0:
            raise BudgetExceeded(
                f"sweep: the budget of {budget:g} s ran out after {k} problem(s); pass a larger "
                "budget= or fewer or smaller problems"
            )
        subject, inputs = item if isinstance(item, tuple) else (item, None)
        start = time.perf_counter()
        done.append(compare_modes(subject, inputs, budget=left, **options))
        spent += time.perf_counter() - start
    return ModeSweep(tuple(done))
