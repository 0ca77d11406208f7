"""What the previous build read and wrote, kept in `.transmit-cache/` for the next one.

- The *manifest* (one per output folder): every input file's size and mtime, every output
  file's digest and size and mtime, and the summary to repeat when nothing changed. A rebuild
  that finds every input and output as recorded is a stat pass and nothing more.
- The *source records*: each source file's Post (without its Markdown body) and its rendered
  stub, so a rebuild reads and renders only the files that changed.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transmit.build import store
from transmit.build.inputs import Sig

if TYPE_CHECKING:
    from transmit.content.post import Post
    from transmit.render.document import RenderedPost

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


@dataclass(frozen=True, slots=True)
class SourceState:
    """The source records, and the content digests of those too recent to trust by stat."""

    records: dict[str, SourceRecord]
    racy: dict[str, bytes]


@dataclass(frozen=True, slots=True)
class Manifest:
    site_key: bytes  # config text, templates, options and output folder, digested
    files: dict[str, Sig] = field(default_factory=dict)
    racy: dict[str, bytes] = field(default_factory=dict)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    next_publish: datetime | None = None  # when a skipped future post falls due
    summary: Any = None  # the BuildSummary to repeat when nothing changed


def manifest_path(cache_dir: Path, out_dir: Path) -> Path:
    return cache_dir / f"manifest-{store.digest(str(out_dir.absolute())).hex()[:16]}"


def load_manifest(path: Path, fingerprint: bytes) -> Manifest | None:
    return store.load(path, _MANIFEST, fingerprint, Manifest)


def save_manifest(path: Path, fingerprint: bytes, manifest: Manifest) -> None:
    store.save(path, _MANIFEST, fingerprint, manifest)


def sources_path(cache_dir: Path) -> Path:
    return cache_dir / "sources"


def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def load_sources(path: Path, fingerprint: bytes) -> SourceState | None:
    """The saved records, or None when there are none usable (rows that no longer fit the
    records, after an upgrade say, count as none)."""
    from transmit.content.post import Post
    from transmit.render.document import RenderedPost

    found = store.load(path, _SOURCES, fingerprint, tuple)
    if found is None:
        return None
    try:
        names, rows, racy = found
        if names != (_field_names(Post), _field_names(RenderedPost)):
            return None
        records = {
            source: SourceRecord(
                sig, Post(*post), key, None if done is None else RenderedPost(*done)
            )
            for source, sig, post, key, done in rows
        }
    except (TypeError, ValueError):
        return None
    return SourceState(records, racy)


def save_sources(path: Path, fingerprint: bytes, state: SourceState) -> None:
    """Records as rows of plain values: ten times faster to pickle than the dataclasses."""
    from transmit.content.post import Post
    from transmit.render.document import RenderedPost

    post_values = operator.attrgetter(*_field_names(Post))
    rendered_values = operator.attrgetter(*_field_names(RenderedPost))
    rows = [
        (
            source,
            r.sig,
            post_values(r.post),
            r.key,
            None if r.rendered is None else rendered_values(r.rendered),
        )
        for source, r in state.records.items()
    ]
    names = (_field_names(Post), _field_names(RenderedPost))
    store.save(path, _SOURCES, fingerprint, (names, rows, state.racy))
