"""What the watcher reports: inputs only, even when saved by rename or in folders made later."""

from __future__ import annotations

import os
import queue
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serve.conftest import FAST
from tests.serve.helpers import BUILD_DEADLINE, write
from transmit.serve.watch import SiteWatcher

QUIET = 0.3  # seconds with no report: nothing more is coming


class Reports:
    """The watcher's reports, gathered from its threads."""

    def __init__(self) -> None:
        self.batches: queue.SimpleQueue[set[Path]] = queue.SimpleQueue()

    def __call__(self, paths: set[Path]) -> None:
        self.batches.put(paths)

    def until(self, wanted: Path) -> set[Path]:
        """Every path reported until `wanted` is among them."""
        seen: set[Path] = set()
        while wanted not in seen:
            seen |= self.batches.get(timeout=BUILD_DEADLINE)
        return seen

    def rest(self) -> set[Path]:
        seen: set[Path] = set()
        try:
            while True:
                seen |= self.batches.get(timeout=QUIET)
        except queue.Empty:
            return seen


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = (tmp_path / "site").resolve()
    write(root / "site.toml", 'title = "T"\n')
    write(root / "content/posts/a.md", "a")
    write(root / "static/a.css", "a")
    (root / "public").mkdir()
    return root


@pytest.fixture
def reports(site: Path) -> Iterator[Reports]:
    reports = Reports()
    watcher = SiteWatcher(site, reports, FAST)
    watcher.start()
    yield reports
    watcher.stop()


def test_edits_to_inputs_are_reported(site: Path, reports: Reports) -> None:
    write(site / "content/posts/a.md", "changed")
    assert site / "content/posts/a.md" in reports.until(site / "content/posts/a.md")
    write(site / "static/a.css", "changed")
    reports.until(site / "static/a.css")


def test_site_toml_saved_by_rename_is_seen_every_time(site: Path, reports: Reports) -> None:
    for number in range(3):
        write(site / "site.toml.tmp", f'title = "T{number}"\n')
        os.replace(site / "site.toml.tmp", site / "site.toml")
        reports.until(site / "site.toml")
        reports.rest()


def test_a_templates_folder_made_while_serving_is_watched(site: Path, reports: Reports) -> None:
    write(site / "templates/post.html", "one")
    reports.until(site / "templates")
    reports.rest()
    write(site / "templates/post.html", "two")
    reports.until(site / "templates/post.html")


def test_content_removed_and_restored_is_watched_again(site: Path, reports: Reports) -> None:
    shutil.rmtree(site / "content")
    reports.until(site / "content")
    reports.rest()
    write(site / "content/posts/b.md", "b")
    reports.until(site / "content")
    reports.rest()
    write(site / "content/posts/b.md", "b again")
    reports.until(site / "content/posts/b.md")


def test_outputs_and_editor_litter_are_not_reported(site: Path, reports: Reports) -> None:
    write(site / "public/index.html", "x")
    write(site / ".transmit-cache/m", "x")
    write(site / "notes.txt", "x")
    write(site / "content/posts/.a.md.swp", "x")
    write(site / "content/posts/a.md~", "x")
    write(site / "content/posts/4913", "x")
    write(site / "content/.git/HEAD", "x")
    assert reports.rest() == set()
