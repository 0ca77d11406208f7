"""Emphasis: CommonMark's rules, plus runs beside CJK characters (CJK-friendly amendment)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.render.helpers import html_of
from transmit.render.emphasis import emphasis_rule

_COMMONMARK = MarkdownIt("commonmark")
_FRIENDLY = MarkdownIt("commonmark")
_FRIENDLY.inline.ruler.at("emphasis", emphasis_rule)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**注意：**后文", "<strong>注意：</strong>后文"),
        ("这是**“引号”**后", "这是<strong>“引号”</strong>后"),
        ("*强调（括号）*中文", "<em>强调（括号）</em>中文"),
        ("中文**English**中文", "中文<strong>English</strong>中文"),
        ("snake_case_name", "snake_case_name"),
        ("2*3*4", "2<em>3</em>4"),
        ("**foo bar **", "**foo bar **"),
    ],
)
def test_emphasis_beside_chinese(source: str, expected: str) -> None:
    assert html_of(source) == f"<p>{expected}</p>\n"


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(list("*_ ab.,!()\"'-\n")), max_size=24))
def test_without_cjk_it_is_commonmark(source: str) -> None:
    assert _FRIENDLY.render(source) == _COMMONMARK.render(source)
