"""The one build path: `build_site` (the CLI) runs it once, the dev server keeps it alive.

load -> render -> assemble -> write, each stage skipping what the previous build already did:
- a stat pass compares every input and output with the manifest; nothing changed, nothing done;
- only changed source files are read and rendered (in worker processes when there are many),
  through a content-addressed render cache (`build.sources`);
- every page is planned, but only pages whose digest changed are rendered (`build.pages`);
- only files whose bytes changed are written, in one all-or-nothing commit (`build.writer`).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import manifest as saved
from transmit.build.assembly import Assembly
from transmit.build.cache import ReadLog, RenderCache, canonical
from transmit.build.digest import Digester, MarkMemo
from transmit.build.edits import (
    PageTools,
    SiteModel,
    apply_text_edits,
    remake_search_index,
    site_model,
    site_warnings,
    stock_spares_for_edits,
    text_edits,
    warm_up,
)
from transmit.build.entries import EntryMemo
from transmit.build.folders import CACHE_DIR, DEFAULT_OUTPUT, SPARE_DIR
from transmit.build.inputs import Sig
from transmit.build.layout import layout_of
from transmit.build.manifest import Manifest, RecordMarks
from transmit.build.memos import load_assembly_memo, save_assembly_memo
from transmit.build.output_guard import check_output_folder
from transmit.build.outputs import (
    SearchOutcome,
    copies_of,
    copy_files,
    search_files,
    search_keys,
    search_mark,
)
from transmit.build.pages import MissingRender, plan_pages
from transmit.build.pipeline import (
    BuildFailed,
    BuildOptions,
    BuildSummary,
    output_clashes,
)
from transmit.build.plan import Plan, make_plan
from transmit.build.search_memo import SavedRuns
from transmit.build.sources import Loaded, SourceRecords
from transmit.build.store import code_fingerprint, digest, prepare_folder
from transmit.build.templates import PageTemplates
from transmit.build.workers import (
    Publishing,
    Workers,
    collector_paused,
)
from transmit.build.writer import Staging, output_lock, recover
from transmit.config import Config, load_config
from transmit.errors import BuildWarning, TransmitError

if TYPE_CHECKING:
    from transmit.site.memo import AssemblyMemo

# The bundled theme, as transmit.site.theme has it (importing that module loads Jinja2, which a
# no-op rebuild does not need; a test keeps the two equal).
THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "transmission"


class IncrementalBuilder:
    """Builds a site again and again, redoing only what its changes require."""

    def __init__(
        self,
        site_dir: Path,
        options: BuildOptions,
        *,
        defer_search: bool = False,
        ephemeral: bool = False,
        once: bool = False,
    ) -> None:
        """`defer_search` (the dev server, a watching build): once there is a search index,
        builds keep it when it is out of date and say so in the summary (`search_pending`;
        `search_renewable` when the index is in memory and renewed in place, after edits to
        posts' text alone); a build asked for no change, `build(())`, brings it up to date.
        `ephemeral`: the output folder is temporary (the dev server's), so what was built
        into it is kept in memory only.
        `once`: one build and no other (`transmit build`): the site is not kept in memory for
        the quick path of later edits."""
        # first: `options.now` is this moment, or a post saved after it (dated by its file's
        # time) would be in the future of the next build, by the time this setting up takes
        self._started = time.monotonic()
        self.site_dir = site_dir.absolute()  # one spelling: the cache records paths under it
        self.options = options
        self.defer_search = defer_search
        self.ephemeral = ephemeral
        self.once = once
        self._deferring = False
        self.out_dir = (options.out_dir or self.site_dir / DEFAULT_OUTPUT).absolute()
        self.cache_dir = self.site_dir / CACHE_DIR
        self._fingerprint = code_fingerprint()
        self._manifest: Manifest | None = None
        self._model: SiteModel | None = None  # the last build's site, for quick edits
        self._sources = SourceRecords(self.cache_dir, self._fingerprint)
        self._entries = EntryMemo()
        self._marks = MarkMemo()
        self._assembly_memo: AssemblyMemo | None = None  # made when first assembling
        self._config_mark: bytes | None = None  # digest of the configuration last assembled
        self._log = ReadLog()
        self._record_marks = RecordMarks()
        # a build failed since the last that succeeded: the files it failed on are not among
        # the next build's `changed` (the dev server names only files saved since), so the
        # next build stats every input, or an edit elsewhere would hide their errors
        self._failed = False
        # `settle_later`: the build saves what later builds read (records, the manifest) and
        # sweeps the cache after it is done, when `settle()` is called (the resident builder
        # answers first); else as it goes
        self.settle_later = False
        self._unsettled: list[Callable[[], None]] = []

    def renew(self, options: BuildOptions) -> None:
        """Take the options of a later `transmit build` (the resident builder serves many):
        its own choices and its clock, for the same output folder."""
        out_dir = (options.out_dir or self.site_dir / DEFAULT_OUTPUT).absolute()
        if out_dir != self.out_dir:
            raise ValueError(f"this builder writes {self.out_dir}, not {out_dir}")
        self.options = options
        self._started = time.monotonic()

    def _now(self) -> datetime:
        """`options.now` for the first build; later builds are later by the time that passed
        (a dev server left running publishes a post when its date comes)."""
        return self.options.now + timedelta(seconds=time.monotonic() - self._started)

    def build(
        self,
        changed: Collection[Path] | None = None,
        *,
        model: bool = False,
        outputs_touched: Collection[str] | None = None,
    ) -> BuildSummary:
        """Bring the output up to date. `changed`: the files known to have changed since the
        last call (None: anything may have, stat everything). `outputs_touched`: with
        `changed`, the output files (paths under the output folder) anything may have touched
        since; None: the outputs are this builder's own, unchecked (the dev server's). `model`:
        take the full path even when nothing changed, so that the site is in memory for the
        quick path of later edits."""
        started = time.perf_counter()
        self._deferring = self.defer_search and changed != ()
        try:
            with collector_paused():
                known = None if self._failed else changed
                summary = self._build(known, model, outputs_touched)
        except OSError as error:  # a full disk, a read-only folder, a file where a folder goes
            self._model, self._failed = None, True
            where = error.filename or self.out_dir
            raise TransmitError(
                f"cannot write the site: {error.strerror or error}", where
            ) from None
        except BaseException:
            # the records may have moved past the model: the full path next
            self._model, self._failed = None, True
            raise
        self._failed = False
        return replace(summary, seconds=time.perf_counter() - started)

    def _build(
        self, changed: Collection[Path] | None, model: bool, touched: Collection[str] | None
    ) -> BuildSummary:
        config = load_config(self.site_dir)  # first: it says when there is no site here
        check_output_folder(self.site_dir, self.out_dir)
        prepare_folder(self.cache_dir)
        with output_lock(self._lock_path()):
            self._settle()
            recover(self.out_dir)
            plan = self._plan(config, changed, touched)
            previous = plan.previous
            if previous is not None and not model and plan.unchanged():
                if (trusted := plan.trusted_now()) is not None:
                    if self._model is not None and self._model.manifest is previous:
                        self._model.manifest = trusted  # (or the next edit goes the full way)
                    self._save(trusted)
                summary: BuildSummary = previous.summary
                self._refuse_warnings(summary.warnings)
                return replace(summary, unchanged=True)
            with Workers(self.options.jobs) as workers:
                templates = PageTemplates(config, self.cache_dir / "templates", self._fingerprint)
                workers.meanwhile(templates.compile)
                self._sources.render_ahead(plan, workers)
                loaded = self._sources.load(plan, workers, self._later())
                quick = self._quick(plan, loaded)
                if quick is not None:
                    return quick
                return self._finish(plan, loaded, workers, templates)

    @property
    def manifest(self) -> Manifest | None:
        """What the last build recorded, None before one."""
        return self._manifest

    def settle(self) -> None:
        """Do what the last build left for later (`settle_later`): its saving and sweeping."""
        if self._unsettled:
            with output_lock(self._lock_path()):
                self._settle()

    def _settle(self) -> None:
        while self._unsettled:
            self._unsettled.pop(0)()

    def _later(self) -> list[Callable[[], None]] | None:
        return self._unsettled if self.settle_later else None

    def warm_up(self) -> None:
        """Ready what the first edit would load (the dev server or a watching build, once the
        first build is done). A first build that found nothing to do left no site in memory:
        it is made now (an unchanged site is not rewritten), or the first edit would take the
        full path; so is the search index, when a build kept its files without making it. And
        files for the first edit to write over (`writer.stock_spares`)."""
        with contextlib.suppress(TransmitError):  # the next build says what is wrong
            if self._model is None and self._manifest is not None:
                self.build(None, model=True)
            config = load_config(self.site_dir)
            warm_up(config, self._model)
            if self._model is not None:
                runs = SavedRuns(self.cache_dir, self._fingerprint)
                remake_search_index(config, self._model, runs, self.options.jobs)
                stock_spares_for_edits(self._model, self.cache_dir / SPARE_DIR)

    def _lock_path(self) -> Path:
        if self.ephemeral:
            return self.out_dir.with_name(self.out_dir.name + ".lock")
        return saved.manifest_path(self.cache_dir, self.out_dir).with_suffix(".lock")

    def _refuse_warnings(self, warnings: tuple[BuildWarning, ...]) -> None:
        if self.options.strict and warnings:
            raise BuildFailed([TransmitError(w.message, w.path, w.line) for w in warnings])

    # -- what changed ----------------------------------------------------------------------

    def _plan(
        self, config: Config, changed: Collection[Path] | None, touched: Collection[str] | None
    ) -> Plan:
        in_memory = self._manifest is not None
        previous = self._previous_manifest()
        known = previous is not None and changed is not None and in_memory
        publishing = Publishing(self.options.drafts, self.options.future, self._now())
        dirs = (self.site_dir, self.out_dir, THEME_DIR)
        return make_plan(config, previous, changed if known else None, touched, publishing, dirs)

    def _previous_manifest(self) -> Manifest | None:
        if self._manifest is None and not self.ephemeral:
            path = saved.manifest_path(self.cache_dir, self.out_dir)
            self._manifest = saved.load_manifest(path, self._fingerprint)
        if self._manifest is not None and not self.out_dir.is_dir():
            self._manifest = None
        return self._manifest

    # -- assemble and write ----------------------------------------------------------------

    def _quick(self, plan: Plan, loaded: Loaded) -> BuildSummary | None:
        """The build of an edit to posts' text alone, made on the last build's site in memory
        (`build.edits`); None when the edit is of another kind."""
        model = self._model
        if model is None or (edits := text_edits(model, plan, loaded, self._deferring)) is None:
            return None
        assert self._assembly_memo is not None  # made with the model
        record_mark = self._record_marks.of(loaded.state.records)
        memos = (self._marks, self._assembly_memo)
        runs = SavedRuns(self.cache_dir, self._fingerprint)
        jobs = self.options.jobs
        spare = self.cache_dir / SPARE_DIR
        tools = PageTools(record_mark, self._log, self._fingerprint, *memos, runs, spare, jobs)
        try:
            refuse, defer = self._refuse_warnings, self._deferring
            manifest = apply_text_edits(model, plan, loaded, edits, tools, refuse, defer)
        except MissingRender:  # the cache lost files since they were read: the full path
            self._model = None
            return None
        for source, record in edits:
            if (entry := model.entries.get(source)) is not None:
                self._entries.renew(record, entry)
        self._save(manifest)
        return manifest.summary

    def _finish(
        self, plan: Plan, loaded: Loaded, workers: Workers, templates: PageTemplates
    ) -> BuildSummary:
        from transmit.content.loader import duplicate_paths
        from transmit.site.assemble import assemble_pages

        records = list(loaded.state.records.values())
        if errors := duplicate_paths([r.post for r in records]):
            raise BuildFailed(errors)
        published, drafts, future = plan.publishing.split(records)
        warnings = site_warnings(plan, loaded, published)
        self._refuse_warnings(warnings)

        cache = RenderCache(self.cache_dir / "render", self._fingerprint)
        sources = {id(record): path for path, record in loaded.state.records.items()}
        entries, identities = self._entries.of(published, sources, cache, self._log)
        self._config_mark = digest(canonical(plan.config))
        if self._assembly_memo is None:
            mark = self._config_mark
            self._assembly_memo = load_assembly_memo(self.cache_dir, self._fingerprint, mark)

        marks: dict[str, bytes] = {}
        versions: list[str] = []
        keys: list[str] = []
        if plan.config.search:  # 60 ms at 10,000 posts, for no index at all otherwise
            versions = [record.version() for record in published]
            keys = search_keys(published, sources, versions)
            marks["search"] = search_mark(plan.config, keys)

        def assemble() -> tuple[Assembly, SearchOutcome]:
            environment = templates.environment()
            assembly = assemble_pages(plan.config, entries, self._assembly_memo, environment)
            runs = SavedRuns(self.cache_dir, self._fingerprint)
            jobs, defer = self.options.jobs, self._deferring
            search = search_files(plan, entries, versions, assembly, marks, runs, jobs, defer)
            return assembly, search

        try:  # assembly reads long texts of rendered posts (descriptions, search text)
            assembly, search = assemble()
        except MissingRender:  # the cache lost files since they were read: render again
            self._sources.render_lost(plan, loaded, cache, workers)
            assembly, search = assemble()
        posts = [r.post for r in published]
        copies = copies_of(plan, published, sources)
        written = plan.previous.outputs if plan.previous else {}
        if clashes := output_clashes(list(assembly), copies, posts, self.site_dir, written):
            raise BuildFailed(clashes)
        # the pool's manager thread would keep pages from being rendered in forked processes
        # (forking is only safe with one thread); a render lost later starts a new pool
        workers.close()
        whole = plan.previous is None or not self.out_dir.is_dir()
        staging = Staging(self.out_dir, whole, self.cache_dir / SPARE_DIR)
        record_mark = self._record_marks.of(loaded.state.records)
        try:
            digester = Digester(identities)
            arguments = (plan, assembly, digester, record_mark, self._log, self._fingerprint)
            layout = layout_of(published, sources, copies, self._sources.before)
            rest = (self._marks, staging, self.options.jobs, layout)
            try:
                outputs, page_reads, read_marks = plan_pages(*arguments, *rest, marks)
            except MissingRender:  # the cache lost files since they were read: render again
                self._sources.render_lost(plan, loaded, cache, workers)
                outputs, page_reads, read_marks = plan_pages(*arguments, *rest, marks)
            outputs.update(search.kept)
            copy_files(plan, copies, outputs, staging)
        except BaseException:
            staging.discard()
            raise
        recorded = plan.previous.outputs if plan.previous else {}
        staging.commit([path for path in recorded if path not in outputs])
        summary = BuildSummary(
            out_dir=self.out_dir,
            posts=sum(1 for r in published if r.post.kind == "post"),
            pages=sum(1 for r in published if r.post.kind == "page"),
            files=len(outputs),
            seconds=0.0,
            skipped_drafts=tuple(p.rel_path for p in drafts),
            skipped_future=tuple(p.rel_path for p in future),
            warnings=warnings,
            search_bytes=search.size,
            search_seconds=search.seconds,
            search_pending=search.pending,
        )
        watched: dict[str, Sig | None] = {}
        for record in records:  # each file as the renders saw it: a later change shows
            for name, seen in record.reads:
                watched.setdefault(name, seen)
        inputs = replace(plan.inputs, watched=watched)
        manifest = Manifest(
            site_key=plan.site_key,
            inputs=inputs,
            outputs=outputs,
            marks=marks,
            page_reads=page_reads,
            read_marks=read_marks,
            next_publish=min((p.date for p in future), default=None),
            summary=summary,
        )
        self._save(manifest)
        if not self.once:
            copied = frozenset(copy.path for copy in copies)
            state = (manifest, assembly, published, loaded.state.records, entries, sources)
            index = search.index
            if index is None and search.kept and not search.pending and self._model is not None:
                index = self._model.search  # the index whose files were kept
            self._model = site_model(*state, digester, layout, copied, index, keys)
        return summary

    def _save(self, manifest: Manifest) -> None:
        """Keep what the next build uses: the manifest in memory, and on disk unless the output
        is the dev server's temporary folder (a later process never sees that folder again);
        related posts found anew, and posts' page metadata when much of it was made anew, on
        disk (after the build, with `settle_later`)."""
        self._manifest = manifest
        if (later := self._later()) is not None:
            later.append(functools.partial(self._write, manifest))
        else:
            self._write(manifest)

    def _write(self, manifest: Manifest) -> None:
        if not self.ephemeral:
            path = saved.manifest_path(self.cache_dir, self.out_dir)
            saved.save_manifest(path, self._fingerprint, manifest)
        if self._assembly_memo is not None and self._config_mark is not None:
            memo, mark = self._assembly_memo, self._config_mark
            save_assembly_memo(self.cache_dir, self._fingerprint, memo, mark)
