from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from transmit.config import Config
from transmit.content.loader import (
    SkippedSource,
    duplicate_paths,
    first_heading,
    load_site,
    parse_post,
)
from transmit.errors import SourceError

SITE = Path("/site")
CONFIG = Config(site_dir=SITE, title="T", timezone="Asia/Shanghai")


def parse(text: str | bytes, name: str = "content/posts/a.md", **config: object):  # type: ignore[no-untyped-def]
    raw = text.encode() if isinstance(text, str) else text
    settings = Config(site_dir=SITE, title="T", timezone="Asia/Shanghai", **config)  # type: ignore[arg-type]
    kind = "page" if "/pages/" in name else "post"
    return parse_post(raw, SITE / name, kind, settings, modified=1_700_000_000.0)


def test_a_plain_post() -> None:
    post = parse("---\ntitle: 标题\ndate: 2020-01-02\ntags: a, b\n---\nBody\n")
    assert (post.title, post.slug, post.path, post.tags) == ("标题", "a", "posts/a/", ("a", "b"))
    assert post.warnings == ()


def test_no_date_uses_the_file_name_then_the_modification_time() -> None:
    assert parse("x", "content/posts/2019-3-7-note.md").date.date().isoformat() == "2019-03-07"
    assert parse("x").date == datetime.fromtimestamp(1_700_000_000.0, CONFIG.zone)


def test_an_unusable_modification_time_asks_for_a_date() -> None:
    with pytest.raises(SourceError, match="add 'date:'"):
        parse_post(b"x", SITE / "content/posts/a.md", "post", CONFIG, modified=1e20)


def test_binary_bytes_are_skipped_not_errors() -> None:
    with pytest.raises(SkippedSource) as caught:
        parse(b"\x89PNG\r\n\x1a\n")
    assert (
        str(caught.value.warning())
        == "content/posts/a.md: is a binary file, not Markdown text; skipped"
    )


def test_a_legacy_encoding_allowed_by_the_site_is_read_with_a_warning() -> None:
    post = parse("---\ntitle: 注意\n---\n".encode("gbk"), encoding="gb18030")
    assert post.title == "注意"
    (warning,) = post.warnings
    assert "is saved as GB18030" in warning.message


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("slug: [a, b]", 2, "slug: slug must be text"),
        ('slug: "\\u202e"', 2, "control characters"),
        ("tags: ['C++', '???']", 2, "tags: '???' leaves no usable address"),
        ("categories: [AI, '//']", None, ""),
        ("cover: 'vbscript:msgbox'", 2, "not an image address"),
        ("cover: 'JaVaScRiPt:alert(1)'", 2, "not an image address"),
        ("cover: 'C:\\\\pics\\\\a.png'", 2, "not an image address"),
        ("aliases: //evil.example/x", 2, "not an address inside the site"),
        ("aliases: ['/a/', '/b/../../c']", 2, "not an address inside the site"),
        ("aliases: ['http://x.org/']", 2, "not an address inside the site"),
    ],
)
def test_values_that_would_make_an_unsafe_address(
    front: str, line: int | None, message: str
) -> None:
    text = f"---\n{front}\ndate: 2020-01-01\n---\n"
    if not message:
        assert parse(text).categories == (("AI",),)  # '//' has no parts: no category
        return
    with pytest.raises(
        SourceError, match=message.replace("+", r"\+").replace("?", r"\?")
    ) as caught:
        parse(text)
    assert caught.value.line == line


@pytest.mark.parametrize(
    ("front", "slug"),
    [
        ("cover: https://example.org/a.png", None),
        ("cover: ./img/a b.png", None),
        ("cover: /images/a.png", None),
        ("aliases: [/2019/03/old/, old.html]", None),
        ("slug: '  Spaced  Out '", "Spaced-Out"),
        ("slug: 2026", "2026"),
    ],
)
def test_values_that_are_fine(front: str, slug: str | None) -> None:
    post = parse(f"---\n{front}\ndate: 2020-01-01\n---\n")
    if slug is not None:
        assert post.slug == slug


@pytest.mark.parametrize("slug", ["tags", "Categories", "404.html", "search", "rss.xml"])
def test_pages_on_the_sites_own_addresses_are_refused(slug: str) -> None:
    with pytest.raises(SourceError, match="would collide with the site's own"):
        parse(f"---\nslug: {slug}\n---\n", "content/pages/x.md")
    assert parse(f"---\nslug: {slug}\n---\n", "content/posts/x.md").path == f"posts/{slug}/"


def test_control_characters_are_kept_and_named() -> None:
    post = parse('---\ntitle: "a\\x07b"\ntags: ["ok", "t\\x1bx"]\n---\n\nfine\n\nbad\x0cline\n')
    assert post.title == "a\x07b"
    assert [(w.line, w.message.split(" contains")[0]) for w in post.warnings] == [
        (2, "title"),
        (3, "tags"),
        (8, "the text"),
    ]


def test_a_pathological_heading_line_is_fast() -> None:
    assert first_heading("# " + " " * 100_000 + "x") == "x"
    assert first_heading("# a" + " #" * 100_000 + "x") is not None


def _site(tmp_path: Path, files: dict[str, str | bytes]) -> Config:
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return Config(site_dir=tmp_path, title="T")


def test_load_site_gathers_posts_errors_and_warnings(tmp_path: Path) -> None:
    config = _site(
        tmp_path,
        {
            "content/posts/ok.md": "---\ndate: 2020-01-01\n---\nok",
            "content/posts/bad.md": "---\ndate: nope\n---\n",
            "content/posts/img.md": b"\x89PNG\x00",
            "content/posts/ctl.md": "---\ndate: 2020-01-01\n---\n\x07",
            "content/pages/about.md": "# About",
        },
    )
    (tmp_path / "content/posts/gone.md").symlink_to("nowhere")
    loaded = load_site(config)
    assert sorted(p.rel_path for p in loaded.posts) == [
        "content/pages/about.md",
        "content/posts/ctl.md",
        "content/posts/ok.md",
    ]
    (error,) = loaded.errors
    assert str(error).startswith("content/posts/bad.md:2: date:")
    assert [str(w).split(":")[0] for w in loaded.warnings] == [
        "content/posts/gone.md",
        "content/posts/ctl.md",
        "content/posts/img.md",
    ]


def test_duplicates_by_case_and_unicode_form(tmp_path: Path) -> None:
    config = _site(
        tmp_path,
        {
            "content/posts/Note.md": "---\ndate: 2020-01-01\n---\n",
            "content/posts/note.md": "---\ndate: 2020-01-01\n---\n",
            "content/posts/caf\u00e9.md": "---\ndate: 2020-01-01\n---\n",
            "content/posts/cafe\u0301.md": "---\ndate: 2020-01-01\n---\n",
        },
    )
    messages = [e.message for e in duplicate_paths(load_site(config).posts)]
    assert len(messages) == 2
    assert any("another Unicode form" in m for m in messages)
    assert any("give one of them another 'slug'" in m for m in messages)
