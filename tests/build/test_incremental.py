"""Rebuilds through the cache must give exactly the output of a cold build, byte for byte."""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import SiteMaker
from transmit.build import incremental
from transmit.build.incremental import IncrementalBuilder
from transmit.build.pipeline import BuildFailed, BuildOptions, build_site

NOW = datetime(2026, 6, 1, tzinfo=UTC)
OPTIONS = BuildOptions(now=NOW, jobs=1)
CONFIG = 'title = "Test Notes"\ntimezone = "Asia/Shanghai"\nper_page = 2\n'


def post(title: str, date: str, body: str = "Body text.", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


FILES: dict[str, str | bytes] = {
    "content/posts/alpha.md": post("Alpha", "2026-01-01", "Alpha $x^2$ and $$\\int_0^1 f$$"),
    "content/posts/beta.md": post("Beta", "2026-01-02", "Intro.\n\n<!-- more -->\n\nMore."),
    "content/posts/gamma.md": post("Gamma", "2026-01-03", "```python\nprint(1)\n```"),
    "content/posts/delta.md": post("Delta", "2026-01-04", "Delta body.", "sticky: 1\n"),
    "content/posts/draft.md": post("Draft", "2026-01-05", "Not yet.", "draft: true\n"),
    "content/posts/bundle/index.md": post("Bundle", "2026-01-06", "![d](d.png)"),
    "content/posts/bundle/d.png": b"\x89PNG one",
    "content/posts/pic.md": post("Pic", "2026-01-07", "![p](images/p.png) ![q](images/q.png)"),
    "content/posts/images/q.png": b"",
    "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
    "static/notes.txt": "User-agent: *\n",
}


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def mtimes(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()
    }


def cold_tree(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The output a first build of the site as it is now gives, in a fresh copy."""
    fresh = tmp_path / "cold"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".transmit-cache"))
    build_site(fresh, OPTIONS)
    return tree(fresh / "public")


def write(site: Path, relative: str, text: str) -> Path:
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def edit_body(site: Path) -> list[Path]:
    return [
        write(
            site,
            "content/posts/beta.md",
            post("Beta", "2026-01-02", "Intro.\n\n<!-- more -->\n\nMore, edited."),
        )
    ]


def edit_title(site: Path) -> list[Path]:
    return [
        write(site, "content/posts/alpha.md", post("Alpha renamed", "2026-01-01", "Alpha $x^2$"))
    ]


def rename(site: Path) -> list[Path]:
    old = site / "content/posts/gamma.md"
    new = site / "content/posts/gamma-two.md"
    old.rename(new)
    return [old, new]


def delete(site: Path) -> list[Path]:
    gone = site / "content/posts/delta.md"
    gone.unlink()
    return [gone]


def add(site: Path) -> list[Path]:
    return [write(site, "content/posts/epsilon.md", post("Epsilon", "2026-02-01", "New $y$."))]


def change_config(site: Path) -> list[Path]:
    text = CONFIG.replace("Test Notes", "Other Notes").replace("per_page = 2", "per_page = 3")
    return [write(site, "site.toml", text)]


def change_math_macros(site: Path) -> list[Path]:
    return [write(site, "site.toml", CONFIG + '[math.macros]\n"\\\\R" = "\\\\mathbb{R}"\n')]


def override_template(site: Path) -> list[Path]:
    theme = Path(__import__("transmit.site.theme", fromlist=["THEME_DIR"]).THEME_DIR)
    text = (theme / "templates/post.html").read_text(encoding="utf-8")
    return [write(site, "templates/post.html", text.replace("<article", '<article data-x="1"'))]


def change_static(site: Path) -> list[Path]:
    return [write(site, "static/notes.txt", "User-agent: *\nDisallow: /x\n")]


def change_bundle_file(site: Path) -> list[Path]:
    path = site / "content/posts/bundle/d.png"
    path.write_bytes(b"\x89PNG two, longer")
    return [path]


def png(width: int, height: int) -> bytes:
    """The start of a PNG file: enough for its size to be read."""
    header = struct.pack(">I4sII", 13, b"IHDR", width, height)
    return b"\x89PNG\r\n\x1a\n" + header + b"\x08\x02\x00\x00\x00" + bytes(4)


def add_image(site: Path) -> list[Path]:
    path = site / "content/posts/images/p.png"
    path.write_bytes(png(10, 20))
    return [path]


def change_image(site: Path) -> list[Path]:
    path = site / "content/posts/images/q.png"
    path.write_bytes(png(30, 40))
    return [path]


def publish_draft(site: Path) -> list[Path]:
    return [write(site, "content/posts/draft.md", post("Draft", "2026-01-05", "Now out."))]


CHANGES: dict[str, Callable[[Path], list[Path]]] = {
    "edit body": edit_body,
    "edit title": edit_title,
    "rename": rename,
    "delete": delete,
    "add": add,
    "config": change_config,
    "math macros": change_math_macros,
    "template override": override_template,
    "static file": change_static,
    "bundle file": change_bundle_file,
    "add image": add_image,
    "change image": change_image,
    "publish draft": publish_draft,
}


def age(site: Path) -> None:
    """Date every file and folder back, as a site is between edits: rebuilds then trust
    folder mtimes and skip listing them (the quick stat pass)."""
    then = 1_700_000_000 * 10**9  # fixed, so ageing twice changes nothing
    for path in [site, *site.rglob("*")]:
        if not {"public", ".transmit-cache"} & set(path.relative_to(site).parts):
            os.utime(path, ns=(then, then))


@pytest.mark.parametrize("aged", [False, True], ids=["fresh", "aged"])
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_rebuild_with_cache_on_disk_equals_cold_build(
    make_site: SiteMaker, tmp_path: Path, change: Callable[[Path], list[Path]], aged: bool
) -> None:
    site = make_site(FILES, config=CONFIG)
    if aged:
        age(site)
    build_site(site, OPTIONS)
    if aged:
        age(site)
    change(site)
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)


@pytest.mark.parametrize("aged", [False, True], ids=["fresh", "aged"])
@pytest.mark.parametrize("told", [False, True], ids=["stat everything", "told what changed"])
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_incremental_builder_equals_cold_build(
    make_site: SiteMaker,
    tmp_path: Path,
    change: Callable[[Path], list[Path]],
    told: bool,
    aged: bool,
) -> None:
    site = make_site(FILES, config=CONFIG)
    if aged:
        age(site)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    if aged:
        age(site)
    changed = change(site)
    builder.build(changed if told else None)
    assert tree(site / "public") == cold_tree(site, tmp_path)


@pytest.mark.parametrize("aged", [False, True], ids=["fresh", "aged"])
def test_a_series_of_changes_through_one_builder(
    make_site: SiteMaker, tmp_path: Path, aged: bool
) -> None:
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    for change in CHANGES.values():
        if aged:
            age(site)
        builder.build(change(site))
        assert tree(site / "public") == cold_tree(site, tmp_path), change.__name__


def test_an_edit_in_an_aged_site_lists_no_folder(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(FILES, config=CONFIG)
    age(site)
    build_site(site, OPTIONS)
    edit_title(site)

    def no_scan(*args: object) -> None:
        raise AssertionError("folders were listed again")

    monkeypatch.setattr(incremental, "scan_inputs", no_scan)
    build_site(site, OPTIONS)
    monkeypatch.undo()
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_nothing_changed_writes_nothing(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=CONFIG)
    first = build_site(site, OPTIONS)
    before = mtimes(site / "public")
    again = build_site(site, OPTIONS)
    assert mtimes(site / "public") == before
    assert (again.posts, again.pages, again.files) == (first.posts, first.pages, first.files)
    assert again.skipped_drafts == first.skipped_drafts == ("content/posts/draft.md",)


def test_an_edit_rewrites_only_the_pages_that_change(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    before_bytes = tree(site / "public")
    before = mtimes(site / "public")
    edit_body(site)  # the part after <!-- more -->: the listing's excerpt stays the same
    build_site(site, OPTIONS)
    after = mtimes(site / "public")
    rewritten = {path for path in after if after[path] != before.get(path)}
    # the post's page, the feeds that carry its body, the search index; no other page
    assert {"posts/beta/index.html", "atom.xml", "rss.xml"} <= rewritten
    others = rewritten - {"posts/beta/index.html", "atom.xml", "rss.xml"}
    assert all(path.startswith("search-index/") for path in others), others
    assert tree(site / "public")["posts/beta/index.html"] != before_bytes["posts/beta/index.html"]


def test_removed_sources_outputs_vanish(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    assert (site / "public/posts/bundle/d.png").is_file()
    shutil.rmtree(site / "content/posts/bundle")
    (site / "static/notes.txt").unlink()
    build_site(site, OPTIONS)
    assert not (site / "public/posts/bundle").exists()
    assert not (site / "public/notes.txt").exists()


def test_an_edit_that_keeps_size_and_time_is_still_seen(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    path = site / "content/posts/alpha.md"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Alpha $x^2$", "Omega $x^2$"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build_site(site, OPTIONS)
    assert "Omega" in (site / "public/posts/alpha/index.html").read_text(encoding="utf-8")


def test_an_edited_output_file_is_put_back(make_site: SiteMaker, tmp_path: Path) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    (site / "public/index.html").write_text("tampered", encoding="utf-8")
    (site / "public/404.html").unlink()
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_deleted_output_folder_is_built_again(make_site: SiteMaker, tmp_path: Path) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    shutil.rmtree(site / "public")
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_failed_rebuild_leaves_output_and_cache_usable(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    before = tree(site / "public")
    bad = write(site, "content/posts/bad.md", post("Bad", "not a date"))
    with pytest.raises(BuildFailed):
        builder.build([bad])
    assert tree(site / "public") == before
    bad.unlink()
    edit_body(site)
    builder.build()
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_options_change_the_output_like_a_cold_build(make_site: SiteMaker, tmp_path: Path) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    drafts = BuildOptions(now=NOW, jobs=1, drafts=True)
    build_site(site, drafts)
    assert (site / "public/posts/draft/index.html").is_file()
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_future_post_appears_when_its_date_comes(make_site: SiteMaker) -> None:
    site = make_site(
        {**FILES, "content/posts/later.md": post("Later", "2026-07-01")}, config=CONFIG
    )
    summary = build_site(site, OPTIONS)
    assert summary.skipped_future == ("content/posts/later.md",)
    later = BuildOptions(now=datetime(2026, 8, 1, tzinfo=UTC), jobs=1)
    summary = build_site(site, later)
    assert summary.skipped_future == ()
    assert (site / "public/posts/later/index.html").is_file()


def test_worker_processes_give_the_same_output(make_site: SiteMaker, tmp_path: Path) -> None:
    files = dict(FILES)
    for number in range(60):
        files[f"content/posts/p{number:02}.md"] = post(
            f"P{number}", f"2025-03-{number % 28 + 1:02}", f"Text {number} $a_{number}$."
        )
    site = make_site(files, config=CONFIG)
    build_site(site, BuildOptions(now=NOW, jobs=2))
    assert tree(site / "public") == cold_tree(site, tmp_path)


def cache_files(site: Path) -> list[Path]:
    return [p for p in (site / ".transmit-cache").rglob("*") if p.is_file() and p.suffix != ".lock"]


def corrupt(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:40] + bytes(b ^ 0x5A for b in data[40:80]) + data[80:])


def half_written(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def other_version(path: Path) -> None:
    data = bytearray(path.read_bytes())
    fingerprint = len(b"transmit-cache\n") + 8
    data[fingerprint : fingerprint + 16] = bytes(16)
    path.write_bytes(bytes(data))


def garbage(path: Path) -> None:
    path.write_bytes(b"not a cache file at all")


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The posts rendered from Markdown (not taken from the cache) during the test."""
    import transmit.render.document as document

    calls: list[str] = []
    real = document.render_post

    def counting(post, options):  # type: ignore[no-untyped-def]
        calls.append(post.rel_path)
        return real(post, options)

    monkeypatch.setattr(document, "render_post", counting)
    return calls


@pytest.mark.parametrize("damage", [corrupt, half_written, other_version, garbage])
def test_a_damaged_cache_is_ignored_and_rebuilt(
    make_site: SiteMaker, tmp_path: Path, renders: list[str], damage: Callable[[Path], None]
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    for path in cache_files(site):
        damage(path)
    override_template(site)  # every page is rendered again, so every post is needed
    renders.clear()
    build_site(site, OPTIONS)
    rendered = sorted(renders)
    assert tree(site / "public") == cold_tree(site, tmp_path)
    assert rendered == sorted(
        f"content/{name}"
        for name in (
            "posts/alpha.md",
            "posts/beta.md",
            "posts/gamma.md",
            "posts/delta.md",
            "posts/bundle/index.md",
            "posts/pic.md",
            "pages/about.md",
        )
    )


def test_a_rendered_post_lost_from_the_cache_is_rendered_again(
    make_site: SiteMaker, tmp_path: Path, renders: list[str]
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    shutil.rmtree(site / ".transmit-cache/render")
    renders.clear()
    override_template(site)
    build_site(site, OPTIONS)
    assert len(renders) == 7
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_only_the_edited_post_is_rendered(make_site: SiteMaker, renders: list[str]) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    assert len(renders) == 7
    renders.clear()
    edit_body(site)
    build_site(site, OPTIONS)
    assert renders == ["content/posts/beta.md"]


@pytest.mark.parametrize("change", [override_template, change_config, change_static])
def test_changes_outside_posts_render_no_post(
    make_site: SiteMaker, renders: list[str], change: Callable[[Path], list[Path]]
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    renders.clear()
    change(site)
    build_site(site, OPTIONS)
    assert renders == []


@pytest.mark.parametrize("layout", ["file where a folder goes", "folder where a file goes"])
def test_a_cache_of_another_layout_is_replaced(
    make_site: SiteMaker, tmp_path: Path, layout: str
) -> None:
    site = make_site(FILES, config=CONFIG)
    cache = site / ".transmit-cache"
    cache.mkdir()
    if layout.startswith("file"):
        (cache / "sources").write_bytes(b"old")
        (cache / "render").write_bytes(b"old")
    else:
        for name in ("manifest-0", "LAYOUT"):
            (cache / name).mkdir()
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_the_theme_folder_is_the_one_templates_come_from() -> None:
    from transmit.site.theme import THEME_DIR

    assert incremental.THEME_DIR == THEME_DIR


def test_pages_show_full_records_not_stubs(make_site: SiteMaker) -> None:
    from transmit.build.cache import STUB

    site = make_site(FILES, config=CONFIG)
    build_site(site, BuildOptions(now=NOW, jobs=1))
    edit_body(site)
    build_site(site, OPTIONS)
    pages = tree(site / "public")
    assert not [path for path, data in pages.items() if STUB.encode() in data]
    assert b"More, edited." in pages["posts/beta/index.html"]
    assert b"<math" in pages["posts/alpha/index.html"]
    listings = [data for path, data in pages.items() if path.startswith(("index", "page/"))]
    assert any(b"Intro." in data for data in listings)


@pytest.mark.parametrize("change", [add_image, change_image])
def test_an_image_change_renders_only_the_posts_that_show_it(
    make_site: SiteMaker, renders: list[str], change: Callable[[Path], list[Path]]
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    renders.clear()
    change(site)
    build_site(site, OPTIONS)
    assert renders == ["content/posts/pic.md"]


def test_forked_page_rendering_gives_the_same_output(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transmit.build.pages as pages
    import transmit.build.workers as workers

    monkeypatch.setattr(pages, "MIN_FORKED_PAGES", 1)
    monkeypatch.setattr(workers, "MIN_PARALLEL", 1)
    site = make_site(FILES, config=CONFIG)
    build_site(site, BuildOptions(now=NOW, jobs=2))
    edit_title(site)
    override_template(site)
    build_site(site, BuildOptions(now=NOW, jobs=2))
    monkeypatch.undo()
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_the_search_index_is_kept_when_no_post_changed(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=CONFIG)
    first = build_site(site, OPTIONS)
    index = {p: t for p, t in mtimes(site / "public").items() if p.startswith("search-index/")}
    override_template(site)
    again = build_site(site, OPTIONS)
    after = mtimes(site / "public")
    assert index and all(after[path] == time for path, time in index.items())
    assert again.search_bytes == first.search_bytes > 0
