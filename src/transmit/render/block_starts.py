"""Block rules tried only at lines they can start.

markdown-it tries its block rules one after another at the first line of every block, until
one matches: a paragraph of prose is first offered to eleven rules (fences, lists, quotes,
headings, HTML, ...) that each look at its first character and give up. Most of those rules can
only start at a line whose first character (after the indent) is one of a few; this parser
tries each such rule only there, the others (tables, indented code, setext headings, definition
lists, paragraphs, ...) everywhere, all in the library's order. The tokens are the same either
way (tests/render/test_fast_paths.py compares them).
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

BlockRule = Callable[[StateBlock, int, int, bool], bool]

# The first characters a line can have where each rule can match (a rule not named here may
# match any line). Indented code is not a concern: each of these rules gives up on it.
STARTS: dict[str, str] = {
    "admonition": "!?",
    "math_block": "$\\",
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "footnote_def": "[",
    "reference": "[",
    "more_marker": "<",
    "html_block": "<",
    "heading": "#",
    "math_definitions": "\\",
}


class BlockStarts:
    """The parser's block rules, by the first character of the line they are tried at."""

    def __init__(self, md: MarkdownIt) -> None:
        self._md = md
        self._rules: list[BlockRule] | None = None  # the library's list these were made from
        self._anywhere: list[BlockRule] = []
        self._by_start: dict[str, list[BlockRule]] = {}

    def _table(self) -> tuple[list[BlockRule], dict[str, list[BlockRule]]]:
        """The rules for lines no rule named in STARTS can start, and those for each start."""
        rules = self._md.block.ruler.getRules("")
        if rules is not self._rules:  # first use, or the rules changed since
            self._index(rules)
        return self._anywhere, self._by_start

    def _index(self, rules: list[BlockRule]) -> None:
        names = [rule.name for rule in self._md.block.ruler.__rules__ if rule.enabled]
        named = list(zip(names, rules, strict=True))
        self._rules = rules
        self._anywhere = [rule for name, rule in named if name not in STARTS]
        self._by_start = {
            start: [rule for name, rule in named if start in STARTS.get(name, start)]
            for start in "".join(STARTS.values())
        }

    def tokenize(self, state: StateBlock, start_line: int, end_line: int) -> None:
        """markdown-it's block tokenizer, each line offered to the rules that can start there."""
        line = start_line
        max_nesting = state.md.options.maxNesting
        had_empty_lines = False
        src, starts, shifts = state.src, state.bMarks, state.tShift
        anywhere, by_start = self._table()
        while line < end_line:
            state.line = line = state.skipEmptyLines(line)
            if line >= end_line or state.sCount[line] < state.blkIndent:
                break  # the end, or the end of the container a nested call is for
            if state.level >= max_nesting:
                state.line = end_line  # too deep: the rest is not parsed
                break
            for rule in by_start.get(src[starts[line] + shifts[line]], anywhere):
                if rule(state, line, end_line, False):
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            else:
                raise RuntimeError("none of the block rules matched")
            state.tight = not had_empty_lines  # an empty line just before the block: loose
            line = state.line
            if line - 1 < end_line and state.isEmpty(line - 1):
                had_empty_lines = True  # a paragraph may take the empty line after it
            if line < end_line and state.isEmpty(line):
                had_empty_lines = True
                line += 1
                state.line = line
