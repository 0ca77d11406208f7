"""What the previous build read and wrote, kept in `.transmit-cache/` for the next one.

- The *manifest* (one per output folder): every input file's size and mtime, every output
  file's digest and size and mtime, and the summary to repeat when nothing changed. A rebuild
  that finds every input and output as recorded is a stat pass and nothing more.
- The *source records*: each source file's Post (without its Markdown body) and its rendered
  stub, so a rebuild reads and renders only the files that changed.
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transmit.build import store
from transmit.build.cache import canonical
from transmit.build.inputs import Inputs, Sig

if TYPE_CHECKING:
    from transmit.content.post import Post
    from transmit.render.data import RenderedPost

# output path -> (input digest, content digest, mtime_ns, size)
OutputRecord = tuple[bytes, bytes, int, int]
_MANIFEST = "manifest"
_SOURCES = "sources"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One source file as the last build understood it."""

    sig: Sig
    post: Post  # without its body
    key: str | None = None  # render key, when the post was rendered
    rendered: RenderedPost | None = None  # stub (see build.cache)
    reads: tuple[tuple[str, Sig | None], ...] = ()  # other files the render looked at, as seen
    mark: bytes = b""  # digest of the Post (its metadata: the body is not kept)
    reads_mark: str = ""  # `reads_mark(reads)`, made once (every build asks for 10,000 versions)

    def version(self) -> str:
        """What the long texts of the rendered post depend on: its key (source and options)
        and the image files its render read."""
        return str(self.key) + self.reads_mark


def reads_mark(reads: tuple[tuple[str, Sig | None], ...]) -> str:
    """The files a render read, as seen, digested ("" for none)."""
    return store.digest(canonical(reads)).hex() if reads else ""


class RecordMarks:
    """What a page that read a post's rendered record depends on: the record's version, made
    once per record. One mark for all of a record's fields, not one per field: a page rendered
    again for nothing (a listing, after an edit that left the excerpt as it was) costs a
    millisecond and is not rewritten, while digesting each field a page read took 0.2 s per
    build at 10,000 posts."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[SourceRecord, bytes]] = {}

    def of(self, records: dict[str, SourceRecord]) -> Callable[[str], bytes | None]:
        """`mark(source)` over these records (None: the post has no rendered record)."""
        known = self._known

        def mark(source: str) -> bytes | None:
            record = records.get(source)
            if record is None or record.rendered is None:
                return None
            found = known.get(source)
            if found is not None and found[0] is record:
                return found[1]
            value = record.version().encode()
            known[source] = (record, value)
            return value

        return mark


@dataclass(frozen=True, slots=True)
class SourceState:
    """The source records, and the content digests of those too recent to trust by stat."""

    records: dict[str, SourceRecord]
    racy: dict[str, bytes]


@dataclass(frozen=True, slots=True)
class Manifest:
    site_key: bytes  # config text, templates, options and output folder, digested
    inputs: Inputs
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    marks: dict[str, bytes] = field(default_factory=dict)  # digests of grouped outputs' inputs
    # per page: the posts whose rendered records its templates read
    page_reads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # each post some page read -> its record's mark (`RecordMarks`) when the page was made
    read_marks: dict[str, bytes | None] = field(default_factory=dict)
    next_publish: datetime | None = None  # when a skipped future post falls due
    summary: Any = None  # the BuildSummary to repeat when nothing changed


def manifest_path(cache_dir: Path, out_dir: Path) -> Path:
    return cache_dir / f"manifest-{store.digest(str(out_dir.absolute())).hex()[:16]}"


def moved_outputs(
    out_dir: Path, manifest: Manifest, among: Collection[str] | None = None
) -> dict[str, Sig | None]:
    """The recorded output files not on disk as recorded: their size and time now, None for
    the gone; only those `among` when given (the files known to have been touched). Paths are
    joined as text: a Path for each of 15,000 outputs took as long as stat-ing them."""
    base = os.path.join(out_dir, "")
    moved: dict[str, Sig | None] = {}
    stat = os.stat  # the loop of a no-op build: no call or tuple it can do without
    outputs = manifest.outputs
    if among is not None:
        outputs = {path: outputs[path] for path in among if path in outputs}
    for path, (_, _, mtime_ns, size) in outputs.items():
        try:
            found = stat(base + path)
        except OSError:
            moved[path] = None
            continue
        if found.st_mtime_ns != mtime_ns or found.st_size != size:
            moved[path] = (found.st_mtime_ns, found.st_size)
    return moved


def load_manifest(path: Path, fingerprint: bytes) -> Manifest | None:
    return store.load(path, _MANIFEST, fingerprint, Manifest)


def save_manifest(path: Path, fingerprint: bytes, manifest: Manifest) -> None:
    store.save(path, _MANIFEST, fingerprint, manifest)


SHARDS = 64  # source records are saved in shards, so one edit rewrites a 64th of them (more
# shards cost a cold build a file each)


@functools.cache
def shard_of(source: str) -> int:
    return store.shard_of(source, SHARDS)


def _shard_path(cache_dir: Path, shard: int) -> Path:
    return cache_dir / "sources" / f"{shard:02}"


# The fields of Post that hold paths, saved as text: a Path unpickles three times slower than
# it is made from text, and 10,000 records hold 20,000 of them.
_POST_PATHS = ("source", "bundle_dir")


# The fields of Post that hold dates, saved with one time zone object per offset: a date read
# with an offset has a zone object of its own, which a pickle holds (and unpickling makes) once
# per date rather than once per file.
_POST_DATES = ("date", "updated")
_ZONES: dict[tuple[timedelta | None, str | None], tzinfo] = {}


@functools.cache
def _path_places(names: tuple[str, ...]) -> list[int]:
    return [names.index(name) for name in _POST_PATHS]


@functools.cache
def _date_places(names: tuple[str, ...]) -> list[int]:
    return [names.index(name) for name in _POST_DATES]


def _shared_zone(moment: datetime) -> datetime:
    zone = moment.tzinfo
    if not isinstance(zone, timezone):  # a named zone (ZoneInfo) is one object already
        return moment
    shared = _ZONES.setdefault((zone.utcoffset(None), zone.tzname(None)), zone)
    return moment if shared is zone else moment.replace(tzinfo=shared)


def _post_row(values: tuple[object, ...], names: tuple[str, ...]) -> tuple[object, ...]:
    row = list(values)
    for place in _path_places(names):
        if row[place] is not None:
            row[place] = str(row[place])
    for place in _date_places(names):
        if isinstance(moment := row[place], datetime):
            row[place] = _shared_zone(moment)
    return tuple(row)


def _post_values(row: tuple[object, ...], places: list[int]) -> list[object]:
    values = list(row)
    for place in places:
        if values[place] is not None:
            values[place] = Path(values[place])  # type: ignore[arg-type]
    return values


def load_sources(cache_dir: Path, fingerprint: bytes) -> tuple[SourceState, set[int]]:
    """The saved records, and the shards that could not be read (missing, damaged, from
    another version, rows that no longer fit the records): their sources are read again."""
    from transmit.content.post import Post
    from transmit.render.data import RenderedPost

    names = (store.field_names(Post), store.field_names(RenderedPost))
    places = _path_places(names[0])
    records: dict[str, SourceRecord] = {}
    racy: dict[str, bytes] = {}
    lost = set()
    for shard in range(SHARDS):
        found = store.load(_shard_path(cache_dir, shard), _SOURCES, fingerprint, tuple)
        try:
            saved_names, rows, shard_racy = found  # type: ignore[misc]
            if saved_names != names:
                raise ValueError("records changed shape")
            for source, sig, post, key, done, reads, mark, read in rows:
                rendered = None if done is None else RenderedPost(*done)
                post_values = _post_values(post, places)
                record = SourceRecord(sig, Post(*post_values), key, rendered, reads, mark, read)
                records[source] = record
            racy.update(shard_racy)
        except (TypeError, ValueError):
            lost.add(shard)
    return SourceState(records, racy), lost


def save_sources(
    cache_dir: Path, fingerprint: bytes, state: SourceState, shards: set[int] | None = None
) -> None:
    """Write the given shards (all when None), records as rows of plain values: ten times
    faster to pickle than the dataclasses."""
    from transmit.content.post import Post
    from transmit.render.data import RenderedPost

    post_values = operator.attrgetter(*store.field_names(Post))
    rendered_values = operator.attrgetter(*store.field_names(RenderedPost))
    names = (store.field_names(Post), store.field_names(RenderedPost))
    wanted = set(range(SHARDS)) if shards is None else shards
    rows: dict[int, list[tuple[object, ...]]] = {shard: [] for shard in wanted}
    for source, r in state.records.items():
        if (shard := shard_of(source)) in wanted:
            done = None if r.rendered is None else rendered_values(r.rendered)
            post = _post_row(post_values(r.post), names[0])
            row = (source, r.sig, post, r.key, done, r.reads, r.mark, r.reads_mark)
            rows[shard].append(row)
    for shard in wanted:
        racy = {p: d for p, d in state.racy.items() if shard_of(p) == shard}
        store.save(_shard_path(cache_dir, shard), _SOURCES, fingerprint, (names, rows[shard], racy))
