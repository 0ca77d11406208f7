"""The render cache and records on disk: damaged, foreign or lost files are never trusted, and
only what changed is rendered again."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.build.sites import (
    CONFIG,
    FILES,
    OPTIONS,
    add_image,
    change_config,
    change_image,
    change_static,
    cold_tree,
    edit_body,
    override_template,
    post,
    tree,
    write,
)
from tests.conftest import SiteMaker
from transmit.build import packs
from transmit.build.pipeline import build_site


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


@pytest.mark.parametrize(
    ("change", "rendered"),
    [
        (override_template, []),
        (change_config, []),
        (change_static, []),
        (add_image, ["content/posts/pic.md"]),
        (change_image, ["content/posts/pic.md"]),
    ],
)
def test_each_change_renders_only_the_posts_it_touches(
    make_site: SiteMaker,
    renders: list[str],
    change: Callable[[Path], list[Path]],
    rendered: list[str],
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    renders.clear()
    change(site)
    build_site(site, OPTIONS)
    assert renders == rendered


def test_a_rebuild_reads_only_the_edited_source(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The saved source records (dates in the site's zone, a ZoneInfo) are read back: the
    other posts' files are not opened again."""
    import transmit.content.loader as loader

    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    loaded: list[str] = []
    real = loader.load_post

    def counting(source: Path, kind: str, config: object) -> object:
        loaded.append(source.relative_to(site).as_posix())
        return real(source, kind, config)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "load_post", counting)
    edit_body(site)
    build_site(site, OPTIONS)
    assert loaded == ["content/posts/beta.md"]


def test_workers_write_a_pack_per_batch_not_a_file_per_post(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    """Creating files is what a cold build's file system pays most for."""
    count = 120
    files = {
        f"content/posts/p{n:03}.md": post(f"Post {n}", f"2026-01-{n % 28 + 1:02}", f"Body {n}.")
        for n in range(count)
    }
    site = make_site(files, config=CONFIG)
    build_site(site, replace(OPTIONS, jobs=2))
    packs = [p for p in (site / ".transmit-cache/render").iterdir() if p.is_file()]
    assert 2 <= len(packs) <= count // 4
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_edit_after_edit_keeps_the_render_cache_small(
    make_site: SiteMaker, tmp_path: Path, renders: list[str]
) -> None:
    """Each build after an edit writes a pack of one; they are merged as they pile up, and
    the packs whose posts changed since are swept."""
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    render = site / ".transmit-cache/render"
    for n in range(40):
        write(site, "content/posts/beta.md", post("Beta", "2026-01-02", f"Edit {n}."))
        build_site(site, OPTIONS)
        assert len(list(render.iterdir())) <= 1 + packs.MERGE_SMALL_AT
    assert renders.count("content/posts/beta.md") == 41
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_rendering_is_loaded_by_the_files_its_render_saw(tmp_path: Path) -> None:
    """Two renderings under one key (the same source, an image it shows changed between them):
    the one whose record is asked for comes back, whichever the index happens to point at."""
    from transmit.build.cache import RenderCache
    from transmit.build.store import digest
    from transmit.render.data import RenderedPost

    def rendered(width: int) -> RenderedPost:
        return RenderedPost(f'<img src="a.png" width="{width}">', "", "", 0, 0)

    fingerprint = digest(str(tmp_path))
    old, new = (("a.png", (1, 10)),), (("a.png", (2, 20)),)
    writer = RenderCache(tmp_path, fingerprint)
    writer.save("k", rendered(20), new)
    writer.flush()
    writer.save("k", rendered(10), old)  # written last: where this process's index points
    writer.flush()
    for cache in (writer, RenderCache(tmp_path, fingerprint)):
        assert cache.load("k", new) == rendered(20)
        assert cache.load("k", old) == rendered(10)
        assert cache.load("k", (("a.png", (3, 30)),)) is None
        assert cache.load("other", old) is None


@pytest.mark.parametrize("order", ["as written", "times swapped"])
def test_pages_made_from_the_cache_after_an_image_changed_show_the_new_image(
    make_site: SiteMaker, tmp_path: Path, order: str
) -> None:
    """An image a post shows changes size: the post is rendered again under the same key. A
    later build in a new process that remakes a feed from the cache must show the new size,
    whichever of the two renderings its index of packs meets last."""
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    packs.pack_index.cache_clear()  # each build a new process
    change_image(site)
    build_site(site, OPTIONS)
    render = site / ".transmit-cache/render"
    if order == "times swapped":  # the newer pack looks older
        names = sorted(render.iterdir(), key=lambda path: path.stat().st_mtime_ns)
        for age, path in enumerate(reversed(names)):
            then = 1_700_000_000 * 10**9 + age * 10**9
            os.utime(path, ns=(then, then))
    packs.pack_index.cache_clear()
    edit_body(site)  # the feeds show the edited post, so they are made again
    build_site(site, OPTIONS)
    assert 'width="30"' in (site / "public/atom.xml").read_text(encoding="utf-8")
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_saved_records_read_back_equal_with_one_zone_object_per_offset(tmp_path: Path) -> None:
    """Dates written with an offset each get a zone object when read; saved, the records share
    one per offset (unpickling thousands of them was a tenth of loading the records)."""
    from transmit.build.manifest import (
        SourceRecord,
        SourceState,
        load_sources,
        save_sources,
        shard_of,
    )
    from transmit.build.store import digest
    from transmit.config import Config
    from transmit.content.loader import parse_post

    config = Config(tmp_path, "Notes")
    head = "---\ntitle: P{n}\ndate: 2026-01-0{n}T10:00:00+08:00\nupdated: 2026-02-01 09:00 -05:00\n"
    texts = {n: (head + "---\nText.\n").format(n=n % 9 + 1).encode() for n in range(200)}
    posts = [
        parse_post(t, tmp_path / f"content/posts/p{n}.md", "post", config) for n, t in texts.items()
    ]
    assert len({id(post.date.tzinfo) for post in posts}) == 200
    state = SourceState({str(post.source): SourceRecord((1, 2), post) for post in posts}, {})
    fingerprint = digest("records test")
    save_sources(tmp_path, fingerprint, state)
    loaded, lost = load_sources(tmp_path, fingerprint)
    assert not lost and loaded.records == state.records
    records = loaded.records.values()
    shards = {shard_of(str(record.post.source)) for record in records}  # a pickle each
    assert len({id(record.post.date.tzinfo) for record in records}) == len(shards)
    assert len({id(record.post.updated.tzinfo) for record in records}) == len(shards)  # type: ignore[union-attr]
    written = {str(post.source): post.date.isoformat() for post in posts}
    assert {source: r.post.date.isoformat() for source, r in loaded.records.items()} == written
