"""The parser's shortcuts give the very tokens markdown-it's own way gives: plain text found
fast (render/inline_text.py) and block rules tried only where they can match
(render/block_starts.py), compared with the same parser set back to the library's stops, core
`inline` rule, block tokenizer and rule lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_core import inline as library_inline_rule
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from transmit.render.block_starts import STARTS
from transmit.render.inline_text import TEXT_STOPS
from transmit.render.markdown import markdown_parser
from transmit.render.page import PageState

EXAMPLE = Path(__file__).parents[2] / "example" / "content"


def _library_way(unsafe_html: bool) -> MarkdownIt:
    """This project's parser, but ending text where markdown-it and its plugins would (the
    plugin adds its stops the library's way), parsing every inline content, and offering
    every line to every block rule."""
    md = markdown_parser.__wrapped__(unsafe_html)
    stock = MarkdownIt("commonmark").use(gfm_autolink_plugin)
    md.inline.terminator_re = stock.inline.terminator_re
    md.core.ruler.at("inline", library_inline_rule)
    del md.block.tokenize  # the library's methods again
    del md.block.ruler.getRules
    return md


LIBRARY_WAY = {flag: _library_way(flag) for flag in (False, True)}


def _tokens(md: MarkdownIt, source: str) -> tuple[list[dict[str, Any]], str]:
    env: dict[str, Any] = {"transmit": PageState(language="zh"), "transmit_language": "zh"}
    tokens = md.parse(source, env)
    return [token.as_dict() for token in tokens], md.renderer.render(tokens, md.options, env)


def assert_same(source: str, unsafe_html: bool = False) -> None:
    fast = _tokens(markdown_parser(unsafe_html), source)
    assert fast == _tokens(LIBRARY_WAY[unsafe_html], source)


def test_the_library_way_is_really_different() -> None:
    """The comparison compares something: the library ends text at "-" and offers every line
    to every block rule; this parser does neither."""
    assert LIBRARY_WAY[False].inline.terminator_re.search("two-stage")
    assert TEXT_STOPS.search("two-stage") is None
    assert markdown_parser(False).inline.terminator_re is TEXT_STOPS
    assert "tokenize" not in vars(LIBRARY_WAY[False].block)
    assert "tokenize" in vars(markdown_parser(False).block)
    assert len(LIBRARY_WAY[False].block.ruler.getRules("paragraph")) > 5
    assert len(markdown_parser(False).block.ruler.getRules("paragraph")) == 1


def test_every_block_rule_named_is_one_of_the_parsers() -> None:
    names = {rule.name for rule in markdown_parser(False).block.ruler.__rules__}
    assert set(STARTS) <= names


@pytest.mark.parametrize(
    "source",
    [
        "anchor-free, one-stage -> two-stage: 50% +1 = 2 {x} #3",
        "| a-b | c:d |\n| --- | --- |\n| x > y | 10% |",
        "see www.example.com/a-b, http://x.org/p?q=1 and https://y.org:8080/",
        "mailto:me@example.com xmpp:me@example.com ftp://a.b Http://c.d xhttp://e.f",
        "write to me@example.com or visit wwww.example.com",
        "[link-text](http://a.b/c-d) ![img-x](a-b.png) [^note-1]\n\n[^note-1]: a-b",
        "**bold-text** *em-text* ~~gone-text~~ `code-x` $x-y$ \\(a-b\\) &amp; &#45;",
        "line one -  \nline two\\\nline three - end",
        "<http://a.b/c> <me@x.org> <span>-</span>",
        "# Title-with-dashes\n\n- item-one\n- item-two: 3 > 2\n\n> quoted-text",
        "中文-标题：注意力机制 > 卷积 + 池化 = 特征",
        "Prose.\n\n- a\n+ b\n* c\n\n1. one\n2) two\n\n> quote\n> - in a list\n\n# Title\n",
        "***\n---\n___\n\nSetext\n===\n\nSetext two\n---\n",
        "```python\nx = 1\n```\n\n~~~\ny\n~~~\n\n    indented code\n\ttab code\n",
        "$$\nx^2\n$$\n\n\\[ a \\]\n\n\\begin{align} a &= b \\end{align}\n",
        "\\newcommand{\\R}{\\mathbb{R}}\n\nUses $\\R$.\n",
        "[ref]: /url 'title'\n\n[ref] and [^1].\n\n[^1]: A note.\n    More of it.\n",
        "<div>\nhtml\n</div>\n\n<!-- more -->\n\nAfter.\n",
        '!!! note "Title"\n    Body.\n\n??? tip\n    Folded.\n\n!!!注意 stays text\n',
        "Term\n: Definition\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        "Text\n| a | b |\n|:-|-:|\n| 1 | 2 |\nmore\n\n- item\n  a | b\n  - | -\n",
        "> q\n> | x |\n> :-:\n",
        "a | b\n--- | ---\n1 | 2\n\nText\nc | d\n-|-\n\n- x\n\n  e | f\n  :-: | -\n",
        "Text\n# Heading\ntext\n> quote\ntext\n```\ncode\n```\ntext\n- item\ntext\n***\n",
        "Text\n$$\nx\n$$\ntext\n<div>\n\ntext\n!!! note\n    body\ntext\n[^1]: a\n",
        "- item\n\n      code in a list\n\n  > quote in a list\n  > ```\n  > fenced\n  > ```\n",
        "中文段落。\n\n1. 第一\n2. 第二\n\n> 引用：注意力机制\n",
    ],
)
@pytest.mark.parametrize("unsafe_html", [False, True])
def test_the_same_tokens_as_markdown_its_way(source: str, unsafe_html: bool) -> None:
    assert_same(source, unsafe_html)


@pytest.mark.parametrize("path", sorted(EXAMPLE.rglob("*.md")), ids=lambda path: path.name)
def test_the_same_tokens_for_every_example_post(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8"), unsafe_html=True)


_PIECES = [
    *"ab wW:/.@-_*~`$\\[]()!^<>&#%+={}|\n 中文，。",
    *["www.", "ww.", "http", "https", "mailto", "xmpp", "ftp", "://", "x.org", "a@b.co"],
    *["[^1]", "^[n]", "**", "~~", "&amp;", "<http://a.b>", "$x$", "\\(", "\\)", "\n\n", "  \n"],
    *["| a | b |\n| - | - |\n", "- ", "1. ", "> ", "# ", "```\n"],
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_the_same_tokens_for_any_text(source: str) -> None:
    assert_same(source)


_LINE_STARTS = [
    *["- ", "+ ", "* ", "1. ", "2) ", "> ", "# ", "### ", "```", "~~~", "    ", "\t", "  "],
    *["$$", "\\[", "\\]", "\\begin{align}", "\\end{align}", "\\newcommand{\\R}{x}", "\\def\\a{b}"],
    *["[^1]: ", "[a]: /u", "<!-- more -->", "<div>", "</div>", "<p>", "!!! note", "??? tip"],
    *["???+ warn", "===", "---", "***", "___", ": ", "| a | b |", "|---|---|", "a", "中", "1", ""],
    *[":-", "-|-", "|:-:", " | ", "a | b", "-", "|", ":"],
]
_REST = ["", "x", " text", " $y$", " *em*", " a | b", " [l](/u)", "\\", "{", "}", " 注意"]


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_LINE_STARTS), st.sampled_from(_REST)), max_size=16).map(
        lambda lines: "".join(start + rest + "\n" for start, rest in lines)
    )
)
def test_the_same_tokens_for_any_lines(source: str) -> None:
    assert_same(source)
