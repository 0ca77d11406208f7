"""Slugs, Chinese stays Chinese unless the site asks for ASCII."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from transmit.errors import shown

# Characters that break a URL path segment or a file name on some system.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\?#%\"<>|:*^`{}\[\]&=+;,!'()$@~]+")
# A run of separators becomes one dash if it holds a dash; else each space run becomes a dash.
# (Matched run by run: a nested pattern here took seconds on a long line of dots.)
_SEPARATOR_RUN = re.compile(r"[\s\-_.]+")
_SPACES = re.compile(r"\s+")
MAX_SLUG_BYTES = 255  # the longest file name common file systems allow


def _dash_run(match: re.Match[str]) -> str:
    run = match.group()
    return "-" if "-" in run else _SPACES.sub("-", run)


class SlugError(ValueError):
    """A slug the writer gave cannot be used as an address; the message says what to do."""


def clean_slug(text: str) -> str:
    """`text` made safe as one path segment: spaces and unsafe characters become single dashes."""
    text = unicodedata.normalize("NFC", text).strip()
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char for char in text
    )
    text = _UNSAFE.sub("-", text)
    text = _SEPARATOR_RUN.sub(_dash_run, text)
    return text.strip("-.")


def _fit(slug: str) -> str:
    """A derived slug cut to what a file name can hold, at a dash when one is near the end."""
    data = slug.encode("utf-8")
    if len(data) <= MAX_SLUG_BYTES:
        return slug
    cut = data[:MAX_SLUG_BYTES].decode("utf-8", "ignore")
    dash = cut.rfind("-")
    return (cut[:dash] if dash > len(cut) // 2 else cut).strip("-.")


def pinyin_slug(text: str) -> str:
    """ASCII slug: Chinese characters as toneless pinyin syllables, other words lowercased."""
    from pypinyin import Style, lazy_pinyin  # imported late: it loads a large dictionary

    syllables = lazy_pinyin(
        unicodedata.normalize("NFC", text), style=Style.NORMAL, errors="default"
    )
    ascii_text = "-".join(syllables)
    ascii_text = unicodedata.normalize("NFKD", ascii_text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def hash_slug(text: str) -> str:
    """A short, stable ASCII slug from the text (10 hex digits)."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode()).hexdigest()[:10]


def make_slug(text: str, style: str) -> str:
    """The slug of a title or file name in the site's `slug_style`; SlugError if none remains."""
    if style == "pinyin":
        slug = pinyin_slug(text)
    elif style == "hash":
        slug = hash_slug(text)
    else:
        slug = clean_slug(text)
    slug = _fit(slug)
    if not slug:
        raise SlugError(f"{shown(text)} leaves no usable address; set 'slug' in the front matter")
    return slug


def check_given_slug(slug: str) -> str:
    """A slug from front matter: used as written, but never a path, a dot name or control text."""
    slug = unicodedata.normalize("NFC", slug.strip())
    if not slug or set(slug) <= {"."}:
        raise SlugError(f"slug {shown(slug)} is empty or only dots; use letters, digits and '-'")
    if "/" in slug or "\\" in slug:
        raise SlugError(f"slug {shown(slug)} contains a slash; use '-' instead")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in slug):
        raise SlugError("slug contains control characters; remove them")
    if len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        raise SlugError(
            f"slug is {len(slug.encode('utf-8'))} bytes long; a file name holds at most "
            f"{MAX_SLUG_BYTES}: shorten it"
        )
    cleaned = clean_slug(slug)
    if not cleaned:
        raise SlugError(f"slug {shown(slug)} leaves no usable address; use letters, digits and '-'")
    return cleaned


def url_segment(slug: str) -> str:
    """A slug percent-encoded for use inside an href (UTF-8, as browsers expect)."""
    return quote(slug, safe="-._~")
