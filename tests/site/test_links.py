"""Links to output paths, and relative links made absolute for feeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transmit.config import parse_config
from transmit.site import links
from transmit.site.links import absolute_url, absolutize_links, has_host, url_for


def config(base_url: str):  # type: ignore[no-untyped-def]
    return parse_config(f'title = "T"\nbase_url = "{base_url}"\n', Path("site.toml"), Path("."))


@pytest.mark.parametrize(
    ("base_url", "path", "link", "absolute"),
    [
        ("/", "posts/a/", "/posts/a/", "/posts/a/"),
        ("https://u.github.io/notes/", "", "/notes/", "https://u.github.io/notes/"),
        (
            "https://u.github.io/notes",
            "posts/注意力/",
            "/notes/posts/%E6%B3%A8%E6%84%8F%E5%8A%9B/",
            "https://u.github.io/notes/posts/%E6%B3%A8%E6%84%8F%E5%8A%9B/",
        ),
        ("https://x.org/", "tags/C++ 与 C#/", "/tags/C%2B%2B%20%E4%B8%8E%20C#/", None),
    ],
)
def test_links_are_encoded_and_carry_the_base_path(
    base_url: str, path: str, link: str, absolute: str | None
) -> None:
    site = config(base_url)
    assert url_for(site, path) == link
    if absolute is not None:
        assert absolute_url(site, path) == absolute


def test_without_a_host_absolute_urls_stay_root_relative() -> None:
    assert not has_host(config("/"))
    assert has_host(config("https://x.org/"))
    assert absolute_url(config("/blog/"), "atom.xml") == "/blog/atom.xml"


PAGE = "https://x.org/notes/posts/a/"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<img src="d.png" alt="d">', '<img src="https://x.org/notes/posts/a/d.png" alt="d">'),
        ("<a href='../b/'>b</a>", "<a href='https://x.org/notes/posts/b/'>b</a>"),
        ("<a href=/about/>x</a>", '<a href="https://x.org/about/">x</a>'),
        ('<a href="#fn1">1</a>', '<a href="https://x.org/notes/posts/a/#fn1">1</a>'),
        ('<a href="https://y.org/">y</a>', '<a href="https://y.org/">y</a>'),
        ('<a href="mailto:a@b.c">m</a>', '<a href="mailto:a@b.c">m</a>'),
        ('<img src="data:image/png;base64,AAA=">', '<img src="data:image/png;base64,AAA=">'),
        (
            '<img srcset="a.png 1x, b.png 2x">',
            '<img srcset="https://x.org/notes/posts/a/a.png 1x, '
            'https://x.org/notes/posts/a/b.png 2x">',
        ),
        ("<p>src=&quot;x.png&quot; stays text</p>", "<p>src=&quot;x.png&quot; stays text</p>"),
        ('<a data-href="x" href="y">', '<a data-href="x" href="https://x.org/notes/posts/a/y">'),
    ],
)
def test_relative_links_become_absolute(markup: str, expected: str) -> None:
    assert absolutize_links(markup, PAGE) == expected


def every_tag_tried(markup: str, page_url: str) -> str:
    """The plain way, trying every tag: what absolutize_links must give (it finds the tags by
    their URL attributes first, which is faster on MathML-heavy posts)."""
    return links._TAG.sub(lambda tag: links._rewrite_tag(tag.group(0), page_url), markup)


VALUES = (
    *('"x.png"', "'../b/'", "/abs/", '"#f"', '"https://y.org/"', '"a.png 1x, b.png 2x"'),
    *('"x>y"', "'q\"r'", '""', "mailto:m", "data:,", '"注意.png"', "`"),
)
ATTRIBUTE = st.builds(
    "".join,
    st.tuples(
        st.sampled_from([" ", "\t", "\n", "  ", ""]),
        st.sampled_from(["href", "HREF", "src", "srcset", "poster", "cite", "data-href", "alt"]),
        st.sampled_from(["=", " = ", "= ", ""]),
        st.sampled_from(VALUES),
    ),
)
TAG = st.builds(
    lambda name, attributes, end: f"<{name}{''.join(attributes)}{end}",
    st.sampled_from(["a", "img", "mi", "A", "!--", "1", ""]),
    st.lists(ATTRIBUTE, max_size=3),
    st.sampled_from([">", "/>", "", " >"]),
)
NOISE = st.sampled_from(["text", " ", "<", ">", "=", '"', "'", " href=", "注意", "&quot;", "-->"])


@given(st.lists(st.one_of(TAG, NOISE), max_size=12).map("".join))
def test_finding_tags_by_their_links_rewrites_what_trying_every_tag_does(markup: str) -> None:
    assert absolutize_links(markup, PAGE) == every_tag_tried(markup, PAGE)
