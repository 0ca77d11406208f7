"""What assembly hands the next process through the build cache: related posts and posts' page
metadata, the two slowest things to make again at 10,000 posts (`site.memo` keeps them within a
process, and checks what it is handed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import store

if TYPE_CHECKING:
    from transmit.site.memo import AssemblyMemo, SavedMetas, SavedRelated

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
    return AssemblyMemo(_load_related(cache_dir, fingerprint), metas and metas.metas)


def save_assembly_memo(
    cache_dir: Path, fingerprint: bytes, memo: AssemblyMemo, config: bytes
) -> None:
    """Related posts found anew; page metadata when much of it was made anew (`config`: the
    digest of the configuration it was made with)."""
    from transmit.site.memo import SavedMetas

    if (found := memo.found) is not None:
        _save_related(cache_dir, fingerprint, found)
        memo.found = None
    if memo.made_metas >= SAVE_METAS_AFTER:
        _save_metas(cache_dir, fingerprint, SavedMetas(config, memo.take_metas()))


def _load_related(cache_dir: Path, fingerprint: bytes) -> SavedRelated | None:
    """Related posts as the last build found them (checked against the posts by the memo)."""
    from transmit.site.memo import SavedRelated

    return store.load(cache_dir / _RELATED, _RELATED, fingerprint, SavedRelated)


def _save_related(cache_dir: Path, fingerprint: bytes, related: SavedRelated) -> None:
    store.save(cache_dir / _RELATED, _RELATED, fingerprint, related)


def _load_metas(cache_dir: Path, fingerprint: bytes, config: bytes) -> SavedMetas | None:
    """Posts' page metadata as the last process that saved them made them, if made with the
    configuration whose digest is `config`."""
    from transmit.site.memo import SavedMetas

    found = store.load(cache_dir / _METAS, _METAS, fingerprint, SavedMetas)
    return found if found is not None and found.config == config else None


def _save_metas(cache_dir: Path, fingerprint: bytes, metas: SavedMetas) -> None:
    store.save(cache_dir / _METAS, _METAS, fingerprint, metas)
