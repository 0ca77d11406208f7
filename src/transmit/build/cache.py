"""The content-addressed cache of rendered posts, in packs under `.transmit-cache/render/`.

The key is a digest of everything `render_post` reads: the whole Post record (source text,
front matter, path), the render options and the code fingerprint (transmit and its renderers'
versions). Each worker writes its own packs (`build.packs`), so workers write side by side
without a lock, and a rebuild reads just the posts it needs.

The build process keeps only *stubs*: the rendered record with its longest texts (body HTML,
plain and search text) replaced by `STUB`, so memory and the saved source records stay small
at 10,000 posts. Templates and site code see a `LazyRendered` in each entry: the stub's fields,
and the long ones read back from this cache when first asked for.

Beside each source's latest rendering lies where its formulas and code blocks are in its body
HTML (`render.fragments`), under the source's name: the source's next rendering, after an edit
or under new options, takes them from there instead of rendering them again.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import store
from transmit.build.inputs import stat_sig
from transmit.build.packs import PackWriter, pack_index

if TYPE_CHECKING:
    from transmit.content.post import Post
    from transmit.render.data import RenderedPost, RenderOptions
    from transmit.render.fragments import Span

Reads = tuple[tuple[str, tuple[int, int] | None], ...]  # (file, (mtime_ns, size) or None)
STUB = "<!-- transmit: read from the render cache when a page shows it -->"
# The long texts (and the headings) that only a post's own page, feeds and search read;
# listings and page metadata use the others (excerpt, contents list, counts) for every post on
# every build. (The headings are 60,000 small records at 10,000 posts: loaded with the saved
# records, they took a fifth of a rebuild's time to read them back.)
STUB_FIELDS = frozenset({"html", "text", "search_text", "toc"})
RECENT = 64  # full records each process keeps at hand (a page asks for several fields, a
# feed for FEED_LENGTH posts, and the dev server makes the same feeds again after each save)
_KIND = "render"


def canonical(value: object) -> bytes:
    """Pickle bytes that depend on values only, not on which objects happen to be shared."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: equal values give equal bytes
    pickler.dump(value)
    return buffer.getvalue()


def render_key(post: Post, options: RenderOptions, fingerprint: bytes) -> str:
    return store.digest(fingerprint, canonical(post), canonical(options)).hex()


def fragments_key(source: str) -> str:
    """The entry that says where the formulas and code of `source`'s latest rendering are
    (one per source, not per rendering: the next rendering looks for it by name alone)."""
    return "fragments:" + source


def stub_of(rendered: RenderedPost) -> RenderedPost:
    return dataclasses.replace(rendered, **dict.fromkeys(STUB_FIELDS, STUB))


def body_less(post: Post) -> Post:
    """The Post as listings and templates need it: the Markdown source is the renderer's alone."""
    return dataclasses.replace(post, body="")


class RenderCache:
    """Rendered posts on disk, by key, in packs (`build.packs`); a damaged or foreign entry
    reads as a miss. Saved posts are gathered and written a pack at a time: `flush` writes
    the rest. Made once per build (and per batch in a worker): it looks at the folder
    then, taking in packs other processes wrote and leaving out packs damaged since."""

    def __init__(self, root: Path, fingerprint: bytes) -> None:
        self.root = root
        self.fingerprint = fingerprint
        self._packs = pack_index(root, _KIND, fingerprint)
        self._packs.rescan()
        self._writer = PackWriter(self._packs)
        self._recent: dict[str, tuple[RenderedPost, Reads]] = {}

    def load(self, key: str, reads: Reads) -> RenderedPost | None:
        """The rendered post saved under `key` by the render that saw the other files as
        `reads` (the record's, checked when the build read its source). A post rendered again
        under the same key, because an image it shows changed, leaves the older rendering in
        an older pack: the one whose reads are the record's is the one wanted."""
        found = self._recent.get(key)
        if found is None or found[1] != reads:
            found = self._loaded(key, self._packs.read(key))
        if found is not None and found[1] == reads:
            return found[0]
        for entry, data in self._packs.others(key):
            found = self._loaded(key, data)
            if found is not None and found[1] == reads:
                self._packs.prefer(key, entry)
                return found[0]
        return None

    def load_current(self, key: str) -> tuple[RenderedPost, Reads] | None:
        """The rendered post saved under `key` with the other files its render looked at (an
        image's size, say), only while each is as it was then: otherwise the post must be
        rendered again. Asked before rendering, so a miss does not look at the folder again:
        a post another worker saved a moment ago is rendered again, no harm done."""
        if (found := self._recent.get(key)) is None and self._packs.locate(key) is not None:
            found = self._loaded(key, self._packs.read(key))
        if found is None or any(stat_sig(name) != seen for name, seen in found[1]):
            return None
        return found

    def _loaded(self, key: str, data: bytes | None) -> tuple[RenderedPost, Reads] | None:
        from transmit.render.data import RenderedPost

        if data is None:
            return None
        try:
            found = store.safe_loads(data)
        except Exception:  # any damage that slipped past the checksum: not trusted
            return None
        if (
            not isinstance(found, tuple)
            or len(found) != 2
            or not isinstance(found[0], RenderedPost)
            or found[0].html == STUB
        ):
            return None
        if len(self._recent) >= RECENT:
            self._recent.pop(next(iter(self._recent)))
        self._recent[key] = found
        return found

    def save(self, key: str, rendered: RenderedPost, reads: Reads) -> None:
        self._recent.pop(key, None)  # an earlier rendering under the same key
        self._writer.add(key, store.dumps((rendered, reads)))

    def save_fragments(
        self, source: str, key: str, rendered: RenderedPost, spans: tuple[Span, ...]
    ) -> None:
        """Note where the rendering of `source` saved under `key` has its formulas and code
        (with a digest of its body, so that no other rendering is ever read with them)."""
        if spans:
            record = (key, store.digest(rendered.html), spans)
            self._writer.add(fragments_key(source), store.dumps(record))

    def earlier_fragments(self, source: str) -> dict[bytes, str]:
        """The formulas and code of the latest rendering of `source` that the cache still
        holds whole, by fragment key; none when it holds none."""
        from transmit.render.fragments import taken_from

        entry = fragments_key(source)
        if self._packs.locate(entry) is None:  # no look at the folder: a cold build asks often
            return {}
        try:
            key, body, spans = store.safe_loads(self._packs.read(entry) or b"")
            for rendered in self._renderings(key):
                if store.digest(rendered.html) == body:
                    return taken_from(rendered.html, spans)
        except Exception:  # damaged, or not ours: nothing is taken from it
            pass
        return {}

    def _renderings(self, key: str) -> Iterator[RenderedPost]:
        """Every rendering saved under `key`: first the one `load` would read, then older ones."""
        if (found := self._loaded(key, self._packs.read(key))) is not None:
            yield found[0]
        for _, data in self._packs.others(key):
            if (found := self._loaded(key, data)) is not None:
                yield found[0]

    def flush(self) -> None:
        """Write what `save` gathered."""
        self._writer.flush()

    def sweep(self, keep: Iterable[str], gone: Collection[str] | None = None) -> int:
        """Delete every rendered post that is not one of `keep` (old versions, leftovers), and
        rewrite packs left mostly unwanted; returns how many files went. `gone`: the keys
        dropped since the last sweep, when known (only their packs are looked at)."""
        self.flush()
        return self._packs.keep_only(set(keep), gone)


class ReadLog:
    """Which posts' rendered records the page being rendered reads: a page is rendered again
    only when one of those changes (or its context does), not whenever a post it merely
    mentions (a tag's other posts, say) is edited."""

    def __init__(self) -> None:
        self.current: list[str] | None = None


class LazyRendered:
    """A rendered post as entries carry it: the stub's fields at once, the long texts read from
    the render cache on first use (by a template, a feed, the search index). Stands in for
    RenderedPost wherever its fields are read, and notes each read in the ReadLog."""

    __slots__ = ("_cache", "_key", "_log", "_reads", "_source", "_stub")

    def __init__(
        self,
        stub: RenderedPost,
        key: str,
        reads: Reads,
        cache: RenderCache,
        source: str,
        log: ReadLog,
    ) -> None:
        self._stub = stub
        self._key = key
        self._reads = reads  # the other files the render saw: which rendering under `key`
        self._cache = cache
        self._source = source
        self._log = log

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):  # an unset slot (while unpickling), or a protocol probe
            raise AttributeError(name)
        self.note_read()
        if name in STUB_FIELDS:
            full = self._cache.load(self._key, self._reads)
            if full is None:
                from transmit.build.pages import MissingRender

                raise MissingRender([self._key])
            return getattr(full, name)
        return getattr(self._stub, name)

    @property
    def key(self) -> str:
        """The render key of the record this stands for (not a field: not a read)."""
        return self._key

    @property
    def stub(self) -> RenderedPost:
        """The record without its long texts: a new one for each rendering of the post, even
        one under the same key (an image it shows changed), so it tells renderings apart (not
        a field: not a read)."""
        return self._stub

    def note_read(self) -> None:
        """Note a read of the record, as reading a field would, without loading anything (for
        a reader that has what it needs of the record by its key)."""
        if self._log.current is not None:
            self._log.current.append(self._source)

    def retarget(self, stub: RenderedPost, key: str, reads: Reads) -> None:
        """The post was rendered again with the same metadata (the dev server's quick path):
        every page holding this record reads the new rendering from now on."""
        self._stub = stub
        self._key = key
        self._reads = reads

    def __repr__(self) -> str:
        return f"LazyRendered({self._source})"
