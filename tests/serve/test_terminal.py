"""What `transmit serve` and `transmit build --watch` print: summaries, one line per rebuild,
problems as path:line: message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from transmit.build.pipeline import BuildSummary
from transmit.commands.output import Reporter
from transmit.commands.reports import TerminalReports, changed_names
from transmit.commands.serve import SERVED_STILL
from transmit.errors import BuildWarning
from transmit.serve.rebuild import BuildReport
from transmit.serve.state import Problem

SITE = Path("/site")


def summary(*warnings: BuildWarning) -> BuildSummary:
    return BuildSummary(Path("/tmp/x/site"), 3, 1, 9, 0.25, (), (), tuple(warnings))


def report(
    changed: tuple[Path, ...] | None,
    result: BuildSummary | None = None,
    problems: tuple[Problem, ...] = (),
    styles: bool = False,
) -> BuildReport:
    return BuildReport(changed, result, problems, 0.042, styles)


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (None, "everything"),
        ((SITE / "content/posts/a.md",), "content/posts/a.md"),
        (
            tuple(SITE / f"content/posts/{n}.md" for n in "abcde"),
            "content/posts/a.md, content/posts/b.md, content/posts/c.md and 2 more",
        ),
    ],
)
def test_changed_names(changed: tuple[Path, ...] | None, expected: str) -> None:
    assert changed_names(report(changed), SITE) == expected


def test_the_first_build_a_rebuild_a_style_swap_and_a_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reports = TerminalReports(SITE, Reporter(), kept=SERVED_STILL, served=True)
    reports(report(None, summary()))
    reports(report((SITE / "content/posts/a.md",), summary()))
    reports(report((SITE / "static/a.css",), summary(), styles=True))
    reports(report((), summary()))
    problem = Problem("content/posts/a.md", 3, "date: '2026-13-01' is not a date")
    reports(report((SITE / "content/posts/a.md",), None, (problem,)))
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "built 3 posts and 1 page (9 files) in 0.25 s",
        "rebuilt in 42 ms: content/posts/a.md",
        "styles swapped in 42 ms: static/a.css",
        "search index updated in 42 ms",
    ]
    assert err.splitlines() == [
        "content/posts/a.md:3: date: '2026-13-01' is not a date",
        "the last good build is still served; fix the file and save",
    ]


def test_a_watching_build_names_its_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    kept = "/site/public keeps the last good build; fix the file and save"
    reports = TerminalReports(SITE, Reporter(), kept=kept, served=False)
    reports(report(None, summary()))
    reports(report((SITE / "static/a.css",), summary(), styles=True))  # no page to swap it in
    problem = Problem("content/posts/a.md", 3, "date: '2026-13-01' is not a date")
    reports(report((SITE / "content/posts/a.md",), None, (problem,)))
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "built 3 posts and 1 page into /tmp/x/site (9 files) in 0.25 s",
        "rebuilt in 42 ms: static/a.css",
    ]
    assert err.splitlines()[-1] == kept


def test_warnings_are_printed_once_not_on_every_rebuild(capsys: pytest.CaptureFixture[str]) -> None:
    reports = TerminalReports(SITE, Reporter(quiet=True), kept=SERVED_STILL, served=True)
    old = BuildWarning("content/posts/a.md", 4, "cannot render formula")
    new = BuildWarning("content/posts/b.md", 1, "image missing")
    reports(report(None, summary(old)))
    reports(report((SITE / "content/posts/b.md",), summary(old, new)))
    reports(report((SITE / "content/posts/b.md",), summary(old, new)))
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        "content/posts/a.md:4: warning: cannot render formula",
        "content/posts/b.md:1: warning: image missing",
    ]


def test_a_folder_that_is_not_a_site_is_an_error_not_a_server(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "transmit", "serve", str(tmp_path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no site.toml here" in result.stderr
    assert "serving" not in result.stdout
