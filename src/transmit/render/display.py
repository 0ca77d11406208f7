r"""Display formulas as blocks: `$$`, `\\[` or a bare `\\begin{env}` at the start of a line, to the
line that closes them, so a 4-space-indented line, a `- ` or a `#` inside is formula, not
Markdown. Also bare `\\newcommand` lines (Pandoc's latex_macros), which define macros for the
page's formulas.

The search for a closing line is linear over a document: only lines holding a closer are
visited at the top level, and a paragraph's open `$$` are counted incrementally.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from itertools import chain

from markdown_it.rules_block import StateBlock

from transmit.render.delimiters import (
    BEGIN_ENVIRONMENT,
    ENVIRONMENTS,
    close_paren,
    environment_pattern,
    find_unescaped,
    line_text,
)

MAX_BLOCK_LINES = 5000  # a display formula longer than this is not looked for
MAX_NESTING = 8  # nested environments of one name deeper than this are not math


def _count_openers(text: str, opener: str, closer: str) -> tuple[int, int]:
    if opener == closer:
        count, pos = 0, 0
        while (pos := find_unescaped(text, opener, pos, len(text))) >= 0:
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
        starts: list[int] | None = state.env.get("transmit_line_starts")
        if starts is None:
            starts = state.env["transmit_line_starts"] = [m.end() for m in re.finditer("\n", src)]
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


def _find_closer(text: str, closer: str) -> int:
    """End index of the first `$$` or `\\]` in one line, -1 if the line has none."""
    if closer == "$$":
        found = find_unescaped(text, "$$", 0, len(text))
    else:
        found = close_paren(text, 0, len(text), "]")
    return found + 2 if found >= 0 else -1


def math_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`$$`, `\\[` or `\\begin{env}` at the start of a line, to the line that closes it."""
    if state.is_code_block(start_line):
        return False
    first = line_text(state, start_line)
    env: str | None = None
    if first.startswith("$$"):
        opener, closer = "$$", "$$"
    elif first.startswith("\\["):
        opener, closer = "\\[", "\\]"
    elif (match := BEGIN_ENVIRONMENT.match(first)) and match[1] in ENVIRONMENTS:
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
        text = line_text(state, line)
        if env is None:
            found = _find_closer(text[skip:], closer)
        else:
            found = -1
            for match in environment_pattern(env).finditer(text, skip):
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
    if close_line < 0 or line_text(state, close_line)[close_end:].strip():
        return False
    if env is None and close_line == start_line and not first[len(opener) : close_end - 2].strip():
        return False
    if silent:
        return True

    indent = state.sCount[start_line]
    whole = state.getLines(start_line, close_line + 1, indent, False)
    last = whole.rfind("\n") + 1
    # offset of the closer inside the last line once its indentation was cut
    last_line = line_text(state, close_line)
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
    if state.is_code_block(start_line) or not _DEFINITION.match(line_text(state, start_line)):
        return False
    line, depth = start_line, 0
    while line < end_line and not state.isEmpty(line):
        text = line_text(state, line)
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
