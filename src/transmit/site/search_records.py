"""What the search index is fed: each published post's own words, never the theme's chrome."""

from __future__ import annotations

from collections.abc import Sequence

from transmit.config import Config
from transmit.site.entry import Entry
from transmit.site.links import url_for
from transmit.site.search import SearchRecord


def search_records(config: Config, entries: Sequence[Entry]) -> list[SearchRecord]:
    """One record per post (standalone pages are not searched), in site order."""
    return [
        SearchRecord(
            url=url_for(config, entry.post.path),
            title=entry.post.title,
            text=entry.rendered.search_text or entry.rendered.text,
            category=" / ".join(entry.post.category),
            tags=entry.post.tags,
            date=entry.post.date.astimezone(config.zone).date().isoformat(),
            language=config.language,
        )
        for entry in entries
        if entry.post.kind == "post"
    ]
