"""The quick path: a save that changes a post's text but not its metadata.

Most saves while writing change a post's body and nothing else: its title, date, tags, category
and path stay, so every listing, taxonomy page and neighbour holds the same posts in the same
places. Then the last build's site, kept in memory (`SiteModel`), is right except where the
post's rendered record shows: its own page (whose context took values from that record) and the
pages that read the record while rendering (listings showing its excerpt, feeds with its text),
which the last build noted per page. Those pages are made again, and the search index kept in
memory is renewed where the post is (`site.search.SearchIndex.renew`); nothing else is looked
at, so an edit costs about the same at 10,000 posts as at 100. Any other change takes the full
path.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from transmit.build.assembly import Assembly, TemplatePage, page_file
from transmit.build.layout import Layout
from transmit.build.outputs import STALE_SEARCH, search_key, search_mark
from transmit.build.pages import MissingRender, plan_pages
from transmit.build.sources import load_warnings
from transmit.build.writer import Staging, stock_spares

if TYPE_CHECKING:
    from pathlib import Path

    from transmit.build.cache import LazyRendered, ReadLog
    from transmit.build.digest import Digester, MarkMemo
    from transmit.build.manifest import Manifest, OutputRecord, SourceRecord
    from transmit.build.plan import Plan
    from transmit.build.search_memo import SavedRuns
    from transmit.build.sources import Loaded
    from transmit.config import Config
    from transmit.errors import BuildWarning
    from transmit.site.entry import Entry
    from transmit.site.memo import AssemblyMemo
    from transmit.site.search import SearchIndex, SearchIndexFile


# Pages an edit to one post's text rewrites, about: its own, the listings and feeds that show it.
EDITED_PAGES = 64


@dataclass(slots=True)
class SiteModel:
    """The last full build's site as the builder made it: what the quick path changes in place."""

    manifest: Manifest
    assembly: Assembly
    published: list[SourceRecord]  # in site order
    places: dict[str, int]  # published source -> its index in `published`
    records: dict[str, SourceRecord]  # every source's record, drafts too
    entries: dict[str, Entry]  # published source -> the entry every page holds
    own: dict[str, int]  # published source -> index of its own page in the assembly
    digester: Digester  # page contexts' bytes, entries by identity, records digested once
    layout: Layout
    copied: frozenset[str]  # paths copied files take (they win over pages)
    search: SearchIndex | None  # the index whose files are in the output, when search is on
    search_keys: list[str]  # what it is made from (`build.outputs.search_keys`)
    # published sources whose text changed since `search` was renewed, with their texts'
    # versions (the dev server's builds serve an edited page first, renew the index after)
    search_behind: dict[str, str] = field(default_factory=dict)
    readers: dict[str, set[int]] | None = None  # source -> pages that read its record

    def readers_of(self, source: str) -> set[int]:
        """The template pages that read `source`'s rendered record when last rendered."""
        if self.readers is None:  # made once, on the first quick edit
            index_of = {page.path: index for index, page in enumerate(self.assembly)}
            self.readers = {}
            for path, reads in self.manifest.page_reads.items():
                if (index := index_of.get(path)) is not None:
                    for read_source in reads:
                        self.readers.setdefault(read_source, set()).add(index)
        return self.readers.get(source, set())

    def note_reads(self, index: int, before: Sequence[str], now: Sequence[str]) -> None:
        if self.readers is None:
            return
        for source in set(before) - set(now):
            self.readers.get(source, set()).discard(index)
        for source in now:
            self.readers.setdefault(source, set()).add(index)


def site_model(
    manifest: Manifest,
    assembly: Assembly,
    published: list[SourceRecord],
    records: dict[str, SourceRecord],
    entries: Sequence[Entry],
    sources: dict[int, str],
    digester: Digester,
    layout: Layout,
    copied: frozenset[str],
    search: SearchIndex | None,
    search_keys: list[str],
) -> SiteModel | None:
    """The model of a full build, or None when a post's own page cannot be found by its path."""
    index_of = {page.path: index for index, page in enumerate(assembly)}
    own: dict[str, int] = {}
    for record in published:
        index = index_of.get(page_file(record.post.path))
        if index is None or not isinstance(assembly.pages[index], TemplatePage):
            return None
        own[sources[id(record)]] = index
    paths = [sources[id(record)] for record in published]
    return SiteModel(
        manifest=manifest,
        assembly=assembly,
        published=list(published),
        places={source: place for place, source in enumerate(paths)},
        records=dict(records),
        entries=dict(zip(paths, entries, strict=True)),
        own=own,
        digester=digester,
        layout=layout,
        copied=copied,
        search=search,
        search_keys=search_keys,
    )


def text_edits(
    model: SiteModel, plan: Plan, loaded: Loaded, search_may_wait: bool
) -> list[tuple[str, SourceRecord]] | None:
    """The sources whose records changed since the model, when each kept its metadata, its
    publishing and the files it uses, and nothing else changed (no other input, no clock
    passing a post's date); None when the full path is needed (and when the search index is
    to be brought up to date but is not in memory)."""
    previous = model.manifest
    if (
        plan.edited is None  # a new file, a static file, a template or the config
        or plan.previous is not previous
        or not plan.outputs_intact()  # outputs others touched: the full check
        or plan.site_key != previous.site_key
        or (previous.next_publish is not None and plan.publishing.now >= previous.next_publish)
        or (plan.config.search and not search_may_wait and model.search is None)
        or loaded.skipped
    ):
        return None
    records = loaded.state.records
    if len(records) != len(model.records):
        return None
    edits = []
    for source in loaded.touched:  # every other record is the model's (a failed build drops
        # the model: the records may have moved past it)
        record, before = records.get(source), model.records.get(source)
        if record is None:
            return None
        if before is record:
            continue
        if before is None or before.mark != record.mark:
            return None
        published = source in model.entries
        if published != plan.publishing.publishes(record.post):
            return None
        if published and (
            record.key is None
            or record.rendered is None
            or before.rendered is None
            or record.rendered.assets != before.rendered.assets
        ):
            return None
        edits.append((source, record))
    return edits


@dataclass(frozen=True, slots=True)
class PageTools:
    """What making pages needs of the builder, kept across its builds."""

    record_mark: Callable[[str], bytes | None]
    log: ReadLog
    fingerprint: bytes
    marks: MarkMemo
    assembly_memo: AssemblyMemo
    runs: SavedRuns  # of the search index
    spare: Path  # files to write over (`build.writer`)
    jobs: int


def apply_text_edits(
    model: SiteModel,
    plan: Plan,
    loaded: Loaded,
    edits: Sequence[tuple[str, SourceRecord]],
    tools: PageTools,
    refuse: Callable[[tuple[BuildWarning, ...]], None],
    defer_search: bool,
) -> Manifest:
    """Renew the edited posts in the model, make again the pages that show their rendered
    records and the search index's files that hold them, and return the new manifest (its
    summary included); the output folder is brought up to date in one commit. With
    `defer_search` the index is left as it was, out of date, for the next build without it
    to renew (no edits: that build's only work)."""
    from transmit.site.assemble import renew_own_page

    previous = model.manifest
    pages = model.assembly.pages
    indices: set[int] = set()
    renewed: set[str] = set()
    quiet = all(_quiet(model.records[source]) and _quiet(record) for source, record in edits)
    for source, record in edits:
        model.records[source] = record
        entry = model.entries.get(source)
        if entry is None:  # a draft or a future post: on no page
            continue
        assert record.rendered is not None and record.key is not None
        lazy: LazyRendered = entry.rendered  # type: ignore[assignment]
        lazy.retarget(record.rendered, record.key, record.reads)
        model.published[model.places[source]] = record
        index = model.own[source]
        own = pages[index]
        assert isinstance(own, TemplatePage)
        pages[index] = renew_own_page(plan.config, own, entry, tools.assembly_memo)
        renewed.add(own.path)
        indices.add(index)
        indices |= model.readers_of(source)
    warnings = previous.summary.warnings
    if not quiet:  # (else the warnings of the last build are these: no edited post had any)
        warnings = site_warnings(plan, loaded, model.published)
    refuse(warnings)  # --strict
    only = sorted(i for i in indices if pages[i].path not in model.copied)
    marks = dict(previous.marks)
    search = _renew_search(model, plan, edits, tools, marks, defer_search)
    layout = Layout(model.layout.posts, frozenset(renewed))
    staging = Staging(previous.summary.out_dir, whole=False, spare=tools.spare)
    try:
        arguments = (plan, model.assembly, model.digester, tools.record_mark, tools.log)
        rest = (tools.fingerprint, tools.marks, staging, tools.jobs, layout, marks, only)
        outputs, page_reads, read_marks = plan_pages(*arguments, *rest)
        outputs.update(_stage(search.files, staging))
    except BaseException:
        staging.discard()
        raise
    staging.commit()
    for index in only:
        path = pages[index].path
        model.note_reads(index, previous.page_reads.get(path, ()), page_reads[path])
    watched = dict(previous.inputs.watched)
    for _source, record in edits:
        watched.update(record.reads)
    summary = replace(
        previous.summary,
        warnings=warnings,
        search_pending=(pending := marks.get("search") == STALE_SEARCH),
        search_renewable=pending and model.search is not None,
        search_bytes=search.size if plan.config.search else 0,
        search_seconds=search.seconds,
        seconds=0.0,
    )
    manifest = replace(
        previous,
        inputs=replace(plan.inputs, watched=watched),
        outputs=outputs,
        marks=marks,
        page_reads=page_reads,
        read_marks=read_marks,
        summary=summary,
    )
    model.manifest = manifest
    return manifest


@dataclass(frozen=True, slots=True)
class _SearchEdit:
    """What renewing the search index after an edit made, for the build's record."""

    files: list[SearchIndexFile]  # of the index, changed
    size: int  # bytes of the index
    seconds: float  # spent renewing it


def _renew_search(
    model: SiteModel,
    plan: Plan,
    edits: Sequence[tuple[str, SourceRecord]],
    tools: PageTools,
    marks: dict[str, bytes],
    defer: bool,
) -> _SearchEdit:
    """The search index renewed for the edited posts (already renewed in the model) and
    those an earlier build deferred, and its mark in `marks`; or marked out of date: with
    `defer`, when the index is in memory, the posts are noted for the next build to renew
    (60 ms at 10,000 posts, more than the edited page's own build: the dev server serves the
    page first); with no index in memory (a full build deferred it), the next full build
    makes it."""
    from transmit.site.search_records import indexed_posts

    started = time.perf_counter()
    config = plan.config
    if not config.search:
        return _SearchEdit([], 0, 0.0)
    keys, index, behind = model.search_keys, model.search, model.search_behind
    for source, record in edits:
        if source in model.entries:
            version = record.version()
            keys[model.places[source]] = search_key(source, version)
            if index is not None:
                behind[source] = version
    if index is None or (defer and behind):  # kept as it was, out of date
        marks["search"] = STALE_SEARCH
        return _SearchEdit([], model.manifest.summary.search_bytes, 0.0)
    marks["search"] = search_mark(config, keys)
    if not behind:  # (a draft's text edited: no post of the index)
        return _SearchEdit([], index.size(), 0.0)
    sources = sorted(behind)
    entries = [model.entries[source] for source in sources]
    posts = indexed_posts(config, entries, [behind[source] for source in sources])
    files = index.renew(posts, jobs=tools.jobs, memo=tools.runs)
    behind.clear()
    return _SearchEdit(files, index.size(), time.perf_counter() - started)


def remake_search_index(config: Config, model: SiteModel, runs: SavedRuns, jobs: int) -> None:
    """Make the model's search index again from the runs earlier builds saved, when its files
    in the output are up to date but it is not in memory (a build that found them so kept
    them): the first edit then renews it instead of taking the full path."""
    from transmit.site.search import SearchIndex
    from transmit.site.search_records import indexed_posts

    if not config.search or model.search is not None:
        return
    if model.manifest.marks.get("search") != search_mark(config, model.search_keys):
        return  # out of date: the next build without deferring makes it
    sources = sorted(model.places, key=model.places.__getitem__)
    entries = [model.entries[source] for source in sources]
    versions = [record.version() for record in model.published]
    posts = indexed_posts(config, entries, versions)
    with contextlib.suppress(MissingRender):  # renders lost since: the first edit goes the full way
        model.search = SearchIndex(posts, site_language=config.language, jobs=jobs, memo=runs)


def stock_spares_for_edits(model: SiteModel, spare: Path) -> None:
    """Files for the first edit to write over (`writer.stock_spares`): as many as an edit to a
    post's text rewrites at most, about: its page, the listings and feeds that show it, and
    with search on every file of the index (when the edit moved later posts' tokens)."""
    index = model.search
    stock_spares(spare, EDITED_PAGES + (len(index.index_files) + 2 if index is not None else 0))


def _stage(files: Sequence[SearchIndexFile], staging: Staging) -> dict[str, OutputRecord]:
    """Stage `files`, each with its record for the manifest. (One thread: two took four
    times as long, each waiting for the other to let go of the interpreter.)"""
    records: dict[str, OutputRecord] = {}
    for file in files:
        records[file.path] = (file.digest, file.digest, *staging.put(file.path, file.data))
    return records


def _quiet(record: SourceRecord) -> bool:
    """Whether loading and rendering the post noticed nothing."""
    return not record.post.warnings and not (record.rendered and record.rendered.warnings)


def site_warnings(
    plan: Plan, loaded: Loaded, published: Sequence[SourceRecord]
) -> tuple[BuildWarning, ...]:
    """What loading noticed, then what rendering noticed of each published post, in order."""
    rendered = (w for r in published if r.rendered for w in r.rendered.warnings)
    return (*load_warnings(plan.inputs, loaded), *rendered)


# Languages notes show most: a lexer sets up its rules when first used (tens of milliseconds).
_COMMON_CODE = ("python", "cpp", "c", "bash", "javascript", "java", "go", "rust", "json", "yaml")
# A post using what posts use, rendered once to load the renderer before the first save.
_SAMPLE = (
    "---\ntitle: Sample\ndate: 2026-01-01\ntags: [a]\n---\n\n"
    "Text $x_1 * y_1$, **bold**, [link](/).\n\n"
    "$$\\int_0^1 f(x)\\,dx$$\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    + "".join(f"\n```{language}\nx = 1\n```\n" for language in _COMMON_CODE)
)


def warm_up(config: Config, model: SiteModel | None) -> None:
    """Load now what the first quick edit would load, so that it is as quick as the next ones:
    the renderer (Markdown, math and highlighting take half a second to import and set up),
    the page templates, and which pages read which posts."""
    import imagesize  # noqa: F401  (a post's first image of its own loads it: 20 ms)

    from transmit.build.pipeline import render_options, render_post
    from transmit.content.loader import parse_post
    from transmit.site.theme import compile_templates

    source = config.site_dir / "content" / "posts" / "sample.md"
    render_post(parse_post(_SAMPLE.encode(), source, "post", config), render_options(config))
    if model is not None:
        model.readers_of("")
        compile_templates(model.assembly.environment)
