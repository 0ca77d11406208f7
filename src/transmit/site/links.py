"""Addresses: output paths to links, and a post's relative links made absolute for feeds."""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, urljoin, urlsplit

from transmit.config import Config

_SAFE = "/-._~#"
# A start tag with an attribute that holds a URL, and such an attribute (value quoted either way
# or bare).
_TAG = re.compile(r"<[A-Za-z][^<>]*?\s(?:href|src|poster|cite|srcset)\s*=[^<>]*>", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(
    r"""(?P<lead>\s(?:href|src|poster|cite|srcset)\s*=\s*)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""",
    re.IGNORECASE,
)
_SRCSET_ITEM = re.compile(r"\s*([^\s,]+)([^,]*)")
# Where a URL attribute may be: rare in a post's HTML, where nearly every tag is MathML's, so the
# scan looks for these and then for the tag around each (0.16 against 0.23 ms a corpus post).
_CANDIDATE = re.compile(r"\s(?:href|src|poster|cite|srcset)\s*=", re.IGNORECASE)


@functools.lru_cache(maxsize=16384)
def _quoted(path: str) -> str:
    """An output path percent-encoded: the same few thousand paths (every page links the
    categories, tags and latest posts) are asked for tens of thousands of times a build."""
    return quote(path, safe=_SAFE)


def url_for(config: Config, path: str) -> str:
    """A root-relative link to an output path ("posts/注意力/"), base path included, encoded."""
    return config.base_path + _quoted(path)


def has_host(config: Config) -> bool:
    """Whether `base_url` names a host, so that absolute URLs can be written."""
    return bool(urlsplit(config.base_url).netloc)


def absolute_url(config: Config, path: str) -> str:
    """The full URL of an output path, for feeds and canonical links (root-relative when the
    site's `base_url` has no host)."""
    if not has_host(config):
        return url_for(config, path)
    return config.base_url + _quoted(path)


def _absolute(value: str, page_url: str, srcset: bool) -> str:
    if srcset:
        return ", ".join(
            urljoin(page_url, match.group(1)) + match.group(2).rstrip()
            for match in _SRCSET_ITEM.finditer(value)
            if match.group(1)
        )
    stripped = value.strip()
    if not stripped or stripped.startswith(("data:", "mailto:", "javascript:")):
        return value
    return urljoin(page_url, stripped)


def _rewrite_tag(tag: str, page_url: str) -> str:
    """One start tag with each URL attribute's value made absolute."""

    def attribute(match: re.Match[str]) -> str:
        lead = match.group("lead")
        srcset = lead.strip().lower().startswith("srcset")
        for group, quote_mark in (("dq", '"'), ("sq", "'"), ("bare", '"')):
            value = match.group(group)
            if value is not None:
                new = _absolute(value, page_url, srcset).replace(quote_mark, quote(quote_mark))
                return f"{lead}{quote_mark}{new}{quote_mark}"
        return match.group(0)

    return _URL_ATTRIBUTE.sub(attribute, tag)


def absolutize_links(markup: str, page_url: str) -> str:
    """`markup` with every relative href/src resolved against `page_url`, as a feed reader,
    which shows the post away from its page, needs them."""
    # Every tag _TAG matches holds a candidate, starts at the last "<" before it and holds no
    # other "<" or ">" but its last: the tags found around candidates are those _TAG.sub finds.
    parts: list[str] = []
    done = 0  # the end of the last tag rewritten
    for candidate in _CANDIDATE.finditer(markup):
        start = markup.rfind("<", done, candidate.start())
        if start < 0 or (tag := _TAG.match(markup, start)) is None:
            continue  # in a tag already rewritten, or in text
        parts += (markup[done:start], _rewrite_tag(tag.group(0), page_url))
        done = tag.end()
    if not parts:
        return markup
    parts.append(markup[done:])
    return "".join(parts)
