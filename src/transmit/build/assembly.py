"""Pages as data: what `site.assemble` hands the build (`Assembly`), each page a template with
its context or a function with its arguments, or a ready-made file. `build.pages` decides which
of them must be made again, and makes those."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from transmit.build.writer import OutputFile

if TYPE_CHECKING:
    import jinja2


class TemplatePage:
    """A page made by a template from a context. Assembly may defer the context (`make`): a
    build whose site layout is the last build's neither digests nor renders most pages, and
    making the contexts of 10,000 post pages for the few it renders took 0.15 s."""

    __slots__ = ("_context", "_make", "path", "template")

    def __init__(
        self,
        path: str,  # output path, "/"-separated, unencoded
        template: str,
        context: dict[str, Any] | None = None,
        make: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        assert (context is None) != (make is None), "a context, or a way to make it"
        self.path = path
        self.template = template
        self._context = context
        self._make = make

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            assert self._make is not None
            self._context, self._make = self._make(), None
        return self._context

    def prepare(self) -> None:
        """Make the context now, before pages are rendered in forked processes: they share
        it (and the rendered posts it loaded from the cache) instead of each making it."""
        self.context  # noqa: B018

    @property
    def maker(self) -> str:
        return self.template

    @property
    def inputs(self) -> object:
        return self.context

    def make(self, environment: jinja2.Environment) -> bytes:
        from transmit.site.assemble import render_template

        return render_template(environment, self.template, self.context)


@dataclass(frozen=True, slots=True)
class ComputedPage:
    """A file made by a function of plain data (a feed): made again only when its arguments,
    or the rendered posts it read, changed."""

    path: str
    function: Callable[..., bytes]
    arguments: tuple[Any, ...]

    @property
    def maker(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"

    @property
    def inputs(self) -> object:
        return self.arguments

    def make(self, environment: jinja2.Environment) -> bytes:
        return self.function(*self.arguments)

    def prepare(self) -> None:
        pass


Page = TemplatePage | ComputedPage


class Assembly:
    """What `assemble_pages` hands the build: template pages, ready-made files, the template
    environment and the globals assembly gave it."""

    def __init__(self, environment: jinja2.Environment) -> None:
        self.environment = environment
        self.globals: dict[str, object] = {}
        self.pages: list[Page | OutputFile] = []

    def set_globals(self, **values: object) -> None:
        self.globals.update(values)
        self.environment.globals.update(values)

    def emit(self, path: str, template: str, **context: object) -> None:
        self.pages.append(TemplatePage(path, template, context))

    def defer(self, path: str, template: str, make: Callable[[], dict[str, Any]]) -> None:
        """A page whose context `make()` makes when the build first needs it, from values
        that are the same objects then as now (records are frozen)."""
        self.pages.append(TemplatePage(path, template, make=make))

    def add(self, output: OutputFile) -> None:
        self.pages.append(output)

    def compute(self, path: str, function: Callable[..., bytes], *arguments: object) -> None:
        """A file whose bytes are `function(*arguments)` (arguments: plain data). What a page
        reads of posts' rendered records is tracked per page: pages must not share a cache
        of what they read (one page would read, the other would not be seen to)."""
        self.pages.append(ComputedPage(path, function, arguments))

    def __iter__(self) -> Iterator[Page | OutputFile]:
        return iter(self.pages)


def page_file(path: str) -> str:
    """The file a page at `path` is written to: `path/index.html`, or `path` when it names a
    file."""
    return path if path.endswith(".html") else path + "index.html"
