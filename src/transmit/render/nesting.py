"""Text nested deeper than the parser descends still reaches the page.

markdown-it's block tokenizer stops at `maxNesting` levels and skips the rest of the
container: the author's words below that depth would vanish from the page, the excerpt and
the search text. Here the parser descends `BLOCK_DEPTH` levels (markdown-it's own default
preset allows 100); below that, `deep_text_rule` takes the container's remaining lines as
plain paragraphs of the author's characters, escaped and not parsed further, so no deeper
recursion happens and no markup is left open.

Measured (Python 3.11, default recursion limit 1000, frames above `render_post`): a
blockquote level costs two frames, an admonition three, a link three, an image in an
image's alt text four. Unbounded, rendering fails with RecursionError at 494 nested
blockquotes, 330 nested links, 247 nested images. With these limits the deepest render
of any input measured is 428 frames (images), 323 (links), 313 (admonitions), 213
(blockquotes), leaving more than half the stack to the callers.
"""

from __future__ import annotations

from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

BLOCK_DEPTH = 100
# markdown-it's own limit (blocks and inline): a container opens at most two levels before
# descending, so the block limit is never reached by markdown-it itself; inline nesting
# deeper than this stays literal text (markdown-it's behaviour, nothing lost).
MAX_NESTING = BLOCK_DEPTH + 4
DEEP_TEXT = "transmit_deep_text"


def deep_text_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """First block rule: at `BLOCK_DEPTH`, the rest of this container as plain paragraphs."""
    if silent or state.level < BLOCK_DEPTH:
        return False
    lines: list[str] = []
    first = line = start_line
    while line < end_line:
        if state.isEmpty(line):
            _push_text(state, lines, first, line)
            lines = []
        elif 0 <= state.sCount[line] < state.blkIndent:
            break  # the container ends here (a blockquote marks lazy lines with -1: kept)
        else:
            if not lines:
                first = line
            lines.append(state.getLines(line, line + 1, state.blkIndent, False).strip(" \t"))
        line += 1
    _push_text(state, lines, first, line)
    state.line = line
    return True


def _push_text(state: StateBlock, lines: list[str], first: int, end: int) -> None:
    if lines:
        token = state.push(DEEP_TEXT, "", 0)
        token.content = "\n".join(lines)
        token.map = [first, end]
        token.block = True


def expand_deep_text(state: StateCore) -> None:
    """Core rule after inline parsing: each deep text block becomes a paragraph whose inline
    children are the lines as text (so excerpts and search text read it like any other)."""
    if not any(token.type == DEEP_TEXT for token in state.tokens):
        return
    out: list[Token] = []
    for token in state.tokens:
        if token.type != DEEP_TEXT:
            out.append(token)
            continue
        opening = Token("paragraph_open", "p", 1, map=token.map, level=token.level, block=True)
        inline = Token("inline", "", 0, map=token.map, level=token.level + 1, block=True)
        inline.content = token.content
        inline.children = []
        for index, text in enumerate(token.content.split("\n")):
            if index:
                inline.children.append(Token("softbreak", "br", 0))
            inline.children.append(Token("text", "", 0, content=text))
        closing = Token("paragraph_close", "p", -1, level=token.level, block=True)
        out.extend((opening, inline, closing))
    state.tokens = out
