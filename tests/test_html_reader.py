"""`<![` in raw HTML is read as browsers read it (a comment up to the next `>`), by every
reader of raw HTML: the excerpt's balance check, the plain text and the link check."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transmit.content.links import page_links
from transmit.html_reader import HTMLReader, without_comments
from transmit.render.excerpt import balanced_html
from transmit.render.text import html_to_text


class _Events(HTMLReader):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.events and self.events[-1][0] == "data":
            data = self.events.pop()[1] + data
        self.events.append(("data", data))

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment", data))


def events(*chunks: str) -> list[tuple[str, str]]:
    reader = _Events()
    for chunk in chunks:
        reader.feed(chunk)
    reader.close()
    return reader.events


# What Chromium's DOM holds for each (checked with `chromium --headless --dump-dom`).
CASES = {
    "<![CDATA[x]]>": [("comment", "[CDATA[x]]")],
    "a<![CDATA[1>2]]>": [("data", "a"), ("comment", "[CDATA[1"), ("data", "2]]>")],
    "<![if !IE]>shown<![endif]>": [
        ("comment", "[if !IE]"),
        ("data", "shown"),
        ("comment", "[endif]"),
    ],
    "<![": [("comment", "[")],
    "<![ x": [("comment", "[ x")],
    "z<![ x": [("data", "z"), ("comment", "[ x")],
    "<p><![x y</p>after": [("start", "p"), ("comment", "[x y</p"), ("data", "after")],
    "<div><![```": [("start", "div"), ("comment", "[```")],
    "<![>x": [("comment", "["), ("data", "x")],
    "a<!--<![>": [("data", "a"), ("comment", "<![>")],
}


@pytest.mark.parametrize("markup", sorted(CASES))
def test_marked_sections_read_as_browsers_do(markup: str) -> None:
    assert events(markup) == CASES[markup]


@pytest.mark.parametrize("markup", sorted(CASES))
def test_fed_in_pieces_or_at_once_reads_the_same(markup: str) -> None:
    assert events(*markup) == CASES[markup]
    for cut in range(len(markup) + 1):
        assert events(markup[:cut], markup[cut:]) == CASES[markup]


def test_other_declarations_are_the_standard_parsers() -> None:
    assert events("<!doctype html><!x y>t<!-- c -->") == [
        ("comment", "x y"),
        ("data", "t"),
        ("comment", " c "),
    ]


@pytest.mark.parametrize(
    ("markup", "text", "balanced"),
    [
        ("<![CDATA[x]]>", "", True),
        ("<p>a <![if !IE]>b<![endif]> c</p>", "a b c", True),
        ("<![", "", True),
        ("<![ x", "", True),
        ("<div><![```", "", False),
        ("<p><![x y</p>", "", False),  # the browser's comment swallows `</p`
        ("<p><![ x</p>q</p>", "q", True),
        ("<div>a<![CDATA[1>2]]></div>", "a2]]>", True),
    ],
)
def test_text_and_balance_of_marked_sections(markup: str, text: str, balanced: bool) -> None:
    assert html_to_text(markup) == text
    assert balanced_html(markup) is balanced


@pytest.mark.parametrize(
    ("markup", "kept"),
    [
        ("a<!-- b -->c", "ac"),
        ("a<!-- b", "a"),
        ("a<![ b >c", "ac"),
        ("a<![ b", "a"),
        ('<![x <a href="gone">y</a><!-- <a id="no"> -->', "y</a>"),
    ],
)
def test_without_comments(markup: str, kept: str) -> None:
    assert without_comments(markup) == kept


def test_the_link_check_skips_what_the_browser_reads_as_a_comment() -> None:
    links = page_links('<p><![x <a href="/hidden/">y</a> <a id="seen" href="/shown/">z</a></p>')
    assert links.hrefs == ("/shown/",)
    assert links.ids == frozenset({"seen"})


_BITS = ["<![", "<!", "<", ">", "]", "]]>", "[", "CDATA", "if", " ", "x", "<p>", "</p>", "<!--"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_BITS) | st.text(max_size=3), max_size=30).map("".join))
def test_any_markup_is_read_without_error(markup: str) -> None:
    balanced_html(markup)
    text = html_to_text(markup)
    if "&" not in markup:  # a character reference may spell `<![` as text
        assert "<![" not in text
    events(markup)
