"""What the search index is fed: each published post's own words, never the theme's chrome."""

from __future__ import annotations

from collections.abc import Sequence

from transmit.config import Config
from transmit.site.entry import Entry
from transmit.site.links import url_for
from transmit.site.search_runs import IndexedPost, SearchRecord


def search_records(config: Config, entries: Sequence[Entry]) -> list[SearchRecord]:
    """One record per post (standalone pages are not searched), in site order, its text read
    now."""
    return [post.record() for post in indexed_posts(config, entries, [""] * len(entries))]


def indexed_posts(
    config: Config, entries: Sequence[Entry], versions: Sequence[str]
) -> list[IndexedPost]:
    """Each post (standalone pages are not searched) as the index takes it, in site order, its
    text read only when the index needs it; `versions`: each entry's rendered version (its
    render key and what the render read), which changes whenever the text does."""
    return [
        IndexedPost(
            url=url_for(config, entry.post.path),
            title=entry.post.title,
            category=" / ".join(entry.post.category),
            tags=entry.post.tags,
            date=_day(config, entry),
            language=config.language,
            version=version,
            read_text=lambda entry=entry: _text(entry),  # type: ignore[misc]
        )
        for entry, version in zip(entries, versions, strict=True)
        if entry.post.kind == "post"
    ]


def _text(entry: Entry) -> str:
    return entry.rendered.search_text or entry.rendered.text


def _day(config: Config, entry: Entry) -> str:
    return entry.post.date.astimezone(config.zone).date().isoformat()
