"""The quick path for edits to posts' text (`build.edits`): taken when only text changed, never
when anything else did, and always leaving the output a cold build gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from tests.build.sites import (
    CHANGES,
    CONFIG,
    FILES,
    NOW,
    OPTIONS,
    age,
    cold_tree,
    edit_body,
    fork_every_page_render,
    mtimes,
    post,
    tree,
    write,
)
from tests.conftest import SiteMaker
from transmit.build import cache, pages
from transmit.build.edits import EDITED_PAGES
from transmit.build.folders import SPARE_DIR
from transmit.build.incremental import IncrementalBuilder
from transmit.build.manifest import manifest_path
from transmit.build.pipeline import BuildFailed, BuildOptions
from transmit.site import assemble
from transmit.site.search import SEARCH_DIR

BAD_FORMULA = "$\\frac{a}{$"
# Without a search index to make again, an edit needs no deferring to take the quick path (the
# deferred index has its own test).
QUIET = CONFIG + "search = false\n"


class Watch:
    """Counts full assemblies and the template pages each build renders."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.assemblies = 0
        self.rendered: list[str] = []
        real_assemble, real_render = assemble.assemble_pages, pages.render_tasks

        def counting_assemble(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.assemblies += 1
            return real_assemble(*args, **kwargs)

        def counting_render(assembly, tasks, log):  # type: ignore[no-untyped-def]
            self.rendered += [assembly.pages[task[0]].path for task in tasks]
            return real_render(assembly, tasks, log)

        monkeypatch.setattr(assemble, "assemble_pages", counting_assemble)
        monkeypatch.setattr(pages, "render_tasks", counting_render)

    def reset(self) -> None:
        self.assemblies = 0
        self.rendered = []


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Watch:
    return Watch(monkeypatch)


def built(make_site: SiteMaker) -> tuple[Path, IncrementalBuilder]:
    """The test site, built once by the builder the test goes on with."""
    site = make_site(FILES, config=QUIET)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    return site, builder


def edit_beta(site: Path, intro: str, rest: str = "More.") -> list[Path]:
    body = f"{intro}\n\n<!-- more -->\n\n{rest}"
    return [write(site, "content/posts/beta.md", post("Beta", "2026-01-02", body))]


def test_a_text_edit_renders_only_the_pages_showing_the_post(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    site, builder = built(make_site)
    watch.reset()
    before = mtimes(site / "public")

    builder.build(edit_body(site))  # after <!-- more -->: listings show the same excerpt
    assert watch.assemblies == 0
    assert "posts/beta/index.html" in watch.rendered
    assert not any(
        path.startswith(("tags/", "categories/", "archives/")) for path in watch.rendered
    )
    after = mtimes(site / "public")
    rewritten = {path for path in after if after[path] != before.get(path)}
    assert "posts/beta/index.html" in rewritten
    assert "index.html" not in rewritten  # the home page shows only the unchanged excerpt
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_an_edit_of_the_excerpt_reaches_listings_and_feeds(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    site, builder = built(make_site)
    watch.reset()
    builder.build(edit_beta(site, "A new opening with $y^2$."))
    assert watch.assemblies == 0
    assert {"atom.xml", "posts/beta/index.html"} <= set(watch.rendered)
    served = tree(site / "public")
    listings = [
        path for path in served if path.startswith("page/") and b"A new opening" in served[path]
    ]
    assert listings and set(listings) <= set(watch.rendered)
    assert served == cold_tree(site, tmp_path)


def test_text_edits_in_a_row_stay_equal_to_a_cold_build(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    site, builder = built(make_site)
    about = "---\ntitle: About\ndate: 2026-01-01\n---\n"  # undated, a page's date is its file's
    edits: list[tuple[Callable[[Path], list[Path]], bool]] = [
        (lambda s: edit_beta(s, "First opening."), True),
        (lambda s: edit_beta(s, "Second opening.", "## One\n\ntext\n\n## Two\n\nmore"), True),
        (lambda s: [write(s, "content/posts/gamma.md", post("Gamma", "2026-01-03", "P."))], True),
        (lambda s: edit_beta(s, "Second opening."), True),  # the TOC goes again
        (lambda s: [write(s, "content/pages/about.md", about + "Me.\n")], False),
        (lambda s: [write(s, "content/pages/about.md", about + "Me, longer.\n")], True),
        (
            lambda s: [
                write(
                    s, "content/posts/draft.md", post("Draft", "2026-01-05", "No.", "draft: true\n")
                )
            ],
            True,
        ),
    ]
    for number, (edit, quick) in enumerate(edits):
        watch.reset()
        builder.build(edit(site))
        assert watch.assemblies == (0 if quick else 1), number
        assert tree(site / "public") == cold_tree(site, tmp_path), number


def test_a_build_told_nothing_finds_a_text_edit_by_its_stat_pass(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    """The resident builder's builds: every input and output stat-ed, as a fresh process
    would, and an edit of text alone still takes the quick path."""
    site, builder = built(make_site)
    age(site)
    builder.build(None)
    watch.reset()
    edit_beta(site, "Found by the stat pass.")
    builder.build(None)
    assert watch.assemblies == 0
    assert "posts/beta/index.html" in watch.rendered
    assert tree(site / "public") == cold_tree(site, tmp_path)


@pytest.mark.parametrize("touched", ["changed", "removed"])
def test_outputs_others_touched_take_the_full_path_and_are_put_back(
    make_site: SiteMaker, tmp_path: Path, watch: Watch, touched: str
) -> None:
    site, builder = built(make_site)
    age(site)
    builder.build(None)
    watch.reset()
    if touched == "changed":
        (site / "public/tags/index.html").write_text("by hand", encoding="utf-8")
    else:
        (site / "public/tags/index.html").unlink()
    edit_beta(site, "Edited while the output was touched.")
    builder.build(None)
    assert watch.assemblies == 1
    assert tree(site / "public") == cold_tree(site, tmp_path)


@pytest.mark.parametrize(
    "change",
    [CHANGES[name] for name in ("template override", "static file", "bundle file", "add")],
    ids=["template", "static", "bundle file", "new post"],
)
def test_a_stat_pass_that_finds_other_changes_takes_the_full_path(
    make_site: SiteMaker, tmp_path: Path, watch: Watch, change: Callable[[Path], list[Path]]
) -> None:
    site, builder = built(make_site)
    age(site)
    builder.build(None)
    watch.reset()
    change(site)
    edit_beta(site, "And a text edit beside it.")
    builder.build(None)
    assert watch.assemblies == 1
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_builder_saving_after_its_builds_leaves_what_a_fresh_process_reads(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    """`settle_later` (the resident builder): the records and the manifest reach the disk when
    `settle()` is called, or at the next build; a fresh process then finds the site built."""
    site, builder = built(make_site)
    builder.settle_later = True
    edit_beta(site, "Saved after the build.")
    builder.build(None)
    fresh = IncrementalBuilder(site, OPTIONS)
    before_settling = fresh.build()
    assert not before_settling.unchanged  # the manifest on disk is the last build's
    assert tree(site / "public") == cold_tree(site, tmp_path)
    edit_beta(site, "Saved after the build, again.")
    builder.build(None)
    builder.settle()
    assert IncrementalBuilder(site, OPTIONS).build().unchanged
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_text_edits_renew_the_search_index_in_place(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    """Search on and nothing deferred (the resident builder): the quick path brings the index
    up to date as a cold build would make it, and a fresh process finds nothing to do."""
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS)
    first = builder.build()
    before = tree(site / "public")
    about = "---\ntitle: About\ndate: 2026-01-01\n---\n"
    draft = post("Draft", "2026-01-05", "草稿 draft.", "draft: true\n")
    edits: list[tuple[Callable[[Path], list[Path]], bool]] = [
        (lambda s: edit_beta(s, "注意力机制 opening."), True),
        (lambda s: edit_beta(s, "卷积 second.", "## One\n\nmore words than before"), True),
        (edit_body, True),
        (lambda s: [write(s, "content/pages/about.md", about + "Me.\n")], False),
        (lambda s: [write(s, "content/pages/about.md", about + "Me, 更长.\n")], True),  # no index
        (lambda s: [write(s, "content/posts/draft.md", draft)], True),  # on no page, in no index
        (lambda s: [write(s, "content/posts/delta.md", post("Delta", "2026-01-04", "新"))], False),
        (lambda s: [write(s, "content/posts/delta.md", post("Delta", "2026-01-04", "新的"))], True),
        (lambda s: [*edit_beta(s, "两篇 both."), *edit_body(s)], True),
    ]
    for number, (edit, quick) in enumerate(edits):
        watch.reset()
        summary = builder.build(edit(site))
        assert watch.assemblies == (0 if quick else 1), number
        assert not summary.search_pending and summary.search_bytes > 0
        assert tree(site / "public") == cold_tree(site, tmp_path), number
    after = tree(site / "public")
    changed = {path for path in after if before.get(path) != after[path]}
    assert "search-index/meta.tx" in changed
    assert any(path.startswith("search-index/index/") for path in changed)
    assert first.search_bytes != summary.search_bytes
    assert IncrementalBuilder(site, OPTIONS).build().unchanged


def test_after_a_full_build_that_kept_the_index_a_text_edit_is_quick(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    builder.build(CHANGES["template override"](site))  # the full path; the same index
    watch.reset()
    builder.build(edit_beta(site, "After the template."))
    assert watch.assemblies == 0
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_builder_warmed_up_on_a_built_site_renews_its_search_index_at_the_first_edit(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    """The resident builder starts on a site built before: its first build finds nothing to
    do and the index's files up to date; warming up makes the index in memory from the runs
    saved, so the first edit is quick too."""
    site = make_site(FILES, config=CONFIG)
    IncrementalBuilder(site, OPTIONS).build()
    builder = IncrementalBuilder(site, OPTIONS)
    assert builder.build().unchanged
    builder.warm_up()
    spare = site / ".transmit-cache" / SPARE_DIR  # stocked for the first edit to write over
    index_files = list((site / "public" / SEARCH_DIR / "index").iterdir())
    assert len(list(spare.iterdir())) == EDITED_PAGES + len(index_files) + 2
    stocked = {p.stat().st_ino for p in spare.iterdir()}
    watch.reset()
    assert not builder.build(edit_beta(site, "注意力 after a restart.")).search_pending
    assert watch.assemblies == 0
    assert tree(site / "public") == cold_tree(site, tmp_path)
    assert (site / "public" / SEARCH_DIR / "meta.tx").stat().st_ino in stocked


def test_a_no_op_that_trusts_files_at_last_keeps_the_next_edit_quick(
    make_site: SiteMaker, tmp_path: Path, watch: Watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A no-op finds the files written just before the first build old enough to trust by
    their stat, and saves that: the site in memory goes on with that record."""
    from transmit.build import inputs

    site, builder = built(make_site)  # every file was written a moment ago: none trusted
    monkeypatch.setattr(inputs, "RACY_WINDOW_NS", 0)  # ... and now every one is old enough
    assert builder.build(None).unchanged
    watch.reset()
    builder.build(edit_beta(site, "After the files were trusted."))
    assert watch.assemblies == 0
    assert tree(site / "public") == cold_tree(site, tmp_path)


def change_config(site: Path) -> list[Path]:
    return [write(site, "site.toml", QUIET.replace("per_page = 2", "per_page = 3"))]


@pytest.mark.parametrize(
    "change",
    [
        *(CHANGES[name] for name in ("edit title", "publish draft", "retag", "add image")),
        *(CHANGES[name] for name in ("template override", "static file", "rename")),
        change_config,
    ],
    ids=["title", "draft published", "retag", "image", "template", "static", "rename", "config"],
)
def test_other_changes_take_the_full_path(
    make_site: SiteMaker, tmp_path: Path, watch: Watch, change: Callable[[Path], list[Path]]
) -> None:
    site, builder = built(make_site)
    builder.build(edit_body(site))  # the quick path first, so the model is in play
    watch.reset()
    builder.build(change(site))
    assert watch.assemblies == 1
    assert tree(site / "public") == cold_tree(site, tmp_path)
    watch.reset()
    builder.build(edit_beta(site, "After the change."))  # quick again, on the new model
    assert watch.assemblies == 0
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_an_edit_that_uses_a_new_image_beside_the_post_takes_the_full_path(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    site = make_site({**FILES, "content/posts/images/r.png": b"\x89PNG r"}, config=QUIET)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.build()
    watch.reset()
    builder.build(edit_beta(site, "Now with ![r](images/r.png)."))
    assert watch.assemblies == 1  # the image must be copied: not a text edit
    assert "posts/images/r.png" in tree(site / "public")
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_warnings_follow_text_edits_and_strict_refuses_them(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    site = make_site({p: t for p, t in FILES.items() if "pic" not in p}, config=QUIET)
    builder = IncrementalBuilder(site, OPTIONS)
    assert builder.build().warnings == ()
    summary = builder.build(edit_beta(site, f"Broken {BAD_FORMULA} formula."))
    assert [(w.path, w.message.split(":")[0]) for w in summary.warnings] == [
        ("content/posts/beta.md", "cannot render formula")
    ]
    assert builder.build(edit_beta(site, "Fixed.")).warnings == ()
    assert tree(site / "public") == cold_tree(site, tmp_path)

    strict = IncrementalBuilder(site, BuildOptions(now=NOW, jobs=1, strict=True))
    strict.build()
    before = tree(site / "public")
    with pytest.raises(BuildFailed):
        strict.build(edit_beta(site, f"Broken again {BAD_FORMULA}."))
    assert tree(site / "public") == before  # nothing written for a refused build
    strict.build(edit_beta(site, "Fixed again."))
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_after_a_failed_build_the_next_edit_sees_every_change(
    make_site: SiteMaker, tmp_path: Path, watch: Watch
) -> None:
    site, builder = built(make_site)
    # gamma takes beta's path: the records change, then the build fails
    clash = post("Gamma", "2026-01-03", "Gamma.", "slug: beta\n")
    gamma = write(site, "content/posts/gamma.md", clash)
    with pytest.raises(BuildFailed):
        builder.build([gamma])
    fixed = write(site, "content/posts/gamma.md", post("Gamma two", "2026-01-03", "Gamma."))
    watch.reset()
    builder.build([fixed, *edit_body(site)])
    assert watch.assemblies == 1
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_render_lost_from_the_cache_during_a_quick_edit_is_made_again(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, watch: Watch
) -> None:
    site, builder = built(make_site)
    watch.reset()
    real = cache.RenderCache.load
    lost = {"times": 1}

    def losing(self, key, reads):  # type: ignore[no-untyped-def]
        if lost["times"]:
            lost["times"] -= 1
            return None
        return real(self, key, reads)

    monkeypatch.setattr(cache.RenderCache, "load", losing)
    builder.build(edit_beta(site, "An opening the listings show."))
    assert not lost["times"]
    assert watch.assemblies == 1  # the quick path met the loss and gave way to the full one
    monkeypatch.undo()
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_an_ephemeral_output_leaves_no_manifest_in_the_cache(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=QUIET)
    out = site.parent / "served" / "site"
    builder = IncrementalBuilder(
        site, BuildOptions(now=NOW, jobs=1, out_dir=out), defer_search=True, ephemeral=True
    )
    builder.build()
    builder.build(edit_body(site))
    cache_dir = site / ".transmit-cache"
    assert not manifest_path(cache_dir, out).exists()
    assert not list(cache_dir.glob("manifest-*"))
    assert (out / "posts/beta/index.html").is_file()


def test_warming_up_writes_nothing_and_never_raises(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=QUIET)
    builder = IncrementalBuilder(site, OPTIONS)
    builder.warm_up()  # before any build: no model yet
    builder.build()
    # templates compiled now are kept in the cache, and empty files for the first edit
    made = (site / ".transmit-cache" / "templates", site / ".transmit-cache" / SPARE_DIR)

    def files_now() -> dict[Path, int]:
        found = (p for p in site.rglob("*") if p.is_file() and not set(made) & set(p.parents))
        return {p: p.stat().st_mtime_ns for p in found}

    files = files_now()
    builder.warm_up()
    assert files_now() == files
    (site / "site.toml").write_text("title = [", encoding="utf-8")
    builder.warm_up()  # a broken config is the next build's to report


def test_after_warming_up_the_first_edit_compiles_no_template(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a broken template no page uses and a file that is no template at all: warming up
    # passes over both (a page using the broken one would report it when made)
    extra = {"templates/unused.html": "{% if %}", "templates/logo.png": "\x89PNG\x00\xff"}
    site = make_site({**FILES, **extra}, config=QUIET)
    # as with a big site, the full build makes its pages in forked processes, so this process
    # has compiled no template yet
    threshold = pages.MIN_FORKED_PAGES
    fork_every_page_render(monkeypatch)
    builder = IncrementalBuilder(site, BuildOptions(now=NOW, jobs=2))
    builder.build()
    monkeypatch.setattr(pages, "MIN_FORKED_PAGES", threshold)  # an edit's pages: made here
    builder.warm_up()
    compiled: list[str | None] = []
    real_compile = jinja2.Environment.compile

    def counting_compile(self, source, name=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return real_compile(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting_compile)
    builder.build(edit_body(site))
    assert (site / "public/posts/beta/index.html").read_text(encoding="utf-8").count("edited")
    assert compiled == []
