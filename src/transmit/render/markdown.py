"""Markdown to tokens to HTML with markdown-it-py, configured once per process.

Parsing collects, on the side, what the rest of rendering needs in page order (page.py).
Formulas are rendered between parsing and HTML output, so the HTML is written once with
MathML in place (html_rules.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from transmit.render import html_rules
from transmit.render.block_starts import BlockStarts
from transmit.render.blocks import strict_admonition, structure_rule
from transmit.render.delimiters import BlockRule, math_inline_rule, table_keeping_formulas
from transmit.render.display import macro_definitions_rule, math_block_rule
from transmit.render.emphasis import emphasis_rule
from transmit.render.highlight import Highlighter
from transmit.render.inline_text import TEXT_STOPS, inline_rule
from transmit.render.nesting import MAX_NESTING, deep_text_rule, expand_deep_text
from transmit.render.page import Heading, PageState, collect_rule

MORE_MARK = re.compile(r"[ \t]*<!--\s*more\s*-->[ \t]*", re.IGNORECASE)
InlineRule = Callable[[StateInline, bool], bool]
_NOT_IN_TOC = frozenset({"link_open", "link_close", "footnote_ref", "image", "html_inline"})


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


def image_with_position(image_rule: InlineRule) -> InlineRule:
    """The image rule, noting where each image starts (for warnings naming its line)."""

    def rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        matched = image_rule(state, silent)
        if matched and not silent and state.tokens and state.tokens[-1].type == "image":
            state.tokens[-1].meta["pos"] = start
        return matched

    return rule


def _wrap_block_rule(md: MarkdownIt, name: str, wrap: Callable[[BlockRule], BlockRule]) -> None:
    """Replace a block rule with `wrap` of it, keeping the blocks it may interrupt (a table or
    an admonition right after a line of text, as markdown-it and its plugin have them)."""
    rule = next(rule for rule in md.block.ruler.__rules__ if rule.name == name)
    md.block.ruler.at(name, wrap(rule.fn), {"alt": list(rule.alt)})


@cache
def markdown_parser(unsafe_html: bool) -> MarkdownIt:
    """One configured parser per process and option set (building one costs milliseconds)."""
    md = MarkdownIt("commonmark", {"html": unsafe_html, "linkify": False, "typographer": False})
    md.options["maxNesting"] = MAX_NESTING
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin).use(gfm_autolink_plugin)
    md.options["tasklists"] = True
    md.use(admon_plugin)
    _wrap_block_rule(md, "admonition", strict_admonition)
    _wrap_block_rule(md, "table", table_keeping_formulas)
    alt = {"alt": ["paragraph", "reference", "blockquote", "list"]}
    md.block.ruler.before("fence", "math_block", math_block_rule, alt)
    md.block.ruler.before("html_block", "more_marker", more_rule, alt)
    md.block.ruler.before("paragraph", "math_definitions", macro_definitions_rule)
    md.inline.ruler.before("escape", "math_inline", math_inline_rule)
    md.inline.ruler.at("emphasis", emphasis_rule)
    image_rule = next(rule.fn for rule in md.inline.ruler.__rules__ if rule.name == "image")
    md.inline.ruler.at("image", image_with_position(image_rule))
    md.block.ruler.before(md.block.ruler.__rules__[0].name, "deep_text", deep_text_rule)
    md.core.ruler.after("block", "transmit_structure", structure_rule)
    md.core.ruler.after("inline", "deep_text", expand_deep_text)
    md.core.ruler.push("transmit_collect", collect_rule)
    md.inline.terminator_re = TEXT_STOPS
    md.core.ruler.at("inline", inline_rule)
    BlockStarts(md).install()

    html_rules.install(md, Highlighter())
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
        return html_rules.formula_html(self.page, token)


def parse(
    source: str, *, unsafe_html: bool, language: str = "en", markdown_escaped: bool = False
) -> ParsedDocument:
    """Tokens of one document and what was collected while parsing it."""
    page = PageState(language=language, markdown_escaped=markdown_escaped)
    env: dict[str, Any] = {"transmit": page, "transmit_language": language}
    tokens = markdown_parser(unsafe_html).parse(source, env)
    return ParsedDocument(tokens, page, env, unsafe_html)
