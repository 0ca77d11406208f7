"""A post's table of contents, read from the headings of its rendered HTML.

Used when the renderer gives no `toc_html` of its own. Heading text keeps its markup (a formula
in a heading stays a formula) minus what cannot sit inside a link: other links, footnote marks
and ids, which must stay unique on the page."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_HEADING = re.compile(
    r"<h([1-6])\b[^>]*?\sid=\"([^\"]+)\"[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL
)
_FOOTNOTE_REF = re.compile(r"<sup class=\"footnote-ref\">.*?</sup>", re.DOTALL)
_LINK_TAG = re.compile(r"</?a\b[^>]*>", re.IGNORECASE)
_ID_ATTRIBUTE = re.compile(r"\s(?:id|tabindex)=\"[^\"]*\"")
MAX_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    anchor: str  # the id, as it appears in the HTML (already escaped)
    html: str  # the heading's content, safe to put inside a link


@dataclass(frozen=True, slots=True)
class TocItem:
    heading: Heading
    children: tuple[TocItem, ...] = ()


def headings(markup: str) -> list[Heading]:
    found = []
    for match in _HEADING.finditer(markup):
        inner = _FOOTNOTE_REF.sub("", match.group(3))
        inner = _ID_ATTRIBUTE.sub("", _LINK_TAG.sub("", inner)).strip()
        found.append(Heading(int(match.group(1)), match.group(2), inner))
    return found


def toc_tree(found: Sequence[Heading], max_depth: int = MAX_DEPTH) -> tuple[TocItem, ...]:
    """Headings nested by level, counting from the highest level present; deeper ones dropped."""
    if not found:
        return ()
    top = min(heading.level for heading in found)
    kept = [heading for heading in found if heading.level < top + max_depth]

    def nest(start: int, end: int) -> tuple[TocItem, ...]:
        items = []
        index = start
        while index < end:
            heading = kept[index]
            stop = index + 1
            while stop < end and kept[stop].level > heading.level:
                stop += 1
            items.append(TocItem(heading, nest(index + 1, stop)))
            index = stop
        return tuple(items)

    return nest(0, len(kept))


def toc_for(markup: str) -> tuple[TocItem, ...]:
    return toc_tree(headings(markup))
