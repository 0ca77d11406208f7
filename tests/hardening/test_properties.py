"""Random bytes, random front matter and random Markdown: the loader and the renderer raise
only the project's own errors (TransmitError and its subclasses), never anything else."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.render.helpers import balanced, make_post
from transmit.config import Config
from transmit.content.loader import parse_post
from transmit.content.post import Post
from transmit.errors import TransmitError
from transmit.render.data import RenderOptions
from transmit.render.document import render_post

SITE = Path("/site")
CONFIG = Config(site_dir=SITE, title="T", timezone="Asia/Shanghai")
FALLBACK = Config(site_dir=SITE, title="T", encoding="gb18030", slug_style="pinyin")
# TRANSMIT_FUZZ_EXAMPLES=5000 for a long hunt; the default keeps the suite quick.
EXAMPLES = int(os.environ.get("TRANSMIT_FUZZ_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = [
    "title", "date", "updated", "lastmod", "categories", "category", "tags", "summary", "slug",
    "draft", "published", "sticky", "toc", "math", "cover", "series", "aliases", "author",
    "weight", "<<", "? x", "", "-",
]  # fmt: skip
YAML_BITS = [
    "'", '"', "[", "]", "{", "}", ":", ": ", "- ", "#", "&a ", "*a", "!!int ", "!!str ", "!x ",
    "|", ">", "\t", "  ", "\n", "---", "...", "%YAML 1.1", "2026-13-45", "2020-01-01 10:00",
    "9999-12-31", "0001-01-01", "yes", "null", "~", ".nan", "1e999", "0x", "../", "/", "\\",
    "\x00", "\x1b", "\u202e", "注意力", "é", "e\u0301", "javascript:", "<script>", "]]>",
]  # fmt: skip
MARKDOWN_BITS = [
    "```", "~~~", "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\begin{align}", "\\end{align}",
    "\\frac{", "}", "{", "_", "*", "**", "`", "> ", "- ", "1. ", "* ", "+ ", "# ", "## ", "|",
    "|---|", "[", "]", "(", ")", "![", "[^1]", "[^1]: ", "<div>", "</div>", "<span>", "<!--",
    "-->", "<![", "<![CDATA[", "]]>", "<!-- more -->", "&amp;", "&#0;", "\\", "\n", "\n\n",
    "    ", "\t", "---", "===",
    ": ", "[[", "]]", "http://x.org", "www.", "@", "\x00", "\r", "\u2028", "中文", "𠀀", "é",
]  # fmt: skip

text_bits = st.sampled_from(YAML_BITS) | st.text(max_size=8)
yaml_value = st.lists(text_bits, max_size=8).map("".join)
markdown = st.lists(st.sampled_from(MARKDOWN_BITS) | st.text(max_size=6), max_size=60).map("".join)


def _front_matter(pairs: list[tuple[str, str]], fence: str) -> str:
    if fence == "+++":
        lines = [f"{key} = {json.dumps(value)}" for key, value in pairs]
    else:
        lines = [f"{key}: {value}" for key, value in pairs]
    return f"{fence}\n" + "\n".join(lines) + f"\n{fence}\n"


front_matter = st.builds(
    _front_matter,
    st.lists(st.tuples(st.sampled_from(KEYS) | st.text(max_size=5), yaml_value), max_size=8),
    st.sampled_from(["---", "+++"]),
)


def _load(raw: bytes, name: str = "content/posts/x.md", config: Config = CONFIG) -> Post | None:
    kind = "page" if "/pages/" in name else "post"
    try:
        return parse_post(raw, SITE / name, kind, config, modified=1_700_000_000.0)
    except TransmitError:
        return None


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes_load_or_raise_our_errors(raw: bytes) -> None:
    _load(raw)
    _load(raw, config=FALLBACK)


@FAST
@given(st.binary(max_size=300), st.sampled_from([b"---\n", b"+++\n", b"\xef\xbb\xbf---\r\n"]))
def test_random_bytes_inside_front_matter(raw: bytes, fence: bytes) -> None:
    _load(fence + raw + b"\n" + fence.strip(b"\xef\xbb\xbf") + b"body")


@FAST
@given(front_matter, markdown)
def test_random_front_matter_loads_or_raises_our_errors(head: str, body: str) -> None:
    post = _load((head + body).encode("utf-8", "surrogatepass"))
    if post is not None:
        assert post.slug and "/" not in post.slug and post.slug not in (".", "..")
        assert post.body == body.replace("\r\n", "\n").replace("\r", "\n")


@FAST
@given(st.text(max_size=40), st.sampled_from(["post", "page"]))
def test_random_file_names(name: str, kind: str) -> None:
    name = name.replace("/", "-").replace("\x00", "") or "x"
    _load(b"---\ndate: 2020-01-01\n---\n", f"content/{kind}s/{name}.md")


def _render(post: Post, options: RenderOptions) -> None:
    with contextlib.suppress(TransmitError):
        render_post(post, options)


@settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown, st.booleans())
def test_random_markdown_renders_or_raises_our_errors(body: str, unsafe_html: bool) -> None:
    _render(make_post(body), RenderOptions(unsafe_html=unsafe_html, excerpt_length=20))


@FAST
@given(markdown, markdown)
def test_random_summaries_and_excerpts(summary: str, body: str) -> None:
    _render(
        make_post(body, summary=summary or None),
        RenderOptions(math_macros=(("\\R", "\\mathbb{R}"),)),
    )
    _render(make_post(summary + "\n<!-- more -->\n" + body), RenderOptions(excerpt_length=1))


@FAST
@given(front_matter, markdown)
def test_random_sources_from_bytes_to_html(head: str, body: str) -> None:
    post = _load((head + body).encode())
    if post is not None:
        _render(post, RenderOptions())


MARKED_SECTIONS = ["<![CDATA[x]]>", "<![if !IE]>", "<![", "<![ x", "<div><![```", "<p><![x y</p>"]
PLACES = {
    "alone": "{}",
    "above more": "{}\n\n<!-- more -->\n\nrest",
    "below more": "first\n\n<!-- more -->\n\n{}\n\nrest",
    "inline above more": "words {} words\n\n<!-- more -->\n\nrest",
}
_READER_COMMENT = re.compile(r"<!--.*?(?:-->|$)|<!\[[^>]*(?:>|$)", re.DOTALL)


def _browser_balanced(markup: str) -> bool:
    """Tags balance once comments are taken out as a browser takes them (`<![` to `>`)."""
    return balanced(_READER_COMMENT.sub("", markup))


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("section", MARKED_SECTIONS)
def test_a_marked_section_in_raw_html(section: str, place: str) -> None:
    body = PLACES[place].format(section)
    shown = render_post(make_post(body), RenderOptions(unsafe_html=True))
    # raw where markdown-it reads HTML, escaped text where it does not: the author's characters
    assert section in html.unescape(shown.html)
    assert _browser_balanced(shown.excerpt_html)
    assert "rest" not in shown.excerpt_html
    if place == "above more":  # kept unless a browser would leave an element open
        assert (section in html.unescape(shown.excerpt_html)) is _browser_balanced(section)
    escaped = render_post(make_post(body), RenderOptions(unsafe_html=False))
    assert html.escape(section, quote=False) in escaped.html
    assert section in escaped.search_text
