"""Pygments' regex lexers, each state's rules tried in one regular expression.

A Pygments regex lexer finds each token by trying its state's rules one after another, in
Python, until one matches: Python's root state has 56 rules, and a line of Python code costs
about 70 µs. Joined into one alternation (`(rule1)|(rule2)|...`), the rules are tried in
the same order by the regex engine itself, which returns the same first match; the group
that matched says whose rule it was. Highlighting is transmit's largest cost in notes with
code, and this makes the lexing of Python and C++ about 1.6 times as fast. The tokens are
the same (tests/render/test_joined_rules.py compares them, lexer by lexer).

A rule that cannot join others keeps its own place between the joined runs: one whose
pattern refers to its own groups by number or name (the numbers change in a joined pattern),
and a long one (the classes of Unicode names), which is already compiled alone and would cost
more to compile again, in each process, than joining it saves.

Lexers that post-process their tokens (C and C++ mark standard types) call
`RegexLexer.get_tokens_unprocessed` by name, so the engine is put there, for the lexers
`join_rules` was given; every other lexer goes the library's way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

Token = tuple[int, Any, str]
Rule = tuple[Callable[..., Any], Any, Any]  # (the compiled pattern's match, action, new state)
# (match function, the rule each joined group stands for or None, the rule matched alone)
Step = tuple[Callable[[str, int], "re.Match[str] | None"], dict[int, int] | None, int]

_ENGINE = "_transmit_joined_rules"
LONGEST = 500  # longer patterns (Unicode names) cost more to compile again than joining saves
# Rules whose pattern refers to its own groups (by number, by name, or in a condition)
_OWN_GROUPS = re.compile(r"\\[1-9]|\(\?P[=<]|\(\?\(")
_LEADING_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
_SCOPED_FLAGS = (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL), ("x", re.VERBOSE))


def _alternative(compiled: re.Pattern[str]) -> str | None:
    """The rule's pattern as one group that carries its own flags, or None if it cannot be."""
    if len(compiled.pattern) > LONGEST or _OWN_GROUPS.search(compiled.pattern):
        return None
    pattern = compiled.pattern
    while leading := _LEADING_FLAGS.match(pattern):  # in `compiled.flags` already
        pattern = pattern[leading.end() :]
    on = "".join(letter for letter, flag in _SCOPED_FLAGS if compiled.flags & flag)
    off = "".join(letter for letter, flag in _SCOPED_FLAGS if not compiled.flags & flag)
    if compiled.flags & re.ASCII:
        on += "a"
    end = "\n" if compiled.flags & re.VERBOSE else ""  # a trailing comment ends before ")"
    return f"((?{on}-{off}:{pattern}{end}))" if off else f"((?{on}:{pattern}{end}))"


def _joined(rules: Sequence[Rule], run: Sequence[tuple[int, str]]) -> Step | None:
    """One step for a run of rules, each its own group; None if they do not compile as one."""
    try:
        joined = re.compile("|".join(alternative for _, alternative in run))
    except (re.error, RecursionError):
        return None
    rule_of, group = {}, 1
    for index, _ in run:
        rule_of[group] = index
        group += 1 + rules[index][0].__self__.groups  # type: ignore[attr-defined]
    return joined.match, rule_of, -1


def _steps(rules: Sequence[Rule]) -> list[Step]:
    """The state's rules in order: runs of joinable rules as one pattern each, the others
    alone."""
    steps: list[Step] = []
    run: list[tuple[int, str]] = []

    def end_run() -> None:
        joined = _joined(rules, run) if len(run) > 1 else None
        if joined is not None:
            steps.append(joined)
        else:
            steps.extend((rules[index][0], None, index) for index, _ in run)
        run.clear()

    for index, (match, _action, _new_state) in enumerate(rules):
        alternative = _alternative(match.__self__)  # type: ignore[attr-defined]
        if alternative is None:
            end_run()
            steps.append((match, None, index))
        else:
            run.append((index, alternative))
    end_run()
    return steps


class JoinedRules:
    """One lexer's states as steps, made on first use of each."""

    def __init__(self, lexer: RegexLexer) -> None:
        self.lexer = lexer
        self.states: dict[str, list[Rule]] = lexer._tokens  # type: ignore[attr-defined]
        self._steps: dict[str, list[Step]] = {}

    def steps(self, state: str) -> list[Step]:
        found = self._steps.get(state)
        if found is None:
            found = self._steps[state] = _steps(self.states[state])
        return found

    def tokens(self, text: str, stack: Sequence[str] = ("root",)) -> Iterator[Token]:
        """`RegexLexer.get_tokens_unprocessed`, step by step instead of rule by rule."""
        lexer, states = self.lexer, self.states
        pos = 0
        stack = list(stack)
        rules, steps = states[stack[-1]], self.steps(stack[-1])
        while True:
            for match, rule_of, alone in steps:
                found = match(text, pos)
                if not found:
                    continue
                group = 0
                if rule_of is None:
                    own_match, action, new_state = rules[alone]
                else:
                    group = found.lastindex  # the rule's group encloses its own: it ends last
                    assert group is not None
                    own_match, action, new_state = rules[rule_of[group]]
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, found.group(group)
                    else:  # a callback numbers the groups of its own pattern
                        if group:
                            found, group = own_match(text, pos), 0
                        yield from action(lexer, found)
                pos = found.end(group)
                if new_state is not None:
                    _move(stack, new_state)
                    rules, steps = states[stack[-1]], self.steps(stack[-1])
                break
            else:  # no rule matched: as the library does
                if pos >= len(text):
                    return
                if text[pos] == "\n":  # at the end of a line, back to the root state
                    stack = ["root"]
                    rules, steps = states["root"], self.steps("root")
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
    engine: JoinedRules | None = self.__dict__.get(_ENGINE)
    if engine is None:
        return _LIBRARY_TOKENS(self, text, stack)  # type: ignore[no-any-return]
    return engine.tokens(text, stack)


def join_rules(lexer: Lexer) -> Lexer:
    """The lexer, its states' rules joined when it is a regex lexer (others are left be)."""
    if isinstance(lexer, RegexLexer) and hasattr(lexer, "_tokens"):
        if RegexLexer.get_tokens_unprocessed is not _get_tokens_unprocessed:
            RegexLexer.get_tokens_unprocessed = _get_tokens_unprocessed  # type: ignore[method-assign]
        lexer.__dict__[_ENGINE] = JoinedRules(lexer)
    return lexer
