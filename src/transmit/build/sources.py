"""The load and render stages: a record for every source file, kept when its file (and the image
files its render looked at) are as recorded, else read, and rendered when published, again."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from transmit.build import manifest as saved
from transmit.build.cache import RenderCache, canonical, fragments_key
from transmit.build.inputs import Inputs, content_digest, watch
from transmit.build.manifest import SourceRecord, SourceState
from transmit.build.pipeline import BuildFailed, render_options
from transmit.build.plan import Plan
from transmit.build.store import digest
from transmit.build.workers import LoadJob, Workers, load_sources
from transmit.errors import BuildWarning, SourceError, TransmitError


@dataclass(frozen=True, slots=True)
class Loaded:
    """The sources after the load stage: records, and the problems met reading them."""

    state: SourceState
    errors: tuple[TransmitError, ...]
    skipped: dict[str, BuildWarning]  # files that are not posts at all, by path
    touched: frozenset[str] = frozenset()  # sources read again, removed or published anew


class SourceRecords:
    """The records of a site's sources as a builder keeps them from one build to the next:
    taken from the cache by its first build (or after the configuration changed), then only
    the sources that changed are read and rendered again."""

    def __init__(self, cache_dir: Path, fingerprint: bytes) -> None:
        self._cache_dir = cache_dir
        self._fingerprint = fingerprint
        self._state: SourceState | None = None
        self._key: bytes | None = None  # of the configuration and code `_state` was made with
        self.before: dict[str, SourceRecord] = {}  # the records before the last `load`

    def job(self, plan: Plan) -> LoadJob:
        options = render_options(plan.config)
        root = self._cache_dir / "render"
        return LoadJob(plan.config, options, root, self._fingerprint, plan.publishing)

    def render_ahead(self, plan: Plan, workers: Workers) -> None:
        """The sources the stat pass saw edited, rendered into the cache by a worker while this
        process loads the records (`Workers.ahead`): on the first build of a process, which
        has not loaded the renderer (a later one finds its records in memory, and quickly)."""
        if self._state is None and (edited := plan.sources_changed()):
            now = plan.inputs
            items = [(now.sources[path], path, now.files[path]) for path in edited]
            workers.ahead(load_sources, self.job(plan), items)

    def load(self, plan: Plan, workers: Workers, later: list[Callable[[], None]] | None) -> Loaded:
        """Every source's record now; `later`: where saving them is left, if it is."""
        key = digest(self._fingerprint, canonical(plan.config))
        inputs, among = plan.inputs, None
        if self._key == key and self._state is not None:
            state, lost, among = self._state, set(), plan.edited
        else:
            state, lost = saved.load_sources(self._cache_dir, key)
            reads = (name for record in state.records.values() for name, _ in record.reads)
            inputs = watch(inputs, reads)  # records from disk may name files not stat-ed yet
        self.before = state.records
        job, where = self.job(plan), (self._cache_dir, key)
        loaded = update_sources(job, inputs, state, lost, *where, workers, among, later)
        self._state, self._key = loaded.state, key
        if loaded.errors:
            raise BuildFailed(list(loaded.errors))
        return loaded

    def render_lost(self, plan: Plan, loaded: Loaded, cache: RenderCache, workers: Workers) -> None:
        """Render again the posts whose cached render went missing since `load` read it."""
        key = digest(self._fingerprint, canonical(plan.config))
        render_lost(self.job(plan), plan.inputs, loaded, cache, self._cache_dir, key, workers)


def stale_sources(
    inputs: Inputs, state: SourceState, among: Collection[str] | None = None
) -> list[str]:
    """The sources whose record cannot be kept: new, changed, or rendered from image files that
    changed since (compared as the stat pass saw them). `among`: the only sources that can be
    (the dev server was told which files changed), else every source."""
    files, racy, watched = inputs.files, state.racy, inputs.watched
    old = state.records
    stale = []
    for path in inputs.sources if among is None else [p for p in among if p in inputs.sources]:
        record = old.get(path)
        if (
            record is None
            or record.sig != files[path]
            or (racy and path in racy and content_digest(path) != racy[path])
            or (record.reads and any(watched.get(n, seen) != seen for n, seen in record.reads))
        ):
            stale.append(path)
    return stale


def update_sources(
    job: LoadJob,
    inputs: Inputs,
    state: SourceState,
    lost: set[int],
    cache_dir: Path,
    state_key: bytes,
    workers: Workers,
    among: Collection[str] | None = None,
    later: list[Callable[[], None]] | None = None,
) -> Loaded:
    """Bring the records up to date with the files, saving the shards that changed and
    dropping rendered posts no record names any more. `among`: the only sources that may
    have changed, when that is known. `later`: where the saving and dropping go when the
    caller does them after its build (`IncrementalBuilder.settle`)."""
    sources, old = inputs.sources, state.records
    stale = stale_sources(inputs, state, among)
    same_files = len(old) == len(sources) and all(p in old for p in stale)
    removed = [] if same_files else [p for p in old if p not in sources]
    records = dict(old)  # in discovery order while no file came or went
    for path in removed:
        del records[path]
    skipped: dict[str, BuildWarning] = {}
    errors = _read(job, inputs, stale, records, skipped, workers)
    # posts published now that were not when last read (--drafts, a date come due)
    due = [p for p, r in records.items() if r.key is None and job.publishing.publishes(r.post)]
    errors += _read(job, inputs, due, records, skipped, workers)
    if not same_files or skipped or errors:
        records = {p: records[p] for p in sources if p in records}
    new_state = SourceState(records, {p: d for p, d in inputs.racy.items() if p in records})
    touched = {*stale, *removed, *due}
    # and the records of files now trusted by their stat (or no longer), found as they were:
    # saved again, or every build would read those files again
    racy_moved = {p for p in state.racy.keys() ^ new_state.racy.keys() if p in records}
    if shards := {saved.shard_of(p) for p in touched | racy_moved} | lost:
        save = functools.partial(saved.save_sources, cache_dir, state_key, new_state, shards)
        _now_or_later(save, later)
    if touched or lost:  # rendered posts no record names any more go
        # with the records intact, only the keys of the sources touched can have gone
        gone = None if lost or not old else {old[p].key for p in touched if p in old}
        _now_or_later(functools.partial(_sweep, job, records, gone), later)
    return Loaded(new_state, tuple(errors), skipped, frozenset(touched))


def _now_or_later(work: Callable[[], None], later: list[Callable[[], None]] | None) -> None:
    if later is None:
        work()
    else:
        later.append(work)


def _sweep(job: LoadJob, records: dict[str, SourceRecord], gone: set[str | None] | None) -> None:
    """Drop the rendered posts no record names (`gone`: the keys that may have gone, when
    known)."""
    keep = {r.key for r in records.values() if r.key}
    keep.update(fragments_key(p) for p, r in records.items() if r.key)
    cache = RenderCache(job.cache_root, job.fingerprint)
    cache.sweep(keep, None if gone is None else {key for key in gone - keep if key})


def render_lost(
    job: LoadJob,
    inputs: Inputs,
    loaded: Loaded,
    cache: RenderCache,
    cache_dir: Path,
    state_key: bytes,
    workers: Workers,
) -> None:
    """Render the posts whose cached record went missing (deleted or damaged since the build
    read it), into the cache again."""
    records = loaded.state.records
    lost = {p: r for p, r in records.items() if r.key and cache.load(r.key, r.reads) is None}
    kept = {p: r for p, r in records.items() if p not in lost}
    state = SourceState(kept, loaded.state.racy)
    redone = update_sources(job, inputs, state, set(), cache_dir, state_key, workers)
    if redone.errors:
        raise BuildFailed(list(redone.errors))


def _read(
    job: LoadJob,
    inputs: Inputs,
    paths: list[str],
    records: dict[str, SourceRecord],
    skipped: dict[str, BuildWarning],
    workers: Workers,
) -> list[TransmitError]:
    from transmit.content.loader import SkippedSource

    items = [(inputs.sources[p], p, inputs.files[p]) for p in paths]
    errors: list[TransmitError] = []
    for path, result in zip(paths, workers.map(load_sources, job, items), strict=True):
        if isinstance(result, SkippedSource):
            skipped[path] = result.warning()
            records.pop(path, None)
        elif isinstance(result, SourceError):
            errors.append(result)
            records.pop(path, None)
        else:
            records[path] = result
    return errors


def load_warnings(inputs: Inputs, loaded: Loaded) -> tuple[BuildWarning, ...]:
    """What loading noticed, in the loader's order: per folder, what the walk skipped, then
    each source's own warnings (or why it was skipped) in discovery order."""
    found: list[BuildWarning] = []
    records = loaded.state.records
    skipped = loaded.skipped
    for kind, walked in inputs.skipped.items():
        found += walked
        for path, source_kind in inputs.sources.items():
            if source_kind != kind:
                continue
            if skipped and path in skipped:
                found.append(skipped[path])
            elif (record := records.get(path)) is not None and record.post.warnings:
                found += record.post.warnings
    return tuple(found)
