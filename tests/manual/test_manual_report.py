"""tinygrad_edu.manual's report and checks: Jupyter reprs, the PyTorch column, ragged batches,
the tolerance constants pinned from both sides."""

from __future__ import annotations

import ast
import html.parser
import importlib.util
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinygrad_edu import manual
from tinygrad_edu.manual import compare
from tinygrad_edu.nn import MLP

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0.0, 1.0, 1.0, 0.0]
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _xor_net(seed: int = 0) -> MLP:
    return MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=seed)


class _Cells(html.parser.HTMLParser):
    """The text of every <td>, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        self._in_cell = tag in ("td", "th")
        if self._in_cell:
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_cell = False if tag in ("td", "th") else self._in_cell

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.rows[-1][-1] += data


# ----------------------------------------------------------------------- Jupyter reprs
def test_report_html_is_a_table_with_every_parameters_numbers() -> None:
    model = _xor_net()
    report = manual.crosscheck(model, XOR_X, XOR_Y, loss="bce", with_torch=False)
    page = report._repr_html_()
    parser = _Cells()
    parser.feed(page)
    # the tensor name first (W1[0, 0]), the module path second
    by_name = {r[1]: r[1:] for r in parser.rows if len(r) > 1 and ".neurons." in r[1]}
    assert list(by_name) == [name for name, _ in model.named_parameters()]
    assert [r[0] for r in parser.rows if len(r) > 1 and ".neurons." in r[1]][:2] == [
        "W1[0, 0]",
        "W1[0, 1]",
    ]
    for row in report.rows:
        cells = by_name[row.name]
        assert float(cells[1]) == pytest.approx(row.engine, rel=1e-9, abs=1e-15)
        assert float(cells[2]) == pytest.approx(row.delta, rel=1e-9, abs=1e-15)
        assert cells[-1] == "ok"
    assert "OK: all 37 parameters agree" in page


def test_report_html_escapes_and_marks_mismatching_rows() -> None:
    report = manual.crosscheck(
        MLP(2, [3, 1], activation="sigmoid", seed=0), XOR_X, XOR_Y, loss="half_sse",
        activation_derivatives={"sigmoid": lambda z, a: a}, with_torch=False,
    )  # fmt: skip
    page = report._repr_html_()
    assert page.count("background:#ffebe9") == len(report.mismatches) > 0
    assert "<b style='color:#cf222e'>MISMATCH" in page
    assert "‖∂L/∂W‖" in page and "&lt;" not in report.verdict()


def test_report_markdown_and_pretty_reprs_are_the_report() -> None:
    from IPython.lib.pretty import pretty

    report = manual.crosscheck(_xor_net(), XOR_X, XOR_Y, with_torch=False)
    assert report._repr_markdown_() == report.to_markdown()
    assert pretty(report) == str(report)
    assert str(report).splitlines()[-1].startswith("OK: all 37 parameters agree")


def test_report_as_a_jupyter_cells_last_line_is_a_table_not_a_structure() -> None:
    from IPython.core.formatters import DisplayFormatter

    report = manual.crosscheck(_xor_net(), XOR_X, XOR_Y, with_torch=False)
    shown, _ = DisplayFormatter().format(report)  # what Jupyter calls on a cell's last value
    assert shown["text/html"] == report._repr_html_()
    assert shown["text/markdown"].startswith("### Gradient cross-check")
    assert shown["text/plain"] == str(report)
    assert "CrosscheckReport(" not in shown["text/plain"]


# ----------------------------------------------------------------------- ragged batches
@pytest.mark.parametrize(
    ("X", "message"),
    [
        ([[0.0, 1.0], [1.0], [1.0, 1.0]], r"crosscheck: X is ragged: X\[1\] has 1 entry"),
        ([[0.0, 1.0, 2.0], [1.0, 0.0, 0.0]], r"X\[0\] has 3 entries but the model's input size"),
        ([[0.0, 1.0], [1.0, 0.0, 5.0]], r"X\[1\] has 3 entries"),
    ],
)
def test_crosscheck_ragged_x_names_the_row(X: list[list[float]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        manual.crosscheck(MLP(2, [2, 1], seed=0), X, [0.0] * len(X), loss="mse")


def test_crosscheck_x_that_is_not_a_batch_is_a_named_type_error() -> None:
    with pytest.raises(TypeError, match=r"crosscheck: X must be a sequence"):
        manual.crosscheck(MLP(2, [1], seed=0), "0101", [0.0], loss="mse")


# ----------------------------------------------------------------------- the tolerances
def _linear_neuron() -> MLP:
    model = MLP(1, [1], output_activation="linear", seed=0)
    manual.load_weights(model, [([[0.7]], [0.2])])
    return model


@pytest.mark.parametrize(("factor", "ok"), [(0.9, True), (1.1, False)])
def test_crosscheck_delta_tolerance_is_1e_10_from_both_sides(factor: float, ok: bool) -> None:
    # linear neuron, ½(y − ŷ)², y = 5 at x = 2: ŷ = 1.6, ∂L/∂w = (ŷ − y)·x = −6.8 exactly
    # (|engine| > 1, so the bound is 1e-10·|engine|). A σ′ of 1 + κ scales the delta
    # equations' gradient by 1 + κ: |engine − delta| = κ·|engine|, just inside or outside.
    kappa = factor * 1e-10
    report = manual.crosscheck(
        _linear_neuron(), [[2.0]], [5.0], loss="half_sse", simplify=False,
        activation_derivatives={"linear": lambda z, a: np.full_like(z, 1.0 + kappa)},
        with_torch=False,
    )  # fmt: skip
    w_row = report.rows[0]
    assert w_row.engine == pytest.approx(-6.8, rel=1e-15)
    assert abs(w_row.delta - w_row.engine) == pytest.approx(kappa * 6.8, rel=1e-4)
    assert w_row.delta_ok is ok and report.ok is ok
    assert w_row.numerical_engine_ok and w_row.numerical_delta_ok  # κ is far below rtol
    assert w_row.status == ("ok" if ok else "MISMATCH: engine ≠ delta eqs")


def test_crosscheck_default_atol_is_four_unit_roundoffs_of_the_rounding_scale() -> None:
    # the constant: atol = 4u·S/ε with u = 2⁻⁵³ (twice the first-order bound 2u·S/ε)
    x, y = 2.0, 5.0
    model = _linear_neuron()
    report = manual.crosscheck(model, [[x]], [y], loss="half_sse", with_torch=False)
    batch = compare._batch(model, [[x]], [y], "half_sse", 1)
    root = compare._engine_loss(model, batch, "half_sse", manual.BCE_EPS)
    root.backward()
    scale = compare._rounding_scale(root)
    # S counts at least the rounding of ŷ (weight |r| = 3.4, |ŷ| = 1.6) and of L (weight 1)
    assert scale >= 3.4 * 1.6 + 0.5 * 3.4**2
    assert manual.UNIT_ROUNDOFF == 2.0**-53
    assert report.atol == 4.0 * 2.0**-53 * scale / 1e-6


@pytest.mark.parametrize(("factor", "ok"), [(1.01, True), (0.99, False)])
def test_crosscheck_numerical_bound_from_both_sides(factor: float, ok: bool) -> None:
    # the observed |numerical − engine| just inside atol passes, just outside is flagged
    model = _xor_net()
    first = manual.crosscheck(model, XOR_X, XOR_Y, with_torch=False)
    worst = max(abs(r.numerical - r.engine) for r in first.rows)
    assert 0.0 < worst <= first.atol  # the default bound holds what rounding really does
    report = manual.crosscheck(model, XOR_X, XOR_Y, atol=factor * worst, rtol=0.0, with_torch=False)
    assert report.ok is ok
    if not ok:
        bad = [r for r in report.rows if not r.numerical_engine_ok]
        assert [abs(r.numerical - r.engine) for r in bad] == [worst]


# ----------------------------------------------------------------------- PyTorch
def test_crosscheck_without_torch_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def no_torch(name: str, *args: Any) -> Any:
        return None if name == "torch" else real(name, *args)

    monkeypatch.setattr(compare.importlib.util, "find_spec", no_torch)
    report = manual.crosscheck(_xor_net(), XOR_X, XOR_Y)
    assert report.torch_note == "PyTorch: not installed (pip install tinygrad_edu[torch])"
    assert not report.has_torch and all(math.isnan(r.torch) for r in report.rows)
    text = str(report)
    assert report.torch_note in text and "PyTorch" not in text.splitlines()[6]
    assert report.ok


def test_crosscheck_torch_off_gives_no_column_and_no_note() -> None:
    report = manual.crosscheck(_xor_net(), XOR_X, XOR_Y, with_torch=False)
    assert report.torch_note == "" and not report.has_torch
    assert report.row_head() == [
        "parameter", "path", "engine", "delta eqs", "numerical", "max abs diff", "max rel diff",
        "status",
    ]  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TORCH, reason="needs PyTorch: pip install 'tinygrad_edu[torch]'")
@pytest.mark.parametrize(
    ("sizes", "activation", "loss", "y"),
    [
        ([4, 4, 1], "sigmoid", "bce", XOR_Y),
        ([3, 2], "tanh", "cross_entropy", [0, 1, 1, 0]),
        ([3, 2], "relu", "half_sse", [[0.5, 0.1], [0.2, 0.3], [0.9, 0.0], [0.4, 0.4]]),
        ([2, 1], "tanh", "mse", [0.3, -0.2, 0.1, 0.0]),
    ],
)
def test_crosscheck_torch_column_agrees_with_the_engine(
    sizes: list[int], activation: str, loss: str, y: Any
) -> None:
    output = {"bce": "sigmoid"}.get(loss, "linear")
    model = MLP(2, sizes, activation=activation, output_activation=output, seed=1)
    report = manual.crosscheck(model, XOR_X, y, loss=loss)
    assert report.has_torch and report.ok, str(report)
    assert "vs PyTorch" in str(report).splitlines()[0]
    assert report.row_head()[5] == "PyTorch"
    for row in report.rows:
        # the same arithmetic in another order: rounding only
        assert row.torch == pytest.approx(row.engine, rel=1e-10, abs=1e-14), row.name
        assert row.torch_ok
    assert 0.0 <= report.max_torch_diff < 1e-12


@pytest.mark.skipif(not HAS_TORCH, reason="needs PyTorch: pip install 'tinygrad_edu[torch]'")
def test_crosscheck_flags_a_torch_column_that_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    from tinygrad_edu import torch_bridge

    real = torch_bridge.torch_parameter_grads

    def off(*args: Any, **kwargs: Any) -> dict[str, float]:
        grads = real(*args, **kwargs)
        return {k: (v + 1e-6 if k == "layers.1.neurons.0.b" else v) for k, v in grads.items()}

    monkeypatch.setattr(torch_bridge, "torch_parameter_grads", off)
    report = manual.crosscheck(_xor_net(), XOR_X, XOR_Y)
    assert report.mismatches == ["layers.2.neurons.0.b"] or report.mismatches == [
        "layers.1.neurons.0.b"
    ]
    bad = next(r for r in report.rows if not r.ok)
    assert bad.status == "MISMATCH: PyTorch ≠ engine" and bad.suspect == "torch"


# ----------------------------------------------------------------------- the rooms
MANUAL = Path(manual.__file__).parent


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, inside `if TYPE_CHECKING`) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            typing_only |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, id(node) in typing_only) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            name = "." * node.level + (node.module or "")
            out.append((name, id(node) in typing_only))
    return out


def test_manual_imports_numpy_at_run_time_in_one_place_only() -> None:
    places = [
        path.name
        for path in sorted(MANUAL.glob("*.py"))
        for name, typing_only in _imports(path)
        if name.split(".")[0] == "numpy" and not typing_only
    ]
    assert places == ["base.py"]


# the engine and everything that holds derivative rules; nn only to recognise an MLP
ENGINE_ROOMS = {"engine", "ops", "losses", "functional", "tape", "gradcheck", "compile", "nn"}


@pytest.mark.parametrize(
    ("room", "allowed"),
    [("equations.py", []), ("loss_terms.py", []), ("report.py", []), ("base.py", ["..nn"])],
)
def test_manual_equations_never_import_the_engine_or_its_rules(
    room: str, allowed: list[str]
) -> None:
    names = [name for name, typing_only in _imports(MANUAL / room) if not typing_only]
    engine_side = [n for n in names if n.lstrip(".").split(".")[0] in ENGINE_ROOMS]
    assert engine_side == allowed, (room, names)


def test_importing_the_manual_loads_no_optional_dependency() -> None:
    code = (
        "import sys, tinygrad_edu.manual, tinygrad_edu.cli, tinygrad_edu.examples\n"
        "print(sorted(m for m in ('numpy', 'matplotlib', 'graphviz', 'torch') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
