"""Fixtures for the dev server: a small site, a started server on a free port, fast watching."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import SiteMaker
from transmit.build.pipeline import BuildOptions
from transmit.serve.session import DevServer, ServeOptions
from transmit.serve.watch import WatchTiming

FAST = WatchTiming(step=10, debounce=200, rust_timeout=50)
StartServer = Callable[..., DevServer]


def pytest_configure(config: pytest.Config) -> None:
    if not any(line.split(":")[0].strip() == "browser" for line in config.getini("markers")):
        config.addinivalue_line("markers", "browser: drives Chromium through Playwright")


def post(title: str, date: str, extra: str = "", body: str = "Body text.") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


SMALL_SITE: dict[str, str | bytes] = {
    "content/posts/alpha.md": post(
        "Alpha", "2026-01-01", "categories: [ML]\ntags: [a, b]\n", "Alpha body."
    ),
    "content/posts/beta.md": post("Beta", "2026-01-02", "categories: [ML]\ntags: [b]\n"),
    "content/posts/注意力机制.md": post(
        "注意力机制", "2026-01-03", "tags: [注意力]\n", "注意力正文。"
    ),
    "content/posts/bundle/index.md": post("Bundle", "2026-01-04", body="![d](d.png)"),
    "content/posts/bundle/d.png": b"\x89PNG fake",
    "content/pages/about.md": "---\ntitle: About\n---\nAbout me.\n",
    "static/site.css": "body { color: rgb(1, 2, 3); }\n",
}


@pytest.fixture
def small_site(make_site: SiteMaker) -> Path:
    return make_site(SMALL_SITE)


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    (root / "site.toml").write_text('title = "Test Notes"\n', encoding="utf-8")
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def started(site: Path, **options: object) -> DevServer:
    """A DevServer for `site` on a free port, watching fast, started."""
    build_options = BuildOptions(jobs=1, **options)  # type: ignore[arg-type]
    server = DevServer(site, build_options, ServeOptions(port=0, timing=FAST))
    server.start()
    return server


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """One server on SMALL_SITE for tests that only read (or add files to its output)."""
    server = started(write_files(tmp_path_factory.mktemp("shared"), SMALL_SITE))
    yield server
    server.stop()


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """`start_server(site, drafts=True, ...)` -> a started DevServer, stopped after the test."""
    servers: list[DevServer] = []

    def start(site: Path, **options: object) -> DevServer:
        servers.append(started(site, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
