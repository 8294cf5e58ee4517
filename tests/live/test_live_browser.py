"""The live page in Chromium, from file://, with every network request aborted: it loads the
engine, retrains with a changed learning rate and architecture, reaches the same final loss as
``fit`` in CPython, steps the explorer's phases, and the tutor diagnoses a wrong tanh rule.

Pyodide takes ~20 s to start, so one page is loaded per module and the tests share it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tinygrad_edu import train
from tinygrad_edu.live import build_live_page
from tinygrad_edu.live.assets import find_node_modules
from tinygrad_edu.live.session import Settings, dataset, make_model, make_optimizer

pytestmark = pytest.mark.slow

LOAD_BUDGET_S = 60  # the page says its own load time; the report's figure is measured here
# a teacher's link: the page opens with these settings in its fragment and trains that run
LINK = "#dataset=and&hidden=2&activation=sigmoid&loss=bce&lr=1&optimizer=sgd&epochs=40&seed=3"


@pytest.fixture(scope="module")
def live(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = build_live_page(tmp_path_factory.mktemp("live") / "live.html")
    uri = path.resolve().as_uri()
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    requests: list[str] = []
    errors: list[str] = []

    def only_the_file(route: Any) -> None:
        url = route.request.url.split("#")[0]
        if url == uri:
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    start = time.perf_counter()
    page.goto(uri + LINK)
    page.wait_for_selector("body[data-ready=true]", timeout=LOAD_BUDGET_S * 1000)
    seconds = time.perf_counter() - start
    page.set_default_timeout(5000)
    yield {"page": page, "path": path, "requests": requests, "errors": errors, "load": seconds}
    page.close()
    assert not errors, f"JavaScript errors on the live page: {errors}"


def _fit(settings: dict[str, Any]) -> tuple[float, list[float]]:
    """The final loss and weights of ``fit`` in CPython with the page's settings."""
    s = Settings.parse(settings)
    model = make_model(s)
    X, y = dataset(s.dataset, s.seed, s.points)
    history = train.fit(model, X, y, loss=s.loss, optimizer=make_optimizer(s, model),
                        epochs=s.epochs, progress=False)  # fmt: skip
    return history.loss[-1], [p.data for p in model.parameters()]


def _fit_loss(settings: dict[str, Any]) -> float:
    return _fit(settings)[0]


def _train(page: Any) -> float:
    before = page.evaluate("Number(document.body.dataset.trained || 0)")
    page.click("#train-button", timeout=60_000)
    page.wait_for_function(
        f"Number(document.body.dataset.trained || 0) > {before}", timeout=120_000
    )
    return float(page.get_attribute("#final-loss", "data-loss"))


@pytest.mark.slow
def test_live_page_loads_offline_and_under_the_budget(live: dict[str, Any]) -> None:
    assert live["path"].stat().st_size <= 20_000_000
    assert live["load"] < LOAD_BUDGET_S
    assert "ready in" in live["page"].text_content("#load-status")
    assert live["requests"] == []  # nothing asked of the network (each would have been aborted)


def test_link_with_settings_trains_that_run(live: dict[str, Any]) -> None:
    page = live["page"]
    page.wait_for_function("Number(document.body.dataset.trained || 0) >= 1", timeout=120_000)
    assert page.input_value("#dataset") == "and" and page.input_value("#hidden") == "2"
    got = float(page.get_attribute("#final-loss", "data-loss"))
    want = _fit_loss({"dataset": "and", "hidden": [2], "lr": 1.0, "epochs": 40, "seed": 3})
    assert got == pytest.approx(want, rel=1e-12, abs=0)  # sigmoid and log: see below
    assert page.input_value("#share").endswith(LINK)


def test_page_has_no_accessibility_violations(live: dict[str, Any]) -> None:
    axe = find_node_modules() / "axe-core" / "axe.min.js"
    page = live["page"]
    page.add_script_tag(content=axe.read_text(encoding="utf-8"))
    found = page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => [v.id, v.impact, v.nodes.length]))"
    )
    assert found == []


@pytest.mark.slow
def test_retrained_run_matches_fit_in_cpython(live: dict[str, Any]) -> None:
    page = live["page"]
    # +, ×, relu and the squared error: the final loss is bit for bit the desktop's
    page.fill("#seed", "0")
    page.select_option("#dataset", "sine")
    page.select_option("#loss", "mse")
    page.select_option("#activation", "relu")
    page.fill("#hidden", "3")
    page.fill("#lr", "0.05")
    page.fill("#epochs", "150")
    got = _train(page)
    want, weights = _fit({"dataset": "sine", "loss": "mse", "activation": "relu", "hidden": [3],
                          "lr": 0.05, "epochs": 150})  # fmt: skip
    assert got.hex() == want.hex()
    # the squared error's x**2 is the C library's pow(), whose last bit may differ between the
    # WebAssembly build and the desktop: the weights agree to the last bit or so (measured: 9 of
    # these 10 bit for bit, one a unit in the last place apart after the last update)
    page_weights = json.loads(page.get_attribute("#final-loss", "data-weights"))
    assert page_weights == pytest.approx(weights, rel=1e-13, abs=1e-300)
    assert sum(a.hex() == b.hex() for a, b in zip(page_weights, weights)) >= len(weights) - 1
    assert "hidden=3" in page.url and "lr=0.05" in page.url  # the link reproduces the run
    # tanh, exp and log come from the WebAssembly build's C library, which may round the last
    # bit differently from the desktop's: equal to ~1e-15 relative, not always bit for bit
    page.select_option("#dataset", "xor")
    page.select_option("#loss", "bce")
    page.select_option("#activation", "tanh")
    page.fill("#lr", "0.5")
    got = _train(page)
    want = _fit_loss({"hidden": [3], "activation": "tanh", "lr": 0.5, "epochs": 150})
    assert got == pytest.approx(want, rel=1e-12, abs=0)
    page.select_option("#optimizer", "adam")
    page.fill("#lr", "0.05")
    got = _train(page)
    want = _fit_loss({"hidden": [3], "activation": "tanh", "lr": 0.05, "epochs": 150,
                      "optimizer": "adam"})  # fmt: skip
    assert got == pytest.approx(want, rel=1e-12, abs=0)
    page.fill("#epochs", "6000")
    page.click("#train-button")
    refusal = "document.getElementById('train-error').textContent"
    page.wait_for_function(f"{refusal}.includes('epochs must be 1 to 5000')")
    page.fill("#epochs", "150")
    page.select_option("#optimizer", "sgd")
    page.fill("#lr", "0.5")
    _train(page)


def test_explorer_steps_the_four_phases_of_the_new_run(live: dict[str, Any]) -> None:
    page = live["page"]
    assert "recorded by the engine" in page.text_content("#explore-note")
    # mounted in the page by TinygradExplorer.mount (its ids prefixed "tx-")
    scope = page.locator("#explorer-root")
    pre = "tx-"
    meta = scope.locator(f"#{pre}meta").text_content()
    assert "[2, 3, 1]" in meta or "2, [3, 1]" in meta  # the new run: MLP(2, [3, 1])
    for phase in ("1", "2", "3", "4"):
        scope.locator(f"button.phase[data-phase='{phase}']").click()
        scope.locator(f"#{pre}step-next").click()
        assert scope.locator(f"#{pre}step-label").text_content().strip()


@pytest.mark.slow
def test_wrong_tanh_rule_gets_its_diagnosis(live: dict[str, Any]) -> None:
    page = live["page"]
    page.select_option("#code-kind", "rule")
    page.select_option("#code-op", "tanh")
    page.fill("#code", "def my_rule(x, out):\n    return 1 - x**2\n")
    page.click("#code-check")
    report = page.locator("#tutor-report")
    assert "input-instead-of-output" in report.text_content()
    assert report.get_attribute("data-diagnosis") == "input-instead-of-output"
    page.select_option("#code-kind", "backward")  # its starter code is a right backward pass
    page.click("#code-check")
    page.wait_for_function("document.getElementById('tutor-report').dataset.ok === 'true'")
    assert report.text_content().startswith("check_backward: right")


def test_expression_is_drawn_from_the_safe_parser(live: dict[str, Any]) -> None:
    page = live["page"]
    page.fill("#expr", "a*b + a")
    page.fill("#expr-values", "a=2, b=-3")
    page.click("#expr-draw")
    assert page.text_content("#expr-result") == "value -4; ∂out/∂a = -2, ∂out/∂b = 2"
    assert page.locator("#expr-graph svg").count() == 1
    page.fill("#expr", "__import__('os')")
    page.click("#expr-draw")
    assert page.locator("#expr-graph svg").count() == 0


def test_line_fit_descends_and_a_big_rate_diverges(live: dict[str, Any]) -> None:
    page = live["page"]
    page.click("#reg-reset")
    page.fill("#reg-lr", "0.05")
    page.click("#reg-step")
    first = page.text_content("#reg-status")
    assert "L " in first and "grew" not in first
    page.fill("#reg-lr", "0.9")
    page.click("#reg-step")
    page.click("#reg-step")
    assert "grew" in page.text_content("#reg-status")


def test_planes_work_from_the_keyboard(live: dict[str, Any]) -> None:
    page = live["page"]
    page.focus("#plane")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert page.input_value("#dataset") == "points"
    page.click("#clear-points")
    page.select_option("#dataset", "xor")
    page.click("#reg-reset")
    before = page.text_content("#reg-status")
    page.focus("#reg-plane")
    page.keyboard.press("]")
    page.keyboard.press("ArrowUp")
    after = page.text_content("#reg-status")
    assert "point 2 of 6 selected" in after
    assert after.split(",")[2] != before.split(",")[2]  # the loss moved with the point


@pytest.mark.parametrize("width,height", [(1280, 720), (390, 844)])
def test_no_horizontal_overflow(live: dict[str, Any], width: int, height: int) -> None:
    page = live["page"]
    page.set_viewport_size({"width": width, "height": height})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.set_viewport_size({"width": 1280, "height": 720})
