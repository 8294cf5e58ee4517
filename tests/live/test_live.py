"""The live page's builder and its Python side, in CPython (fast; the browser test is
test_live_browser.py): pinned assets, wheels, settings limits, the run vs ``fit``, the labs."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import re
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tinygrad_edu import train
from tinygrad_edu.live import MissingAssetError, build_live_page, live_html
from tinygrad_edu.live.assets import PINNED, project_wheel, wheels
from tinygrad_edu.live.bridge import call
from tinygrad_edu.live.lab import check_code, regression_step, regression_surface
from tinygrad_edu.live.session import Settings, Training, dataset, make_model, make_optimizer


@pytest.fixture(scope="module")
def page() -> str:
    return live_html()


def _assets(page: str) -> dict[str, bytes]:
    blocks = re.findall(r'class="asset" data-name="([^"]+)" data-size="\d+">([^<]*)</script>', page)
    return {name: gzip.decompress(base64.b64decode(body)) for name, body in blocks}


@pytest.mark.slow
def test_page_inlines_the_pinned_files_and_stays_under_budget(page: str) -> None:
    assets = _assets(page)
    for name, digest in PINNED.items():
        body = assets[name.rsplit("/", 1)[-1]]
        assert hashlib.sha256(body).hexdigest() == digest
    assert {n for n in assets if n.startswith("wheel:")} == {
        f"wheel:{w.filename}" for w in wheels()
    }
    assert len(page.encode()) <= 20_000_000


@pytest.mark.slow
def test_page_asks_no_server_for_anything(page: str) -> None:
    script = page[page.rindex("<script>") :]  # the page's own code, after the inlined files
    assert "cdn.jsdelivr" not in script and "http://" not in script.replace("http://www.w3", "")
    assert 'BASE = "https://tinygrad-edu-live.invalid/"' in script  # answered in the page


def test_missing_npm_file_names_it_and_make_js(tmp_path: Path) -> None:
    with pytest.raises(MissingAssetError, match=r"pyodide\.mjs is missing.*make js"):
        build_live_page(tmp_path / "live.html", node_modules=tmp_path / "node_modules")
    assert not (tmp_path / "live.html").exists()


def test_changed_npm_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "node_modules"
    (folder / "pyodide").mkdir(parents=True)
    (folder / "pyodide" / "pyodide.mjs").write_text("export const loadPyodide = 0;\n")
    with pytest.raises(MissingAssetError, match=r"pyodide\.mjs is not the pinned pyodide@314"):
        live_html(folder)


def test_project_wheel_holds_the_package_and_its_page_files() -> None:
    wheel = project_wheel()
    names = zipfile.ZipFile(io.BytesIO(wheel.data)).namelist()
    assert "tinygrad_edu/engine.py" in names
    assert "tinygrad_edu/live/live.js" in names and "tinygrad_edu/explore/explorer.js" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert project_wheel().data == wheel.data  # the same files make the same bytes


def test_dependency_wheels_hold_graphviz_and_tqdm() -> None:
    found = {w.name: zipfile.ZipFile(io.BytesIO(w.data)).namelist() for w in wheels()[1:]}
    assert "graphviz/__init__.py" in found["graphviz"]
    assert "tqdm/__init__.py" in found["tqdm"]


@pytest.mark.parametrize(
    "given,message",
    [
        ({"epochs": 6000}, "epochs must be 1 to 5000"),
        ({"hidden": [4, 4, 4, 4]}, "1 to 3 hidden layers"),
        ({"hidden": [17]}, "hidden sizes must be 1 to 16"),
        ({"dataset": "moons", "hidden": [16, 16], "epochs": 3000}, "more than the page trains"),
        ({"dataset": "points", "points": [[0, 0, 1]]}, "both classes"),
        ({"dataset": "sine"}, "sine is a regression"),
        ({"lr": 50.0}, "lr"),
        ({"optimiser": "sgd"}, "unknown setting 'optimiser'"),
    ],
)
def test_settings_outside_the_page_budget_are_refused_with_the_reason(
    given: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.parse(given)


@pytest.mark.parametrize(
    "optimizer,lr",
    [pytest.param("sgd", 0.5, marks=pytest.mark.slow), ("momentum", 0.2), ("adam", 0.05)],
)
def test_run_in_pieces_is_fit_bit_for_bit(optimizer: str, lr: float) -> None:
    s = Settings.parse({"hidden": [3], "optimizer": optimizer, "lr": lr, "epochs": 40})
    run = Training(s)
    while not run.done:
        run.advance(0.0)  # the smallest pieces
    model = make_model(s)
    X, y = dataset(s.dataset, s.seed, s.points)
    history = train.fit(model, X, y, loss=s.loss, optimizer=make_optimizer(s, model),
                        epochs=s.epochs, progress=False)  # fmt: skip
    assert [v.hex() for v in run.losses] == [v.hex() for v in history.loss]
    assert [p.data for p in run.model.parameters()] == [p.data for p in model.parameters()]
    data = run.page_data()
    assert (data is None) == (optimizer != "sgd")
    if data is not None:
        assert [f["epoch"] for f in data["frames"]] == list(range(40))
        assert data["meta"]["sizes"] == [2, 3, 1] and data["meta"]["lr"] == 0.5


def test_clicked_points_train_as_a_dataset() -> None:
    points = [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.2, -0.5, 0.0], [1.5, 0.3, 1.0]]
    s = Settings.parse({"dataset": "points", "points": points, "epochs": 5, "optimizer": "adam"})
    assert dataset(s.dataset, s.seed, s.points) == ([p[:2] for p in points], [0.0, 1.0, 0.0, 1.0])
    run = Training(s)
    while not run.done:
        run.advance(0.0)
    assert len(run.losses) == 5


def test_regression_gradient_is_the_closed_form() -> None:
    pts = [[0.5, 1.2], [1.0, 1.6], [2.5, 2.6]]
    w, b = -1.0, 3.0
    r = regression_step(pts, w, b, 0.1)
    resid = [w * x + b - y for x, y in pts]
    # dL/dw = (2/n) Σ r·x, dL/db = (2/n) Σ r for L = mean r²
    assert r["dw"] == pytest.approx(2 / 3 * sum(e * x for e, (x, _) in zip(resid, pts)), rel=1e-12)
    assert r["db"] == pytest.approx(2 / 3 * sum(resid), rel=1e-12)
    assert r["loss"] == pytest.approx(sum(e * e for e in resid) / 3, rel=1e-12)
    assert r["w_next"] == w - 0.1 * r["dw"]


def test_regression_surface_has_its_minimum_at_the_least_squares_line() -> None:
    pts = [[0.0, 1.0], [1.0, 3.0], [2.0, 5.0]]  # y = 2x + 1 exactly
    grid = regression_surface(pts, (1.0, 3.0), (0.0, 2.0), 5)
    assert grid[2][2] == 0.0  # w = 2, b = 1 sits at the grid's centre
    assert min(min(row) for row in grid) == 0.0


def test_tutor_box_diagnoses_a_wrong_tanh_rule_and_reports_broken_code() -> None:
    wrong = check_code("rule", "def my_rule(x, out):\n    return 1 - x**2\n", "tanh")
    assert not wrong["ok"] and wrong["diagnosis"] == "input-instead-of-output"
    assert "input-instead-of-output" in wrong["text"]
    assert check_code("rule", "def my_rule(x, out):\n    return 1 - out**2\n", "tanh")["ok"]
    broken = check_code("rule", "def my_rule(x, out) return 1", "tanh")
    assert not broken["ok"] and "SyntaxError" in broken["text"]


def test_bridge_turns_errors_and_infinities_into_json() -> None:
    assert call("validate", '[{"epochs": 6000}]').startswith('{"error": "live settings: epochs')
    assert call("no_such_call", "[]") == '{"error": "\'no_such_call\'"}'
    big = call("regression_step", "[[[0, 1e200], [1, -1e200]], 1e200, 0, 1]")
    assert '"loss": null' in big  # an overflow reaches the page as null, read as "diverged"


@pytest.mark.slow
def test_cli_writes_the_live_page(tmp_path: Path) -> None:
    from tinygrad_edu.cli import main

    out = tmp_path / "live.html"
    assert main(["explore", "--live", "--out", str(out)]) == 0
    assert out.stat().st_size > 1_000_000 and out.read_text().startswith("<!doctype html>")


def test_cli_without_npm_packages_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tinygrad_edu.cli import main

    monkeypatch.setenv("TINYGRAD_EDU_NODE_MODULES", str(tmp_path / "nothing"))
    assert main(["explore", "--live", "--out", str(tmp_path / "live.html")]) != 0
    err = capsys.readouterr().err
    assert "pyodide.mjs is missing" in err and "make js" in err
    assert not (tmp_path / "live.html").exists()


def test_tutor_box_checks_a_backward_pass_with_the_engine_order_at_hand() -> None:
    mine = (
        "def my_backward(root):\n"
        "    order = topo_order(root)\n"
        "    for node in order:\n"
        "        node.grad = 0.0\n"
        "    root.grad = 1.0\n"
        "    for node in reversed(order):\n"
        "        for parent, local in zip(node.parents, node.local_grads):\n"
        "            parent.grad += local * node.grad\n"
    )
    assert check_code("backward", mine)["ok"]
    forgot = mine.replace(
        "            parent.grad += local * node.grad",
        "            parent.grad = local * node.grad",
    )
    wrong = check_code("backward", forgot)
    assert not wrong["ok"] and wrong["diagnosis"] is not None


@pytest.mark.slow
def test_tutor_box_stops_code_that_never_ends() -> None:
    start = time.perf_counter()
    looping = check_code("rule", "while True:\n    pass\n", "tanh", seconds=0.5)
    assert not looping["ok"] and "longer than 0.5 s" in looping["text"]
    slow_rule = "def my_rule(x, out):\n    while True:\n        pass\n"
    slow = check_code("rule", slow_rule, "tanh", seconds=0.5)
    assert slow["diagnosis"] == "did-not-finish" and "within 0.5 s" in slow["text"]
    assert time.perf_counter() - start < 5
    assert sys.gettrace() is None  # the hook is taken down again
