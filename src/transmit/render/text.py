"""Plain text of a post: for search records, word counts and reading time."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from transmit.html_reader import HTMLReader

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
_CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]"
)
_CJK_RUN = re.compile(_CJK.pattern + "+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")


class _TextCollector(HTMLReader):
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


_CJK_BREAK = re.compile(f"(?<={_CJK.pattern})\x00(?={_CJK.pattern})")


def _inline_text(children: Sequence[Token]) -> str:
    out: list[str] = []
    for token in children:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\x00")
    # a line break inside Chinese prose is no space between words
    return _CJK_BREAK.sub("", "".join(out)).replace("\x00", " ")


def prose_and_search_text(tokens: Sequence[Token]) -> tuple[str, str]:
    """Visible prose, one block a line (code, tables, formulas and images left out), and what
    search indexes: the same with code and table cells, words readers look for. One pass."""
    prose: list[str] = []
    search: list[str] = []
    depth = 0  # inside a table
    for token in tokens:
        line = None
        if token.type == "table_open":
            depth += 1
        elif token.type == "table_close":
            depth -= 1
        elif token.type == "inline" and token.children:
            line = _inline_text(token.children)
        elif token.type == "html_block":
            line = html_to_text(token.content)
        elif token.type in ("fence", "code_block"):
            search.append(token.content)
            continue
        if line is not None:
            search.append(line)
            if not depth:
                prose.append(line)
    return _joined(prose), _joined(search)


def _joined(lines: list[str]) -> str:
    """The lines with each run of whitespace one space (`str.split` and the regex `\\s` know the
    same whitespace), empty ones left out."""
    cleaned = (" ".join(line.split()) for line in lines)
    return "\n".join(line for line in cleaned if line)


def text_figures(text: str) -> tuple[int, int]:
    """Word count and reading minutes, from one count: Chinese by character, other languages by
    word; about 400 Chinese characters or 220 English words a minute, at least one minute."""
    cjk = sum(map(len, _CJK_RUN.findall(text)))
    words = len(_WORD.findall(text))  # a word is ASCII: a Chinese character ends one
    return cjk + words, max(1, round(cjk / 400 + words / 220))
