"""What rendering takes and gives, as plain data. Importable without the renderer's libraries
(markdown-it, Pygments, math): a build that only reads rendered posts, from the render cache or
from its workers, never loads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from transmit.errors import BuildWarning
from transmit.render.toc import TocEntry


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """The part of the config that rendering depends on (and a cache key must include)."""

    unsafe_html: bool = True
    math_macros: tuple[tuple[str, str], ...] = ()
    excerpt_length: int = 300
    toc: bool = False  # site default; a post's `toc:` wins
    language: str = "en"  # labels rendering writes (copy button, callout titles)
    base_path: str = "/"  # the site's URL path, for addresses of images
    site_dir: Path | None = None  # to find `static/` and `content/` images
    math_markdown_escaped: bool = False  # formulas written for parsers that unescape first


class Asset(NamedTuple):
    """A file the build copies because a post uses it: to `output` (site-relative) from `source`
    (text, not a Path: ten thousand saved records hold fifteen thousand of these, and a Path
    takes six times longer to unpickle; a named tuple, as a frozen dataclass five times)."""

    output: str
    source: str  # absolute


@dataclass(frozen=True, slots=True)
class RenderedPost:
    html: str
    excerpt_html: str
    text: str
    word_count: int
    reading_minutes: int
    search_text: str = ""  # the text with code and table cells too, for the search index
    warnings: tuple[BuildWarning, ...] = ()
    toc: tuple[TocEntry, ...] = ()  # h2-h4, always collected
    toc_html: str = ""  # nested <ul>; empty unless the post (or site) asks for a TOC and
    # there are headings enough for one
    excerpt_truncated: bool = False  # the post has more than its excerpt shows
    assets: tuple[Asset, ...] = ()  # files beside the post its images use; the build copies them
    images: tuple[str, ...] = ()  # image addresses in page order (the first suits og:image)
    has_math: bool = False
    has_code: bool = False
    reads: tuple[str, ...] = ()  # files the images were looked for in, found or not
    description: str = ""  # one line for the page's <meta> (render.description)
