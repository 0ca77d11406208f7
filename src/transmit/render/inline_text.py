"""Plain text, found without trying every inline rule on it.

markdown-it ends a run of plain text at any character some inline rule *might* start at, its
own and its plugins' ("-", "%", ">", "+", "=", every "w" and ":", ...), then tries all of the
parser's seventeen inline rules there, in vain for the rules this parser does not have; notes
are full of such characters. Here text ends only where a rule of this parser can match, and
inline content with no such place at all (two table cells in three, most headings and list
items) becomes its one text token at once. Parsing the 1,000 posts of the benchmark went from
1.9 to 1.6 s. The tokens are the same either way (tests/render/test_fast_paths.py compares
them).
"""

from __future__ import annotations

import re

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# The characters at which an inline rule of this parser can match: newline, math ($ and \),
# escape, code, strikethrough, emphasis, links, images and footnotes (] ends a link's text),
# autolinks and HTML (<), entities (&); and the GFM autolinks' own triggers: "www." and
# "@", and ":" right after the schemes they know.
TEXT_STOPS = re.compile(r"[\n!$&*<@\[\\\]^_`~]|www\.|(?<=http|xmpp):|(?<=https):|(?<=mailto):")


def inline_rule(state: StateCore) -> None:
    """markdown-it's core `inline` rule, with plain content made one text token directly (the
    token the inline parser would have made of it)."""
    md = state.md
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        content = token.content
        if content and TEXT_STOPS.search(content) is None:
            token.children.append(Token("text", "", 0, content=content))
        else:
            md.inline.parse(content, md, state.env, token.children)
