"""``compile(f, inputs)``: a scalar function traced once and replayed as float code."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..engine import Value, topo_order
from .lowering import lower
from .source import build, function_source
from .trace import Guard, GuardFailed, trace

MAX_VARIANTS = 8  # traces kept per compiled function, one per set of branches taken


class CompileMismatch(AssertionError):
    """A replay differed from an eager rebuild: the trace does not describe this call."""


@dataclass
class _Variant:
    """One trace as code: the function, its source, and the parameters it reads."""

    fn: Callable[..., Any]
    source: str
    used: list[int]  # indices into Compiled.params
    n_nodes: int
    n_edges: int
    params: list[Value]  # those parameters


def _leaves(root: Value) -> list[Value]:
    return [v for v in topo_order(root) if not v._parents]


class Compiled:
    """A scalar function of Values, traced once and replayed as straight-line float code.

    ``compiled(*xs)`` returns f's value; ``value_and_grad(*xs)`` also returns ∂f/∂xᵢ and adds
    ∂f/∂p to every parameter's ``.grad``, as ``backward()`` would. ``source`` is the code.

    A comparison on a traced Value (``if x > 0``) becomes a guard: a call whose inputs take
    the other branch is traced again (up to ``MAX_VARIANTS`` traces; past that it runs
    eagerly). Calls are serialised by a lock: threads sharing one compiled function get the
    gradients sequential calls would give.
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
        self._lock = threading.RLock()
        self._checked = 0
        self.eager_calls = 0  # calls no trace described, run eagerly
        if params is None:
            params = self._parameters(xs)
        self.params: list[Value] = list(params)
        self._variants: list[_Variant] = []
        self._add_variant(xs)

    def _parameters(self, xs: list[float]) -> list[Value]:
        """The leaves f reads that outlive a call: in two traces, the same objects.

        A number lifted inside f (``x * 2.0``) is a new leaf on every call: a constant.
        """
        first = self._trace(xs)[1]
        again = {id(v) for v in _leaves(self._trace(xs)[1])}  # inputs are new leaves each time
        return [v for v in _leaves(first) if id(v) in again]

    def _trace(self, xs: Sequence[float]) -> tuple[list[Value], Value, list[Guard]]:
        """(the input leaves, f's result, the comparisons f made) for one run at ``xs``."""
        leaves = [Value(x) for x in xs]
        root, guards = trace(self.f, *leaves)
        if not isinstance(root, Value):
            raise TypeError(f"compile: f must return a Value, got {type(root).__name__}")
        return leaves, root, guards

    def _add_variant(self, xs: Sequence[float]) -> _Variant:
        leaves, root, guards = self._trace(xs)
        low = lower([root], leaves, self.params, guards=guards)
        source = function_source(low)
        fn = build(source, low.namespace, "replay")
        used = [self.params[k] for k in low.params]
        variant = _Variant(fn, source, low.params, low.n_nodes, low.n_edges, used)
        self._variants.append(variant)
        return variant

    @property
    def source(self) -> str:
        """The generated code: one function per trace (a second when a guard failed)."""
        return "\n\n".join(v.source for v in self._variants)

    @property
    def n_nodes(self) -> int:
        return self._variants[0].n_nodes

    @property
    def n_edges(self) -> int:
        return self._variants[0].n_edges

    @property
    def variants(self) -> int:
        """How many traces the function holds (one per set of branches its inputs took)."""
        return len(self._variants)

    def _inputs(self, xs: Sequence[float]) -> list[float]:
        if len(xs) != self.n_inputs:
            raise TypeError(f"compile: the function takes {self.n_inputs} inputs, got {len(xs)}")
        return [x if type(x) is float else checks.real(x, "compile", "an input") for x in xs]

    def _replay(
        self, X: list[float]
    ) -> tuple[float, Sequence[float], Sequence[float], list[Value]]:
        """(value, ∂/∂xs, the used parameters' new gradients, those parameters)."""
        for variant in self._variants:
            used = variant.params
            try:
                value, gx, gp = variant.fn(X, [p.data for p in used], [p.grad for p in used])
            except GuardFailed:
                continue
            return value, gx, gp, used
        if len(self._variants) >= MAX_VARIANTS:
            raise GuardFailed("no trace describes this call")
        variant = self._add_variant(X)
        used = variant.params
        value, gx, gp = variant.fn(X, [p.data for p in used], [p.grad for p in used])
        return value, gx, gp, used

    def _eager(self, X: Sequence[float]) -> tuple[float, list[float]]:
        leaves = [Value(x) for x in X]
        root = self.f(*leaves)
        root.backward()
        return root.data, [v.grad for v in leaves]

    def _run(self, xs: Sequence[float], keep: bool) -> tuple[float, list[float]]:
        X = self._inputs(xs)
        with self._lock:
            try:
                value, gx, gp, used = self._replay(X)
            except (ArithmeticError, ValueError, GuardFailed):
                # the library's own error or value (at a pole), or no trace fits: run eagerly
                self.eager_calls += 1
                before = [p.grad for p in self.params]
                try:
                    return self._eager(X)
                finally:
                    if not keep:
                        for p, g in zip(self.params, before):
                            p.grad = g
            if self._checked < self.check:
                self._checked += 1
                before = [p.grad for p in used]
                eager_value, eager_gx = self._eager(X)
                eager_gp = [p.grad for p in used]
                for p, g in zip(used, before):
                    p.grad = g
                compare("compile", [value, *gx, *gp], [eager_value, *eager_gx, *eager_gp])
            if keep:
                for p, g in zip(used, gp):
                    p.grad = g
        return value, list(gx)

    def value_and_grad(self, *xs: float) -> tuple[float, list[float]]:
        """f(xs) and [∂f/∂xᵢ]; each parameter's ``.grad`` grows by ∂f/∂p (as backward())."""
        return self._run(xs, keep=True)

    def __call__(self, *xs: float) -> float:
        """f(xs) as a float (checked like ``value_and_grad``; no ``.grad`` changes)."""
        return self._run(xs, keep=False)[0]

    def __repr__(self) -> str:
        used = len(self._variants[0].used)
        return f"Compiled({self.n_inputs} inputs, {used} params, {self.n_nodes} nodes)"


def compare(where: str, replayed: Sequence[float], eager: Sequence[float]) -> None:
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
    ``.grad`` is filled (default: every leaf f reads that outlives a call, found by tracing f
    twice; numbers f lifts to Values are constants). ``check``: how many first calls (of
    either kind) are compared, bit for bit, with an eager rebuild.

    >>> from tinygrad_edu import Value
    >>> f = compile(lambda a, b: a * b + a, [2.0, 3.0])
    >>> f.value_and_grad(4.0, 5.0)
    (24.0, [6.0, 4.0])
    """
    return Compiled(f, list(example_inputs), params, check)
