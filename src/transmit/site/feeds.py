"""Atom and RSS feeds: the latest posts with their full content, links made absolute.

No build time appears anywhere: a feed's `updated` is the newest change among its posts, so the
same posts always give the same bytes."""

from __future__ import annotations

import re
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from transmit.config import Config
from transmit.site.entry import Entry
from transmit.site.links import absolute_url, absolutize_links, has_host

FEED_LENGTH = 20
# Characters of posts' feed texts each process keeps (two or four bytes each, in Chinese
# posts). A post is in several feeds (the site's two, its categories' and its tags'), which a
# build makes far apart: at 1,000 corpus posts, 60 feeds hold 631 posts in 1,190 places, 16
# million characters of feed text in all, split between the processes that make pages.
FEED_TEXT_MEMO = 24_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# XML 1.0 cannot carry these at all, not even as character references: all but tab, line
# feed, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and U+10000 up (named by what is left
# out, this compiles in a tenth of the time: every build that makes feeds compiles it).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: its title, its own output path and the page whose posts it follows."""

    title: str
    path: str  # "atom.xml", "tags/x/atom.xml"
    page_path: str  # "", "tags/x/"
    entries: tuple[Entry, ...]  # the site's order, newest first; the first FEED_LENGTH are used


def xml_text(text: str) -> str:
    """Text for an XML element or a double-quoted attribute."""
    text = _NOT_XML.sub("", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def xml_cdata(text: str) -> str:
    """Markup as the text of an XML element, in CDATA sections rather than escaped: HTML dense
    with MathML doubles in size when every `<` becomes `&lt;`. Only `]]>` needs care: it is
    split across two sections."""
    text = _NOT_XML.sub("", text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _feed_text(html: str, page_url: str) -> str:
    """A post's HTML with absolute links, ready for XML."""
    return xml_cdata(absolutize_links(html, page_url))


TextKey = tuple[str, str, str]  # render key, field, page URL
Kept = tuple[object, str]  # the rendering's stub record, the text made from it


class _FeedTexts:
    """Posts' feed texts by render key, field and page URL, each with the rendering it was made
    from; the least recently used dropped beyond `limit` characters. A text is made once for
    all the feeds its post is in, without reading the rendered post again."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._texts: OrderedDict[TextKey, Kept] = OrderedDict()

    def get(self, key: TextKey) -> Kept | None:
        kept = self._texts.get(key)
        if kept is not None:
            self._texts.move_to_end(key)
        return kept

    def put(self, key: TextKey, kept: Kept) -> None:
        if (before := self._texts.pop(key, None)) is not None:
            self._size -= len(before[1])
        self._texts[key] = kept
        self._size += len(kept[1])
        while self._size > self._limit and len(self._texts) > 1:
            self._size -= len(self._texts.popitem(last=False)[1][1])


_TEXTS = _FeedTexts(FEED_TEXT_MEMO)


class FeedBodies:
    """Each post's HTML with absolute links, escaped for XML. The post's record is read each
    time (or, when its text is at hand, noted as read), so that the build notes which feeds
    read which posts."""

    def __init__(self, config: Config) -> None:
        self._config = config

    def body(self, entry: Entry) -> str:
        return self._text(entry, "html")

    def summary(self, entry: Entry) -> str:
        return self._text(entry, "excerpt_html")

    def _text(self, entry: Entry, field: str) -> str:
        rendered = entry.rendered
        page_url = absolute_url(self._config, entry.post.path)
        render_key = getattr(rendered, "key", None)  # a record the build loads when read
        if render_key is None:
            return _feed_text(getattr(rendered, field), page_url)
        stub = rendered.stub  # type: ignore[attr-defined] (a LazyRendered: it has a key)
        key = (render_key, field, page_url)
        if (kept := _TEXTS.get(key)) is not None and kept[0] is stub:
            rendered.note_read()  # type: ignore[attr-defined]
            return kept[1]
        text = _feed_text(getattr(rendered, field), page_url)
        _TEXTS.put(key, (stub, text))
        return text


def feed_id(config: Config, path: str) -> str:
    """A permanent id: the absolute URL, or a name-based UUID when the site has no host yet."""
    if has_host(config):
        return absolute_url(config, path)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, config.title + '/' + path)}"


def _newest(entries: Sequence[Entry]) -> datetime:
    return max((entry.last_modified for entry in entries), default=EPOCH)


def _stamp(config: Config, moment: datetime) -> str:
    return moment.astimezone(config.zone).isoformat()


def _link(rel: str, kind: str, href: str, tag: str = "link") -> str:
    return f'<{tag} rel="{rel}" type="{kind}" href="{xml_text(href)}"/>'


def _categories(entry: Entry) -> list[str]:
    return ["/".join(path) for path in entry.post.categories] + list(entry.post.tags)


def atom_feed(config: Config, feed: Feed, bodies: FeedBodies) -> bytes:
    entries = feed.entries[:FEED_LENGTH]
    author = config.author or config.title
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{xml_text(config.language)}">',
        f"<title>{xml_text(feed.title)}</title>",
    ]
    if config.description:
        lines.append(f"<subtitle>{xml_text(config.description)}</subtitle>")
    lines += [
        _link("self", "application/atom+xml", absolute_url(config, feed.path)),
        _link("alternate", "text/html", absolute_url(config, feed.page_path)),
        f"<id>{xml_text(feed_id(config, feed.page_path))}</id>",
        f"<updated>{_stamp(config, _newest(entries))}</updated>",
        f"<author><name>{xml_text(author)}</name></author>",
        "<generator>transmit</generator>",
    ]
    for entry in entries:
        post = entry.post
        lines += [
            "<entry>",
            f"<title>{xml_text(post.title)}</title>",
            _link("alternate", "text/html", absolute_url(config, post.path)),
            f"<id>{xml_text(feed_id(config, post.path))}</id>",
            f"<published>{_stamp(config, post.date)}</published>",
            f"<updated>{_stamp(config, entry.last_modified)}</updated>",
        ]
        lines += [f'<category term="{xml_text(term)}"/>' for term in _categories(entry)]
        if entry.rendered.excerpt_html:
            lines.append(f'<summary type="html">{bodies.summary(entry)}</summary>')
        lines += [f'<content type="html">{bodies.body(entry)}</content>', "</entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def rss_feed(config: Config, feed: Feed, bodies: FeedBodies) -> bytes:
    entries = feed.entries[:FEED_LENGTH]
    permalink = "true" if has_host(config) else "false"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{xml_text(feed.title)}</title>",
        f"<link>{xml_text(absolute_url(config, feed.page_path))}</link>",
        f"<description>{xml_text(config.description or config.title)}</description>",
        f"<language>{xml_text(config.language)}</language>",
        f"<lastBuildDate>{format_datetime(_newest(entries).astimezone(config.zone))}</lastBuildDate>",
        "<generator>transmit</generator>",
        _link("self", "application/rss+xml", absolute_url(config, feed.path), "atom:link"),
    ]
    for entry in entries:
        post = entry.post
        lines += [
            "<item>",
            f"<title>{xml_text(post.title)}</title>",
            f"<link>{xml_text(absolute_url(config, post.path))}</link>",
            f'<guid isPermaLink="{permalink}">{xml_text(feed_id(config, post.path))}</guid>',
            f"<pubDate>{format_datetime(post.date.astimezone(config.zone))}</pubDate>",
        ]
        lines += [f"<category>{xml_text(term)}</category>" for term in _categories(entry)]
        lines += [f"<description>{bodies.body(entry)}</description>", "</item>"]
    lines += ["</channel>", "</rss>"]
    return ("\n".join(lines) + "\n").encode("utf-8")
