"""Shared browser fixtures: the sites are built once per session and served by http.server on
127.0.0.1 (an ephemeral port, in a thread); one Chromium (Debian's, /usr/bin/chromium) is
launched once for the module. Each test gets a fresh context, so storage never leaks between
tests."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import launch_chromium
from tests.site.built import NOW, build_sample
from transmit.build.pipeline import BuildOptions, build_site

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "example"
SAMPLE_BASE = "/notes/"  # the sample site lives under a sub-path, as on GitHub Pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Served:
    """The sites on one local server: `url(site, path)` is a page's full address."""

    origin: str
    bases: dict[str, str] = field(default_factory=dict)  # site name -> base path

    def url(self, site: str, path: str = "") -> str:
        return f"{self.origin}{self.bases[site]}{path}"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The sample site at /notes/ and, when the checkout has one, the example site at /example/."""
    root = tmp_path_factory.mktemp("served")
    sources = tmp_path_factory.mktemp("sources")
    out = build_sample(sources / "sample", base_url=SAMPLE_BASE, per_page=4)
    shutil.move(out, root / "notes")
    bases = {"sample": SAMPLE_BASE}
    if (EXAMPLE / "site.toml").is_file():
        example = sources / "example"
        shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("public"))
        config = (example / "site.toml").read_text(encoding="utf-8")
        lines = [line for line in config.splitlines() if not line.startswith("base_url")]
        (example / "site.toml").write_text(
            'base_url = "/example/"\n' + "\n".join(lines) + "\n", encoding="utf-8"
        )
        build_site(example, BuildOptions(out_dir=root / "example", now=NOW, jobs=1))
        bases["example"] = "/example/"
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", bases)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module (tests/browser has one): Playwright's sync API allows one
    instance at a time in a thread, and other modules (the search tests) start their own."""
    with launch_chromium() as chromium:
        yield chromium


@dataclass(slots=True)
class Console:
    """Errors the page reported: console errors, uncaught exceptions, failed requests."""

    errors: list[str] = field(default_factory=list)


@pytest.fixture
def console() -> Console:
    return Console()


def _failed(console: Console, request: Any) -> None:
    """A request that failed, unless the browser dropped it because the test navigated on."""
    if request.failure != "net::ERR_ABORTED":
        console.errors.append(f"failed: {request.url} ({request.failure})")


@pytest.fixture
def page(browser: Any, console: Console) -> Iterator[Any]:
    """A desktop-sized page in the dark system theme, recording its errors in `console`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    tab = context.new_page()
    tab.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: console.errors.append(str(error)))
    tab.on("requestfailed", lambda request: _failed(console, request))
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where screenshots go: $TRANSMIT_SCREENSHOTS if set, else a fresh temporary folder."""
    chosen = os.environ.get("TRANSMIT_SCREENSHOTS")
    folder = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="transmit-screens-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
