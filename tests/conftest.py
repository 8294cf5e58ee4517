"""Test configuration: hypothesis runs derandomized, so CI sees the same examples every time."""

from __future__ import annotations

import os

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
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
