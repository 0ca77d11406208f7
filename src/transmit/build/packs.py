"""Cache entries kept many to a file ("packs"), each pack written whole by one process.

A file per entry cost a cold build more than the entries' bytes: at 1,000 posts the render
cache made 1,000 files and 256 folders, and on a file system that has just deleted as many
(`rm -rf` before a fresh build) creating each file costs a millisecond of kernel time. A
worker now writes one pack per batch of posts: a cold build at 1,000 posts makes about twenty.

A pack: the common header (magic, kind, code fingerprint), the checksum and length of its
index, the index (key, length and checksum of each entry, in order), then the entries. Its
name is the index's digest, so two processes writing the same entries write the same file,
and no pack is ever changed in place: it is written under a temporary name and renamed, and
removed once none of its entries is wanted. A pack whose header, index or size is not as
written is ignored as a whole; an entry whose bytes do not match its checksum reads as missing.

Each process keeps one `PackIndex` per folder, from key to where its entry lies. It is a hint,
checked on use: a key not found, or found in a pack that is gone, makes the index look at the
folder again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from transmit.build import store

PACK_ENTRIES = 64  # entries a writer gathers before it writes a pack
PACK_BYTES = 8 << 20  # ... or bytes, whichever comes first
SMALL_PACK = 8  # packs with fewer entries (the dev server writes one per edit) ...
MERGE_SMALL_AT = 16  # ... are merged into one when there are this many
_NAME = re.compile(r"[0-9a-f]{32}")
_LENGTH = 8

Entry = tuple[str, int, int, bytes]  # pack name, offset, length, checksum
Payload = tuple[str, bytes]  # key, entry bytes
Sig = tuple[int, int, int]  # inode, mtime_ns, size


@dataclass(slots=True)
class _Pack:
    start: int  # where the first entry begins
    rows: tuple[tuple[str, int, bytes], ...]  # key, length, checksum of each entry, in order
    sig: Sig  # as the pack's index was read: a pack changed since is read again

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(row[0] for row in self.rows)

    def entries(self, name: str) -> Iterator[tuple[str, Entry]]:
        offset = self.start
        for key, length, checksum in self.rows:
            yield key, (name, offset, length, checksum)
            offset += length


@dataclass(slots=True)
class PackIndex:
    """Where each key's entry lies among the packs of one folder, as this process last saw."""

    root: Path
    kind: str
    fingerprint: bytes
    entries: dict[str, Entry] = field(default_factory=dict)
    packs: dict[str, _Pack] = field(default_factory=dict)

    def locate(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def rescan(self) -> None:
        """Take in packs written since the last look (by any process), and packs changed since
        (damaged: read again, and left out unless whole); forget vanished ones."""
        found: dict[str, Sig] = {}
        try:
            with os.scandir(self.root) as entries:
                for entry in entries:
                    if _NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                        stat = entry.stat(follow_symlinks=False)
                        found[entry.name] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except OSError:
            pass
        for name, pack in list(self.packs.items()):
            if found.get(name) != pack.sig:
                self._forget(name)
        # oldest first, so a key in two packs lies where it was written last
        for name in sorted(found.keys() - self.packs.keys(), key=lambda n: (found[n][1], n)):
            self._take(name)

    def read(self, key: str) -> bytes | None:
        """The bytes of `key`'s entry, whole and as written; None if it has none (any more)."""
        for attempt in range(2):
            entry = self.entries.get(key)
            if entry is None:
                if attempt == 0:
                    self.rescan()
                    continue
                return None
            try:
                return self._read_at(entry)
            except FileNotFoundError:  # merged or swept by another build meanwhile
                self._forget(entry[0])
                self.rescan()
        return None

    def others(self, key: str) -> Iterator[tuple[Entry, bytes]]:
        """`key`'s entries in packs other than the one `read` takes it from, newest first,
        with their bytes (those whole and as written): a key written twice with different
        contents (a post rendered again because an image it shows changed) leaves the older
        entry in an older pack, which a reader may be the one to want."""
        self.rescan()
        current = self.entries.get(key)
        for name, pack in self._newest_first():
            for other, entry in pack.entries(name):
                if other == key and entry != current:
                    try:
                        data = self._read_at(entry)
                    except OSError:
                        continue
                    if data is not None:
                        yield entry, data

    def prefer(self, key: str, entry: Entry) -> None:
        """Read `key` from `entry` from now on (one of `others`)."""
        self.entries[key] = entry

    def write(self, payloads: Sequence[Payload]) -> str:
        """One pack of these entries (at least one), taken into the index at once; its name."""
        rows = tuple((key, len(data), store.digest(data)) for key, data in payloads)
        index = store.dumps(rows)
        checksum = store.digest(index)
        head = b"".join(
            (store.tag(self.kind, self.fingerprint), checksum, len(index).to_bytes(_LENGTH, "big"))
        )
        name = checksum.hex()
        target = self.root / name
        self.root.mkdir(parents=True, exist_ok=True)
        store.write_atomic(target, b"".join((head, index, *(d for _, d in payloads))))
        stat = os.stat(target)
        sig = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        self._register(name, len(head) + len(index), rows, sig)
        return name

    def keep_only(self, keep: Collection[str], gone: Collection[str] | None = None) -> int:
        """Remove every pack none of `keep` lies in; rewrite packs mostly unwanted, and merge
        many small ones. `gone`: the keys no longer wanted, when known (an edit): only their
        packs and the small ones are looked at. Otherwise every pack is, and everything in the
        folder that is not a pack goes too. Returns how many files went."""
        self.rescan()
        if gone is None:
            removed = _remove_strays(self.root, self.packs.keys())
            names: Collection[str] = list(self.packs)
        else:
            removed = 0
            names = {self.entries[k][0] for k in gone if k in self.entries}
            names |= {n for n, pack in self.packs.items() if len(pack.keys) < SMALL_PACK}
        live: dict[str, list[str]] = {}
        for name in names:
            keys = self.packs[name].keys
            live[name] = [k for k in keys if k in keep and self._lies_in(k, name)]
        for name in [n for n, keys in live.items() if not keys]:
            removed += self._remove(name)
            del live[name]
        sparse = [n for n, keys in live.items() if 2 * self._size(keys) < self._size_of(n)]
        small = [n for n, keys in live.items() if len(keys) < SMALL_PACK and n not in sparse]
        redo = sparse + (small if len(small) >= MERGE_SMALL_AT else [])
        if redo:
            written = self._rewrite(redo, live)
            removed += sum(self._remove(name) for name in redo if name not in written)
        return removed

    # -- inside --------------------------------------------------------------------------

    def _newest_first(self) -> list[tuple[str, _Pack]]:
        return sorted(self.packs.items(), key=lambda item: (item[1].sig[1], item[0]), reverse=True)

    def _read_at(self, entry: Entry) -> bytes | None:
        """An entry's bytes when whole and as written; raises FileNotFoundError for a pack
        that is gone."""
        name, offset, length, checksum = entry
        try:
            with open(self.root / name, "rb") as handle:
                handle.seek(offset)
                data = handle.read(length)
        except FileNotFoundError:
            raise
        except OSError:
            return None
        return data if len(data) == length and store.digest(data) == checksum else None

    def _take(self, name: str) -> None:
        """Read a pack's index; a pack that is not whole and ours is left out."""
        tag = store.tag(self.kind, self.fingerprint)
        head_size = len(tag) + store.DIGEST_SIZE + _LENGTH
        try:
            with open(self.root / name, "rb") as handle:
                head = handle.read(head_size)
                if len(head) != head_size or not head.startswith(tag):
                    return
                checksum = head[len(tag) : len(tag) + store.DIGEST_SIZE]
                length = int.from_bytes(head[-_LENGTH:], "big")
                stat = os.fstat(handle.fileno())
                size = stat.st_size
                if length > size - head_size:  # a damaged length: not read at all
                    return
                index = handle.read(length)
        except OSError:
            return
        if len(index) != length or store.digest(index) != checksum:
            return
        try:
            rows = store.safe_loads(index)
        except Exception:  # damage that slipped past the checksum: not trusted
            return
        if not _rows_valid(rows) or size != head_size + length + sum(r[1] for r in rows):
            return
        self._register(name, head_size + length, rows, (stat.st_ino, stat.st_mtime_ns, size))

    def _register(
        self, name: str, offset: int, rows: Sequence[tuple[str, int, bytes]], sig: Sig
    ) -> None:
        pack = _Pack(offset, tuple(rows), sig)
        self.packs[name] = pack
        self.entries.update(pack.entries(name))

    def _forget(self, name: str) -> None:
        """Drop a pack from the index; its keys that another pack holds too lie there now."""
        pack = self.packs.pop(name, None)
        if pack is None:
            return
        orphans = set()
        for key in pack.keys:
            if (entry := self.entries.get(key)) is not None and entry[0] == name:
                del self.entries[key]
                orphans.add(key)
        for other, held in self._newest_first():
            if not orphans:
                break
            for key, entry in held.entries(other):
                if key in orphans:
                    self.entries[key] = entry
                    orphans.discard(key)

    def _remove(self, name: str) -> int:
        self._forget(name)
        try:
            (self.root / name).unlink()
        except FileNotFoundError:
            return 0
        return 1

    def _lies_in(self, key: str, name: str) -> bool:
        entry = self.entries.get(key)
        return entry is not None and entry[0] == name

    def _size(self, keys: Collection[str]) -> int:
        return sum(self.entries[key][2] for key in keys)

    def _size_of(self, name: str) -> int:
        return sum(row[1] for row in self.packs[name].rows)

    def _rewrite(self, names: Sequence[str], live: dict[str, list[str]]) -> set[str]:
        """The wanted entries of `names` into new packs (entries that fail their checksum are
        dropped: whoever needs them renders them again); the names of the packs written (one
        may be an old one written again, entry for entry)."""
        written: set[str] = set()
        batch: list[Payload] = []
        size = 0
        for name in names:
            for key in live[name]:
                data = self.read(key)
                if data is None:
                    continue
                batch.append((key, data))
                size += len(data)
                if len(batch) >= PACK_ENTRIES or size >= PACK_BYTES:
                    written.add(self.write(batch))
                    batch, size = [], 0
        if batch:
            written.add(self.write(batch))
        return written


def _rows_valid(rows: object) -> bool:
    return isinstance(rows, tuple) and all(
        isinstance(row, tuple)
        and len(row) == 3
        and isinstance(row[0], str)
        and isinstance(row[1], int)
        and row[1] >= 0
        and isinstance(row[2], bytes)
        for row in rows
    )


def _remove_strays(root: Path, packs: Collection[str]) -> int:
    """Anything in a pack folder that is not a pack of ours: leftovers, damaged packs, the
    folders of an older layout."""
    import shutil

    removed = 0
    try:
        found = list(os.scandir(root))
    except OSError:
        return 0
    for entry in found:
        if entry.name in packs:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)
        removed += 1
    return removed


@cache
def pack_index(root: Path, kind: str, fingerprint: bytes) -> PackIndex:
    """The one index a process keeps of a pack folder (forked workers start from their
    parent's), so that a build, and each build of the dev server, reads only new packs."""
    return PackIndex(root, kind, fingerprint)


class PackWriter:
    """Entries gathered and written a pack at a time."""

    def __init__(self, index: PackIndex) -> None:
        self.index = index
        self._pending: list[Payload] = []
        self._size = 0

    def add(self, key: str, data: bytes) -> None:
        self._pending.append((key, data))
        self._size += len(data)
        if len(self._pending) >= PACK_ENTRIES or self._size >= PACK_BYTES:
            self.flush()

    def flush(self) -> None:
        pending, self._pending, self._size = self._pending, [], 0
        if pending:
            self.index.write(pending)
