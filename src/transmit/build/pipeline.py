"""The build's public face: options, summary, errors and `build_site`, the one-shot build.

The stages themselves (load -> render -> assemble -> write) live in `build.incremental`, which
the CLI and the dev server share; this module imports nothing heavy so `transmit --help` and a
no-op rebuild stay instant.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.errors import BuildWarning, InternalError, TransmitError
from transmit.process_end import leave_to_end

if TYPE_CHECKING:
    from transmit.build.writer import CopiedFile, OutputFile
    from transmit.config import Config
    from transmit.content.post import Post
    from transmit.render.data import RenderedPost, RenderOptions
    from transmit.render.fragments import Fragments


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
    search_bytes: int = 0  # size of the search index (0 when search is off)
    search_seconds: float = 0.0
    search_pending: bool = False  # the index still shows the posts before this build's edits
    # pending, and a build of no change renews it in place: in tens of milliseconds, not
    # the seconds of a whole index (the edits were to posts' text alone)
    search_renewable: bool = False
    unchanged: bool = False  # nothing to do: inputs and outputs were as the last build left them


def render_options(config: Config) -> RenderOptions:
    from transmit.render.data import RenderOptions

    return RenderOptions(
        unsafe_html=config.unsafe_html,
        math_macros=config.math_macros,
        excerpt_length=config.excerpt_length,
        toc=config.toc,
        language=config.language,
        base_path=config.base_path,
        site_dir=config.site_dir,
        math_markdown_escaped=config.math_markdown_escaped,
    )


def render_post(
    post: Post, options: RenderOptions, fragments: Fragments | None = None
) -> RenderedPost:
    """The renderer, imported when first needed (it loads markdown-it, math and Pygments)."""
    from transmit.render.document import render_post as render

    return render(post, options, fragments)


def render_guarded(
    post: Post, options: RenderOptions, fragments: Fragments | None = None
) -> RenderedPost:
    """`render_post`, with a renderer bug on one post said in one line instead of a traceback."""
    try:
        return render_post(post, options, fragments)
    except TransmitError:
        raise
    except (Exception, RecursionError) as error:
        reason = f"{type(error).__name__}: {error}".strip().splitlines()[0][:200]
        raise InternalError(
            post.rel_path, None, f"internal error while rendering: {reason}; please report"
        ) from None


def _render_chunk(options: RenderOptions, chunk: Sequence[Post]) -> list[RenderedPost]:
    return [render_guarded(post, options) for post in chunk]


def render_all(posts: Sequence[Post], options: RenderOptions, jobs: int) -> list[RenderedPost]:
    """Render every post, in the build's worker processes when there is enough work to share
    (for `transmit check`; a build renders through its cache in `build.incremental`)."""
    from transmit.build.workers import Workers

    with Workers(jobs) as workers:
        return workers.map(_render_chunk, options, posts)


def output_clashes(
    files: Sequence[OutputFile],
    copies: Sequence[CopiedFile],
    published: Sequence[Post],
    site_dir: Path,
    written: Collection[str] = (),
) -> list[TransmitError]:
    """A file where another output needs a folder (a page with slug `atom.xml`, a static file
    named like a post's folder) can never be written: name both sides before writing.
    `written`: the outputs of the last build, which had none; outputs all among them have none
    either (the usual rebuild: 30 ms saved at 10,000 posts)."""
    paths = {item.path for item in files} | {copy.path for copy in copies}
    if written and all(path in written for path in paths):
        return []
    origins = {post.path + "index.html": post.rel_path for post in published}
    for copy in copies:
        try:
            origins.setdefault(copy.path, copy.source.relative_to(site_dir).as_posix())
        except ValueError:
            origins.setdefault(copy.path, "the theme")
    clashes: list[TransmitError] = []
    for path in sorted(paths):
        for folder in _folders_of(path):
            if folder in paths:
                by = origins.get(path, "the site itself")
                other = origins.get(folder, "the site itself")
                clashes.append(
                    TransmitError(
                        f"/{path} needs a folder /{folder}/, but the file /{folder} comes from "
                        f"{other}; give one of them another name or 'slug'",
                        by,
                    )
                )
                break
    return clashes


def _folders_of(path: str) -> list[str]:
    """ "a/b/c.html" -> ["a/b", "a"]: the folders an output path needs (string cuts: this runs
    for every output of every build, where PurePosixPath costs ten times as much)."""
    folders = []
    end = path.rfind("/")
    while end > 0:
        folders.append(path[:end])
        end = path.rfind("/", 0, end)
    return folders


def build_site(site_dir: Path, options: BuildOptions) -> BuildSummary:
    """Build the site in `site_dir`; raises TransmitError (BuildFailed) on input problems.

    Reuses `<site>/.transmit-cache/` from earlier builds: unchanged inputs are not read again,
    unchanged outputs are not written again."""
    from transmit.build.incremental import IncrementalBuilder
    from transmit.build.workers import collector_paused

    # Unless left to the process's end, the builder is dropped while the collector is still
    # paused: reference counting frees it, where the first collection after the pause would
    # have walked its half a million objects first (120 ms at 10,000 posts).
    with collector_paused():
        builder = IncrementalBuilder(site_dir, options, once=True)
        try:
            return builder.build()
        finally:
            leave_to_end(builder)
            del builder
