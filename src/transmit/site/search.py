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
  each occurs (see search_postings.py).
- ``doc/<id>.tx``: JSON with one post's URL, title, date, category, tags, language and text,
  fetched for the results shown, to render them and cut a snippet from the author's text.
Post ids follow the site's order (newest first; ties by title, then URL), so sorting by date
is sorting by id. The same records always give byte-identical files.

The posts are inverted in runs of a few dozen, which a build hands the next (`RunMemo`): after
one post changed, the index is made again from its run made anew and the others taken back.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import math
import os
import shutil
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from transmit.build.store import digest
from transmit.site.search_postings import RunPostings, invert_run, stitch
from transmit.site.search_text import bucket_of, shard_key

SEARCH_DIR = "search-index"
FORMAT_VERSION = 2
# Uncompressed bytes of postings per index file: small enough that a query loads little,
# large enough that a site of 10,000 posts stays at a few hundred files.
BUCKET_BYTES = 96 * 1024
# Posts per run, on average: the unit of work for the worker processes, and of what a build
# takes from the last one (`RunMemo`).
RUN_POSTS = 64
# Buckets gzip'd by threads at once (zlib lets go of the interpreter while it compresses).
GZIP_THREADS = 2
# Post texts (meta.tx, doc/*.tx) shrink to a third at level 6. The buckets' gap codes hardly
# shrink at any level (21.1 MB to 17.1 MB at 10,000 posts): level 1 gives them 0.6% more
# bytes than level 6 in 70% of the time (0.25 s instead of 0.35 s, every build that
# changes a post's words).
_GZIP_LEVEL = 6
_BUCKET_GZIP_LEVEL = 1


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
class IndexedPost:
    """A post as the index orders and files it, its text read only if its run is made anew:
    `version` changes whenever the text does (a build reads the texts of 10,000 posts from
    its cache in a second)."""

    url: str
    title: str
    category: str
    tags: tuple[str, ...]
    date: str
    language: str
    version: str
    read_text: Callable[[], str]

    def record(self) -> SearchRecord:
        return SearchRecord(
            self.url,
            self.title,
            self.read_text(),
            self.category,
            self.tags,
            self.date,
            self.language,
        )


Indexed = SearchRecord | IndexedPost


class RunMemo(Protocol):
    """Runs made by earlier builds, by `run_key`: a build makes only the runs whose posts
    changed (one edited post: one run), and takes the others from here."""

    def get(self, key: bytes) -> _Run | None: ...

    def put(self, key: bytes, run: _Run) -> None: ...


@dataclass(frozen=True, slots=True)
class SearchIndexStats:
    """What a build of the index wrote, for the build summary."""

    pages: int
    bytes: int
    seconds: float


@dataclass(frozen=True, slots=True)
class _Run:
    """A run of consecutive posts made ready to write: their postings and their files."""

    postings: RunPostings
    doc_files: list[bytes]


@dataclass(frozen=True, slots=True)
class SearchIndexFile:
    """One file of the index, for a writer that stages the output itself."""

    path: str  # relative to the output folder, "/"-separated: "search-index/meta.tx"
    data: bytes


def build_search_index(
    records: Sequence[SearchRecord], out_dir: Path, *, site_language: str, jobs: int = 0
) -> SearchIndexStats:
    """Write the index for `records` under `out_dir / SEARCH_DIR`, replacing any earlier one."""
    started = time.perf_counter()
    files = search_index_files(records, site_language=site_language, jobs=jobs)
    root = out_dir / SEARCH_DIR
    if root.exists():
        shutil.rmtree(root)
    for folder in sorted({PurePosixPath(f.path).parent for f in files}):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    for file in files:
        (out_dir / file.path).write_bytes(file.data)
    return SearchIndexStats(
        pages=len(records),
        bytes=sum(len(file.data) for file in files),
        seconds=time.perf_counter() - started,
    )


def search_index_files(
    records: Sequence[Indexed],
    *,
    site_language: str,
    jobs: int = 0,
    memo: RunMemo | None = None,
) -> list[SearchIndexFile]:
    """The index's files for `records`: meta.tx, index/<n>.tx, doc/<id>.tx under SEARCH_DIR.

    `jobs` worker processes (0: one per core) share the work on large sites; the files are
    the same whatever the number, and whatever `memo` held.
    """
    ordered = _site_order(records)
    runs = _prepare_runs(ordered, jobs, memo)
    gap_codes, boundaries = stitch(run.postings for run in runs)
    index_files = _encode_buckets(gap_codes, jobs)
    doc_files = [data for run in runs for data in run.doc_files]
    build_id = _build_id(index_files, doc_files)
    meta = _meta_payload(ordered, boundaries, len(index_files), build_id, site_language)
    return [
        SearchIndexFile(f"{SEARCH_DIR}/meta.tx", _gzip(_json_bytes(meta))),
        *(
            SearchIndexFile(f"{SEARCH_DIR}/index/{n}.tx", data)
            for n, data in enumerate(index_files)
        ),
        *(SearchIndexFile(f"{SEARCH_DIR}/doc/{n}.tx", data) for n, data in enumerate(doc_files)),
    ]


def _site_order(records: Sequence[Indexed]) -> list[Indexed]:
    """Newest first, ties by title then URL: the site's own order, stable between builds."""
    by_title = sorted(records, key=lambda r: (r.title, r.url))
    return sorted(by_title, key=lambda r: r.date, reverse=True)


def run_bounds(urls: Sequence[str], size: int) -> list[tuple[int, int]]:
    """(start, end) of runs of about `size` posts, each ending after a post its URL chooses
    (at least `size // 4` posts, at most `4 * size`): a post added or removed changes the run
    it is in, and seldom another, where runs of fixed length would all shift."""
    least, most = max(1, size // 4), max(1, size * 4)
    bounds: list[tuple[int, int]] = []
    start = 0
    for end, url in enumerate(urls, start=1):
        length = end - start
        chosen = zlib.crc32(url.encode("utf-8", "surrogatepass")) % size == 0
        if length >= most or (length >= least and chosen):
            bounds.append((start, end))
            start = end
    if start < len(urls):
        bounds.append((start, len(urls)))
    return bounds


def run_key(posts: Sequence[Indexed]) -> bytes:
    """What a run's postings and files are made from, digested: every field of each of its
    posts (the text by its version where it has one), each post digested apart."""
    return digest(f"search run {FORMAT_VERSION}", *(_post_key(post) for post in posts))


def _post_key(post: Indexed) -> bytes:
    kind, text = ("version", post.version) if isinstance(post, IndexedPost) else ("text", post.text)
    fields = (post.url, post.title, post.category, post.date, post.language)
    return digest(*fields, kind, text, *post.tags)


def _prepare_runs(ordered: Sequence[Indexed], jobs: int, memo: RunMemo | None) -> list[_Run]:
    """Tokenise and compress each run, in worker processes when it pays; the runs `memo`
    has are taken from it (their posts' texts are not even read)."""
    bounds = run_bounds([post.url for post in ordered], RUN_POSTS)
    keys = [run_key(ordered[start:end]) for start, end in bounds] if memo is not None else []
    runs: list[_Run | None] = [None] * len(bounds) if memo is None else [memo.get(k) for k in keys]
    wanted = [number for number, run in enumerate(runs) if run is None]
    records = [[_record(post) for post in ordered[slice(*bounds[n])]] for n in wanted]
    workers = min(jobs or os.cpu_count() or 1, len(records))
    if workers <= 1:
        made = [_prepare_run(run) for run in records]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            made = list(pool.map(_prepare_run, records))
    for number, run in zip(wanted, made, strict=True):
        runs[number] = run
        if memo is not None:
            memo.put(keys[number], run)
    return runs  # type: ignore[return-value]  # every run is made by now


def _record(post: Indexed) -> SearchRecord:
    return post.record() if isinstance(post, IndexedPost) else post


def _prepare_run(records: Sequence[SearchRecord]) -> _Run:
    postings = invert_run([r.title, r.category, *r.tags, r.text] for r in records)
    return _Run(postings, [_gzip(_json_bytes(_doc_payload(r))) for r in records])


def _encode_buckets(gap_codes: dict[str, bytes], jobs: int = 0) -> list[bytes]:
    """Group tokens into gzip'd files by the hash of their shard key.

    A file is [u32 token count] then per token [u16 name length][name, UTF-8][u32 body
    length][body: the token's gap code, see search_postings.py]. The number of files grows
    with the index so each stays near BUCKET_BYTES; the browser learns it from meta.tx and
    hashes a query's keys the same way.
    """
    entries = {token: _entry(token, body) for token, body in gap_codes.items()}
    buckets = max(1, math.ceil(sum(map(len, entries.values())) / BUCKET_BYTES))
    grouped: list[list[bytes]] = [[] for _ in range(buckets)]
    for token in sorted(entries):
        grouped[bucket_of(shard_key(token), buckets)].append(entries[token])
    raw = [_uint(4, len(group)) + b"".join(group) for group in grouped]
    compress = functools.partial(_gzip, level=_BUCKET_GZIP_LEVEL)
    threads = min(jobs or os.cpu_count() or 1, GZIP_THREADS, len(raw))
    if threads <= 1:
        return [compress(data) for data in raw]
    # the threads end before this returns: the build forks later, which wants one thread
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(compress, raw))


def _entry(token: str, body: bytes) -> bytes:
    name = token.encode()
    return _uint(2, len(name)) + name + _uint(4, len(body)) + body


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
    hasher = hashlib.sha256()
    for data in (*index_files, *doc_files):
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()[:16]


def _json_bytes(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _gzip(data: bytes, level: int = _GZIP_LEVEL) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)
