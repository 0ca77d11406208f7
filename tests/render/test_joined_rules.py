"""Lexers with their rules joined give the very tokens Pygments' own way gives: compared lexer
by lexer on the example posts' code, on real source files and on random text."""

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

from transmit.render.joined_rules import LONGEST, JoinedRules, _alternative, join_rules

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
    joined = join_rules(get_lexer_by_name(language, stripnl=False, ensurenl=False))
    return list(library.get_tokens(code)), list(joined.get_tokens(code))


def assert_same(language: str, code: str) -> None:
    library, joined = tokens_both_ways(language, code)
    assert joined == library


def _example_blocks() -> list[tuple[str, str]]:
    blocks = []
    for path in sorted(EXAMPLE.rglob("*.md")):
        for match in _FENCE.finditer(path.read_text(encoding="utf-8")):
            language = match.group(1).strip("{}").split(",")[0].lower()
            if language in LANGUAGES:
                blocks.append((language, match.group(2)))
    return blocks


def test_the_joined_way_is_really_another() -> None:
    """The comparison compares something: Python's root state is tried in a few steps
    instead of rule by rule, and the lexer's tokens come from the joined steps."""
    lexer = join_rules(get_lexer_by_name("python"))
    engine = lexer.__dict__["_transmit_joined_rules"]
    assert len(engine.steps("root")) < len(engine.states["root"]) / 4
    assert list(engine.tokens("x = 1\n")) == list(lexer.get_tokens_unprocessed("x = 1\n"))
    assert "_transmit_joined_rules" not in get_lexer_by_name("python").__dict__


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
    """Rules of every kind the joining treats apart: flags of their own, a verbose pattern
    ending in a comment, groups referred to by number and by name, callbacks, every kind of
    state move, an empty default, and text no rule matches."""

    name = "quirks"
    tokens = {  # noqa: RUF012 (Pygments' own way of declaring states)
        "root": [
            (r"(?i)select\b", Keyword),
            (r"(?x) [0-9]+  # digits, then a comment to the end", Number),
            (r"(['\"])(.*?)(\1)", String),
            (r"(?P<open>\[)(?P=open)", Punctuation),
            (r"(\w+)(\s*)(=)", bygroups(Name.Variable, Text, Operator)),
            (words(("if", "else"), suffix=r"\b"), Keyword),
            (r"\(", Punctuation, "paren"),
            (r"\{", Punctuation, ("brace", "paren")),
            (r"<", Punctuation, "angle"),
            (r"~", Punctuation, ("#push", "paren")),
            (r"\?", Punctuation, ("#pop", "brace")),  # the root state stays
            (r"[a-z]+", Name),
            (r" +", Text),
        ],
        "paren": [
            include("inner"),
            (r"\)", Punctuation, "#pop"),
            (r"\}", Punctuation, "#pop:2"),
            default("#pop"),
        ],
        "inner": [(r"[a-z]+", Name.Attribute), (r",", Punctuation)],
        "brace": [(r"[^}]+", String.Other), (r"\}", Punctuation, "#pop")],
        "angle": [  # no rule for a line's end: back to the root state there
            (r"[a-z]+", Name.Tag),
            (r"<", Punctuation, "#push"),
            (r">", Punctuation, "#pop"),
            (r"!", Punctuation, "#pop:3"),
        ],
    }


_QUIRKY = [*"ab1 ()[]{}<>,=\"'#\n?~!", "SELECT", "select", "if", "x ="]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_QUIRKY)).map("".join))
@example("<!a")  # popped past the root: the root state
@example("<<a>b>c<d\ne")  # pushed, popped, and a line's end no rule takes
@example("~a)b)c")  # a tuple of states with "#push"
@example("?x}a")  # a tuple of states with "#pop"
@example("(a,b}c{d}e")  # "#pop:2" and a default
@example("'x'y\"z\" [[ x = 1 SELECT if 12 # c")
def test_the_same_tokens_for_rules_of_every_kind(code: str) -> None:
    joined = join_rules(_Quirks())
    assert list(joined.get_tokens(code)) == list(_Quirks().get_tokens(code))


def test_rules_that_cannot_join_keep_their_place() -> None:
    engine = JoinedRules(_Quirks())
    steps = engine.steps("root")
    alone = [index for _, joined, index in steps if joined is None]
    assert alone == [2, 3]  # the rules referring to their own groups, by number and by name
    assert len(steps) == 4  # two runs joined around them


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (r"\d+", re.MULTILINE, r"((?m-isx:\d+))"),
        (r"(?i)(?s)abc", re.MULTILINE, r"((?ims-x:abc))"),
        (r"(?x) a  # note", 0, "((?x-ims: a  # note\n))"),
        (r"\w+", re.ASCII, r"((?a-imsx:\w+))"),
        (r"(a)\1", 0, None),
        (r"(?P<q>')(?P=q)", 0, None),
        (r"(a)?(?(1)b|c)", 0, None),
    ],
)
def test_a_rule_as_one_group(pattern: str, flags: int, expected: str | None) -> None:
    alternative = _alternative(re.compile(pattern, flags))
    assert alternative == expected
    if alternative is not None:
        alone, joined = re.compile(pattern, flags), re.compile(alternative)
        for text in ("abc", "ABC 12", "a  b", "x\nabc"):
            found, wanted = joined.match(text), alone.match(text)
            assert (found and found.group(1)) == (wanted and wanted.group())


def test_a_long_pattern_stays_alone() -> None:
    assert _alternative(re.compile("a" * LONGEST)) is not None
    assert _alternative(re.compile("a" * (LONGEST + 1))) is None


def test_lexers_that_are_not_regex_lexers_are_left_be() -> None:
    lexer = get_lexer_by_name("json")
    assert join_rules(lexer) is lexer
    assert "_transmit_joined_rules" not in lexer.__dict__
    assert list(lexer.get_tokens('{"a": [1, 2]}'))
