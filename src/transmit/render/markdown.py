"""Markdown to HTML with markdown-it-py; math is lifted out untouched and rendered per page."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from mdit_py_plugins.texmath import texmath_plugin

from transmit.render.math import Formula

_MATH_PLACEHOLDER = "\ue000transmit-math-{}\ue001"
MATH_PLACEHOLDER_RE = re.compile("\ue000transmit-math-(\\d+)\ue001")
_DISPLAY_TOKENS = {"math_block", "math_block_label", "amsmath", "math_block_eqno"}
_INLINE_TOKENS = {"math_inline", "math_inline_double", "math_single"}


def heading_slug(text: str) -> str:
    """An anchor that keeps Chinese: `1. 概述` -> `1-概述`."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s-]+", "-", text).strip("-") or "section"


@dataclass(slots=True)
class MarkdownEnv:
    """What rendering one document collects on the side."""

    formulas: list[Formula] = field(default_factory=list)


def _math_rule(display: bool):  # type: ignore[no-untyped-def]
    def render(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        collected: MarkdownEnv = env["transmit"]
        line = token.map[0] + 1 if token.map else token.meta.get("line")
        is_display = display or token.type == "math_inline_double"
        collected.formulas.append(Formula(token.content, is_display, line))
        placeholder = _MATH_PLACEHOLDER.format(len(collected.formulas) - 1)
        if is_display:
            return f'<div class="math-display">{placeholder}</div>\n'
        return placeholder

    return render


@cache
def markdown_parser(unsafe_html: bool) -> MarkdownIt:
    """One configured parser per process and option set."""
    md = MarkdownIt("commonmark", {"html": unsafe_html, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin)
    md.use(amsmath_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(texmath_plugin, delimiters="brackets")
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_slug)
    for name in _DISPLAY_TOKENS:
        md.add_render_rule(name, _math_rule(True))
    for name in _INLINE_TOKENS:
        md.add_render_rule(name, _math_rule(False))
    return md


def render_markdown(source: str, *, unsafe_html: bool) -> tuple[str, list[Formula]]:
    """HTML with math placeholders, and the formulas in page order."""
    collected = MarkdownEnv()
    env: dict[str, Any] = {"transmit": collected}
    parser = markdown_parser(unsafe_html)
    tokens = parser.parse(source, env)
    _mark_inline_lines(tokens)
    body = parser.renderer.render(tokens, parser.options, env)
    return body, collected.formulas


def _mark_inline_lines(tokens: Sequence[Token]) -> None:
    """Inline tokens carry no line; give each child its block's line plus the breaks before it."""
    for token in tokens:
        if token.type != "inline" or not token.children or not token.map:
            continue
        line = token.map[0] + 1
        for child in token.children:
            child.meta["line"] = line
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.content:
                line += child.content.count("\n")


def fill_math(markup: str, rendered: Sequence[str]) -> str:
    """Put each rendered formula where its placeholder stands."""
    return MATH_PLACEHOLDER_RE.sub(lambda match: rendered[int(match.group(1))], markup)


def escape(text: str) -> str:
    return html.escape(text, quote=True)
