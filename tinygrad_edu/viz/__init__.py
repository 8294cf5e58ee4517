"""Draw computation graphs: every value with its data and gradient, every edge with its local
gradient ∂out/∂in, so the chain rule can be read off the picture.

* ``draw_dot(root)`` returns a ``graphviz.Digraph`` (it displays itself in Jupyter);
  ``render(root, "graph.svg")`` writes a picture; ``to_mermaid(root)`` gives Mermaid text that
  Markdown viewers render without any program installed.
* ``backward_steps(root)`` replays backward one node at a time and ``render_backward(root,
  folder)`` draws one frame per step, with an HTML page and a slider to step through them.

What the drawing shows:

* a box per value: its label (or parameter name), ``data`` and ``grad``; a small node per
  operation with the primitive's symbol (hover it for the formula and the derivative);
* each edge into an operation is labelled with the local gradient ∂out/∂parent; ``a + a`` draws
  two edges; a gradient that gathers several paths is written as their sum,
  ``grad 1.5 + 2 = 3.5``, in the order backward added them;
* colours (with a legend): the root, parameters (from ``params=``: a module's
  ``named_parameters()``, a ``{name: Value}`` mapping or a list of Values), inputs and constants
  (the other leaves), intermediate values, and values whose gradient is exactly 0 (grey, dashed:
  a dead ReLU, a saturated sigmoid);
* for networks: each neuron (a ``dot`` node Σwx+b and the activation after it) is a cluster;
  ``level="neuron"`` or ``level="layer"`` collapses each neuron or layer into one box that
  lists the parameters' gradients.

Whether gradients exist (``grads_computed``): the engine has no "backward has run" flag, so by
default it is inferred from what backward leaves behind. A node made by an operation starts at
grad 0 and backward always writes 1 into the root it is called on, so gradients count as
computed when the root's gradient or any operation node's gradient is non-zero. This cannot
tell "never ran" from "ran, and every gradient in this subgraph is exactly 0" (possible only when
drawing part of a larger graph): pass ``grads_computed=True`` there. Leaves are ignored on
purpose, because parameters keep gradients from an earlier backward until ``zero_grad()``.

Rendering is bounded: ``render`` refuses a drawing of more than ``max_elements`` boxes and edges
(``GraphTooLarge``; ``level="auto"`` collapses to neurons or layers instead) and stops ``dot``
after ``timeout`` seconds (``DotFailed``). Both, and ``GraphvizNotFound``, are ``RenderError``
(a ``RuntimeError``). In Jupyter a drawing that cannot be rendered shows its Mermaid text and a
one-line note instead of a traceback.

Rooms: ``graph`` (what is drawn from), ``scene`` and ``collapse`` (boxes, edges, neurons,
layers), ``dot`` and ``mermaid`` (the writers), ``steps`` and ``frames`` (backward step by step,
the slider page ``page.html``). The graphviz package is imported only where it is needed.
"""

from .draw import Level, draw_dot, render, to_mermaid
from .errors import DotFailed, GraphTooLarge, GraphvizNotFound, RenderError
from .example import example_graph
from .frames import BackwardPage, render_backward
from .steps import BackwardStep, Contribution, backward_steps

__all__ = [
    "BackwardPage",
    "BackwardStep",
    "Contribution",
    "DotFailed",
    "GraphTooLarge",
    "GraphvizNotFound",
    "Level",
    "RenderError",
    "backward_steps",
    "draw_dot",
    "example_graph",
    "render",
    "render_backward",
    "to_mermaid",
]
