"""The lesson's worked one-neuron example, ready to draw."""

from __future__ import annotations

from ..engine import Value
from ..examples import NEURON
from ..nary import dot


def example_graph() -> tuple[Value, dict[str, Value]]:
    """The lesson's sigmoid neuron with loss ½(y − ŷ)², after backward, and its parameters.

    x = 0.5, w = 1.2, b = −0.8, y = 0: ŷ = σ(−0.2) ≈ 0.450166, L ≈ 0.101325,
    ∂L/∂w ≈ 0.055712, ∂L/∂b ≈ 0.111424.

    >>> L, params = example_graph()
    >>> round(L.data, 6), round(params["w"].grad, 6), round(params["b"].grad, 6)
    (0.101325, 0.055712, 0.111424)
    """
    x = Value(NEURON.x, "x")
    w = Value(NEURON.w, "w")
    b = Value(NEURON.b, "b")
    y = Value(NEURON.y, "y")
    z = dot([w], [x], b)
    z.label = "z"
    y_hat = z.sigmoid()
    y_hat.label = "ŷ"
    err = y - y_hat
    err.label = "y − ŷ"
    loss = Value(0.5, "½") * err**2
    loss.label = "L"
    loss.backward()
    return loss, {"w": w, "b": b}
