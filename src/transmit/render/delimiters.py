r"""Where formulas start and end in Markdown: the TeX between the delimiters is taken verbatim.

Inline: `$…$` (Pandoc's rule, so currency stays text), `$$…$$` inside a sentence (kramdown's
inline meaning), `\(…\)`, `\[…\]` and `\begin{env}…\end{env}`. Blocks: `$$`, `\[` or a bare
`\begin{env}` at the start of a line, to the line that closes them; everything between is the
formula, so Markdown (emphasis, escapes, indented code, list markers) never looks inside.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain

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
_BEGIN = re.compile(r"\\begin\{([A-Za-z]+)(\*|\\\*)?\}")
_REFERENCE = re.compile(r"\\(?:eqref|ref)\{[^{}\s]+\}")
_TEX_SIGN = re.compile(r"[\\^_=+{}<>|]")
MAX_BLOCK_LINES = 5000  # a display formula longer than this is not looked for
MAX_NESTING = 8  # nested environments of one name deeper than this are not math
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


def _find_unescaped(src: str, needle: str, start: int, stop: int) -> int:
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


def _close_paren(src: str, start: int, stop: int, closer: str) -> int:
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
def _environment_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"\\(begin|end)\{" + re.escape(name) + r"(?:\*|\\\*)?\}")


def _end_of_environment(src: str, start: int, stop: int, name: str) -> int:
    r"""Index just past the `\end{name}` that closes the `\begin{name}` before `start`, or -1."""
    depth = 1
    for match in _environment_pattern(name).finditer(src, start, stop):
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
    if src[start].isdigit():  # `$5 or $ 10`: money, not a formula with a sloppy space
        return False
    return after == "" or after.isspace() or _CJK_OR_CLOSING_PUNCT.match(after) is not None


def scan_math(src: str, pos: int, stop: int | None = None) -> MathSpan | None:
    """The formula opening at `pos` in `src` (up to `stop`), or None if none opens there."""
    stop = len(src) if stop is None else stop
    char = src[pos] if pos < stop else ""
    if char == "$":
        if src.startswith("$$", pos, stop):
            close = _find_unescaped(src, "$$", pos + 2, stop)
            if close < 0 or not src[pos + 2 : close].strip():
                return None
            return MathSpan(pos, close + 2, src[pos + 2 : close], False, "$$")
        if pos + 1 >= stop or src[pos + 1].isspace():
            return None
        close = _find_unescaped(src, "$", pos + 1, stop)
        if close < 0 or not _dollar_closes(src, pos + 1, close, stop):
            return None
        return MathSpan(pos, close + 1, src[pos + 1 : close], False, "$")
    if char != "\\" or pos + 1 >= stop:
        return None
    opener = src[pos + 1]
    if opener in "([":
        closer = ")" if opener == "(" else "]"
        close = _close_paren(src, pos + 2, stop, closer)
        if close < 0 or not src[pos + 2 : close].strip():
            return None
        if opener == "[" and not _TEX_SIGN.search(src, pos + 2, close):
            return None  # `\[1\]`, `\[TOC\]`: brackets escaped for Markdown, not a formula
        return MathSpan(pos, close + 2, src[pos + 2 : close], opener == "[", "\\" + opener)
    if opener in "er" and (match := _REFERENCE.match(src, pos, stop)):
        return MathSpan(pos, match.end(), match[0], False, "")  # MathJax's processRefs
    if opener == "b" and (match := _BEGIN.match(src, pos, stop)) and match[1] in ENVIRONMENTS:
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


def _count_openers(text: str, opener: str, closer: str) -> tuple[int, int]:
    if opener == closer:
        count, pos = 0, 0
        while (pos := _find_unescaped(text, opener, pos, len(text))) >= 0:
            count += 1
            pos += len(opener)
        return count, 0
    return text.count(opener), text.count(closer)


def _inside_open_span(state: StateBlock, line: int, opener: str, closer: str) -> bool:
    """Whether `line` continues a paragraph whose earlier lines left a formula open.

    Counted incrementally as the paragraph asks line after line, so long paragraphs stay
    linear."""
    start = state.line
    if state.parentType != "paragraph" or start >= line:
        return False
    memo: dict[tuple[int, str], tuple[int, int, int]] = state.env.setdefault(
        "transmit_open_spans", {}
    )
    counted_to, opened, closed = memo.get((start, opener), (start, 0, 0))
    if counted_to > line:
        counted_to, opened, closed = start, 0, 0
    more_open, more_closed = _count_openers(
        state.src[state.bMarks[counted_to] : state.bMarks[line]], opener, closer
    )
    opened, closed = opened + more_open, closed + more_closed
    memo[(start, opener)] = (line, opened, closed)
    if opener == closer:
        return opened % 2 == 1
    return opened > closed


def _lines_containing(state: StateBlock, needles: tuple[str, ...]) -> list[int]:
    """Sorted numbers of the lines that contain any of `needles` (computed once a parse)."""
    memo: dict[tuple[str, ...], list[int]] = state.env.setdefault("transmit_lines", {})
    found = memo.get(needles)
    if found is None:
        src = state.src
        starts: list[int] = memo.setdefault(("\n",), [])  # type: ignore[arg-type]
        if not starts:
            starts.extend(m.end() for m in re.finditer("\n", src))
        lines: set[int] = set()
        for needle in needles:
            pos = src.find(needle)
            while pos >= 0:
                lines.add(bisect.bisect_right(starts, pos))
                pos = src.find(needle, pos + 1)
        found = memo[needles] = sorted(lines)
    return found


def _later_lines(
    state: StateBlock, start_line: int, end_line: int, needles: tuple[str, ...]
) -> Iterator[int]:
    """Lines after `start_line` that may close a block: inside an indented container every
    line (the first outdented one ends the search), else only those holding a closer."""
    last = min(end_line, start_line + MAX_BLOCK_LINES)
    if state.blkIndent > 0:
        for line in range(start_line + 1, last):
            if not state.isEmpty(line) and state.sCount[line] < state.blkIndent:
                return
            yield line
        return
    candidates = _lines_containing(state, needles)
    index = bisect.bisect_right(candidates, start_line)
    while index < len(candidates) and candidates[index] < last:
        yield candidates[index]
        index += 1


def _line_text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _find_closer(text: str, closer: str) -> int:
    """End index of the first `$$` or `\\]` in one line, -1 if the line has none."""
    if closer == "$$":
        found = _find_unescaped(text, "$$", 0, len(text))
    else:
        found = _close_paren(text, 0, len(text), "]")
    return found + 2 if found >= 0 else -1


def math_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`$$`, `\\[` or `\\begin{env}` at the start of a line, to the line that closes it."""
    if state.is_code_block(start_line):
        return False
    first = _line_text(state, start_line)
    env: str | None = None
    if first.startswith("$$"):
        opener, closer = "$$", "$$"
    elif first.startswith("\\["):
        opener, closer = "\\[", "\\]"
    elif (match := _BEGIN.match(first)) and match[1] in ENVIRONMENTS:
        opener, closer, env = match[0], "", match[1]
    else:
        return False
    if env is None and _inside_open_span(state, start_line, opener, closer):
        return False

    # find the closing line; for environments count nested \begin{env} of the same name
    close_line, close_end = -1, -1
    skip = len(opener)  # the first line is searched after its opener
    depth = 1
    needles = (closer,) if env is None else ("\\begin{" + env, "\\end{" + env)
    for line in chain((start_line,), _later_lines(state, start_line, end_line, needles)):
        text = _line_text(state, line)
        if env is None:
            found = _find_closer(text[skip:], closer)
        else:
            found = -1
            for match in _environment_pattern(env).finditer(text, skip):
                depth += 1 if match[1] == "begin" else -1
                if depth == 0:
                    found = match.end() - skip
                    break
            if depth > MAX_NESTING:
                return False
        if found >= 0:
            close_line, close_end = line, found + skip
            break
        skip = 0
    if close_line < 0 or _line_text(state, close_line)[close_end:].strip():
        return False
    if env is None and close_line == start_line and not first[len(opener) : close_end - 2].strip():
        return False
    if silent:
        return True

    indent = state.sCount[start_line]
    whole = state.getLines(start_line, close_line + 1, indent, False)
    last = whole.rfind("\n") + 1
    # offset of the closer inside the last line once its indentation was cut
    last_line = _line_text(state, close_line)
    cut = len(whole) - last - len(last_line)
    if env is not None:
        tex = whole[: last + cut + close_end]
        markup = "\\begin"
    else:
        tex = whole[len(opener) : last + cut + close_end - len(closer)]
        markup = opener
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = tex
    token.markup = markup
    token.map = [start_line, close_line + 1]
    state.line = close_line + 1
    return True


_DEFINITION = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|DeclareMathOperator)\*?\s*\{?\\[A-Za-z]"
    r"|\\def\s*\\[A-Za-z@]|\\let\s*\\[A-Za-z]"
)


def macro_definitions_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Bare `\\newcommand…` lines outside any delimiters (Pandoc's latex_macros): definitions
    for the page's formulas, not text. They become a hidden formula."""
    if state.is_code_block(start_line) or not _DEFINITION.match(_line_text(state, start_line)):
        return False
    line, depth = start_line, 0
    while line < end_line and not state.isEmpty(line):
        text = _line_text(state, line)
        if depth == 0 and line > start_line and not _DEFINITION.match(text):
            break
        depth += _brace_balance(text)
        line += 1
    if depth != 0:
        return False
    if not silent:
        token = state.push("math_definitions", "", 0)
        token.block = True
        token.content = state.getLines(start_line, line, state.sCount[start_line], False)
        token.map = [start_line, line]
    state.line = line
    return True


def _brace_balance(text: str) -> int:
    """Opening minus closing braces, escaped ones (`\\{`) not counted."""
    unescaped = re.sub(r"\\.", "", text)
    return unescaped.count("{") - unescaped.count("}")


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
        if not _DELIMITER_ROW.fullmatch(_line_text(state, start_line + 1)):
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
