"""Pages as data: `site.assemble` says which pages exist and what each shows; this module
decides which of them must be rendered again and renders them.

A template page is (path, template, context). Its *digest* covers the template set, the config,
the template globals and the context, with every rendered post in it standing for its render
key; a page whose digest is the one recorded by the previous build, and whose file is still
the one that build wrote, is not rendered at all. That is what makes one edited post at 10,000
posts cost one render and the few pages that show it.

Contexts travel as pickles (to worker processes too): a post's rendered record is written as a
reference to its render key and read back, in full, from the render cache where the page is
rendered. The build process itself only ever holds stubs (see `build.cache`).
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transmit.build.cache import RenderCache
from transmit.build.store import digest
from transmit.build.writer import OutputFile

if TYPE_CHECKING:
    import jinja2

    from transmit.config import Config


HELD_POSTS = 64


@dataclass(frozen=True, slots=True)
class TemplatePage:
    path: str  # output path, "/"-separated, unencoded
    template: str
    context: dict[str, Any]


class Assembly:
    """What `assemble_pages` hands the build: template pages, ready-made files, and the
    globals every template sees."""

    def __init__(self) -> None:
        self.globals: dict[str, object] = {}
        self.pages: list[TemplatePage | OutputFile] = []

    def emit(self, path: str, template: str, **context: object) -> None:
        self.pages.append(TemplatePage(path, template, context))

    def add(self, output: OutputFile) -> None:
        self.pages.append(output)


class MissingRender(Exception):
    """A rendered post a page needs is not in the render cache (deleted or damaged meanwhile)."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(list(keys))  # the only argument, so it survives the trip from a worker
        self.keys = list(keys)


class _ReferencePickler(pickle.Pickler):
    """Pickles values, not object identities; a known rendered post becomes its key."""

    def __init__(self, buffer: io.BytesIO, references: dict[int, str]) -> None:
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self.fast = True
        self._references = references

    def persistent_id(self, obj: object) -> str | None:
        return self._references.get(id(obj))


def encode(value: object, references: dict[int, str]) -> bytes | None:
    """The bytes a page's digest is taken from, or None when the value cannot be pickled
    (a function in a context, say): such a page is rendered every time."""
    buffer = io.BytesIO()
    try:
        _ReferencePickler(buffer, references).dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
        return None
    return buffer.getvalue()


def site_digest(
    fingerprint: bytes, config: Config, templates: bytes, globals_bytes: bytes | None
) -> bytes:
    from transmit.build.cache import canonical

    return digest(fingerprint, canonical(config), templates, globals_bytes or b"\x00")


def page_digest(site: bytes, template: str, context_bytes: bytes) -> bytes:
    return digest(site, template, context_bytes)


@dataclass(frozen=True, slots=True)
class PageJob:
    """Everything a process needs to render template pages of this build."""

    config: Config
    globals_bytes: bytes
    cache_root: Path
    fingerprint: bytes
    templates: bytes  # the template digest: a new one means a new environment


def _decoder(data: bytes, load: Callable[[str], object]) -> Any:
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = load  # type: ignore[method-assign]
    return unpickler.load()


@lru_cache(maxsize=2)
def _environment(job: PageJob) -> jinja2.Environment:
    """One environment per process and build, so each template is compiled once."""
    from transmit.site.theme import make_environment

    environment = make_environment(job.config)
    cache = RenderCache(job.cache_root, job.fingerprint)

    def load(key: str) -> object:
        found = cache.load(key)
        if found is None:
            raise MissingRender([key])
        return found

    environment.globals.update(_decoder(job.globals_bytes, load))
    return environment


def render_pages(job: PageJob, items: Sequence[tuple[str, str, bytes]]) -> list[bytes]:
    """(path, template, context bytes) -> page bytes, in order."""
    from transmit.site.assemble import render_template

    environment = _environment(job)
    cache = RenderCache(job.cache_root, job.fingerprint)
    held: dict[str, object] = {}  # the posts of neighbouring pages, read once
    missing: list[str] = []

    def load(key: str) -> object:
        if key not in held:
            if len(held) >= HELD_POSTS:
                held.clear()
            found = cache.load(key)
            if found is None:
                missing.append(key)
            held[key] = found
        return held[key]

    output = []
    for _path, template, data in items:
        context = _decoder(data, load)
        if missing:
            raise MissingRender(missing)
        output.append(render_template(environment, template, context))
    return output
