"""What one assembly of the site can hand the next in the same process (the dev server, which
assembles the whole site again after every edit): results that depend only on records that are
the very same objects as last time (records are frozen, so the same object is the same value).
Related posts, the slowest of them at 10,000 posts, are also handed to the next process
(`SavedRelated`, kept in the build cache), by a digest of all they depend on; so are posts'
page metadata (`build.memos`), by render key and configuration.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from transmit.build.cache import canonical
from transmit.config import Config
from transmit.site.entry import Entry
from transmit.site.metadata import PageMeta, post_meta
from transmit.site.related import related_posts

# What related posts depend on: each post's place, path, tags and categories.
RelatedKey = tuple[tuple[str, tuple[str, ...], tuple[tuple[str, ...], ...]], ...]


@dataclass(frozen=True, slots=True)
class SavedRelated:
    """Related posts by path, and the digest of the RelatedKey they were found for."""

    key: bytes
    related: dict[str, tuple[str, ...]]


def related_digest(key: RelatedKey) -> bytes:
    """A digest of the key's pickle (its repr took five times as long: 10 ms at 10,000 posts,
    in every build that assembles the site)."""
    return hashlib.sha256(canonical(key)).digest()


class AssemblyMemo:
    """Post metadata by entry, and related posts while no post's place, tags or categories
    changed. Without one (a one-off build), everything is computed."""

    def __init__(
        self,
        saved: SavedRelated | None = None,
        metas: Mapping[str, tuple[str | None, PageMeta]] | None = None,
    ) -> None:
        """`saved`, `metas`: what an earlier process found (`metas` for the configuration the
        first assembly is given)."""
        self._config: Config | None = None
        self._metas: dict[int, tuple[Entry, str | None, PageMeta]] = {}
        self._seen: dict[int, tuple[Entry, str | None, PageMeta]] = {}
        self._related_key: RelatedKey | None = None
        self._related: dict[str, tuple[str, ...]] = {}
        self._saved = saved
        # (not `metas or {}`: a saved mapping is read when asked, not to see if it is empty)
        self._saved_metas = {} if metas is None else metas
        self._made: dict[str, tuple[str | None, PageMeta]] = {}  # by render key, since `take_made`
        self.keys: list[str] = []  # the render keys of the posts of the current assembly
        self.found: SavedRelated | None = None  # found by this process, for the next one

    def begin(self, config: Config, entries: Sequence[Entry] = ()) -> None:
        """Start an assembly of `entries`: a changed configuration forgets everything; entries
        not seen in the last assembly are forgotten."""
        self.keys = [key for entry in entries if (key := _render_key(entry))]
        if config != self._config:
            if self._config is not None:
                self._saved_metas = {}
                self._made = {}
            self._config = config
            self._seen = {}
            self._related_key = None
        self._metas, self._seen = self._seen, {}

    def post_meta(self, config: Config, entry: Entry, section: str | None) -> PageMeta:
        found = self._metas.get(id(entry))
        if found is None or found[0] is not entry or found[1] != section:
            key = _render_key(entry)
            saved = None if key is None else self._saved_metas.get(key)
            if saved is not None and saved[0] == section:
                found = (entry, section, saved[1])
            else:
                found = (entry, section, post_meta(config, entry, section))
                if key is not None:
                    self._made[key] = (section, found[2])
        self._seen[id(entry)] = found
        return found[2]

    def take_made(self) -> dict[str, tuple[str | None, PageMeta]]:
        """The page metadata made anew since the last call, by render key, for the next
        process (pages' contexts are made when needed: a build makes few)."""
        made, self._made = self._made, {}
        return made

    def forget(self, entry: Entry) -> None:
        """`entry`'s rendered record was changed in place (the dev server's quick path)."""
        self._metas.pop(id(entry), None)
        self._seen.pop(id(entry), None)

    def related(self, posts: Sequence[Entry]) -> Mapping[str, tuple[Entry, ...]]:
        key: RelatedKey = tuple((e.post.path, e.post.tags, e.post.categories) for e in posts)
        if key != self._related_key:
            saved, self._saved = self._saved, None
            digest = related_digest(key)
            shown = {path for path, _tags, _categories in key}
            if saved is None or saved.key != digest or saved.related.keys() != shown:
                found = related_posts(posts)
                self._related_key = key
                self._related = {path: tuple(e.post.path for e in of) for path, of in found.items()}
                self.found = SavedRelated(digest, self._related)
                return found
            self._related_key, self._related = key, saved.related
        return RelatedPosts(self._related, posts)


class RelatedPosts(Mapping[str, tuple[Entry, ...]]):
    """Related posts found earlier, by path, as this assembly's entries: each post's made when
    asked for (by its page's context, made when the build needs it)."""

    def __init__(self, related: dict[str, tuple[str, ...]], posts: Sequence[Entry]) -> None:
        self._related = related
        self._by_path = {entry.post.path: entry for entry in posts}

    def __getitem__(self, path: str) -> tuple[Entry, ...]:
        return tuple(self._by_path[p] for p in self._related[path])

    def __iter__(self) -> Iterator[str]:
        return iter(self._related)

    def __len__(self) -> int:
        return len(self._related)


def _render_key(entry: Entry) -> str | None:
    """The render key of an entry the build made (its rendered record stands in for the one in
    the render cache); None for an entry made otherwise."""
    return getattr(entry.rendered, "key", None)


class NoMemo(AssemblyMemo):
    """Computes everything, keeps nothing."""

    def begin(self, config: Config, entries: Sequence[Entry] = ()) -> None:
        pass

    def post_meta(self, config: Config, entry: Entry, section: str | None) -> PageMeta:
        return post_meta(config, entry, section)

    def related(self, posts: Sequence[Entry]) -> dict[str, tuple[Entry, ...]]:
        return related_posts(posts)
