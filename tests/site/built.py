"""Building the sample site for theme tests, and reading what it wrote."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

from tests.site.sample_site import write_sample_site
from transmit.build.pipeline import BuildOptions, build_site

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def build_sample(root: Path, **site: Any) -> Path:
    """Write the sample site into `root`, build it, and return its output folder."""
    write_sample_site(root, **site)
    build_site(root, BuildOptions(now=NOW, jobs=1))
    return root / "public"


def read(out: Path, path: str) -> str:
    """The text of an output file; `path` as in a URL without the base ("posts/x/")."""
    target = out / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target.read_text(encoding="utf-8")


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def meta_content(html: str, key: str) -> str | None:
    """The content of <meta name=key> or <meta property=key>, unescaped."""
    match = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)">', html)
    return unescape(match.group(1)) if match else None


def hrefs(html: str, within: str | None = None) -> list[str]:
    """Every href of `html`, or of the first element whose start tag contains `within`."""
    if within is not None:
        start = html.index(within)
        tag = re.match(r"<(\w+)", html[html.rindex("<", 0, start + 1) :])
        assert tag is not None
        end = html.index(f"</{tag.group(1)}>", start)
        html = html[start:end]
    return [unescape(link) for link in re.findall(r'href="([^"]*)"', html)]


def json_ld(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert match is not None
    return json.loads(match.group(1))
