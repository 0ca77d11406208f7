"""The build's public face: options, summary, errors and `build_site`, the one-shot build.

The stages themselves (load -> render -> assemble -> write) live in `build.incremental`, which
the CLI and the dev server share; this module imports nothing heavy so `transmit --help` stays
instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.errors import BuildWarning, TransmitError

if TYPE_CHECKING:
    from transmit.config import Config
    from transmit.render.document import RenderOptions

DEFAULT_OUTPUT = "public"


class BuildFailed(TransmitError):
    """One or more input problems; each is printed on its own line."""

    def __init__(self, errors: Sequence[TransmitError]):
        super().__init__(f"{len(errors)} problem(s) stopped the build")
        self.errors = list(errors)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    out_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    jobs: int = 0  # 0 = one per core
    strict: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class BuildSummary:
    out_dir: Path
    posts: int
    pages: int
    files: int
    seconds: float
    skipped_drafts: tuple[str, ...]
    skipped_future: tuple[str, ...]
    warnings: tuple[BuildWarning, ...]


def render_options(config: Config) -> RenderOptions:
    from transmit.render.document import RenderOptions

    return RenderOptions(
        unsafe_html=config.unsafe_html,
        math_macros=config.math_macros,
        excerpt_length=config.excerpt_length,
    )


def build_site(site_dir: Path, options: BuildOptions) -> BuildSummary:
    """Build the site in `site_dir`; raises TransmitError (BuildFailed) on input problems.

    Reuses `<site>/.transmit-cache/` from earlier builds: unchanged inputs are not read again,
    unchanged outputs are not written again."""
    from transmit.build.incremental import IncrementalBuilder

    return IncrementalBuilder(site_dir, options).build()
