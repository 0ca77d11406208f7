"""Build tests on small sites made in tmp_path."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import SiteMaker
from transmit.build.pipeline import BuildFailed, BuildOptions, build_site
from transmit.errors import SourceError

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def build(site: Path, **options: object):  # type: ignore[no-untyped-def]
    return build_site(site, BuildOptions(now=NOW, **options))  # type: ignore[arg-type]


def post(title: str, date: str, extra: str = "", body: str = "Body text.") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


def home_titles(site: Path, page: str = "") -> list[str]:
    html = (site / "public" / page / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<h2><a href="[^"]*">([^<]*)</a></h2>', html)


def test_posts_pages_and_bundles_are_written(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/first.md": post("First", "2026-01-01"),
            "content/posts/bundle/index.md": post("Bundle", "2026-01-02", body="![d](d.png)"),
            "content/posts/bundle/d.png": b"\x89PNG fake",
            "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
            "static/favicon.svg": "<svg/>",
        }
    )
    summary = build(site)
    out = site / "public"
    assert summary.posts == 2 and summary.pages == 1
    assert (out / "posts/first/index.html").is_file()
    assert (out / "posts/bundle/index.html").is_file()
    assert (out / "posts/bundle/d.png").read_bytes() == b"\x89PNG fake"
    assert (out / "about/index.html").is_file()
    assert (out / "favicon.svg").is_file()
    assert (out / "404.html").is_file()
    assert (out / "assets/transmit.css").is_file()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "INCOMING TRANSMISSION" in home and "LATEST UPDATES" in home
    assert home_titles(site) == ["Bundle", "First"]


def test_chinese_slugs_stay_chinese_on_disk_and_are_encoded_in_links(make_site: SiteMaker) -> None:
    site = make_site({"content/posts/注意力机制.md": post("注意力机制", "2026-01-01")})
    build(site)
    assert (site / "public/posts/注意力机制/index.html").is_file()
    home = (site / "public/index.html").read_text(encoding="utf-8")
    assert 'href="/posts/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6/"' in home


def test_pinyin_and_hash_styles(make_site: SiteMaker) -> None:
    files = {"content/posts/注意力机制.md": post("注意力机制", "2026-01-01")}
    site = make_site(files, config='title = "T"\nslug_style = "pinyin"\n', name="pinyin")
    build(site)
    assert (site / "public/posts/zhu-yi-li-ji-zhi/index.html").is_file()
    site = make_site(files, config='title = "T"\nslug_style = "hash"\n', name="hash")
    build(site)
    (folder,) = (site / "public/posts").iterdir()
    assert re.fullmatch(r"[0-9a-f]{10}", folder.name)


def test_front_matter_slug_wins(make_site: SiteMaker) -> None:
    site = make_site({"content/posts/长文件名.md": post("T", "2026-01-01", "slug: short\n")})
    build(site)
    assert (site / "public/posts/short/index.html").is_file()


def test_drafts_and_future_posts_are_skipped_and_counted(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("A", "2026-01-01"),
            "content/posts/draft.md": post("Draft", "2026-01-02", "draft: true\n"),
            "content/posts/later.md": post("Later", "2027-01-01"),
        }
    )
    summary = build(site)
    assert summary.skipped_drafts == ("content/posts/draft.md",)
    assert summary.skipped_future == ("content/posts/later.md",)
    assert home_titles(site) == ["A"]
    build(site, drafts=True, future=True)
    assert home_titles(site) == ["Later", "Draft", "A"]


def test_order_is_newest_first_then_title_then_path(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/z.md": post("Same", "2026-01-11"),
            "content/posts/a.md": post("Same", "2026-01-11"),
            "content/posts/b.md": post("Beta", "2026-01-11"),
            "content/posts/c.md": post("Alpha", "2026-01-11"),
            "content/posts/n.md": post("Newest", "2026-01-11 00:00:01"),
            "content/posts/o.md": post("Old", "2025-12-31"),
        }
    )
    build(site)
    first = home_titles(site)
    assert first == ["Newest", "Alpha", "Beta", "Same", "Same", "Old"]
    html = (site / "public/index.html").read_text(encoding="utf-8")
    assert html.index("/posts/a/") < html.index("/posts/z/")
    build(site)
    assert home_titles(site) == first


def test_sticky_posts_lead_the_home_page(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/new.md": post("New", "2026-03-01"),
            "content/posts/pinned.md": post("Pinned", "2025-01-01", "sticky: true\n"),
        }
    )
    build(site)
    assert home_titles(site) == ["Pinned", "New"]


def test_pagination(make_site: SiteMaker) -> None:
    files = {f"content/posts/p{i}.md": post(f"P{i}", f"2026-01-{i + 10}") for i in range(5)}
    site = make_site(files, config='title = "T"\nper_page = 2\n')
    build(site)
    assert home_titles(site) == ["P4", "P3"]
    assert home_titles(site, "page/2") == ["P2", "P1"]
    assert home_titles(site, "page/3") == ["P0"]
    assert not (site / "public/page/4").exists()
    html = (site / "public/page/2/index.html").read_text(encoding="utf-8")
    assert 'href="/page/2/" aria-current="page"' in html
    assert 'rel="prev" href="/"' in html and 'rel="next" href="/page/3/"' in html


def test_sub_path_base_url_prefixes_every_link(make_site: SiteMaker) -> None:
    files = {f"content/posts/p{i}.md": post(f"P{i}", f"2026-01-{i + 10}") for i in range(3)}
    site = make_site(
        files, config='title = "T"\nper_page = 2\nbase_url = "https://u.github.io/notes/"\n'
    )
    build(site)
    for page in (site / "public").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for link in re.findall(r'(?:href|src)="([^"]+)"', html):
            assert link.startswith(("/notes/", "#", "https://")), (page, link)


def test_date_shown_in_the_site_zone(make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    site = make_site({"content/posts/a.md": post("A", "2026-01-09 23:30")})
    build(site)
    html = (site / "public/index.html").read_text(encoding="utf-8")
    assert ">2026-01-09</time>" in html
    assert 'datetime="2026-01-09T23:30:00+08:00"' in html


def test_title_falls_back_to_heading_then_file_name(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/h.md": "---\ndate: 2026-01-02\n---\n\n```\n# no\n```\n\n## 真正的标题\n",
            "content/posts/setext.md": "---\ndate: 2026-01-03\n---\nSetext Title\n===\n",
            "content/posts/file-name.md": "---\ndate: 2026-01-01\n---\nno heading\n",
        }
    )
    build(site)
    assert home_titles(site) == ["Setext Title", "真正的标题", "file-name"]


def test_bom_crlf_and_no_front_matter(make_site: SiteMaker) -> None:
    text = "\ufeff---\r\ntitle: 窗口\r\ndate: 2026-01-01\r\n---\r\n\r\n正文 text\r\n"
    site = make_site(
        {"content/posts/win.md": text.encode("utf-8"), "content/posts/bare.md": "# Bare\n\nx\n"}
    )
    build(site, future=True)  # no date: the file's time, which is after NOW
    html = (site / "public/posts/win/index.html").read_text(encoding="utf-8")
    assert "<h1>窗口</h1>" in html and "\r" not in html and "\ufeff" not in html
    assert (site / "public/posts/bare/index.html").is_file()


def test_date_from_jekyll_file_name(make_site: SiteMaker) -> None:
    site = make_site({"content/posts/2017-07-08-old-note.md": "# Old\n"})
    build(site)
    html = (site / "public/posts/old-note/index.html").read_text(encoding="utf-8")
    assert ">2017-07-08</time>" in html


def test_two_posts_on_one_url_name_both_files(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("A", "2026-01-01", "slug: same\n"),
            "content/posts/b.md": post("B", "2026-01-01", "slug: same\n"),
        }
    )
    with pytest.raises(BuildFailed) as caught:
        build(site)
    (error,) = caught.value.errors
    assert "content/posts/a.md" in str(error) and "content/posts/b.md" in str(error)


def test_every_bad_file_is_reported_and_nothing_is_written(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/ok.md": post("OK", "2026-01-01"),
            "content/posts/bad-date.md": post("Bad", "2021-02-301"),
            "content/posts/bad-yaml.md": '---\ntitle: "x\n---\n',
        }
    )
    with pytest.raises(BuildFailed) as caught:
        build(site)
    messages = sorted(str(e) for e in caught.value.errors)
    assert messages[0].startswith("content/posts/bad-date.md:3: date:")
    assert messages[1].startswith("content/posts/bad-yaml.md:2: ")
    assert not (site / "public").exists()


def test_a_failed_build_leaves_the_previous_output(make_site: SiteMaker) -> None:
    site = make_site({"content/posts/a.md": post("A", "2026-01-01")})
    build(site)
    before = {p: p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    (site / "content/posts/b.md").write_text(post("B", "not a date"), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(site)
    after = {p: p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".")] == [".transmit-cache"]


def test_build_never_writes_under_content(make_site: SiteMaker) -> None:
    site = make_site({"content/posts/a.md": post("A", "2026-01-01")})
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.rglob("*") if p.is_file()}
    build(site)
    for path, state in before.items():
        assert (path.stat().st_mtime_ns, path.read_bytes()) == state


def test_out_option(make_site: SiteMaker, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": post("A", "2026-01-01")})
    build(site, out_dir=tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere/posts/a/index.html").is_file()
    assert not (site / "public").exists()


def test_templates_are_overridden_file_by_file(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("A", "2026-01-01"),
            "templates/post.html": "CUSTOM {{ entry.post.title }}",
        }
    )
    build(site)
    assert (site / "public/posts/a/index.html").read_text(encoding="utf-8") == "CUSTOM A"
    assert "LATEST UPDATES" in (site / "public/index.html").read_text(encoding="utf-8")


def test_a_broken_template_names_file_and_line(make_site: SiteMaker) -> None:
    site = make_site(
        {"content/posts/a.md": post("A", "2026-01-01"), "templates/post.html": "ok\n{% if %}\n"}
    )
    with pytest.raises(SourceError) as caught:
        build(site)
    assert caught.value.line == 2
    assert "post.html" in str(caught.value.path)


def test_values_from_front_matter_are_escaped(make_site: SiteMaker) -> None:
    site = make_site({"content/posts/x.md": post('"<script>alert(1)</script>"', "2026-01-01")})
    build(site)
    html = (site / "public/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_parallel_and_serial_builds_are_identical(make_site: SiteMaker, tmp_path: Path) -> None:
    files = {
        f"content/posts/p{i:03}.md": post(f"P{i}", "2026-01-01", body=f"$x_{i}$ text {i}")
        for i in range(80)
    }
    site = make_site(files)
    build(site, out_dir=tmp_path / "one", jobs=1)
    build(site, out_dir=tmp_path / "two", jobs=2)
    one = {
        p.relative_to(tmp_path / "one"): p.read_bytes()
        for p in (tmp_path / "one").rglob("*")
        if p.is_file()
    }
    two = {
        p.relative_to(tmp_path / "two"): p.read_bytes()
        for p in (tmp_path / "two").rglob("*")
        if p.is_file()
    }
    assert one == two


@pytest.mark.parametrize("enabled", [True, False])
def test_a_build_frees_its_site_before_the_collector_runs_again(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    import gc
    import weakref

    from transmit.build import incremental

    builders: list[weakref.ref[incremental.IncrementalBuilder]] = []
    collector_on_when_freed: list[bool] = []
    made = incremental.IncrementalBuilder.__init__

    def remember(self: incremental.IncrementalBuilder, *args: object, **kwargs: object) -> None:
        made(self, *args, **kwargs)  # type: ignore[arg-type]
        builders.append(weakref.ref(self, lambda _: collector_on_when_freed.append(gc.isenabled())))

    monkeypatch.setattr(incremental.IncrementalBuilder, "__init__", remember)
    site = make_site({"content/posts/first.md": post("First", "2026-01-01")})
    (gc.enable if enabled else gc.disable)()
    try:
        build(site)
        assert gc.isenabled() is enabled  # as the caller had it
    finally:
        gc.enable()
    assert len(builders) == 1 and builders[0]() is None
    assert collector_on_when_freed == [False]  # freed by reference counting, never walked
