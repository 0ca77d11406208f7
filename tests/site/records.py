"""Entries made directly, for unit tests of the site stage without a build."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from transmit.content.post import Post
from transmit.render.data import RenderedPost
from transmit.render.description import describe
from transmit.site.entry import Entry

ZONE = timezone(timedelta(hours=8))


def make_entry(
    slug: str,
    date: str = "2026-01-01",
    *,
    title: str | None = None,
    categories: tuple[tuple[str, ...], ...] = (),
    tags: tuple[str, ...] = (),
    sticky: int = 0,
    kind: str = "post",
    html: str = "<p>Body.</p>",
    excerpt_html: str = "",
    updated: str | None = None,
    cover: str | None = None,
) -> Entry:
    moment = datetime.fromisoformat(date).replace(tzinfo=ZONE)
    post = Post(
        source=Path(f"/site/content/posts/{slug}.md"),
        rel_path=f"content/posts/{slug}.md",
        kind=kind,
        title=title if title is not None else slug,
        slug=slug,
        path=f"posts/{slug}/" if kind == "post" else f"{slug}/",
        date=moment,
        body="",
        body_line=1,
        updated=datetime.fromisoformat(updated).replace(tzinfo=ZONE) if updated else None,
        categories=categories,
        tags=tags,
        sticky=sticky,
        cover=cover,
    )
    rendered = RenderedPost(
        html=html,
        excerpt_html=excerpt_html,
        text="Body.",
        word_count=1,
        reading_minutes=1,
        description=describe(post.summary, excerpt_html, "Body."),
    )
    return Entry(post, rendered)
