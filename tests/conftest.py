"""Shared fixtures: small sites written into tmp_path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

SiteMaker = Callable[..., Path]


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
