"""The explorer's records (tinygrad_edu.explore): every number it shows is the engine's, and
the engine's numbers are right (closed forms, central differences, the library's own fit)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD


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
    run = record_run(mine, X, y, loss="bce", lr=0.5, epochs=30, every=7, seed=3)
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
    run = record_run(m, [[1.0]], [2.0], loss="mse", lr=0.01, epochs=2000)
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
    run = record_run(m, [[0.0], [1.0]], [0, 1], lr=1e-9, epochs=1)
    health = run.frames[0].health
    assert health[0]["dead"] == 0.5
    # output a = σ(20·relu(x + 0.5)): σ(10) > 0.99 and σ(30) > 0.99, both saturated
    assert health[1]["saturated"] == 1.0
    deltas = [abs(e.delta[1][0]) for e in run.frames[0].examples]
    assert health[1]["mean_abs_delta"] == pytest.approx(sum(deltas) / 2, rel=1e-12)


def test_record_run_row_weight_gradient_is_exactly_delta_times_input(run: Run) -> None:
    # the page multiplies δ by the input for a row's own ∂L/∂W: the engine's w.grad is that product
    for f in run.frames:
        for ex, rec in enumerate(f.examples):
            for li in range(3):
                ins = run.X[ex] if li == 0 else rec.a[li - 1]
                for j, row in enumerate(rec.dW[li]):
                    assert row == [rec.delta[li][j] * v for v in ins]
                    assert rec.db[li][j] == rec.delta[li][j]


def test_record_run_keeps_every_row_at_every_recorded_epoch() -> None:
    X, y = data.moons(n=12, seed=0)
    m = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    r = record_run(m, X, [float(t) for t in y], lr=0.5, epochs=6, every=2)
    assert r.recorded == [0, 2, 4, 5]
    assert all(len(f.examples) == 12 for f in r.frames)
    assert len(page_data(r)["frames"][3]["ex"]) == 12


def test_record_run_refuses_a_run_past_the_time_bound_and_names_the_way_out() -> None:
    X, y = data.xor()
    with pytest.raises(ValueError, match=r"record_run: .* over the bound of 60 s; .*max_seconds="):
        record_run(examples.xor_network(), X, y, epochs=10**7)
    rows = [[i / 10_000, 1.0 - i / 10_000] for i in range(10_000)]
    targets = [float(i % 2) for i in range(10_000)]
    with pytest.raises(ValueError, match="record_run: this recording would take about"):
        record_run(examples.xor_network(), rows, targets)
    # raising the bound is the way out (the estimate alone is checked here: 1 epoch passes)
    assert record_run(examples.xor_network(), X, y, epochs=1, max_seconds=0.5).recorded == [0]


def test_record_run_refuses_a_page_past_the_size_bound() -> None:
    X, y = data.xor()
    with pytest.raises(ValueError, match=r"over the bound of 0\.01 MB; record fewer epochs"):
        record_run(examples.xor_network(), X, y, epochs=50, max_megabytes=0.01)


def test_budget_estimate_grows_with_epochs_rows_and_frames() -> None:
    from tinygrad_edu.explore import budget

    small = budget.estimate([2, 4, 4, 1], 4, 2000, 101, 441)
    assert small.seconds == pytest.approx(
        1e-6 * (0.45 * 37 * 4 * 2000 + 5.0 * 37 * 4 * 101 + 0.25 * 37 * 441 * 101)
    )
    assert budget.estimate([2, 4, 4, 1], 40, 2000, 101, 441).seconds > small.seconds
    assert budget.estimate([2, 4, 4, 1], 4, 2000, 51, 441).megabytes < small.megabytes
    assert budget.default_every(2000, 4, 9) == 20  # about 100 recorded epochs
    assert budget.default_every(2000, 400, 17) == 500  # many rows: 5 recorded epochs


def test_cli_explore_refuses_past_the_bound_naming_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tinygrad_edu.cli import explore, main
    from tinygrad_edu.explore import budget

    assert explore.MAX_SECONDS == budget.MAX_SECONDS
    out = tmp_path / "e.html"
    status = main(["explore", "--epochs", "100000", "--hidden", "64,64", "--out", str(out)])
    assert status == 2 and not out.exists()
    assert "--max-seconds" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"loss": "hinge"}, ValueError, "record_run: loss"),
        ({"epochs": True}, TypeError, "record_run: epochs"),
        ({"lr": -1.0}, ValueError, "record_run: lr"),
        ({"every": 0}, ValueError, "record_run: every"),
        ({"max_seconds": 0}, ValueError, "record_run: max_seconds"),
        ({"progress": "yes"}, TypeError, "record_run: progress"),
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


def test_explorer_html_data_cannot_close_or_bend_its_script_block() -> None:
    m = MLP(1, [1], activation="linear", seed=0)
    title = "<!--<script></script><b>x __DATA__ /*__JS__*/"
    r = record_run(m, [[1.0]], [2.0], loss="mse", epochs=1, title=title)
    page = explorer_html(r)
    assert page.count("</script>") == 2  # the data block's and the code block's own
    assert page.count("<script") == 2 and "<!--" not in page
    escaped = "&lt;!--&lt;script&gt;&lt;/script&gt;&lt;b&gt;x __DATA__ /*__JS__*/"
    assert f"<title>Explorer: {escaped}</title>" in page
    block = page.split('type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "\\u003c!--\\u003cscript\\u003e" in block
    assert json.loads(block)["meta"]["title"] == title  # one pass: nothing substituted into it


def test_page_data_shows_float_noise_in_the_data_as_zero() -> None:
    m = MLP(1, [1], activation="linear", seed=0)
    r = record_run(m, [[1.2e-16], [1.0]], [-1.2246e-16, 2.0], loss="mse", epochs=1)
    d = page_data(r)
    assert d["y"] == [0.0, 2.0] and d["X"] == [[0.0], [1.0]]
    assert r.y[0] == -1.2246e-16  # the training itself used the real number


def test_write_explorer_xor_2000_epochs_stays_under_one_megabyte(tmp_path: Path) -> None:
    X, y = data.xor()
    path = write_explorer(examples.xor_network(), X, y, tmp_path / "x" / "explorer.html", seed=0)
    size = path.stat().st_size
    assert 200_000 < size < 1_000_000


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
                 "--epochs", "2", "--out", str(out)]) == 0  # fmt: skip
    payload = json.loads(out.read_text(encoding="utf-8").split('json">', 1)[1].split("</scr")[0])
    assert payload["meta"]["loss"] == "mse" and payload["meta"]["activations"][-1] == "linear"
    assert len(payload["axes"]) == 1 and len(payload["frames"][0]["surface"]) == 63
    assert len(payload["frames"][0]["ex"]) == 24  # every row


@pytest.mark.parametrize("bad", [["--hidden", "4,x"], ["--epochs", "0"], ["--dataset", "mnist"]])
def test_cli_explore_bad_arguments_exit_with_usage(bad: list[str]) -> None:
    from tinygrad_edu.cli import main

    with pytest.raises(SystemExit) as info:
        main(["explore", *bad])
    assert info.value.code == 2


def test_packaging_declares_the_license_in_the_current_form() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[2]
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


def test_answer_diagnoses_are_the_tutors_bug_codes() -> None:
    from tinygrad_edu.explore import answers
    from tinygrad_edu.tutor import BUGS

    assert set(answers.DIAGNOSES) <= set(BUGS)
    js = (Path(answers.__file__).parent / "explorer.js").read_text(encoding="utf-8")
    used = set(re.findall(r'"([a-z0-9]+(?:-[a-z0-9]+)+)"\s*\]?\s*[:=]', js)) | {"sign"}
    assert used & set(BUGS) == set(answers.DIAGNOSES)  # the page uses exactly these codes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"learner": 3}, "'learner' must be a string"),
        ({"answers": [{"epoch": 0}]}, r"answers\[0\]\.epoch counts from 1"),
        ({"format": "x"}, "not an explorer answer file"),
    ],
)
def test_answers_read_names_the_bad_field(change: dict[str, object], message: str) -> None:
    from tinygrad_edu.explore import answers

    doc: dict[str, object] = {"format": answers.FORMAT, "learner": "a", "run": {}, "answers": []}
    doc.update(change)
    with pytest.raises(ValueError, match=message):
        answers.read(json.dumps(doc))


def test_record_run_surface_is_the_models_own_output_on_the_grid() -> None:
    X, y = data.xor()
    m = examples.xor_network(seed=2)
    r = record_run(m, X, y, epochs=1)
    f = r.frames[0]
    nx = len(r.axes[0])
    for k in (0, 17, 220, 440):
        u, v = r.axes[0][k % nx], r.axes[1][k // nx]
        a = [u, v]
        for W, bs in zip(f.W_before, f.b_before):
            a = [
                1.0 / (1.0 + math.exp(-(sum(w * x for w, x in zip(row, a)) + b)))
                for row, b in zip(W, bs)
            ]
        assert f.surface[k] == pytest.approx(a[0], abs=5e-5)  # kept to 4 significant digits


@given(st.text())
def test_embed_json_round_trips_any_text_without_a_less_than_sign(text: str) -> None:
    from tinygrad_edu.explore import embed_json

    out = embed_json({"title": text, "labels": [text]})
    assert "<" not in out and "\u2028" not in out and "\u2029" not in out
    assert json.loads(out) == {"title": text, "labels": [text]}


@given(st.lists(st.sampled_from(["__TITLE__", "__DATA__", "/*__JS__*/", "/*__CSS__*/", "x"])))
def test_fill_never_substitutes_into_a_value(parts: list[str]) -> None:
    from tinygrad_edu.explore.page import fill

    value = "".join(parts)
    out = fill("[__TITLE__|__DATA__]", {"__TITLE__": value, "__DATA__": "D"})
    assert out == f"[{value}|D]"


def test_record_run_shows_a_progress_bar_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = data.xor()
    record_run(examples.xor_network(), X, y, epochs=3, progress=True)
    assert "fit, recording" in capsys.readouterr().err
    record_run(examples.xor_network(), X, y, epochs=3)  # estimated well under 3 s: quiet
    assert capsys.readouterr().err == ""
