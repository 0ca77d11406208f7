"""Links to output paths, and relative links made absolute for feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from transmit.config import parse_config
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
