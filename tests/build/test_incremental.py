"""Rebuilds through the cache must give exactly the output of a cold build, byte for byte."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.build.sites import (
    CHANGES,
    CONFIG,
    FILES,
    NOW,
    OPTIONS,
    age,
    change_config,
    cold_tree,
    count_full_builds,
    edit_body,
    edit_title,
    fork_every_page_render,
    mtimes,
    override_template,
    png,
    post,
    render_in_processes,
    retag,
    tree,
    write,
)
from tests.conftest import SiteMaker
from transmit.build import incremental, packs, pages, plan, workers
from transmit.build.incremental import IncrementalBuilder
from transmit.build.pipeline import BuildFailed, BuildOptions, build_site
from transmit.errors import TransmitError


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
    for change in [*CHANGES.values(), edit_body]:  # an edit after retag: related kept
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

    monkeypatch.setattr(plan, "scan_inputs", no_scan)
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


def test_the_outputs_stat_pass_names_what_others_did_to_them(make_site: SiteMaker) -> None:
    from transmit.build import manifest

    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    out = site / "public"
    recorded = manifest.load_manifest(
        manifest.manifest_path(site / ".transmit-cache", out), incremental.code_fingerprint()
    )
    assert recorded is not None
    assert manifest.moved_outputs(out, recorded) == {}
    (out / "index.html").write_text("tampered", encoding="utf-8")
    (out / "404.html").unlink()
    moved = manifest.moved_outputs(out, recorded)
    assert moved == {
        "index.html": ((out / "index.html").stat().st_mtime_ns, len("tampered")),
        "404.html": None,
    }
    # among the files known to have been touched alone (the resident builder's watch names
    # them); a name that is no output of the build is no concern of it
    among = manifest.moved_outputs(out, recorded, ["404.html", "stray.txt"])
    assert among == {"404.html": None}


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


@pytest.mark.parametrize("broken", ["content/posts/gamma.md", "site.toml"])
def test_a_file_that_failed_a_build_fails_the_next_while_it_stays_broken(
    make_site: SiteMaker, tmp_path: Path, broken: str
) -> None:
    """The dev server names only the files saved since its last build: one that failed that
    build must still be read again by the next, or an edit elsewhere would hide its error."""
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    bad = site / broken
    bad.write_text(bad.read_text(encoding="utf-8").replace("title", "title: [", 1))
    with pytest.raises(TransmitError):
        builder.build([bad])
    with pytest.raises(TransmitError):
        builder.build(edit_body(site))
    with pytest.raises(TransmitError):
        builder.build(edit_title(site))
    bad.write_text(bad.read_text(encoding="utf-8").replace("title: [", "title", 1))
    builder.build([bad])
    assert tree(site / "public") == cold_tree(site, tmp_path)


class _Writer:
    """A writer's random session on a small site: each step changes posts (text, title, date,
    tags), adds or deletes one, breaks one's front matter or mends it, changes the size of an
    image some posts show, or changes the config; it returns the files it changed, as the dev
    server's watcher would name them."""

    def __init__(self, site: Path, seed: int) -> None:
        self.site = site
        self.random = random.Random(seed)
        self.posts: dict[str, list[str]] = {}  # file name -> [title, date, tags, body]
        self.broken: str | None = None
        self.made = 0
        self._image()
        for _ in range(5):
            self._new()

    def _image(self) -> Path:
        path = self.site / "content/posts/images/figure.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png(self.random.randint(1, 99), self.random.randint(1, 99)))
        return path

    def _text(self, name: str) -> str:
        title, date, tags, body = self.posts[name]
        return post(title, date, body, tags)

    def _write(self, name: str, text: str | None = None) -> Path:
        return write(self.site, f"content/posts/{name}", text or self._text(name))

    def _new(self) -> Path:
        self.made += 1
        name = f"p{self.made}.md"
        day = self.random.randint(1, 28)
        body = f"Text {self.made}." + self.random.choice(["", "\n\n![f](images/figure.png)"])
        self.posts[name] = [f"Post {self.made}", f"2026-01-{day:02}", "", body]
        return self._write(name)

    def step(self) -> list[Path]:
        names = sorted(self.posts)
        name = self.random.choice(names)
        fields = self.posts[name]
        kind = self.random.choice(
            ["body", "body", "title", "date", "tags", "new", "delete", "break", "image", "config"]
        )
        if kind == "image":
            return [self._image()]
        if kind == "break" and self.broken is None:
            self.broken = name
            return [self._write(name, self._text(name).replace("title:", "title: [", 1))]
        if kind == "break":  # mend it
            mended, self.broken = self.broken, None
            return [self._write(mended)]
        if name == self.broken:
            name = next((n for n in names if n != self.broken), name)
            fields = self.posts[name]
        if kind == "new":
            return [self._new()]
        if kind == "delete" and len(names) > 3 and name != self.broken:
            del self.posts[name]
            gone = self.site / "content/posts" / name
            gone.unlink()
            return [gone]
        if kind == "config":
            per_page = f"per_page = {self.random.randint(1, 4)}"
            return [write(self.site, "site.toml", CONFIG.replace("per_page = 2", per_page))]
        if kind == "title":
            fields[0] = f"Title {self.random.randint(0, 99)}"
        elif kind == "date":
            fields[1] = f"2026-01-{self.random.randint(1, 28):02}"
        elif kind == "tags":
            fields[2] = f"tags: [{', '.join(self.random.sample(['a', 'b', 'C', 'c'], 2))}]\n"
        else:
            fields[3] += f" More {self.random.randint(0, 99)}."
        return [self._write(name)]


@pytest.mark.parametrize(
    ("seed", "processes"), [(1, "one builder"), (2, "one builder"), (3, "a process per build")]
)
def test_a_random_session_of_edits_equals_cold_builds(
    make_site: SiteMaker, tmp_path: Path, seed: int, processes: str
) -> None:
    """Whatever the order of edits, failures among them, the builder told what changed gives
    the output a cold build gives, and fails where a cold build fails; so does a new builder
    in a new process (its own view of the cache) for each build, as `transmit build` runs."""
    site = make_site(config=CONFIG)
    writer = _Writer(site, seed)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    for step in range(12):
        changed = writer.step()
        told: list[Path] | None = changed
        if processes == "a process per build":
            packs.pack_index.cache_clear()
            builder, told = IncrementalBuilder(site, OPTIONS), None
        try:
            builder.build(told)
        except TransmitError:
            assert writer.broken is not None, f"step {step}"
            with pytest.raises(TransmitError):
                cold_tree(site, tmp_path)
            continue
        assert writer.broken is None, f"step {step}: built with a broken post"
        assert tree(site / "public") == cold_tree(site, tmp_path), f"step {step}"


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


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_edited_posts_rendered_ahead_by_a_worker_give_the_cold_build_s_output(
    make_site: SiteMaker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Path], list[Path]],
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    changed = change(site)
    started: list[int] = []
    real_ahead = workers.Workers.ahead

    def ahead(self: workers.Workers, function: Any, job: Any, items: Any) -> None:
        real_ahead(self, function, job, items)
        if self._ahead is not None:
            started.append(len(items))

    monkeypatch.setattr(workers, "renderer_loaded", lambda: False)  # as a fresh process
    monkeypatch.setattr(workers.Workers, "ahead", ahead)
    fork_every_page_render(monkeypatch)  # and only the build's own threads count
    build_site(site, BuildOptions(now=NOW, jobs=2))
    assert tree(site / "public") == cold_tree(site, tmp_path)
    sources = [p for p in changed if p.suffix == ".md" and p.exists()]
    assert started == ([len(sources)] if sources else [])


# A build in a process of its own, as `transmit build` is, saying which of the renderer's
# libraries that process loaded.
FRESH_BUILD = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from transmit.build.pipeline import BuildOptions, build_site
build_site(Path(sys.argv[1]), BuildOptions(now=datetime(2026, 6, 1, tzinfo=UTC), jobs=2))
renderer = ("markdown_it", "pygments", "transmit.render.document")
print(" ".join(name for name in renderer if name in sys.modules))
"""


def _fresh_build(site: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", FRESH_BUILD, str(site)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_fresh_process_building_an_edit_leaves_the_render_to_a_worker(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    site = make_site(FILES, config=CONFIG)
    _fresh_build(site)
    edit_body(site)
    assert _fresh_build(site) == ""  # the edit was rendered, but not by this process
    assert tree(site / "public") == cold_tree(site, tmp_path)
    assert "More, edited." in (site / "public/posts/beta/index.html").read_text(encoding="utf-8")


def test_an_edit_a_worker_cannot_render_ahead_is_reported_by_the_build(
    make_site: SiteMaker,
) -> None:
    site = make_site(FILES, config=CONFIG)
    _fresh_build(site)
    before = tree(site / "public")
    write(site, "content/posts/alpha.md", "---\ntitle: [Alpha\ndate: 2026-01-01\n---\nText.\n")
    result = subprocess.run(
        [sys.executable, "-m", "transmit", "build", str(site)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/posts/alpha.md:2" in result.stderr
    assert tree(site / "public") == before


def test_a_retitled_post_renders_again_only_the_pages_that_show_it(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def grouped(group: str, day: int) -> str:
        extra = f"categories: [{group.upper()}]\ntags: [{group}]\n"
        return post(f"{group}{day}", f"2026-0{'ab'.index(group) + 1}-{day:02}", "Text.", extra)

    files = {f"content/posts/{g}{d}.md": grouped(g, d) for g in "ab" for d in range(1, 7)}
    site = make_site(files, config=CONFIG)
    build_site(site, OPTIONS)
    rendered: list[str] = []
    real = pages.render_tasks

    def counting(assembly, tasks, log):  # type: ignore[no-untyped-def]
        rendered.extend(assembly.pages[task[0]].path for task in tasks)
        return real(assembly, tasks, log)

    monkeypatch.setattr(pages, "render_tasks", counting)
    write(site, "content/posts/b4.md", grouped("b", 4).replace("title: b4", "title: Renamed"))
    build_site(site, OPTIONS)
    assert "posts/b4/index.html" in rendered
    # the posts of the other category and tag, long before it, show nothing of it
    assert not [path for path in rendered if path.startswith("posts/a")]
    monkeypatch.undo()
    assert tree(site / "public") == cold_tree(site, tmp_path)


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


def test_a_contents_list_is_shown_from_the_full_record(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    """The saved records leave the headings out (only a post's own page reads them): a build
    that takes every record from the cache still shows each post's contents list."""
    body = "## First part\n\nText.\n\n## Second part\n\nMore."
    files = {**FILES, "content/posts/beta.md": post("Beta", "2026-01-02", body)}
    site = make_site(files, config=CONFIG + "toc = true\n")
    build_site(site, OPTIONS)
    override_template(site)  # every page again, every record from the cache
    build_site(site, OPTIONS)
    page = (site / "public/posts/beta/index.html").read_text(encoding="utf-8")
    assert 'class="toc"' in page and "Second part</a>" in page
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_forked_page_rendering_gives_the_same_output(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transmit.build.pages as pages

    render_in_processes(monkeypatch)
    forked: list[int] = []
    real = pages._forked
    monkeypatch.setattr(
        pages,
        "_forked",
        lambda assembly, tasks, *rest: forked.append(len(tasks)) or real(assembly, tasks, *rest),
    )
    site = make_site(FILES, config=CONFIG)
    build_site(site, BuildOptions(now=NOW, jobs=2))  # renders posts in a pool, then pages
    edit_title(site)
    override_template(site)
    build_site(site, BuildOptions(now=NOW, jobs=2))
    monkeypatch.undo()
    assert len(forked) == 2  # the render pool is closed first: pages fork after it
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_pages_rendered_in_forked_processes_have_their_contexts_made_before_the_fork(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made after, each process would make them (and load the rendered posts they read from
    the cache) again: at 10,000 posts, a sixth more CPU for a cold build."""
    import transmit.build.pages as pages
    from transmit.build.assembly import Assembly, TemplatePage

    fork_every_page_render(monkeypatch)
    unmade: list[str] = []
    real = pages._forked

    def forked(assembly: Assembly, tasks: list[pages.PageTask], *rest: Any) -> Any:
        for task in tasks:
            page = assembly.pages[task[0]]
            if isinstance(page, TemplatePage) and page._context is None:
                unmade.append(page.path)
        return real(assembly, tasks, *rest)

    monkeypatch.setattr(pages, "_forked", forked)
    build_site(make_site(FILES, config=CONFIG), BuildOptions(now=NOW, jobs=2))
    assert unmade == []


def test_templates_are_compiled_while_workers_render_the_posts(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transmit.build.pages as pages
    import transmit.build.workers as workers
    import transmit.site.theme as theme

    render_in_processes(monkeypatch)
    events: list[str] = []
    compile_templates, forked, mapped = theme.compile_templates, pages._forked, workers.Workers.map

    def compile_noted(environment: object) -> None:
        events.append("templates compiled")
        compile_templates(environment)  # type: ignore[arg-type]

    def map_noted(*arguments: object) -> object:
        events.append("posts sent to workers")
        results = mapped(*arguments)  # type: ignore[arg-type]
        events.append("posts back")
        return results

    monkeypatch.setattr(theme, "compile_templates", compile_noted)
    monkeypatch.setattr(workers.Workers, "map", map_noted)
    monkeypatch.setattr(pages, "_forked", lambda *a: events.append("pages forked") or forked(*a))
    site = make_site(FILES, config=CONFIG)
    build_site(site, BuildOptions(now=NOW, jobs=2))
    monkeypatch.undo()
    compiled = events.index("templates compiled")
    assert events.count("templates compiled") == 1
    assert events[compiled - 1 : compiled + 2] == [
        "posts sent to workers",
        "templates compiled",
        "posts back",
    ]
    assert compiled < events.index("pages forked")
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_pages_rendered_in_forked_processes_get_the_digests_one_process_gives(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build makes its pages' digests while forked processes render the pages; the
    manifest holds the very digests a build in one process records."""
    from transmit.build import manifest
    from transmit.build.folders import CACHE_DIR
    from transmit.build.store import code_fingerprint

    def recorded_outputs(site: Path) -> dict[str, tuple[bytes, bytes]]:
        path = manifest.manifest_path(site / CACHE_DIR, site / "public")
        found = manifest.load_manifest(path, code_fingerprint())
        assert found is not None
        return {output: record[:2] for output, record in found.outputs.items()}

    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)  # one process
    alone = recorded_outputs(site)
    shutil.rmtree(site / "public")
    shutil.rmtree(site / CACHE_DIR)
    fork_every_page_render(monkeypatch)
    build_site(site, BuildOptions(now=NOW, jobs=2))
    assert recorded_outputs(site) == alone
    again = build_site(site, BuildOptions(now=NOW, jobs=2))
    assert again.unchanged


def test_a_failure_while_forked_processes_render_pages_stops_them(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    import transmit.build.pages as pages

    def failing(*_: object) -> bytes:
        raise RuntimeError("digest failed")

    site = make_site(FILES, config=CONFIG)
    fork_every_page_render(monkeypatch)
    monkeypatch.setattr(pages, "page_digest", failing)  # made while the pages render
    with pytest.raises(RuntimeError, match="digest failed"):
        build_site(site, BuildOptions(now=NOW, jobs=2))
    assert multiprocessing.active_children() == []
    assert not (site / "public").exists()
    assert not (site / ".public.staging").exists()


@pytest.mark.parametrize("where", ["this process", "a forked process"])
def test_a_page_that_fails_to_render_stops_the_build_wherever_it_renders(
    where: str, make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build process and the processes it forks take the pages chunk by chunk: a failure
    on either side stops the build, leaves no process behind and no output."""
    import multiprocessing
    import os
    import time

    import transmit.build.pages as pages

    builder_pid = os.getpid()
    real = pages.render_tasks

    def failing(*arguments: Any) -> Any:
        here = os.getpid() == builder_pid
        if here == (where == "this process"):
            raise RuntimeError(f"failed in {where}")
        if here:
            time.sleep(0.3)  # the forked process takes a chunk meanwhile
        return real(*arguments)

    site = make_site(FILES, config=CONFIG)
    fork_every_page_render(monkeypatch)
    monkeypatch.setattr(pages, "PAGE_CHUNK", 1)
    monkeypatch.setattr(pages, "render_tasks", failing)
    with pytest.raises(RuntimeError, match=f"failed in {where}"):
        build_site(site, BuildOptions(now=NOW, jobs=2))
    assert multiprocessing.active_children() == []
    assert not (site / "public").exists()
    assert not (site / ".public.staging").exists()


@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_pages_taken_chunk_by_chunk_by_several_processes_give_the_same_output(
    chunk: int, make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transmit.build.pages as pages

    site = make_site(FILES, config=CONFIG)
    fork_every_page_render(monkeypatch)
    monkeypatch.setattr(pages, "PAGE_CHUNK", chunk)
    build_site(site, BuildOptions(now=NOW, jobs=3))
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


def test_a_deferred_search_index_is_kept_then_made_by_the_next_build(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS, defer_search=True)
    assert not builder.build().search_pending  # a first build makes the index
    index = {p: b for p, b in tree(site / "public").items() if p.startswith("search-index/")}
    assert index

    summary = builder.build(edit_title(site))  # metadata: the full path, which defers it
    assert summary.search_pending
    built = tree(site / "public")
    assert {p: b for p, b in built.items() if p.startswith("search-index/")} == index
    cold = cold_tree(site, tmp_path)
    assert {p: b for p, b in built.items() if not p.startswith("search-index/")} == {
        p: b for p, b in cold.items() if not p.startswith("search-index/")
    }
    # a text edit next: the index it would renew is out of date already, and stays so
    assert builder.build(edit_body(site)).search_pending

    assert not builder.build(()).search_pending
    assert tree(site / "public") == cold_tree(site, tmp_path)
    assert not builder.build(()).search_pending  # nothing left to do


def test_text_edits_deferred_from_the_search_index_are_renewed_in_place_by_the_next_build(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dev server's builder: an edit to a post's text serves its page first; the next
    build, of no change, renews the index in memory (tens of milliseconds at 10,000 posts)
    rather than making the whole index again (seconds)."""
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS, defer_search=True)
    builder.build()
    before = tree(site / "public")
    index = {p: b for p, b in before.items() if p.startswith("search-index/")}
    summary = builder.build(edit_body(site))
    assert summary.search_pending and summary.search_renewable
    assert {
        p: b for p, b in tree(site / "public").items() if p.startswith("search-index/")
    } == index
    gamma_edited = post("Gamma", "2026-01-03", "```python\nprint(2)\n```")
    summary = builder.build([write(site, "content/posts/gamma.md", gamma_edited)])
    assert summary.search_pending and summary.search_renewable  # a second, still behind

    full_builds = count_full_builds(monkeypatch)
    summary = builder.build(())
    assert not summary.search_pending and not summary.search_renewable
    assert full_builds == []  # renewed in place
    after = tree(site / "public")
    assert after == cold_tree(site, tmp_path)
    changed = {p for p in after if after[p] != before.get(p) and p.startswith("search-index/")}
    assert len([p for p in changed if p.startswith("search-index/doc/")]) == 2  # both posts
    assert builder.build(()).unchanged  # nothing left to do
    draft = post("Draft", "2026-01-05", "Not yet, edited.", "draft: true\n")
    summary = builder.build([write(site, "content/posts/draft.md", draft)])
    assert not summary.search_pending  # a draft is in no index: nothing left behind


def test_a_full_build_that_defers_the_search_index_leaves_nothing_to_renew_in_place(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS, defer_search=True)
    builder.build()
    summary = builder.build(edit_title(site))
    assert summary.search_pending and not summary.search_renewable
    summary = builder.build(edit_body(site))
    assert summary.search_pending and not summary.search_renewable
    assert not builder.build(()).search_pending
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_without_deferral_an_edit_updates_the_search_index_at_once(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    assert not builder.build(edit_body(site)).search_pending
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_the_site_named_another_way_uses_the_same_cache(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, renders: list[str]
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    monkeypatch.chdir(site)
    renders.clear()
    edit_body(site)
    build_site(Path("."), OPTIONS)
    assert renders == ["content/posts/beta.md"]
    monkeypatch.chdir(site.parent)
    build_site(Path(site.name), OPTIONS)
    assert renders == ["content/posts/beta.md"]
    assert "edited" in (site / "public/posts/beta/index.html").read_text(encoding="utf-8")


def test_an_edit_that_keeps_every_post_s_metadata_digests_only_its_own_page(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transmit.build import pages

    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    digested: list[str] = []
    real = pages.page_digest
    monkeypatch.setattr(pages, "page_digest", lambda *a: digested.append(str(a[1])) or real(*a))
    edit_body(site)
    build_site(site, OPTIONS)
    assert len(digested) == 1  # the edited post's own page; listings are checked by their reads
    assert tree(site / "public") == cold_tree(site, tmp_path)
    digested.clear()
    edit_title(site)  # metadata changed: every context digested again
    build_site(site, OPTIONS)
    assert len(digested) > 10
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_static_file_that_hid_a_page_and_went_away_gives_the_page_back(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    shadow = write(site, "static/posts/alpha/index.html", "<p>a static page</p>\n")
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)
    shadow.unlink()
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)


@pytest.mark.parametrize("told", [False, True], ids=["a new process", "one builder told"])
def test_an_edit_that_makes_two_outputs_clash_fails_the_rebuild(
    make_site: SiteMaker, tmp_path: Path, told: bool
) -> None:
    """A rebuild whose outputs were all written by the last build skips the clash check; one
    with a new output checks it."""
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    before = tree(site / "public")
    clash = write(site, "static/posts/alpha", "a file where a post needs its folder\n")
    with pytest.raises(BuildFailed) as failed:
        if told:
            builder.build([clash])
        else:
            build_site(site, OPTIONS)
    (error,) = failed.value.errors
    assert "needs a folder /posts/alpha/" in str(error)
    assert tree(site / "public") == before
    clash.unlink()
    edit_body(site)
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)


def _count_post_metas(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the posts whose page metadata is made from now on, in order."""
    from transmit.site import memo

    made: list[str] = []
    real = memo.post_meta

    def counting(config, entry, section):  # type: ignore[no-untyped-def]
        made.append(entry.post.path)
        return real(config, entry, section)

    monkeypatch.setattr(memo, "post_meta", counting)
    return made


def test_post_metadata_reaches_the_next_build_through_the_cache(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _count_post_metas(monkeypatch)
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    assert len(made) == 7 and (site / ".transmit-cache" / "metas").is_dir()
    made.clear()
    edit_body(site)  # made again for the edited post alone, and saved
    build_site(site, OPTIONS)
    assert made == ["posts/beta/"]
    edit_title(site)  # alpha's: beta's was saved since its edit
    build_site(site, OPTIONS)
    assert made == ["posts/beta/", "posts/alpha/"]
    made.clear()
    write(site, "content/posts/gamma.md", post("Gamma", "2026-01-03", "Other text."))
    build_site(site, OPTIONS)
    assert made == ["posts/gamma/"]
    made.clear()
    change_config(site)  # another configuration: every post's made again
    build_site(site, OPTIONS)
    assert len(made) == 7
    monkeypatch.undo()
    assert tree(site / "public") == cold_tree(site, tmp_path)


@pytest.mark.parametrize("damage", ["another shape", "not rows"])
def test_post_metadata_saved_otherwise_is_made_again(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    from transmit.build import store

    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    fingerprint = store.code_fingerprint()
    for path in (site / ".transmit-cache" / "metas").iterdir():
        config, names, rows = store.load(path, "metas", fingerprint, tuple)  # type: ignore[misc]
        saved = (config, names[:-1], rows) if damage == "another shape" else (config, names, [rows])
        store.save(path, "metas", fingerprint, saved)
    made = _count_post_metas(monkeypatch)
    edit_body(site)  # only the pages the build renders have their contexts made
    build_site(site, OPTIONS)
    assert made == ["posts/beta/"]
    made.clear()
    edit_title(site)  # every page digested: every post's made but beta's, none from the file
    build_site(site, OPTIONS)
    assert len(made) == 6 and "posts/beta/" not in made
    monkeypatch.undo()
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_related_posts_reach_the_next_build_through_the_cache(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transmit.site import memo

    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    saved = site / ".transmit-cache" / "related"
    assert saved.is_file()
    computed: list[int] = []
    real = memo.related_posts
    monkeypatch.setattr(memo, "related_posts", lambda posts: computed.append(1) or real(posts))

    edit_body(site)  # places, tags and categories as they were: what was found still holds
    build_site(site, OPTIONS)
    assert computed == []
    retag(site)
    build_site(site, OPTIONS)
    assert computed == [1]
    saved.write_bytes(saved.read_bytes()[:-9] + b"damaged!!")  # not trusted: found again
    edit_title(site)
    build_site(site, OPTIONS)
    assert computed == [1, 1]
    monkeypatch.undo()
    assert tree(site / "public") == cold_tree(site, tmp_path)


def _many_posts(count: int) -> dict[str, str | bytes]:
    return {
        f"content/posts/n{number:03}.md": post(
            f"Note {number}", f"2026-01-{1 + number % 28:02}", f"第{number}篇 body {number}."
        )
        for number in range(count)
    }


def _built_in_small_search_runs(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, posts: int
) -> Path:
    """A site of `posts` posts built once, its search index in runs of a few posts."""
    from transmit.site import search

    monkeypatch.setattr(search, "RUN_POSTS", 4)
    site = make_site(_many_posts(posts), config=CONFIG)
    build_site(site, OPTIONS)
    return site


def test_an_edit_makes_again_only_the_search_run_of_the_edited_post(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transmit.build.search_memo import SavedRuns
    from transmit.site import search_runs

    site = _built_in_small_search_runs(make_site, monkeypatch, 40)
    runs = site / ".transmit-cache" / "search"
    before = {path.name for path in runs.iterdir()}
    assert len(before) > 5
    made: list[bytes] = []
    put = SavedRuns.put

    def counted(self: SavedRuns, key: bytes, run: search_runs.Run) -> None:
        made.append(key)
        put(self, key, run)

    monkeypatch.setattr(SavedRuns, "put", counted)
    write(site, "content/posts/n017.md", post("Note 17", "2026-01-18", "改写了 rewritten."))
    build_site(site, OPTIONS)
    after = {path.name for path in runs.iterdir()}
    assert len(made) == 1 and after - before == {made[0].hex()}
    assert len(before - after) == 1  # the run it replaced is gone
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_damaged_or_missing_search_runs_are_made_again(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _built_in_small_search_runs(make_site, monkeypatch, 30)
    files = sorted((site / ".transmit-cache" / "search").iterdir())
    files[0].write_bytes(files[0].read_bytes()[:-10])
    files[1].unlink()
    files[2].write_bytes(b"not a cache file")
    write(site, "content/posts/n005.md", post("Note 5", "2026-01-06", "Edited."))
    build_site(site, OPTIONS)
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_post_without_a_date_saved_just_before_a_build_is_published_by_it(
    make_site: SiteMaker,
) -> None:
    # dated by its file's time: a builder whose clock lagged the moment it was made saw it in
    # the future (by the time the builder took to set up, in half the tries)
    quick = 'title = "N"\ntimezone = "Asia/Shanghai"\nsearch = false\n'  # no index to wait for
    dated = {"content/posts/a.md": post("A", "2026-01-02")}
    for attempt in range(8):
        site = make_site(dated, config=quick, name=f"site{attempt}")
        builder = IncrementalBuilder(site, BuildOptions(jobs=1))
        builder.build()
        builder.build()
        write(site, "content/posts/2026/undated.md", "---\ntitle: Undated\n---\n\nNow.\n")
        assert builder.build().posts == 2
