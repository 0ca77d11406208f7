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

import hashlib
import io
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transmit.build.cache import RenderCache
from transmit.build.store import digest
from transmit.build.writer import OutputFile, Staging

if TYPE_CHECKING:
    import jinja2

    from transmit.build.incremental import Plan
    from transmit.build.inputs import Sig
    from transmit.build.manifest import OutputRecord, SourceRecord
    from transmit.build.workers import Workers
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


class MarkMemo:
    """The digests of page contexts made of the very same objects as in the previous build
    of this process (records are frozen: the same object is the same value), so the dev
    server does not pickle 10,000 unchanged post pages to find the one that changed."""

    def __init__(self) -> None:
        self.site = b""
        self._marks: dict[str, tuple[tuple[object, ...], dict[str, Any], bytes]] = {}

    @staticmethod
    def _identity(page: TemplatePage) -> tuple[object, ...]:
        return (page.template, *((name, id(value)) for name, value in page.context.items()))

    def get(self, page: TemplatePage) -> bytes | None:
        found = self._marks.get(page.path)
        if found is None or found[0] != self._identity(page):
            return None
        return found[2]

    def put(self, page: TemplatePage, mark: bytes) -> None:
        # the context is kept so that no id in the identity can be reused by a new object
        self._marks[page.path] = (self._identity(page), page.context, mark)

    def restart(self, site: bytes) -> None:
        if site != self.site:
            self._marks.clear()
            self.site = site


class MissingRender(Exception):
    """A rendered post a page needs is not in the render cache (deleted or damaged meanwhile)."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(list(keys))  # the only argument, so it survives the trip from a worker
        self.keys = list(keys)


class Encoder:
    """Pickles values, not object identities (no memo), a known record becoming its key.
    One pickler serves every page of a build."""

    def __init__(self, references: dict[int, str]) -> None:
        self._buffer = io.BytesIO()
        self._pickler = pickle.Pickler(self._buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self._pickler.fast = True
        self._pickler.persistent_id = lambda obj: references.get(id(obj))  # type: ignore[method-assign]

    def encode(self, value: object) -> bytes | None:
        """The bytes of `value`, or None when it cannot be pickled (a function, say)."""
        self._buffer.seek(0)
        self._buffer.truncate()
        try:
            self._pickler.dump(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
            return None
        return self._buffer.getvalue()


def site_digest(
    fingerprint: bytes, config: Config, templates: bytes, globals_bytes: bytes | None
) -> bytes:
    from transmit.build.cache import canonical

    return digest(fingerprint, canonical(config), templates, globals_bytes or b"\x00")


def page_digest(site: bytes, template: str, context_bytes: bytes) -> bytes:
    """`site` has a fixed length and a template name no NUL: the parts cannot run together."""
    return hashlib.sha256(b"".join((site, template.encode(), b"\x00", context_bytes))).digest()[:16]


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


# One page to render: (output path, template, context bytes, digest of the bytes already in
# place or None, file to write, whether its folder may need making).
PageTask = tuple[str, str, bytes, bytes | None, str, bool]


def render_pages(job: PageJob, tasks: Sequence[PageTask]) -> list[tuple[bytes, Sig | None]]:
    """Render each page and write it where the task says, unless its bytes are the ones
    already in place; returns (digest of the bytes, size and mtime of the file written or
    None), so no page travels back to the parent process."""
    from transmit.build.writer import write_file
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

    results: list[tuple[bytes, Sig | None]] = []
    for _path, template, data, before, target, make_parent in tasks:
        context = _decoder(data, load)
        if missing:
            raise MissingRender(missing)
        page = render_template(environment, template, context)
        content = digest(page)
        written = None if content == before else write_file(Path(target), page, make_parent)
        results.append((content, written))
    return results


def plan_pages(
    plan: Plan,
    assembly: Assembly,
    entries: Sequence[object],
    published: Sequence[SourceRecord],
    fingerprint: bytes,
    cache_dir: Path,
    memo: MarkMemo,
    staging: Staging,
    workers: Workers,
) -> dict[str, OutputRecord]:
    """Every page's record for the new manifest; pages to write are written into `staging`.
    A page whose digest and file are as recorded is not rendered; a rendered page whose bytes
    are the recorded ones is not written."""
    # How records appear in contexts: for digests, each by its render key alone; for
    # rendering, only the stub, which the renderer swaps for the cached full record.
    identities: dict[int, str] = {}
    references: dict[int, str] = {}
    for entry, record in zip(entries, published, strict=True):
        if record.key is not None:
            identities[id(entry)] = "e" + record.key
            identities[id(record.post)] = "p" + record.key
            identities[id(record.rendered)] = "r" + record.key
            references[id(record.rendered)] = record.key
    by_key, by_reference = Encoder(identities), Encoder(references)
    globals_bytes = by_reference.encode(assembly.globals)
    globals_mark = by_key.encode(assembly.globals)
    if globals_bytes is None or globals_mark is None:
        raise TypeError("template globals must be plain data (pickle-able records)")
    site = site_digest(fingerprint, plan.config, plan.inputs.template_digest, globals_mark)
    memo.restart(site)
    recorded = plan.previous.outputs if plan.previous is not None else {}

    def previous(path: str) -> OutputRecord | None:
        old = recorded.get(path)
        return old if old is not None and plan.intact(path, old) else None

    outputs: dict[str, OutputRecord] = {}
    todo: list[PageTask] = []
    marks: list[bytes] = []
    for page in assembly.pages:
        if not isinstance(page, TemplatePage):
            content = digest(page.data)
            old = previous(page.path)
            if old is not None and old[1] == content:
                outputs[page.path] = old
            else:
                outputs[page.path] = (content, content, *staging.put(page.path, page.data))
            continue
        mark = memo.get(page)
        if mark is None:
            data = by_key.encode(page.context)
            if data is None:
                raise TypeError(f"the context of {page.path} must be plain data (pickle-able)")
            mark = page_digest(site, page.template, data)
            memo.put(page, mark)
        old = previous(page.path)
        if old is not None and old[0] == mark:
            outputs[page.path] = old
            continue
        data = by_reference.encode(page.context)
        assert data is not None
        target = str(staging.place(page.path))
        todo.append((page.path, page.template, data, old and old[1], target, staging.whole))
        marks.append(mark)

    job = PageJob(
        plan.config, globals_bytes, cache_dir / "render", fingerprint, plan.inputs.template_digest
    )
    results = workers.map(render_pages, job, todo) if todo else []
    for task, mark, (content, written) in zip(todo, marks, results, strict=True):
        path = task[0]
        if written is None:  # the same bytes as the file in place: not rewritten
            staging.forget(path)
            old = recorded[path]
            outputs[path] = (mark, content, old[2], old[3])
        else:
            outputs[path] = (mark, content, *written)
    return outputs
