"""Block rules tried only where they can start (render/block_starts.py) give the very tokens
markdown-it's own way gives: compared with the same parser set back to the library's block
tokenizer, which offers every line to every rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from transmit.render.block_starts import STARTS
from transmit.render.markdown import markdown_parser
from transmit.render.page import PageState

EXAMPLE = Path(__file__).parents[2] / "example" / "content"


def _library_way(unsafe_html: bool) -> MarkdownIt:
    md = markdown_parser.__wrapped__(unsafe_html)
    del md.block.tokenize  # the library's method again
    return md


LIBRARY_WAY = {flag: _library_way(flag) for flag in (False, True)}


def _tokens(md: MarkdownIt, source: str) -> tuple[list[dict[str, Any]], str]:
    env: dict[str, Any] = {"transmit": PageState(language="zh"), "transmit_language": "zh"}
    tokens = md.parse(source, env)
    return [token.as_dict() for token in tokens], md.renderer.render(tokens, md.options, env)


def assert_same(source: str, unsafe_html: bool = False) -> None:
    assert _tokens(markdown_parser(unsafe_html), source) == _tokens(
        LIBRARY_WAY[unsafe_html], source
    )


def test_every_rule_named_is_one_of_the_parsers() -> None:
    names = {rule.name for rule in markdown_parser(False).block.ruler.__rules__}
    assert set(STARTS) <= names
    assert "tokenize" not in vars(LIBRARY_WAY[False].block)  # the comparison is with the library


@pytest.mark.parametrize(
    "source",
    [
        "Prose.\n\n- a\n+ b\n* c\n\n1. one\n2) two\n\n> quote\n> - in a list\n\n# Title\n",
        "***\n---\n___\n\nSetext\n===\n\nSetext two\n---\n",
        "```python\nx = 1\n```\n\n~~~\ny\n~~~\n\n    indented code\n\ttab code\n",
        "$$\nx^2\n$$\n\n\\[ a \\]\n\n\\begin{align} a &= b \\end{align}\n",
        "\\newcommand{\\R}{\\mathbb{R}}\n\nUses $\\R$.\n",
        "[ref]: /url 'title'\n\n[ref] and [^1].\n\n[^1]: A note.\n    More of it.\n",
        "<div>\nhtml\n</div>\n\n<!-- more -->\n\nAfter.\n",
        '!!! note "Title"\n    Body.\n\n??? tip\n    Folded.\n\n!!!注意 stays text\n',
        "Term\n: Definition\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
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


_LINE_STARTS = [
    *["- ", "+ ", "* ", "1. ", "2) ", "> ", "# ", "### ", "```", "~~~", "    ", "\t", "  "],
    *["$$", "\\[", "\\]", "\\begin{align}", "\\end{align}", "\\newcommand{\\R}{x}", "\\def\\a{b}"],
    *["[^1]: ", "[a]: /u", "<!-- more -->", "<div>", "</div>", "<p>", "!!! note", "??? tip"],
    *["???+ warn", "===", "---", "***", "___", ": ", "| a | b |", "|---|---|", "a", "中", "1", ""],
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
