"""The one build path: `build_site` (the CLI) runs it once, the dev server keeps it alive.

load -> render -> assemble -> write, each stage skipping what the previous build already did:
- a stat pass compares every input and output with the manifest; nothing changed, nothing done;
- only changed source files are read and rendered (in worker processes when there are many),
  through a content-addressed render cache;
- every page is planned, but only pages whose digest changed are rendered (`build.pages`);
- only files whose bytes changed are written, in one all-or-nothing commit (`build.writer`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import manifest as saved
from transmit.build.cache import CACHE_DIR, RenderCache, canonical
from transmit.build.inputs import (
    Inputs,
    Sig,
    apply_changes,
    changed_files,
    content_digest,
    refresh_inputs,
    scan_inputs,
    stat_sig,
)
from transmit.build.manifest import Manifest, OutputRecord, SourceRecord, SourceState
from transmit.build.pages import MarkMemo
from transmit.build.pipeline import (
    DEFAULT_OUTPUT,
    BuildFailed,
    BuildOptions,
    BuildSummary,
    render_options,
)
from transmit.build.store import code_fingerprint, digest, prepare_folder
from transmit.build.workers import MIN_PARALLEL, LoadJob, Publishing, Workers, load_sources
from transmit.build.writer import Staging, output_lock, recover
from transmit.config import Config, load_config
from transmit.errors import BuildWarning, SourceError, TransmitError

if TYPE_CHECKING:
    from transmit.content.post import Post

# The bundled theme, as transmit.site.theme has it (importing that module loads Jinja2, which a
# no-op rebuild does not need; a test keeps the two equal).
THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "transmission"


@dataclass(frozen=True, slots=True)
class Plan:
    """One build's inputs, settled before anything is read."""

    config: Config
    inputs: Inputs
    publishing: Publishing
    site_key: bytes
    previous: Manifest | None
    outputs_now: dict[str, Sig] | None  # the recorded output files as they are on disk
    # (None: as recorded; the dev server's outputs are its own)

    def intact(self, path: str, old: OutputRecord) -> bool:
        """Whether the file at `path` is still the one recorded as `old`."""
        return self.outputs_now is None or self.outputs_now.get(path) == old[2:]


class IncrementalBuilder:
    """Builds a site again and again, redoing only what its changes require."""

    def __init__(self, site_dir: Path, options: BuildOptions) -> None:
        self.site_dir = site_dir
        self.options = options
        self.out_dir = (options.out_dir or site_dir / DEFAULT_OUTPUT).absolute()
        self.cache_dir = site_dir / CACHE_DIR
        self._fingerprint = code_fingerprint()
        self._manifest: Manifest | None = None
        self._sources: SourceState | None = None
        self._sources_key: bytes | None = None
        self._entries: dict[int, tuple[SourceRecord, object]] = {}  # id(record) -> its Entry
        self._marks = MarkMemo()

    def build(self, changed: Collection[Path] | None = None) -> BuildSummary:
        """Bring the output up to date. `changed`: the files known to have changed since the
        last call (None: anything may have, stat everything)."""
        started = time.perf_counter()
        with _collector_paused():
            summary = self._build(changed)
        return replace(summary, seconds=time.perf_counter() - started)

    def _build(self, changed: Collection[Path] | None) -> BuildSummary:
        prepare_folder(self.cache_dir)
        with output_lock(saved.manifest_path(self.cache_dir, self.out_dir).with_suffix(".lock")):
            recover(self.out_dir)
            plan = self._plan(changed)
            previous = plan.previous
            if previous is not None and self._unchanged(plan, previous):
                summary: BuildSummary = previous.summary
                self._refuse_warnings(summary.warnings)
            else:
                with Workers(self.options.jobs) as workers:
                    summary = self._finish(plan, self._load(plan, workers), workers)
        return summary

    def _refuse_warnings(self, warnings: tuple[BuildWarning, ...]) -> None:
        if self.options.strict and warnings:
            raise BuildFailed([TransmitError(w.message, w.path, w.line) for w in warnings])

    # -- what changed ----------------------------------------------------------------------

    def _plan(self, changed: Collection[Path] | None) -> Plan:
        config = load_config(self.site_dir)
        in_memory = self._manifest is not None
        previous = self._previous_manifest()
        inputs = None
        if previous is not None and changed is not None and in_memory:
            inputs = apply_changes(previous.inputs, changed, self.site_dir)
        if inputs is None and previous is not None:
            inputs = refresh_inputs(previous.inputs)
        if inputs is None:
            inputs = scan_inputs(self.site_dir, THEME_DIR)
        publishing = Publishing(self.options.drafts, self.options.future, self.options.now)
        site_key = digest(
            config.source_text,
            inputs.template_digest,
            canonical((publishing.drafts, publishing.future, str(self.out_dir))),
        )
        outputs_now: dict[str, Sig] | None = {}
        if previous is not None and changed is not None and in_memory:
            outputs_now = None  # the dev server: our own outputs, untouched
        elif previous is not None:
            outputs_now = _output_sigs(self.out_dir, previous)
        return Plan(config, inputs, publishing, site_key, previous, outputs_now)

    def _previous_manifest(self) -> Manifest | None:
        if self._manifest is None:
            path = saved.manifest_path(self.cache_dir, self.out_dir)
            self._manifest = saved.load_manifest(path, self._fingerprint)
        if self._manifest is not None and not self.out_dir.is_dir():
            self._manifest = None
        return self._manifest

    def _unchanged(self, plan: Plan, previous: Manifest) -> bool:
        if previous.site_key != plan.site_key or previous.summary is None:
            return False
        if previous.next_publish is not None and self.options.now >= previous.next_publish:
            return False
        if not all(plan.intact(path, r) for path, r in previous.outputs.items()):
            return False
        before = previous.inputs
        new, gone = changed_files(plan.inputs.files, before.files, before.racy)
        return not new and not gone and plan.inputs.sources.keys() == before.sources.keys()

    # -- load and render -------------------------------------------------------------------

    def _load(self, plan: Plan, workers: Workers) -> SourceState:
        """A record for every source: kept when its file is as recorded, else read (and, when
        published, rendered) again."""
        key = digest(self._fingerprint, canonical(plan.config))
        if self._sources_key == key and self._sources is not None:
            state, lost = self._sources, set()
        else:
            state, lost = saved.load_sources(self.cache_dir, key)
        sources, files, racy = plan.inputs.sources, plan.inputs.files, state.racy
        old = state.records
        stale = [
            p
            for p in sources
            if (r := old.get(p)) is None
            or r.sig != files[p]
            or (p in racy and content_digest(p) != racy[p])
        ]
        same_files = len(old) == len(sources) and all(p in old for p in stale)
        removed = [] if same_files else [p for p in old if p not in sources]
        if len(stale) >= MIN_PARALLEL:
            workers.start()  # fork before this process imports the renderers
        job = self._job(plan)
        records = dict(old)  # in discovery order while no file came or went
        for path in removed:
            del records[path]
        errors = self._read(job, plan.inputs, stale, records, workers)
        # posts published now that were not when last read (--drafts, a date come due)
        due = [p for p, r in records.items() if r.key is None and job.publishing.publishes(r.post)]
        errors += self._read(job, plan.inputs, due, records, workers)
        if not same_files:
            records = {p: records[p] for p in sources if p in records}
        new_state = SourceState(
            records, {p: d for p, d in plan.inputs.racy.items() if p in records}
        )
        touched = {*stale, *removed, *due}
        if shards := {saved.shard_of(p) for p in touched} | lost:
            saved.save_sources(self.cache_dir, key, new_state, shards)
        cache = RenderCache(self.cache_dir / "render", self._fingerprint)
        if lost:  # anything may be in the render cache: keep what the records name
            cache.sweep(r.key for r in records.values() if r.key)
        else:  # a key belongs to one source: drop the keys its record no longer has
            kept = {records[p].key for p in touched if p in records}
            cache.remove(old[p].key or "" for p in touched if p in old and old[p].key not in kept)
        self._sources, self._sources_key = new_state, key
        if errors:
            raise BuildFailed(errors)
        return new_state

    def _job(self, plan: Plan) -> LoadJob:
        return LoadJob(
            plan.config,
            render_options(plan.config),
            self.cache_dir / "render",
            self._fingerprint,
            plan.publishing,
        )

    @staticmethod
    def _read(
        job: LoadJob,
        inputs: Inputs,
        paths: list[str],
        records: dict[str, SourceRecord],
        workers: Workers,
    ) -> list[TransmitError]:
        items = [(inputs.sources[p], p, inputs.files[p]) for p in paths]
        errors: list[TransmitError] = []
        for path, result in zip(paths, workers.map(load_sources, job, items), strict=True):
            if isinstance(result, SourceError):
                errors.append(result)
                records.pop(path, None)
            else:
                records[path] = result
        return errors

    # -- assemble and write ----------------------------------------------------------------

    def _finish(self, plan: Plan, state: SourceState, workers: Workers) -> BuildSummary:
        from transmit.build.pages import MissingRender, plan_pages
        from transmit.content.loader import duplicate_paths
        from transmit.content.post import sort_key
        from transmit.site.assemble import Entry, assemble_pages

        records = list(state.records.values())
        if errors := duplicate_paths([r.post for r in records]):
            raise BuildFailed(errors)
        publishing = plan.publishing
        published: list[SourceRecord] = []
        drafts: list[Post] = []
        future: list[Post] = []
        for record in records:
            if publishing.skips_draft(record.post):
                drafts.append(record.post)
            elif publishing.skips_future(record.post):
                future.append(record.post)
            else:
                published.append(record)
        published.sort(key=lambda r: sort_key(r.post))
        warnings = tuple(w for r in published if r.rendered for w in r.rendered.warnings)
        self._refuse_warnings(warnings)

        known = self._entries
        self._entries = {}
        entries = []
        for record in published:  # the same Entry object as last time for the same record
            found = known.get(id(record))
            entry = found[1] if found is not None and found[0] is record else None
            entry = entry or Entry(record.post, record.rendered)
            self._entries[id(record)] = (record, entry)
            entries.append(entry)
        assembly = assemble_pages(plan.config, entries)
        whole = plan.previous is None or not self.out_dir.is_dir()
        staging = Staging(self.out_dir, whole)
        try:
            arguments = (
                plan,
                assembly,
                entries,
                published,
                self._fingerprint,
                self.cache_dir,
                self._marks,
            )
            try:
                outputs = plan_pages(*arguments, staging, workers)
            except MissingRender:  # the cache lost files since they were read: render again
                cache = RenderCache(self.cache_dir / "render", self._fingerprint)
                lost = [p for p, r in state.records.items() if r.key and cache.load(r.key) is None]
                if self._read(self._job(plan), plan.inputs, lost, dict(state.records), workers):
                    raise
                outputs = plan_pages(*arguments, staging, workers)
            self._copies(plan, [r.post for r in published], outputs, staging)
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
        )
        self._manifest = Manifest(
            site_key=plan.site_key,
            inputs=plan.inputs,
            outputs=outputs,
            next_publish=min((p.date for p in future), default=None),
            summary=summary,
        )
        path = saved.manifest_path(self.cache_dir, self.out_dir)
        saved.save_manifest(path, self._fingerprint, self._manifest)
        return summary

    @staticmethod
    def _copies(
        plan: Plan, published: Iterable[Post], outputs: dict[str, OutputRecord], staging: Staging
    ) -> None:
        """Static files, then each published bundle's files; copied only when their source or
        the copy changed. A copy wins over a page of the same path."""
        inputs = plan.inputs
        pairs = list(inputs.static)
        for post in published:
            bundle = inputs.bundles.get(str(post.source), ())
            pairs += [(post.path + relative, name) for relative, name in bundle]
        recorded = plan.previous.outputs if plan.previous else {}
        for path, source in pairs:
            sig = inputs.files.get(source) or stat_sig(source) or (0, 0)
            mark = digest("copy", source, canonical(sig))
            old = recorded.get(path)
            if old is not None and old[0] == mark and plan.intact(path, old):
                staging.forget(path)
                outputs[path] = old
            else:
                outputs[path] = (mark, mark, *staging.put(path, Path(source)))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a build: a build allocates hundreds of thousands of
    small objects beside the 100,000 of a big site's records, and each full collection would
    walk them all (80 ms at 10,000 posts) for garbage the build hardly makes."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _output_sigs(out_dir: Path, manifest: Manifest) -> dict[str, Sig]:
    found = {}
    for path in manifest.outputs:
        sig = stat_sig(out_dir / path)
        if sig is not None:
            found[path] = sig
    return found
