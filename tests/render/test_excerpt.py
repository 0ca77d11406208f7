"""Excerpts: summary, else above `<!-- more -->`, else the first characters of the prose."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.render.helpers import rendered
from transmit.render import document
from transmit.render.data import RenderOptions
from transmit.render.excerpt import cut_point, formula_weight
from transmit.render.math import Formula, RenderedFormula


def excerpt(body: str, length: int = 300, **fields: object) -> str:
    return rendered(body, RenderOptions(excerpt_length=length), **fields).excerpt_html


def visible(markup: str) -> str:
    """The text a reader sees, formulas as a marker."""
    markup = re.sub(r"<math.*?</math>", "⟨F⟩", markup, flags=re.DOTALL)
    parser = _Text()
    parser.feed(markup)
    return "".join(parser.parts)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


VOID_TAGS = frozenset({"br", "img", "hr", "input"})


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <mspace/>: opened and closed at once

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def balanced(markup: str) -> bool:
    checker = _Balance()
    checker.feed(markup)
    checker.close()
    return checker.ok and not checker.stack


@pytest.mark.parametrize(
    "text",
    [
        "anchor-free 检测器",
        "one-stage",
        "y -> 1",
        "a > b",
        "x ≥ T",
        "“双引号” and \"straight\" and 'single'",
        "中文 English 混排",
        "a & b < c",
    ],
)
def test_every_kept_character_is_the_authors(text: str) -> None:
    result = excerpt(f"{text}\n\n```\ncode\n```\n")
    assert visible(result) == text
    assert balanced(result)


def test_summary_wins() -> None:
    result = rendered("Body text.\n\n<!-- more -->\n\nMore.", summary="The *summary* $x$.")
    assert result.excerpt_html.startswith("<p>The <em>summary</em> <math")
    assert "Body text" not in result.excerpt_html


def test_text_above_more_marker() -> None:
    body = "## Intro\n\nFirst *para*.\n\n```python\nx = 1\n```\n\n<!-- more -->\n\nSecond para."
    result = rendered(body)
    assert "<h2>Intro</h2>" in result.excerpt_html  # no id: listings show many posts
    assert "<em>para</em>" in result.excerpt_html
    assert 'class="code-block"' in result.excerpt_html  # the writer chose to show it
    assert "Second" not in result.excerpt_html
    assert result.excerpt_truncated
    assert balanced(result.excerpt_html)


def test_more_marker_in_code_or_nested_does_not_split() -> None:
    body = "Intro.\n\n```\n<!-- more -->\n```\n\nEnd."
    result = rendered(body, RenderOptions(excerpt_length=300))
    assert "End." in result.excerpt_html
    assert not result.excerpt_truncated


def test_footnote_references_leave_the_excerpt() -> None:
    result = rendered("A claim[^1].\n\n<!-- more -->\n\n[^1]: Source.")
    assert "fnref" not in result.excerpt_html and "A claim." in result.excerpt_html


def test_short_post_is_whole_without_ellipsis() -> None:
    result = rendered("Short post.")
    assert result.excerpt_html == "<p>Short post.</p>"
    assert not result.excerpt_truncated


def test_chinese_counts_one_per_character() -> None:
    body = "一二三四五六七八九十" * 5
    assert visible(excerpt(body, 12)) == "一二三四五六七八九十一二…"


def test_english_is_cut_at_a_word_boundary() -> None:
    assert visible(excerpt("The quick brown fox jumps.", 12)) == "The quick…"
    assert visible(excerpt("We use anchor-free detectors.", 14)) == "We use…"


def test_english_word_longer_than_the_limit_is_kept_whole() -> None:
    assert visible(excerpt("Supercalifragilistic is long.", 5)) == "Supercalifragilistic…"


def test_chinese_and_english_mixed_cut() -> None:
    assert visible(excerpt("深度学习Transformer模型", 6)) == "深度学习…"


def test_a_formula_at_the_boundary_is_kept_whole_and_rendered() -> None:
    body = "Loss is $\\mathcal{L} = \\sum_{i=1}^{n} x_i * y_i$ and then more text follows."
    result = excerpt(body, 10)
    assert result.startswith("<p>Loss is <math")
    assert result.endswith("</math>…</p>")
    assert "$" not in result
    assert balanced(result)


def test_code_blocks_tables_images_and_footnotes_are_left_out() -> None:
    body = (
        "Intro.\n\n```python\nsecret_code()\n```\n\n| tbl | x |\n|---|---|\n| cell | y |\n\n"
        "![alt text](a.png)\n\n    indented code\n\nOutro[^1].\n\n[^1]: footnote text\n"
    )
    result = excerpt(body)
    assert visible(result) == "Intro.\nOutro."
    assert "<img" not in result and "<table" not in result and "<pre" not in result


def test_headings_keep_text_not_markup() -> None:
    result = excerpt("## 1. 概述\n\n正文。")
    assert result == "<p>1. 概述</p>\n<p>正文。</p>"


def test_display_math_is_rendered_in_the_excerpt() -> None:
    result = excerpt("Intro.\n\n$$\nE = mc^2\n$$\n\nAfter.")
    assert '<div class="math-display"><math' in result
    assert "After." in result


def test_cut_inside_emphasis_and_links_closes_the_tags() -> None:
    result = excerpt("Start **bold [link text goes on](http://x.org) and on** end.", 20)
    assert balanced(result)
    assert result.endswith("</a></strong>…</p>")


def test_inline_html_tags_are_dropped_text_kept() -> None:
    result = excerpt('a <span style="color:red">red</span> b<br/>c')
    assert visible(result) == "a red b\nc"
    assert "<span" not in result
    assert balanced(result)


def test_excerpt_of_a_list_and_quote() -> None:
    result = excerpt("- one\n- two\n\n> quoted\n")
    assert result == "<p>one</p>\n<p>two</p>\n<p>quoted</p>"


def test_exactly_full_then_more_text_marks_a_cut() -> None:
    result = rendered("12345\n\nmore", RenderOptions(excerpt_length=5))
    assert result.excerpt_html == "<p>12345…</p>"
    assert result.excerpt_truncated


def test_excerpt_of_an_empty_post() -> None:
    assert excerpt("") == ""
    assert excerpt("```\nonly code\n```") == ""


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("hello world", 8, 6),
        ("hello world", 5, 5),
        ("hello world", 6, 6),
        ("中文字", 2, 2),
        ("ab中文", 1, 2),
        ("x anchor-free y", 9, 2),
    ],
)
def test_cut_point(text: str, limit: int, cut: int) -> None:
    assert cut_point(text, limit, may_be_empty=False) == cut


@pytest.mark.parametrize(
    ("tex", "weight"),
    [("x", 1), ("x_1 + y_1", 5), ("\\alpha", 1), ("\\frac{a}{b}", 3), ("", 1)],
)
def test_formula_weight(tex: str, weight: int) -> None:
    assert formula_weight(tex) == weight


class RecordingRenderer:
    """Stands in for the formula renderer: knows `\\newcommand` met earlier in the same call,
    gives `\\label`led formulas an id with the call's prefix, and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def render_page(
        self, formulas: Sequence[Formula], *, id_prefix: str = "", fragments: object = None
    ) -> list[RenderedFormula]:
        self.calls.append(([f.tex for f in formulas], id_prefix))
        defined: set[str] = set()
        out = []
        for formula in formulas:
            defined.update(re.findall(r"\\newcommand\{(\\\w+)\}", formula.tex))
            used = set(re.findall(r"\\RR\b", formula.tex)) - defined
            ident = f' id="{id_prefix}eq-1"' if "\\label" in formula.tex else ""
            if used:
                out.append(RenderedFormula("<code>bad</code>", "cannot render formula: \\RR"))
            else:
                out.append(RenderedFormula(f"<math{ident}>{formula.tex}</math>", None))
        return out


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> RecordingRenderer:
    fake = RecordingRenderer()
    monkeypatch.setattr(document, "math_renderer", lambda macros: fake)
    return fake


def test_macros_defined_below_the_more_marker_reach_a_summary(recorder: RecordingRenderer) -> None:
    body = "Text.\n\n<!-- more -->\n\n$$\\newcommand{\\RR}{\\mathbb{R}}$$\n\n$x \\in \\RR$\n"
    result = rendered(body, summary="In $\\RR^n$.")
    assert not result.warnings
    assert "<math>\\RR^n</math>" in result.excerpt_html
    summary_call = recorder.calls[-1]
    assert summary_call[0] == ["\\newcommand{\\RR}{\\mathbb{R}}", "\\RR^n"]
    assert summary_call[1].startswith("x") and summary_call[1].endswith("-")


def test_macros_defined_above_the_more_marker_serve_the_excerpt(
    recorder: RecordingRenderer,
) -> None:
    body = "$$\\newcommand{\\RR}{\\mathbb{R}}$$\n\nIn $\\RR^n$.\n\n<!-- more -->\n\nMore $\\RR$."
    result = rendered(body)
    assert not result.warnings
    assert "<math>\\RR^n</math>" in result.excerpt_html
    assert len(recorder.calls) == 1  # the page's own results serve the excerpt


def test_labels_in_an_excerpt_get_ids_of_their_own(recorder: RecordingRenderer) -> None:
    body = "$$\nx \\label{eq:a}\n$$\n\nSee \\eqref{eq:a}.\n\n<!-- more -->\n\nRest."
    result = rendered(body)
    body_ids = set(re.findall(r'id="([^"]+)"', result.html))
    excerpt_ids = set(re.findall(r'id="([^"]+)"', result.excerpt_html))
    assert body_ids and excerpt_ids
    assert not body_ids & excerpt_ids


def test_the_first_characters_excerpt_uses_the_page_results(recorder: RecordingRenderer) -> None:
    result = rendered("$$\\newcommand{\\RR}{x}$$\n\nIn $\\RR$ we trust.")
    assert "<math>\\RR</math>" in result.excerpt_html
    assert len(recorder.calls) == 1


def test_raw_html_opened_above_the_marker_and_closed_below_is_left_out() -> None:
    body = '<div class="box">\n\nInside.\n\n<!-- more -->\n\n</div>\n\n<p align="center">ok</p>\n'
    result = rendered(body)
    assert "<div" not in result.excerpt_html
    assert "Inside." in result.excerpt_html
    assert balanced(result.excerpt_html)
    whole = rendered('<p align="center">kept <br> here</p>\n\n<!-- more -->\n\nrest')
    assert '<p align="center">kept <br> here</p>' in whole.excerpt_html


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("a <span>b\n\n<!-- more -->\n\nc</span>", "<p>a b</p>"),
        ("a <div> b </div> </span> c\n\n<!-- more -->\n\nd", "<p>a  b   c</p>"),
        (
            "a <b>b</b> <br> <![CDATA[x]]> c\n\n<!-- more -->\n\nd",
            "<p>a <b>b</b> <br> <![CDATA[x]]> c</p>",
        ),
    ],
)
def test_inline_tags_above_the_marker_stay_only_when_they_balance(body: str, shown: str) -> None:
    result = rendered(body)
    assert result.excerpt_html.strip() == shown
    assert balanced(result.excerpt_html)


_MARKDOWN_BITS = st.sampled_from(
    [
        "$",
        "$$",
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "*",
        "_",
        "`",
        "```",
        "\n",
        "\n\n",
        "> ",
        "- ",
        "1. ",
        "| a | b |\n|---|---|\n",
        "[x](y)",
        "![i](j.png)",
        "<b>",
        "</b>",
        "<!-- more -->",
        "# ",
        "[^1]",
        "[^1]: n\n",
        "{: .c}",
        "[TOC]",
        "> [!NOTE]\n",
        "中文",
        "word ",
        "x_1",
        "\\",
        "\\begin{align}",
        "\\end{align}",
        "    ",
        "~~",
        "&amp;",
        "&",
        "<",
        "{{",
        "}}",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_MARKDOWN_BITS, max_size=30).map("".join), st.integers(1, 60))
def test_property_any_input_renders_and_the_excerpt_is_balanced(body: str, length: int) -> None:
    result = rendered(body, RenderOptions(excerpt_length=length, unsafe_html=False))
    assert balanced(result.excerpt_html)
    raw = rendered(body, RenderOptions(excerpt_length=length))
    assert balanced(raw.excerpt_html)
