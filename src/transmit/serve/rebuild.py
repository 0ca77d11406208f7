"""Turning bursts of changed files into builds, one at a time, and the result into a new SiteState.

The dev server and `build --watch` each run one Rebuilder, fed by a watcher it owns. Changes that
arrive during a build are gathered and built together next. A failed build leaves the
served site as it was and records the problems; nothing raised by a build stops the thread.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from transmit.build.pipeline import BuildSummary
from transmit.config import CONFIG_NAME, load_config
from transmit.errors import TransmitError
from transmit.serve.state import Problem, StateBox, problems_of
from transmit.serve.watch import INPUT_DIRS, SiteWatcher, WatchTiming

STYLE_SUFFIXES = (".css",)


class SiteBuilder(Protocol):
    """What serve needs of build/incremental.py's IncrementalBuilder (tests give a fake)."""

    def build(self, changed: Collection[Path] | None = None) -> BuildSummary:
        """`changed`: the files changed since the last call (None: any may have; empty:
        none, bring what was deferred, the search index, up to date)."""
        ...

    def warm_up(self) -> None:
        """Load what the first rebuild would (called before waiting for changes)."""
        ...


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What one build did, for the terminal: `changed` is None for a build of everything."""

    changed: tuple[Path, ...] | None
    summary: BuildSummary | None
    problems: tuple[Problem, ...]
    seconds: float
    styles_only: bool
    trace: str | None = None  # a traceback, when the builder itself failed

    @property
    def ok(self) -> bool:
        return self.summary is not None


def builder_changes(site_dir: Path, paths: Collection[Path]) -> tuple[Path, ...] | None:
    """The paths to give the builder, or None (build everything) when the configuration or a
    whole input folder changed."""
    whole = {site_dir / CONFIG_NAME, *(site_dir / name for name in INPUT_DIRS)}
    if any(path in whole for path in paths):
        return None
    return tuple(sorted(paths))


def styles_only(paths: Collection[Path] | None) -> bool:
    """A change to stylesheets alone: pages can swap their CSS instead of reloading."""
    return bool(paths) and all(path.suffix.lower() in STYLE_SUFFIXES for path in paths or ())


_STOP = object()
SEARCH_WAIT = 300.0  # seconds a request for the search index waits for it to be made again
QUIET_PER_INDEX_SECOND = 10.0  # seconds without changes per second the index takes to make


class Rebuilder:
    """Owns the builder: the first build runs in the caller's thread, later ones in its own."""

    def __init__(
        self,
        site_dir: Path,
        builder: SiteBuilder,
        box: StateBox,
        on_report: Callable[[BuildReport], None],
        *,
        search_after: float | None = None,
    ) -> None:
        """`search_after`: seconds without changes after which a search index that edits left
        behind is made (None: only when asked, `refresh_search`). A save that comes while the
        index is being made waits for it, so an index that takes long waits longer: for
        `QUIET_PER_INDEX_SECOND` times what it took last. An index the builder renews in place
        (`BuildSummary.search_renewable`) is renewed as soon as no change is queued."""
        self._site_dir = site_dir
        self._builder = builder
        self._box = box
        self._on_report = on_report
        self._search_after = search_after
        self._index_seconds = 0.0  # what the last search index took to make
        self._renewable = False  # the index left behind is renewed in place, quickly
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="transmit-rebuild", daemon=True)
        self._watcher: SiteWatcher | None = None

    def submit(self, paths: set[Path]) -> None:
        """Called from the watcher: queue a burst of changed paths."""
        self._queue.put(paths)

    def start(self) -> None:
        self._thread.start()

    def watch(self, timing: WatchTiming) -> None:
        """After the first build (`build(None)`, made while no other thread runs, so that its
        workers can be forked), watch the site and rebuild on every change in this rebuilder's
        thread. Once the watch is in place, a stat pass builds what was saved while the first
        build ran (and says nothing when nothing was)."""
        self._watcher = SiteWatcher(self._site_dir, self.submit, timing)
        self._watcher.start()
        self.build(None, catch_up=True)
        self.start()

    def stop_watching(self) -> None:
        """No more changes come in (builds queued or running go on); safe to call twice."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    def refresh_search(self, timeout: float = SEARCH_WAIT) -> None:
        """Bring a search index that edits left behind up to date, and wait for it (a browser
        asked for it). Edits are never kept waiting for a whole index otherwise: at 10,000
        posts it takes seconds (one renewed in place after edits to posts' text follows
        their pages at once). Returns early when a build fails: the index waits for the fix."""
        deadline = time.monotonic() + timeout
        while self._box.state.search_pending:
            cursor = self._box.changes
            self._queue.put(set())  # again if an edit came first and deferred it again
            left = deadline - time.monotonic()
            state = self._box.wait_after(cursor, left) if left > 0 else None
            if state is None or state.problems:
                return

    def stop(self) -> None:
        """Stop watching, let the current build finish, drop queued changes, end the thread."""
        self.stop_watching()
        self._queue.put(_STOP)
        if self._thread.is_alive():
            self._thread.join()

    def build(self, paths: Collection[Path] | None, *, catch_up: bool = False) -> BuildReport:
        """Build now for these changed paths (None: everything) and publish the new state.
        `catch_up`: a stat pass, published only when it built something or failed anew."""
        changed = None if paths is None else builder_changes(self._site_dir, paths)
        started = time.perf_counter()
        state = self._box.state
        summary, problems, trace = None, (), None
        try:
            summary = self._builder.build(changed)
        except TransmitError as error:
            problems = problems_of(error)
        except Exception as error:  # a bug in the builder must not take the server down
            trace = traceback.format_exc()
            problems = (Problem("", None, f"internal error: {type(error).__name__}: {error}"),)
        only_styles = changed is not None and styles_only(changed)
        report = BuildReport(
            changed=changed,
            summary=summary,
            problems=problems,
            seconds=time.perf_counter() - started,
            styles_only=only_styles,
            trace=trace,
        )
        if catch_up and (summary.unchanged if summary else problems == state.problems):
            return report
        if summary is not None:
            if not (changed == () and self._renewable):  # (a renewal's time is not a whole index's)
                self._index_seconds = summary.search_seconds or self._index_seconds
            self._renewable = summary.search_renewable
            base_path = state.base_path
            if changed is None or state.root is None:
                base_path = self._base_path(base_path)
            pages_changed = not only_styles and changed != ()  # (): the search index caught up
            state = state.succeeded(
                summary.out_dir,
                base_path,
                pages_changed=pages_changed,
                search_pending=summary.search_pending,
            )
        else:
            state = state.failed(problems)
        self._box.set(state)
        self._on_report(report)
        return report

    def _base_path(self, fallback: str) -> str:
        """Where site.toml puts the site, so built links work as they are."""
        try:
            return load_config(self._site_dir).base_path
        except TransmitError:  # changed again since the build read it; the next build tells
            return fallback

    def _run(self) -> None:
        self._builder.warm_up()  # before the first change: it would wait for this anyway
        while True:
            state = self._box.state  # a failed build: the index waits for the fix
            waiting = None
            if state.search_pending and not state.problems:
                if self._renewable:  # tens of ms, after the pages were served: at once
                    waiting = 0.0
                elif self._search_after is not None:
                    waiting = max(self._search_after, QUIET_PER_INDEX_SECOND * self._index_seconds)
            try:
                item = self._queue.get(timeout=waiting)
            except queue.Empty:  # edits have stopped: catch the search index up
                item = set()
            if item is _STOP:
                return
            paths: set[Path] = set(item)  # type: ignore[call-overload]
            while True:  # gather what else arrived, build once
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    return
                paths |= more  # type: ignore[operator]
            self.build(paths)
