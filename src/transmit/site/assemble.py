"""From rendered posts to every output file: listings, post pages, taxonomies, archives, search,
feeds, sitemap. The only module of `site/` that knows every page the theme makes.

Pages are not rendered here: `SiteWriter.page` records (path, template, context) and the build
renders them, skipping pages whose context and templates did not change since the last build.
So contexts and template globals must be plain data (records, tuples, dicts, strings): they are
digested. Entries' `rendered` reads its long texts from the render cache on first use, and
`post.body` (the Markdown) is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import jinja2

from transmit.build.assembly import Assembly, TemplatePage, page_file
from transmit.build.writer import OutputFile
from transmit.config import Config
from transmit.errors import SourceError
from transmit.site.archives import group_by_month
from transmit.site.entry import Entry
from transmit.site.feeds import Feed, FeedBodies, atom_feed, rss_feed
from transmit.site.i18n import strings_for
from transmit.site.memo import AssemblyMemo, NoMemo
from transmit.site.metadata import PageMeta, site_meta
from transmit.site.pagination import Pager, paginate
from transmit.site.sitemap import SITEMAP_PATH, SitemapEntry, robots_txt, sitemap
from transmit.site.taxonomy import Category, Tag, Taxonomy, TermLink, build_taxonomy
from transmit.site.theme import make_environment

__all__ = ["Entry", "assemble_pages", "home_order"]


@dataclass(frozen=True, slots=True)
class Neighbours:
    """A post's place in the site: the posts before and after it in time, and related ones."""

    previous: Entry | None  # the next older post
    next: Entry | None  # the next newer post
    related: tuple[Entry, ...]


def home_order(entries: Sequence[Entry]) -> list[Entry]:
    """Sticky posts lead (higher first), the rest keep their newest-first order."""
    return sorted(entries, key=lambda entry: -entry.post.sticky)


def render_template(
    environment: jinja2.Environment, name: str, context: dict[str, object]
) -> bytes:
    """A page from a template; a broken template becomes one clear error naming file and line."""
    try:
        return environment.get_template(name).render(**context).encode("utf-8")
    except jinja2.TemplateSyntaxError as error:
        where = error.filename or name
        raise SourceError(where, error.lineno, f"template error: {error.message}") from None
    except jinja2.TemplateError as error:
        where, line = _template_frame(error, name)
        raise SourceError(where, line, f"template error: {error}") from None
    except UnicodeDecodeError:
        raise SourceError(
            name,
            None,
            "template error: this template or one it uses is not UTF-8; save it as UTF-8",
        ) from None
    except RecursionError:
        raise SourceError(
            name, None, "template error: a template includes, extends or calls itself without end"
        ) from None


def _template_frame(error: BaseException, name: str) -> tuple[str, int | None]:
    """The template file and line a runtime error happened on (Jinja puts template lines in
    the traceback as frames of the template's own file)."""
    found: tuple[str, int | None] = (name, None)
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".json")) and "<" not in filename:
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def toc_of(entry: Entry) -> str:
    """The contents list the renderer made when the post (or the site) asks for one."""
    return entry.rendered.toc_html


@dataclass(frozen=True, slots=True)
class TrailOf:
    """`trail_of(entry)` in templates: links to the categories along the post's category path,
    by the category paths posts give. Every page has it: it holds links, not the categories'
    posts, so that a post's title or date is not part of every page."""

    trails: dict[tuple[str, ...], tuple[TermLink, ...]]

    def __call__(self, entry: Entry) -> tuple[TermLink, ...]:
        return self.trails.get(entry.post.category, ())


def trail_of(taxonomy: Taxonomy, posts: Sequence[Entry]) -> TrailOf:
    """The trail of every category path the posts give."""
    given = {entry.post.category for entry in posts if entry.post.category}
    trails = {names: tuple(c.link() for c in taxonomy.trail(names)) for names in sorted(given)}
    return TrailOf(trails)


class SiteWriter:
    """Collects the output files of one build (as an Assembly for the build to render)."""

    def __init__(self, config: Config, environment: jinja2.Environment) -> None:
        self.config = config
        self.assembly = Assembly(environment)
        self.sitemap: list[SitemapEntry] = []
        self.ui = strings_for(config.language)

    def page(self, path: str, template: str, meta: PageMeta, **context: object) -> None:
        """`path/index.html` (or `path` itself when it names a file)."""
        context.update(meta=meta)
        self.assembly.emit(page_file(path), template, **context)

    def deferred_page(self, path: str, template: str, make: Callable[[], dict[str, Any]]) -> None:
        """A page whose context, `meta` included, `make()` makes when the build needs it: the
        pages a site has thousands of (posts, listings)."""
        self.assembly.defer(page_file(path), template, make)

    def raw(self, path: str, data: bytes) -> None:
        self.assembly.add(OutputFile(path, data))

    def computed(self, path: str, function: Callable[..., bytes], *arguments: object) -> None:
        """A file made by `function(*arguments)`, only when the build needs it made again."""
        self.assembly.compute(path, function, *arguments)

    def listing(
        self,
        entries: Sequence[Entry],
        base: str,
        template: str,
        heading: str | None,
        description: str = "",
        **context: object,
    ) -> list[Pager[Entry]]:
        """A paginated listing at `base`; page 1 goes into the sitemap."""
        pagers = paginate(entries, self.config.per_page, base)
        for pager in pagers:
            make = partial(self._listing_context, pager, heading, description, context)
            self.deferred_page(pager.path, template, make)
        modified = max((entry.last_modified for entry in entries), default=None)
        self.sitemap.append(SitemapEntry(base, modified))
        return pagers

    def _listing_context(
        self,
        pager: Pager[Entry],
        heading: str | None,
        description: str,
        context: dict[str, object],
    ) -> dict[str, object]:
        title = heading
        if pager.number > 1:
            number = self.ui["page"].format(n=pager.number)
            title = f"{heading} · {number}" if heading else number
        meta = site_meta(self.config, title, pager.path, description)
        return {"pager": pager, **context, "meta": meta}


def _neighbours(
    posts: Sequence[Entry], related: Mapping[str, tuple[Entry, ...]], index: int
) -> Neighbours:
    return Neighbours(
        previous=posts[index + 1] if index + 1 < len(posts) else None,
        next=posts[index - 1] if index > 0 else None,
        related=related[posts[index].post.path],
    )


def _own_values(config: Config, entry: Entry, memo: AssemblyMemo) -> dict[str, object]:
    """What a post's own page takes from its rendered record when assembled (the rest of the
    record is read while rendering, and tracked): taken again by `renew_own_page`."""
    if entry.post.kind != "post":
        return {"meta": memo.post_meta(config, entry, None)}
    section = " / ".join(entry.post.category) or None
    return {"meta": memo.post_meta(config, entry, section), "toc_html": toc_of(entry)}


def renew_own_page(
    config: Config, page: TemplatePage, entry: Entry, memo: AssemblyMemo
) -> TemplatePage:
    """The own page of a post whose rendered record changed while its metadata did not (the
    dev server, after a save of the post's text): its context with what it takes from that
    record taken again."""
    memo.forget(entry)
    return TemplatePage(
        page.path, page.template, {**page.context, **_own_values(config, entry, memo)}
    )


def _post_pages(
    writer: SiteWriter,
    taxonomy: Taxonomy,
    trails: TrailOf,
    posts: Sequence[Entry],
    memo: AssemblyMemo,
) -> None:
    tags = {id(tag): tag.link() for tag in taxonomy.tags}
    related = memo.related(posts)
    shared = (writer.config, memo, taxonomy, trails, tags, writer.ui["home"], posts, related)
    for index, entry in enumerate(posts):
        make = partial(_post_context, *shared, index)
        writer.deferred_page(entry.post.path, "post.html", make)
        writer.sitemap.append(SitemapEntry(entry.post.path, entry.last_modified))


def _post_context(
    config: Config,
    memo: AssemblyMemo,
    taxonomy: Taxonomy,
    trails: TrailOf,
    tag_links: dict[int, TermLink],
    home: str,
    posts: Sequence[Entry],
    related: Mapping[str, tuple[Entry, ...]],
    index: int,
) -> dict[str, object]:
    """The context of the page of `posts[index]` (made when the build needs it:
    `SiteWriter.deferred_page`)."""
    entry = posts[index]
    trail = trails(entry)
    return {
        **_own_values(config, entry, memo),
        "entry": entry,
        "trail": trail,
        "crumbs": [(home, ""), *((c.name, c.path) for c in trail)],
        "tags": [tag_links[id(taxonomy.tag(name))] for name in entry.post.tags],
        "neighbours": _neighbours(posts, related, index),
    }


def _page_context(config: Config, memo: AssemblyMemo, entry: Entry) -> dict[str, object]:
    """A page's context (a post of kind "page", such as About), made when the build needs it."""
    return {**_own_values(config, entry, memo), "entry": entry}


def _taxonomy_pages(writer: SiteWriter, taxonomy: Taxonomy) -> None:
    config, ui = writer.config, writer.ui
    home = (ui["home"], "")
    categories = taxonomy.categories()
    meta = site_meta(config, ui["categories"], "categories/")
    writer.page("categories/", "categories.html", meta, roots=taxonomy.roots, total=len(categories))
    writer.sitemap.append(SitemapEntry("categories/", None))
    for category in categories:
        crumbs = [home, (ui["categories"], "categories/")]
        crumbs += [(c.name, c.path) for c in taxonomy.trail(category.names)]
        writer.listing(
            category.entries,
            category.path,
            "category.html",
            " / ".join(category.names),
            category=category,
            crumbs=crumbs,
            feed=category.path + "atom.xml",
        )
    writer.page("tags/", "tags.html", site_meta(config, ui["tags"], "tags/"), tags=taxonomy.tags)
    writer.sitemap.append(SitemapEntry("tags/", None))
    for tag in taxonomy.tags:
        crumbs = [home, (ui["tags"], "tags/"), (tag.name, tag.path)]
        writer.listing(
            tag.entries,
            tag.path,
            "tag.html",
            f"#{tag.name}",
            tag=tag,
            crumbs=crumbs,
            feed=tag.path + "atom.xml",
        )


def _feeds(writer: SiteWriter, taxonomy: Taxonomy, posts: Sequence[Entry]) -> None:
    """Each feed made only when the build needs it again, with its own FeedBodies: the build
    tracks which posts' bodies each file reads, so files must not share what they read."""
    config = writer.config
    site_feed = Feed(config.title, "atom.xml", "", tuple(posts))
    writer.computed("atom.xml", atom_feed, config, site_feed, FeedBodies(config))
    rss = Feed(config.title, "rss.xml", "", tuple(posts))
    writer.computed("rss.xml", rss_feed, config, rss, FeedBodies(config))
    terms: list[Category | Tag] = [*taxonomy.categories(), *taxonomy.tags]
    for term in terms:
        name = " / ".join(term.names) if isinstance(term, Category) else f"#{term.name}"
        feed = Feed(f"{name} · {config.title}", term.path + "atom.xml", term.path, term.entries)
        writer.computed(feed.path, atom_feed, config, feed, FeedBodies(config))


def assemble_pages(
    config: Config,
    entries: Sequence[Entry],
    memo: AssemblyMemo | None = None,
    environment: jinja2.Environment | None = None,
) -> Assembly:
    """Every page, feed and index file of the site, from entries in the site's order. `memo`:
    what the last assembly in this process can lend this one (the dev server keeps one).
    `environment`: the templates' (made from `config`), when made already."""
    memo = memo or NoMemo()
    memo.begin(config, entries)
    environment = environment or make_environment(config)
    posts = [entry for entry in entries if entry.post.kind == "post"]
    pages = [entry for entry in entries if entry.post.kind == "page"]
    taxonomy = build_taxonomy(posts, config.slug_style)
    writer = SiteWriter(config, environment)
    trails = trail_of(taxonomy, posts)
    writer.assembly.set_globals(nav_pages=[entry.post for entry in pages], trail_of=trails)
    ui = writer.ui

    writer.listing(home_order(posts), "", "index.html", None)
    _post_pages(writer, taxonomy, trails, posts, memo)
    for entry in pages:
        writer.deferred_page(
            entry.post.path, "page.html", partial(_page_context, config, memo, entry)
        )
        # a page's date is often its file's time, which a checkout resets: only `updated` counts
        writer.sitemap.append(SitemapEntry(entry.post.path, entry.post.updated))
    _taxonomy_pages(writer, taxonomy)
    archive = group_by_month(posts, config.zone)
    meta = site_meta(config, ui["archives"], "archives/")
    writer.page("archives/", "archives.html", meta, years=archive, total=len(posts))
    newest = max((entry.last_modified for entry in posts), default=None)
    writer.sitemap.append(SitemapEntry("archives/", newest))
    if config.search:
        meta = replace(site_meta(config, ui["search"], "search/"), noindex=True)
        writer.page("search/", "search.html", meta)
    meta = replace(site_meta(config, ui["not_found"], "404.html"), noindex=True)
    writer.page("404.html", "404.html", meta, recent=posts[:5])
    _feeds(writer, taxonomy, posts)
    # made only when a page's date or address changed: 10,000 lines are 80 ms
    writer.computed(SITEMAP_PATH, sitemap, config, tuple(writer.sitemap))
    writer.raw("robots.txt", robots_txt(config))
    return writer.assembly
