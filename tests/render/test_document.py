"""render_post: body, warnings with file lines, table of contents, reading figures."""

from __future__ import annotations

import pickle

import pytest

from tests.render.helpers import make_post, rendered
from transmit.render import document
from transmit.render.data import RenderOptions
from transmit.render.document import render_post
from transmit.render.toc import TocEntry, toc_html

BAD = "\\frac{a}{"  # unbalanced: no renderer can draw it


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (f"${BAD}$", 10),
        (f"text\n\nmore ${BAD}$", 12),
        (f"a\nb\nc ${BAD}$", 12),
        (f"$$\n{BAD}\n$$", 10),
        (f"intro\n\n\\[\nx\n{BAD}\n\\]", 12),
        (f"- one\n- two ${BAD}$", 11),
        (f"- one\n\n  more\n  ${BAD}$", 13),
        (f"| a |\n|---|\n| x |\n| ${BAD}$ |", 13),
        (f"> quote\n> ${BAD}$", 11),
        (f"> [!NOTE]\n> ${BAD}$", 11),
        (f"Text[^1].\n\n[^1]: note ${BAD}$", 12),
        (f"Term\n: def ${BAD}$", 11),
        (f"## Head ${BAD}$", 10),
        (f"\\begin{{align}}\n{BAD}\n\\end{{align}}", 10),
        (f"a `code\nspan` b\nc ${BAD}$", 12),
    ],
)
def test_a_formula_that_cannot_be_rendered_is_a_warning_with_its_file_line(
    body: str, line: int
) -> None:
    result = rendered(body, body_line=10)
    assert [(w.path, w.line) for w in result.warnings] == [("content/posts/note.md", line)]
    assert result.warnings[0].message.startswith("cannot render formula: ")
    assert 'class="math-error"' in result.html
    assert "\\frac{a}{" in result.html


def test_formulas_render_to_mathml_without_javascript() -> None:
    result = rendered(
        "Inline $x_1 * y_1$ and\n\n$$\n\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\n$$"
    )
    assert result.html.count("<math") == 2
    assert '<div class="math-display"><math display="block">' in result.html
    assert not result.warnings
    assert result.has_math and not result.has_code


def test_currency_escaped_dollar_and_math_in_one_paragraph() -> None:
    result = rendered("It cost $5 and \\$6; the fit $y = ax + b$ cost $10.")
    assert result.html.startswith("<p>It cost $5 and $6; the fit <math")
    assert result.html.rstrip().endswith("</math> cost $10.</p>")


def test_toc_entries_and_html() -> None:
    body = "# Top\n\n## 1. 概述\n\n### 细节 `code`\n\n#### Deep\n\n##### Too deep\n\n"
    body += "## 概述\n\n## 概述"
    result = rendered(body, toc=True)
    assert [(e.level, e.id, e.text) for e in result.toc] == [
        (2, "1-概述", "1. 概述"),
        (3, "细节-code", "细节 code"),
        (4, "deep", "Deep"),
        (2, "概述", "概述"),
        (2, "概述-1", "概述"),
    ]
    assert result.toc_html.startswith('<ul class="toc-list"><li><a href="#1-概述">1. 概述</a><ul>')
    assert '<a href="#细节-code">细节 <code>code</code></a>' in result.toc_html


def test_toc_html_only_when_wanted() -> None:
    body = "## A\n\n## B"
    assert rendered(body).toc_html == ""
    assert rendered(body).toc  # the data is there for templates anyway
    assert rendered(body, RenderOptions(toc=True)).toc_html
    assert rendered(body, RenderOptions(toc=True), toc=False).toc_html == ""
    assert rendered("no headings", toc=True).toc_html == ""
    assert rendered("## Only one\n\ntext", toc=True).toc_html == ""  # no list of one


def test_toc_marker_in_the_body_shows_the_toc_even_without_toc_option() -> None:
    result = rendered("[TOC]\n\n## A\n\n## B")
    assert result.html.startswith('<nav class="toc toc-inline"><ul class="toc-list">')


def test_toc_entry_keeps_rendered_math_and_drops_links() -> None:
    result = rendered("## Cost $O(n)$ of [sorting](http://x.org)[^1]\n\n[^1]: n", toc=True)
    (entry,) = result.toc
    assert entry.text == "Cost O(n) of sorting"
    assert "<math" in entry.html and "<a " not in entry.html and "fnref" not in entry.html


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (
            [2, 2],
            '<ul class="toc-list"><li><a href="#a">a</a></li><li><a href="#b">b</a></li></ul>',
        ),
        (
            [2, 3, 2],
            '<ul class="toc-list"><li><a href="#a">a</a><ul><li><a href="#b">b</a></li></ul>'
            '</li><li><a href="#c">c</a></li></ul>',
        ),
        (
            [3, 2],
            '<ul class="toc-list"><li><a href="#a">a</a></li><li><a href="#b">b</a></li></ul>',
        ),
        (
            [2, 4, 3],
            '<ul class="toc-list"><li><a href="#a">a</a><ul><li><a href="#b">b</a></li>'
            '<li><a href="#c">c</a></li></ul></li></ul>',
        ),
    ],
)
def test_toc_nesting(levels: list[int], expected: str) -> None:
    entries = [TocEntry(level, name, name) for level, name in zip(levels, "abc", strict=False)]
    assert toc_html(entries) == expected


@pytest.mark.parametrize(
    ("body", "words", "minutes"),
    [
        ("一二三四五", 5, 1),
        ("Hello brave new world", 4, 1),
        ("中文 and English 混排", 6, 1),
        ("anchor-free one-stage", 2, 1),
        ("字" * 2000, 2000, 5),
        ("word " * 1100, 1100, 5),
        ("```\nlots of code words here\n```\n\n$x + y$ 两字", 2, 1),
    ],
)
def test_word_count_and_reading_time(body: str, words: int, minutes: int) -> None:
    result = rendered(body)
    assert (result.word_count, result.reading_minutes) == (words, minutes)


def test_text_for_search_skips_code_tables_and_math() -> None:
    body = "## 标题\n\n正文 $x$ 与 `code` 和\n换行\n\n```\nhidden\n```\n\n| t |\n|---|\n| cell |\n"
    assert rendered(body).text == "标题\n正文 与 code 和换行"


def test_markdown_escaped_formulas_are_unescaped_when_the_site_says_so() -> None:
    body = "$a\\_1 \\* b\\_2$ and\n\n\\begin{align\\*}\nx \\\\\\\\ y\n\\end{align\\*}"
    plain = rendered(body)
    assert plain.warnings  # `\begin{align\*}` is no TeX
    fixed = rendered(body, RenderOptions(math_markdown_escaped=True))
    assert not fixed.warnings
    assert fixed.html.count("<math") == 2


def test_render_post_is_pure_and_picklable() -> None:
    post = make_post("## 概述\n\n$x$ text ![i](none.png)\n\n```python\nx\n```")
    first = render_post(post, RenderOptions())
    second = render_post(post, RenderOptions())
    assert first == second
    assert pickle.loads(pickle.dumps(first)) == first
    assert first.has_code and first.has_math


def test_nothing_crashes_on_odd_input() -> None:
    odd = [
        "$",
        "$$",
        "$$$",
        "\\",
        "\\(",
        "\\[",
        "\\begin{align}",
        "```",
        "> [!",
        "| |\n|-|\n| $ |",
        "[^1]",
        "<!-- more",
        "{:",
        "{{",
        "\x00",
        "$$\n$$",
        "\\begin{align}\\end{align}",
        "- $$\n$$",
        "> $$\n\n$$",
    ]
    for body in odd:
        rendered(body)


def test_a_failing_renderer_is_warnings_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def render_page(self, formulas: object, **options: object) -> list[object]:
            raise RuntimeError("boom")

    monkeypatch.setattr(document, "math_renderer", lambda macros: Broken())
    result = rendered("a $x<y$ b", body_line=3)
    assert [(w.line, w.message) for w in result.warnings] == [
        (3, "cannot render formula: renderer failed (RuntimeError: boom)")
    ]
    assert '<code class="math-error">x&lt;y</code>' in result.html


def test_the_description_is_the_summary_else_the_excerpt_prose_else_the_text() -> None:
    summary = rendered("Body text.", summary="A summary,\n  on two lines.")
    assert summary.description == "A summary, on two lines."
    lead = "Lead with $x_1$ &amp; more.\n\n<!-- more -->\n\nThe rest."
    assert rendered(lead).description == "Lead with & more."
    only_table = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert rendered(only_table).description == ""  # no prose: the site's description stands
    long = "词" * 200
    assert rendered(long).description == "词" * 159 + "…"
