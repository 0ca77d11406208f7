"""Shared fixtures: small sites written into tmp_path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

SiteMaker = Callable[..., Path]

# `python -m transmit` with Ctrl-C working as in a terminal, even when the tests themselves run
# in the background, where SIGINT is ignored and children inherit that
AS_FROM_A_TERMINAL = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'transmit'; runpy.run_module('transmit', run_name='__main__')"
)


@pytest.fixture
def make_site(tmp_path: Path) -> SiteMaker:
    """Write a site: `make_site({"content/posts/a.md": "..."}, config="...")` -> its folder."""

    def make(
        files: dict[str, str | bytes] | None = None,
        *,
        config: str = 'title = "Test Notes"\ntimezone = "Asia/Shanghai"\n',
        name: str = "site",
    ) -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        (root / "site.toml").write_text(textwrap.dedent(config), encoding="utf-8")
        for relative, content in (files or {}).items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return root

    return make


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The posts rendered from Markdown (not taken from the cache) during the test."""
    import transmit.render.document as document

    calls: list[str] = []
    real = document.render_post

    def counting(post, options, fragments=None):  # type: ignore[no-untyped-def]
        calls.append(post.rel_path)
        return real(post, options, fragments)

    monkeypatch.setattr(document, "render_post", counting)
    return calls
