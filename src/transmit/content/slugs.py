"""Slugs, Chinese stays Chinese unless the site asks for ASCII."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

# Characters that break a URL path segment or a file name on some system.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\?#%\"<>|:*^`{}\[\]&=+;,!'()$@~]+")
_DASHES = re.compile(r"[\s\-_.]*-[\s\-_.]*|\s+")


class SlugError(ValueError):
    """A slug the writer gave cannot be used as an address; the message says what to do."""


def clean_slug(text: str) -> str:
    """`text` made safe as one path segment: spaces and unsafe characters become single dashes."""
    text = unicodedata.normalize("NFC", text).strip()
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char for char in text
    )
    text = _UNSAFE.sub("-", text)
    text = _DASHES.sub("-", text)
    return text.strip("-.")


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
    if not slug:
        raise SlugError(f"'{text}' leaves no usable address; set 'slug' in the front matter")
    return slug


def check_given_slug(slug: str) -> str:
    """A slug from front matter: used as written, but never a path, a dot name or control text."""
    slug = unicodedata.normalize("NFC", slug.strip())
    if not slug or set(slug) <= {"."}:
        raise SlugError(f"slug '{slug}' is empty or only dots; use letters, digits and '-'")
    if "/" in slug or "\\" in slug:
        raise SlugError(f"slug '{slug}' contains a slash; use '-' instead")
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in slug):
        raise SlugError("slug contains control characters; remove them")
    cleaned = clean_slug(slug)
    if not cleaned:
        raise SlugError(f"slug '{slug}' leaves no usable address; use letters, digits and '-'")
    return cleaned


def url_segment(slug: str) -> str:
    """A slug percent-encoded for use inside an href (UTF-8, as browsers expect)."""
    return quote(slug, safe="-._~")
