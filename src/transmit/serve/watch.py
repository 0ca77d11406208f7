"""Watching a site's inputs with watchfiles: content/, static/, templates/ and site.toml.

Two watchers run side by side: one recursive over the input folders that exist, one flat over the
site folder itself, which sees site.toml (editors save it by renaming a new file over it, which a
watch on the file itself would lose) and input folders appearing or disappearing (then the
recursive one restarts). The site folder is never watched recursively: its public/, .git/ or
node_modules/ are not inputs and can hold many thousands of folders.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from transmit.config import CONFIG_NAME

INPUT_DIRS = ("content", "static", "templates")

ChangeSink = Callable[[set[Path]], None]


@dataclass(frozen=True, slots=True)
class WatchTiming:
    """watchfiles' knobs, in milliseconds: `step` is the quiet time that ends a burst of events,
    `debounce` the longest a burst is held, `rust_timeout` how often an idle watcher wakes up."""

    step: int = 10
    debounce: int = 400
    rust_timeout: int = 200


class _TopLevelFilter(watchfiles.DefaultFilter):
    """Among the site folder's own entries, only site.toml and the input folders matter."""

    def __init__(self, site_dir: Path) -> None:
        super().__init__()
        self._wanted = frozenset(str(site_dir / name) for name in (CONFIG_NAME, *INPUT_DIRS))

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return path in self._wanted


class _InputFilter(watchfiles.DefaultFilter):
    """watchfiles' defaults (.git, editor swap and backup files) plus vim's write test file."""

    ignore_entity_patterns = (*watchfiles.DefaultFilter.ignore_entity_patterns, r"^4913$")


@dataclass(frozen=True, slots=True)
class _Watch:
    """One running watcher thread and the event that stops it."""

    thread: threading.Thread
    stop: threading.Event


class SiteWatcher:
    """Calls `sink`, from a watcher thread, with the absolute paths of each burst of changes."""

    def __init__(self, site_dir: Path, sink: ChangeSink, timing: WatchTiming) -> None:
        self._site_dir = site_dir
        self._sink = sink
        self._timing = timing
        self._top: _Watch | None = None
        self._inputs: _Watch | None = None

    def start(self) -> None:
        """Start watching; returns once both watchers listen (earlier events would be lost)."""
        self._inputs = self._start_inputs()
        ready = threading.Event()
        stop = threading.Event()
        thread = threading.Thread(
            target=self._run,
            args=([self._site_dir], False, _TopLevelFilter(self._site_dir), stop, ready),
            kwargs={"on_batch": self._top_level_changed},
            name="transmit-watch-site",
            daemon=True,
        )
        self._top = _Watch(thread, stop)
        thread.start()
        ready.wait()

    def stop(self) -> None:
        """Stop both watchers and wait for their threads to end."""
        for watch in (self._top, self._inputs):  # the top one first: it may restart the other
            if watch is not None:
                watch.stop.set()
                watch.thread.join()
        if self._inputs is not None:  # restarted while the top one was stopping
            self._inputs.stop.set()
            self._inputs.thread.join()

    def _start_inputs(self) -> _Watch | None:
        roots = [self._site_dir / name for name in INPUT_DIRS if (self._site_dir / name).is_dir()]
        if not roots:
            return None
        ready, stop = threading.Event(), threading.Event()
        thread = threading.Thread(
            target=self._run,
            args=(roots, True, _InputFilter(), stop, ready),
            kwargs={"on_batch": self._sink},
            name="transmit-watch-inputs",
            daemon=True,
        )
        thread.start()
        ready.wait()
        return _Watch(thread, stop)

    def _top_level_changed(self, paths: set[Path]) -> None:
        if any(path.name in INPUT_DIRS for path in paths):
            # watch the new set of folders before reporting, so the rebuild the report causes
            # reads everything written before the new watch was in place
            if self._inputs is not None:
                self._inputs.stop.set()
                self._inputs.thread.join()
            stopping = self._top is None or self._top.stop.is_set()
            self._inputs = None if stopping else self._start_inputs()
        self._sink(paths)

    def _run(
        self,
        roots: Iterable[Path],
        recursive: bool,
        watch_filter: watchfiles.BaseFilter,
        stop: threading.Event,
        ready: threading.Event,
        *,
        on_batch: ChangeSink,
    ) -> None:
        try:
            for batch in watchfiles.watch(
                *roots,
                watch_filter=watch_filter,
                debounce=self._timing.debounce,
                step=self._timing.step,
                rust_timeout=self._timing.rust_timeout,
                yield_on_timeout=True,  # the first, empty, batch says the watch is in place
                stop_event=stop,
                recursive=recursive,
                raise_interrupt=False,
            ):
                ready.set()
                if stop.is_set():
                    return
                if batch:
                    on_batch({Path(path) for _, path in batch})
        except OSError:
            # a root vanished as the watch began (`rm -r content`); the flat watcher sees the
            # folder come back and starts a new recursive one
            pass
        finally:
            ready.set()  # never leave start() waiting
