"""``compile(f, inputs)``: a scalar function traced once and replayed as float code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .. import checks
from ..engine import Value
from .lowering import lower
from .source import build, function_source


class CompileMismatch(AssertionError):
    """A replay differed from an eager rebuild: the trace does not describe this call."""


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
        self.source = function_source(low)
        self.n_nodes = low.n_nodes
        self.n_edges = low.n_edges
        self._fn = build(self.source, low.namespace, "replay")
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
            compare(
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
    ``.grad`` is filled (default: every leaf of the graph that is not an input). ``check``: how
    many first calls are compared, bit for bit, with an eager rebuild.

    >>> from tinygrad_edu import Value
    >>> f = compile(lambda a, b: a * b + a, [2.0, 3.0])
    >>> f.value_and_grad(4.0, 5.0)
    (24.0, [6.0, 4.0])
    """
    return Compiled(f, list(example_inputs), params, check)
