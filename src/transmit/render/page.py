"""What parsing one page collects in page order (formulas with their file lines, headings
with unique anchors, images) and the core rule that collects it, last of all rules."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from transmit.render.delimiters import formulas_in_html
from transmit.render.fragments import Fragments
from transmit.render.math import Formula
from transmit.render.toc import AnchorRegistry, heading_slug

LineAt = Callable[[int | None], int | None]  # an offset in an inline token -> a source line
_SPAN_IAL = re.compile(r"\{:[^{}\n]*\}")
_AFTER_SPAN = frozenset(
    {"image", "link_close", "em_close", "strong_close", "s_close", "code_inline", "math_inline"}
)
_COLLECTED = frozenset({"math_inline", "image"})
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(slots=True)
class Heading:
    level: int
    id: str
    text: str
    children: list[Token]
    in_toc: bool


@dataclass(slots=True)
class ImageRef:
    token: Token
    line: int | None


@dataclass(slots=True)
class PageState:
    """What parsing one document collects, and what rendering it reads (one per parse)."""

    language: str = "en"
    markdown_escaped: bool = False
    formulas: list[Formula] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    math_html: Sequence[str] = ()
    toc_html: str = ""
    excerpt: bool = False  # rendering for a listing: no ids, no footnote links, no TOC
    fragments: Fragments | None = None  # formulas and code of the post's previous rendering


def plain_text(children: Sequence[Token]) -> str:
    """Visible text of inline tokens; formulas as their TeX, images as their alt text."""
    out: list[str] = []
    for token in children:
        if token.type in ("text", "code_inline", "math_inline", "html_inline"):
            out.append(token.content if token.type != "html_inline" else "")
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "image" and token.children:
            out.append(plain_text(token.children))
    return "".join(out)


def _line_finder(inline: Token) -> LineAt:
    """Maps an offset in the inline token's content to a 1-based line of the parsed source."""
    first = inline.map[0] + 1 if inline.map else None
    breaks: list[int] | None = None

    def line_at(pos: int | None) -> int | None:
        nonlocal breaks
        if first is None:
            return None
        if pos is None:
            return first
        if breaks is None:
            breaks = [m.start() for m in re.finditer("\n", inline.content)]
        return first + bisect.bisect_left(breaks, pos)

    return line_at


def _formula(page: PageState, token: Token, display: bool, line: int | None) -> None:
    tex = token.content
    if page.markdown_escaped:
        tex = _MARKDOWN_ESCAPE.sub(r"\1", tex)
    token.meta["index"] = len(page.formulas)
    page.formulas.append(Formula(tex, display, line))


def _drop_span_ials(children: list[Token]) -> list[Token]:
    """kramdown `{: …}` right after an image, link or emphasis: an attribute list, not text."""
    kept: list[Token] = []
    for token in children:
        if token.type == "text" and kept and kept[-1].type in _AFTER_SPAN:
            match = _SPAN_IAL.match(token.content)
            if match:
                token.content = token.content[match.end() :]
                if not token.content:
                    continue
        kept.append(token)
    return kept


def collect_rule(state: StateCore) -> None:
    """Core rule run last: formulas, headings and images in page order."""
    page: PageState = state.env["transmit"]
    anchors = AnchorRegistry()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type in ("math_block", "math_definitions"):
            _formula(page, token, True, token.map[0] + 1 if token.map else None)
        elif token.type == "html_block":
            _collect_html_formulas(page, token)
        elif token.type == "inline" and token.children:
            if "{:" in token.content:
                token.children = _drop_span_ials(token.children)
            line_at = None
            for child in token.children:
                if child.type in _COLLECTED:
                    line_at = line_at or _line_finder(token)
                    _collect_inline(page, child, line_at)
        elif token.type == "heading_open" and index + 1 < len(tokens):
            children = tokens[index + 1].children or []
            text = plain_text(children).strip()
            wanted = token.meta.get("id") or heading_slug(text)
            anchor = anchors.claim(wanted)
            token.attrSet("id", anchor)
            level = int(token.tag[1])
            page.headings.append(
                Heading(level, anchor, text, children, not token.meta.get("no_toc"))
            )


def _collect_html_formulas(page: PageState, token: Token) -> None:
    spans = formulas_in_html(token.content)
    if not spans:
        return
    line_at = _line_finder(token)
    placed = []
    for span in spans:
        holder = Token("math_inline", "math", 0)
        holder.content = span.tex
        holder.markup = span.markup
        _formula(page, holder, span.display, line_at(span.start))
        placed.append((span.start, span.end, holder))
    token.meta["formulas"] = placed


def _collect_inline(page: PageState, child: Token, line_at: LineAt) -> None:
    if child.type == "math_inline":
        _formula(page, child, bool(child.meta.get("display")), line_at(child.meta.get("pos")))
    elif child.type == "image":
        page.images.append(ImageRef(child, line_at(child.meta.get("pos"))))
        for grandchild in child.children or ():
            if grandchild.type == "math_inline":
                _formula(page, grandchild, False, line_at(child.meta.get("pos")))
