"""No value from front matter ever becomes markup: every field carries hostile text, and every
built file is read back as a browser, a feed reader or a JSON parser would read it."""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import SiteMaker
from tests.hardening.helpers import transmit

PAYLOADS = (
    "<script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    '" onerror="alert(3)',
    "' onmouseover='alert(4)",
    "]]><evil/>",
    "<!-- x --><![CDATA[y]]>",
    "{{ 7*7 }}{% raw %}",
    "&amp;&lt;&#60;",
)
TITLE = "T " + " ".join(PAYLOADS)


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars


def _hostile_post(extra_title: str = "") -> str:
    fields = {
        "title": TITLE + extra_title,
        "summary": "S " + " ".join(PAYLOADS),
        "author": "A " + " ".join(PAYLOADS),
        "description": "D " + " ".join(PAYLOADS),
        "series": "Z " + " ".join(PAYLOADS),
        "cover": 'cover" onerror="alert(7)<script>alert(8)</script>.png',
        "slug": "x<script>y",
    }
    lines = [f"{key}: {_yaml(value)}" for key, value in fields.items()]
    lines += [
        "date: 2020-01-02",
        "tags: " + json.dumps(["<b>tag</b>", '"><script>alert(9)</script>', "x]]>", "tag & more"]),
        "categories: " + json.dumps(["<i>Cat<i>", "<script>x"]),
        "keywords: " + json.dumps(["<script>k</script>"]),
    ]
    return "---\n" + "\n".join(lines) + "\n---\n\nBody <b>kept</b> as the author's HTML.\n"


@pytest.fixture
def hostile_site(make_site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> Path:
    site = make_site(
        {
            "content/posts/hostile.md": _hostile_post(),
            "content/posts/control.md": _hostile_post(" \x01\x0b\x1b bell\x07").replace(
                "x<script>y", "control"
            ),
            "content/pages/about.md": "---\ntitle: " + _yaml(TITLE) + "\n---\nAbout.\n",
        },
        config='title = "Site <script>alert(10)</script>"\nauthor = "Me \\" onload=\\"x"\n'
        'base_url = "https://example.org/notes/"\n',
    )
    run = transmit(capsys, "build", site)
    assert run.status == 0, run.err
    return site / "public"


class _Page(HTMLParser):
    """What a browser would run or load from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.elements: list[str] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


def _parse(path: Path) -> _Page:
    parsed = _Page()
    parsed.feed(path.read_text(encoding="utf-8"))
    parsed.close()
    return parsed


def _html_files(public: Path) -> list[Path]:
    files = sorted(public.rglob("*.html"))
    assert files
    return files


def _url_scheme(value: str) -> str:
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", value).lower()
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", cleaned)
    return match.group(1) if match else ""


def test_no_value_becomes_an_element_a_handler_or_a_script(hostile_site: Path) -> None:
    for path in _html_files(hostile_site):
        page = _parse(path)
        assert "evil" not in page.elements, path
        for tag, name, value in page.attributes:
            assert not (name.startswith("on") and "alert" in value), (path, tag, name, value)
            assert name not in ("onerror", "onmouseover", "onload"), (path, tag, name)
        for attrs, text in page.scripts:
            if attrs.get("type") == "application/ld+json":
                json.loads(text)  # data, never code
                continue
            assert "alert" not in text, (path, text)
            assert "src" not in attrs or "alert" not in (attrs["src"] or ""), path


def test_no_url_attribute_carries_a_script_scheme(hostile_site: Path) -> None:
    for path in _html_files(hostile_site):
        for tag, name, value in _parse(path).attributes:
            if name in ("href", "src", "srcset", "content", "action", "poster", "data"):
                assert _url_scheme(value) not in ("javascript", "vbscript", "data"), (
                    path,
                    tag,
                    name,
                    value,
                )


def test_hostile_text_reaches_the_page_as_text_every_character_kept(hostile_site: Path) -> None:
    page = _parse(hostile_site / "posts/x-script-y/index.html")
    text = "".join(page.text)
    assert TITLE in text
    assert "49" not in text.replace("2020", "")  # {{ 7*7 }} was never evaluated
    home = "".join(_parse(hostile_site / "index.html").text)
    assert TITLE in home
    assert "Site <script>alert(10)</script>" in home


def test_the_body_is_the_authors_html(hostile_site: Path) -> None:
    page = (hostile_site / "posts/x-script-y/index.html").read_text(encoding="utf-8")
    assert "Body <b>kept</b> as the author's HTML." in page


def _feeds(public: Path) -> list[Path]:
    feeds = [p for p in public.rglob("*.xml") if p.name in ("atom.xml", "rss.xml")]
    assert feeds, "no feeds yet"
    return feeds


def test_feeds_are_well_formed_and_carry_values_as_text(hostile_site: Path) -> None:
    feedparser = pytest.importorskip("feedparser")
    for path in _feeds(hostile_site):
        ElementTree.parse(path)  # well formed even with control characters in a title
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        titles = [entry.title for entry in feed.entries]
        assert TITLE in titles, titles
        for entry in feed.entries:
            for link in entry.get("links", []):
                assert _url_scheme(link.get("href", "")) in ("http", "https"), link


def test_feed_content_keeps_cdata_breakers_as_text(hostile_site: Path) -> None:
    for path in _feeds(hostile_site):
        root = ElementTree.parse(path).getroot()
        assert not any(element.tag.endswith("evil") for element in root.iter()), path
        texts = "".join(root.itertext())
        assert "]]><evil/>" in texts


def test_sitemap_is_well_formed_with_absolute_urls(hostile_site: Path) -> None:
    root = ElementTree.parse(hostile_site / "sitemap.xml").getroot()
    locations = [element.text or "" for element in root.iter() if element.tag.endswith("loc")]
    assert locations
    for location in locations:
        assert location.startswith("https://example.org/notes/"), location
        assert not re.search(r"[<>\"' ]", location), location


def test_json_ld_is_data_with_the_exact_values(hostile_site: Path) -> None:
    path = hostile_site / "posts/x-script-y/index.html"
    raw = path.read_text(encoding="utf-8")
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', raw, flags=re.DOTALL | re.I
    )
    assert blocks, "no JSON-LD yet"
    for block in blocks:
        assert "<!--" not in block and "</" not in block
        data = json.loads(block)
        assert data.get("headline") == TITLE or data.get("name") == TITLE
        image = data.get("image")
        if image:
            image_url = image if isinstance(image, str) else json.dumps(image)
            assert _url_scheme(image_url) in ("http", "https", ""), image


def test_search_data_is_json_with_the_exact_values(hostile_site: Path) -> None:
    documents = sorted((hostile_site / "search-index/doc").glob("*.tx"))
    assert documents
    records = [json.loads(gzip.decompress(path.read_bytes())) for path in documents]
    (record,) = [r for r in records if r["url"].endswith("/posts/x-script-y/")]
    assert record["title"] == TITLE
    assert '"><script>alert(9)</script>' in record["tags"]
    for record in records:
        assert _url_scheme(record["url"]) in ("", "http", "https")


def test_every_xml_file_is_well_formed(hostile_site: Path) -> None:
    files = list(hostile_site.rglob("*.xml"))
    assert files, "no XML output yet"
    for path in files:
        ElementTree.parse(path)


def test_nothing_is_written_outside_the_output_folder(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    site = make_site(
        {
            "content/posts/bundle/index.md": "---\ndate: 2020-01-01\n---\n![a](a.png)\n",
            "content/posts/bundle/a.png": b"png",
            "content/posts/b.md": "---\ndate: 2020-01-01\ntags: ['../../../x']\n"
            "categories: ['..y']\naliases: [/old/]\n---\n",
            "static/s.txt": "s",
        }
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    assert transmit(capsys, "build", site, "--out", out).status == 0
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    for path in set(after) - set(before):
        relative = path.relative_to(tmp_path)
        assert relative.parts[0] == "out" or relative.parts[:2] == ("site", ".transmit-cache"), (
            relative
        )
    for path, data in before.items():
        assert after[path] == data, path
