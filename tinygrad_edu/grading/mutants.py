"""The tutor's bug catalogue as mutants: an engine with one catalogued mistake injected.

Each mutant changes the library only inside the process that applies it (the audit's child
pytest run), through the public surface a learner's code would touch: a ``Value`` operator's
local derivative, ``Value.backward``'s loop, a mean loss, or the delta equations. The reference
``backward`` here is the lesson's loop; each mutant is that loop, or an operator, with one
mistake.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ..engine import Value, topo_order

__all__ = ["ENV", "MUTANTS", "apply"]

ENV = "TINYGRAD_EDU_MUTANT"


def _replace_everywhere(original: Any, new: Any) -> None:
    """Point every tinygrad_edu module's name for ``original`` at ``new`` (re-exports too)."""
    for name, module in list(sys.modules.items()):
        if name == "tinygrad_edu" or name.startswith("tinygrad_edu."):
            for attr, value in list(vars(module).items()):
                if value is original:
                    setattr(module, attr, new)


def _patch_locals(method: str, change: Callable[[Value, Value], tuple[float, ...]]) -> None:
    original = getattr(Value, method)

    def mutated(self: Value, *args: Any) -> Any:
        out = original(self, *args)
        if isinstance(out, Value) and out.parents:
            out._local_grads = change(out, self)
        return out

    setattr(Value, method, mutated)


def _swap(out: Value, _: Value) -> tuple[float, ...]:
    return tuple(reversed(out.local_grads))


def _sign() -> None:
    """a − b with ∂/∂b = +1: the negation's local derivative loses its sign."""
    _patch_locals("__neg__", lambda out, _: tuple(-g for g in out.local_grads))


def _tanh_of_input() -> None:
    _patch_locals("tanh", lambda out, x: (1.0 - x.data * x.data,))
    _patch_locals("sigmoid", lambda out, x: (x.data * (1.0 - x.data),))


def _log_of_output() -> None:
    _patch_locals("log", lambda out, x: (1.0 / out.data if out.data else float("inf"),))


def _backward(mistake: str) -> None:
    def backward(self: Value, gradient: float = 1.0, create_graph: bool = False) -> None:
        order = topo_order(self)  # parents before children
        if mistake != "doubled-on-second-call":
            for node in order:
                if node.parents:
                    node.grad = 0.0  # interior gradients are recomputed each call
        if mistake != "unseeded-root":
            self.grad = gradient
        walk = order if mistake == "not-topological" else list(reversed(order))
        for node in walk:
            for parent, local in zip(node.parents, node.local_grads):
                part = local if mistake == "missing-upstream" else local * node.grad
                if mistake == "assign-not-accumulate":
                    parent.grad = part
                else:
                    parent.grad += part

    Value.backward = backward  # type: ignore[method-assign]


def _sum_not_mean() -> None:
    from .. import losses

    for name in ("mse", "bce"):
        original = getattr(losses, name)

        def summed(pred: Any, target: Any, *a: Any, _f: Any = original, **k: Any) -> Any:
            m = len(pred) if isinstance(pred, (list, tuple)) else 1
            return _f(pred, target, *a, **k) * m

        _replace_everywhere(original, summed)


def _delta(mistake: str) -> None:
    from ..manual import equations

    original = equations.backward

    def mutated(cache: Any, Y: Any, loss: str, **options: Any) -> Any:
        if mistake == "sigma-prime-of-a":
            derivs = {
                name: (lambda z, a, _d=d, _n=name: _d(a, equations.activate(_n, a)))
                for name, d in equations.DERIVATIVES.items()
            }
            options["activation_derivatives"] = derivs
            options.setdefault("simplify", True)
        out = original(cache, Y, loss, **options)
        if mistake == "missing-transpose":
            out.dW[:] = [dw.T.copy() if dw.shape[0] == dw.shape[1] else dw.T for dw in out.dW]
        return out

    _replace_everywhere(original, mutated)


def _mul_swapped() -> None:
    _patch_locals("__mul__", _swap)
    _patch_locals("__rmul__", _swap)


def _loop(mistake: str) -> Callable[[], None]:
    return lambda: _backward(mistake)


def _equations(mistake: str) -> Callable[[], None]:
    return lambda: _delta(mistake)


MUTANTS: dict[str, tuple[str, Callable[[], None]]] = {
    "reversed-operands": ("a·b with the two local derivatives swapped", _mul_swapped),
    "sign": ("a − b with ∂/∂b = +1 (negation's derivative without its sign)", _sign),
    "input-instead-of-output": ("tanh′ = 1 − x², σ′ = x(1 − x) at the input", _tanh_of_input),
    "output-instead-of-input": ("log′ = 1/out instead of 1/x", _log_of_output),
    "missing-upstream": ("backward() without × the upstream gradient", _loop("missing-upstream")),
    "assign-not-accumulate": ("backward() with '=' for '+='", _loop("assign-not-accumulate")),
    "not-topological": ("backward() visiting nodes in forward order", _loop("not-topological")),
    "unseeded-root": ("backward() without the root's gradient set to 1", _loop("unseeded-root")),
    "doubled-on-second-call": (
        "backward() without resetting interior gradients",
        _loop("doubled-on-second-call"),
    ),
    "missing-1-over-m": ("mse and bce summed over the batch, not averaged", _sum_not_mean),
    "missing-transpose": ("the delta equations' ∂L/∂W transposed", _equations("missing-transpose")),
    "sigma-prime-of-a": ("the delta equations' σ′ at a, not z", _equations("sigma-prime-of-a")),
}


def apply(code: str) -> None:
    """Inject the mutant ``code`` into this process (see :data:`MUTANTS`)."""
    if code not in MUTANTS:
        raise ValueError(f"mutant: unknown mistake {code!r}; known: {', '.join(MUTANTS)}")
    MUTANTS[code][1]()
