"""Heading anchors (Chinese kept, unique on the page, stable across builds) and the table of
contents built from them."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

TOC_LEVELS = (2, 3, 4)
MIN_TOC_ENTRIES = 2  # a single heading needs no contents list
_NOT_SLUG = re.compile(r"[^\w\s-]")
_SEPARATORS = re.compile(r"[\s-]+")


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One heading as the table of contents lists it."""

    level: int
    id: str
    text: str  # plain text; formulas as their TeX
    html: str = ""  # the heading's inline HTML (formulas rendered, links unwrapped)


def heading_slug(text: str) -> str:
    """An anchor that keeps Chinese: `1. 概述` -> `1-概述`, `Self-Attention` -> `self-attention`."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = _NOT_SLUG.sub("", text)
    return _SEPARATORS.sub("-", text).strip("-") or "section"


class AnchorRegistry:
    """The ids given out on one page: a repeated heading becomes `概述`, `概述-1`, `概述-2`."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def claim(self, wanted: str) -> str:
        if wanted not in self._used:
            self._used[wanted] = 0
            return wanted
        number = self._used[wanted]
        while True:
            number += 1
            candidate = f"{wanted}-{number}"
            if candidate not in self._used:
                self._used[wanted] = number
                self._used[candidate] = 0
                return candidate


def toc_html(entries: Sequence[TocEntry]) -> str:
    """Nested `<ul>` lists of links; a deeper heading nests under the one before it."""
    if not entries:
        return ""
    out: list[str] = []
    stack: list[int] = []  # the heading level each open <ul> holds
    for entry in entries:
        if not stack:
            out.append('<ul class="toc-list">')
            stack.append(entry.level)
        elif entry.level > stack[-1]:
            out.append("<ul>")  # inside the <li> still open
            stack.append(entry.level)
        else:
            while len(stack) > 1 and entry.level < stack[-1] and entry.level <= stack[-2]:
                out.append("</li></ul>")
                stack.pop()
            out.append("</li>")
            stack[-1] = min(stack[-1], entry.level)
        label = entry.html or html.escape(entry.text)
        out.append(f'<li><a href="#{html.escape(entry.id)}">{label}</a>')
    out.extend("</li></ul>" for _ in stack)
    return "".join(out)
