"""The site's search index: a positional CJK-bigram and word index the browser reads in shards.

Why not Pagefind: its 1.5 index and query are segmented by different dictionaries, so Chinese
queries miss posts (see search_text.py). Here the index holds, for every token, the positions
where it occurs; the browser (static/search-engine.js) turns a query into the same
tokens, loads only the files holding them, and keeps the posts where the tokens sit at
consecutive positions. A query therefore finds exactly the posts that contain it.

Layout under ``out_dir / SEARCH_DIR`` (every file gzip-compressed, names without `.gz` so no
server adds a Content-Encoding of its own):
- ``meta.tx``: JSON with the number of posts and of index files, per-post field boundaries
  and lengths (for ranking), categories and tags (the filters), a build id for cache busting.
- ``index/<n>.tx``: for the tokens whose shard key hashes to bucket n, the positions where
  each occurs (see _invert and encode_gaps).
- ``doc/<id>.tx``: JSON with one post's URL, title, date, category, tags, language and text,
  fetched for the results shown, to render them and cut a snippet from the author's text.
Post ids follow the site's order (newest first; ties by title, then URL), so sorting by date
is sorting by id. The same records always give byte-identical files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import operator
import shutil
import time
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from transmit.site.search_text import bucket_of, field_tokens, shard_key

SEARCH_DIR = "search-index"
FORMAT_VERSION = 2
# Uncompressed bytes of postings per index file: small enough that a query loads little,
# large enough that a site of 10,000 posts stays at a few hundred files.
BUCKET_BYTES = 96 * 1024
_GZIP_LEVEL = 6
GAP_STEP = 0x10FFFF  # the largest code point, see encode_gaps


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """One post as search sees it; `url` is served as is (percent-encoded, base included)."""

    url: str
    title: str
    text: str
    category: str
    tags: tuple[str, ...]
    date: str
    language: str


@dataclass(frozen=True, slots=True)
class SearchIndexStats:
    """What a build of the index wrote, for the build summary."""

    pages: int
    bytes: int
    seconds: float


@dataclass(frozen=True, slots=True)
class _Postings:
    """Where one token occurs: post ids ascending, occurrences per post, positions per post."""

    docs: list[int]
    counts: list[int]
    positions: list[int]


def build_search_index(
    records: Sequence[SearchRecord], out_dir: Path, *, site_language: str
) -> SearchIndexStats:
    """Write the index for `records` under `out_dir / SEARCH_DIR`, replacing any earlier one."""
    started = time.perf_counter()
    ordered = _site_order(records)
    positions, boundaries = _invert(ordered)
    index_files = _encode_buckets(positions)
    doc_files = [_gzip(_json_bytes(_doc_payload(record))) for record in ordered]
    build_id = _build_id(index_files, doc_files)
    meta = _meta_payload(ordered, boundaries, len(index_files), build_id, site_language)

    root = out_dir / SEARCH_DIR
    if root.exists():
        shutil.rmtree(root)
    (root / "index").mkdir(parents=True)
    (root / "doc").mkdir()
    written = _write(root / "meta.tx", _gzip(_json_bytes(meta)))
    for number, data in enumerate(index_files):
        written += _write(root / "index" / f"{number}.tx", data)
    for number, data in enumerate(doc_files):
        written += _write(root / "doc" / f"{number}.tx", data)
    return SearchIndexStats(
        pages=len(ordered), bytes=written, seconds=time.perf_counter() - started
    )


def _site_order(records: Sequence[SearchRecord]) -> list[SearchRecord]:
    """Newest first, ties by title then URL: the site's own order, stable between builds."""
    by_title = sorted(records, key=lambda r: (r.title, r.url))
    return sorted(by_title, key=lambda r: r.date, reverse=True)


def _fields(record: SearchRecord) -> list[str]:
    """The searchable fields in position order; body last so its start marks the meta's end."""
    return [record.title, record.category, *record.tags, record.text]


def _invert(
    ordered: Sequence[SearchRecord],
) -> tuple[dict[str, array[int]], list[tuple[int, int, int]]]:
    """Token -> ascending positions in one space for the whole site; per post its boundaries.

    Post n occupies positions [start_n, start_n + length_n) with start_0 = 0 and one empty
    position after each post, so a phrase never spans two posts; the browser rebuilds the
    starts from the lengths. Boundaries are (meta start, body start, length), post-relative.
    """
    positions: defaultdict[str | None, array[int]] = defaultdict(lambda: array("I"))
    boundaries: list[tuple[int, int, int]] = []
    offset = 0
    for record in ordered:
        tokens, starts = field_tokens(_fields(record))
        for position, token in enumerate(tokens, offset):
            positions[token].append(position)
        boundaries.append((starts[1], starts[-1], len(tokens)))
        offset += len(tokens) + 1
    return {t: found for t, found in positions.items() if t is not None}, boundaries


def _encode_buckets(positions: dict[str, array[int]]) -> list[bytes]:
    """Group tokens into gzip'd files by the hash of their shard key.

    A file is [u32 token count] then per token [u16 name length][name, UTF-8][u32 body
    length][body]. The number of files grows with the index so each stays near BUCKET_BYTES;
    the browser learns it from meta.tx and hashes a query's keys the same way.
    """
    encoded = {token: _encode_entry(token, found) for token, found in positions.items()}
    total = sum(len(blob) for blob in encoded.values())
    buckets = max(1, math.ceil(total / BUCKET_BYTES))
    grouped: list[list[bytes]] = [[] for _ in range(buckets)]
    for token in sorted(encoded):
        grouped[bucket_of(shard_key(token), buckets)].append(encoded[token])
    return [_gzip(_uint(4, len(blobs)) + b"".join(blobs)) for blobs in grouped]


def _encode_entry(token: str, found: array[int]) -> bytes:
    name = token.encode()
    body = encode_gaps(found)
    return _uint(2, len(name)) + name + _uint(4, len(body)) + body


def encode_gaps(ascending: array[int]) -> bytes:
    """Ascending positions as the gaps between them, each gap a UTF-8 coded code point.

    UTF-8 is a variable-length integer code (1 byte below 128, 2 below 2048, ...) that
    Python's codec writes at C speed; surrogates pass through as plain 3-byte values. A gap of
    GAP_STEP or more is written as GAP_STEP steps (each adds GAP_STEP and ends no gap) and
    the remainder.
    """
    gaps = array("I", ascending[:1])
    gaps.extend(map(operator.sub, ascending[1:], ascending[:-1]))
    if gaps and max(gaps) >= GAP_STEP:
        stepped: list[int] = []
        for gap in gaps:
            steps, rest = divmod(gap, GAP_STEP)
            stepped.extend([GAP_STEP] * steps)
            stepped.append(rest)
        return "".join(map(chr, stepped)).encode("utf-8", "surrogatepass")
    return "".join(map(chr, gaps)).encode("utf-8", "surrogatepass")


def _uint(width: int, value: int) -> bytes:
    return value.to_bytes(width, "little")


def _doc_payload(record: SearchRecord) -> dict[str, object]:
    return {
        "url": record.url,
        "title": record.title,
        "date": record.date,
        "category": record.category,
        "tags": list(record.tags),
        "lang": record.language,
        "text": record.text,
    }


def _meta_payload(
    ordered: Sequence[SearchRecord],
    boundaries: Sequence[tuple[int, int, int]],
    buckets: int,
    build_id: str,
    site_language: str,
) -> dict[str, object]:
    categories = sorted({r.category for r in ordered if r.category})
    tags = sorted({tag for r in ordered for tag in r.tags})
    category_ids = {name: number for number, name in enumerate(categories)}
    tag_ids = {name: number for number, name in enumerate(tags)}
    body_lengths = [length - body for _, body, length in boundaries]
    return {
        "version": FORMAT_VERSION,
        "build": build_id,
        "language": site_language,
        "posts": len(ordered),
        "buckets": buckets,
        "metaStart": [meta for meta, _, _ in boundaries],
        "bodyStart": [body for _, body, _ in boundaries],
        "length": [length for _, _, length in boundaries],
        "averageBody": round(sum(body_lengths) / len(body_lengths), 3) if body_lengths else 0,
        "categories": categories,
        "category": [category_ids.get(r.category, -1) for r in ordered],
        "tags": tags,
        "tag": [sorted({tag_ids[t] for t in r.tags}) for r in ordered],
    }


def _build_id(index_files: Sequence[bytes], doc_files: Sequence[bytes]) -> str:
    digest = hashlib.sha256()
    for data in (*index_files, *doc_files):
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:16]


def _json_bytes(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=_GZIP_LEVEL, mtime=0)


def _write(path: Path, data: bytes) -> int:
    path.write_bytes(data)
    return len(data)
