"""sitemap.xml and robots.txt: every page a search engine should know, with its last change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from transmit.config import Config
from transmit.site.feeds import xml_text
from transmit.site.links import absolute_url, has_host

SITEMAP_PATH = "sitemap.xml"


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    path: str  # output path of the page ("posts/x/")
    modified: datetime | None  # None: no date applies (a page without posts)


def sitemap(config: Config, pages: Sequence[SitemapEntry]) -> bytes:
    """One <url> per page, in the order given, each path once."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    seen: set[str] = set()
    for page in pages:
        if page.path in seen:
            continue
        seen.add(page.path)
        lines.append(f"<url><loc>{xml_text(absolute_url(config, page.path))}</loc>")
        if page.modified is not None:
            lines.append(f"<lastmod>{page.modified.astimezone(config.zone).isoformat()}</lastmod>")
        lines.append("</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(config: Config) -> bytes:
    """Everything may be crawled; the sitemap is named when its absolute URL is known."""
    lines = ["User-agent: *", "Allow: /"]
    if has_host(config):
        lines.append(f"Sitemap: {absolute_url(config, SITEMAP_PATH)}")
    return ("\n".join(lines) + "\n").encode("utf-8")
