"""Runs of the search index: a dozen or so consecutive posts tokenised and filed together.

A run is the unit of work of the worker processes that make an index, what a build hands the
next (`RunMemo`, keyed by `run_key`: after one post changed, the others' runs are taken back
without reading their texts), and what an edit to a post's text makes again. A run holds its
posts' postings (search_postings.py) and their doc files (doc/<id>.tx: JSON, gzip'd).
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from transmit.build.store import digest
from transmit.site.search_postings import RunPostings, invert_run, shared

FORMAT_VERSION = 4  # of the index's files (meta.tx says it; search-engine.js checks it)
# Post texts (meta.tx, doc/*.tx) shrink to a third at level 6.
GZIP_LEVEL = 6


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

    def get(self, key: bytes) -> Run | None: ...

    def put(self, key: bytes, run: Run) -> None: ...


@dataclass(frozen=True, slots=True)
class Run:
    """A run of consecutive posts made ready to write: their postings and their files."""

    postings: RunPostings
    doc_files: list[bytes]


def run_bounds(urls: Sequence[str], size: int) -> list[tuple[int, int]]:
    """(start, end) of runs of about `size` posts, each ending after a post its URL chooses
    (at least `size // 2` posts, at most `2 * size`, so that what an edit makes again is
    never much more than `size` posts): a post added or removed changes the run it is in, and
    seldom another, where runs of fixed length would all shift."""
    least, most = max(1, size // 2), max(1, size * 2)
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


def prepare_runs(
    ordered: Sequence[Indexed],
    bounds: Sequence[tuple[int, int]],
    numbers: Sequence[int],
    jobs: int,
    memo: RunMemo | None,
) -> list[Run]:
    """The runs of `numbers`, tokenised and compressed, in worker processes when it pays; the
    runs `memo` has are taken from it (their posts' texts are not even read)."""
    keys = [run_key(ordered[slice(*bounds[n])]) for n in numbers] if memo is not None else []
    runs: list[Run | None] = [None] * len(numbers) if memo is None else [memo.get(k) for k in keys]
    wanted = [at for at, run in enumerate(runs) if run is None]
    records = [[_record(post) for post in ordered[slice(*bounds[numbers[at]])]] for at in wanted]
    workers = min(jobs or os.cpu_count() or 1, len(records))
    if workers <= 1:
        made = [_prepare_run(run) for run in records]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            made = list(pool.map(_prepare_run, records))
    for at, run in zip(wanted, made, strict=True):
        runs[at] = run
        if memo is not None:
            memo.put(keys[at], run)
    # every run is made by now; its token names shared with the other runs' (a builder keeps
    # them all: the benchmark's 10,000 posts have 1.7 million names of 5,500 tokens)
    return [Run(shared(run.postings), run.doc_files) for run in runs]  # type: ignore[union-attr]


def _record(post: Indexed) -> SearchRecord:
    return post.record() if isinstance(post, IndexedPost) else post


def _prepare_run(records: Sequence[SearchRecord]) -> Run:
    postings = invert_run([r.title, r.category, *r.tags, r.text] for r in records)
    return Run(postings, [gzip_bytes(json_bytes(_doc_payload(r))) for r in records])


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


def json_bytes(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def gzip_bytes(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)
