"""What a build that goes on (`serve`, `build --watch`) prints: the first build's summary, one
line per rebuild, problems as path:line: message, each warning once."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from transmit.commands.build import summary_lines
from transmit.commands.output import Reporter
from transmit.errors import BuildWarning
from transmit.serve.rebuild import BuildReport

SHOWN_CHANGES = 3


def changed_names(report: BuildReport, site_dir: Path) -> str:
    """ "content/posts/a.md, static/x.css and 2 more", or "everything"."""
    if report.changed is None:
        return "everything"
    names = []
    for path in report.changed:
        try:
            names.append(path.relative_to(site_dir).as_posix())
        except ValueError:
            names.append(str(path))
    shown = ", ".join(names[:SHOWN_CHANGES])
    more = len(names) - SHOWN_CHANGES
    return f"{shown} and {more} more" if more > 0 else shown


class TerminalReports:
    """Prints each build's outcome; warnings once each, not again on every rebuild."""

    def __init__(self, site_dir: Path, reporter: Reporter, *, kept: str, served: bool) -> None:
        """`kept`: what a failed rebuild leaves, said after its problems. `served`: the dev
        server's builds, into a temporary folder not worth naming, and a stylesheet change is
        swapped into the open pages rather than rebuilt for them."""
        self._site_dir = site_dir
        self._reporter = reporter
        self._kept = kept
        self._served = served
        self._warned: frozenset[BuildWarning] = frozenset()
        self._builds = 0

    def __call__(self, report: BuildReport) -> None:
        self._builds += 1
        reporter = self._reporter
        if report.summary is None:
            if report.trace:
                reporter.error(report.trace.rstrip())
            for problem in report.problems:
                reporter.error(problem.text)
            if self._builds > 1:
                reporter.error(self._kept)
            return
        warnings = frozenset(report.summary.warnings)
        for warning in report.summary.warnings:
            if warning not in self._warned:
                reporter.warn(warning)
        self._warned = warnings
        if self._builds == 1 or report.changed is None:
            for line in summary_lines(report.summary, reporter.verbose):
                where = f" into {report.summary.out_dir}"
                reporter.info(line.replace(where, "") if self._served else line)
            return
        if report.changed == ():
            reporter.info(f"search index updated in {report.seconds * 1000:.0f} ms")
            return
        what = "styles swapped" if report.styles_only and self._served else "rebuilt"
        reporter.info(
            f"{what} in {report.seconds * 1000:.0f} ms: {changed_names(report, self._site_dir)}"
        )


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """`kill` stops a dev server or a watching build as cleanly as Ctrl-C does."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
