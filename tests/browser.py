"""The shared browser for tests: Playwright for Python driving the system Chromium.

tests/conftest.py registers these fixtures once for every test module (two registrations would
start two Playwright loops in one thread, which Playwright refuses). Playwright's
own browser download is not used; the executable comes from ``$CHROMIUM`` or the system
(``chromium``, ``chromium-browser``, ``/usr/bin/chromium``; ``make browser`` installs it on
Debian). Without Playwright or Chromium the tests skip with how to install them, except under
CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

VIEWPORT = {"width": 1400, "height": 1000}  # the explorer must be readable at this width


def chromium_path() -> str | None:
    """The system Chromium's executable, or None."""
    given = os.environ.get("CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def _unavailable(why: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why} (CI=true: the browser tests must run in CI)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(
            "Playwright for Python is not installed: pip install -e '.[dev]' "
            "(or pip install playwright)"
        )
    path = chromium_path()
    if path is None:
        _unavailable(
            "Chromium is not installed: make browser, or sudo apt-get install chromium "
            "(or set CHROMIUM=/path/to/chromium)"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[Path], Any]]:
    """``new_page(path)`` opens a file:// page at 1,400 px; the test fails on any JS error."""
    pages: list[tuple[Any, list[str]]] = []

    def open_file(path: Path) -> Any:
        page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
        page.set_default_timeout(5000)  # a missing element fails in seconds, not half a minute
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(Path(path).resolve().as_uri())
        pages.append((page, errors))
        return page

    yield open_file
    problems = [e for _, errs in pages for e in errs]
    for page, _ in pages:
        page.close()
    assert not problems, f"JavaScript errors on the page: {problems}"
