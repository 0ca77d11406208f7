"""Emphasis that works in Chinese: `**注意：**后文` and `这是**“引号”**后` are bold.

CommonMark decides whether `*` or `_` can open or close by the characters beside the run;
a CJK punctuation mark beside a CJK letter (no space between, as Chinese is written) makes
the run neither open nor close, so the asterisks would show. Following the CJK-friendly
amendment to CommonMark, a run beside a CJK character counts as flanking on that side.
"""

from __future__ import annotations

import unicodedata

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter, StateInline


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def flanking(before: str, after: str) -> tuple[bool, bool]:
    """(left-flanking, right-flanking) of a delimiter run between `before` and `after`."""
    before_space = isWhiteSpace(ord(before))
    after_space = isWhiteSpace(ord(after))
    before_punct = isMdAsciiPunct(ord(before)) or isPunctChar(before)
    after_punct = isMdAsciiPunct(ord(after)) or isPunctChar(after)
    left = not after_space and (not after_punct or before_space or before_punct or _is_cjk(before))
    right = not before_space and (not before_punct or after_space or after_punct or _is_cjk(after))
    return left, right


def emphasis_rule(state: StateInline, silent: bool) -> bool:
    """Push each `*`/`_` of a run as text and note it as a delimiter (like CommonMark's rule)."""
    start = state.pos
    marker = state.src[start]
    if silent or marker not in ("_", "*"):
        return False
    end = start
    while end < state.posMax and state.src[end] == marker:
        end += 1
    before = state.src[start - 1] if start > 0 else " "
    after = state.src[end] if end < state.posMax else " "
    left, right = flanking(before, after)
    if marker == "*":
        can_open, can_close = left, right
    else:  # `_` inside a word is a letter (snake_case), unless beside CJK
        before_punct = isMdAsciiPunct(ord(before)) or isPunctChar(before) or _is_cjk(before)
        after_punct = isMdAsciiPunct(ord(after)) or isPunctChar(after) or _is_cjk(after)
        can_open = left and (not right or before_punct)
        can_close = right and (not left or after_punct)
    length = end - start
    for _ in range(length):
        token = state.push("text", "", 0)
        token.content = marker
        state.delimiters.append(
            Delimiter(
                marker=ord(marker),
                length=length,
                token=len(state.tokens) - 1,
                end=-1,
                open=can_open,
                close=can_close,
            )
        )
    state.pos = end
    return True
