"""`transmit check`: what a build would report, plus broken links, anchors and images, without
writing anything. Posts are rendered by the build's own render function, so a warm build cache
makes a no-change check fast."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from transmit.build.writer import CopiedFile
from transmit.commands.output import Reporter
from transmit.config import Config, load_config
from transmit.content.files import walk_files
from transmit.content.links import SiteTargets, check_post_links, page_key, page_links
from transmit.content.loader import MARKDOWN_SUFFIXES, duplicate_paths, load_site
from transmit.content.post import Post, sort_key
from transmit.errors import ConfigError, Problem, TransmitError
from transmit.render.data import RenderedPost

_LEVELS = {"error": 0, "warning": 1, "note": 2}


@dataclass(frozen=True, slots=True)
class CheckOptions:
    strict: bool = False  # warnings fail the check too
    jobs: int = 0
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class CheckReport:
    problems: tuple[Problem, ...]
    posts: int = 0
    pages: int = 0

    def count(self, level: str) -> int:
        return sum(1 for problem in self.problems if problem.level == level)

    def failed(self, strict: bool) -> bool:
        return self.count("error") > 0 or (strict and self.count("warning") > 0)


def _render(config: Config, posts: Sequence[Post], jobs: int) -> list[RenderedPost | Problem]:
    """Each post rendered as the build renders it, taken from the build's render cache when
    a build already rendered it (the cache is read, never written: check writes nothing); a
    post the renderer fails on becomes its problem, and the others are still checked."""
    from transmit.build.cache import RenderCache, render_key
    from transmit.build.folders import CACHE_DIR
    from transmit.build.pipeline import render_all, render_guarded, render_options
    from transmit.build.store import code_fingerprint

    options = render_options(config)
    fingerprint = code_fingerprint()
    cache = RenderCache(config.site_dir / CACHE_DIR / "render", fingerprint)
    results: list[RenderedPost | Problem | None] = []
    for post in posts:
        found = cache.load_current(render_key(post, options, fingerprint))
        results.append(None if found is None else found[0])
    missing = [post for post, result in zip(posts, results, strict=True) if result is None]
    try:
        rendered = iter(render_all(missing, options, jobs))
        return [next(rendered) if result is None else result for result in results]
    except TransmitError:
        pass
    fresh: list[RenderedPost | Problem] = []
    for post, result in zip(posts, results, strict=True):
        if result is not None:
            fresh.append(result)
            continue
        try:
            fresh.append(render_guarded(post, options))
        except TransmitError as error:
            fresh.append(Problem.of(error, "error"))
    return fresh


def _copies_below(root: Path, boundary: Path, site_dir: Path, prefix: str) -> list[CopiedFile]:
    return [
        CopiedFile(prefix + path.relative_to(root).as_posix(), path)
        for path in walk_files(root, boundary, site_dir, skip_hidden=False).files
    ]


def _outputs(
    config: Config, published: Sequence[tuple[Post, RenderedPost]]
) -> tuple[set[str], list[TransmitError]]:
    """Every path the build would write (pages assembled, not written; static files, bundle
    files and images copied from beside posts), and the paths that clash."""
    from transmit.build.pages import render_every_page
    from transmit.build.pipeline import output_clashes
    from transmit.site.assemble import Entry, assemble_pages
    from transmit.site.theme import THEME_DIR

    site_dir = config.site_dir
    entries = [Entry(post, rendered) for post, rendered in published]
    pages = assemble_pages(config, entries)
    render_every_page(pages)  # as a build would: a template's error is the check's too
    theme_static = THEME_DIR / "static"
    static = site_dir / "static"
    content = (site_dir / "content").resolve()
    copies = [
        *_copies_below(theme_static, theme_static, site_dir, "assets/"),
        *_copies_below(static, static.resolve(), site_dir, ""),
        *(
            CopiedFile(asset.output, Path(asset.source))
            for _, rendered in published
            for asset in rendered.assets
        ),
    ]
    for post, _ in published:
        if post.bundle_dir is not None:
            copies += [
                copy
                for copy in _copies_below(post.bundle_dir, content, site_dir, post.path)
                if not copy.path.lower().endswith(MARKDOWN_SUFFIXES)
            ]
    clashes = output_clashes(pages, copies, [post for post, _ in published], site_dir)
    return {page.path for page in pages} | {copy.path for copy in copies}, clashes


def _unpublished(post: Post, now: datetime) -> str | None:
    if post.draft:
        return "draft: not built without --drafts"
    if post.kind == "post" and post.date > now:
        return f"dated {post.date.isoformat()}, in the future: not built without --future"
    return None


def check_site(site_dir: Path, options: CheckOptions) -> CheckReport:
    """Every problem of the site at `site_dir`, found without writing a file."""
    site_dir = site_dir.absolute()  # as the build names it, so its cached renders match
    try:
        config = load_config(site_dir)
    except ConfigError as error:
        return CheckReport((Problem.of(error, "error"),))
    loaded = load_site(config)
    problems = [Problem.of(error, "error") for error in loaded.errors]
    problems += [Problem.of(error, "error") for error in duplicate_paths(loaded.posts)]
    problems += [Problem.of(warning, "warning") for warning in loaded.warnings]
    posts = sorted(loaded.posts, key=sort_key)
    published: list[tuple[Post, RenderedPost]] = []
    rendered_posts: list[tuple[Post, RenderedPost]] = []
    for post, result in zip(posts, _render(config, posts, options.jobs), strict=True):
        if isinstance(result, Problem):
            problems.append(result)
            continue
        problems += [Problem.of(warning, "warning") for warning in result.warnings]
        rendered_posts.append((post, result))
        if (note := _unpublished(post, options.now)) is None:
            published.append((post, result))
        else:
            problems.append(Problem(post.rel_path, None, None, "note", note))
    try:
        outputs, clashes = _outputs(config, published)
        problems += [Problem.of(clash, "error") for clash in clashes]
    except TransmitError as error:
        problems.append(Problem.of(error, "error"))
        outputs = set()
    links = {post.rel_path: page_links(result.html) for post, result in rendered_posts}
    targets = SiteTargets(
        by_source={os.path.normpath(post.source): post for post in posts},
        by_path={page_key(post): post for post in posts},
        outputs=frozenset(outputs),
        ids={name: found.ids for name, found in links.items()},
        base_url=config.base_url,
        base_path=config.base_path,
        content_dir=site_dir / "content",
        published=frozenset(post.rel_path for post, _ in published),
    )
    for post, _ in rendered_posts:
        problems += check_post_links(post, links[post.rel_path], targets)
    problems.sort(key=lambda p: (p.path or "", p.line or 0, p.column or 0, _LEVELS.get(p.level, 3)))
    return CheckReport(
        tuple(problems),
        posts=sum(1 for post in posts if post.kind == "post"),
        pages=sum(1 for post in posts if post.kind == "page"),
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: CheckReport) -> str:
    checked = f"{_plural(report.posts, 'post')} and {_plural(report.pages, 'page')}"
    counts = [
        _plural(report.count(level), level)
        for level in ("error", "warning", "note")
        if report.count(level)
    ]
    return f"checked {checked}: " + (", ".join(counts) if counts else "no problems")


def report_json(report: CheckReport) -> str:
    return json.dumps(
        {
            "problems": [
                {
                    "path": problem.path,
                    "line": problem.line,
                    "column": problem.column,
                    "level": problem.level,
                    "message": problem.message,
                }
                for problem in report.problems
            ],
            "posts": report.posts,
            "pages": report.pages,
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "notes": report.count("note"),
        },
        ensure_ascii=False,
        indent=2,
    )


def run_check(site_dir: Path, options: CheckOptions, output: str, reporter: Reporter) -> int:
    """Print the report as text or JSON; exit status 1 on errors (with --strict, on warnings)."""
    report = check_site(site_dir, options)
    if output == "json":
        print(report_json(report), flush=True)
    else:
        for problem in report.problems:
            if problem.level != "note" or not reporter.quiet:
                print(problem, flush=True)
        reporter.info(summary_line(report))
    return 1 if report.failed(options.strict) else 0
