"""Markdown to tokens to HTML with markdown-it-py, configured once per process.

Parsing collects, on the side, what the rest of rendering needs in page order: formulas
(with their file lines), headings (with unique anchors), images. Formulas are rendered
between parsing and HTML output, so the HTML is written once with MathML in place.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from transmit.render.blocks import strict_admonition, structure_rule
from transmit.render.delimiters import (
    formulas_in_html,
    macro_definitions_rule,
    math_block_rule,
    math_inline_rule,
    table_keeping_formulas,
)
from transmit.render.highlight import Highlighter
from transmit.render.math import Formula
from transmit.render.toc import AnchorRegistry, heading_slug

MORE_MARK = re.compile(r"[ \t]*<!--\s*more\s*-->[ \t]*", re.IGNORECASE)
_SPAN_IAL = re.compile(r"\{:[^{}\n]*\}")
_AFTER_SPAN = frozenset(
    {"image", "link_close", "em_close", "strong_close", "s_close", "code_inline", "math_inline"}
)
_NOT_IN_TOC = frozenset({"link_open", "link_close", "footnote_ref", "image", "html_inline"})
_COLLECTED = frozenset({"math_inline", "image"})
_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
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


# ---------------------------------------------------------------- parsing rules


def more_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`<!-- more -->` on its own line: the excerpt ends here; nothing is shown."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    if state.is_code_block(start_line) or not state.src.startswith("<!--", start):
        return False
    if not MORE_MARK.fullmatch(state.src, start, state.eMarks[start_line]):
        return False
    if not silent:
        token = state.push("more_marker", "", 0)
        token.map = [start_line, start_line + 1]
        token.block = True
    state.line = start_line + 1
    return True


def image_with_position(image_rule):  # type: ignore[no-untyped-def]
    """The image rule, noting where each image starts (for warnings naming its line)."""

    def rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        matched: bool = image_rule(state, silent)
        if matched and not silent and state.tokens and state.tokens[-1].type == "image":
            state.tokens[-1].meta["pos"] = start
        return matched

    return rule


def _line_finder(inline: Token):  # type: ignore[no-untyped-def]
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


def _collect_inline(page: PageState, child: Token, line_at) -> None:  # type: ignore[no-untyped-def]
    if child.type == "math_inline":
        _formula(page, child, bool(child.meta.get("display")), line_at(child.meta.get("pos")))
    elif child.type == "image":
        page.images.append(ImageRef(child, line_at(child.meta.get("pos"))))
        for grandchild in child.children or ():
            if grandchild.type == "math_inline":
                _formula(page, grandchild, False, line_at(child.meta.get("pos")))


# ---------------------------------------------------------------- rendering rules


def _page(env: EnvType) -> PageState:
    return env["transmit"]  # type: ignore[no-any-return]


def _math_html(page: PageState, token: Token) -> str:
    index = token.meta.get("index")
    if index is not None and index < len(page.math_html):
        return page.math_html[index]
    source = token.content
    if token.markup in _CLOSERS:
        source = token.markup + source + _CLOSERS[token.markup]
    return f'<code class="math-source">{html.escape(source)}</code>'


def render_math_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return _math_html(_page(env), tokens[idx])


def render_math_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="math-display">{_math_html(_page(env), tokens[idx])}</div>\n'


def render_html_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    placed = token.meta.get("formulas") if token.meta else None
    if not placed:
        return token.content
    page = _page(env)
    out, last = [], 0
    for start, end, holder in placed:
        out.append(token.content[last:start])
        out.append(_math_html(page, holder))
        last = end
    out.append(token.content[last:])
    return "".join(out)


def render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    attrs = dict(token.attrs)
    attrs["alt"] = plain_text(token.children or [])
    parts = [f'{name}="{html.escape(str(value))}"' for name, value in attrs.items()]
    return f"<img {' '.join(parts)}>"


def render_heading_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if _page(env).excerpt or "id" not in token.attrs:
        return f"<{token.tag}>"
    return f'<{token.tag} id="{html.escape(str(token.attrs["id"]))}">'


def render_toc(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    page = _page(env)
    if page.excerpt or not page.toc_html:
        return ""
    return f'<nav class="toc toc-inline">{page.toc_html}</nav>\n'


def render_nothing(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return ""


def render_more(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "" if _page(env).excerpt else '<span id="more"></span>\n'


def render_callout_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    kind = re.sub(r"[^\w-]", "", token.meta["kind"])
    opened = " open" if token.meta["fold"] == "+" else ""
    return f'<{token.tag} class="callout callout-{kind}" data-callout="{kind}"{opened}>\n'


def render_callout_title_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<{tokens[idx].tag} class="callout-title">'


def render_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"</{tokens[idx].tag}>\n"


def render_footnote_ref_for(original):  # type: ignore[no-untyped-def]
    def render(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return "" if _page(env).excerpt else original(tokens, idx, options, env)

    return render


def code_renderers(highlighter: Highlighter):  # type: ignore[no-untyped-def]
    def render_fence(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        return highlighter.render(token.info, token.content, _page(env).language)

    def render_code_block(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return highlighter.render("", tokens[idx].content, _page(env).language)

    return render_fence, render_code_block


@cache
def markdown_parser(unsafe_html: bool) -> MarkdownIt:
    """One configured parser per process and option set (building one costs milliseconds)."""
    md = MarkdownIt("commonmark", {"html": unsafe_html, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin).use(gfm_autolink_plugin)
    md.options["tasklists"] = True
    md.use(admon_plugin)
    admonition = next(rule.fn for rule in md.block.ruler.__rules__ if rule.name == "admonition")
    md.block.ruler.at("admonition", strict_admonition(admonition))
    table_rule = next(rule.fn for rule in md.block.ruler.__rules__ if rule.name == "table")
    md.block.ruler.at("table", table_keeping_formulas(table_rule))
    alt = {"alt": ["paragraph", "reference", "blockquote", "list"]}
    md.block.ruler.before("fence", "math_block", math_block_rule, alt)
    md.block.ruler.before("html_block", "more_marker", more_rule, alt)
    md.block.ruler.before("paragraph", "math_definitions", macro_definitions_rule)
    md.inline.ruler.before("escape", "math_inline", math_inline_rule)
    image_rule = next(rule.fn for rule in md.inline.ruler.__rules__ if rule.name == "image")
    md.inline.ruler.at("image", image_with_position(image_rule))
    md.core.ruler.after("block", "transmit_structure", structure_rule)
    md.core.ruler.push("transmit_collect", collect_rule)

    fence, code_block = code_renderers(Highlighter())
    footnote_ref = md.renderer.rules["footnote_ref"]
    md.add_render_rule("fence", fence)
    md.add_render_rule("code_block", code_block)
    md.add_render_rule("footnote_ref", render_footnote_ref_for(footnote_ref))
    for name, rule in {
        "math_inline": render_math_inline,
        "math_block": render_math_block,
        "image": render_image,
        "html_block": render_html_block,
        "heading_open": render_heading_open,
        "transmit_toc": render_toc,
        "more_marker": render_more,
        "math_definitions": render_nothing,
        "callout_open": render_callout_open,
        "callout_close": render_close,
        "callout_title_open": render_callout_title_open,
        "callout_title_close": render_close,
    }.items():
        md.add_render_rule(name, rule)
    return md


@dataclass(slots=True)
class ParsedDocument:
    tokens: list[Token]
    page: PageState
    env: dict[str, Any]
    unsafe_html: bool

    def render(
        self,
        tokens: Sequence[Token] | None = None,
        *,
        excerpt: bool = False,
        math_html: Sequence[str] | None = None,
    ) -> str:
        """HTML of the document (or of some of its block tokens), formulas in place."""
        md = markdown_parser(self.unsafe_html)
        saved = self.page.math_html
        self.page.excerpt = excerpt
        if math_html is not None:
            self.page.math_html = math_html
        try:
            chosen = self.tokens if tokens is None else tokens
            return md.renderer.render(chosen, md.options, self.env)
        finally:
            self.page.excerpt = False
            self.page.math_html = saved

    def render_heading(self, heading: Heading) -> str:
        """A heading's inline HTML for the table of contents: links and notes unwrapped."""
        md = markdown_parser(self.unsafe_html)
        children = [t for t in heading.children if t.type not in _NOT_IN_TOC]
        return md.renderer.renderInline(children, md.options, self.env).strip()

    def math_html_for(self, token: Token) -> str:
        return _math_html(self.page, token)


def parse(
    source: str, *, unsafe_html: bool, language: str = "en", markdown_escaped: bool = False
) -> ParsedDocument:
    """Tokens of one document and what was collected while parsing it."""
    page = PageState(language=language, markdown_escaped=markdown_escaped)
    env: dict[str, Any] = {"transmit": page, "transmit_language": language}
    tokens = markdown_parser(unsafe_html).parse(source, env)
    return ParsedDocument(tokens, page, env, unsafe_html)
