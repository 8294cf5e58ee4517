"""``CompiledStep``: fit's training step with one example's model graph replayed per batch."""

from __future__ import annotations

import builtins
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..engine import Value, interior_order, topo_order
from ..gcpolicy import gc_paused
from .compiled import compare
from .lowering import lower
from .source import build, function_source, unpack
from .templates import NAMESPACE

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
    # every local gradient is finite when the tape and the parameters are: an example whose
    # seeds are all 0 then adds only ±0.0 to each parameter's gradient, and can be skipped
    zero_skippable: bool = False


# The ops whose local gradients are finite whenever their inputs and output are (1, 0, another
# input, the output, 1 − out², out(1 − out), cos, −sin, 0). log, √, powc are not: 1/x, 0.5/√x
# and n·xⁿ⁻¹ overflow or divide by zero at finite x.
_FINITE_LOCALS = frozenset(
    {"add", "mul", "neg", "sum", "dot", "relu", "tanh", "sigmoid", "exp", "sin", "cos", "data_max"}
)


def _zero_skippable(outs: list[Value], leaves: list[Value], params: list[Value]) -> bool:
    """Whether every op of the graph has finite locals given finite values (see above), and
    every constant of it is finite."""
    known = {id(v) for v in leaves} | {id(p) for p in params}
    for out in outs:
        for node in topo_order(out):
            if node._prim is not None:
                if node._prim.name not in _FINITE_LOCALS:
                    return False
            elif id(node) not in known and not math.isfinite(node.data):
                return False
    return True


def _all_finite(xs: Sequence[float]) -> bool:
    """True when no x is inf or NaN (a sum that overflows says False: safe, only slower)."""
    total = builtins.sum(xs)
    return bool(total - total == 0.0)


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
    env = dict(NAMESPACE)
    env.update(low.namespace)
    exec(builtins.compile(source, "<tinygrad_edu.compile step>", "exec"), env)
    return _ExampleProgram(
        len(outs),
        single,
        low.params,
        env["forward_batch"],
        env["backward_batch"],
        source,
        _zero_skippable(outs, leaves, params),
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

    An example whose seeds are all exactly 0 (a hinge already met, say) has its replayed
    backward skipped when that changes nothing: every op of its graph has finite local
    gradients given finite values, and its values and the parameters are finite, so it would
    add only ±0.0 (``skipped_examples`` counts them).

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
        self.skipped_examples = 0  # replayed backward passes skipped: all-zero seeds
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
            compare("compile (training step)", flat, flat_eager)
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
        params_finite = _all_finite(P)
        for i in range(len(X) - 1, -1, -1):
            program = programs[i]
            example_seeds = seeds[offsets[i] : offsets[i + 1]]
            tape = results[i][1]
            if (
                program.zero_skippable
                and not any(example_seeds)  # every seed ±0.0 (NaN is truthy)
                and params_finite
                and _all_finite(tape)
            ):
                self.skipped_examples += 1
                continue  # it would add only ±0.0 to each gradient, which changes none
            items.append((program, (tape, example_seeds)))
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
                self._glue[key] = build(function_source(low), low.namespace, "replay")
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
    from ..nary import vsum

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
