r"""Where formulas start and end in a line of Markdown: the TeX between the delimiters is taken
verbatim, so Markdown (emphasis, escapes, entities) never looks inside.

Inline: `$…$` (Pandoc's rule, so currency stays text), `$$…$$` inside a sentence (kramdown's
inline meaning), `\(…\)`, `\[…\]`, `\begin{env}…\end{env}` and MathJax's bare `\eqref{}`.
Also here: table rows split around formulas, and formulas in raw HTML blocks. Display blocks
are in `display.py`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# Environments that MathJax and KaTeX treat as display math when they stand alone.
ENVIRONMENTS = frozenset(
    {
        "equation",
        "align",
        "alignat",
        "flalign",
        "gather",
        "multline",
        "eqnarray",
        "aligned",
        "alignedat",
        "gathered",
        "split",
        "cases",
        "rcases",
        "dcases",
        "array",
        "matrix",
        "pmatrix",
        "bmatrix",
        "Bmatrix",
        "vmatrix",
        "Vmatrix",
        "smallmatrix",
        "CD",
    }
)
# `\*` is the star as Markdown-escaping writers type it (`\begin{align\*}`)
BEGIN_ENVIRONMENT = re.compile(r"\\begin\{([A-Za-z]+)(\*|\\\*)?\}")
_REFERENCE = re.compile(r"\\(?:eqref|ref)\{[^{}\s]+\}")
_TEX_SIGN = re.compile(r"[\\^_=+{}<>|]")
_MASK = "\ue002"  # stands for a `|` inside a formula while a table row is split into cells
_DELIMITER_ROW = re.compile(r"[ \t]*[|:-][|: \t-]*")
_CJK_OR_CLOSING_PUNCT = re.compile(
    r"[.,;:!?)\]'\"\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
)


@dataclass(frozen=True, slots=True)
class MathSpan:
    """A formula found in a line of text: `tex` is exactly what stood between the delimiters."""

    start: int
    end: int  # just past the closing delimiter
    tex: str
    display: bool
    markup: str  # the opening delimiter


def find_unescaped(src: str, needle: str, start: int, stop: int) -> int:
    """First `needle` in src[start:stop] not preceded by an odd run of backslashes, or -1."""
    pos = start
    while True:
        found = src.find(needle, pos, stop)
        if found < 0:
            return -1
        slashes = 0
        back = found - 1
        while back >= start and src[back] == "\\":
            slashes += 1
            back -= 1
        if slashes % 2 == 0:
            return found
        pos = found + 1


def close_paren(src: str, start: int, stop: int, closer: str) -> int:
    """Index of the `\\)` or `\\]` closing a formula opened before `start`, or -1."""
    pos = start
    while pos < stop - 1:
        if src[pos] == "\\":
            if src[pos + 1] == closer:
                return pos
            pos += 2
        else:
            pos += 1
    return -1


@functools.cache
def environment_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"\\(begin|end)\{" + re.escape(name) + r"(?:\*|\\\*)?\}")


def _end_of_environment(src: str, start: int, stop: int, name: str) -> int:
    r"""Index just past the `\end{name}` that closes the `\begin{name}` before `start`, or -1."""
    depth = 1
    for match in environment_pattern(name).finditer(src, start, stop):
        depth += 1 if match.group(1) == "begin" else -1
        if depth == 0:
            return match.end()
    return -1


def _dollar_closes(src: str, start: int, close: int, stop: int) -> bool:
    """Pandoc's closing `$`: not followed by a digit; after a space only before a clear end.

    The second half accepts `$x $` (MathJax writers type it) while `$5 and $10`, `${A} ${B}`
    and `'{print $1 " " $4}'` stay text.
    """
    after = src[close + 1] if close + 1 < stop else ""
    if after.isascii() and after.isdigit():
        return False
    if not src[close - 1].isspace():
        return True
    if src[start].isdigit() and not _TEX_SIGN.search(src, start, close):
        return False  # `$5 or $ 10`: money, not a formula with a sloppy space
    return after == "" or after.isspace() or _CJK_OR_CLOSING_PUNCT.match(after) is not None


def scan_math(src: str, pos: int, stop: int | None = None) -> MathSpan | None:
    """The formula opening at `pos` in `src` (up to `stop`), or None if none opens there."""
    stop = len(src) if stop is None else stop
    char = src[pos] if pos < stop else ""
    if char == "$":
        if src.startswith("$$", pos, stop):
            close = find_unescaped(src, "$$", pos + 2, stop)
            if close < 0 or not src[pos + 2 : close].strip():
                return None
            return MathSpan(pos, close + 2, src[pos + 2 : close], False, "$$")
        if pos + 1 >= stop or src[pos + 1].isspace():
            return None
        close = find_unescaped(src, "$", pos + 1, stop)
        if close < 0 or not _dollar_closes(src, pos + 1, close, stop):
            return None
        return MathSpan(pos, close + 1, src[pos + 1 : close], False, "$")
    if char != "\\" or pos + 1 >= stop:
        return None
    opener = src[pos + 1]
    if opener in "([":
        closer = ")" if opener == "(" else "]"
        close = close_paren(src, pos + 2, stop, closer)
        if close < 0 or not src[pos + 2 : close].strip():
            return None
        if opener == "[" and not _TEX_SIGN.search(src, pos + 2, close):
            return None  # `\[1\]`, `\[TOC\]`: brackets escaped for Markdown, not a formula
        return MathSpan(pos, close + 2, src[pos + 2 : close], opener == "[", "\\" + opener)
    if opener in "er" and (match := _REFERENCE.match(src, pos, stop)):
        return MathSpan(pos, match.end(), match[0], False, "")  # MathJax's processRefs
    if (
        opener == "b"
        and (match := BEGIN_ENVIRONMENT.match(src, pos, stop))
        and match[1] in ENVIRONMENTS
    ):
        end = _end_of_environment(src, match.end(), stop, match[1])
        if end < 0:
            return None
        return MathSpan(pos, end, src[pos:end], True, "\\begin")
    return None


def math_inline_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule placed before `escape`, so `\\(` and `\\[` are seen before they unescape."""
    if state.src[state.pos] not in "$\\":
        return False
    span = scan_math(state.src, state.pos, state.posMax)
    if span is None:
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = span.tex
        token.markup = span.markup
        token.meta = {"display": span.display, "pos": span.start}
    state.pos = span.end
    return True


def line_text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def mask_formula_pipes(line: str) -> str:
    """`line` with every `|` inside a formula replaced by a private character, so a table
    row splits only on the pipes that separate cells. Code spans are skipped as Markdown
    does."""
    if "|" not in line or ("$" not in line and "\\" not in line):
        return line
    out: list[str] = []
    pos, length = 0, len(line)
    while pos < length:
        char = line[pos]
        if char == "`":
            run = len(line) - len(line[pos:].lstrip("`"))
            ticks = line[pos : pos + run]
            close = line.find(ticks, pos + run)
            end = close + run if close >= 0 else pos + run
            out.append(line[pos:end])
            pos = end
        elif char in "$\\":
            span = scan_math(line, pos)
            if span is not None:
                out.append(line[pos : span.end].replace("|", _MASK))
                pos = span.end
            else:
                step = 2 if char == "\\" else 1
                out.append(line[pos : pos + step])
                pos += step
        else:
            out.append(char)
            pos += 1
    return "".join(out)


BlockRule = Callable[[StateBlock, int, int, bool], bool]


def table_keeping_formulas(table_rule: BlockRule) -> BlockRule:
    """The GFM table rule, run over a copy of the source whose formula pipes are masked."""

    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if start_line + 1 >= end_line or _MASK in state.src:
            return table_rule(state, start_line, end_line, silent)
        if not _DELIMITER_ROW.fullmatch(line_text(state, start_line + 1)):
            return table_rule(state, start_line, end_line, silent)
        last = start_line
        while last + 1 < end_line and not state.isEmpty(last + 1):
            last += 1
        begin, end = state.bMarks[start_line], state.eMarks[last]
        region = state.src[begin:end]
        masked = "\n".join(mask_formula_pipes(row) for row in region.split("\n"))
        if masked == region:
            return table_rule(state, start_line, end_line, silent)
        original = state.src
        first_new = len(state.tokens)
        state.src = original[:begin] + masked + original[end:]
        try:
            matched = table_rule(state, start_line, end_line, silent)
        finally:
            state.src = original
        for token in state.tokens[first_new:]:
            if _MASK in token.content:
                token.content = token.content.replace(_MASK, "|")
        return matched

    return rule


_HTML_SKIP = re.compile(
    r"<!--.*?-->|<(pre|code|script|style|textarea|math|svg)\b.*?</\1\s*>|<[^>]*>",
    re.DOTALL | re.IGNORECASE,
)


def formulas_in_html(content: str) -> list[MathSpan]:
    """Formulas in the text of a raw HTML block (`<div align="center">$$x$$</div>`), as
    MathJax would find them: never inside a tag, a comment, or pre/code/script/style."""
    if "$" not in content and "\\" not in content:
        return []
    spans: list[MathSpan] = []
    text_start = 0
    for skipped in [*_HTML_SKIP.finditer(content), None]:
        text_end = skipped.start() if skipped else len(content)
        pos = text_start
        while pos < text_end:
            found = min(
                (
                    i
                    for i in (content.find("$", pos, text_end), content.find("\\", pos, text_end))
                    if i >= 0
                ),
                default=-1,
            )
            if found < 0:
                break
            span = scan_math(content, found, text_end)
            if span is None:
                pos = found + (2 if content[found] == "\\" else 1)
                continue
            display = span.display or span.markup == "$$"
            spans.append(MathSpan(span.start, span.end, span.tex, display, span.markup))
            pos = span.end
        text_start = skipped.end() if skipped else len(content)
    return spans
