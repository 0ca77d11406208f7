"""A post's HTML made keyboard-scrollable without changing its content."""

from __future__ import annotations

import pytest

from transmit.site.prose import prepare_body


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
    ],
)
def test_prepare_body(markup: str, expected: str) -> None:
    assert prepare_body(markup) == expected


def test_prepare_body_is_idempotent() -> None:
    once = prepare_body("<table><tr><td>1</td></tr></table><pre>x</pre>")
    assert prepare_body(once) == once
