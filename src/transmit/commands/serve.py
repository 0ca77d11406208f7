"""`transmit serve`: build into a temporary folder, serve it, rebuild on change, until Ctrl-C."""

from __future__ import annotations

import signal
import threading
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from transmit.build.pipeline import BuildOptions
from transmit.commands.build import summary_lines
from transmit.commands.output import Reporter
from transmit.config import CONFIG_NAME, load_config
from transmit.errors import BuildWarning
from transmit.serve.rebuild import BuildReport
from transmit.serve.session import LOOPBACK_HOSTS, DevServer, ServeOptions

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

    def __init__(self, site_dir: Path, reporter: Reporter) -> None:
        self._site_dir = site_dir
        self._reporter = reporter
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
                reporter.error("the last good build is still served; fix the file and save")
            return
        warnings = frozenset(report.summary.warnings)
        for warning in report.summary.warnings:
            if warning not in self._warned:
                reporter.warn(warning)
        self._warned = warnings
        if self._builds == 1 or report.changed is None:
            for line in summary_lines(report.summary, reporter.verbose):
                reporter.info(line.replace(f" into {report.summary.out_dir}", ""))
            return
        if report.changed == ():
            reporter.info(f"search index updated in {report.seconds * 1000:.0f} ms")
            return
        what = "styles swapped" if report.styles_only else "rebuilt"
        reporter.info(
            f"{what} in {report.seconds * 1000:.0f} ms: {changed_names(report, self._site_dir)}"
        )


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """`kill` stops the server as cleanly as Ctrl-C does."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_serve(
    site_dir: Path,
    build_options: BuildOptions,
    options: ServeOptions,
    reporter: Reporter,
    *,
    open_browser: bool = False,
) -> int:
    if not (site_dir / CONFIG_NAME).is_file():
        load_config(site_dir)  # no site here: its error says so (a broken site.toml is served)
    log = reporter.detail if reporter.verbose else None
    server = DevServer(
        site_dir,
        build_options,
        options,
        on_report=TerminalReports(site_dir.resolve(), reporter),
        log_request=log,
    )
    with sigterm_as_interrupt():
        try:
            server.start()
            if options.port and server.port != options.port:
                reporter.info(f"port {options.port} is in use; using {server.port} instead")
            if options.host not in LOOPBACK_HOSTS:
                reporter.error(
                    f"warning: listening on {options.host}: other machines on the network "
                    "can read this site"
                )
            reporter.info(f"serving {server.url} (Ctrl-C to stop)")
            if open_browser:
                webbrowser.open(server.url)
            threading.Event().wait()  # the work happens in the server's threads
        except KeyboardInterrupt:
            reporter.info("stopping")
        finally:
            server.stop()
    return 0
