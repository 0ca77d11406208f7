"""From rendered posts to every output page: listings, post pages, standalone pages, 404."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jinja2

from transmit.build.writer import OutputFile
from transmit.config import Config
from transmit.content.post import Post
from transmit.errors import SourceError
from transmit.render.document import RenderedPost
from transmit.site.pagination import paginate
from transmit.site.theme import make_environment


@dataclass(frozen=True, slots=True)
class Entry:
    """A post with its rendered body: what templates receive."""

    post: Post
    rendered: RenderedPost


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
        raise SourceError(name, None, f"template error: {error}") from None


def assemble_pages(config: Config, entries: Sequence[Entry]) -> list[OutputFile]:
    environment = make_environment(config)
    posts = [e for e in entries if e.post.kind == "post"]
    pages = [e for e in entries if e.post.kind == "page"]
    environment.globals["nav_pages"] = [e.post for e in pages]
    output: list[OutputFile] = []

    def emit(path: str, template: str, **context: object) -> None:
        output.append(OutputFile(path, render_template(environment, template, context)))

    for pager in paginate(home_order(posts), config.per_page, ""):
        emit(pager.path + "index.html", "index.html", pager=pager)
    for entry in posts:
        emit(entry.post.path + "index.html", "post.html", entry=entry)
    for entry in pages:
        emit(entry.post.path + "index.html", "page.html", entry=entry)
    emit("404.html", "404.html")
    return output
