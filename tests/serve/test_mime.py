"""Content types of the files a built site holds."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from transmit.serve.mime import content_type


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("INDEX.HTML", "text/html; charset=utf-8"),
        ("transmit.css", "text/css; charset=utf-8"),
        ("pagefind.js", "text/javascript; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("atom.xml", "application/xml; charset=utf-8"),
        ("search.json", "application/json; charset=utf-8"),
        ("pagefind-entry.json", "application/json; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("favicon.svg", "image/svg+xml; charset=utf-8"),
        ("pagefind.wasm", "application/wasm"),
        ("wasm.zh-cn.pagefind", "application/octet-stream"),
        ("pagefind.zh-cn_1a2b.pf_meta", "application/octet-stream"),
        ("zh-cn_8f3c.pf_index", "application/octet-stream"),
        ("zh-cn_44aa.pf_fragment", "application/octet-stream"),
        ("tags_1.pf_filter", "application/octet-stream"),
        ("a.webp", "image/webp"),
        ("a.avif", "image/avif"),
        ("a.png", "image/png"),
        ("a.JPG", "image/jpeg"),
        ("font.woff2", "font/woff2"),
        ("no-suffix", "application/octet-stream"),
        ("archive.tar.gz", "application/gzip"),
    ],
)
def test_content_types(name: str, expected: str) -> None:
    assert content_type(PurePath(name)) == expected
