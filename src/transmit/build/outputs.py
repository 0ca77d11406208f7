"""Outputs that are not template pages: copied files (static, bundles, images beside posts) and
the search index, each made or copied only when what it comes from changed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build.cache import canonical
from transmit.build.inputs import stat_sig
from transmit.build.store import digest
from transmit.build.writer import CopiedFile, OutputFile, Staging

if TYPE_CHECKING:
    from transmit.build.assembly import Assembly
    from transmit.build.manifest import OutputRecord, SourceRecord
    from transmit.build.plan import Plan
    from transmit.build.search_memo import SavedRuns
    from transmit.config import Config
    from transmit.site.entry import Entry
    from transmit.site.search import SearchIndex


def copies_of(
    plan: Plan, published: Sequence[SourceRecord], sources: dict[int, str]
) -> list[CopiedFile]:
    """Static files, each published bundle's files, then the images posts use from beside them
    (never through a link leaving content/). Later copies of one path win. `sources`: each
    record's source file by the record's identity (the text a Path of it would give)."""
    inputs = plan.inputs
    pairs = list(inputs.static)
    for record in published:
        if bundle := inputs.bundles.get(sources[id(record)]):
            pairs += [(record.post.path + relative, name) for relative, name in bundle]
    content = (plan.config.site_dir / "content").resolve()
    seen: set[str] = set()
    for record in published:
        for asset in record.rendered.assets if record.rendered else ():
            if asset.output not in seen and content in Path(asset.source).resolve().parents:
                seen.add(asset.output)
                pairs.append((asset.output, asset.source))
    return [CopiedFile(path, Path(source)) for path, source in pairs]


def copy_files(
    plan: Plan, copies: Sequence[CopiedFile], outputs: dict[str, OutputRecord], staging: Staging
) -> None:
    """Copy each file whose source or copy changed since the last build; a copy wins over a
    page of the same path."""
    inputs = plan.inputs
    recorded = plan.previous.outputs if plan.previous else {}
    for copy in copies:
        path, source = copy.path, str(copy.source)
        sig = inputs.files.get(source) or inputs.watched.get(source) or stat_sig(source)
        mark = digest("copy", source, canonical(sig))
        old = recorded.get(path)
        if old is not None and old[0] == mark and plan.intact(path):
            staging.forget(path)
            outputs[path] = old
        else:
            outputs[path] = (mark, mark, *staging.put(path, copy.source))


def search_keys(
    published: Sequence[SourceRecord], sources: dict[int, str], versions: Sequence[str]
) -> list[str]:
    """The input of the search index: every published post, by source and version
    (`versions`: each record's, in order)."""
    return [search_key(sources[id(r)], v) for r, v in zip(published, versions, strict=True)]


def search_key(source: str, version: str) -> str:
    return source + ":" + version


def search_mark(config: Config, keys: Sequence[str]) -> bytes:
    """What the search index is made from (`search_keys`, and the configuration), digested.
    (The keys joined by NUL, which no path or version holds: one part digests 50 times as
    fast as 10,000.)"""
    return digest(canonical(config), "\0".join(keys))


# The search mark of a build that kept an index older than its posts (`defer`).
STALE_SEARCH = b"stale"


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    kept: dict[str, OutputRecord]  # the index files of the last build, still right
    size: int  # bytes of the index
    seconds: float  # spent building it (0 when kept)
    pending: bool = False  # kept although out of date: a later build brings it up to date
    index: SearchIndex | None = None  # the index made (None when kept)


def search_files(
    plan: Plan,
    entries: Sequence[Entry],
    versions: Sequence[str],
    assembly: Assembly,
    marks: dict[str, bytes],
    runs: SavedRuns,
    jobs: int,
    defer: bool = False,
) -> SearchOutcome:
    """The search index, added to `assembly` as files when its input changed (`marks["search"]`
    comes as `search_mark`); else the last build's files are kept as they are. `versions`:
    each entry's rendered version; `runs`: the runs of the index earlier builds made, of
    which it makes again only those whose posts changed. `defer` (the dev server, after an
    edit): keep the last index even when out of date, so the edited page is served without
    waiting for the index of every post; the build says so, and the next build without
    `defer` makes it."""
    config = plan.config
    if not config.search:
        return SearchOutcome({}, 0, 0.0)
    from transmit.site.search import SEARCH_DIR, SearchIndex
    from transmit.site.search_records import indexed_posts

    mark = marks["search"]
    previous = plan.previous
    prefix = SEARCH_DIR + "/"
    if previous is not None and (defer or previous.marks.get("search") == mark):
        kept = {p: r for p, r in previous.outputs.items() if p.startswith(prefix)}
        if kept and all(plan.intact(path) for path in kept):
            pending = previous.marks.get("search") != mark
            if pending:
                marks["search"] = STALE_SEARCH
            size = sum(record[3] for record in kept.values())
            return SearchOutcome(kept, size, 0.0, pending)
    started = time.perf_counter()
    posts = indexed_posts(config, entries, versions)
    index = SearchIndex(posts, site_language=config.language, jobs=jobs, memo=runs)
    runs.prune()
    for file in index.files():
        assembly.add(OutputFile(file.path, file.data, file.digest))
    return SearchOutcome({}, index.size(), time.perf_counter() - started, index=index)
