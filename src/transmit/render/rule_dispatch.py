"""Pygments' regex lexers, trying at each place only the rules that can match there.

A Pygments regex lexer finds each token by trying its state's rules one after another until
one matches: Python's root state has 56 rules, and most tokens are found after dozens of
failed attempts. Most rules can only begin with a few characters (a string with a quote, a
number with a digit, a name with a letter), which their patterns say. So each rule's possible
first characters are read from its pattern once, and at each place in the text only the rules
that can begin with the character there are tried, in their order. The first that matches is
the one the library would find, so the tokens are the same (tests/render/test_rule_dispatch.py
compares them, lexer by lexer); Python and C++ are lexed five times as fast as the library's
way.

The first characters are read from the parsed pattern (`re._parser`, the parser of the
standard library's own regex compiler: private, so whatever in it is not as expected here, and
anything in a pattern not understood here, makes the rule a candidate everywhere, as does a
pattern that can match the empty string). A rule is never left out where it could match.

Lexers that post-process their tokens (C and C++ mark standard types) call
`RegexLexer.get_tokens_unprocessed` by name, so the engine is put there, for the lexers
`dispatch_rules` was given; every other lexer goes the library's way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

try:
    from re import _constants as sre
    from re import _parser
except ImportError:  # a Python without them: every rule is a candidate everywhere
    sre = _parser = None  # type: ignore[assignment]

Token = tuple[int, Any, str]
Rule = tuple[Callable[..., Any], Any, Any]  # (the compiled pattern's match, action, new state)

# The keys of the places in a text: the code of an ASCII character, OTHER for any other
# character, END for the end of the text.
OTHER, END = 128, 129
KEYS = 130
EVERYWHERE = frozenset(range(KEYS))
_ANY_CHARACTER = frozenset(range(OTHER + 1))
_ASCII_LETTERS = frozenset(code for code in range(OTHER) if chr(code).isalpha())
_ENGINE = "_transmit_rule_dispatch"


class _NotUnderstood(Exception):
    """A part of a pattern whose first characters are not worked out here."""


def _category(category: object, flags: int) -> set[int]:
    """`\\d`, `\\s`, `\\w` and their negations: the ASCII characters they match, as the
    regex engine itself says, and OTHER unless they are ASCII-only and positive."""
    names = {
        sre.CATEGORY_DIGIT: r"\d",
        sre.CATEGORY_NOT_DIGIT: r"\D",
        sre.CATEGORY_SPACE: r"\s",
        sre.CATEGORY_NOT_SPACE: r"\S",
        sre.CATEGORY_WORD: r"\w",
        sre.CATEGORY_NOT_WORD: r"\W",
    }
    if category not in names:
        raise _NotUnderstood(category)
    return set(_category_keys(names[category], bool(flags & re.ASCII)))


@functools.cache
def _category_keys(escape: str, ascii_only: bool) -> frozenset[int]:
    pattern = re.compile(escape, re.ASCII if ascii_only else 0)
    keys = {code for code in range(OTHER) if pattern.match(chr(code))}
    if not ascii_only or escape.isupper():  # \D, \S, \W match non-ASCII characters too
        keys.add(OTHER)
    return frozenset(keys)


def _case_closed(keys: set[int], flags: int) -> set[int]:
    """Under IGNORECASE, an ASCII letter matches its other case and a few other characters
    (the Kelvin sign matches k), and those other characters may match ASCII letters."""
    if not flags & re.IGNORECASE:
        return keys
    closed = set(keys)
    for key in keys:
        if key in _ASCII_LETTERS:
            closed |= {ord(chr(key).lower()), ord(chr(key).upper()), OTHER}
    if OTHER in keys:
        closed |= _ASCII_LETTERS
    return closed


def _set_keys(items: Sequence[tuple[Any, Any]], flags: int) -> set[int]:
    """The keys of a character set `[...]`."""
    keys: set[int] = set()
    negated = False
    for op, value in items:
        if op is sre.NEGATE:
            negated = True
        elif op is sre.LITERAL:
            keys.add(min(value, OTHER))
        elif op is sre.RANGE:
            low, high = value
            keys.update(range(low, min(high, OTHER - 1) + 1))
            if high >= OTHER:
                keys.add(OTHER)
        elif op is sre.CATEGORY:
            keys |= _category(value, flags)
        else:
            raise _NotUnderstood(op)
    if negated:  # what the set holds never matches, whatever the case (so no closing)
        return set(_ANY_CHARACTER - keys) | {OTHER}
    return _case_closed(keys, flags)


def _item_keys(op: Any, value: Any, flags: int) -> tuple[set[int], bool]:
    """(the keys one part of a pattern can begin with, whether it can match nothing)."""
    if op is sre.LITERAL:
        return _case_closed({min(value, OTHER)}, flags), False
    if op is sre.IN:
        return _set_keys(value, flags), False
    if op is sre.ANY:
        anything = set(_ANY_CHARACTER)
        if not flags & re.DOTALL:
            anything.discard(ord("\n"))
        return anything, False
    if op is sre.NOT_LITERAL:
        return set(_ANY_CHARACTER), False
    if op is sre.SUBPATTERN:
        _group, added, removed, pattern = value
        return _sequence_keys(pattern.data, (flags | added) & ~removed)
    if op is sre.ATOMIC_GROUP:
        return _sequence_keys(value.data, flags)
    if op is sre.BRANCH:
        keys: set[int] = set()
        empty = False
        for branch in value[1]:
            branch_keys, branch_empty = _sequence_keys(branch.data, flags)
            keys |= branch_keys
            empty = empty or branch_empty
        return keys, empty
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        least, _most, pattern = value
        keys, empty = _sequence_keys(pattern.data, flags)
        return keys, empty or least == 0
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # take no character: what follows decides
        return set(), True
    raise _NotUnderstood(op)  # references to groups, conditions


def _sequence_keys(items: Sequence[tuple[Any, Any]], flags: int) -> tuple[set[int], bool]:
    keys: set[int] = set()
    for op, value in items:
        item_keys, empty = _item_keys(op, value, flags)
        keys |= item_keys
        if not empty:
            return keys, False
    return keys, True


def first_keys(match: Callable[..., Any]) -> frozenset[int]:
    """The keys of the places where a rule (its compiled pattern's `match`) can match:
    EVERYWHERE when it can match the empty string or its pattern is not understood."""
    pattern = getattr(match, "__self__", None)
    if (
        _parser is None
        or not isinstance(pattern, re.Pattern)
        or not isinstance(pattern.pattern, str)
    ):
        return EVERYWHERE
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        keys, empty = _sequence_keys(parsed.data, pattern.flags | parsed.state.flags)
    except (_NotUnderstood, AttributeError, TypeError, ValueError, re.error, RecursionError):
        return EVERYWHERE
    return EVERYWHERE if empty else frozenset(keys)


class RuleDispatch:
    """One lexer's states, each with the rules to try for each key, made on first use."""

    def __init__(self, lexer: RegexLexer) -> None:
        self.lexer = lexer
        self.states: dict[str, list[Rule]] = lexer._tokens  # type: ignore[attr-defined]
        self._tables: dict[str, list[tuple[Rule, ...] | None]] = {}
        self._keys: dict[str, list[frozenset[int]]] = {}

    def table(self, state: str) -> list[tuple[Rule, ...] | None]:
        found = self._tables.get(state)
        if found is None:
            found = self._tables[state] = [None] * KEYS
        return found

    def candidates(self, state: str, key: int) -> tuple[Rule, ...]:
        """The state's rules that can match at a place of this key, in their order."""
        keys = self._keys.get(state)
        if keys is None:
            keys = self._keys[state] = [first_keys(rule[0]) for rule in self.states[state]]
        rules = tuple(
            rule for rule, can in zip(self.states[state], keys, strict=True) if key in can
        )
        self.table(state)[key] = rules
        return rules

    def tokens(self, text: str, stack: Sequence[str] = ("root",)) -> Iterator[Token]:
        """`RegexLexer.get_tokens_unprocessed`, trying only the candidates at each place."""
        lexer = self.lexer
        pos, end = 0, len(text)
        stack = list(stack)
        state = stack[-1]
        table = self.table(state)
        while True:
            if pos < end:
                key = ord(text[pos])
                if key > OTHER:
                    key = OTHER
            else:
                key = END
            rules = table[key]
            if rules is None:
                rules = self.candidates(state, key)
            for match, action, new_state in rules:
                found = match(text, pos)
                if not found:
                    continue
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, found.group()
                    else:
                        yield from action(lexer, found)
                pos = found.end()
                if new_state is not None:
                    _move(stack, new_state)
                    state = stack[-1]
                    table = self.table(state)
                break
            else:  # no rule matched: as the library does
                if pos >= end:
                    return
                if text[pos] == "\n":  # at the end of a line, back to the root state
                    stack = ["root"]
                    state = "root"
                    table = self.table(state)
                    yield pos, Whitespace, "\n"
                else:
                    yield pos, Error, text[pos]
                pos += 1


def _move(stack: list[str], new_state: Any) -> None:
    """The state stack after a rule's transition, as `RegexLexer` moves it."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif state == "#push":
                stack.append(stack[-1])
            else:
                stack.append(state)
    elif isinstance(new_state, int):  # pop, keeping at least one state
        if abs(new_state) >= len(stack):
            del stack[1:]
        else:
            del stack[new_state:]
    elif new_state == "#push":
        stack.append(stack[-1])
    else:
        raise ValueError(f"wrong state definition: {new_state!r}")


_LIBRARY_TOKENS = RegexLexer.get_tokens_unprocessed


def _get_tokens_unprocessed(
    self: RegexLexer, text: str, stack: Sequence[str] = ("root",)
) -> Iterator[Token]:
    engine: RuleDispatch | None = self.__dict__.get(_ENGINE)
    if engine is None:
        return _LIBRARY_TOKENS(self, text, stack)  # type: ignore[no-any-return]
    return engine.tokens(text, stack)


def dispatch_rules(lexer: Lexer) -> Lexer:
    """The lexer, trying only the rules that can match at each place when it is a regex lexer
    (others are left be)."""
    if isinstance(lexer, RegexLexer) and hasattr(lexer, "_tokens"):
        if RegexLexer.get_tokens_unprocessed is not _get_tokens_unprocessed:
            RegexLexer.get_tokens_unprocessed = _get_tokens_unprocessed  # type: ignore[method-assign]
        lexer.__dict__[_ENGINE] = RuleDispatch(lexer)
    return lexer
