"""The Post record: one source file, read and understood, before any rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from transmit.errors import BuildWarning


@dataclass(frozen=True, slots=True)
class Post:
    """A post or a standalone page, as its front matter and file describe it."""

    source: Path  # the file, absolute
    rel_path: str  # the file relative to the site folder, for messages ("content/posts/a.md")
    kind: str  # "post" or "page"
    title: str
    slug: str
    path: str  # output path relative to the site root, unencoded: "posts/注意力/"
    date: datetime  # aware
    body: str
    body_line: int  # the file line on which `body` starts
    updated: datetime | None = None
    categories: tuple[tuple[str, ...], ...] = ()
    tags: tuple[str, ...] = ()
    summary: str | None = None
    draft: bool = False
    sticky: int = 0  # 0 = not sticky; higher numbers lead
    toc: bool | None = None
    math: bool | None = None
    cover: str | None = None
    series: str | None = None
    aliases: tuple[str, ...] = ()
    bundle_dir: Path | None = None  # the folder of a `name/index.md` bundle
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # what loading noticed (a legacy encoding, control characters); not part of the content
    warnings: tuple[BuildWarning, ...] = field(default=(), compare=False)

    @property
    def url_path(self) -> str:
        """`path` percent-encoded, without the site's base path."""
        return quote(self.path, safe="/-._~")

    @property
    def category(self) -> tuple[str, ...]:
        """The first category path, the one listings show."""
        return self.categories[0] if self.categories else ()


def sort_key(post: Post) -> tuple[float, str, str]:
    """Newest first; ties by title, then by file, so order never changes between builds."""
    return (-post.date.timestamp(), post.title, post.rel_path)
