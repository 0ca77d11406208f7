"""How every browser test starts Debian's Chromium (Playwright cannot download its own here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# as root, in a sandboxed machine with no network but the package registries
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Chromium for one test module; skips when the system has none."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-test-system-deps)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
