"""Markdown features of PRODUCT.md's "Writing" section, and text that must pass untouched."""

from __future__ import annotations

import re

import pytest

from tests.render.helpers import document, html_of
from transmit.render.markdown import markdown_parser, parse


def ids(html: str) -> list[str]:
    return re.findall(r'<h\d id="([^"]*)"', html)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("## 1. 概述", ["1-概述"]),
        ("## 一、引言", ["一引言"]),
        ("## Self-Attention 机制", ["self-attention-机制"]),
        ("## What is `torch.no_grad()`?", ["what-is-torchno_grad"]),
        ("## 概述\n## 概述\n## 概述", ["概述", "概述-1", "概述-2"]),
        ("## 概述-1\n## 概述\n## 概述", ["概述-1", "概述", "概述-2"]),
        ("## ！？", ["section"]),
        ("## Title {#custom-id}", ["custom-id"]),
        ("## Title {: #kram .cls}", ["kram"]),
        ("## A\n## A {#a}", ["a", "a-1"]),
        ("## Set {a, b}", ["set-a-b"]),
        ("Setext 标题\n---", ["setext-标题"]),
    ],
)
def test_heading_anchors_keep_chinese_and_stay_unique(source: str, expected: list[str]) -> None:
    assert ids(html_of(source)) == expected


def test_heading_attributes_leave_the_visible_text() -> None:
    html = html_of("## Title {#custom-id .no_toc}")
    assert html == '<h2 id="custom-id">Title</h2>\n'
    assert document("## Set {a, b}").render() == '<h2 id="set-a-b">Set {a, b}</h2>\n'


def test_anchors_are_stable_across_parses() -> None:
    source = "## 概述\n## 概述\n### Details\n## 概述"
    assert html_of(source) == html_of(source)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("| a | b |\n|:--|--:|\n| 1 | 2 |", '<td style="text-align:right">2</td>'),
        ("~~gone~~", "<s>gone</s>"),
        ("- [x] done\n- [ ] todo", 'type="checkbox" checked'),
        ("see https://example.com/a?b=1 now", '<a href="https://example.com/a?b=1">'),
        ("see www.example.com now", '<a href="http://www.example.com">'),
        ("mail me@example.com", '<a href="mailto:me@example.com">'),
        ("Text[^1].\n\n[^1]: The note.", '<section class="footnotes">'),
        ("Text[^1].\n\n[^1]: The note.", 'href="#fn1"'),
        ("Term\n: Definition", "<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>"),
        ("<br/>", "<br/>"),
        ('a <i style="color:red">b</i>', '<i style="color:red">b</i>'),
        ("<details><summary>S</summary>\n\n*md*\n</details>", "<em>md</em>"),
        ("~~~\ntilde\n~~~", "tilde\n</code>"),
        ("text ```not a fence``` here", "<code>not a fence</code>"),
    ],
)
def test_gfm_and_extensions(source: str, fragment: str) -> None:
    assert fragment in html_of(source)


@pytest.mark.parametrize("name", ["train.py", "model.pt", "config.yaml", "main.rs"])
def test_file_names_are_not_turned_into_links(name: str) -> None:
    assert "<a " not in html_of(f"run {name} first")


def test_raw_html_is_escaped_when_unsafe_html_is_off() -> None:
    html = html_of('<script>alert(1)</script>\n\na <b onclick="x">b</b>', unsafe_html=False)
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b onclick=&quot;x&quot;&gt;b&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "{{ site.baseurl }}",
        "{% raw %}",
        "{# c #}",
        "{% post_url 2019-01-01-a %}",
        "{% note info %}",
        "{% endnote %}",
        "{{% notice %}}",
        "[caption id=1]",
    ],
)
def test_template_syntax_is_shown_as_written(text: str) -> None:
    html = html_of(f"before {text} after")
    assert f"before {text} after" in html.replace("&lt;", "<").replace("&gt;", ">").replace(
        "&quot;", '"'
    )


def test_hugo_shortcodes_are_shown_as_written() -> None:
    html = html_of("{{< highlight python >}}\n\n{{</* escaped */>}}")
    assert "{{&lt; highlight python &gt;}}" in html
    assert "{{&lt;/* escaped */&gt;}}" in html


@pytest.mark.parametrize(
    "text",
    [
        "anchor-free",
        "one-stage",
        "y -> 1",
        "a > b",
        "x ≥ T",
        "“引号”",
        "中文 English 混排",
        "a -- b",
    ],
)
def test_text_is_sacred(text: str) -> None:
    html = html_of(text)
    assert html == f"<p>{text.replace('>', '&gt;')}</p>\n"


# ---- callouts


@pytest.mark.parametrize("kind", ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"])
def test_github_callouts(kind: str) -> None:
    html = html_of(f"> [!{kind}]\n> Body *text*.")
    lower = kind.lower()
    assert html.startswith(f'<div class="callout callout-{lower}" data-callout="{lower}">')
    assert f'<p class="callout-title">{kind.capitalize()}</p>' in html
    assert "<p>Body <em>text</em>.</p>" in html
    assert "[!" not in html and "<blockquote>" not in html


def test_obsidian_callout_with_title_and_folding() -> None:
    html = html_of("> [!tip] 小技巧 **bold**\n> body")
    assert '<p class="callout-title">小技巧 <strong>bold</strong></p>' in html
    folded = html_of("> [!faq]- Why?\n> Because.")
    assert folded.startswith('<details class="callout callout-faq" data-callout="faq">')
    assert '<summary class="callout-title">Why?</summary>' in folded
    assert folded.rstrip().endswith("</details>")
    opened = html_of("> [!note]+ Open\n> text")
    assert 'data-callout="note" open>' in opened


def test_callout_title_only_and_nested_callouts() -> None:
    assert html_of("> [!NOTE]") == (
        '<div class="callout callout-note" data-callout="note">\n'
        '<p class="callout-title">Note</p>\n</div>\n'
    )
    nested = html_of("> [!note] outer\n> > [!warning] inner\n> > deep")
    assert nested.count('class="callout ') == 2
    assert nested.count("</div>") == 2


def test_callout_titles_follow_the_site_language() -> None:
    parsed = parse("> [!WARNING]\n> x", unsafe_html=True, language="zh-CN")
    assert '<p class="callout-title">警告</p>' in parsed.render()


def test_a_plain_quote_stays_a_quote() -> None:
    html = html_of("> [link](x) and [!not] a callout")
    assert html.startswith("<blockquote>")


def test_math_in_a_callout_keeps_its_line() -> None:
    parsed = document("> [!NOTE] Title\n> first\n> $x$")
    assert [(f.tex, f.line) for f in parsed.page.formulas] == [("x", 3)]


# ---- kramdown attribute lists and TOC markers


@pytest.mark.parametrize(
    "source",
    [
        'Paragraph\n{: style="color:red"}',
        "{: .lead}\nParagraph",
        'Paragraph\n\n{: style="text-align:center"}',
        '![img](a.png){: width="50%"}\n\nParagraph',
        '[link](http://x.com){:target="_blank"} Paragraph',
    ],
)
def test_kramdown_attribute_lists_are_dropped(source: str) -> None:
    html = html_of(source)
    assert "{:" not in html
    assert "Paragraph" in html


def test_kramdown_no_toc_and_id_after_a_heading() -> None:
    parsed = document("## Contents\n{: .no_toc}\n\n## Real\n{: #real-id}\n")
    assert [(h.id, h.in_toc) for h in parsed.page.headings] == [
        ("contents", False),
        ("real-id", True),
    ]


@pytest.mark.parametrize("marker", ["[TOC]", "[toc]", "[[TOC]]", "[[_TOC_]]", "@[toc](目录)"])
def test_toc_markers_become_the_table_of_contents(marker: str) -> None:
    parsed = document(f"{marker}\n\n## A\n\n### B\n")
    parsed.page.toc_html = "<ul>TOC</ul>"
    html = parsed.render()
    assert html.startswith('<nav class="toc toc-inline"><ul>TOC</ul></nav>')
    assert marker not in html


def test_kramdown_toc_list_becomes_the_table_of_contents() -> None:
    parsed = document("* TOC\n{:toc}\n\n## A\n")
    parsed.page.toc_html = "<ul>TOC</ul>"
    html = parsed.render()
    assert html.startswith('<nav class="toc toc-inline">')
    assert "<li>" not in html.split("</nav>")[0].replace("<ul>TOC</ul>", "")


def test_toc_text_in_a_sentence_is_text() -> None:
    assert "[TOC] here" in html_of("see [TOC] here")


# ---- more marker


def test_more_marker_is_invisible_even_with_raw_html_off() -> None:
    for unsafe in (True, False):
        html = html_of("a\n\n<!-- more -->\n\nb", unsafe_html=unsafe)
        assert "more --" not in html
        assert '<span id="more"></span>' in html


def test_more_marker_variants() -> None:
    for marker in ("<!--more-->", "<!-- More -->", "  <!--  more  -->  "):
        parsed = document(f"a\n{marker}\nb")
        assert [t.type for t in parsed.tokens].count("more_marker") == 1


def test_more_marker_inside_code_is_code() -> None:
    parsed = document("```\n<!-- more -->\n```")
    assert "more_marker" not in [t.type for t in parsed.tokens]


# ---- the parser is built once


def test_parser_is_built_once_per_option_set() -> None:
    assert markdown_parser(True) is markdown_parser(True)
    assert markdown_parser(True) is not markdown_parser(False)


def test_images_render_with_alt_text_including_formulas() -> None:
    html = html_of('![a *b* $x$](p.png "t")')
    assert '<img src="p.png" alt="a b x" title="t">' in html


def test_double_bracket_followed_by_a_url_is_a_link() -> None:
    assert '<a href="http://x.org/a.pdf">[pdf]</a>' in html_of("[[pdf]](http://x.org/a.pdf)")


def test_wikilinks_are_shown_as_written() -> None:
    assert "[[note|alias]]" in html_of("see [[note|alias]] and [[note#a b]]")


def test_mkdocs_admonitions_are_callouts() -> None:
    html = html_of('!!! quote "Delta Says"\n    Body $x$.\n\n??? tip\n    folded\n')
    assert html.startswith('<div class="callout callout-quote" data-callout="quote">\n')
    assert '<p class="callout-title">Delta Says</p>' in html
    assert '<details class="callout callout-tip" data-callout="tip">' in html
    assert '<summary class="callout-title">Tip</summary>' in html
    assert "<pre" not in html


def test_an_admonition_right_after_a_line_of_text_is_a_callout() -> None:
    html = html_of("Keep in mind:\n!!! warning\n    The loss may diverge.\n")
    assert html.startswith("<p>Keep in mind:</p>\n")
    assert '<div class="callout callout-warning" data-callout="warning">' in html


def test_mkdocs_admonition_title_follows_the_site_language() -> None:
    html = parse("!!! warning\n    x\n", unsafe_html=True, language="zh").render()
    assert '<p class="callout-title">警告</p>' in html


@pytest.mark.parametrize("text", ["!!!注意 not one", "!!! ", "??? what is this?"])
def test_exclamation_marks_that_are_not_admonitions_stay_text(text: str) -> None:
    assert "callout" not in html_of(text)
