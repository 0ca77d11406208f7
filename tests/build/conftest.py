"""Fixtures of the build tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The posts rendered from Markdown (not taken from the cache) during the test."""
    import transmit.render.document as document

    calls: list[str] = []
    real = document.render_post

    def counting(post, options):  # type: ignore[no-untyped-def]
        calls.append(post.rel_path)
        return real(post, options)

    monkeypatch.setattr(document, "render_post", counting)
    return calls
