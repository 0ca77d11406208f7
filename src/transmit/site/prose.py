"""A post's rendered HTML made ready for the page: what scrolls sideways can be reached by keyboard.

Code blocks and tables may be wider than a phone; a region that scrolls must take focus, or a
keyboard user cannot read its end. Tables get a scrolling wrapper so the table itself keeps its
semantics. Nothing else in the markup changes."""

from __future__ import annotations

import re

_PRE = re.compile(r"<pre(?=[\s>])([^>]*)>", re.IGNORECASE)
_TABLE_OPEN = re.compile(r"<table(?=[\s>])", re.IGNORECASE)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)
_HAS_TABINDEX = re.compile(r"\stabindex\s*=", re.IGNORECASE)
TABLE_WRAPPER = '<div class="table-scroll" tabindex="0">'


def _focusable_pre(match: re.Match[str]) -> str:
    attributes = match.group(1)
    if _HAS_TABINDEX.search(attributes):
        return match.group(0)
    return f'<pre{attributes} tabindex="0">'


def prepare_body(markup: str) -> str:
    """`markup` with focusable code blocks and tables wrapped in a focusable scroller."""
    if "<pre" in markup or "<PRE" in markup:
        markup = _PRE.sub(_focusable_pre, markup)
    if ("<table" in markup or "<TABLE" in markup) and TABLE_WRAPPER not in markup:
        markup = _TABLE_OPEN.sub(TABLE_WRAPPER + "<table", markup)
        markup = _TABLE_CLOSE.sub("</table></div>", markup)
    return markup
