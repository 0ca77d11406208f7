"""Text nested deeper than the parser descends reaches the page, the excerpt and the search
text, as the author's characters, with balanced markup and a bounded stack."""

from __future__ import annotations

import html
import inspect
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.render.helpers import balanced, rendered
from transmit.render.data import RenderOptions
from transmit.render.markdown import parse
from transmit.render.nesting import BLOCK_DEPTH

UNSAFE = RenderOptions(unsafe_html=True)


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def indented_list(depth: int) -> str:
    return "".join("  " * i + f"- item{i}\n" for i in range(depth))


def admonitions(depth: int) -> str:
    return (
        "".join("    " * i + "!!! note\n" for i in range(depth)) + "    " * depth + "deep words\n"
    )


SHAPES = {
    "quotes 40": (">" * 40 + " deep words\n", "deep words"),
    "quotes 150": (">" * 150 + " deep words\n", "deep words"),
    "quotes 5000": (">" * 5000 + " deep words\n", "deep words"),
    "quote per line 300": ("".join(">" * i + f" line{i}\n" for i in range(1, 301)), "line300"),
    "spaced quotes 3000": ("> " * 3000 + "deep words\n", "deep words"),
    "list 40": (indented_list(40), "item39"),
    "list 150": (indented_list(150), "item149"),
    "list 2000": (indented_list(2000), "item1999"),
    "dash list 2000": ("- " * 2000 + "deep words\n", "deep words"),
    "ordered list 2000": ("1. " * 2000 + "deep words\n", "deep words"),
    "star list 2000": ("* " * 2000 + "deep words\n", "deep words"),
    "quote in list 1000": ("> - " * 1000 + "deep words\n", "deep words"),
    "admonitions 150": (admonitions(150), "deep words"),
    "emphasis 5000": ("*" * 5000 + "deep words" + "*" * 5000 + "\n", "deep words"),
    "strong 2500": ("**" * 2500 + "deep words" + "**" * 2500 + "\n", "deep words"),
    "mixed emphasis 3000": ("*_" * 1500 + "deep words" + "_*" * 1500 + "\n", "deep words"),
    "strikethrough 2000": ("~~a " * 2000 + "deep words" + " a~~" * 2000 + "\n", "deep words"),
    "links 5000": ("[" * 5000 + "deep words" + "](u)" * 5000 + "\n", "deep words"),
    "brackets 5000": ("[" * 5000 + "deep words" + "]" * 5000 + "\n", "deep words"),
    "link in deep quote": (">" * 200 + " [deep words](u) *x*\n", "[deep words](u) *x*"),
    "divs 5000": ("<div>" * 5000 + "deep words" + "</div>" * 5000 + "\n", "deep words"),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_innermost_words_reach_the_page_and_the_search_text(name: str) -> None:
    body, words = SHAPES[name]
    post = rendered(body, UNSAFE)
    assert words in visible(post.html)
    assert words in post.search_text
    if not name.startswith("divs"):  # raw HTML is left out of the balance check
        assert balanced(post.html)
        assert balanced(post.excerpt_html)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_token_stream_stays_balanced(name: str) -> None:
    tokens = parse(SHAPES[name][0], unsafe_html=True).tokens
    depth = 0
    for token in tokens:
        depth += token.nesting
        assert depth >= 0
    assert depth == 0


@pytest.mark.parametrize("depth", [BLOCK_DEPTH - 1, BLOCK_DEPTH, BLOCK_DEPTH + 1, 5000])
def test_every_quote_marker_is_a_quote_or_a_character(depth: int) -> None:
    post = rendered(">" * depth + " deep words\n", UNSAFE)
    shown = visible(post.html)
    assert post.html.count("<blockquote>") + shown.count(">") == depth
    assert shown.strip().endswith("> deep words" if depth > BLOCK_DEPTH else "deep words")


def test_below_the_limit_the_rest_is_escaped_text_not_markup() -> None:
    body = ">" * (BLOCK_DEPTH + 5) + " <b>bold</b> *em* `code` $x$ &amp;\n"
    post = rendered(body, UNSAFE)
    assert "<b>" not in post.html and "<em>" not in post.html and "<code>" not in post.html
    assert "&gt;&gt;&gt;&gt;&gt; &lt;b&gt;bold&lt;/b&gt; *em* `code` $x$ &amp;amp;" in post.html
    assert "<b>bold</b> *em* `code` $x$ &amp;" in post.text


def test_below_the_limit_paragraphs_and_lazy_lines_are_kept() -> None:
    deep = ">" * BLOCK_DEPTH  # a line of only this many markers is blank down there
    body = f"{deep}>> first\n{deep}>> second\nlazy line\n{deep}\n{deep}>> third\n\nafter\n"
    post = rendered(body, UNSAFE)
    assert "<p>&gt;&gt; first\n&gt;&gt; second\nlazy line</p>" in post.html
    assert "<p>&gt;&gt; third</p>" in post.html
    assert post.html.rstrip().endswith("<p>after</p>")


def test_a_list_item_after_a_deep_one_is_kept() -> None:
    body = indented_list(BLOCK_DEPTH) + "- back at the top\n\nafter\n"
    post = rendered(body, UNSAFE)
    shown = visible(post.html)
    assert f"item{BLOCK_DEPTH - 1}" in shown
    assert "back at the top" in shown and "after" in shown
    assert balanced(post.html)


def test_the_excerpt_keeps_deep_words() -> None:
    assert "deep words" in rendered(">" * 150 + " deep words\n", UNSAFE).excerpt_html
    post = rendered(">" * 5000 + " deep words\n\n<!-- more -->\n\nrest\n", UNSAFE)
    assert "deep words" in visible(post.excerpt_html)
    assert "rest" not in visible(post.excerpt_html)
    assert balanced(post.excerpt_html)


@contextmanager
def stack_budget(frames: int) -> Iterator[None]:
    """At most `frames` Python frames above the caller (RecursionError beyond)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


@pytest.mark.parametrize(
    "body",
    [
        ">" * 5000 + " x\n",
        "> - " * 2000 + "x\n",
        admonitions(300),
        "[" * 5000 + "x" + "](u)" * 5000 + "\n",
        "![" * 5000 + "x" + "](u)" * 5000 + "\n",
    ],
    ids=["quotes", "quoted lists", "admonitions", "links", "images"],
)
def test_any_nesting_renders_within_half_the_default_stack(body: str) -> None:
    # measured: about 430 frames at most (images in image alt text), 215 for blockquotes
    with stack_budget(500):
        rendered(body, UNSAFE)
