"""A stand-in for build/incremental.py's IncrementalBuilder: its interface, a full build each time.

Serve must never render on its own, so this only calls the pipeline. When the incremental builder
lands, `serve.session` imports it instead of this class; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from transmit.build.pipeline import BuildOptions, BuildSummary, build_site


class FullBuilder:
    """Rebuilds the whole site into `options.out_dir` whatever changed."""

    def __init__(self, site_dir: Path, options: BuildOptions) -> None:
        self._site_dir = site_dir
        self._options = options

    def build(self, changed: Collection[Path] | None = None) -> BuildSummary:
        """`changed` is ignored: a full build is always right, only slower.

        "Now" is taken at each build, not when serving began: a post that `transmit new` dates
        after the server started is not in the future, and scheduled posts appear on time."""
        return build_site(self._site_dir, replace(self._options, now=datetime.now(UTC)))
