"""The one build path: `build_site` (the CLI) runs it once, the dev server keeps it alive.

load -> render -> assemble -> write, each stage skipping what the previous build already did:
- a stat pass compares every input and output with the manifest; nothing changed, nothing done;
- only changed source files are read and rendered (in worker processes when there are many),
  through a content-addressed render cache;
- every page is planned, but only pages whose digest changed are rendered (`build.pages`);
- only files whose bytes changed are written, in one all-or-nothing commit (`build.writer`).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import manifest as saved
from transmit.build.cache import CACHE_DIR, RenderCache, canonical
from transmit.build.inputs import Inputs, Sig, changed_files, scan_inputs, stat_sig
from transmit.build.manifest import Manifest, OutputRecord, SourceRecord, SourceState
from transmit.build.pipeline import (
    DEFAULT_OUTPUT,
    BuildFailed,
    BuildOptions,
    BuildSummary,
    render_options,
)
from transmit.build.store import code_fingerprint, digest
from transmit.build.workers import MIN_PARALLEL, LoadJob, Publishing, Workers, load_sources
from transmit.build.writer import Content, output_lock, recover, replace_tree, update_tree
from transmit.config import Config, load_config
from transmit.errors import BuildWarning, SourceError, TransmitError

if TYPE_CHECKING:
    from transmit.build.pages import Assembly


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
        self._inputs: Inputs | None = None

    def build(self, changed: Collection[Path] | None = None) -> BuildSummary:
        """Bring the output up to date. `changed`: the files known to have changed since the
        last call (None: anything may have, stat everything)."""
        started = time.perf_counter()
        lock = saved.manifest_path(self.cache_dir, self.out_dir).with_suffix(".lock")
        with output_lock(lock):
            recover(self.out_dir)
            summary = self._build(changed)
        return replace(summary, seconds=time.perf_counter() - started)

    def _refuse_warnings(self, warnings: tuple[BuildWarning, ...]) -> None:
        if self.options.strict and warnings:
            raise BuildFailed([TransmitError(w.message, w.path, w.line) for w in warnings])

    # -- the stages ------------------------------------------------------------------------

    def _build(self, changed: Collection[Path] | None) -> BuildSummary:
        from transmit.site.theme import THEME_DIR

        config = load_config(self.site_dir)
        in_memory = self._manifest is not None
        inputs = self._scan(changed, THEME_DIR)
        publishing = Publishing(self.options.drafts, self.options.future, self.options.now)
        site_key = digest(
            config.source_text,
            inputs.templates,
            canonical((publishing.drafts, publishing.future, str(self.out_dir))),
        )
        manifest = self._previous_manifest()
        if manifest is None:
            outputs_now: dict[str, Sig] = {}
        elif changed is not None and in_memory:  # the dev server: our own outputs, untouched
            outputs_now = {path: (r[2], r[3]) for path, r in manifest.outputs.items()}
        else:
            outputs_now = _output_sigs(self.out_dir, manifest)
        if manifest is not None and self._unchanged(manifest, site_key, inputs, outputs_now):
            summary: BuildSummary = manifest.summary
            self._refuse_warnings(summary.warnings)
            return summary

        with Workers(self.options.jobs) as workers:
            state = self._load(config, inputs, publishing, workers)
            return self._finish(
                config, inputs, publishing, site_key, manifest, outputs_now, state, workers
            )

    def _scan(self, changed: Collection[Path] | None, theme_dir: Path) -> Inputs:
        if changed is not None and self._inputs is not None:
            updated = _rescan(self._inputs, changed, self.site_dir)
            if updated is not None:
                return updated
        return scan_inputs(self.site_dir, theme_dir)

    def _previous_manifest(self) -> Manifest | None:
        if self._manifest is None:
            path = saved.manifest_path(self.cache_dir, self.out_dir)
            self._manifest = saved.load_manifest(path, self._fingerprint)
        if self._manifest is not None and not self.out_dir.is_dir():
            self._manifest = None
        return self._manifest

    def _unchanged(
        self, manifest: Manifest, site_key: bytes, inputs: Inputs, outputs_now: dict[str, Sig]
    ) -> bool:
        if manifest.site_key != site_key or manifest.summary is None:
            return False
        if manifest.next_publish is not None and self.options.now >= manifest.next_publish:
            return False
        if any(outputs_now.get(path) != (r[2], r[3]) for path, r in manifest.outputs.items()):
            return False
        new, gone = changed_files(inputs.files, manifest.files, manifest.racy)
        return not new and not gone

    def _load(
        self, config: Config, inputs: Inputs, publishing: Publishing, workers: Workers
    ) -> SourceState:
        """Source records for every source: kept when the file is as recorded, else read
        (and, when published, rendered) again."""
        key = digest(self._fingerprint, canonical(config))
        state = self._sources if self._sources_key == key else None
        if state is None:
            state = saved.load_sources(saved.sources_path(self.cache_dir), key)
            state = state or SourceState({}, {})
        previous = state.records
        stale, _ = changed_files(
            {p: inputs.files[p] for p in inputs.sources},
            {p: r.sig for p, r in previous.items()},
            state.racy,
        )
        todo = [p for p in inputs.sources if p in stale]
        if len(todo) >= MIN_PARALLEL:
            workers.start()  # fork before this process imports the renderers
        job = self._job(config, publishing)
        records = {p: previous[p] for p in inputs.sources if p not in stale}
        errors = self._read(job, inputs, todo, records, workers)
        # posts published now that were not when last read (--drafts, a date come due)
        unrendered = [
            p for p, r in records.items() if r.key is None and publishing.publishes(r.post)
        ]
        errors += self._read(job, inputs, unrendered, records, workers)
        ordered = {p: records[p] for p in inputs.sources if p in records}
        racy = {p: d for p, d in inputs.racy.items() if p in ordered}
        self._sources, self._sources_key = SourceState(ordered, racy), key
        if todo or unrendered or len(ordered) != len(previous):
            saved.save_sources(saved.sources_path(self.cache_dir), key, self._sources)
        if errors:
            raise BuildFailed(errors)
        return self._sources

    def _job(self, config: Config, publishing: Publishing) -> LoadJob:
        return LoadJob(
            config, render_options(config), self.cache_dir / "render", self._fingerprint, publishing
        )

    @staticmethod
    def _read(
        job: LoadJob,
        inputs: Inputs,
        paths: list[str],
        records: dict[str, SourceRecord],
        workers: Workers,
    ) -> list[TransmitError]:
        items = [(inputs.sources[p].kind, p, inputs.files[p]) for p in paths]
        errors: list[TransmitError] = []
        for path, result in zip(paths, workers.map(load_sources, job, items), strict=True):
            if isinstance(result, SourceError):
                errors.append(result)
                records.pop(path, None)
            else:
                records[path] = result
        return errors

    def _finish(
        self,
        config: Config,
        inputs: Inputs,
        publishing: Publishing,
        site_key: bytes,
        manifest: Manifest | None,
        outputs_now: dict[str, Sig],
        state: SourceState,
        workers: Workers,
    ) -> BuildSummary:
        from transmit.build.pages import MissingRender
        from transmit.content.loader import duplicate_paths
        from transmit.content.post import sort_key
        from transmit.site.assemble import Entry, assemble_pages

        records = list(state.records.values())
        posts = [r.post for r in records]
        if errors := duplicate_paths(posts):
            raise BuildFailed(errors)
        drafts = [r.post for r in records if publishing.skips_draft(r.post)]
        future = [r.post for r in records if publishing.skips_future(r.post)]
        published = sorted(
            (r for r in records if publishing.publishes(r.post)), key=lambda r: sort_key(r.post)
        )
        warnings = tuple(w for r in published if r.rendered for w in r.rendered.warnings)
        self._refuse_warnings(warnings)

        entries = [Entry(r.post, r.rendered) for r in published]
        # how records appear in page contexts: for digests, each by its render key alone;
        # for rendering, only the stub, which the renderer swaps for the cached full record
        identities: dict[int, str] = {}
        references: dict[int, str] = {}
        for entry, record in zip(entries, published, strict=True):
            if record.key is not None:
                identities[id(entry)] = "e" + record.key
                identities[id(record.post)] = "p" + record.key
                identities[id(record.rendered)] = "r" + record.key
                references[id(record.rendered)] = record.key
        assembly: Assembly = assemble_pages(config, entries)
        copies = self._copies(inputs, [r.post for r in published])
        try:
            outputs, writes = self._pages(
                config, inputs, assembly, (identities, references), manifest, outputs_now, workers
            )
        except MissingRender:  # the cache lost files since they were read: render them again
            cache = RenderCache(self.cache_dir / "render", self._fingerprint)
            paths = [
                p
                for p, r in state.records.items()
                if r.key is not None and cache.load(r.key) is None
            ]
            if self._read(
                self._job(config, publishing), inputs, paths, dict(state.records), workers
            ):
                raise
            outputs, writes = self._pages(
                config, inputs, assembly, (identities, references), manifest, outputs_now, workers
            )
        for path, (source, record) in copies.items():
            old = manifest.outputs.get(path) if manifest else None
            outputs[path] = record
            if old is None or old[0] != record[0] or outputs_now.get(path) != (old[2], old[3]):
                writes[path] = source
            else:
                outputs[path] = old
        self._commit(manifest, outputs, writes)
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
            site_key=site_key,
            files=inputs.files,
            racy=inputs.racy,
            outputs=outputs,
            next_publish=min((p.date for p in future), default=None),
            summary=summary,
        )
        self._inputs = inputs
        saved.save_manifest(
            saved.manifest_path(self.cache_dir, self.out_dir), self._fingerprint, self._manifest
        )
        if writes or manifest is None:
            RenderCache(self.cache_dir / "render", self._fingerprint).sweep(
                r.key for r in records if r.key
            )
        return summary

    def _copies(
        self, inputs: Inputs, published: Iterable[object]
    ) -> dict[str, tuple[Path, OutputRecord]]:
        """Static files, then each published bundle's files: output path -> (source, record)."""
        found: dict[str, tuple[Path, OutputRecord]] = {}

        def add(path: str, source: str) -> None:
            sig = inputs.files.get(source) or stat_sig(source) or (0, 0)
            mark = digest("copy", source, canonical(sig))
            found[path] = (Path(source), (mark, mark, 0, 0))

        for path, source in inputs.static:
            add(path, source)
        for post in published:
            for relative, source in inputs.bundles.get(str(post.source), ()):  # type: ignore[attr-defined]
                add(post.path + relative, source)  # type: ignore[attr-defined]
        return found

    def _pages(
        self,
        config: Config,
        inputs: Inputs,
        assembly: Assembly,
        refs: tuple[dict[int, str], dict[int, str]],
        manifest: Manifest | None,
        outputs_now: dict[str, Sig],
        workers: Workers,
    ) -> tuple[dict[str, OutputRecord], dict[str, Content]]:
        from transmit.build.pages import (
            PageJob,
            TemplatePage,
            encode,
            page_digest,
            render_pages,
            site_digest,
        )

        identities, references = refs
        globals_bytes = encode(assembly.globals, references)
        globals_mark = encode(assembly.globals, identities)
        if globals_bytes is None or globals_mark is None:
            raise TypeError("template globals must be plain data (pickle-able records)")
        site = site_digest(self._fingerprint, config, inputs.templates, globals_mark)
        outputs: dict[str, OutputRecord] = {}
        writes: dict[str, Content] = {}
        todo: list[tuple[str, str, bytes]] = []
        marks: list[bytes] = []

        def previous(path: str) -> OutputRecord | None:
            old = manifest.outputs.get(path) if manifest else None
            if old is None or outputs_now.get(path) != (old[2], old[3]):
                return None
            return old

        for page in assembly.pages:
            if not isinstance(page, TemplatePage):
                content = digest(page.data)
                old = previous(page.path)
                if old is not None and old[1] == content:
                    outputs[page.path] = old
                else:
                    outputs[page.path] = (content, content, 0, 0)
                    writes[page.path] = page.data
                continue
            data = encode(page.context, identities)
            if data is None:
                raise TypeError(f"the context of {page.path} must be plain data (pickle-able)")
            mark = page_digest(site, page.template, data)
            old = previous(page.path)
            if old is not None and old[0] == mark:
                outputs[page.path] = old
                continue
            data = encode(page.context, references)
            assert data is not None
            todo.append((page.path, page.template, data))
            marks.append(mark)

        job = PageJob(
            config, globals_bytes, self.cache_dir / "render", self._fingerprint, inputs.templates
        )
        rendered = workers.map(render_pages, job, todo) if todo else []
        for (path, _, _), mark, data in zip(todo, marks, rendered, strict=True):
            content = digest(data)
            old = previous(path)
            if old is not None and old[1] == content:
                outputs[path] = (mark, content, old[2], old[3])  # same bytes: not rewritten
            else:
                outputs[path] = (mark, content, 0, 0)
                writes[path] = data
        return outputs, writes

    def _commit(
        self,
        manifest: Manifest | None,
        outputs: dict[str, OutputRecord],
        writes: dict[str, Content],
    ) -> None:
        if manifest is None or not self.out_dir.is_dir():
            ordered = {path: writes[path] for path in outputs}
            sigs = replace_tree(self.out_dir, ordered)
        else:
            removes = [path for path in manifest.outputs if path not in outputs]
            sigs = update_tree(self.out_dir, writes, removes)
        for path, sig in sigs.items():
            mark, content, _, _ = outputs[path]
            outputs[path] = (mark, content, *sig)


def _output_sigs(out_dir: Path, manifest: Manifest) -> dict[str, Sig]:
    found = {}
    for path in manifest.outputs:
        sig = stat_sig(out_dir / path)
        if sig is not None:
            found[path] = sig
    return found


def _rescan(previous: Inputs, changed: Collection[Path], site_dir: Path) -> Inputs | None:
    """The inputs with just the changed Markdown files stat-ed again; None when a change is
    of another kind (config, template, static file, new bundle) and needs a full scan."""
    from transmit.build.inputs import RACY_WINDOW_NS, SOURCE_FOLDERS, racy_digests

    content = (site_dir / "content").absolute()
    sources = dict(previous.sources)
    files = dict(previous.files)
    started = time.time_ns()
    for given in changed:
        path = Path(given).absolute()
        kind = None
        for name, folder in SOURCE_FOLDERS:
            root = content / folder
            if root in path.parents:
                rel = path.relative_to(root).parts
                if not any(part.startswith((".", "_")) for part in rel):
                    kind = name
        if kind is None or not path.name.lower().endswith((".md", ".markdown")):
            return None
        if path.stem == "index":
            return None
        key = str(site_dir / path.relative_to(site_dir.absolute()))
        sig = stat_sig(key)
        if sig is None:
            sources.pop(key, None)
            files.pop(key, None)
        elif key not in sources:
            return None  # a new file: its place in discovery order needs a full scan
        else:
            files[key] = sig
    racy = {p: d for p, d in previous.racy.items() if p in files}
    fresh = {p: s for p, s in files.items() if s[0] >= started - RACY_WINDOW_NS and p in sources}
    racy.update(racy_digests(fresh, started))
    return replace(previous, sources=sources, files=files, racy=racy)
