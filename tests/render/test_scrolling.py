"""A post's HTML made keyboard-scrollable without changing its content."""

from __future__ import annotations

import pytest

from transmit.render.scrolling import prepare_body


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<pre><code>x</code></pre>", '<pre tabindex="0"><code>x</code></pre>'),
        ('<pre class="a"><code>x</code></pre>', '<pre class="a" tabindex="0"><code>x</code></pre>'),
        ('<pre tabindex="-1">x</pre>', '<pre tabindex="-1">x</pre>'),
        (
            "<p>&lt;pre&gt; and <code>&lt;table&gt;</code></p>",
            "<p>&lt;pre&gt; and <code>&lt;table&gt;</code></p>",
        ),
        (
            "<table>\n<tr><td>1</td></tr>\n</table>",
            '<div class="table-scroll" tabindex="0"><table>\n<tr><td>1</td></tr>\n</table></div>',
        ),
        ("<preface>x</preface>", "<preface>x</preface>"),
        ("<Pre>x</Pre>", '<pre tabindex="0">x</Pre>'),
    ],
)
def test_prepare_body(markup: str, expected: str) -> None:
    assert prepare_body(markup) == expected


def test_prepare_body_is_idempotent() -> None:
    once = prepare_body("<table><tr><td>1</td></tr></table><pre>x</pre>")
    assert prepare_body(once) == once


_NOTE = """Intro with <kbd>x</kbd> and a formula $a|b$.

| a | b |
|---|---|
| $x \\| y$ | 2 |

```python
print("wide")
```

    indented code

<table>
<tr><td>raw</td></tr>
</table>

<PRE>raw, in capitals</PRE>

Inline <pre>x</pre> in a paragraph.
"""


def test_the_renderer_writes_code_and_tables_ready_to_scroll() -> None:
    from tests.render.helpers import html_of, rendered

    markup = html_of(_NOTE)
    assert markup.count('<div class="table-scroll" tabindex="0"><table>') == 2
    assert markup.count("</table></div>") == 2
    assert markup.count('<pre class="highlight" tabindex="0">') == 2
    assert '<pre tabindex="0">raw, in capitals</PRE>' in markup
    assert 'Inline <pre tabindex="0">x</pre>' in markup
    post = rendered(_NOTE)
    for html in (post.html, post.excerpt_html):
        assert prepare_body(html) == html  # nothing left for the page to do
