"""What assembly hands the next process through the build cache: related posts and posts' page
metadata, the two slowest things to make again at 10,000 posts (`site.memo` keeps them within a
process, and checks what it is handed). Page metadata is saved as rows of plain values
(`store.field_names`): 10,000 PageMeta took 0.1 s to unpickle."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import store

if TYPE_CHECKING:
    from transmit.site.memo import AssemblyMemo, SavedRelated
    from transmit.site.metadata import PageMeta

Metas = Mapping[str, tuple[str | None, "PageMeta"]]  # by render key: (section, metadata)

_RELATED = "related"
_METAS = "metas"
# Page metadata made anew by a process before it saves all of it again for the next: redoing
# a few edited posts' is cheaper than saving 10,000.
SAVE_METAS_AFTER = 64


def load_assembly_memo(cache_dir: Path, fingerprint: bytes, config: bytes) -> AssemblyMemo:
    """A memo with what earlier processes saved; `config`: the digest of the configuration
    the first assembly is made with."""
    from transmit.site.memo import AssemblyMemo

    metas = _load_metas(cache_dir, fingerprint, config)
    return AssemblyMemo(_load_related(cache_dir, fingerprint), metas)


def save_assembly_memo(
    cache_dir: Path, fingerprint: bytes, memo: AssemblyMemo, config: bytes
) -> None:
    """Related posts found anew; page metadata when much of it was made anew (`config`: the
    digest of the configuration it was made with)."""
    if (found := memo.found) is not None:
        _save_related(cache_dir, fingerprint, found)
        memo.found = None
    if memo.made_metas >= SAVE_METAS_AFTER:
        _save_metas(cache_dir, fingerprint, config, memo.take_metas())


def _load_related(cache_dir: Path, fingerprint: bytes) -> SavedRelated | None:
    """Related posts as the last build found them (checked against the posts by the memo)."""
    from transmit.site.memo import SavedRelated

    return store.load(cache_dir / _RELATED, _RELATED, fingerprint, SavedRelated)


def _save_related(cache_dir: Path, fingerprint: bytes, related: SavedRelated) -> None:
    store.save(cache_dir / _RELATED, _RELATED, fingerprint, related)


def _load_metas(cache_dir: Path, fingerprint: bytes, config: bytes) -> Metas | None:
    """Posts' page metadata as the last process that saved them made them, if made with the
    configuration whose digest is `config`."""
    from transmit.site.metadata import PageMeta

    found = store.load(cache_dir / _METAS, _METAS, fingerprint, tuple)
    try:
        saved_config, names, rows = found  # type: ignore[misc]
        if saved_config != config or names != store.field_names(PageMeta):
            return None
    except (TypeError, ValueError):  # not rows this version writes
        return None
    return MetaRows(rows, PageMeta) if isinstance(rows, dict) else None


class MetaRows(Mapping[str, tuple[str | None, "PageMeta"]]):
    """Saved page metadata by render key, each made a PageMeta when first asked for: a build
    whose layout is the last one's asks for a few of 10,000."""

    def __init__(self, rows: dict[str, tuple[str | None, tuple[object, ...]]], kind: type) -> None:
        self._rows = rows
        self._kind = kind
        self._made: dict[str, tuple[str | None, PageMeta]] = {}

    def __getitem__(self, key: str) -> tuple[str | None, PageMeta]:
        found = self._made.get(key)
        if found is None:
            try:
                section, values = self._rows[key]
                found = (section, self._kind(*values))
            except (TypeError, ValueError):  # a row that does not fit: made again instead
                raise KeyError(key) from None
            self._made[key] = found
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _save_metas(cache_dir: Path, fingerprint: bytes, config: bytes, metas: Metas) -> None:
    from transmit.site.metadata import PageMeta

    names = store.field_names(PageMeta)
    values = operator.attrgetter(*names)
    rows = {key: (section, values(meta)) for key, (section, meta) in metas.items()}
    store.save(cache_dir / _METAS, _METAS, fingerprint, (config, names, rows))
