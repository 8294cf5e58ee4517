"""``CompiledStep``: fit's training step with one example's model graph replayed per batch."""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from .. import checks
from ..engine import Value, interior_order
from ..gcpolicy import gc_paused
from ..nary import vsum
from .compiled import compare
from .lowering import lower
from .program import ExampleProgram, all_finite, example_program, runs
from .source import build, function_source
from .trace import GuardFailed, trace

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A dict of at most ``size`` entries that forgets the least recently used one."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def objective(
    loss_fn: Callable[[Any, Any], Value],
    outs: list[Any],
    targets: Sequence[object],
    params: Sequence[Value],
    l2: float,
) -> Value:
    """The training objective: ``loss_fn(outs, targets)``, plus l2 · Σ p² when l2 > 0."""
    value = loss_fn(outs, targets)
    if not isinstance(value, Value):
        raise TypeError(
            f"the loss function returned {type(value).__name__} "
            f"{checks.show(value)}; it must return a Value built from the "
            "predictions, so that backward() reaches the parameters"
        )
    if l2:
        value = value + l2 * vsum([p * p for p in params])
    return value


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
    cannot be split this way: those steps run eagerly (``eager_steps`` counts them). So does a
    model that compares its Values (``if h > 0``) and meets inputs that take the other branch:
    from then on every step runs eagerly (``fallback`` says why).

    Memory is bounded: one program per input length (at most ``cache_size``; a new length past
    that runs eagerly), and the loss replayed from code for at most ``cache_size`` target lists
    (the least recently used forgotten), with up to ``SEEN_PER_GLUE × cache_size`` target lists
    remembered to see whether they recur. Steps are serialised by a lock.
    """

    SEEN_PER_GLUE = 16

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
        self.programs: dict[int, ExampleProgram] = {}
        self.compiled_steps = 0
        self.eager_steps = 0
        self.skipped_examples = 0  # replayed backward passes skipped: all-zero seeds
        self._checked = 0
        self.fallback = ""  # why every step now runs eagerly ("" while it replays)
        self._glue: LRU[tuple[Any, str], Callable[..., Any]] = LRU(self.cache_size)
        self._seen: LRU[tuple[Any, str], int] = LRU(self.SEEN_PER_GLUE * self.cache_size)
        self._lock = threading.Lock()

    def cache_info(self) -> dict[str, int]:
        """How many entries each cache holds now (each is bounded; see the class doc)."""
        return {
            "programs": len(self.programs),
            "loss_code": len(self._glue),
            "seen": len(self._seen),
        }

    @property
    def source(self) -> str:
        """The generated code of every traced input length."""
        return "\n\n".join(p.source for p in self.programs.values())

    def _program(self, x: Sequence[float]) -> ExampleProgram:
        key = len(x)
        program = self.programs.get(key)
        if program is None:
            if len(self.programs) >= self.cache_size:
                raise _NotCompilable(f"more than cache_size = {self.cache_size} input lengths")
            program = example_program(self.model, key, x, self.params)
            self.programs[key] = program
        return program

    def eager(self, X: Sequence[Sequence[float]], y: Sequence[object]) -> tuple[float, list[Any]]:
        """The step built and differentiated as usual (the reference, and the fallback)."""
        self.eager_steps += 1
        for p in self.params:
            p.grad = 0.0
            p.grad_value = None
        outs = [self.model(x) for x in X]
        total = objective(self.loss_fn, outs, y, self.params, self.l2)
        total.backward()
        return total.data, [_data(o) for o in outs]

    def step(self, X: Sequence[Sequence[float]], y: Sequence[object]) -> tuple[float, list[Any]]:
        """Fill the parameters' gradients for the batch; return (loss, each example's output)."""
        # the library's own call: no collection walks the step's objects
        with self._lock, gc_paused():
            return self._step(X, y)

    def _step(self, X: Sequence[Sequence[float]], y: Sequence[object]) -> tuple[float, list[Any]]:
        if self.fallback:
            return self.eager(X, y)
        try:
            value, outs, grads = self._replay(X, y)
        except _NotCompilable as err:
            self.fallback = str(err)
            return self.eager(X, y)
        except GuardFailed:
            self.fallback = "the model compares its values, and a batch took the other branch"
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
        for program, run in runs(programs, X):
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
        items: list[tuple[ExampleProgram, Any]] = []
        params_finite = all_finite(P)
        for i in range(len(X) - 1, -1, -1):
            program = programs[i]
            example_seeds = seeds[offsets[i] : offsets[i + 1]]
            tape = results[i][1]
            if (
                program.zero_skippable
                and not any(example_seeds)  # every seed ±0.0 (NaN is truthy)
                and params_finite
                and all_finite(tape)
            ):
                self.skipped_examples += 1
                continue  # it would add only ±0.0 to each gradient, which changes none
            items.append((program, (tape, example_seeds)))
        for program, run in runs([p for p, _ in items], [it for _, it in items]):
            used = [grads[k] for k in program.params]
            new = program.backward(run, [P[k] for k in program.params], used)
            for k, g in zip(program.params, new):
                grads[k] = g
        outs_data = [
            o[0] if program.single else list(o) for program, (o, _) in zip(programs, results)
        ]
        return value, outs_data, grads

    def _loss(
        self, programs: list[ExampleProgram], flat: list[float], y: Sequence[object]
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
        seen = (self._seen.get(key) or 0) + 1
        self._seen.put(key, seen)
        if seen == 2:  # targets that recur: trace the loss, noting any comparison it makes
            (leaves, loss), guards = trace(self._trace_loss, programs, flat, y)
        else:
            (leaves, loss), guards = self._trace_loss(programs, flat, y, seen < 2), []
        loss.backward()
        seeds = [v.grad for v in leaves]
        if seen == 2:
            # a loss that compares its values is never replayed: it is built every step
            low = lower([loss], leaves, [])
            probe = [o * 0.75 + 0.125 for o in flat]
            other_leaves, other_loss = self._trace_loss(programs, probe, y)
            other = lower([other_loss], other_leaves, [])
            same = other.forward == low.forward and other.backward == low.backward
            if same and not guards:
                self._glue.put(key, build(function_source(low), low.namespace, "replay"))
        return loss.data, seeds

    def _trace_loss(
        self,
        programs: list[ExampleProgram],
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


def _data(out: Any) -> Any:
    return out.data if isinstance(out, Value) else [v.data for v in out]


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
