"""The cross-check's report: one row per parameter, one line per layer, a verdict.

Shown as text (``str``), Markdown (``to_markdown``) and, in Jupyter, as an HTML table
(``_repr_html_``), Markdown (``_repr_markdown_``) or text under IPython (``_repr_pretty_``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..textsafe import md_text

if TYPE_CHECKING:
    from .equations import Backward, ForwardCache

TORCH_MISSING = "PyTorch: not installed (pip install tinygrad_edu[torch])"


def close(a: float, b: float, tol: float) -> bool:
    """|a − b| ≤ tol · max(1, |a|), written so that NaN counts as a disagreement."""
    return abs(a - b) <= tol * max(1.0, abs(a))


def rel(a: float, b: float) -> float:
    """|a − b| relative to the larger magnitude (0 when both are 0)."""
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale > 0.0 else 0.0


@dataclass(frozen=True)
class ParameterRow:
    """One parameter's gradient three ways (four with PyTorch), and whether they agree."""

    name: str
    layer: int
    engine: float
    delta: float
    numerical: float  # NaN when the numerical check was switched off
    abs_diff: float  # the largest |difference| among the compared pairs
    rel_diff: float  # the same, divided by the larger magnitude of the pair
    delta_ok: bool  # |engine − delta| within delta_tol
    numerical_engine_ok: bool  # |numerical − engine| within atol + rtol·|numerical|
    numerical_delta_ok: bool  # |numerical − delta| likewise (both True when not compared)
    kink: bool  # θ ± ε crossed a ReLU kink or the BCE clamp: numerical not compared
    torch: float = math.nan  # PyTorch autograd in float64; NaN when torch is not installed
    torch_ok: bool = True  # |torch − engine| within delta_tol (True when not compared)

    @property
    def ok(self) -> bool:
        """True when every comparison made for this parameter passed."""
        three = self.delta_ok and self.numerical_engine_ok and self.numerical_delta_ok
        return three and self.torch_ok

    @property
    def suspect(self) -> str:
        """The column that disagrees with the others: 'engine', 'delta', 'numerical', 'torch'.

        '' when the row is ok, 'all' when no two agree, 'engine/delta' when those two differ
        and the numerical column (skipped, or within tolerance of both) cannot tell which.
        """
        if self.ok:
            return ""
        checks = (self.delta_ok, self.numerical_engine_ok, self.numerical_delta_ok)
        if all(checks):
            return "torch"
        odd_one_out = {
            (False, True, False): "delta",
            (False, False, True): "engine",
            (True, False, False): "numerical",
        }
        if self.numerical_engine_ok and self.numerical_delta_ok:
            return "engine/delta"  # no numerical column, or too coarse to break the tie
        return odd_one_out.get(checks, "all")

    @property
    def status(self) -> str:
        """'ok', 'ok (kink …)' or 'MISMATCH: <suspect> off'."""
        if self.ok:
            return "ok (kink: numerical skipped)" if self.kink else "ok"
        suspect = self.suspect
        named = {
            "engine/delta": "MISMATCH: engine ≠ delta eqs",
            "all": "MISMATCH: all three differ",
            "torch": "MISMATCH: PyTorch ≠ engine",
            "delta": "MISMATCH: delta eqs off",
        }
        return named.get(suspect, f"MISMATCH: {suspect} off")


@dataclass(frozen=True)
class LayerSummary:
    """One layer's gradient sizes (from the delta equations) and its worst disagreement."""

    index: int
    nin: int
    nout: int
    activation: str
    dW_norm: float  # ‖∂L/∂Wˡ‖_F
    db_norm: float  # ‖∂L/∂bˡ‖₂
    delta_norm: float  # mean over the batch of ‖δᵢˡ‖₂
    max_abs_diff: float  # max |engine − delta| over the layer's parameters


_ROW_HEAD = (
    "parameter",
    "path",
    "engine",
    "delta eqs",
    "numerical",
    "max abs diff",
    "max rel diff",
)
_LAYER_HEAD = (
    "layer",
    "W shape",
    "activation",
    "‖∂L/∂W‖",
    "‖∂L/∂b‖",
    "mean ‖δ‖",
    "max |engine − delta|",
)


@dataclass(frozen=True)
class CrosscheckReport:
    """The result of ``crosscheck``: rows per parameter, a summary per layer, a verdict.

    >>> from tinygrad_edu.manual import crosscheck
    >>> from tinygrad_edu.nn import MLP
    >>> net = MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=0)
    >>> report = crosscheck(net, [[0.5]], [0.0], loss="half_sse")
    >>> report.ok, len(report.rows), "<table" in report._repr_html_()
    (True, 2, True)
    """

    loss: str
    batch_size: int
    loss_engine: float
    loss_delta: float
    rows: list[ParameterRow]
    layers: list[LayerSummary]
    eps: float
    atol: float
    rtol: float
    delta_tol: float
    numerical: bool
    output_rule: str
    notes: list[str] = field(default_factory=list)
    manual: Backward | None = None
    cache: ForwardCache | None = None
    torch_note: str = ""  # where the PyTorch column came from, or why there is none

    @property
    def has_torch(self) -> bool:
        """True when the report has a PyTorch autograd column."""
        return any(not math.isnan(r.torch) for r in self.rows)

    @property
    def loss_ok(self) -> bool:
        """The engine's loss value and the NumPy one agree within delta_tol."""
        return close(self.loss_engine, self.loss_delta, self.delta_tol)

    @property
    def ok(self) -> bool:
        """True when all rows and the loss values agree."""
        return self.loss_ok and all(r.ok for r in self.rows)

    @property
    def mismatches(self) -> list[str]:
        """Names of the parameters whose gradients disagree."""
        return [r.name for r in self.rows if not r.ok]

    @property
    def max_abs_diff(self) -> float:
        """The largest absolute difference among all comparisons made."""
        return max((r.abs_diff for r in self.rows), default=0.0)

    @property
    def max_delta_diff(self) -> float:
        """max |engine − delta equations| over the parameters."""
        return max((abs(r.engine - r.delta) for r in self.rows), default=0.0)

    @property
    def max_numerical_diff(self) -> float:
        """max |numerical − engine| over the parameters where it was compared."""
        diffs = [abs(r.numerical - r.engine) for r in self.rows if self.numerical and not r.kink]
        return max(diffs, default=0.0)

    @property
    def max_torch_diff(self) -> float:
        """max |PyTorch − engine| over the parameters (0 without the PyTorch column)."""
        return max((abs(r.torch - r.engine) for r in self.rows if self.has_torch), default=0.0)

    def header(self) -> list[str]:
        """The lines above the table: loss, output rule, loss values, tolerances, PyTorch."""
        if self.numerical:
            numeric = (
                f"|numerical − engine| ≤ atol + rtol·|numerical|, eps={self.eps:g}, "
                f"atol={self.atol:.2g}, rtol={self.rtol:g}"
            )
        else:
            numeric = "numerical check off"
        lines = [
            f"loss {self.loss}, batch of {self.batch_size}, {len(self.rows)} parameters; "
            f"output error {self.output_rule}",
            f"loss value: engine {self.loss_engine:.12g}, delta equations {self.loss_delta:.12g}",
            f"tolerances: |engine − delta| ≤ {self.delta_tol:g}·max(1, |engine|); {numeric}",
        ]
        return lines + ([self.torch_note] if self.torch_note else [])

    def verdict(self) -> str:
        """'OK: all N parameters agree (…)' or 'MISMATCH: … (…)'."""
        diffs = f"max |engine − delta| = {self.max_delta_diff:.2e}"
        if self.numerical:
            diffs += f", max |numerical − engine| = {self.max_numerical_diff:.2e}"
        if self.has_torch:
            diffs += f", max |PyTorch − engine| = {self.max_torch_diff:.2e}"
        if self.ok:
            return f"OK: all {len(self.rows)} parameters agree ({diffs})"
        bad = [_tensor_name(name) for name in self.mismatches]
        what = f"{len(bad)} of {len(self.rows)} parameters disagree: {', '.join(bad)}"
        if not self.loss_ok:
            what = "the loss values differ; " + what
        return f"MISMATCH: {what} ({diffs})"

    def row_head(self) -> list[str]:
        """The parameter table's column names (with PyTorch when there is that column)."""
        head = list(_ROW_HEAD)
        if self.has_torch:
            head.insert(5, "PyTorch")
        return [*head, "status"]

    def row_cells(self, r: ParameterRow) -> list[str]:
        """One parameter's cells, as in :meth:`row_head`."""
        # the delta equations' name first (W2[3, 0], layers from 1), the module path second
        cells = [_tensor_name(r.name), r.name, f"{r.engine:.10g}", f"{r.delta:.10g}"]
        cells.append(f"{r.numerical:.10g}" if self.numerical else "-")
        if self.has_torch:
            cells.append(f"{r.torch:.10g}")
        return [*cells, f"{r.abs_diff:.2e}", f"{r.rel_diff:.2e}", r.status]

    def layer_cells(self, s: LayerSummary) -> list[str]:
        """One layer's summary cells."""
        return [
            f"W{s.index + 1}, b{s.index + 1} (layers.{s.index})",
            f"{s.nout}×{s.nin}",
            s.activation,
            f"{s.dW_norm:.4e}",
            f"{s.db_norm:.4e}",
            f"{s.delta_norm:.4e}",
            f"{s.max_abs_diff:.2e}",
        ]

    def _tables(self) -> tuple[list[str], list[list[str]], list[list[str]]]:
        rows = [self.row_cells(r) for r in self.rows]
        return self.row_head(), rows, [self.layer_cells(s) for s in self.layers]

    def __str__(self) -> str:
        head, rows, layers = self._tables()
        title = "gradient cross-check: engine backward() vs delta equations vs central differences"
        lines = [title + (" vs PyTorch" if self.has_torch else ""), *self.header(), ""]
        lines += text_table(head, rows)
        lines += ["", "per layer (norms from the delta equations):"]
        lines += text_table(_LAYER_HEAD, layers)
        return "\n".join([*lines, "", *self.notes, self.verdict()])

    def to_markdown(self) -> str:
        """The same report as Markdown tables."""
        head, rows, layers = self._tables()
        lines = ["### Gradient cross-check", "", *(f"- {md_text(h)}" for h in self.header()), ""]
        lines += md_table(head, rows)
        lines += ["", "Per layer (norms from the delta equations):", ""]
        lines += md_table(_LAYER_HEAD, layers)
        lines += [""] + [f"- {md_text(n)}" for n in self.notes] + [f"**{md_text(self.verdict())}**"]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        head, rows, layers = self._tables()
        colour = "#1a7f37" if self.ok else "#cf222e"
        parts = [
            "<div class='tinygrad-edu-crosscheck'>",
            f"<p><b style='color:{colour}'>{html.escape(self.verdict())}</b></p>",
            "<ul>" + "".join(f"<li>{html.escape(h)}</li>" for h in self.header()) + "</ul>",
            html_table(head, rows),
            "<p>Per layer (norms from the delta equations):</p>",
            html_table(_LAYER_HEAD, layers),
            *(f"<p>{html.escape(n)}</p>" for n in self.notes),
            "</div>",
        ]
        return "\n".join(parts)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text("CrosscheckReport(...)" if cycle else str(self))


def _tensor_name(name: str) -> str:
    """``layers.1.neurons.3.w.0`` → ``W2[3, 0]`` (a name of another form is kept)."""
    from ..names import tensor_name

    try:
        return tensor_name(name)
    except ValueError:
        return name


def text_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A text table: the first column left, the last free, the others right-aligned."""
    widths = [
        max(len(h), *(len(r[c]) for r in rows)) if rows else len(h) for c, h in enumerate(head)
    ]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1])]
        return "  ".join([first, *rest, cells[-1]]).rstrip()

    out = [line(head), "-" * (sum(widths) + 2 * (len(widths) - 1))]
    return out + [line(r) for r in rows]


def md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table, numbers right-aligned; every cell is escaped text."""
    out = [
        "| " + " | ".join(map(md_text, head)) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 2) + ["---"]) + "|",
    ]
    return out + ["| " + " | ".join(map(md_text, r)) + " |" for r in rows]


def html_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An HTML table (escaped), numbers right-aligned, mismatching rows marked."""
    pad = "padding:2px 10px;font-variant-numeric:tabular-nums"
    cell = "<td style='text-align:{};" + pad + "'>{}</td>"
    th = "<th style='text-align:{};" + pad + ";border-bottom:1px solid #888'>{}</th>"
    aligns = ["left"] + ["right"] * (len(head) - 2) + ["left"]
    heads = "".join(th.format(a, html.escape(h)) for a, h in zip(aligns, head))
    out = ["<table style='border-collapse:collapse'>", f"<tr>{heads}</tr>"]
    for r in rows:
        style = " style='background:#ffebe9'" if r[-1].startswith("MISMATCH") else ""
        cells = [cell.format("left", html.escape(r[0]))]
        cells += [cell.format("right", html.escape(c)) for c in r[1:-1]]
        cells.append(cell.format("left", html.escape(r[-1])))
        out.append(f"<tr{style}>" + "".join(cells) + "</tr>")
    return "\n".join([*out, "</table>"])
