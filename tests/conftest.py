"""Test configuration: hypothesis runs derandomized, so CI sees the same examples every time."""

from __future__ import annotations

import os

import pytest
from browser import browser, new_page  # noqa: F401  (the shared browser fixtures, registered once)
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, max_examples=100)
# `make quick`: the same derandomized examples, fewer of them.
settings.register_profile(
    "quick",
    derandomize=True,
    deadline=None,
    max_examples=12,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives the browser is slow: it starts Chromium and loads a page."""
    for item in items:
        if {"browser", "new_page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
