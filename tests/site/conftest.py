"""Registers the `browser` marker used by the search tests (they drive /usr/bin/chromium)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright")
