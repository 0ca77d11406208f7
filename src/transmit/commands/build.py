"""`transmit build`: run the pipeline and print a one-screen summary."""

from __future__ import annotations

from pathlib import Path

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


def run_build(site_dir: Path, options: BuildOptions, reporter: Reporter) -> int:
    summary = build_site(site_dir, options)
    for warning in summary.warnings:
        reporter.warn(warning)
    for line in summary_lines(summary, reporter.verbose):
        reporter.info(line)
    return 0
