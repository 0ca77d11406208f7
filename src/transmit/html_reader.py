"""Raw HTML read the way browsers read it, where Python's `html.parser` does not.

A writer's raw HTML reaches three readers: the excerpt's balance check, the plain text for
search and word counts, and the link check. `<![` is where the standard library and the
browser part: Python 3.11 expects an SGML marked section (`<![CDATA[…]]>`, `<![if …]>`)
and raises AssertionError on anything else (`<![`, `<![ x`). The HTML standard reads every
`<![` in an HTML page as a bogus comment that ends at the next `>`, or at the end of the
input (a CDATA section exists only inside SVG and MathML, which the readers here leave
alone). All three readers follow the standard, so what they check or extract is what the
reader of the page sees, and no input stops them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_COMMENT_OPEN = re.compile(r"<!--|<!\[")


def bogus_comment_end(markup: str, start: int) -> int:
    """Where the `<![…>` starting at `start` ends for a browser: after the next `>`, or at
    the end of the input when no `>` follows."""
    close = markup.find(">", start + 3)
    return len(markup) if close < 0 else close + 1


def without_comments(markup: str) -> str:
    """`markup` without `<!-- … -->` comments and `<![ … >` bogus comments."""
    parts = []
    position = 0
    while found := _COMMENT_OPEN.search(markup, position):
        start = found.start()
        parts.append(markup[position:start])
        if found.group() == "<![":
            position = bogus_comment_end(markup, start)
            continue
        end = markup.find("-->", start + 4)
        if end < 0:
            return "".join(parts)
        position = end + 3
    parts.append(markup[position:])
    return "".join(parts)


class HTMLReader(HTMLParser):
    """`HTMLParser` that reads `<![` as browsers do, a comment up to the next `>`, and lets
    an unclosed comment run to the end of the input (the standard library makes it text)."""

    def reset(self) -> None:
        super().reset()
        self._closing = False  # in `close()`: what is still open runs to the end of the input

    def close(self) -> None:
        self._closing = True
        super().close()

    def parse_html_declaration(self, i: int) -> int:
        markup = self.rawdata
        if not markup.startswith("<![", i):
            return super().parse_html_declaration(i)
        close = markup.find(">", i + 3)
        if close >= 0:
            self.handle_comment(markup[i + 2 : close])
            return close + 1
        if not self._closing:
            return -1  # wait for more input; `close()` settles it
        self.handle_comment(markup[i + 2 :])
        return len(markup)

    def parse_comment(self, i: int, report: bool = True) -> int:
        end = super().parse_comment(i, report)
        if end >= 0 or not self._closing:
            return end
        if report:
            self.handle_comment(self.rawdata[i + 4 :])
        return len(self.rawdata)
