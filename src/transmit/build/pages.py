"""Which pages must be made again, and making them: `site.assemble` says which pages exist and
what each shows (`build.assembly`); this module decides which of them to render, and renders those.

A template page is (path, template, context). Its *digest* covers the template set, the config,
the template globals and the context, each post standing for its render key and every other
record digested once however many pages show it (a tag's posts appear on every post page of
the tag); a page whose digest and file are as the previous build recorded is not rendered. That
is what makes one edited post at 10,000 posts cost one render and the pages that show it.

Pages are rendered in this process, which shares them, when there are many, with worker
processes forked after assembly: they inherit the pages, the environment and the entries as
they are (nothing is pickled), read the long texts of posts from the render cache, write their
share of the pages into the staging folder and send back only digests and sizes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transmit.build.assembly import Assembly, Page
from transmit.build.digest import Digester, MarkMemo
from transmit.build.store import digest
from transmit.build.workers import can_fork, chunk_bounds
from transmit.build.writer import OutputFile, Staging, write_file

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

    from transmit.build.cache import ReadLog
    from transmit.build.inputs import Sig
    from transmit.build.layout import Layout
    from transmit.build.manifest import OutputRecord
    from transmit.build.plan import Plan

MIN_FORKED_PAGES = 400  # below this, forking costs more than it saves


class MissingRender(Exception):
    """A rendered post a page needs is not in the render cache (deleted or damaged meanwhile)."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(list(keys))  # the only argument, so it survives the trip from a worker
        self.keys = list(keys)


def page_digest(site: bytes, template: str, context_bytes: bytes) -> bytes:
    """`site` has a fixed length and a template name no NUL: the parts cannot run together."""
    data = b"".join((site, template.encode(), b"\x00", context_bytes))
    return hashlib.sha256(data).digest()[:16]


# One page to render: (index in assembly.pages, digest of the bytes in place or None, file to
# write, whether its folder may need making).
PageTask = tuple[int, bytes | None, str, bool]
Reads = tuple[str, ...]  # the posts (sources) whose rendered records a page read, sorted
ReadMarks = dict[str, "bytes | None"]  # each post some page read -> its record's mark then
# (digest of the page's bytes, size and mtime of the file written or None, what it read)
PageResult = tuple[bytes, "Sig | None", Reads]


def render_tasks(assembly: Assembly, tasks: Sequence[PageTask], log: ReadLog) -> list[PageResult]:
    """Render each page and write it where the task says, unless its bytes are the ones
    already in place; note which posts' rendered records each page read."""
    results: list[PageResult] = []
    for index, before, target, make_parent in tasks:
        page = assembly.pages[index]
        assert not isinstance(page, OutputFile)
        log.current = []
        try:
            data = page.make(assembly.environment)
            reads = tuple(sorted(set(log.current)))
        finally:
            log.current = None
        content = digest(data)
        written = None if content == before else write_file(Path(target), data, make_parent)
        results.append((content, written, reads))
    return results


def render_every_page(assembly: Assembly) -> None:
    """Make every page once, writing nothing (`transmit check`)."""
    for page in assembly.pages:
        if not isinstance(page, OutputFile):
            page.make(assembly.environment)


# Pages a process takes at a time: small enough that the processes finish together, large
# enough that taking them (a shared counter behind a lock) costs nothing to speak of.
PAGE_CHUNK = 16
Chunks = list[tuple[int, list[PageResult]]]  # (chunk, the results of its tasks)


def _forked(
    assembly: Assembly,
    tasks: Sequence[PageTask],
    log: ReadLog,
    jobs: int,
    meanwhile: Callable[[], None],
) -> list[Any]:
    """`render_tasks` in this process and `jobs - 1` processes forked from it, chunk by chunk:
    a process takes the next chunk when it is free, so all finish together whatever the pages
    cost. This process does `meanwhile` first, then takes chunks too (one process fewer holds
    its own copy of each page of memory it touches: peak memory, all processes together, fell
    by a fifth at 1,000 and at 10,000 posts). The forked processes' results, or their error,
    come back through pipes."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    bounds = chunk_bounds(len(tasks), jobs, PAGE_CHUNK)
    taken = context.Value("i", 0)
    links = []
    for _ in range(jobs - 1):
        receiver, sender = context.Pipe(duplex=False)
        arguments = (assembly, tasks, log, bounds, taken, sender)
        process = context.Process(target=_render_share, args=arguments)
        process.start()
        sender.close()
        links.append((process, receiver))
    results: list[Any] = [None] * len(tasks)
    failure: BaseException | None = None
    received = False

    def place(chunks: Chunks) -> None:
        for chunk, chunk_results in chunks:
            start, end = bounds[chunk]
            results[start:end] = chunk_results

    try:
        meanwhile()
        place(_render_chunks(assembly, tasks, log, bounds, taken))
        for _process, receiver in links:
            outcome = receiver.recv()
            if isinstance(outcome, BaseException):
                failure = failure or outcome
                continue
            place(outcome)
        received = True
    finally:
        for process, receiver in links:
            receiver.close()
            if process.is_alive() and (failure is not None or not received):
                process.terminate()
            process.join()
    if failure is not None:
        raise failure
    return results


def _render_chunks(
    assembly: Assembly,
    tasks: Sequence[PageTask],
    log: ReadLog,
    bounds: list[tuple[int, int]],
    taken: Synchronized[int],  # how many chunks the processes have taken, shared by them
) -> Chunks:
    """Render the next chunk no process has taken, until none is left. The last pages of an
    assembly (listings, taxonomy pages, feeds: each shows many posts) cost the most: they are
    taken first, so that the work ends with cheap post pages and the processes end together."""
    done: Chunks = []
    while True:
        with taken.get_lock():
            count = taken.value
            taken.value += 1
        if count >= len(bounds):
            return done
        chunk = len(bounds) - 1 - count
        start, end = bounds[chunk]
        done.append((chunk, render_tasks(assembly, tasks[start:end], log)))


def _render_share(  # type: ignore[no-untyped-def]
    assembly: Assembly,
    tasks: Sequence[PageTask],
    log: ReadLog,
    bounds: list[tuple[int, int]],
    taken: Synchronized[int],
    sender,
) -> None:
    import gc

    gc.freeze()  # what the parent holds is never garbage here: collections skip it
    gc.enable()
    try:
        outcome: Any = _render_chunks(assembly, tasks, log, bounds, taken)
    except BaseException as error:  # sent to the parent, which raises it
        outcome = error
    try:
        sender.send(outcome)
    except Exception as error:  # an exception that does not pickle
        sender.send(RuntimeError(f"{type(error).__name__}: {error}"))
    sender.close()
    os._exit(0)


def plan_pages(
    plan: Plan,
    assembly: Assembly,
    digester: Digester,
    record_mark: Callable[[str], bytes | None],
    log: ReadLog,
    fingerprint: bytes,
    memo: MarkMemo,
    staging: Staging,
    jobs: int,
    layout: Layout | None = None,
    marks: dict[str, bytes] | None = None,
    only: Sequence[int] | None = None,
) -> tuple[dict[str, OutputRecord], dict[str, Reads], ReadMarks]:
    """Every page's record for the new manifest, what each template page read, and the marks
    of the records read; pages to write are written into `staging`. A page is not rendered
    when its digest and its file are as recorded and the rendered posts it read last time are
    unchanged; a rendered page whose bytes are the recorded ones is not written. With a
    `layout` as last build's (recorded in `marks`), page digests are taken from the last build
    instead of digesting every context. `only`: the indexes of the template pages that may
    have changed; every other output is as the last build recorded it (`build.edits` knows
    which pages an edit can reach)."""
    from transmit.build.cache import canonical

    globals_mark = memo.globals_mark(assembly.globals, digester)
    site = digest(fingerprint, canonical(plan.config), plan.inputs.template_digest, globals_mark)
    memo.restart(site)
    previous_manifest = plan.previous
    layout_mark = None if layout is None else digest(site, layout.posts)
    same_layout = (
        layout_mark is not None
        and previous_manifest is not None
        and previous_manifest.marks.get("layout") == layout_mark
    )
    if marks is not None and layout_mark is not None:
        marks["layout"] = layout_mark
    recorded = previous_manifest.outputs if previous_manifest is not None else {}
    recorded_reads = previous_manifest.page_reads if previous_manifest is not None else {}
    recorded_marks = previous_manifest.read_marks if previous_manifest is not None else {}
    reads_unchanged = _reads_check(recorded_marks, record_mark, every=only is None)

    def previous(path: str) -> OutputRecord | None:
        old = recorded.get(path)
        return old if old is not None and plan.intact(path) else None

    def mark_of(page: Page) -> bytes:
        if (mark := memo.get(page)) is None:
            data = digester.encode(page.inputs)
            if data is None:
                raise TypeError(f"the inputs of {page.path} must be plain data (records)")
            mark = page_digest(site, page.maker, data)
            memo.put(page, mark)
        return mark

    outputs: dict[str, OutputRecord] = {} if only is None else dict(recorded)
    page_reads: dict[str, Reads] = {} if only is None else dict(recorded_reads)
    tasks: list[PageTask] = []
    marks: list[bytes] = []
    # pages with no file recorded are rendered whatever their digest (every page of a first
    # build): their digests are made while the pages render
    unmarked: list[tuple[int, Page]] = []
    for index in range(len(assembly.pages)) if only is None else only:
        page = assembly.pages[index]
        if isinstance(page, OutputFile):
            content = page.content or digest(page.data)
            old = previous(page.path)
            if old is not None and old[1] == content:
                outputs[page.path] = old
            else:
                outputs[page.path] = (content, content, *staging.put(page.path, page.data))
            continue
        old = previous(page.path)
        if old is None:
            unmarked.append((len(marks), page))
            mark = b""
        elif same_layout and page.path not in layout.renewed:  # type: ignore[union-attr]
            mark = old[0]
        else:
            mark = mark_of(page)
        read = recorded_reads.get(page.path)
        if old is not None and old[0] == mark and read is not None and reads_unchanged(read):
            outputs[page.path] = old
            page_reads[page.path] = read
            continue
        target = str(staging.place(page.path))
        tasks.append((index, old and old[1], target, staging.whole))
        marks.append(mark)

    def mark_unmarked() -> None:
        for position, page in unmarked:
            marks[position] = mark_of(page)

    workers = jobs or os.cpu_count() or 1
    if workers > 1 and len(tasks) >= MIN_FORKED_PAGES and can_fork():
        for task in tasks:
            assembly.pages[task[0]].prepare()  # type: ignore[union-attr]
        results = _forked(assembly, tasks, log, workers, mark_unmarked)
    else:
        mark_unmarked()
        results = render_tasks(assembly, tasks, log)
    for task, mark, (content, written, reads) in zip(tasks, marks, results, strict=True):
        path = assembly.pages[task[0]].path
        page_reads[path] = reads
        if written is None:  # the same bytes as the file in place: not rewritten
            staging.forget(path)
            old = recorded[path]
            outputs[path] = (mark, content, old[2], old[3])
        else:
            outputs[path] = (mark, content, *written)
    if only is None:  # the posts some page reads now, each with its mark
        sources_read = set().union(*page_reads.values())
        read_marks = {source: record_mark(source) for source in sources_read}
    else:  # the pages not rendered read what they read, with the marks they had
        read_marks = dict(recorded_marks)
        for task in tasks:
            reads = page_reads[assembly.pages[task[0]].path]
            read_marks.update((source, record_mark(source)) for source in reads)
    return outputs, page_reads, read_marks


def _reads_check(
    recorded: ReadMarks, record_mark: Callable[[str], bytes | None], every: bool
) -> Callable[[Reads], bool]:
    """`unchanged(reads)`: whether every post a page read has the mark recorded for it. For
    `every` page, the posts whose mark changed are found once, and a page's check is a set
    operation: checking 70,000 reads one by one took 0.15 s at 10,000 posts."""
    if not every:
        return lambda reads: all(
            source in recorded and record_mark(source) == recorded[source] for source in reads
        )
    changed = {source for source, mark in recorded.items() if record_mark(source) != mark}
    known = recorded.keys()
    return lambda reads: changed.isdisjoint(reads) and known >= set(reads)
