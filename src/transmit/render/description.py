"""A post's one-line description, for <meta name="description">, OpenGraph and JSON-LD.

Made when the post is rendered, so that the build (which holds posts without their long texts)
does not read a post's text back, nor scan its excerpt, to describe each of its pages."""

from __future__ import annotations

import html
import re

DESCRIPTION_LENGTH = 160
_SKIPPED = re.compile(
    r"<(math|pre|table|figure|script|style|svg|sup|button)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE
)
_TAGS = re.compile(r"<[^>]*>")


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """The first `limit` characters of `text` on one line, cut at a word when it is English."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1].isascii() and text[limit - 1].isalnum() and " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + "…"


def plain_text(markup: str) -> str:
    """The prose of an excerpt: formulas, code, tables and footnote marks left out, tags
    dropped, entities read. A quick cut, as a one-line description needs no more."""
    return html.unescape(_TAGS.sub(" ", _SKIPPED.sub(" ", markup)))


def describe(summary: str | None, excerpt_html: str, text: str) -> str:
    """The summary as written, else the excerpt as plain text (what the author chose to lead
    with), else the body's text."""
    if summary and summary.strip():
        return shorten(summary)
    return shorten(plain_text(excerpt_html) or text)
