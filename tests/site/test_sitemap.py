"""sitemap.xml and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.site.built import build_sample, read
from transmit.config import parse_config
from transmit.site.sitemap import robots_txt

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(
        tmp_path_factory.mktemp("sitemap") / "site", base_url="https://x.org/notes/"
    )


def test_sitemap_lists_every_page_once_with_its_last_change(out: Path) -> None:
    root = ElementTree.fromstring((out / "sitemap.xml").read_bytes())
    urls = {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }
    assert len(urls) == len(root.findall("s:url", NS))
    assert urls["https://x.org/notes/posts/softmax/"] == "2026-03-05T09:00:00+08:00"
    assert urls["https://x.org/notes/"] == "2026-03-05T09:00:00+08:00"
    assert urls["https://x.org/notes/about/"] is None  # no `updated`: a file time is no date
    assert "https://x.org/notes/categories/%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0/" in urls
    assert "https://x.org/notes/tags/AdamW/" in urls
    assert "https://x.org/notes/archives/" in urls
    assert not any("/page/" in url or "404" in url or "search" in url for url in urls)
    posts = [url for url in urls if "/posts/" in url]
    assert len(posts) == 14


def test_robots_txt_names_the_sitemap(out: Path) -> None:
    assert read(out, "robots.txt") == (
        "User-agent: *\nAllow: /\nSitemap: https://x.org/notes/sitemap.xml\n"
    )


def test_robots_txt_without_a_host_names_no_sitemap() -> None:
    config = parse_config('title = "T"\n', Path("site.toml"), Path("."))
    assert b"Sitemap" not in robots_txt(config)
