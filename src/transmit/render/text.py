"""Plain text of rendered HTML: for excerpts, search records, word counts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = {"pre", "table", "figure", "script", "style", "math", "sup", "svg", "button"}
_BLOCKS = {
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "dd",
    "dt",
    "br",
    "tr",
    "section",
    "ol",
    "ul",
    "hr",
}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")


class _TextCollector(HTMLParser):
    def __init__(self, skip: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = skip
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.skip:
            self.depth += 1
        elif tag in _BLOCKS and not self.depth:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skip:
            self.depth = max(0, self.depth - 1)
        elif tag in _BLOCKS and not self.depth:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def html_to_text(markup: str, *, skip: set[str] | None = None) -> str:
    """Visible prose of `markup`, block by block; code, tables and formulas left out by default."""
    collector = _TextCollector(_SKIPPED if skip is None else skip)
    collector.feed(markup)
    collector.close()
    lines = (
        re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(collector.parts).split("\n")
    )
    return "\n".join(line for line in lines if line)


def count_words(text: str) -> int:
    """Chinese counts by character, other languages by word."""
    return len(_CJK.findall(text)) + len(_WORD.findall(_CJK.sub(" ", text)))


def reading_minutes(text: str) -> int:
    """About 400 Chinese characters or 220 English words a minute, at least one minute."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    return max(1, round(cjk / 400 + words / 220))
