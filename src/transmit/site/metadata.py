"""What a page says about itself in <head>: title, description, canonical URL, OpenGraph,
Twitter card and, for posts, JSON-LD. Values are plain text here; templates escape them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from transmit.config import Config
from transmit.site.entry import Entry
from transmit.site.links import absolute_url

# Characters that would end a <script> element or break JavaScript parsers, as JSON escapes
# (replaced one by one: str.translate with a table is slow on text that is not ASCII).
_JSON_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str  # the whole <title>
    heading: str  # the page's own name, for og:title
    description: str
    path: str  # output path of the page, for canonical and og:url
    kind: str = "website"  # og:type: website or article
    image: str | None = None  # absolute URL
    published: datetime | None = None
    modified: datetime | None = None
    tags: tuple[str, ...] = ()
    section: str | None = None
    json_ld: str | None = None  # ready to sit inside <script type="application/ld+json">
    noindex: bool = False


def script_json(value: Any) -> str:
    """JSON that can sit inside a <script> element whatever the strings in it contain."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for character, escape in _JSON_ESCAPES:
        if character in text:
            text = text.replace(character, escape)
    return text


def page_title(config: Config, heading: str | None) -> str:
    return f"{heading} · {config.title}" if heading else config.title


def site_meta(config: Config, heading: str | None, path: str, description: str = "") -> PageMeta:
    """A listing or other page of the site itself."""
    return PageMeta(
        title=page_title(config, heading),
        heading=heading or config.title,
        description=description or config.description or config.subtitle,
        path=path,
    )


def post_image(config: Config, entry: Entry) -> str | None:
    """The absolute URL of a post's cover, which front matter gives relative to the post."""
    if not entry.post.cover:
        return None
    return urljoin(absolute_url(config, entry.post.path), entry.post.cover.strip())


def post_meta(config: Config, entry: Entry, category: str | None) -> PageMeta:
    post = entry.post
    description = entry.rendered.description or config.description
    image = post_image(config, entry)
    if post.kind == "page":
        return PageMeta(
            page_title(config, post.title), post.title, description, post.path, image=image
        )
    author = config.author or config.title
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": description,
        "datePublished": post.date.astimezone(config.zone).isoformat(),
        "dateModified": entry.last_modified.astimezone(config.zone).isoformat(),
        "url": absolute_url(config, post.path),
        "mainEntityOfPage": absolute_url(config, post.path),
        "inLanguage": config.language,
        "author": {"@type": "Person" if config.author else "Organization", "name": author},
        "publisher": {"@type": "Organization", "name": config.title},
        "wordCount": entry.rendered.word_count,
    }
    if post.tags:
        data["keywords"] = list(post.tags)
    if category:
        data["articleSection"] = category
    if image:
        data["image"] = image
    return PageMeta(
        title=page_title(config, post.title),
        heading=post.title,
        description=description,
        path=post.path,
        kind="article",
        image=image,
        published=post.date,
        modified=entry.last_modified,
        tags=post.tags,
        section=category,
        json_ld=script_json(data),
    )
