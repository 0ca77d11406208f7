"""Atom and RSS feeds, read back by a real feed parser."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import feedparser
import pytest

from tests.site.built import build_sample, read
from tests.site.records import make_entry
from transmit.config import parse_config
from transmit.site.feeds import (
    FEED_LENGTH,
    Feed,
    FeedBodies,
    atom_feed,
    rss_feed,
    xml_cdata,
    xml_text,
)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("feeds") / "site")


def feed_paths(out: Path) -> list[str]:
    return sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*.xml") if p.name != "sitemap.xml"
    )


def test_there_is_a_site_feed_and_one_per_category_and_tag(out: Path) -> None:
    paths = feed_paths(out)
    assert "atom.xml" in paths and "rss.xml" in paths
    assert "categories/深度学习/atom.xml" in paths
    assert "categories/深度学习/优化/atom.xml" in paths
    assert "tags/注意力机制/atom.xml" in paths
    categories = list((out / "categories").rglob("index.html"))
    tags = list((out / "tags").rglob("index.html"))
    pages = [
        p
        for p in categories + tags
        if "page" not in p.parent.parts and p.parent.name not in ("categories", "tags")
    ]
    assert len(paths) == 2 + len(pages)


def test_every_feed_parses_cleanly_with_complete_entries(out: Path) -> None:
    for path in feed_paths(out):
        parsed = feedparser.parse((out / path).read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.feed.title and parsed.entries, path
        for entry in parsed.entries:
            assert entry.title and entry.link and entry.id, (path, entry)
            assert entry.get("published_parsed") or entry.get("updated_parsed"), (path, entry)
            assert entry.link.startswith("https://example.org/posts/"), entry.link


def test_the_site_feed_carries_the_latest_posts_newest_first_with_full_content(out: Path) -> None:
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    assert parsed.feed.updated == "2026-03-05T09:00:00+08:00"  # the newest change, not build time
    titles = [entry.title for entry in parsed.entries]
    assert titles[0] == "Softmax 与交叉熵 Softmax and Cross-Entropy"
    assert titles[-1] == "2024 年的笔记 Notes from 2024"  # sticky posts are not moved up in feeds
    softmax = parsed.entries[0]
    assert "<math" in softmax.content[0].value  # formulas arrive rendered
    assert "numerical stability" in softmax.content[0].value
    assert {tag.term for tag in softmax.tags} >= {"深度学习/基础", "softmax", "math"}
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    assert [entry.title for entry in rss.entries] == titles


def test_links_and_images_inside_posts_are_absolute(out: Path) -> None:
    for path in ("atom.xml", "rss.xml"):
        root = ElementTree.fromstring((out / path).read_bytes())
        bodies = [
            el.text or "" for el in root.iter() if el.tag in (f"{ATOM}content", "description")
        ]
        urls = [m for body in bodies for m in re.findall(r'(?:href|src)="([^"]*)"', body)]
        assert urls, path
        for url in urls:
            assert re.match(r"(https?:|mailto:|data:)", url), (path, url)
    atom = read(out, "atom.xml")
    assert "https://example.org/posts/yolo/cover.png" in atom
    assert "https://example.org/posts/attention/" in atom
    assert "https://example.org/posts/softmax/#fn1" in atom


def test_front_matter_values_are_escaped_in_xml(out: Path) -> None:
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    welcome = next(e for e in parsed.entries if e.title.startswith("Welcome"))
    assert welcome.title == 'Welcome <transmission> & "quotes"'


def config(base_url: str = "https://x.org/"):  # type: ignore[no-untyped-def]
    return parse_config(
        f'title = "T & <co>"\nbase_url = "{base_url}"\ntimezone = "Asia/Shanghai"\n',
        Path("site.toml"),
        Path("."),
    )


def test_feeds_hold_the_latest_twenty_and_are_the_same_every_time() -> None:
    entries = tuple(make_entry(f"p{i:02}", f"2026-01-{i % 28 + 1:02}") for i in range(30))
    site = config()
    feed = Feed("T", "atom.xml", "", entries)
    first = atom_feed(site, feed, FeedBodies(site))
    parsed = feedparser.parse(first)
    assert len(parsed.entries) == FEED_LENGTH
    assert first == atom_feed(site, feed, FeedBodies(site))
    assert not parsed.bozo and parsed.feed.title == "T"


def test_an_empty_feed_is_still_valid_and_dated_without_the_clock() -> None:
    site = config()
    data = atom_feed(site, Feed("T", "atom.xml", "", ()), FeedBodies(site))
    parsed = feedparser.parse(data)
    assert not parsed.bozo and parsed.entries == []
    assert "<updated>1970-01-01T08:00:00+08:00</updated>" in data.decode()
    rss = feedparser.parse(rss_feed(site, Feed("T", "rss.xml", "", ()), FeedBodies(site)))
    assert not rss.bozo


def test_a_site_without_a_host_gets_stable_ids_instead_of_urls() -> None:
    site = config("/")
    entries = (make_entry("a", html='<p><a href="../b/">b</a></p>'),)
    parsed = feedparser.parse(atom_feed(site, Feed("T", "atom.xml", "", entries), FeedBodies(site)))
    assert not parsed.bozo
    (entry,) = parsed.entries
    assert entry.id.startswith("urn:uuid:") and entry.link == "/posts/a/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('a & b < c > d "e"', "a &amp; b &lt; c &gt; d &quot;e&quot;"),
        ("form\x0cfeed\x00nul\ufffe", "formfeednul"),
        ("tab\tnew\nline", "tab\tnew\nline"),
        ("中文 𝔼", "中文 𝔼"),
    ],
)
def test_xml_text(text: str, expected: str) -> None:
    assert xml_text(text) == expected


def test_exactly_the_characters_xml_cannot_carry_are_dropped() -> None:
    """XML 1.0's Char: tab, line feed, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and
    U+10000 up; every other code point (lone surrogates among them) goes."""

    def carried(code: int) -> bool:
        return (
            code in (9, 10, 13)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000
        )

    every = "".join(map(chr, range(0x110000)))
    kept = "".join(chr(code) for code in range(0x110000) if carried(code))
    assert xml_cdata(every) == "<![CDATA[" + kept + "]]>"


@pytest.mark.parametrize(
    "html",
    [
        "<p>a &amp; b &lt; c</p>",
        "<p>x]]>y</p>",
        "<code>a[b[0]]]]>c</code>",
        "<math><mi>x</mi><mo>&lt;</mo></math> 中文 𝔼",
        "]]>",
        "",
    ],
)
def test_xml_cdata_carries_the_markup_unchanged(html: str) -> None:
    """Feed content rides in CDATA sections: an XML parser gives back the very markup, `]]>`
    and all; characters XML cannot carry are dropped."""
    form_feed = "\x0c"
    element = ElementTree.fromstring(f"<content>{xml_cdata(html + form_feed)}</content>")
    assert (element.text or "") == html


def test_a_post_whose_markup_holds_a_cdata_end_reads_back_whole() -> None:
    site = config()
    html = "<p>Indexing <code>a[b[i]]&gt;0</code> and a raw ]]> in text.</p>"
    entries = (make_entry("a", html=html),)
    for make in (atom_feed, rss_feed):
        parsed = feedparser.parse(make(site, Feed("T", "atom.xml", "", entries), FeedBodies(site)))
        assert not parsed.bozo, parsed.get("bozo_exception")
        (entry,) = parsed.entries
        text = entry.content[0].value if make is atom_feed else entry.description
        assert text == html


def test_a_post_in_several_feeds_is_read_once_and_every_feed_notes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transmit.build.cache import LazyRendered, ReadLog, RenderCache, stub_of
    from transmit.build.store import digest
    from transmit.site.entry import Entry

    plain = [
        make_entry(f"p{i}", f"2026-01-0{i + 1}", html=f'<p><a href="x{i}/">x</a></p>')
        for i in range(3)
    ]
    fingerprint = digest(str(tmp_path))  # keys of this test alone: the memo is the process's
    cache = RenderCache(tmp_path, fingerprint)
    keys = [digest(fingerprint, entry.post.slug).hex() for entry in plain]
    for key, entry in zip(keys, plain, strict=True):
        cache.save(key, entry.rendered, ())
    cache.flush()
    cache = RenderCache(tmp_path, fingerprint)
    loads: list[str] = []
    load = cache.load
    monkeypatch.setattr(cache, "load", lambda key, reads: loads.append(key) or load(key, reads))
    log = ReadLog()
    lazy = tuple(
        Entry(
            entry.post, LazyRendered(stub_of(entry.rendered), key, (), cache, entry.post.slug, log)
        )  # type: ignore[arg-type]
        for key, entry in zip(keys, plain, strict=True)
    )
    site = config()
    feeds = [Feed("All", "atom.xml", "", lazy), Feed("Two", "tags/t/atom.xml", "tags/t/", lazy[:2])]
    noted = []
    for feed in feeds:
        log.current = []
        made = atom_feed(site, feed, FeedBodies(site))
        noted.append(sorted(set(log.current)))
        plain_feed = Feed(feed.title, feed.path, feed.page_path, tuple(plain[: len(feed.entries)]))
        assert made == atom_feed(site, plain_feed, FeedBodies(site))
    log.current = None
    assert noted == [["p0", "p1", "p2"], ["p0", "p1"]]
    assert sorted(loads) == sorted(keys)  # each rendered post loaded once, for the first feed

    # rendered again under the same key (an image it shows changed): the new text
    again = make_entry("p0", "2026-01-01", html='<p><img src="d.png" width="2" height="1"></p>')
    seen = (("d.png", (1, 1)),)
    cache.save(keys[0], again.rendered, seen)
    cache.flush()
    fresh = RenderCache(tmp_path, fingerprint)
    renewed = Entry(
        again.post, LazyRendered(stub_of(again.rendered), keys[0], seen, fresh, "p0", log)
    )  # type: ignore[arg-type]
    made = atom_feed(site, Feed("Two", "t.xml", "", (renewed,)), FeedBodies(site)).decode()
    assert 'src="https://x.org/posts/p0/d.png"' in made


def test_feed_texts_kept_are_bounded_by_their_length() -> None:
    from transmit.site.feeds import _FeedTexts

    stub = object()
    texts = _FeedTexts(limit=10)
    texts.put(("a", "html", "u"), (stub, "12345"))
    texts.put(("b", "html", "u"), (stub, "12345"))
    assert texts.get(("a", "html", "u")) == (stub, "12345")  # now the most recently used
    texts.put(("c", "html", "u"), (stub, "123"))
    assert texts.get(("b", "html", "u")) is None
    assert texts.get(("c", "html", "u")) == (stub, "123")
    texts.put(("d", "html", "u"), (stub, "x" * 50))  # longer than the limit: kept alone
    assert texts.get(("d", "html", "u")) == (stub, "x" * 50)
    assert texts.get(("a", "html", "u")) is None
    texts.put(("d", "html", "u"), (stub, "y"))  # the same key again: counted once
    texts.put(("e", "html", "u"), (stub, "123456789"))
    assert texts.get(("d", "html", "u")) == (stub, "y")
    assert texts.get(("e", "html", "u")) == (stub, "123456789")
