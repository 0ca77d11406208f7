"""The site's search index: a positional CJK-bigram and word index the browser reads in shards.

Why not Pagefind: its 1.5 index and query are segmented by different dictionaries, so Chinese
queries miss posts (see search_text.py). Here the index holds, for every token, the positions
where it occurs; the browser (static/search-engine.js) turns a query into the same
tokens, loads only the files holding them, and keeps the posts where the tokens sit at
consecutive positions. A query therefore finds exactly the posts that contain it.

Layout under ``out_dir / SEARCH_DIR`` (every file compressed, names without `.gz` so no server
adds a Content-Encoding of its own):
- ``meta.tx`` (gzip): JSON with the number of posts and of index files, where each segment of posts
  begins, per-post field boundaries and lengths (for ranking), categories and tags (the
  filters), a build id for cache busting.
- ``index/<n>.tx``: for the tokens whose shard key hashes to bucket n, the positions where
  each occurs, a section per segment, raw deflate (see search_buckets.py and
  search_postings.py).
- ``doc/<id>.tx`` (gzip): JSON with one post's URL, title, date, category, tags, language and
  text, fetched for the results shown, to render them and cut a snippet from the author's text.
Post ids follow the site's order (newest first; ties by title, then URL), so sorting by date
is sorting by id. The same records always give byte-identical files.

The posts are inverted in runs of a dozen or so (search_runs.py), which a build hands the next:
after one post changed, the index is made again from its run made anew and the others taken back.
Runs make up segments; a builder that keeps the index in memory (`SearchIndex`) makes again,
after an edit to a post's text, only its run and its segment's sections, and writes again only
the files whose sections changed: as each post reserves room to grow (search_postings.post_span),
a sentence added near a post's end changes the files of its own tokens alone (at 10,000 posts,
a dozen files instead of all 225).
"""

from __future__ import annotations

import bisect
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from transmit.build.store import digest
from transmit.site.search_buckets import (
    bucket_count,
    deflate,
    entries,
    joined_deflate,
    joined_gzip,
    sections,
)
from transmit.site.search_postings import Boundaries, stitch
from transmit.site.search_runs import (
    FORMAT_VERSION,
    GZIP_LEVEL,
    Indexed,
    RunMemo,
    SearchRecord,
    json_bytes,
    prepare_runs,
    run_bounds,
)

SEARCH_DIR = "search-index"
# Uncompressed bytes of postings per index file: small enough that a query loads little,
# large enough that a site of 10,000 posts stays at a few hundred files.
BUCKET_BYTES = 96 * 1024
# Posts per run, on average: the unit of work for the worker processes, and of what a build
# takes from the last one (`RunMemo`), and what an edit to one post makes again.
RUN_POSTS = 12
# Runs per segment: what an edit to one post stitches, encodes and compresses again (at
# 10,000 posts, 12 ms + 13 ms for segments of ~240 posts, twice that for ~480). Segments cost
# bytes (each repeats the names of its tokens in every bucket file, and each section is
# deflated apart): with segments of ~240 posts the postings of 10,000 posts take 18.6 MB
# against 17.1 MB in one, in 5% more files of the same size, so a query loads as much.
SEGMENT_RUNS = 16
# Sections deflated by threads at once (zlib lets go of the interpreter while it compresses).
GZIP_THREADS = 2


@dataclass(frozen=True, slots=True)
class SearchIndexStats:
    """What a build of the index wrote, for the build summary."""

    pages: int
    bytes: int
    seconds: float


@dataclass(frozen=True, slots=True)
class SearchIndexFile:
    """One file of the index, for a writer that stages the output itself."""

    path: str  # relative to the output folder, "/"-separated: "search-index/meta.tx"
    data: bytes
    # what the build records of its bytes: a bucket file's is made of its sections' digests
    # (no need to hash the 17 MB of postings again after an edit at 10,000 posts)
    digest: bytes


@dataclass(slots=True)
class _Segment:
    """Consecutive runs whose postings share a section of every bucket file."""

    runs: tuple[int, int]  # [first, end) run numbers
    size: int  # bytes of its tokens' entries (search_buckets.entries)
    packed: list[bytes]  # its section of each bucket file, deflated
    digests: list[bytes]  # and the digest of each, taken before deflating it


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
    return SearchIndex(records, site_language=site_language, jobs=jobs, memo=memo).files()


class SearchIndex:
    """The index of a site's posts, kept by the builder that made it for later edits."""

    def __init__(
        self,
        records: Sequence[Indexed],
        *,
        site_language: str,
        jobs: int = 0,
        memo: RunMemo | None = None,
    ) -> None:
        self.site_language = site_language
        self.posts = _site_order(records)
        self.numbers = {post.url: number for number, post in enumerate(self.posts)}
        self.bounds = run_bounds([post.url for post in self.posts], RUN_POSTS)
        self.runs = prepare_runs(self.posts, self.bounds, range(len(self.bounds)), jobs, memo)
        self.doc_digests = [digest(data) for data in self._doc_files()]
        segments = segment_bounds(len(self.bounds), SEGMENT_RUNS)
        self.segments = [_Segment(runs, 0, [], []) for runs in segments]
        stitched = [(segment, self._stitch(segment)) for segment in self.segments]
        self.buckets = self._bucket_count()
        self._known: tuple[int, dict[str, int]] = (self.buckets, {})  # shard key -> bucket
        self.index_files: list[bytes] = []
        self.index_digests: list[bytes] = []
        self._join(self._encode(stitched, jobs))
        self._doc_bytes = sum(len(data) for data in self._doc_files())
        self._fixed_meta = self._meta_of_posts()
        self.meta = self._meta()

    def files(self) -> list[SearchIndexFile]:
        """Every file of the index."""
        return [
            self._meta_file(),
            *(self._index_file(n) for n in range(self.buckets)),
            *(self._doc_file(n, data) for n, data in enumerate(self._doc_files())),
        ]

    def _meta_file(self) -> SearchIndexFile:
        return SearchIndexFile(f"{SEARCH_DIR}/meta.tx", self.meta, digest(self.meta))

    def _index_file(self, number: int) -> SearchIndexFile:
        path = f"{SEARCH_DIR}/index/{number}.tx"
        return SearchIndexFile(path, self.index_files[number], self.index_digests[number])

    def _doc_file(self, number: int, data: bytes) -> SearchIndexFile:
        return SearchIndexFile(f"{SEARCH_DIR}/doc/{number}.tx", data, self.doc_digests[number])

    def size(self) -> int:
        """Bytes of every file of the index."""
        return len(self.meta) + sum(map(len, self.index_files)) + self._doc_bytes

    def renew(
        self, posts: Iterable[Indexed], *, jobs: int = 0, memo: RunMemo | None = None
    ) -> list[SearchIndexFile]:
        """Take `posts` in place of the posts of their URLs, whose other fields they keep (an
        edit to their text), and return the files that changed: the same files as an index
        made anew of the posts would have."""
        changed_runs: set[int] = set()
        for post in posts:
            number = self.numbers[post.url]
            if _fixed_fields(post) != _fixed_fields(self.posts[number]):
                raise ValueError(f"{post.url} moved or was retagged: the index is made anew")
            self.posts[number] = post
            changed_runs.add(bisect.bisect_right(self.bounds, (number, len(self.posts))) - 1)
        if not changed_runs:
            return []
        wanted = sorted(changed_runs)
        made = prepare_runs(self.posts, self.bounds, wanted, jobs, memo)
        changed_docs: list[tuple[int, bytes]] = []
        changed_segments: list[_Segment] = []
        for number, run in zip(wanted, made, strict=True):
            old = self.runs[number]
            self.runs[number] = run
            first = self.bounds[number][0]
            for at, (was, now) in enumerate(zip(old.doc_files, run.doc_files, strict=True)):
                if was != now:
                    changed_docs.append((first + at, now))
                    self.doc_digests[first + at] = digest(now)
                    self._doc_bytes += len(now) - len(was)
            segment = next(s for s in self.segments if s.runs[0] <= number < s.runs[1])
            if old.postings != run.postings and segment not in changed_segments:
                changed_segments.append(segment)
        stitched = [(segment, self._stitch(segment)) for segment in changed_segments]
        buckets = self._bucket_count()
        if buckets != self.buckets:  # (seldom: an edit made the postings cross a file's size)
            self.buckets = buckets
            stitched = [(segment, self._stitch(segment)) for segment in self.segments]
        old = list(self.index_digests)
        self._join(self._encode(stitched, jobs))
        meta = self._meta()
        files: list[SearchIndexFile] = []
        if meta != self.meta:
            self.meta = meta
            files.append(self._meta_file())
        files += [
            self._index_file(n)
            for n, made in enumerate(self.index_digests)
            if n >= len(old) or old[n] != made
        ]
        files += [self._doc_file(number, data) for number, data in changed_docs]
        return files

    def _stitch(self, segment: _Segment) -> dict[str, bytes]:
        """The segment's entries, its `size` noted (which the number of bucket files takes)."""
        first, end = segment.runs
        gap_codes, _ = stitch(run.postings for run in self.runs[first:end])
        found = entries(gap_codes)
        segment.size = sum(map(len, found.values()))
        return found

    def _bucket_count(self) -> int:
        return bucket_count(sum(segment.size for segment in self.segments), BUCKET_BYTES)

    def _encode(self, stitched: Sequence[tuple[_Segment, dict[str, bytes]]], jobs: int) -> set[int]:
        """Each segment's sections of the bucket files from its entries, deflated where they
        changed (by threads: they end before this returns, as a build forks later, which wants
        one); the numbers of the bucket files with a section changed. (After an edit near a
        post's end, only the files of the tokens it added or moved: see post_span.)"""
        if self._known[0] != self.buckets:
            self._known = (self.buckets, {})
        known = self._known[1]
        changed: set[int] = set()
        wanted: list[tuple[_Segment, int, bytes]] = []
        for segment, found in stitched:
            raw = sections(found, self.buckets, known)
            digests = [digest(section) for section in raw]
            if len(segment.digests) != self.buckets:  # made for another number of files, or none
                segment.packed, segment.digests = [b""] * self.buckets, []
            for n, (section, made) in enumerate(zip(raw, digests, strict=True)):
                if not segment.digests or segment.digests[n] != made:
                    wanted.append((segment, n, section))
                    changed.add(n)
            segment.digests = digests
        threads = min(jobs or os.cpu_count() or 1, GZIP_THREADS, len(wanted))
        sections_wanted = [section for _, _, section in wanted]
        if threads <= 1:
            packed = [deflate(section) for section in sections_wanted]
        else:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                packed = list(pool.map(deflate, sections_wanted, chunksize=16))
        for (segment, n, _), data in zip(wanted, packed, strict=True):
            segment.packed[n] = data
        return changed

    def _join(self, changed: set[int]) -> None:
        """Join the bucket files of `changed` numbers again, each with its digest (of its
        sections' digests); the others are as they were."""
        if len(self.index_files) != self.buckets:
            self.index_files, self.index_digests = [b""] * self.buckets, [b""] * self.buckets
            changed = set(range(self.buckets))
        for n in changed:
            self.index_files[n] = joined_deflate([segment.packed[n] for segment in self.segments])
            self.index_digests[n] = digest("bucket", *(s.digests[n] for s in self.segments))

    def _doc_files(self) -> list[bytes]:
        return [data for run in self.runs for data in run.doc_files]

    def _meta_of_posts(self) -> tuple[bytes, bytes]:
        """The part of meta.tx an edit to posts' text leaves as it is, raw and deflated: the
        JSON object without its closing brace."""
        boundaries = [b for run in self.runs for b in run.postings.boundaries]
        raw = json_bytes(_posts_payload(self.posts, boundaries, self._segment_starts()))[:-1]
        return raw, deflate(raw, GZIP_LEVEL)

    def _segment_starts(self) -> list[int]:
        return [self.bounds[segment.runs[0]][0] for segment in self.segments]

    def _meta(self) -> bytes:
        """meta.tx: the posts' part kept, the rest (what an edit changes) made now."""
        lengths = [length for run in self.runs for _, _, length in run.postings.boundaries]
        body = [length - body for run in self.runs for _, body, length in run.postings.boundaries]
        # the doc files hold every field the postings are made from
        build = digest(
            f"search {FORMAT_VERSION}",
            self.site_language,
            str(self.buckets),
            b"".join(self.doc_digests),
        )
        rest = {
            "build": build.hex()[:16],
            "language": self.site_language,
            "buckets": self.buckets,
            "length": lengths,
            "averageBody": round(sum(body) / len(body), 3) if body else 0,
        }
        fixed, packed = self._fixed_meta
        tail = b"," + json_bytes(rest)[1:]  # (the posts' part is never empty)
        return joined_gzip([fixed, tail], [packed, deflate(tail, GZIP_LEVEL)])


def _site_order(records: Sequence[Indexed]) -> list[Indexed]:
    """Newest first, ties by title then URL: the site's own order, stable between builds."""
    by_title = sorted(records, key=lambda r: (r.title, r.url))
    return sorted(by_title, key=lambda r: r.date, reverse=True)


def _fixed_fields(post: Indexed) -> tuple[object, ...]:
    """What `SearchIndex.renew` keeps of a post: its place, and what meta.tx has of it."""
    return post.date, post.title, post.url, post.category, post.tags


def segment_bounds(runs: int, size: int) -> list[tuple[int, int]]:
    """(first, end) run numbers of segments of `size` runs. (Only an edit to posts' text makes
    a segment again alone, and it moves no post: segments need not end where posts choose.)"""
    return [(first, min(first + size, runs)) for first in range(0, runs, size)]


def _posts_payload(
    ordered: Sequence[Indexed], boundaries: Sequence[Boundaries], segments: Sequence[int]
) -> dict[str, object]:
    """What meta.tx holds of the posts' places and fields: where each segment and each post's
    fields begin, the categories and tags (the filters)."""
    categories = sorted({r.category for r in ordered if r.category})
    tags = sorted({tag for r in ordered for tag in r.tags})
    category_ids = {name: number for number, name in enumerate(categories)}
    tag_ids = {name: number for number, name in enumerate(tags)}
    return {
        "version": FORMAT_VERSION,
        "posts": len(ordered),
        "segments": list(segments),
        "metaStart": [meta for meta, _, _ in boundaries],
        "bodyStart": [body for _, body, _ in boundaries],
        "categories": categories,
        "category": [category_ids.get(r.category, -1) for r in ordered],
        "tags": tags,
        "tag": [sorted({tag_ids[t] for t in r.tags}) for r in ordered],
    }
