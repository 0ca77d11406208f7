"""What scrolls sideways in a post can be reached by keyboard.

Code blocks and tables may be wider than a phone; a region that scrolls must take focus, or a
keyboard user cannot read its end. Tables get a scrolling wrapper so the table itself keeps its
semantics. Nothing else in the markup changes.

The renderer writes its own code blocks and tables so (`FOCUSABLE`, `TABLE_WRAPPER`) and runs
`prepare_body` over raw HTML only: scanning a whole post's markup, dense with MathML tags, for
`<pre` and `<table` took a sixth of the time of making its page."""

from __future__ import annotations

import re

_PRE = re.compile(r"<pre(?=[\s>])([^>]*)>", re.IGNORECASE)
_TABLE_OPEN = re.compile(r"<table(?=[\s>])", re.IGNORECASE)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)
_HAS_TABINDEX = re.compile(r"\stabindex\s*=", re.IGNORECASE)
FOCUSABLE = ' tabindex="0"'
TABLE_WRAPPER = f'<div class="table-scroll"{FOCUSABLE}>'
TABLE_WRAPPER_END = "</div>"


def _focusable_pre(match: re.Match[str]) -> str:
    attributes = match.group(1)
    if _HAS_TABINDEX.search(attributes):
        return match.group(0)
    return f"<pre{attributes}{FOCUSABLE}>"


def prepare_body(markup: str) -> str:
    """`markup` with focusable code blocks and tables wrapped in a focusable scroller (once:
    markup that holds a wrapped table already is left as it is)."""
    markup = _PRE.sub(_focusable_pre, markup)
    if TABLE_WRAPPER not in markup:
        markup = _TABLE_OPEN.sub(TABLE_WRAPPER + "<table", markup)
        markup = _TABLE_CLOSE.sub("</table>" + TABLE_WRAPPER_END, markup)
    return markup
