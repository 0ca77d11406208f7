"""`transmit build --watch`: every save rebuilt into public/, equal to what a cold build makes."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.build.sites import count_full_builds
from tests.conftest import AS_FROM_A_TERMINAL
from tests.serve.conftest import FAST, post
from tests.serve.helpers import BUILD_DEADLINE, settle, tree, wait_until, write
from tests.serve.test_session import (
    EDITS,
    body_edit,
    cold_tree,
    new_post,
    renamed_post,
    text_edit,
)
from transmit.build import incremental
from transmit.build.pipeline import BuildOptions, build_site
from transmit.serve.rebuild import BuildReport
from transmit.serve.watched_build import WatchedBuild, WatchOptions

Edit = Callable[[Path], None]


@contextmanager
def watching(site: Path, search_after: float = 0.1) -> Iterator[tuple[WatchedBuild, list]]:
    """A started WatchedBuild of `site` into site/public, with the reports it made."""
    reports: list[BuildReport] = []
    options = WatchOptions(timing=FAST, search_after=search_after)
    watched = WatchedBuild(site, BuildOptions(jobs=1), options, reports.append)
    watched.start()
    try:
        yield watched, reports
    finally:
        watched.stop()


def edit_and_settle(watched: WatchedBuild, edit: Edit) -> None:
    cursor = watched.box.changes
    edit(watched.site_dir)
    settle(watched, cursor)  # type: ignore[arg-type]  # a box is all settle reads
    wait_until(lambda: not watched.search_pending)


def broken_date(site: Path) -> None:
    write(site / "content/posts/beta.md", post("Beta", "2026-13-02", "tags: [b]\n"))


@pytest.mark.parametrize("edit", EDITS, ids=[edit.__name__ for edit in EDITS])
def test_public_after_a_save_is_what_a_cold_build_makes(
    small_site: Path, tmp_path: Path, edit: Edit
) -> None:
    with watching(small_site) as (watched, reports):
        assert reports[0].ok
        edit_and_settle(watched, edit)
    assert all(report.ok for report in reports)
    assert tree(small_site / "public") == cold_tree(small_site, tmp_path)


def test_a_series_of_saves_stays_what_cold_builds_make(small_site: Path, tmp_path: Path) -> None:
    with watching(small_site) as (watched, _):
        for edit in (new_post, text_edit, renamed_post, body_edit):
            edit_and_settle(watched, edit)
            assert tree(small_site / "public") == cold_tree(small_site, tmp_path)


def test_a_site_built_before_takes_the_quick_path_from_the_first_save(
    small_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(small_site, BuildOptions(jobs=1))
    public = small_site / "public"
    before = {path: os.stat(public / path).st_mtime_ns for path in tree(public)}
    full_builds = count_full_builds(monkeypatch)
    with watching(small_site, search_after=1.0) as (watched, reports):
        assert reports[0].ok and full_builds == []  # nothing changed: a stat pass
        wait_until(lambda: len(full_builds) == 1)  # the site loaded for later saves
        cursor = watched.box.changes
        text_edit(small_site)
        assert watched.box.wait_after(cursor, BUILD_DEADLINE) is not None
        assert reports[-1].ok and len(full_builds) == 1  # the save took the quick path
        wait_until(lambda: not watched.search_pending)
        # the index was made from the runs saved once the site was loaded, and renewed in place
        assert len(full_builds) == 1 and reports[-1].changed == ()
    after = {path: os.stat(public / path).st_mtime_ns for path in tree(public)}
    rewritten = {path for path in after if after[path] != before.get(path)}
    assert "posts/alpha/index.html" in rewritten
    assert "posts/beta/index.html" not in rewritten and "about/index.html" not in rewritten
    assert tree(public) == cold_tree(small_site, tmp_path)


def test_the_first_build_runs_alone_and_a_save_made_during_it_is_built_after(
    small_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    finish = incremental.IncrementalBuilder._finish

    def saving_during_the_build(self, *args):  # type: ignore[no-untyped-def]
        if not threads:  # the posts are read: this save comes too late for the first build
            threads.append(threading.active_count())
            text_edit(small_site)
        return finish(self, *args)

    monkeypatch.setattr(incremental.IncrementalBuilder, "_finish", saving_during_the_build)
    page = small_site / "public/posts/alpha/index.html"
    alone = threading.active_count()  # (the test run's own threads)
    with watching(small_site) as (watched, reports):
        assert threads == [alone]  # no watcher yet: the build's workers can be forked
        assert "New!" in page.read_text(encoding="utf-8")  # the stat pass after it built it
        assert len(reports) == 2 and reports[1].changed is None and reports[1].ok
        wait_until(lambda: not watched.search_pending)


def test_a_problem_is_reported_and_public_keeps_the_last_good_build(small_site: Path) -> None:
    with watching(small_site) as (watched, reports):
        good = tree(small_site / "public")
        cursor = watched.box.changes
        broken_date(small_site)
        settle(watched, cursor)  # type: ignore[arg-type]
        assert not reports[-1].ok
        assert [p.path for p in reports[-1].problems] == ["content/posts/beta.md"]
        assert tree(small_site / "public") == good
        edit_and_settle(
            watched, lambda site: write(site / "content/posts/beta.md", post("Beta", "2026-01-02"))
        )
        assert reports[-1].ok
    assert "Beta" in (small_site / "public/posts/beta/index.html").read_text(encoding="utf-8")


def test_the_search_index_waits_for_the_saves_to_stop(small_site: Path, tmp_path: Path) -> None:
    with watching(small_site, search_after=1.0) as (watched, reports):
        index = {p: b for p, b in tree(small_site / "public").items() if "search-index/" in p}
        cursor = watched.box.changes
        body_edit(small_site)
        assert watched.box.wait_after(cursor, BUILD_DEADLINE) is not None
        assert watched.search_pending  # the page is rewritten; the index is not yet
        now = tree(small_site / "public")
        assert {p: b for p, b in now.items() if "search-index/" in p} == index
        assert "New!" in now["posts/alpha/index.html"].decode()
        wait_until(lambda: not watched.search_pending)
    assert [report.changed for report in reports][-1] == ()
    assert tree(small_site / "public") == cold_tree(small_site, tmp_path)


class WatchProcess:
    """`python -m transmit build SITE --watch`, Ctrl-C working as in a terminal, its lines
    read in the background so that a wait for one has a deadline."""

    def __init__(self, site: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", AS_FROM_A_TERMINAL, "build", str(site), "--watch"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def read_until(self, pattern: str) -> str:
        deadline = time.monotonic() + BUILD_DEADLINE
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if re.search(pattern, line):
                return line
        pytest.fail(f"never printed {pattern!r}")

    def stop(self, stop_signal: signal.Signals) -> str:
        """Send the signal; returns what it printed on stderr."""
        self.process.send_signal(stop_signal)
        self.process.wait(timeout=BUILD_DEADLINE)
        self._reader.join(BUILD_DEADLINE)  # every line it printed is queued
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def output(self) -> str:
        lines = []
        while not self.lines.empty():
            lines.append(self.lines.get())
        return "".join(lines)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_the_command_rebuilds_a_save_and_stops_cleanly(
    small_site: Path, stop_signal: signal.Signals
) -> None:
    watch = WatchProcess(small_site)
    try:
        watch.read_until(r"^built 4 posts and 1 page into .*public")
        watch.read_until(r"^watching .* for changes \(Ctrl-C to stop\)")
        body_edit(small_site)
        assert "content/posts/alpha.md" in watch.read_until(r"^rebuilt in \d+ ms")
        err = watch.stop(stop_signal)
    finally:
        if watch.process.poll() is None:
            watch.process.kill()
            watch.process.wait()
    assert watch.process.returncode == 0, err
    assert "stopping" in watch.output() and "Traceback" not in err
    assert "New!" in (small_site / "public/posts/alpha/index.html").read_text(encoding="utf-8")


def test_watching_a_folder_that_is_not_a_site_is_an_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "transmit", "build", str(tmp_path), "--watch"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no site.toml here" in result.stderr
    assert "watching" not in result.stdout and "Traceback" not in result.stderr
