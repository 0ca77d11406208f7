"""The only place that knows the order of a build: config -> load -> render -> assemble -> write."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from transmit.build.output_guard import check_output_folder
from transmit.build.writer import CopiedFile, OutputFile, replace_output
from transmit.config import Config, load_config
from transmit.content.files import walk_files
from transmit.content.loader import MARKDOWN_SUFFIXES, duplicate_paths, load_site
from transmit.content.post import Post, sort_key
from transmit.errors import BuildWarning, InternalError, TransmitError
from transmit.render.document import RenderedPost, RenderOptions, render_post
from transmit.site.assemble import Entry, assemble_pages

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
    search_bytes: int = 0  # size of the search index (0 when search is off)
    search_seconds: float = 0.0


def render_options(config: Config) -> RenderOptions:
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


def render_guarded(post: Post, options: RenderOptions) -> RenderedPost:
    """`render_post`, with a renderer bug on one post said in one line instead of a traceback."""
    try:
        return render_post(post, options)
    except TransmitError:
        raise
    except (Exception, RecursionError) as error:
        reason = f"{type(error).__name__}: {error}".strip().splitlines()[0][:200]
        raise InternalError(
            post.rel_path, None, f"internal error while rendering: {reason}; please report"
        ) from None


def _render_chunk(chunk: Sequence[Post], options: RenderOptions) -> list[RenderedPost]:
    return [render_guarded(post, options) for post in chunk]


def render_all(posts: Sequence[Post], options: RenderOptions, jobs: int) -> list[RenderedPost]:
    """Render every post, in worker processes when there is enough work to share."""
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(posts) < 64:
        return _render_chunk(posts, options)
    size = max(16, len(posts) // (workers * 4))
    chunks = [posts[i : i + size] for i in range(0, len(posts), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_render_chunk, chunks, [options] * len(chunks))
        return [rendered for chunk in results for rendered in chunk]


def _static_files(config: Config, theme_static: Path) -> Iterator[CopiedFile]:
    for prefix, root in (("assets/", theme_static), ("", config.site_dir / "static")):
        if not root.is_dir():
            continue
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                if name.startswith("."):  # .gitkeep, .DS_Store
                    continue
                source = Path(folder) / name
                yield CopiedFile(prefix + source.relative_to(root).as_posix(), source)


def _bundle_files(posts: Sequence[Post], content: Path) -> Iterator[CopiedFile]:
    for post in posts:
        if post.bundle_dir is None:
            continue
        # links leaving content/ are skipped (load_site warned about them)
        found = walk_files(post.bundle_dir, content, content.parent, skip_hidden=False)
        for source in found.files:
            if source == post.source or source.name.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            yield CopiedFile(post.path + source.relative_to(post.bundle_dir).as_posix(), source)


def _asset_files(rendered: Sequence[RenderedPost], content: Path) -> Iterator[CopiedFile]:
    """Files beside posts (not in a bundle) that their images use, each copied once; never
    through a symbolic link that leaves content/."""
    seen: set[str] = set()
    for result in rendered:
        for asset in result.assets:
            if asset.output not in seen and content in asset.source.resolve().parents:
                seen.add(asset.output)
                yield CopiedFile(asset.output, asset.source)


def _search_files(config: Config, entries: Sequence[Entry], jobs: int) -> list[OutputFile]:
    """The search index as output files, swapped in with the rest of the site."""
    if not config.search:
        return []
    from transmit.site.search import search_index_files
    from transmit.site.search_records import search_records

    records = search_records(config, entries)
    files = search_index_files(records, site_language=config.language, jobs=jobs)
    return [OutputFile(item.path, item.data) for item in files]


def output_clashes(
    files: Sequence[OutputFile],
    copies: Sequence[CopiedFile],
    published: Sequence[Post],
    site_dir: Path,
) -> list[TransmitError]:
    """A file where another output needs a folder (a page with slug `atom.xml`, a static file
    named like a post's folder) can never be written: name both sides before writing."""
    origins = {post.path + "index.html": post.rel_path for post in published}
    for copy in copies:
        try:
            origins.setdefault(copy.path, copy.source.relative_to(site_dir).as_posix())
        except ValueError:
            origins.setdefault(copy.path, "the theme")
    paths = {item.path for item in files} | {copy.path for copy in copies}
    clashes: list[TransmitError] = []
    for path in sorted(paths):
        for parent in PurePosixPath(path).parents:
            folder = parent.as_posix()
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


def build_site(site_dir: Path, options: BuildOptions) -> BuildSummary:
    """Build the site in `site_dir`; raises TransmitError (BuildFailed) on input problems."""
    from transmit.site.theme import THEME_DIR

    started = time.perf_counter()
    config = load_config(site_dir)
    check_output_folder(site_dir, options.out_dir or (site_dir / DEFAULT_OUTPUT))
    loaded = load_site(config)
    sources = list(loaded.posts)
    errors: list[TransmitError] = [*loaded.errors, *duplicate_paths(sources)]
    if errors:
        raise BuildFailed(errors)

    drafts = [p for p in sources if p.draft and not options.drafts]
    future = [
        p
        for p in sources
        if p.kind == "post" and p.date > options.now and not options.future and not p.draft
    ]
    skipped = {id(p) for p in drafts + future}
    published = sorted((p for p in sources if id(p) not in skipped), key=sort_key)

    rendered = render_all(published, render_options(config), options.jobs)
    warnings = loaded.warnings + tuple(w for r in rendered for w in r.warnings)
    if options.strict and warnings:
        raise BuildFailed([TransmitError(w.message, w.path, w.line) for w in warnings])

    entries = [Entry(post, result) for post, result in zip(published, rendered, strict=True)]
    pages = assemble_pages(config, entries)
    search_started = time.perf_counter()
    index = _search_files(config, entries, options.jobs)
    search_seconds = time.perf_counter() - search_started
    out_dir = options.out_dir or (site_dir / DEFAULT_OUTPUT)
    content = (site_dir / "content").resolve()
    copies = [
        *_static_files(config, THEME_DIR / "static"),
        *_bundle_files(published, content),
        *_asset_files(rendered, content),
    ]
    if clashes := output_clashes([*pages, *index], copies, published, site_dir):
        raise BuildFailed(clashes)
    try:
        files = replace_output(out_dir, [*pages, *index], copies)
    except OSError as error:  # a full disk, a read-only folder, a file where a folder must go
        where = error.filename or out_dir
        raise TransmitError(f"cannot write the site: {error.strerror or error}", where) from None
    return BuildSummary(
        out_dir=out_dir,
        posts=sum(1 for p in published if p.kind == "post"),
        pages=sum(1 for p in published if p.kind == "page"),
        files=files,
        seconds=time.perf_counter() - started,
        skipped_drafts=tuple(p.rel_path for p in drafts),
        skipped_future=tuple(p.rel_path for p in future),
        warnings=warnings,
        search_bytes=sum(len(item.data) for item in index),
        search_seconds=search_seconds if index else 0.0,
    )
