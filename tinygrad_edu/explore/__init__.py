"""The explorer: one offline HTML page that shows a network learning.

``record_run(model, X, y, ...)`` trains with ``fit(compile=True)``'s step and records, every
k-th epoch, what the engine computed: z, a, σ′(z), δ, ∂L/∂a per row, and the weights before and
after each update. ``write_explorer(model, X, y, path, ...)`` does that and writes the page;
``Explorer(run)`` shows it inline in Jupyter. The page steps through the four phases of
backprop (① forward, ② loss and its seed, ③ deltas, ④ gradients and the update of every
layer), draws any neuron's scalar graph at any recorded epoch, replays the training (loss,
decision boundary, gradient health; play/pause), and can ask the learner to predict each value
before it is revealed; the answers download as JSON (``answers`` describes the format).

The page's script renders from data: ``page_data(run)`` is the JSON-able dict it reads, and
``window.TinygradExplorer.mount(root, data)`` draws it into any element (see explorer.js).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .. import checks
from ..fileio import atomic_write_text
from ..nn import MLP
from . import answers, budget
from .budget import Estimate
from .page import TOLERANCE, Explorer, embed_json, explorer_html, page_data
from .record import (
    ExampleRecord,
    Frame,
    Run,
    bias_name,
    input_name,
    record_run,
    weight_name,
)

__all__ = [
    "TOLERANCE",
    "Estimate",
    "ExampleRecord",
    "Explorer",
    "Frame",
    "Run",
    "answers",
    "bias_name",
    "budget",
    "embed_json",
    "explorer_html",
    "input_name",
    "page_data",
    "record_run",
    "weight_name",
    "write_explorer",
    "xor_run",
]


def write_explorer(
    model: MLP,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    path: str | Path,
    *,
    loss: str = "bce",
    lr: float = 1.0,
    epochs: int = 2000,
    every: int | None = None,
    seed: int | None = None,
    title: str = "",
    max_seconds: float = budget.MAX_SECONDS,
    max_megabytes: float = budget.MAX_MEGABYTES,
    progress: bool | None = None,
) -> Path:
    """Train ``model`` on X, y (as ``record_run``) and write the explorer page to ``path``.

    The model is trained in place. Returns the path.

    >>> import tempfile, pathlib
    >>> from tinygrad_edu.nn import MLP
    >>> m = MLP(1, [2, 1], activation="tanh", output_activation="linear", seed=0)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_explorer(m, [[0.0], [1.0]], [0.0, 1.0], pathlib.Path(d) / "e.html",
    ...                        loss="mse", lr=0.1, epochs=3)
    ...     p.read_text(encoding="utf-8").startswith("<!doctype html>")
    True
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"write_explorer: path must be a str or Path, got {checks.show(path)}")
    run = record_run(
        model, X, y, loss=loss, lr=lr, epochs=epochs, every=every, seed=seed, title=title,
        max_seconds=max_seconds, max_megabytes=max_megabytes, progress=progress,
    )  # fmt: skip
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, explorer_html(run), "write_explorer")
    return out


def xor_run(epochs: int = 2000, seed: int = 0, every: int | None = None) -> Run:
    """The lesson's XOR run recorded: MLP(2, [4, 4, 1]), sigmoids, BCE, lr 1, full batch.

    >>> run = xor_run(epochs=3, every=1)
    >>> run.sizes, run.recorded
    ([2, 4, 4, 1], [0, 1, 2])
    """
    from .. import data, examples

    X, y = data.xor()
    model = examples.xor_network(seed=seed)
    return record_run(
        model, X, y, loss=examples.XOR_LOSS, lr=examples.XOR_LR, epochs=epochs, every=every,
        seed=seed, title="XOR, MLP(2, [4, 4, 1]) with sigmoids, binary cross-entropy",
    )  # fmt: skip
