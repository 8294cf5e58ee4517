"""The command line, end to end, in-process on temporary folders.

Each command's files are read back: PNGs decoded with PIL (size), SVGs parsed with
xml.etree (nodes, edges, numbers), the Markdown report's numbers compared with central
differences of a forward pass written here in plain ``math`` (independent of the engine), the
weights file loaded back. Numbers printed by the commands are compared with closed forms.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from oracles import sigmoid
from PIL import Image

from tinygrad_edu import cli, manual, serialize
from tinygrad_edu.cli import build_parser, main
from tinygrad_edu.nn import MLP

SVG = "{http://www.w3.org/2000/svg}"
DEMO_FILES = [
    "crosscheck.md",
    "decision_boundary.png",
    "explorer.html",
    "forward_graph.svg",
    "loss.png",
    "neuron_graph.svg",
    "weights.json",
]
XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0.0, 1.0, 1.0, 0.0]


# --------------------------------------------------------------------------- helpers
@dataclass
class Run:
    code: int
    out: str
    err: str


def run(argv: Sequence[str]) -> Run:
    """main(argv) with stdout and stderr captured; SystemExit becomes the exit code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


@dataclass
class Svg:
    nodes: dict[str, list[str]]  # node id -> its texts
    edges: list[tuple[str, str]]


def read_svg(path: Path) -> Svg:
    root = ET.parse(path).getroot()
    nodes: dict[str, list[str]] = {}
    edges: list[tuple[str, str]] = []
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if title is None or title.text is None:
            continue
        if g.get("class") == "node" and not title.text.startswith("legend_"):
            nodes[title.text] = [t.text or "" for t in g.iter(f"{SVG}text")]
        elif g.get("class") == "edge":
            src, dst = title.text.split("->")
            edges.append((src, dst))
    return Svg(nodes, edges)


def g4(x: float) -> str:
    """A number as the drawings print it: 4 significant digits."""
    return f"{x:.4g}"


def mlp_forward(params: dict[str, float], sizes: Sequence[int], x: Sequence[float]) -> list[float]:
    """A sigmoid MLP written with math only, parameters by their names."""
    a = list(x)
    for layer in range(len(sizes) - 1):
        a = [
            sigmoid(
                math.fsum(
                    params[f"layers.{layer}.neurons.{j}.w.{k}"] * a[k] for k in range(sizes[layer])
                )
                + params[f"layers.{layer}.neurons.{j}.b"]
            )
            for j in range(sizes[layer + 1])
        ]
    return a


def mean_bce(
    params: dict[str, float], sizes: Sequence[int], X: Sequence[Sequence[float]], Y: Sequence[Any]
) -> float:
    total = 0.0
    for x, y in zip(X, Y):
        ps = mlp_forward(params, sizes, x)
        ys = y if isinstance(y, list) else [y]
        total += math.fsum(-(t * math.log(p) + (1 - t) * math.log(1 - p)) for p, t in zip(ps, ys))
    return total / (len(X) * sizes[-1])


def central_differences(
    f: Callable[[dict[str, float]], float], params: dict[str, float]
) -> dict[str, float]:
    eps = 1e-6
    out = {}
    for name, value in params.items():
        up, down = dict(params), dict(params)
        up[name] = value + eps
        down[name] = value - eps
        out[name] = (f(up) - f(down)) / (2 * eps)
    return out


def report_rows(markdown: str) -> dict[str, tuple[float, float, float]]:
    """{parameter path: (engine, delta eqs, numerical)} from the report's Markdown table
    (its first column is the delta equations' name, W1[0, 0]; the path is the second)."""
    rows = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 4 and cells[1].startswith("layers.") and ".neurons." in cells[1]:
            rows[cells[1]] = (float(cells[2]), float(cells[3]), float(cells[4]))
    return rows


def text_rows(text: str) -> dict[str, tuple[float, float, float]]:
    """The same from the plain-text report."""
    rows = {}
    for line in text.splitlines():
        cells = line.split()
        at = next((i for i, c in enumerate(cells) if c.startswith("layers.")), None)
        if at is not None and ".neurons." in cells[at] and len(cells) >= at + 7:
            rows[cells[at]] = (float(cells[at + 1]), float(cells[at + 2]), float(cells[at + 3]))
    return rows


# --------------------------------------------------------------------------- demo
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    out = tmp_path_factory.mktemp("demo") / "out"
    result = run(["demo", "--out", str(out)])  # with its progress bar (on stderr)
    return out, result


@pytest.mark.slow
def test_cli_demo_writes_exactly_the_promised_files(demo: tuple[Path, Run]) -> None:
    out, result = demo
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == DEMO_FILES  # no temporary files left
    for name in DEMO_FILES:
        assert str(out / name) in result.out
    assert "Traceback" not in result.err
    assert "fit" in result.err  # the tqdm progress bar


def test_cli_demo_pngs_decode_with_their_size(demo: tuple[Path, Run]) -> None:
    out, _ = demo
    for name in ("loss.png", "decision_boundary.png"):
        with Image.open(out / name) as img:
            assert img.format == "PNG"
            assert img.size == (640, 480)
            colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 100  # a picture, not a blank


def test_cli_demo_weights_load_back_and_solve_xor(demo: tuple[Path, Run]) -> None:
    out, result = demo
    document = json.loads((out / "weights.json").read_text(encoding="utf-8"))
    assert document["model"] == {
        "type": "MLP",
        "nin": 2,
        "nouts": [4, 4, 1],
        "activation": "sigmoid",
        "output_activation": "sigmoid",
    }
    params = document["parameters"]
    assert len(params) == 4 * 3 + 4 * 5 + 1 * 5
    model = serialize.load(out / "weights.json")
    assert isinstance(model, MLP)
    probs = [mlp_forward(params, [2, 4, 4, 1], x)[0] for x in XOR_X]
    for x, p in zip(XOR_X, probs):
        (got,) = model(x)
        assert got.data == pytest.approx(p, rel=1e-12)
    assert [p >= 0.5 for p in probs] == [False, True, True, False]
    assert mean_bce(params, [2, 4, 4, 1], XOR_X, XOR_Y) < 0.05
    # the summary table prints the same outputs
    for (a, b), t, p in zip(XOR_X, XOR_Y, probs):
        assert re.search(rf"^{a:g}\s+{b:g}\s+{t:g}\s+{p:.4f}\s+yes$", result.out, re.M)
    assert "4/4 classified correctly" in result.out


def test_cli_demo_report_agrees_with_independent_differences(demo: tuple[Path, Run]) -> None:
    out, _ = demo
    params = json.loads((out / "weights.json").read_text(encoding="utf-8"))["parameters"]
    markdown = (out / "crosscheck.md").read_text(encoding="utf-8")
    rows = report_rows(markdown)
    assert list(rows) == list(params)  # one row per parameter, in the same order
    reference = central_differences(lambda p: mean_bce(p, [2, 4, 4, 1], XOR_X, XOR_Y), params)
    for name, (engine, delta, numerical) in rows.items():
        # the report prints 10 significant digits
        assert engine == pytest.approx(delta, rel=1e-9, abs=1e-15)
        assert engine == pytest.approx(reference[name], rel=1e-5, abs=1e-9), name
        assert numerical == pytest.approx(reference[name], rel=1e-5, abs=1e-9), name
    loss = mean_bce(params, [2, 4, 4, 1], XOR_X, XOR_Y)
    match = re.search(r"loss value: engine (\S+), delta equations (\S+)", markdown)
    assert match is not None
    assert float(match.group(1)) == pytest.approx(loss, rel=1e-10)
    assert float(match.group(2)) == pytest.approx(loss, rel=1e-10)
    assert "**OK: all 37 parameters agree" in markdown


def test_cli_demo_forward_graph_has_one_box_per_neuron(demo: tuple[Path, Run]) -> None:
    out, _ = demo
    params = json.loads((out / "weights.json").read_text(encoding="utf-8"))["parameters"]
    svg = read_svg(out / "forward_graph.svg")
    neurons = {k: v for k, v in svg.nodes.items() if re.fullmatch(r"neuron\d+", k)}
    assert len(neurons) == 9  # 4 + 4 + 1
    names = {texts[0].split(" · ")[0]: texts for texts in neurons.values()}
    expected_names = {
        f"layers.{i}.neurons.{j}" for i, n in ((0, 4), (1, 4), (2, 1)) for j in range(n)
    }
    assert set(names) == expected_names
    for name, texts in names.items():
        assert texts[0].endswith("· sigmoid")
        body = " ".join(texts)
        for key, value in params.items():
            if key.startswith(name + "."):
                short = key[len(name) + 1 :]
                assert f"{short} = {g4(value)}" in body, (name, short)
    inputs = {k for k, v in svg.nodes.items() if v and v[0] in ("x[0]", "x[1]")}
    assert len(inputs) == 2
    first_layer = {k for k, v in neurons.items() if v[0].startswith("layers.0.")}
    assert {(s, d) for s, d in svg.edges if s in inputs} == {
        (s, d) for s in inputs for d in first_layer
    }
    assert any(v and v[0] == "L" for v in svg.nodes.values())  # the loss box


def test_cli_demo_neuron_graph_is_the_full_scalar_graph(demo: tuple[Path, Run]) -> None:
    out, _ = demo
    params = json.loads((out / "weights.json").read_text(encoding="utf-8"))["parameters"]
    svg = read_svg(out / "neuron_graph.svg")
    values = {k: v for k, v in svg.nodes.items() if re.fullmatch(r"v\d+", k)}
    ops = {k: v for k, v in svg.nodes.items() if re.fullmatch(r"op\d+", k)}
    assert len(values) == 7  # x[0], x[1], w.0, w.1, b, Σwx+b, σ
    assert sorted(t[0] for t in ops.values()) == ["Σwx+b", "σ"]
    assert len(svg.nodes) == 9
    first = [t[0] for t in values.values()]
    assert {"x[0]", "x[1]", "w.0", "w.1", "b"} <= set(first)
    by_name = {t[0]: t for t in values.values()}
    for short in ("w.0", "w.1", "b"):
        assert f"data {g4(params['layers.0.neurons.0.' + short])}" in by_name[short]
    # the σ node's value is the neuron's output on x = (1, 0)
    z = params["layers.0.neurons.0.w.0"] + params["layers.0.neurons.0.b"]
    assert any(f"data {g4(sigmoid(z))}" in t for t in values.values())
    assert len(svg.edges) == 5 + 1 + 1 + 1  # five inputs into Σwx+b, then Σ → value → σ → out


def test_cli_demo_prints_the_worked_example(demo: tuple[Path, Run]) -> None:
    _, result = demo
    # closed forms of the lesson's neuron: z = −0.2, ŷ = σ(z), L = ½ŷ², ∂L/∂w = ŷ·σ′·x
    s = sigmoid(-0.2)
    for label, value in (
        ("ŷ = σ(z)", s),
        ("L = ½(y − ŷ)²", 0.5 * s * s),
        ("∂L/∂w", s * s * (1 - s) * 0.5),
        ("∂L/∂b", s * s * (1 - s)),
    ):
        line = next(x for x in result.out.splitlines() if x.startswith(label))
        numbers = [float(v) for v in line[len(label) :].split()]
        assert all(v == pytest.approx(value, abs=5e-7) for v in numbers), line
    assert "0.055712" in result.out and "0.111424" in result.out


@pytest.mark.slow
def test_cli_demo_without_dot_writes_dot_files_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no Graphviz program anywhere
    out = tmp_path / "out"
    result = run(["demo", "--out", str(out), "--epochs", "300", "--quiet"])
    assert result.code == 0, result.err
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        {*DEMO_FILES, "forward_graph.dot", "neuron_graph.dot"}
        - {"forward_graph.svg", "neuron_graph.svg"}
    )
    assert "rendering needs graphviz" in result.out
    assert "sudo apt-get install graphviz" in result.out
    for name in ("forward_graph.dot", "neuron_graph.dot"):
        text = (out / name).read_text(encoding="utf-8")
        assert text.startswith("digraph")
        assert str(out / name) in result.out
    assert text.count("->") >= 8


def test_cli_no_command_runs_the_demo_in_out(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def fake_demo(args: Any) -> int:
        seen.append(args.out)
        return 0

    monkeypatch.setattr(cli.command("demo"), "run", fake_demo)
    assert main([]) == 0
    assert seen == ["out"]


def test_cli_module_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    for command in ("demo", "graph", "crosscheck", "perceptron", "approx"):
        assert command in proc.stdout


# --------------------------------------------------------------------------- graph
def test_cli_graph_prints_value_gradients_and_draws(tmp_path: Path) -> None:
    svg_path = tmp_path / "g.svg"
    result = run(
        ["graph", "tanh(w*x + b)", "--set", "x=0.5", "w=1.2", "b=-0.8", "--out", str(svg_path)]
    )
    assert result.code == 0, result.err
    t = math.tanh(1.2 * 0.5 - 0.8)
    dt = 1 - t * t
    value = float(re.search(r"^  = (\S+)$", result.out, re.M).group(1))  # type: ignore[union-attr]
    assert value == pytest.approx(t, rel=1e-11)
    expected = {"w": (1.2, dt * 0.5), "x": (0.5, dt * 1.2), "b": (-0.8, dt)}
    for name, (data, grad) in expected.items():
        cells = next(x.split() for x in result.out.splitlines() if x.split()[:1] == [name])
        assert float(cells[1]) == data
        assert float(cells[2]) == pytest.approx(grad, rel=1e-9)  # printed to 10 digits
        assert float(cells[3]) == pytest.approx(grad, rel=1e-7)  # central difference
    svg = read_svg(svg_path)
    values = {k: v for k, v in svg.nodes.items() if re.fullmatch(r"v\d+", k)}
    ops = sorted(v[0] for k, v in svg.nodes.items() if re.fullmatch(r"op\d+", k))
    assert len(values) == 6 and ops == ["*", "+", "tanh"]
    assert len(svg.edges) == 2 * 3 + 2  # two inputs for * and +, one for tanh, op → value
    by_first = {v[0]: v for v in values.values()}
    assert by_first["x"] == ["x", "data 0.5", f"grad {g4(dt * 1.2)}"]
    assert by_first["f"] == ["f", f"data {g4(t)}", "grad 1"]


def test_cli_graph_expression_may_start_with_a_minus(tmp_path: Path) -> None:
    out = str(tmp_path / "g.dot")
    for argv in (
        ["graph", "-x**2 + 1", "--set", "x=3", "--out", out],
        ["graph", "--set", "x=3", "--out", out, "--", "-x**2 + 1"],
    ):
        result = run(argv)
        assert result.code == 0, result.err
        assert "  = -8\n" in result.out
        cells = next(x.split() for x in result.out.splitlines() if x.startswith("x "))
        assert cells[:3] == ["x", "3", "-6"]


def test_cli_graph_text_formats_and_png(tmp_path: Path) -> None:
    result = run(["graph", "x*x", "--set", "x=3", "--out", str(tmp_path / "g.dot")])
    assert result.code == 0
    dot = (tmp_path / "g.dot").read_text(encoding="utf-8")
    assert dot.startswith("digraph") and dot.count("-> op") == 2  # x*x: two edges
    result = run(["graph", "x*x", "--set", "x=3", "--out", str(tmp_path / "g.mmd")])
    assert result.code == 0
    assert (tmp_path / "g.mmd").read_text(encoding="utf-8").startswith("flowchart")
    result = run(["graph", "exp(-x) / 2", "--set", "x=1/3", "--out", str(tmp_path / "g.png")])
    assert result.code == 0
    with Image.open(tmp_path / "g.png") as img:
        assert img.format == "PNG" and img.size[0] > 100
    value = float(re.search(r"^  = (\S+)$", result.out, re.M).group(1))  # type: ignore[union-attr]
    assert value == pytest.approx(math.exp(-1 / 3) / 2, rel=1e-11)


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (
            ["graph", "x.y", "--set", "x=1"],
            ["attribute access", "(at position 1)", "  x.y", "   ^"],
        ),
        (["graph", "log(x) + 1", "--set", "x=-1"], ["log: the input must be > 0, got -1.0"]),
        (["graph", "1/(x-x)", "--set", "x=2"], ["div: division by zero"]),
        (["graph", "x + z", "--set", "x=1"], ["no value for the name 'z'", "(at position 4)"]),
        (["graph", "__import__('os')"], ["unknown function '__import__'"]),
        (["graph", "2^3"], ["write x**2"]),
        (["graph", "x", "--set", "x"], ["--set expects NAME=VALUE"]),
        (["graph", "x", "--set", "x=abc"], ["--set x: expected a number, got the name 'abc'"]),
        (["graph", "x", "--set", "x=1", "x=2"], ["'x' is given twice"]),
        (["graph", "x", "--set", "exp=1"], ["'exp' is not a name"]),
        (["graph", "x", "--set", "a.b=1"], ["'a.b' is not a name"]),
        (["graph", "x", "--set", "if=1"], ["'if' is not a name"]),
        (["graph", "x", "--set", "x="], ["--set x: empty expression"]),
        (["graph", "x", "--set", "x=1", "--out", "g.gif"], ["format must be one of"]),
        (["graph", "x", "--set", "x=1", "--out", "."], ["'.' is a folder"]),
        (["graph", "1e308*x", "--set", "x=10"], ["mul: the result overflows", "(at position 5)"]),
    ],
)
def test_cli_graph_errors_are_one_clear_line_and_status_1(
    argv: list[str], fragments: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(argv)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("tinygrad-edu: error: ")
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err


# --------------------------------------------------------------------------- crosscheck
def test_cli_crosscheck_report_agrees_with_independent_differences(tmp_path: Path) -> None:
    md = tmp_path / "report.md"
    argv = ["crosscheck", "--layers", "2,4,4,1", "--activation", "sigmoid", "--loss", "bce"]
    result = run([*argv, "--seed", "3", "--batch", "5", "--markdown", str(md)])
    assert result.code == 0, result.err
    assert "OK: all 37 parameters agree" in result.out
    model = MLP(2, [4, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=3)
    params = {name: p.data for name, p in model.named_parameters()}
    X, Y = cli.command("crosscheck").random_batch([2, 4, 4, 1], "bce", 5, 3)
    assert len(X) == 5 and all(len(x) == 2 for x in X)
    reference = central_differences(lambda p: mean_bce(p, [2, 4, 4, 1], X, Y), params)
    for rows in (text_rows(result.out), report_rows(md.read_text(encoding="utf-8"))):
        assert list(rows) == list(params)
        for name, (engine, delta, numerical) in rows.items():
            assert engine == pytest.approx(reference[name], rel=1e-5, abs=1e-9), name
            assert delta == pytest.approx(reference[name], rel=1e-5, abs=1e-9), name
            assert numerical == pytest.approx(reference[name], rel=1e-5, abs=1e-9), name


@pytest.mark.parametrize(
    "argv",
    [
        ["--layers", "3,5,3", "--activation", "tanh", "--loss", "cross_entropy", "--batch", "3"],
        ["--layers", "2,3,2", "--activation", "relu", "--loss", "half_sse", "--seed", "1"],
        ["--layers", "1,2", "--activation", "linear", "--loss", "mse", "--batch", "1"],
    ],
)
def test_cli_crosscheck_other_losses_and_activations_pass(argv: list[str]) -> None:
    result = run(["crosscheck", *argv])
    assert result.code == 0, result.out + result.err
    # each parameter's row starts with its delta-equations name, W1[0, 0] or b1[0]
    n = sum(1 for line in result.out.splitlines() if re.match(r"[Wb]\d+\[", line))
    assert f"OK: all {n} parameters agree" in result.out and n > 0
    rows = text_rows(result.out)
    assert len(rows) == n and any(engine != 0.0 for engine, _, _ in rows.values())


def test_cli_crosscheck_exit_status_is_1_when_the_report_disagrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = manual.crosscheck

    def broken(*args: Any, **kwargs: Any) -> manual.CrosscheckReport:
        # σ′ replaced by σ in the delta equations: the report must catch it
        return real(*args, activation_derivatives={"sigmoid": lambda z, a: a}, **kwargs)

    monkeypatch.setattr(manual, "crosscheck", broken)
    result = run(["crosscheck", "--layers", "2,3,1", "--loss", "half_sse"])
    assert result.code == 1
    assert "MISMATCH" in result.out


# --------------------------------------------------------------------------- perceptron
@pytest.mark.slow
def test_cli_perceptron_converges_within_the_bound_and_fails_on_xor(tmp_path: Path) -> None:
    from tinygrad_edu import data

    result = run(["perceptron", "--out", str(tmp_path), "--seed", "2", "--points", "60"])
    assert result.code == 0, result.err
    with Image.open(tmp_path / "perceptron.png") as img:
        assert img.size == (1280, 960)
    # the bound, recomputed here: R² = max ‖(x, 1)‖², γ = min distance to (w, b)/‖(w, b)‖
    X, y, sep = data.blobs(n=60, seed=2, return_separator=True)
    norm = math.hypot(sep.w[0], sep.w[1], sep.b)
    gamma = min(
        (1 if t == 1 else -1) * (sep.w[0] * a + sep.w[1] * b + sep.b) / norm
        for (a, b), t in zip(X, y)
    )
    r2 = max(a * a + b * b + 1 for a, b in X)
    bound = r2 / gamma**2
    printed = float(re.search(r"\(R/γ\)² = (\S+);", result.out).group(1))  # type: ignore[union-attr]
    assert printed == pytest.approx(bound, abs=0.005)
    mistakes = int(re.search(r"mistakes made: (\d+)", result.out).group(1))  # type: ignore[union-attr]
    assert 0 < mistakes <= bound
    assert "within the bound" in result.out
    assert re.search(r"separable blobs, 60 points \(seed 2\): converged after", result.out)
    assert re.search(r"XOR, 4 points: did not converge in 100 epochs", result.out)


# --------------------------------------------------------------------------- approx
def staircase_error(width: int) -> float:
    """max |g − sin| on 401 points for the staircase construction, written out here."""
    lo, hi = 0.0, 2 * math.pi
    h = (hi - lo) / (width + 1)
    c = [math.sin(lo + (j + 0.5) * h) for j in range(width + 1)]
    k = 3.0 / h

    def g(x: float) -> float:
        return c[0] + sum(
            (c[j] - c[j - 1]) * sigmoid(k * (x - (lo + j * h))) for j in range(1, width + 1)
        )

    grid = [lo + (hi - lo) * i / 400 for i in range(401)]
    return max(abs(g(x) - math.sin(x)) for x in grid)


def approx_table(out: str) -> dict[int, list[float]]:
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if len(cells) == 5 and cells[0].isdigit():
            rows[int(cells[0])] = [float(c) for c in cells[1:]]
    return rows


def test_cli_approx_construction_error_matches_closed_form(tmp_path: Path) -> None:
    result = run(["approx", "--hidden", "2,8,32", "--epochs", "0", "--out", str(tmp_path)])
    assert result.code == 0, result.err
    rows = approx_table(result.out)
    assert sorted(rows) == [2, 8, 32]
    for width, (params, start, final, rms) in rows.items():
        assert params == 3 * width + 1
        assert start == final == pytest.approx(staircase_error(width), abs=5e-5)
        assert 0 < rms < final
    assert rows[2][2] > rows[8][2] > rows[32][2]
    assert "the error falls as the width grows" in result.out
    with Image.open(tmp_path / "approx.png") as img:
        assert img.size == (1280, 480)


def test_cli_approx_training_lowers_every_error(tmp_path: Path) -> None:
    argv = ["approx", "--hidden", "2,8,32", "--epochs", "30", "--samples", "24", "--quiet"]
    result = run([*argv, "--out", str(tmp_path)])
    assert result.code == 0, result.err
    rows = approx_table(result.out)
    for _, start, final, _ in rows.values():
        assert final < start
    finals = [rows[w][2] for w in (2, 8, 32)]
    assert finals[0] > finals[1] > finals[2]


# --------------------------------------------------------------------------- arguments
@pytest.mark.parametrize(
    "command", [[], ["demo"], ["graph"], ["crosscheck"], ["perceptron"], ["approx"]]
)
def test_cli_help_for_every_command(command: list[str]) -> None:
    result = run([*command, "--help"])
    assert result.code == 0
    assert result.out.startswith("usage: tinygrad-edu")
    for name in command:
        assert name in result.out.splitlines()[0]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["crosscheck", "--layers", "2,x"], "comma-separated integers"),
        (["crosscheck", "--layers", "2"], "the input size then 1 to 8 layer sizes"),
        (["crosscheck", "--layers", "2,0,1"], "must be in [1, 64]"),
        (["crosscheck", "--loss", "nope"], "invalid choice: 'nope'"),
        (["crosscheck", "--activation", "gelu"], "invalid choice: 'gelu'"),
        (["crosscheck", "--batch", "0"], "must be in [1, 256]"),
        (["approx", "--hidden", "2,2"], "must differ"),
        (["approx", "--hidden", "0"], "must be in [1, 256]"),
        (["demo", "--epochs", "-1"], "must be in [1, 100000]"),
        (["demo", "--lr", "nan"], "finite number > 0"),
        (["demo", "--seed", "x"], "expected an integer"),
        (["graph"], "the following arguments are required: expression"),
        (["nonsense"], "invalid choice: 'nonsense'"),
    ],
)
def test_cli_bad_arguments_exit_2_with_a_message(argv: list[str], fragment: str) -> None:
    result = run(argv)
    assert result.code == 2
    assert fragment in result.err
    assert "Traceback" not in result.err


def test_cli_library_errors_exit_1_without_traceback(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    result = run(["demo", "--out", str(not_a_folder), "--quiet"])
    assert result.code == 1
    assert result.err.startswith("tinygrad-edu: error: ")
    assert str(not_a_folder) in result.err
    result = run(["approx", "--out", str(not_a_folder / "sub"), "--epochs", "0", "--hidden", "2"])
    assert result.code == 1 and "Traceback" not in result.err


# --------------------------------------------------------------------------- from a clean clone
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_cli_demo_from_a_clean_clone_writes_every_promised_file(tmp_path: Path) -> None:
    # What `make demo` runs, on a fresh clone of the committed tree (its own package on
    # PYTHONPATH, not this checkout's), so a file missing from git would show here.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    recipe = subprocess.run(
        ["make", "-n", "demo"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout
    assert "-m tinygrad_edu demo" in recipe
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(clone)}
    proc = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "demo", "--out", str(out)],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for name in DEMO_FILES:
        path = out / name
        assert path.stat().st_size > 200, name
        assert str(path) in proc.stdout
    assert "∂L/∂w                 0.055712      0.055712      0.055712" in proc.stdout


def test_cli_graph_central_difference_scales_its_step_with_the_value(tmp_path: Path) -> None:
    # a fixed ε = 1e-6 vanishes next to x = 1e10 (x ± ε == x), giving 0; the step is relative
    result = run(["graph", "x*x", "--set", "x=1e10", "--out", str(tmp_path / "g.dot")])
    assert result.code == 0, result.err
    row = next(line.split() for line in result.out.splitlines() if line.startswith("x "))
    assert float(row[2]) == 2e10  # backward
    assert abs(float(row[3]) - 2e10) <= 1e-6 * 2e10  # central difference


# --------------------------------------------------------------------------- demo frictions
def test_cli_demo_prints_the_loss_before_and_after_the_last_update(
    demo: tuple[Path, Run],
) -> None:
    out, result = demo
    params = json.loads((out / "weights.json").read_text(encoding="utf-8"))["parameters"]
    match = re.search(
        r"loss \(BCE, mean over the 4 points\): (\S+) in the last epoch, before its update; "
        r"(\S+) after it",
        result.out,
    )
    assert match is not None, result.out
    before, after = float(match.group(1)), float(match.group(2))
    # after: the trained weights' loss, as the cross-check reports it (written in math here)
    assert after == pytest.approx(mean_bce(params, [2, 4, 4, 1], XOR_X, XOR_Y), abs=5e-6)
    assert before > after  # gradient descent still lowers the loss at epoch 2000
    report = (out / "crosscheck.md").read_text(encoding="utf-8")
    engine = re.search(r"loss value: engine ([^,\s]+)", report)
    assert engine is not None and float(engine.group(1)) == pytest.approx(after, abs=5e-6)


def test_cli_demo_writes_the_explorer_page(demo: tuple[Path, Run]) -> None:
    out, result = demo
    page = (out / "explorer.html").read_text(encoding="utf-8")
    assert page.lower().startswith("<!doctype html>") and "<script" in page
    assert "explorer.html" in result.out


@pytest.mark.parametrize(
    ("hidden", "skipped", "kept"),
    [
        (["matplotlib"], {"loss.png", "decision_boundary.png"}, "crosscheck.md"),
        (["numpy", "matplotlib"], {"loss.png", "decision_boundary.png", "crosscheck.md"}, ""),
    ],
)
def test_cli_demo_without_an_extra_writes_the_rest_and_names_the_extra(
    hidden: list[str],
    skipped: set[str],
    kept: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in hidden:
        monkeypatch.setitem(sys.modules, name, None)  # import name → ImportError
    trained: list[int] = []
    from tinygrad_edu import explore

    real_record = explore.record_run  # the demo trains once, recording the explorer's numbers

    def record_run(*args: Any, **kwargs: Any) -> Any:
        trained.append(kwargs.get("epochs", 0))
        return real_record(*args, **kwargs)

    monkeypatch.setattr(explore, "record_run", record_run)
    out = tmp_path / "out"
    result = run(["demo", "--out", str(out), "--epochs", "50", "--quiet"])
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == sorted(set(DEMO_FILES) - skipped)
    assert "skipped loss.png and decision_boundary.png (the plots): needs matplotlib" in result.out
    assert "pip install 'tinygrad_edu[plots]'" in result.out and "[dev]" not in result.out
    if "numpy" in hidden:
        assert "skipped crosscheck.md" in result.out and "cross-check: skipped" in result.out
    assert kept == "" or (out / kept).exists()
    assert trained and trained[0] == 50  # the demo still trained and wrote the rest


def test_cli_demo_checks_the_extras_before_training(monkeypatch: pytest.MonkeyPatch) -> None:
    from tinygrad_edu import explore

    demo_module = cli.command("demo")
    order: list[str] = []
    real_missing = demo_module.missing_extras

    def missing() -> dict[str, str]:
        order.append("check")
        return dict(real_missing())

    def fit(*args: Any, **kwargs: Any) -> Any:
        order.append("train")
        raise KeyboardInterrupt  # stop here: only the order matters

    monkeypatch.setattr(demo_module, "missing_extras", missing)
    monkeypatch.setattr(explore, "record_run", fit)  # the demo's one training run
    assert run(["demo", "--quiet"]).code == 130
    assert order == ["check", "train"]


# --------------------------------------------------------------------------- graph limits
@pytest.mark.parametrize("terms", [50, 100, 2048])
def test_cli_graph_too_large_is_an_error_line_not_a_hang(
    terms: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # dot is never reached: no Graphviz at all
    expression = "+".join(["x"] * terms)
    result = run(["graph", expression, "--set", "x=1", "--out", str(tmp_path / "g.svg")])
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("tinygrad-edu: error: g.svg: the graph is too large to draw")
    assert f"is used {terms} times" in result.err or "boxes and edges" in result.err
    assert "FILE.dot or FILE.mmd" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "g.svg").exists()


def test_cli_graph_too_large_for_a_picture_still_writes_text(tmp_path: Path) -> None:
    expression = "+".join(["x"] * 100)
    result = run(["graph", expression, "--set", "x=0.5", "--out", str(tmp_path / "g.dot")])
    assert result.code == 0, result.err
    assert "  = 50" in result.out
    rows = [line.split() for line in result.out.splitlines() if line.startswith("x ")]
    assert rows and float(rows[0][2]) == 100.0  # ∂f/∂x: x used 100 times
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").count("->") >= 100


def test_cli_graph_well_under_the_limit_is_drawn(tmp_path: Path) -> None:
    expression = "+".join(["x"] * 20)
    result = run(["graph", expression, "--set", "x=1", "--out", str(tmp_path / "g.svg")])
    assert result.code == 0, result.err
    assert (tmp_path / "g.svg").exists() or "rendering needs graphviz" in result.out


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("DotFailed", "render: dot did not finish within 30 s"),
        (
            "GraphTooLarge",
            "g.svg: the graph is too large to draw (render: 9999 boxes); write the text forms "
            "instead (--out FILE.dot or FILE.mmd), or draw a smaller expression",
        ),
    ],
)
def test_cli_graph_render_errors_are_one_line(
    error: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinygrad_edu import viz

    def failing(*args: Any, **kwargs: Any) -> Path:
        text = "render: 9999 boxes" if error == "GraphTooLarge" else message
        raise getattr(viz, error)(text)

    monkeypatch.setattr(viz, "render", failing)
    result = run(["graph", "x*y", "--set", "x=1", "y=2", "--out", str(tmp_path / "g.svg")])
    assert result.code == 1 and result.out == ""
    assert result.err == f"tinygrad-edu: error: {message}\n"


# --------------------------------------------------------------------------- the registry
def test_cli_every_command_module_follows_the_pattern() -> None:
    import argparse

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == list(cli.COMMANDS)
    for name in cli.COMMANDS:
        module = cli.command(name)
        assert name == module.NAME and module.HELP and module.description()
        assert callable(module.add_arguments) and callable(module.run)
    with pytest.raises(ValueError, match="command: unknown command 'nope'"):
        cli.command("nope")


def test_cli_a_new_command_is_one_module_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    hello = types.ModuleType("tinygrad_edu.cli.hello")
    hello.NAME, hello.HELP = "hello", "say hello"  # type: ignore[attr-defined]
    hello.description = lambda: "Say hello to NAME."  # type: ignore[attr-defined]
    hello.add_arguments = lambda p: p.add_argument("name")  # type: ignore[attr-defined]
    hello.run = lambda args: print(f"hello {args.name}") or 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tinygrad_edu.cli.hello", hello)
    monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, "hello"))
    result = run(["hello", "world"])
    assert (result.code, result.out) == (3, "hello world\n")
    assert "say hello" in run(["--help"]).out


def test_cli_graph_help_lists_every_function_of_the_ops_table() -> None:
    from tinygrad_edu.expr import FUNCTIONS

    text = " ".join(run(["graph", "--help"]).out.split())
    assert FUNCTIONS and all(f" {name}" in text for name in FUNCTIONS)
