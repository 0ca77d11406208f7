"""What assembly hands the next process through the build cache: related posts and posts' page
metadata, the two slowest things to make again at 10,000 posts (`site.memo` keeps them within a
process, and checks what it is handed).

Page metadata is saved by render key in shards, as rows of plain values (`store.field_names`):
10,000 PageMeta took 0.1 s to unpickle, and a build whose layout is the last one's asks for a
few posts' metadata (the edited ones'), so it reads a shard or two of 14 MB, and writes the
shards of what it made."""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import store

if TYPE_CHECKING:
    from transmit.site.memo import AssemblyMemo, SavedRelated
    from transmit.site.metadata import PageMeta

Meta = tuple["str | None", "PageMeta"]  # (section, metadata)
Row = tuple["str | None", tuple[object, ...]]  # (section, the PageMeta's values)

_RELATED = "related"
_METAS = "metas"
METAS_SHARDS = 64


def load_assembly_memo(cache_dir: Path, fingerprint: bytes, config: bytes) -> AssemblyMemo:
    """A memo with what earlier processes saved; `config`: the digest of the configuration
    the first assembly is made with."""
    from transmit.site.memo import AssemblyMemo

    metas = SavedMetas(cache_dir, fingerprint, config)
    return AssemblyMemo(_load_related(cache_dir, fingerprint), metas)


def save_assembly_memo(
    cache_dir: Path, fingerprint: bytes, memo: AssemblyMemo, config: bytes
) -> None:
    """Related posts found anew; page metadata made anew (`config`: the digest of the
    configuration it was made with), into its shards."""
    if (found := memo.found) is not None:
        _save_related(cache_dir, fingerprint, found)
        memo.found = None
    if made := memo.take_made():
        _save_metas(cache_dir, fingerprint, config, made, memo.keys)


def _load_related(cache_dir: Path, fingerprint: bytes) -> SavedRelated | None:
    """Related posts as the last build found them (checked against the posts by the memo)."""
    from transmit.site.memo import SavedRelated

    return store.load(cache_dir / _RELATED, _RELATED, fingerprint, SavedRelated)


def _save_related(cache_dir: Path, fingerprint: bytes, related: SavedRelated) -> None:
    store.save(cache_dir / _RELATED, _RELATED, fingerprint, related)


def _shard_of(key: str) -> int:
    return store.shard_of(key, METAS_SHARDS)


def _shard_path(cache_dir: Path, shard: int) -> Path:
    return cache_dir / _METAS / f"{shard:02}"


def _load_shard(cache_dir: Path, fingerprint: bytes, config: bytes, shard: int) -> dict[str, Row]:
    """One shard's rows, if saved with the configuration whose digest is `config` by this
    version (else none)."""
    from transmit.site.metadata import PageMeta

    found = store.load(_shard_path(cache_dir, shard), _METAS, fingerprint, tuple)
    try:
        saved_config, names, rows = found  # type: ignore[misc]
    except (TypeError, ValueError):  # missing, or not rows this version writes
        return {}
    if saved_config != config or names != store.field_names(PageMeta):
        return {}
    return rows if isinstance(rows, dict) else {}


def _save_metas(
    cache_dir: Path,
    fingerprint: bytes,
    config: bytes,
    made: Mapping[str, Meta],
    keys: Collection[str],
) -> None:
    """Write the shards `made` falls in: each with its saved rows for posts still on the site
    (`keys`) and the new ones."""
    from transmit.site.metadata import PageMeta

    names = store.field_names(PageMeta)
    values = operator.attrgetter(*names)
    new: dict[int, dict[str, Row]] = {}
    for key, (section, meta) in made.items():
        new.setdefault(_shard_of(key), {})[key] = (section, values(meta))
    current = set(keys)
    for shard, rows in new.items():
        saved = _load_shard(cache_dir, fingerprint, config, shard)
        kept = {key: row for key, row in saved.items() if key in current}
        kept.update(rows)
        store.save(_shard_path(cache_dir, shard), _METAS, fingerprint, (config, names, kept))


class SavedMetas(Mapping[str, Meta]):
    """Saved page metadata by render key: each shard read when a key in it is first asked
    for, each row made a PageMeta when first asked for."""

    def __init__(self, cache_dir: Path, fingerprint: bytes, config: bytes) -> None:
        self._where = (cache_dir, fingerprint, config)
        self._shards: dict[int, dict[str, Row]] = {}
        self._made: dict[str, Meta] = {}

    def _rows(self, shard: int) -> dict[str, Row]:
        rows = self._shards.get(shard)
        if rows is None:
            rows = self._shards[shard] = _load_shard(*self._where, shard)
        return rows

    def __getitem__(self, key: str) -> Meta:
        from transmit.site.metadata import PageMeta

        found = self._made.get(key)
        if found is None:
            try:
                section, values = self._rows(_shard_of(key))[key]
                found = (section, PageMeta(*values))
            except (TypeError, ValueError):  # a row that does not fit: made again instead
                raise KeyError(key) from None
            self._made[key] = found
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._rows(_shard_of(key))

    def __iter__(self) -> Iterator[str]:
        for shard in range(METAS_SHARDS):
            yield from self._rows(shard)

    def __len__(self) -> int:
        return sum(len(self._rows(shard)) for shard in range(METAS_SHARDS))
