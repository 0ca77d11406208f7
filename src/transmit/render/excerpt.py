"""The excerpt a listing shows when the writer marked none: the first `limit` characters of
the post's prose, taken from the token stream so every kept character is the author's.

A Chinese character counts one; English is cut at a word boundary; a formula is never cut
and is shown rendered; code blocks, tables, images and footnotes are left out; headings
keep their text but not their markup; `…` marks a cut. The result is balanced HTML.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from transmit.html_reader import HTMLReader
from transmit.render.markdown import ParsedDocument, markdown_parser

ELLIPSIS = "…"
_PROSE_PARENTS = frozenset({"paragraph_open", "heading_open", "dt_open"})
_SKIPPED_BLOCKS = frozenset({"table_open", "footnote_block_open"})
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+|\\.")
_TEX_SILENT = re.compile(r"[\s{}^_&]")
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Excerpt:
    html: str
    truncated: bool  # the post has more prose than the excerpt shows


def more_index(tokens: Sequence[Token]) -> int | None:
    """Index of the first top-level `<!-- more -->` marker."""
    for index, token in enumerate(tokens):
        if token.type == "more_marker" and token.level == 0:
            return index
    return None


class _TagBalance(HTMLReader):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.broken = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.broken = True


def balanced_html(markup: str) -> bool:
    """Whether raw HTML closes every element it opens (void elements aside)."""
    checker = _TagBalance()
    checker.feed(markup)
    checker.close()
    return not checker.broken and not checker.open


def head_tokens(tokens: Sequence[Token], more: int) -> list[Token]:
    """The blocks above `<!-- more -->`, without raw HTML that opens what only closes below:
    an unbalanced HTML block is left out, a paragraph's unbalanced inline tags (its text stays)."""
    head: list[Token] = []
    for token in tokens[:more]:
        if token.type == "html_block" and not balanced_html(token.content):
            continue
        head.append(_balanced_inline(token) if token.type == "inline" else token)
    return head


def _balanced_inline(inline: Token) -> Token:
    children = inline.children or []
    tags = "".join(child.content for child in children if child.type == "html_inline")
    if not tags or balanced_html(tags):
        return inline
    return inline.copy(children=[child for child in children if child.type != "html_inline"])


def formula_weight(tex: str) -> int:
    """Roughly how many characters a formula shows: `x_1 + y_1` -> 5, `\\alpha` -> 1."""
    return max(1, len(_TEX_SILENT.sub("", _TEX_COMMAND.sub("#", tex))))


def _is_word_char(char: str) -> bool:
    """Part of a run that must not be split: not a space, not a CJK (wide) character."""
    return not char.isspace() and unicodedata.east_asian_width(char) not in ("W", "F")


def cut_point(text: str, limit: int, may_be_empty: bool) -> int:
    """Where to cut `text` near `limit`: never inside an English word (nor `anchor-free`)."""
    cut = limit
    if 0 < cut < len(text) and _is_word_char(text[cut - 1]) and _is_word_char(text[cut]):
        back = cut
        while back > 0 and _is_word_char(text[back - 1]):
            back -= 1
        if back > 0 or may_be_empty:
            return back
        while cut < len(text) and _is_word_char(text[cut]):
            cut += 1
    return cut


def _has_visible(children: Sequence[Token]) -> bool:
    return any(
        (child.type == "text" and child.content.strip())
        or child.type in ("code_inline", "math_inline")
        for child in children
    )


@dataclass(slots=True)
class _Cutter:
    document: ParsedDocument
    left: int
    blocks: list[str] = field(default_factory=list)
    truncated: bool = False
    full: bool = False  # no budget left: the next visible thing means a cut

    def _stop_if_full(self, visible: bool) -> bool:
        if self.full and visible:
            self.truncated = True
        return self.full

    def add_display(self, token: Token) -> None:
        if self._stop_if_full(True):
            return
        math = self.document.math_html_for(token)
        self.blocks.append(f'<div class="math-display">{math}</div>')
        self.left -= formula_weight(token.content)
        self.full = self.left <= 0

    def add_inline(self, inline: Token) -> None:
        children = inline.children or []
        if self._stop_if_full(_has_visible(children)):
            return
        md = markdown_parser(self.document.unsafe_html)
        parts: list[str] = []
        open_tags: list[str] = []
        for index, child in enumerate(children):
            kind = child.type
            if self.left <= 0:
                if _has_visible(children[index:]):
                    self.truncated = True
                break
            if kind == "text":
                text = child.content
                if len(text) <= self.left:
                    parts.append(html.escape(text, quote=False))
                    self.left -= len(text)
                    continue
                empty = not self.blocks and not "".join(parts).strip()
                cut = cut_point(text, self.left, may_be_empty=not empty)
                parts.append(html.escape(text[:cut].rstrip(), quote=False))
                self.left = 0
                self.truncated = True
                break
            if kind in ("softbreak", "hardbreak"):
                parts.append("\n")
                self.left -= 1
            elif kind == "code_inline":
                parts.append(f"<code>{html.escape(child.content, quote=False)}</code>")
                self.left -= len(child.content)
            elif kind == "math_inline":
                parts.append(self.document.math_html_for(child))
                self.left -= formula_weight(child.content)
            elif kind == "html_inline":
                if _BREAK_TAG.fullmatch(child.content.strip()):
                    parts.append("\n")
            elif kind in ("image", "footnote_ref"):
                continue
            elif child.nesting == 1:
                parts.append(md.renderer.renderToken(children, index, md.options, {}))
                open_tags.append(child.tag)
            elif child.nesting == -1:
                if open_tags:
                    open_tags.pop()
                parts.append(md.renderer.renderToken(children, index, md.options, {}))
            elif child.content:
                parts.append(html.escape(child.content, quote=False))
                self.left -= len(child.content)
        inner = "".join(parts).strip() + "".join(f"</{tag}>" for tag in reversed(open_tags))
        if inner:
            self.blocks.append(f"<p>{inner}</p>")
        self.full = self.left <= 0

    def result(self) -> Excerpt:
        blocks = list(self.blocks)
        if self.truncated:
            if blocks and blocks[-1].endswith("</p>"):
                blocks[-1] = blocks[-1][: -len("</p>")] + ELLIPSIS + "</p>"
            else:
                blocks.append(f"<p>{ELLIPSIS}</p>")
        return Excerpt("\n".join(blocks), self.truncated)


def _closing_index(tokens: Sequence[Token], index: int) -> int:
    opener = tokens[index]
    closer = opener.type.replace("_open", "_close")
    for position in range(index + 1, len(tokens)):
        if tokens[position].type == closer and tokens[position].level == opener.level:
            return position
    return len(tokens) - 1


def cut_excerpt(document: ParsedDocument, limit: int) -> Excerpt:
    """The first `limit` characters of the document's prose as HTML paragraphs."""
    cutter = _Cutter(document, limit)
    tokens = document.tokens
    index = 0
    while index < len(tokens) and not (cutter.full and cutter.truncated):
        token = tokens[index]
        if token.type in _SKIPPED_BLOCKS:
            index = _closing_index(tokens, index)
        elif token.type == "inline" and index and tokens[index - 1].type in _PROSE_PARENTS:
            cutter.add_inline(token)
        elif token.type == "math_block":
            cutter.add_display(token)
        index += 1
    return cutter.result()
