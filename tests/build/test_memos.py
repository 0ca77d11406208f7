"""Saved page metadata: read a shard at a time when asked for, trusted only as far as each row
fits, and saved into the shards of what a build made."""

from __future__ import annotations

import operator
from pathlib import Path

import pytest

from transmit.build import memos, store
from transmit.build.memos import SavedMetas
from transmit.site.metadata import PageMeta

FINGERPRINT = store.digest("memos test")
CONFIG = store.digest("config")


def meta(n: int) -> PageMeta:
    return PageMeta(*(f"v{n}.{i}" for i in range(len(store.field_names(PageMeta)))))  # type: ignore[arg-type]


def row(n: int) -> tuple[object, ...]:
    return operator.attrgetter(*store.field_names(PageMeta))(meta(n))


def save(cache: Path, made: dict[str, tuple[str | None, PageMeta]], keys: list[str]) -> None:
    memos._save_metas(cache, FINGERPRINT, CONFIG, made, keys)


def counting_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    loaded: list[Path] = []
    real = store.load

    def load(path: Path, *args: object) -> object:
        loaded.append(path)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "load", load)
    return loaded


def test_a_key_asked_for_reads_its_shard_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [f"key{n}" for n in range(200)]
    save(tmp_path, {key: ("ML", meta(n)) for n, key in enumerate(keys)}, keys)
    assert len(list((tmp_path / "metas").iterdir())) == memos.METAS_SHARDS
    loaded = counting_loads(monkeypatch)
    saved = SavedMetas(tmp_path, FINGERPRINT, CONFIG)
    assert saved["key7"] == ("ML", meta(7)) and saved["key7"] is saved["key7"]  # made once
    assert "key7" in saved and "key8" in saved and saved.get("other") is None
    assert len({path.name for path in loaded}) <= 3 and len(loaded) == len(set(loaded))
    assert sorted(saved) == sorted(keys) and len(saved) == 200


def test_saving_keeps_the_rows_of_posts_still_on_the_site_and_adds_the_new(tmp_path: Path) -> None:
    keys = [f"key{n}" for n in range(200)]
    save(tmp_path, {key: ("ML", meta(n)) for n, key in enumerate(keys)}, keys)
    shard = memos._shard_of("new")
    near = next(key for key in keys if memos._shard_of(key) == shard)
    far = next(key for key in keys if memos._shard_of(key) != shard)
    still = [key for key in keys if key not in (near, far)] + ["new"]
    save(tmp_path, {"new": (None, meta(999))}, still)  # writes the shard of "new" alone
    saved = SavedMetas(tmp_path, FINGERPRINT, CONFIG)
    assert saved["new"] == (None, meta(999)) and all(saved[key] for key in still)
    assert near not in saved  # left out of the shard written again
    assert far in saved  # a shard not written keeps its rows (no harm: a key nobody asks for)


@pytest.mark.parametrize("damage", ["another config", "another shape", "not rows", "bad row"])
def test_rows_saved_otherwise_are_missing(tmp_path: Path, damage: str) -> None:
    names = store.field_names(PageMeta)
    rows: object = {"k1": ("ML", row(1)), "k2": ("ML", row(2))}
    config = CONFIG
    if damage == "another config":
        config = store.digest("other")
    elif damage == "another shape":
        names = names[:-1]
    elif damage == "not rows":
        rows = [rows]
    else:
        rows = {"k1": ("ML", (*row(1), "extra")), "k2": "garbage"}
    for shard in {memos._shard_of("k1"), memos._shard_of("k2")}:
        path = memos._shard_path(tmp_path, shard)
        store.save(path, "metas", FINGERPRINT, (config, names, rows))
    saved = SavedMetas(tmp_path, FINGERPRINT, CONFIG)
    assert saved.get("k1") is None and saved.get("k2") is None and saved.get("k3") is None
