"""The content-addressed cache of rendered posts, one file per post under `.transmit-cache/render/`.

The key is a digest of everything `render_post` reads: the whole Post record (source text,
front matter, path), the render options and the code fingerprint (transmit and its renderers'
versions). One file per key lets worker processes write side by side without a lock, and a
rebuild read just the posts it needs.

The build process itself keeps only *stubs*: the rendered record with its long texts (body and
excerpt HTML, plain text) replaced by `STUB`; the full record is read back from this cache
when a page that shows it is rendered (see `build.pages`), so memory and the saved source
records stay small at 10,000 posts. Code that needs a post's text outside a template reads
the full record: `RenderCache.load(key)`.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import store

if TYPE_CHECKING:
    from transmit.content.post import Post
    from transmit.render.document import RenderedPost, RenderOptions

CACHE_DIR = ".transmit-cache"
STUB = "<!-- transmit: read from the render cache when a page shows it -->"
STUB_FIELDS = ("html", "excerpt_html", "text")  # the long ones
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


def stub_of(rendered: RenderedPost) -> RenderedPost:
    return dataclasses.replace(rendered, **dict.fromkeys(STUB_FIELDS, STUB))


def body_less(post: Post) -> Post:
    """The Post as listings and templates need it: the Markdown source is the renderer's alone."""
    return dataclasses.replace(post, body="")


class RenderCache:
    """Rendered posts on disk, by key; a damaged or foreign file reads as a miss."""

    def __init__(self, root: Path, fingerprint: bytes) -> None:
        self.root = root
        self.fingerprint = fingerprint

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def load(self, key: str) -> RenderedPost | None:
        from transmit.render.document import RenderedPost

        found = store.load(self.path(key), _KIND, self.fingerprint, RenderedPost)
        return found if found is None or found.html != STUB else None

    def save(self, key: str, rendered: RenderedPost) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        store.write_atomic(target, store.pack(_KIND, self.fingerprint, store.dumps(rendered)))

    def remove(self, keys: Iterable[str]) -> None:
        for key in keys:
            if key:
                self.path(key).unlink(missing_ok=True)

    def sweep(self, keep: Iterable[str]) -> int:
        """Delete every file that is not one of `keep` (old versions, leftovers); returns how
        many went."""
        wanted = set(keep)
        removed = 0
        if not self.root.is_dir():
            return 0
        for shard in os.scandir(self.root):
            if not shard.is_dir(follow_symlinks=False):
                Path(shard.path).unlink(missing_ok=True)
                removed += 1
                continue
            for entry in os.scandir(shard.path):
                if entry.name not in wanted:
                    Path(entry.path).unlink(missing_ok=True)
                    removed += 1
        return removed
