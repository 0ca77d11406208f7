"""From changed paths to builds and states, with builders that succeed, fail or break."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

import pytest

from tests.serve.helpers import wait_until
from transmit.build.pipeline import BuildFailed, BuildSummary
from transmit.errors import SourceError
from transmit.serve.rebuild import BuildReport, Rebuilder, builder_changes, styles_only
from transmit.serve.state import SiteState, StateBox

SITE = Path("/site")


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ([SITE / "content/posts/a.md"], (SITE / "content/posts/a.md",)),
        (
            [SITE / "static/b.css", SITE / "content/posts/a.md"],
            (SITE / "content/posts/a.md", SITE / "static/b.css"),
        ),
        ([SITE / "site.toml"], None),
        ([SITE / "content/posts/a.md", SITE / "site.toml"], None),
        ([SITE / "templates"], None),
        ([SITE / "content"], None),
        ([SITE / "templates/post.html"], (SITE / "templates/post.html",)),
    ],
)
def test_builder_changes(paths: list[Path], expected: tuple[Path, ...] | None) -> None:
    assert builder_changes(SITE, paths) == expected


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ([SITE / "static/a.css"], True),
        ([SITE / "static/a.CSS", SITE / "content/posts/x/y.css"], True),
        ([SITE / "static/a.css", SITE / "content/posts/a.md"], False),
        ([SITE / "templates/base.html"], False),
        ([], False),
        (None, False),
    ],
)
def test_styles_only(paths: list[Path] | None, expected: bool) -> None:
    assert styles_only(paths) is expected


def summary(out: Path) -> BuildSummary:
    return BuildSummary(out, 1, 0, 1, 0.01, (), (), ())


class ScriptedBuilder:
    """Answers each build with the next scripted outcome, and records what it was asked."""

    def __init__(self, outcomes: list[BuildSummary | Exception]) -> None:
        self.outcomes = outcomes
        self.calls: list[Collection[Path] | None] = []

    def build(self, changed: Collection[Path] | None = None) -> BuildSummary:
        self.calls.append(changed)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def warm_up(self) -> None:
        pass


def rebuilder(  # type: ignore[no-untyped-def]
    site: Path, outcomes: list[BuildSummary | Exception], search_after: float | None = None
):
    (site / "site.toml").write_text('title = "T"\nbase_url = "/notes/"\n', encoding="utf-8")
    box = StateBox(SiteState())
    reports: list[BuildReport] = []
    builder = ScriptedBuilder(outcomes)
    runner = Rebuilder(site, builder, box, reports.append, search_after=search_after)
    return runner, box, reports, builder


def built_after_submitting(runner: Rebuilder, box: StateBox, path: Path) -> None:
    """Submit one changed path and wait for the build it causes."""
    cursor = box.changes
    runner.submit({path})
    assert box.wait_after(cursor, 10) is not None


def test_a_failed_build_keeps_the_last_good_site_and_records_the_problems(tmp_path: Path) -> None:
    out = tmp_path / "out"
    broken = BuildFailed([SourceError("content/posts/a.md", 2, "date: not a date")])
    runner, box, reports, builder = rebuilder(tmp_path, [summary(out), broken, summary(out)])
    runner.build(None)
    assert box.state.root == out and box.state.base_path == "/notes/"
    assert (box.state.version, box.state.page_version) == (1, 1)
    runner.build({tmp_path / "content/posts/a.md"})
    assert box.state.root == out and box.state.version == 1
    assert [p.text for p in box.state.problems] == ["content/posts/a.md:2: date: not a date"]
    assert not reports[1].ok
    runner.build({tmp_path / "content/posts/a.md"})
    assert box.state.problems == () and box.state.version == 2
    edited = (tmp_path / "content/posts/a.md",)
    assert builder.calls == [None, edited, edited]


def test_a_stylesheet_change_keeps_the_page_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner, box, reports, _ = rebuilder(tmp_path, [summary(out)] * 3)
    runner.build(None)
    runner.build({tmp_path / "static/a.css"})
    assert (box.state.version, box.state.page_version) == (2, 1)
    assert reports[-1].styles_only
    runner.build({tmp_path / "static/a.css", tmp_path / "content/posts/a.md"})
    assert (box.state.version, box.state.page_version) == (3, 3)


def test_a_broken_builder_becomes_a_problem_not_a_dead_thread(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner, box, reports, _ = rebuilder(tmp_path, [summary(out), KeyError("oops"), summary(out)])
    runner.build(None)
    runner.start()
    try:
        built_after_submitting(runner, box, tmp_path / "content/posts/a.md")
        assert box.state.problems[0].message == "internal error: KeyError: 'oops'"
        assert reports[-1].trace and "KeyError" in reports[-1].trace
        built_after_submitting(runner, box, tmp_path / "content/posts/a.md")
        assert box.state.problems == () and box.state.version == 2
    finally:
        runner.stop()


def test_changes_arriving_during_a_build_are_built_together(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner, box, _, builder = rebuilder(tmp_path, [summary(out)] * 2)
    paths = [tmp_path / "content/posts" / f"{name}.md" for name in "abc"]
    for path in paths:  # queued before the thread starts: one build for all three
        runner.submit({path})
    cursor = box.changes
    runner.start()
    try:
        assert box.wait_after(cursor, 10) is not None
    finally:
        runner.stop()
    assert builder.calls == [tuple(sorted(paths))]


def test_a_search_index_left_behind_by_an_edit_is_made_when_asked_for(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pending = replace(summary(out), search_pending=True)
    runner, box, reports, builder = rebuilder(tmp_path, [summary(out), pending, summary(out)])
    runner.build(None)
    runner.refresh_search()  # nothing pending: no build
    edited = tmp_path / "content/posts/a.md"
    runner.start()
    try:
        built_after_submitting(runner, box, edited)
        assert box.state.search_pending
        time.sleep(0.2)
        assert builder.calls == [None, (edited,)]  # edits never wait for the index
        runner.refresh_search()
        assert not box.state.search_pending
    finally:
        runner.stop()
    assert builder.calls == [None, (edited,), ()]
    assert [report.changed for report in reports] == [None, (edited,), ()]
    # the edit reloads pages; the index catching up reloads nothing
    assert (box.state.version, box.state.page_version) == (3, 2)


def test_a_failed_catch_up_build_does_not_keep_the_request_waiting(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pending = replace(summary(out), search_pending=True)
    broken = BuildFailed([SourceError("content/posts/a.md", 2, "date: not a date")])
    runner, box, _, builder = rebuilder(tmp_path, [pending, broken])
    runner.build(None)
    runner.start()
    try:
        started = time.monotonic()
        runner.refresh_search(timeout=30)
        assert time.monotonic() - started < 10
        assert box.state.search_pending and box.state.problems
    finally:
        runner.stop()
    assert builder.calls == [None, ()]


def test_a_search_index_left_behind_is_made_once_changes_stop_for_a_while(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pending = replace(summary(out), search_pending=True)
    outcomes: list[BuildSummary | Exception] = [summary(out), pending, pending, summary(out)]
    runner, box, reports, builder = rebuilder(tmp_path, outcomes, search_after=0.5)
    runner.build(None)
    edited = tmp_path / "content/posts/a.md"
    runner.start()
    try:
        for _ in range(2):  # saves closer together than the quiet time: the index waits
            built_after_submitting(runner, box, edited)
            assert box.state.search_pending
            time.sleep(0.2)
        assert builder.calls == [None, (edited,), (edited,)]
        cursor = box.changes
        assert box.wait_after(cursor, 10) is not None  # quiet: the index is made
        assert not box.state.search_pending
        time.sleep(0.7)  # and only once
    finally:
        runner.stop()
    assert builder.calls == [None, (edited,), (edited,), ()]
    assert [report.changed for report in reports] == [None, (edited,), (edited,), ()]


def test_a_failed_build_is_not_followed_by_catch_up_builds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pending = replace(summary(out), search_pending=True)
    broken = BuildFailed([SourceError("content/posts/a.md", 2, "date: not a date")])
    outcomes: list[BuildSummary | Exception] = [pending, broken, summary(out)]
    runner, box, _, builder = rebuilder(tmp_path, outcomes, search_after=0.1)
    runner.build(None)
    edited = tmp_path / "content/posts/a.md"
    cursor = box.changes
    runner.submit({edited})  # before the thread starts: built before any quiet time passes
    runner.start()
    try:
        assert box.wait_after(cursor, 10) is not None
        assert box.state.problems and box.state.search_pending
        time.sleep(0.5)  # the index waits for the fix, not for the clock
        assert builder.calls == [None, (edited,)]
        built_after_submitting(runner, box, edited)
    finally:
        runner.stop()
    assert builder.calls == [None, (edited,), (edited,)]
    assert not box.state.problems and not box.state.search_pending


def test_an_index_that_takes_long_waits_for_a_longer_quiet_time(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = replace(summary(out), search_seconds=0.1)  # ten times that: a second of quiet
    pending = replace(summary(out), search_pending=True)
    runner, box, _, builder = rebuilder(tmp_path, [first, pending, first], search_after=0.05)
    runner.build(None)
    edited = tmp_path / "content/posts/a.md"
    runner.start()
    try:
        built_after_submitting(runner, box, edited)
        edit_done = time.monotonic()
        cursor = box.changes
        assert box.wait_after(cursor, 10) is not None  # the index, made once quiet
        assert time.monotonic() - edit_done >= 0.9
    finally:
        runner.stop()
    assert builder.calls == [None, (edited,), ()]


def test_an_index_renewed_in_place_follows_the_edit_at_once_unasked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    behind = replace(summary(out), search_pending=True, search_renewable=True)
    renewed = replace(summary(out), search_seconds=0.06)
    runner, box, reports, builder = rebuilder(tmp_path, [summary(out), behind, renewed])
    runner.build(None)  # no `search_after`: a whole index would wait for a request
    edited = tmp_path / "content/posts/a.md"
    runner.start()
    try:
        built_after_submitting(runner, box, edited)
        wait_until(lambda: not box.state.search_pending)
    finally:
        runner.stop()
    assert builder.calls == [None, (edited,), ()]
    assert [report.changed for report in reports] == [None, (edited,), ()]
    assert (box.state.version, box.state.page_version) == (3, 2)  # the renewal reloads nothing


def test_a_renewal_s_time_does_not_shorten_the_wait_for_a_whole_index(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = replace(summary(out), search_seconds=0.1)  # ten times that: a second of quiet
    behind = replace(summary(out), search_pending=True, search_renewable=True)
    renewed = replace(summary(out), search_seconds=0.001)
    pending = replace(summary(out), search_pending=True)
    outcomes: list[BuildSummary | Exception] = [first, behind, renewed, pending, first]
    runner, box, _, builder = rebuilder(tmp_path, outcomes, search_after=0.05)
    runner.build(None)
    edited = tmp_path / "content/posts/a.md"
    runner.start()
    try:
        built_after_submitting(runner, box, edited)
        wait_until(lambda: not box.state.search_pending)  # renewed at once
        built_after_submitting(runner, box, edited)  # then an edit that leaves a whole index
        edit_done = time.monotonic()
        cursor = box.changes
        assert box.wait_after(cursor, 10) is not None
        assert time.monotonic() - edit_done >= 0.9
    finally:
        runner.stop()
    assert builder.calls == [None, (edited,), (), (edited,), ()]


def test_the_stat_pass_after_the_first_build_speaks_only_when_it_built(tmp_path: Path) -> None:
    out = tmp_path / "out"
    unchanged = replace(summary(out), unchanged=True)
    runner, box, reports, builder = rebuilder(tmp_path, [summary(out), unchanged])
    runner.build(None)
    runner.build(None, catch_up=True)  # nothing was saved during the first build
    assert (box.changes, len(reports)) == (1, 1)
    runner, box, reports, builder = rebuilder(tmp_path, [summary(out), summary(out)])
    runner.build(None)
    runner.build(None, catch_up=True)  # something was: built, published, reported
    assert (box.changes, len(reports)) == (2, 2)
    assert builder.calls == [None, None]
