"""One self-contained HTML page from a recorded run: the page's HTML, CSS and JS are package
data files, filled with the run's records as JSON. No server, no network: it opens from
``file://`` and inside a Jupyter output cell."""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from typing import Any

from ..fileio import atomic_write_text
from .record import LOSS_FORMULAS, SATURATED, SEED_FORMULAS, Frame, Run

TOLERANCE = {"abs": 0.01, "rel": 0.05}  # a prediction is right within 0.01 + 5 % of |value|
DIGITS = 7  # significant digits kept in the page (the page shows 4)


def _asset(name: str) -> str:
    return resources.files("tinygrad_edu.explore").joinpath(name).read_text(encoding="utf-8")


def _r(x: Any) -> Any:
    """Floats rounded to DIGITS significant digits, all the way down a nested list."""
    if isinstance(x, float):
        return float(f"{x:.{DIGITS}g}")
    if isinstance(x, list):
        return [_r(v) for v in x]
    return x


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
        "ex": [
            {
                "z": _r(e.z),
                "a": _r(e.a),
                "s": _r(e.slope),
                "d": _r(e.delta),
                "up": _r(e.upstream),
                "dW": _r(e.dW),
                "db": _r(e.db),
                "L": _r(e.loss),
                "out": _r(e.output),
                "seed": _r(e.seed),
            }
            for e in f.examples
        ],
    }


def page_data(run: Run) -> dict[str, Any]:
    """The JSON the page reads: the run's records, rounded to 7 significant digits."""
    return {
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
        "X": run.X,
        "y": run.y,
        "losses": _r(run.losses),
        "accuracy": _r(run.accuracy),
        "axes": run.axes,
        "frames": [_frame(f) for f in run.frames],
        "drills": [
            {
                "epoch": d.epoch,
                "example": d.example,
                "layer": d.layer,
                "neuron": d.neuron,
                "svg": d.svg,
                "dot": d.dot,
                "mermaid": d.mermaid,
                "steps": [
                    {
                        "node": s["node"],
                        "op": s["op"],
                        "up": _r(s["upstream"]),
                        "parts": [
                            {
                                "parent": c["parent"],
                                "local": _r(c["local"]),
                                "contribution": _r(c["contribution"]),
                                "total": _r(c["total"]),
                            }
                            for c in s["parts"]
                        ],
                    }
                    for s in d.steps
                ],
            }
            for d in run.drills
        ],
        "notes": run.notes,
    }


def explorer_html(run: Run) -> str:
    """The explorer page for ``run`` as one HTML string (CSS, JS and data inline)."""
    if not isinstance(run, Run):
        raise TypeError(f"explorer_html: run must be a Run (from record_run), got {type(run)!r}")
    data = json.dumps(page_data(run), ensure_ascii=False, separators=(",", ":"))
    data = data.replace("</", "<\\/")  # a "</script>" inside the data cannot end the block
    page = _asset("explorer.html")
    # the data goes in last, so text inside it is never mistaken for a placeholder
    page = page.replace("__TITLE__", html.escape(f"Explorer: {run.title}"))
    page = page.replace("/*__CSS__*/", _asset("explorer.css"))
    page = page.replace("/*__JS__*/", _asset("explorer.js"))
    return page.replace("__DATA__", data)


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
