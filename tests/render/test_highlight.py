"""Fenced code: highlighted at build time, text unchanged, options read from the info string."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.render.helpers import html_of
from transmit.render.highlight import CodeOptions, Highlighter, parse_info, pygments_css


def code_text(markup: str) -> str:
    """The text a reader copies: tags gone, entities decoded."""
    inner = re.search(r"<code[^>]*>(.*)</code>", markup, re.DOTALL)
    assert inner is not None
    return html.unescape(re.sub(r"<[^>]+>", "", inner.group(1)))


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("", CodeOptions()),
        ("python", CodeOptions("python")),
        ("python {3,5-7}", CodeOptions("python", highlight=frozenset({3, 5, 6, 7}))),
        ("python linenos", CodeOptions("python", linenos=True)),
        (
            "python {linenos=true,hl_lines=[2]}",
            CodeOptions("python", linenos=True, highlight=frozenset({2})),
        ),
        (
            'go {linenos=table,hl_lines=["2-3",5],linenostart=10}',
            CodeOptions("go", linenos=True, start=10, highlight=frozenset({2, 3, 5})),
        ),
        (
            'py title="a.py" linenums="4" hl_lines="1 3"',
            CodeOptions("py", linenos=True, start=4, highlight=frozenset({1, 3}), title="a.py"),
        ),
        ("python=", CodeOptions("python", linenos=True)),
        ("python=101", CodeOptions("python", linenos=True, start=101)),
        ("{r, echo=FALSE}", CodeOptions("r")),
        ("{.python .numberLines}", CodeOptions("python", linenos=True)),
        ("c++", CodeOptions("c++")),
        ("python {linenos=false}", CodeOptions("python")),
        ("bash {weird stuff", CodeOptions("bash")),
    ],
)
def test_parse_info(info: str, expected: CodeOptions) -> None:
    assert parse_info(info) == expected


CODE_SAMPLES = [
    ("python", 'def f(x):\n\tif x < 1 & 2:  \n\t\treturn "<b>"\n'),
    ("c", "#include <stdio.h>\nint main() { return a && b < c; }   \n"),
    ("bash", "awk '{print $1 \"\\t\" $4}' file | sort > out\n"),
    ("html", '<div class="a">&amp; &lt;</div>\n'),
    ("unknown-lang", "<x> & y\t\n"),
    ("", "plain <text> & more  \n\n\n"),
    ("python", '"""multi\nline\nstring"""\nx = 1\n'),
]


@pytest.mark.parametrize(("language", "code"), CODE_SAMPLES)
def test_code_text_is_never_changed(language: str, code: str) -> None:
    markup = Highlighter().render(language, code)
    assert code_text(markup) == code


@pytest.mark.parametrize(("language", "code"), CODE_SAMPLES)
def test_code_text_is_unchanged_with_line_numbers_and_marks(language: str, code: str) -> None:
    markup = Highlighter().render(f"{language} {{linenos=true,hl_lines=[1,2]}}", code)
    assert code_text(markup) == code


@settings(max_examples=100, deadline=None)
@given(st.text(st.sampled_from(list("ab <>&\"'\t\n #{}$\\é中")), max_size=60))
def test_property_code_text_survives_highlighting(code: str) -> None:
    for language in ("python", "bash", "text"):
        assert code_text(Highlighter().render(language, code)) == code


def test_known_language_is_highlighted_with_classes_and_labelled() -> None:
    markup = Highlighter().render("python", "import os\n")
    assert markup.startswith('<figure class="code-block" data-lang="python">')
    assert '<span class="code-lang">python</span>' in markup
    assert '<button type="button" class="code-copy" hidden>Copy</button>' in markup
    assert '<code class="language-python"><span class="kn">import</span>' in markup
    assert "style=" not in markup


def test_unknown_language_is_plain_and_escaped() -> None:
    markup = Highlighter().render("mermaid", "graph TD; A-->B <x>\n")
    assert '<span class="code-lang">mermaid</span>' in markup
    assert '<code class="language-mermaid">graph TD; A--&gt;B &lt;x&gt;\n</code>' in markup


def test_no_language_has_no_label() -> None:
    markup = Highlighter().render("", "x\n")
    assert "code-lang" not in markup and "data-lang" not in markup
    assert "<code>x\n</code>" in markup


def test_line_numbers_and_highlighted_lines() -> None:
    markup = Highlighter().render("python {2} linenos", "a = 1\nb = 2\nc = 3\n")
    assert '<pre class="highlight linenos" tabindex="0">' in markup
    lines = re.findall(r'<span class="line( hl)?">', markup)
    assert lines == ["", " hl", ""]
    start = Highlighter().render("python {linenostart=10}", "a\n")
    assert 'style="counter-reset: line 9"' in start


def test_copy_label_follows_the_language() -> None:
    assert ">复制</button>" in Highlighter().render("python", "x\n", "zh-CN")


def test_language_and_title_are_escaped() -> None:
    markup = Highlighter().render('"><script> title="<b>"', "x\n")
    assert "<script>" not in markup and "<b>" not in markup


def test_blocks_are_cached_per_process() -> None:
    highlighter = Highlighter()
    first = highlighter.render("python", "x = 1\n")
    second = highlighter.render("python", "x = 1\n")
    assert first is second
    assert highlighter.render_block.cache_info().hits == 1


def test_fences_and_indented_code_in_documents() -> None:
    html = html_of("```python\nx = '<&>'\n```\n\n    indented <code>\n")
    assert html.count('<figure class="code-block"') == 2
    assert "indented &lt;code&gt;\n" in html


def test_fence_inside_a_list_and_an_unclosed_fence() -> None:
    html = html_of("- item\n\n  ```python\n  x = 1\n  ```\n")
    assert '<li>\n<p>item</p>\n<figure class="code-block" data-lang="python">' in html
    unclosed = html_of("text\n\n```\nrest of *the* post\n")
    assert "rest of *the* post" in unclosed


def test_pygments_css_has_light_dark_and_line_rules() -> None:
    css = pygments_css()
    assert ".code-block .highlight .k " in css
    assert '[data-theme="dark"] .code-block .highlight .k ' in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert "counter-increment: line" in css and ".line.hl" in css
