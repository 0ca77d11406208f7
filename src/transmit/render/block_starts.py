"""Block rules tried only at lines they can start.

markdown-it tries its block rules one after another at the first line of every block, until
one matches: a paragraph of prose is first offered to eleven rules (fences, lists, quotes,
headings, HTML, ...) that each look at its first character and give up. Each line a paragraph,
a list or a quote goes on to is offered the same way to the rules that may end it. Most of those
rules can only start at a line whose first character (after the indent) is one of a few, and a
table only above a line that can be its delimiter row; this parser tries each rule only where
it can match, the others (indented code, setext headings, definition lists, paragraphs, ...)
everywhere, all in the library's order. The tokens are the same either way
(tests/render/test_fast_paths.py compares them).
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from transmit.render.delimiters import BlockRule

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
# A table's second line is its delimiter row: the rule can only match above a line that begins
# with one of these.
TABLE_BELOW = "|:-"

Lists = tuple[list[BlockRule], dict[str, list[BlockRule]]]  # (for any start, by start)


class ChainRules:
    """A chain's rules (the block rules, or those that may end a paragraph, a list, ...) by the
    first character of the line they are tried at, and whether a table may start there."""

    def __init__(self, rules: list[BlockRule], names: list[str]) -> None:
        self.rules = rules  # the library's list these were made from
        named = list(zip(names, rules, strict=True))
        self._lists = (
            _by_start([(name, rule) for name, rule in named if name != "table"]),
            _by_start(named),
        )
        self.as_one: list[BlockRule] = [self.any_matches]  # what `getRules` gives in its place

    def at(self, state: StateBlock, line: int, end_line: int) -> list[BlockRule]:
        """The rules that may match at `line`, in the library's order."""
        src, starts, shifts = state.src, state.bMarks, state.tShift
        below = line + 1
        table = False
        if below < end_line:
            start = starts[below] + shifts[below]
            table = start < state.eMarks[below] and src[start] in TABLE_BELOW
        anywhere, by_start = self._lists[table]
        start = starts[line] + shifts[line]
        return by_start.get(src[start : start + 1], anywhere)

    def any_matches(self, state: StateBlock, line: int, end_line: int, silent: bool) -> bool:
        """Whether one of the rules matches at `line`: what a paragraph, a list or a quote asks
        of the rules that may end it."""
        for rule in self.at(state, line, end_line):  # noqa: SIM110 (any() of a generator: slower)
            if rule(state, line, end_line, silent):
                return True
        return False


def _by_start(named: list[tuple[str, BlockRule]]) -> Lists:
    anywhere = [rule for name, rule in named if name not in STARTS]
    by_start = {
        start: [rule for name, rule in named if start in STARTS.get(name, start)]
        for start in "".join(STARTS.values())
    }
    return anywhere, by_start


class BlockStarts:
    """The parser's block rules, by where they can match: `tokenize` takes the place of the
    block parser's, `rules` of its ruler's `getRules` (which a paragraph, a list or a quote
    asks for the rules that may end it: it gets one rule that tries those where they may)."""

    def __init__(self, md: MarkdownIt) -> None:
        self._md = md
        self._library_rules: Callable[[str], list[BlockRule]] = md.block.ruler.getRules
        self._chains: dict[str, ChainRules] = {}

    def install(self) -> None:
        self._md.block.tokenize = self.tokenize  # type: ignore[method-assign]
        self._md.block.ruler.getRules = self.rules  # type: ignore[method-assign]

    def _chain(self, name: str) -> ChainRules:
        rules = self._library_rules(name)
        chain = self._chains.get(name)
        if chain is None or chain.rules is not rules:  # first use, or the rules changed since
            enabled = (rule for rule in self._md.block.ruler.__rules__ if rule.enabled)
            names = [rule.name for rule in enabled if not name or name in rule.alt]
            chain = self._chains[name] = ChainRules(rules, names)
        return chain

    def rules(self, name: str = "") -> list[BlockRule]:
        """The library's list for the main chain (`name` ""); for another, one rule that tries
        the chain's rules where they may match."""
        if not name:
            return self._library_rules(name)
        return self._chain(name).as_one

    def tokenize(self, state: StateBlock, start_line: int, end_line: int) -> None:
        """markdown-it's block tokenizer, each line offered to the rules that can start there."""
        line = start_line
        max_nesting = state.md.options.maxNesting
        had_empty_lines = False
        chain = self._chain("")
        while line < end_line:
            state.line = line = state.skipEmptyLines(line)
            if line >= end_line or state.sCount[line] < state.blkIndent:
                break  # the end, or the end of the container a nested call is for
            if state.level >= max_nesting:
                state.line = end_line  # too deep: the rest is not parsed
                break
            for rule in chain.at(state, line, end_line):
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
