"""`transmit build --watch`: the dev server's watcher and rebuilder, writing to the output folder.

No HTTP and no temporary folder: each burst of changes is built into `public/` (or `--out`) by the
same incremental builder a later `transmit build` uses, so an edited post's page, the listings and
feeds that show it are rewritten in milliseconds and nothing else is touched. While edits come, the
search index waits; once they stop for `SEARCH_AFTER` seconds (ten times as long as the index took
to make, when that is longer: a save waits for an index being made) it is made again, so a folder
left alone is a whole site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from transmit.build.incremental import IncrementalBuilder
from transmit.build.pipeline import BuildOptions
from transmit.serve.rebuild import BuildReport, Rebuilder
from transmit.serve.state import SiteState, StateBox
from transmit.serve.watch import WatchTiming

SEARCH_AFTER = 1.0  # seconds without changes before a search index left behind is made


@dataclass(frozen=True, slots=True)
class WatchOptions:
    timing: WatchTiming = field(default_factory=WatchTiming)
    search_after: float = SEARCH_AFTER


class WatchedBuild:
    """Build, then rebuild on every change until stop()."""

    def __init__(
        self,
        site_dir: Path,
        build_options: BuildOptions,
        options: WatchOptions,
        on_report: Callable[[BuildReport], None],
    ) -> None:
        self.site_dir = site_dir.resolve()
        self.box = StateBox(SiteState())
        self._build_options = build_options
        self._options = options
        self._on_report = on_report
        self._rebuilder: Rebuilder | None = None

    def start(self) -> BuildReport:
        """Build once, then watch and rebuild on change; returns the first build's report (a
        failed one too: the watch goes on, and the fix is built when it is saved)."""
        builder = IncrementalBuilder(self.site_dir, self._build_options, defer_search=True)
        self._rebuilder = Rebuilder(
            self.site_dir,
            builder,
            self.box,
            self._on_report,
            search_after=self._options.search_after,
        )
        try:
            first = self._rebuilder.build(None)  # before any thread: its workers can be forked
            self._rebuilder.watch(self._options.timing)
            return first
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop watching, let a running build finish; safe to call twice."""
        if self._rebuilder is not None:
            self._rebuilder.stop()
            self._rebuilder = None

    @property
    def search_pending(self) -> bool:
        """The output's search index predates the last edits (stopped before it was made)."""
        return self.box.state.search_pending
