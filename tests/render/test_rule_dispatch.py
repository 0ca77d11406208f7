"""Lexers trying only the rules that can match at each place give the very tokens Pygments'
own way gives: compared lexer by lexer on the example posts' code, on real source files and on
random text; and each rule's first characters, read from its pattern, are where it matches."""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pygments.lexer import RegexLexer, bygroups, default, include, words
from pygments.lexers import get_lexer_by_name
from pygments.token import Keyword, Name, Number, Operator, Punctuation, String, Text

from transmit.render.rule_dispatch import (
    END,
    EVERYWHERE,
    OTHER,
    RuleDispatch,
    dispatch_rules,
    first_keys,
)

EXAMPLE = Path(__file__).parents[2] / "example" / "content"
# What notes show most, and lexers that post-process their tokens (C, C++, CUDA, YAML, Lua,
# Swift, PHP) or delegate to others (HTML, Markdown).
LANGUAGES = [
    *["python", "cpp", "c", "cuda", "bash", "javascript", "typescript", "java", "go", "rust"],
    *["yaml", "sql", "matlab", "r", "latex", "html", "css", "markdown", "toml", "diff"],
    *["dockerfile", "scala", "kotlin", "julia", "lua", "ini", "xml", "haskell", "swift", "php"],
    *["perl", "csharp", "ruby", "js", "ts", "shell", "py", "c++", "tex", "json"],
]
_FENCE = re.compile(r"^```(\S+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def tokens_both_ways(language: str, code: str) -> tuple[list[object], list[object]]:
    library = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    dispatched = dispatch_rules(get_lexer_by_name(language, stripnl=False, ensurenl=False))
    return list(library.get_tokens(code)), list(dispatched.get_tokens(code))


def assert_same(language: str, code: str) -> None:
    library, dispatched = tokens_both_ways(language, code)
    assert dispatched == library


def _example_blocks() -> list[tuple[str, str]]:
    blocks = []
    for path in sorted(EXAMPLE.rglob("*.md")):
        for match in _FENCE.finditer(path.read_text(encoding="utf-8")):
            language = match.group(1).strip("{}").split(",")[0].lower()
            if language in LANGUAGES:
                blocks.append((language, match.group(2)))
    return blocks


def test_the_dispatched_way_is_really_another() -> None:
    """The comparison compares something: at a digit, Python's root state tries a few of its
    rules, not all, and the lexer's tokens come from the engine."""
    lexer = dispatch_rules(get_lexer_by_name("python"))
    engine = lexer.__dict__["_transmit_rule_dispatch"]
    assert len(engine.candidates("root", ord("1"))) < len(engine.states["root"]) / 4
    assert list(engine.tokens("x = 1\n")) == list(lexer.get_tokens_unprocessed("x = 1\n"))
    assert "_transmit_rule_dispatch" not in get_lexer_by_name("python").__dict__


@pytest.mark.parametrize(("language", "code"), _example_blocks())
def test_the_same_tokens_for_the_example_posts_code(language: str, code: str) -> None:
    assert_same(language, code)


def _source_files() -> list[tuple[str, Path]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = [("python", stdlib / name) for name in ("textwrap.py", "json/decoder.py", "ast.py")]
    include = Path(sysconfig.get_paths()["include"])
    files += [("c", include / name) for name in ("Python.h", "object.h", "unicodeobject.h")]
    files += [("cpp", include / "pyport.h")]
    return [(language, path) for language, path in files if path.is_file()]


@pytest.mark.parametrize(("language", "path"), _source_files(), ids=lambda item: str(item))
def test_the_same_tokens_for_real_source_files(language: str, path: Path) -> None:
    assert_same(language, path.read_text(encoding="utf-8"))


_PIECES = [
    *"abxyz019 \t\n\n()[]{}<>;:,.=+-*/%&|^~!?@#$\\'\"`_",
    *["def ", "class ", "return ", "if ", "for ", "int ", "std::", "#include <a>", "// c\n"],
    *["/* c */", '"""d"""', "'s'", '"s\\n"', "0x1F", "1e-3", "f'{x}'", "r'\\d'", "b'x'"],
    *['<div a="b">', "</div>", "---\n", "- a: b\n", "$x", "${y}", "\\begin{x}", "% c\n"],
    *['R"(raw)"', "@dec\n", "lambda ", "async ", "::", "->", "=>", "...", "```"],
]


@pytest.mark.parametrize("language", LANGUAGES)
@settings(max_examples=40, deadline=None)
@given(code=st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_the_same_tokens_for_any_text(language: str, code: str) -> None:
    assert_same(language, code)


class _Quirks(RegexLexer):
    """Rules of every kind: flags of their own (a case-blind one first), a verbose pattern
    ending in a comment, groups referred to by number and by name, a lookbehind, characters
    beyond ASCII, classes and their negations, callbacks, every kind of state move, an empty
    default, and text no rule matches."""

    name = "quirks"
    tokens = {  # noqa: RUF012 (Pygments' own way of declaring states)
        "root": [
            (r"(?i)select\b", Keyword),
            (r"(?x) [0-9]+  # digits, then a comment to the end", Number),
            (r"(['\"])(.*?)(\1)", String),
            (r"(?P<open>\[)(?P=open)", Punctuation),
            (r"(?<=\d)[a-f]", Number.Hex),
            (r"(\w+)(\s*)(=)", bygroups(Name.Variable, Text, Operator)),
            (words(("if", "else"), suffix=r"\b"), Keyword),
            (r"[α-ω]+|é", Name.Other),
            (r"(?i)ſ+", Name.Constant),
            (r"\(", Punctuation, "paren"),
            (r"\{", Punctuation, ("brace", "paren")),
            (r"<", Punctuation, "angle"),
            (r"~", Punctuation, ("#push", "paren")),
            (r"\?", Punctuation, ("#pop", "brace")),  # the root state stays
            (r"[a-z]+", Name),
            (r"-?\$[^\s;]", Name.Variable),
            (r" +", Text),
        ],
        "paren": [
            include("inner"),
            (r"\)", Punctuation, "#pop"),
            (r"\}", Punctuation, "#pop:2"),
            default("#pop"),
        ],
        "inner": [(r"[a-z]+", Name.Attribute), (r",", Punctuation), (r"\s*;", Text)],
        "brace": [(r"[^}]+", String.Other), (r"\}", Punctuation, "#pop")],
        "angle": [  # no rule for a line's end: back to the root state there
            (r"[a-z]+", Name.Tag),
            (r"<", Punctuation, "#push"),
            (r">", Punctuation, "#pop"),
            (r"!", Punctuation, "#pop:3"),
        ],
    }


_QUIRKY = [*"ab1f ()[]{}<>,;=\"'#\n?~!-$αéſSK\u212a\t", "SELECT", "select", "if", "x ="]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_QUIRKY)).map("".join))
@example("<!a")  # popped past the root: the root state
@example("<<a>b>c<d\ne")  # pushed, popped, and a line's end no rule takes
@example("~a)b)c")  # a tuple of states with "#push"
@example("?x}a")  # a tuple of states with "#pop"
@example("(a,b}c{d}e")  # "#pop:2" and a default
@example("'x'y\"z\" [[ x = 1 SELECT if 12 # c")
@example("1f ſS\u212a sElEcT αβ é -$x ( ;)")  # a lookbehind, case-blind, beyond ASCII
def test_the_same_tokens_for_rules_of_every_kind(code: str) -> None:
    dispatched = dispatch_rules(_Quirks())
    assert list(dispatched.get_tokens(code)) == list(_Quirks().get_tokens(code))


def _keys(*characters: str) -> set[int]:
    return {OTHER if ord(c) >= OTHER else ord(c) for c in characters}


_DIGITS = _keys(*"0123456789")
_LETTERS = _keys(*"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        ("abc", 0, _keys("a")),
        ("[0-9]+|x", 0, _DIGITS | _keys("x")),
        (r"\d", 0, _DIGITS | {OTHER}),  # Unicode digits
        (r"\d", re.ASCII, _DIGITS),
        (r"\s", re.ASCII, _keys(*" \t\n\r\f\v")),
        (r"\s", 0, _keys(*" \t\n\r\f\v\x1c\x1d\x1e\x1f", "\u3000")),
        (r"\w", re.ASCII, _LETTERS | _DIGITS | _keys("_")),
        (r"[^\W\d]", re.ASCII, _LETTERS | _keys("_", "é")),  # a negated set: OTHER too
        (
            r'[^\s"a]',
            re.IGNORECASE,
            set(range(OTHER + 1)) - _keys(*' \t\n\r\f\v"a', *"\x1c\x1d\x1e\x1f"),
        ),
        ("a?b*c", 0, _keys(*"abc")),
        (r"(?<!\.)\bdef\b", 0, _keys("d")),
        (r"(?=x)[a-z]", 0, _keys(*"abcdefghijklmnopqrstuvwxyz")),
        ("(?:if|else)|(e)", 0, _keys("i", "e")),
        ("k", re.IGNORECASE, _keys("k", "K", "é")),  # the Kelvin sign matches k
        ("é", re.IGNORECASE, _LETTERS | _keys("é")),
        ("-", re.IGNORECASE, _keys("-")),
        ("(?i:x)y", 0, _keys("x", "X", "é")),
        (".", 0, set(range(OTHER + 1)) - _keys("\n")),
        ("(?s).", 0, set(range(OTHER + 1))),
        ("[α-ω]", 0, {OTHER}),
        ("(?>ab|c)", 0, _keys("a", "c")),
        ("a*", 0, EVERYWHERE),  # may match the empty string: at the end of the text too
        ("", 0, EVERYWHERE),
        (r"(a)\1", 0, _keys("a")),  # a reference after the first character: understood
        (r"(a)?\1", 0, EVERYWHERE),  # a reference first: not understood
        (r"(a)?(?(1)b|c)", 0, EVERYWHERE),
    ],
)
def test_the_first_characters_of_a_pattern(pattern: str, flags: int, expected: set[int]) -> None:
    assert first_keys(re.compile(pattern, flags).match) == expected


def test_only_the_end_of_the_text_is_left_to_the_empty_matches() -> None:
    assert END not in first_keys(re.compile("a").match)
    assert END in first_keys(re.compile("a|").match)


def test_a_rule_that_is_not_a_pattern_is_tried_everywhere() -> None:
    assert first_keys(lambda text, pos: None) == EVERYWHERE
    assert first_keys(re.compile(b"a").match) == EVERYWHERE


def _key_at(text: str, pos: int) -> int:
    return END if pos == len(text) else min(ord(text[pos]), OTHER)


@settings(max_examples=60, deadline=None)
@given(
    language=st.sampled_from(["python", "cpp", "bash", "javascript", "yaml", "latex", "rust"]),
    code=st.lists(st.sampled_from([*_PIECES, *_QUIRKY, "é", "变量", "\u212a"]), max_size=40).map(
        "".join
    ),
)
def test_every_rule_matches_only_where_its_first_characters_say(language: str, code: str) -> None:
    """The property the dispatch rests on, checked rule by rule on real lexers: wherever a
    rule matches, the key of the place is among its keys."""
    lexer = get_lexer_by_name(language)
    for rules in lexer._tokens.values():
        for match, _action, _new_state in rules:
            keys = first_keys(match)
            for pos in range(len(code) + 1):
                if match(code, pos) is not None:
                    assert _key_at(code, pos) in keys, (match.__self__.pattern, code, pos)


def test_candidates_keep_the_rules_order() -> None:
    engine = RuleDispatch(_Quirks())
    rules = engine.states["root"]
    letters = engine.candidates("root", ord("s"))
    assert [rules.index(rule) for rule in letters] == sorted(rules.index(rule) for rule in letters)
    assert rules[0] in letters  # (?i)select
    assert rules[0] in engine.candidates("root", ord("S"))
    assert rules[0] not in engine.candidates("root", ord("1"))
    assert engine.table("root")[ord("s")] == letters


def test_lexers_that_are_not_regex_lexers_are_left_be() -> None:
    lexer = get_lexer_by_name("json")
    assert dispatch_rules(lexer) is lexer
    assert "_transmit_rule_dispatch" not in lexer.__dict__
    assert list(lexer.get_tokens('{"a": [1, 2]}'))
