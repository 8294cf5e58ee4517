"""One self-contained HTML page from a recorded run: the page's HTML, CSS and JS are package
data files, filled with the run's records as JSON. No server, no network: it opens from
``file://`` and inside a Jupyter output cell."""

from __future__ import annotations

import html
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ..fileio import atomic_write_text
from ..textsafe import json_for_html
from .record import LOSS_FORMULAS, SATURATED, SEED_FORMULAS, Frame, Run

TOLERANCE = {"abs": 0.01, "rel": 0.05}  # a prediction is right within 0.01 + 5 % of |value|
DIGITS = 7  # significant digits kept in the page (the page shows 4)
FORMAT = 2  # the layout of page_data; explorer.js reads it


def _asset(name: str) -> str:
    return resources.files("tinygrad_edu.explore").joinpath(name).read_text(encoding="utf-8")


def _r(x: Any) -> Any:
    """Floats rounded to DIGITS significant digits, all the way down a nested list."""
    if isinstance(x, float):
        return float(f"{x:.{DIGITS}g}")
    if isinstance(x, list):
        return [_r(v) for v in x]
    return x


def _clean(x: float) -> float:
    """A data value for display: float noise about 0 (``-1.2e-16`` from sin π) shown as 0."""
    return 0.0 if abs(x) < 1e-12 else _r(x)


def _frame(f: Frame) -> dict[str, Any]:
    return {
        "epoch": f.epoch,
        "Wb": _r(f.W_before),
        "bb": _r(f.b_before),
        "Wa": _r(f.W_after),
        "ba": _r(f.b_after),
        "gW": _r(f.grad_W),
        "gb": _r(f.grad_b),
        "loss": _r(f.batch_loss),
        "surface": f.surface,
        "health": [
            {"d": _r(h["mean_abs_delta"]), "dead": _r(h["dead"]), "sat": _r(h["saturated"])}
            for h in f.health
        ],
        # per row: the row's own ∂L/∂W is δ · input (the engine's w.grad is that one product),
        # so the page multiplies the two recorded numbers instead of storing the product
        "ex": [
            {
                "z": _r(e.z),
                "a": _r(e.a),
                "s": _r(e.slope),
                "d": _r(e.delta),
                "up": _r(e.upstream),
                "L": _r(e.loss),
                "out": _r(e.output),
                "seed": _r(e.seed),
            }
            for e in f.examples
        ],
    }


def page_data(run: Run) -> dict[str, Any]:
    """The JSON-able dict the page renders (``TinygradExplorer.mount(root, data)`` in
    explorer.js): the run's records, rounded to 7 significant digits.

    >>> from tinygrad_edu.explore import xor_run
    >>> d = page_data(xor_run(epochs=2, every=1))
    >>> d["meta"]["sizes"], len(d["frames"]), len(d["frames"][0]["ex"])
    ([2, 4, 4, 1], 2, 4)
    """
    if not isinstance(run, Run):
        raise TypeError(f"page_data: run must be a Run (from record_run), got {type(run)!r}")
    return {
        "format": FORMAT,
        "meta": {
            "title": run.title,
            "seed": run.seed,
            "lr": run.lr,
            "epochs": run.epochs,
            "every": run.every,
            "loss": run.loss_name,
            "loss_formula": LOSS_FORMULAS[run.loss_name],
            "seed_formula": SEED_FORMULAS[run.loss_name],
            "sizes": run.sizes,
            "activations": run.activations,
            "tolerance": TOLERANCE,
            "saturated": SATURATED,
        },
        "X": [[_clean(v) for v in r] for r in run.X],
        "y": [_clean(t) for t in run.y],
        "losses": _r(run.losses),
        "accuracy": _r(run.accuracy),
        "axes": run.axes,
        "frames": [_frame(f) for f in run.frames],
        "notes": run.notes,
    }


def embed_json(data: object) -> str:
    r"""``data`` as compact JSON that is safe inside an HTML ``<script>`` block
    (``textsafe.json_for_html``: ``<``, ``>``, ``&``, U+2028/U+2029 and lone surrogates escaped,
    so neither ``</script>`` nor ``<!--`` in a title or label can end or bend it).

    >>> embed_json({"t": "</script><!--"})
    '{"t":"\\u003c/script\\u003e\\u003c!--"}'
    """
    return json_for_html(data, separators=(",", ":"), allow_nan=False)


_PLACEHOLDER = re.compile(r"__TITLE__|/\*__CSS__\*/|/\*__JS__\*/|__DATA__")


def fill(template: str, values: dict[str, str]) -> str:
    """Every placeholder of ``template`` replaced in one pass: a value is never searched again,
    so a title that contains ``__DATA__`` stays text.

    >>> fill("<t>__TITLE__</t>__DATA__", {"__TITLE__": "__DATA__", "__DATA__": "1"})
    '<t>__DATA__</t>1'
    """
    return _PLACEHOLDER.sub(lambda m: values[m.group(0)], template)


def explorer_html(run: Run) -> str:
    """The explorer page for ``run`` as one HTML string (CSS, JS and data inline)."""
    if not isinstance(run, Run):
        raise TypeError(f"explorer_html: run must be a Run (from record_run), got {type(run)!r}")
    return fill(
        _asset("explorer.html"),
        {
            "__TITLE__": html.escape(f"Explorer: {run.title}"),
            "/*__CSS__*/": _asset("explorer.css"),
            "/*__JS__*/": _asset("explorer.js"),
            "__DATA__": embed_json(page_data(run)),
        },
    )


class Explorer:
    """A recorded run that displays itself in Jupyter (in an iframe, so its script and styles
    stay apart from the notebook's); ``save(path)`` writes the page."""

    def __init__(self, run: Run, height: int = 1500) -> None:
        if not isinstance(run, Run):
            raise TypeError(f"Explorer: run must be a Run (from record_run), got {type(run)!r}")
        self.run = run
        self.height = height

    def html(self) -> str:
        """The page as a string."""
        return explorer_html(self.run)

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (atomically); returns the path."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, self.html(), "Explorer.save")
        return out

    def _repr_html_(self) -> str:
        doc = html.escape(self.html(), quote=True)
        return (
            f'<iframe srcdoc="{doc}" style="width: 100%; height: {self.height}px; border: 0" '
            'sandbox="allow-scripts allow-downloads"></iframe>'
        )

    def __repr__(self) -> str:
        return f"Explorer({self.run.title!r}, {len(self.run.frames)} recorded epochs)"
