"""The explorer's records (tinygrad_edu.explore): every number it shows is the engine's, and
the engine's numbers are right (closed forms, central differences, the library's own fit)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from tinygrad_edu import data, examples, train
from tinygrad_edu.engine import Value
from tinygrad_edu.explore import (
    Explorer,
    Run,
    explorer_html,
    page_data,
    record_run,
    write_explorer,
    xor_run,
)
from tinygrad_edu.losses import bce
from tinygrad_edu.nary import dot
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.viz import backward_steps


@pytest.fixture(scope="module")
def run() -> Run:
    return xor_run(epochs=41, every=20)


def _loss_of_bias(run: Run, epoch: int, ex: int, layer: int, j: int, b: float) -> float:
    """This example's BCE loss at ``epoch`` with bias b of neuron (layer, j) set to ``b``,
    forward in plain floats from the recorded weights (σ written out)."""
    f = run.frame(epoch)
    a = list(run.X[ex])
    for li, (W, bs) in enumerate(zip(f.W_before, f.b_before)):
        zs = [
            sum(w * v for w, v in zip(row, a)) + (b if (li, k) == (layer, j) else bs[k])
            for k, row in enumerate(W)
        ]
        a = [1.0 / (1.0 + math.exp(-z)) for z in zs]
    y, p = run.y[ex], a[0]
    return -(y * math.log(p) + (1.0 - y) * math.log(1.0 - p))


def test_record_run_forward_values_match_a_float_forward_pass(run: Run) -> None:
    f = run.frames[1]
    for ex, rec in enumerate(f.examples):
        a = list(run.X[ex])
        for li, (W, bs) in enumerate(zip(f.W_before, f.b_before)):
            z = [sum(w * v for w, v in zip(row, a)) + b for row, b in zip(W, bs)]
            a = [1.0 / (1.0 + math.exp(-v)) for v in z]
            assert rec.z[li] == pytest.approx(z, rel=1e-12, abs=1e-15)
            assert rec.a[li] == pytest.approx(a, rel=1e-12)
            # σ′(z) = a(1 − a), the engine's stored local gradient
            assert rec.slope[li] == pytest.approx([v * (1 - v) for v in a], rel=1e-12)


def test_record_run_deltas_equal_central_differences_of_the_bias(run: Run) -> None:
    epoch = run.recorded[1]
    f = run.frame(epoch)
    for ex in (0, 3):
        for li, row in enumerate(f.examples[ex].delta):
            for j, delta in enumerate(row):
                b0, h = f.b_before[li][j], 1e-6  # a central difference, in floats
                up = _loss_of_bias(run, epoch, ex, li, j, b0 + h)
                numeric = (up - _loss_of_bias(run, epoch, ex, li, j, b0 - h)) / (2 * h)
                assert delta == pytest.approx(numeric, rel=1e-6, abs=1e-9)
                assert f.examples[ex].db[li][j] == delta  # ∂L/∂b = δ


def test_record_run_output_delta_is_a_minus_y_for_sigmoid_and_bce(run: Run) -> None:
    for f in run.frames:
        for ex, rec in enumerate(f.examples):
            assert rec.delta[-1][0] == pytest.approx(rec.a[-1][0] - run.y[ex], rel=1e-12)
            y, p = run.y[ex], rec.output
            assert rec.seed == pytest.approx((p - y) / (p * (1 - p)), rel=1e-12)
            assert rec.loss == pytest.approx(-(y * math.log(p) + (1 - y) * math.log(1 - p)))


def test_record_run_weight_gradients_are_the_outer_product_delta_a(run: Run) -> None:
    f = run.frames[-1]
    for ex, rec in enumerate(f.examples):
        for li in range(len(rec.delta)):
            prev = run.X[ex] if li == 0 else rec.a[li - 1]
            for j, delta in enumerate(rec.delta[li]):
                assert rec.dW[li][j] == pytest.approx([delta * v for v in prev], rel=1e-12)


def test_record_run_hidden_upstream_is_the_transposed_weights_times_deltas(run: Run) -> None:
    f = run.frames[0]
    for rec in f.examples:
        for li in range(len(rec.delta) - 1):
            W_next = f.W_before[li + 1]
            for j, up in enumerate(rec.upstream[li]):
                expected = sum(W_next[k][j] * d for k, d in enumerate(rec.delta[li + 1]))
                assert up == pytest.approx(expected, rel=1e-12)
                assert rec.delta[li][j] == pytest.approx(up * rec.slope[li][j], rel=1e-12)


def test_record_run_update_is_sgd_on_the_mean_of_the_example_gradients(run: Run) -> None:
    for f in run.frames:
        n = len(f.examples)
        for li, layer in enumerate(f.grad_W):
            for j, row in enumerate(layer):
                mean = [sum(e.dW[li][j][i] for e in f.examples) / n for i in range(len(row))]
                assert row == pytest.approx(mean, rel=1e-9, abs=1e-15)
                after = [w - run.lr * g for w, g in zip(f.W_before[li][j], row)]
                assert f.W_after[li][j] == pytest.approx(after, rel=1e-12, abs=1e-15)
        assert f.batch_loss == pytest.approx(sum(e.loss for e in f.examples) / n, rel=1e-12)


def test_record_run_is_the_same_training_as_fit() -> None:
    X, y = data.xor()
    mine = examples.xor_network(seed=3)
    run = record_run(mine, X, y, loss="bce", lr=0.5, epochs=30, every=7, seed=3, drill="none")
    theirs = examples.xor_network(seed=3)
    history = train.fit(
        theirs, X, y, loss="bce", optimizer=SGD(theirs.parameters(), lr=0.5), epochs=30,
        progress=False,
    )  # fmt: skip
    assert run.losses == history.loss
    assert [p.data for p in mine.parameters()] == [p.data for p in theirs.parameters()]
    assert run.recorded == [0, 7, 14, 21, 28, 29]


def test_record_run_default_every_keeps_about_a_hundred_frames() -> None:
    m = MLP(1, [1], activation="linear", seed=0)
    run = record_run(m, [[1.0]], [2.0], loss="mse", lr=0.01, epochs=2000, drill="none")
    assert run.every == 20
    assert len(run.frames) == 101
    assert run.recorded[-1] == 1999


def test_record_run_health_counts_dead_relus_and_saturated_sigmoids() -> None:
    m = MLP(1, [2, 1], activation="relu", output_activation="sigmoid", seed=0)
    hidden = m.layers[0].neurons
    hidden[0].w[0].data, hidden[0].b.data = 1.0, -10.0  # z = x − 10 ≤ 0 on both rows: dead
    hidden[1].w[0].data, hidden[1].b.data = 1.0, 0.5
    out = m.layers[1].neurons[0]
    out.w[0].data, out.w[1].data, out.b.data = 0.0, 20.0, 0.0
    run = record_run(m, [[0.0], [1.0]], [0, 1], lr=1e-9, epochs=1, drill="none")
    health = run.frames[0].health
    assert health[0]["dead"] == 0.5
    # output a = σ(20·relu(x + 0.5)): σ(10) > 0.99 and σ(30) > 0.99, both saturated
    assert health[1]["saturated"] == 1.0
    deltas = [abs(e.delta[1][0]) for e in run.frames[0].examples]
    assert health[1]["mean_abs_delta"] == pytest.approx(sum(deltas) / 2, rel=1e-12)


def test_record_run_drill_steps_are_the_engines_backward_steps(run: Run) -> None:
    drill = next(d for d in run.drills if (d.example, d.layer, d.neuron) == (1, 1, 2))
    f = run.frame(drill.epoch)
    rec = f.examples[1]
    xs = [Value(v) for v in rec.a[0]]
    z = dot([Value(w) for w in f.W_before[1][2]], xs, Value(f.b_before[1][2]))
    steps = list(backward_steps(z.sigmoid()))
    assert [s["upstream"] for s in drill.steps] == [s.upstream for s in steps]
    # the neuron's own backward (∂a/∂w) times ∂L/∂a is the network's ∂L/∂w (the chain rule)
    dz = drill.steps[1]
    dadw = [c["contribution"] for c in dz["parts"][:4]]
    assert [g * rec.upstream[1][2] for g in dadw] == pytest.approx(rec.dW[1][2], rel=1e-12)
    assert drill.steps[0]["node"] == "a2[2]" and dz["node"] == "z2[2]"
    assert [c["parent"] for c in dz["parts"]][:2] == ["W2[2, 0]", "W2[2, 1]"]


def test_record_run_drill_without_graphviz_gives_mermaid_and_dot_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tinygrad_edu.explore import record

    monkeypatch.setattr(record.shutil, "which", lambda name: None)
    r = xor_run(epochs=1)
    assert r.drills and all(d.svg is None for d in r.drills)
    assert r.drills[0].mermaid.startswith("flowchart") and "digraph" in r.drills[0].dot
    assert any("dot program was not found" in n for n in r.notes)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"loss": "hinge"}, ValueError, "record_run: loss"),
        ({"epochs": True}, TypeError, "record_run: epochs"),
        ({"lr": -1.0}, ValueError, "record_run: lr"),
        ({"every": 0}, ValueError, "record_run: every"),
        ({"drill": "all"}, ValueError, "record_run: drill"),
    ],
)
def test_record_run_bad_arguments_are_named_errors(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    m = MLP(2, [1], activation="sigmoid", seed=0)
    with pytest.raises(error, match=message):
        record_run(m, [[0.0, 1.0]], [1.0], **kwargs)  # type: ignore[arg-type]


def test_record_run_refuses_models_it_cannot_draw() -> None:
    with pytest.raises(ValueError, match="one-output"):
        record_run(MLP(2, [2]), [[0.0, 1.0]], [1.0])
    with pytest.raises(TypeError, match="must be an MLP"):
        record_run("net", [[0.0, 1.0]], [1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2 inputs, the model 3"):
        record_run(MLP(3, [1]), [[0.0, 1.0]], [1.0])


def test_explorer_html_is_self_contained_and_carries_the_records(run: Run) -> None:
    page = explorer_html(run)
    assert page.startswith("<!doctype html>")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import|url\(http", page)
    assert "__DATA__" not in page and "/*__JS__*/" not in page
    block = page.split('<script id="run-data" type="application/json">', 1)[1]
    payload = json.loads(block.split("</script>", 1)[0])
    assert payload == json.loads(json.dumps(page_data(run)))
    first = payload["frames"][0]["ex"][2]
    assert first["d"][-1][0] == pytest.approx(run.frames[0].examples[2].delta[-1][0], rel=1e-6)
    assert payload["meta"]["seed"] == 0


def test_explorer_html_data_cannot_close_its_script_block() -> None:
    m = MLP(1, [1], activation="linear", seed=0)
    r = record_run(m, [[1.0]], [2.0], loss="mse", epochs=1, title="</script><b>x", drill="none")
    page = explorer_html(r)
    assert page.count("</script>") == 2  # the data block's and the code block's own
    assert "<title>Explorer: &lt;/script&gt;&lt;b&gt;x</title>" in page


def test_write_explorer_xor_2000_epochs_stays_under_two_megabytes(tmp_path: Path) -> None:
    X, y = data.xor()
    path = write_explorer(examples.xor_network(), X, y, tmp_path / "x" / "explorer.html", seed=0)
    size = path.stat().st_size
    assert 200_000 < size < 2_000_000


def test_explorer_repr_html_is_an_iframe_with_the_page(run: Run) -> None:
    shown = Explorer(run)._repr_html_()
    assert shown.startswith('<iframe srcdoc="&lt;!doctype html&gt;')
    assert "<script" not in shown  # escaped: the notebook's page cannot run it outside the frame
    assert 'sandbox="allow-scripts allow-downloads"' in shown
    assert repr(Explorer(run)) == f"Explorer({run.title!r}, 3 recorded epochs)"  # 0, 20, 40


def test_explorer_save_writes_the_page(run: Run, tmp_path: Path) -> None:
    path = Explorer(run).save(tmp_path / "e.html")
    assert path.read_text(encoding="utf-8") == explorer_html(run)


def test_explorer_needs_a_run() -> None:
    with pytest.raises(TypeError, match="Explorer: run must be a Run"):
        Explorer({"frames": []})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="explorer_html: run must be a Run"):
        explorer_html(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="write_explorer: path"):
        write_explorer(MLP(1, [1]), [[1.0]], [1.0], 3)  # type: ignore[arg-type]


def test_record_run_loss_values_are_bce_of_the_recorded_output(run: Run) -> None:
    f = run.frames[0]
    for ex, rec in enumerate(f.examples):
        assert rec.loss == pytest.approx(bce([Value(rec.output)], [run.y[ex]]).data, rel=1e-12)


def test_cli_explore_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tinygrad_edu.cli import main

    out = tmp_path / "deep" / "explorer.html"
    status = main(["explore", "--epochs", "5", "--every", "2", "--seed", "1", "--out", str(out)])
    assert status == 0
    page = out.read_text(encoding="utf-8")
    payload = json.loads(page.split('type="application/json">', 1)[1].split("</script>", 1)[0])
    assert [f["epoch"] for f in payload["frames"]] == [0, 2, 4]
    assert payload["meta"]["seed"] == 1 and payload["meta"]["sizes"] == [2, 4, 4, 1]
    assert f"wrote {out}" in capsys.readouterr().out


def test_cli_explore_sine_is_a_regression_fit(tmp_path: Path) -> None:
    from tinygrad_edu.cli import main

    out = tmp_path / "sine.html"
    assert main(["explore", "--dataset", "sine", "--activation", "tanh", "--hidden", "3",
                 "--epochs", "2", "--drill", "none", "--out", str(out)]) == 0  # fmt: skip
    payload = json.loads(out.read_text(encoding="utf-8").split('json">', 1)[1].split("</scr")[0])
    assert payload["meta"]["loss"] == "mse" and payload["meta"]["activations"][-1] == "linear"
    assert len(payload["axes"]) == 1 and len(payload["frames"][0]["surface"]) == 63
    assert payload["drills"] == []


@pytest.mark.parametrize("bad", [["--hidden", "4,x"], ["--epochs", "0"], ["--dataset", "mnist"]])
def test_cli_explore_bad_arguments_exit_with_usage(bad: list[str]) -> None:
    from tinygrad_edu.cli import main

    with pytest.raises(SystemExit) as info:
        main(["explore", *bad])
    assert info.value.code == 2


def test_packaging_declares_the_license_in_the_current_form() -> None:
    import tomllib

    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert project["build-system"]["requires"] == ["setuptools>=77"]
    text = (root / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Copyright (c) 2026 the tinygrad_edu authors" in text
    data_files = project["tool"]["setuptools"]["package-data"]["tinygrad_edu.explore"]
    assert sorted(data_files) == ["*.css", "*.html", "*.js"]


def test_browser_fixture_skips_without_chromium_but_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import browser

    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert browser.chromium_path() is None
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        browser._unavailable("Chromium is not installed")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        browser._unavailable("Chromium is not installed")
