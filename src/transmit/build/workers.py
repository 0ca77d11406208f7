"""The work that runs in worker processes, and the pool that runs it.

Workers are forked once the build process has imported every library they use (front matter,
Markdown, math, highlighting), so they import none of them again, and they send back compact
records: the Post without its body and the rendered stub, the full rendered post going straight
to the render cache. While they work, the build process does what it can of what comes next
(`Workers.meanwhile`): it would only wait.

A few edited posts are rendered in this process, but a process that has not loaded the
renderer yet (a `transmit build` after an edit) first has them rendered by one worker forked
at once (`Workers.ahead`): the worker loads the renderer's libraries while this process loads
the records of the other posts, which is most of an edit's time, and then reads the renders
from the cache, never loading those libraries itself.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from transmit.build.cache import RenderCache, body_less, canonical, render_key, stub_of
from transmit.build.inputs import Sig, stat_sig
from transmit.build.manifest import SourceRecord, reads_mark
from transmit.build.store import digest
from transmit.errors import SourceError

if TYPE_CHECKING:
    import multiprocessing.context
    import multiprocessing.process
    from concurrent.futures import Future, ProcessPoolExecutor

    from transmit.config import Config
    from transmit.content.post import Post
    from transmit.render.data import RenderOptions

Job = TypeVar("Job")
Item = TypeVar("Item")
Result = TypeVar("Result")
# Below this many items a pool costs more (start-up, imports twice) than it saves.
MIN_PARALLEL = 48


@dataclass(frozen=True, slots=True)
class Publishing:
    """Which loaded posts are built: the --drafts and --future choices and the clock."""

    drafts: bool
    future: bool
    now: datetime

    def skips_draft(self, post: Post) -> bool:
        return post.draft and not self.drafts

    def skips_future(self, post: Post) -> bool:
        return post.kind == "post" and post.date > self.now and not self.future and not post.draft

    def publishes(self, post: Post) -> bool:
        return not self.skips_draft(post) and not self.skips_future(post)

    def split(
        self, records: Iterable[SourceRecord]
    ) -> tuple[list[SourceRecord], list[Post], list[Post]]:
        """The records published, in the site's order, and the drafts and future posts
        skipped."""
        from transmit.content.post import sort_key

        published: list[SourceRecord] = []
        drafts: list[Post] = []
        future: list[Post] = []
        for record in records:
            if self.skips_draft(record.post):
                drafts.append(record.post)
            elif self.skips_future(record.post):
                future.append(record.post)
            else:
                published.append(record)
        published.sort(key=lambda record: sort_key(record.post))
        return published, drafts, future


@dataclass(frozen=True, slots=True)
class LoadJob:
    config: Config
    options: RenderOptions
    cache_root: Path
    fingerprint: bytes
    publishing: Publishing


def load_sources(
    job: LoadJob, items: Sequence[tuple[str, str, Sig]]
) -> list[SourceRecord | SourceError]:
    """Read each (kind, path, sig) source; render the ones that are published, through the
    render cache. A file that is not a post at all comes back as its SkippedSource."""
    from transmit.build import pipeline
    from transmit.content.loader import load_post
    from transmit.render.fragments import Fragments

    cache = RenderCache(job.cache_root, job.fingerprint)
    results: list[SourceRecord | SourceError] = []
    try:
        for kind, path, sig in items:
            try:
                post = load_post(Path(path), kind, job.config)
            except SourceError as error:
                results.append(error)
                continue
            stub = body_less(post)
            mark = digest(canonical(stub))
            if not job.publishing.publishes(post):
                results.append(SourceRecord(sig, stub, mark=mark))
                continue
            key = render_key(post, job.options, job.fingerprint)
            found = cache.load_current(key)
            if found is not None:
                rendered, reads = found
            else:
                fragments = Fragments(cache.earlier_fragments(path))
                rendered = pipeline.render_guarded(post, job.options, fragments)
                reads = tuple((name, stat_sig(name)) for name in rendered.reads)
                cache.save(key, rendered, reads)
                cache.save_fragments(path, key, rendered, fragments.spans(rendered.html))
            record = SourceRecord(sig, stub, key, stub_of(rendered), reads, mark, reads_mark(reads))
            results.append(record)
    finally:  # what was rendered is kept, even when a later post stops the batch
        cache.flush()
    return results


def _import_renderers() -> None:
    import transmit.content.loader
    import transmit.render.document  # noqa: F401


def _warm_up() -> None:
    """Ready a worker as it starts: the heavy libraries are there already when it was forked,
    imported when it was started afresh. (A forked worker inherits the build's paused garbage
    collector: it runs long, so it collects.)"""
    _import_renderers()
    gc.freeze()  # modules and what was inherited live as long as the worker: never collected
    gc.enable()


def renderer_loaded() -> bool:
    return "transmit.render.document" in sys.modules


def _run_ahead(
    function: Callable[[Job, Sequence[Item]], object], job: Job, items: Sequence[Item]
) -> None:
    """In a forked process: `function(job, items)` for what it leaves in the render cache. Its
    result, even an error, is not wanted: the build does the same again, from the cache, and
    reports what it meets."""
    code = 0
    try:
        _warm_up()
        function(job, items)
    except BaseException:  # the build meets it again and says it its own way
        code = 1
    finally:
        os._exit(code)


def can_fork() -> bool:
    """Whether forking is safe here: POSIX, and this process runs one thread (a fork copies
    only the thread that forks, with whatever locks the others held)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _context() -> multiprocessing.context.BaseContext:
    """fork where it is safe: workers start in a millisecond and share the parent's pages;
    otherwise a fork server, so a threaded dev server never forks."""
    import multiprocessing

    if can_fork():
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


# Chunk sizes for the pool: a chunk costs a task's round trip and a render-cache pack, so not
# too small; and the work queued at once stays bounded, so not too large.
LARGEST_CHUNK, SMALLEST_CHUNK = 64, 4


def chunk_bounds(count: int, workers: int, size: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each chunk of `count` items, in order. With no `size`, each chunk takes
    a share of what is left (guided scheduling), so chunks shrink towards the end and the
    last worker busy is not left alone with a big one while the others wait."""
    bounds = []
    start = 0
    while start < count:
        left = count - start
        step = size or max(SMALLEST_CHUNK, min(LARGEST_CHUNK, left // (workers * 4)))
        bounds.append((start, min(count, start + step)))
        start += step
    return bounds


def worker_count(jobs: int) -> int:
    return jobs or os.cpu_count() or 1


class Workers:
    """A process pool for one build, started on first use and shared by its stages."""

    def __init__(self, jobs: int) -> None:
        self.count = worker_count(jobs)
        self._pool: ProcessPoolExecutor | None = None
        self._meanwhile: list[Callable[[], None]] = []
        self._ahead: multiprocessing.process.BaseProcess | None = None

    def meanwhile(self, work: Callable[[], None]) -> None:
        """Have this process do `work` while the workers do the next `map` that goes to them
        (or the worker `ahead` started), instead of waiting for them; never when no `map`
        does (`work` must be worth doing anyway, and may be done again later)."""
        self._meanwhile.append(work)

    def ahead(
        self,
        function: Callable[[Job, Sequence[Item]], list[Result]],
        job: Job,
        items: Sequence[Item],
    ) -> None:
        """Start `function(job, items)` in a worker forked now, for what it leaves in the render
        cache, when the next `map` of these items would run in this process and would load the
        renderer first. The next `map` waits for it (doing `meanwhile` work as it waits)."""
        if not items or self.count <= 1 or len(items) >= MIN_PARALLEL or self._ahead is not None:
            return
        if renderer_loaded() or not can_fork():  # nothing to gain; or not safe
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._ahead = context.Process(target=_run_ahead, args=(function, job, items))
        self._ahead.start()

    def _settle(self) -> None:
        """Wait for the worker `ahead` started, doing `meanwhile` work while it works (not
        after: this process would wait for nothing)."""
        if self._ahead is None:
            return
        while self._meanwhile and self._ahead.is_alive():
            self._meanwhile.pop(0)()
        self._ahead.join()
        self._ahead = None

    def start(self) -> None:
        """Start the workers, with the libraries they need imported first when they are forked
        (the parent needs them too)."""
        if self._pool is None and self.count > 1:
            from concurrent.futures import ProcessPoolExecutor

            _import_renderers()

            self._pool = ProcessPoolExecutor(
                max_workers=self.count, mp_context=_context(), initializer=_warm_up
            )

    def map(
        self,
        function: Callable[[Job, Sequence[Item]], list[Result]],
        job: Job,
        items: Sequence[Item],
        chunk: int = 0,
    ) -> list[Result]:
        """`function(job, chunk)` over chunks of `items`, results in order; in this process
        when there is little work or one worker."""
        self._settle()
        if self.count <= 1 or len(items) < MIN_PARALLEL:
            return function(job, items)
        self.start()
        assert self._pool is not None
        bounds = chunk_bounds(len(items), self.count, chunk)
        futures: list[Future[list[Result]]] = [
            self._pool.submit(function, job, items[start:end]) for start, end in bounds
        ]
        results: list[Result] = []
        try:
            while self._meanwhile:
                self._meanwhile.pop(0)()
            for future in futures:
                results.extend(future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return results

    def close(self) -> None:
        self._meanwhile.clear()
        if self._ahead is not None:  # the build stopped before it needed the renders
            self._ahead.terminate()
            self._ahead.join()
            self._ahead = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a build: a build allocates hundreds of thousands of
    small objects beside the 100,000 of a big site's records, and each full collection would
    walk them all (80 ms at 10,000 posts) for garbage the build hardly makes. (Workers, which
    inherit the pause when forked, turn collection back on.)"""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
