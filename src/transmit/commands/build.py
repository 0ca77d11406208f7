"""`transmit build`: run the pipeline and print a one-screen summary; with `--watch`, go on
rebuilding what each change needs."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from transmit.build.folders import DEFAULT_OUTPUT
from transmit.build.pipeline import BuildOptions, BuildSummary, build_site
from transmit.commands.output import Reporter


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_lines(summary: BuildSummary, verbose: bool) -> list[str]:
    lines = [
        f"built {_plural(summary.posts, 'post')} and {_plural(summary.pages, 'page')} "
        f"into {summary.out_dir} ({_plural(summary.files, 'file')}) in {summary.seconds:.2f} s"
    ]
    if summary.search_bytes:
        lines.append(
            f"search index {summary.search_bytes / 1024:.0f} KiB in {summary.search_seconds:.2f} s"
        )
    skipped = []
    if summary.skipped_drafts:
        skipped.append(f"{_plural(len(summary.skipped_drafts), 'draft')} (use --drafts)")
    if summary.skipped_future:
        skipped.append(f"{len(summary.skipped_future)} future-dated (use --future)")
    if skipped:
        lines.append("skipped " + ", ".join(skipped))
        if verbose:
            lines += [f"  draft: {name}" for name in summary.skipped_drafts]
            lines += [f"  future: {name}" for name in summary.skipped_future]
    if summary.warnings:
        lines.append(_plural(len(summary.warnings), "warning"))
    return lines


def report_build(summary: BuildSummary, reporter: Reporter) -> int:
    for warning in summary.warnings:
        reporter.warn(warning)
    for line in summary_lines(summary, reporter.verbose):
        reporter.info(line)
    return 0


def run_build(site_dir: Path, options: BuildOptions, reporter: Reporter) -> int:
    """Build once, here (no resident builder took the build: `cli` asked first), leaving this
    builder running when the site is big enough for that to pay (`transmit.resident`)."""
    from transmit.resident import protocol

    if not protocol.may_keep():
        return report_build(build_site(site_dir, options), reporter)
    from transmit.build.incremental import IncrementalBuilder

    builder = IncrementalBuilder(site_dir, options)  # the site kept in memory, for the next
    summary = builder.build()
    code = report_build(summary, reporter)
    if protocol.keeps_builder(summary.posts + summary.pages):
        from transmit.resident.server import keep

        keep(builder, reporter)
    return code


def run_watch(site_dir: Path, options: BuildOptions, reporter: Reporter) -> int:
    """Build, then rebuild on every change until Ctrl-C. A build that fails is reported and
    leaves the output as the last good build made it; the fix is built when it is saved."""
    from transmit.commands.reports import TerminalReports, sigterm_as_interrupt
    from transmit.config import CONFIG_NAME, load_config
    from transmit.serve.watched_build import WatchedBuild, WatchOptions

    if not (site_dir / CONFIG_NAME).is_file():
        load_config(site_dir)  # no site here: its error says so (a broken site.toml is watched)
    gc.enable()  # it runs for hours: its garbage is collected (`cli.run` turned that off)
    out_dir = options.out_dir or site_dir / DEFAULT_OUTPUT
    kept = f"{out_dir} keeps the last good build; fix the file and save"
    reports = TerminalReports(site_dir.resolve(), reporter, kept=kept, served=False)
    watched = WatchedBuild(site_dir, options, WatchOptions(), reports)
    with sigterm_as_interrupt():
        try:
            watched.start()
            reporter.info(f"watching {site_dir} for changes (Ctrl-C to stop)")
            threading.Event().wait()  # the work happens in the watcher's and builder's threads
        except KeyboardInterrupt:
            reporter.info("stopping")
        finally:
            watched.stop()
    if watched.search_pending:
        reporter.info("the search index predates the last edits; `transmit build` makes it again")
    return 0
