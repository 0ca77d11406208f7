"""Packs of cache entries: read back whole or not at all, found again after another process
moved them, and swept down to what is wanted."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transmit.build import packs, store
from transmit.build.packs import PackIndex, PackWriter

FINGERPRINT = store.digest("test")
SMALL = packs.SMALL_PACK  # entries enough for a pack not to count as small


def index_of(root: Path, fingerprint: bytes = FINGERPRINT) -> PackIndex:
    """A fresh index, as a new process has it."""
    index = PackIndex(root, "test", fingerprint)
    index.rescan()
    return index


def payloads(*keys: str) -> list[tuple[str, bytes]]:
    return [(key, f"entry of {key} ".encode() * 20) for key in keys]


def pack_files(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_file())


def test_entries_read_back_in_another_process(tmp_path: Path) -> None:
    writer = index_of(tmp_path)
    writer.write(payloads("a", "b"))
    writer.write(payloads("c"))
    reader = index_of(tmp_path)
    for key, data in payloads("a", "b", "c"):
        assert reader.read(key) == data
    assert reader.read("missing") is None
    assert len(pack_files(tmp_path)) == 2


def test_a_pack_written_meanwhile_is_found_on_a_miss(tmp_path: Path) -> None:
    reader = index_of(tmp_path)
    index_of(tmp_path).write(payloads("late"))
    assert reader.locate("late") is None
    assert reader.read("late") == payloads("late")[0][1]


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1])


def index_flipped(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = len(store.tag("test", FINGERPRINT)) + store.DIGEST_SIZE + 8 + 3
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def length_flipped(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(store.tag("test", FINGERPRINT)) + store.DIGEST_SIZE] ^= 0xFF  # a huge length
    path.write_bytes(bytes(data))


def other_version(path: Path) -> None:
    data = path.read_bytes()
    at = len(store.tag("test", b""))
    path.write_bytes(data[:at] + bytes(store.DIGEST_SIZE) + data[at + store.DIGEST_SIZE :])


def garbage(path: Path) -> None:
    path.write_bytes(b"not a pack")


@pytest.mark.parametrize(
    "damage", [truncated, index_flipped, length_flipped, other_version, garbage]
)
def test_a_damaged_pack_is_left_out_whole(tmp_path: Path, damage: Callable[[Path], None]) -> None:
    index_of(tmp_path).write(payloads("a", "b"))
    (path,) = pack_files(tmp_path)
    damage(path)
    reader = index_of(tmp_path)
    assert reader.read("a") is None
    assert reader.read("b") is None


def test_a_pack_damaged_after_it_was_read_is_left_out_at_the_next_look(tmp_path: Path) -> None:
    index = index_of(tmp_path)
    index.write(payloads("a"))
    (path,) = pack_files(tmp_path)
    truncated(path)
    index.rescan()
    assert index.read("a") is None


def test_a_damaged_entry_reads_as_missing_and_the_others_as_written(tmp_path: Path) -> None:
    index = index_of(tmp_path)
    index.write(payloads("a", "b"))
    (path,) = pack_files(tmp_path)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # the last byte of b's entry
    path.write_bytes(bytes(data))
    reader = index_of(tmp_path)
    assert reader.read("a") == payloads("a")[0][1]
    assert reader.read("b") is None


def test_keep_only_removes_unwanted_packs_and_strays(tmp_path: Path) -> None:
    index = index_of(tmp_path)
    for key in "abcdefghij":
        index.write(payloads(key))
    (tmp_path / "leftover.tmp").write_bytes(b"x")
    (tmp_path / "ab").mkdir()  # a folder of an older layout
    (tmp_path / "ab" / "abcdef").write_bytes(b"x")
    removed = index.keep_only({"a", "b"})
    assert removed == 10  # eight packs, a file and a folder
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        index.entries[key][0] for key in "ab"
    )
    reader = index_of(tmp_path)
    assert [reader.read(k) for k in "ab"] == [d for _, d in payloads("a", "b")]
    assert reader.read("c") is None


def test_a_pack_mostly_unwanted_is_rewritten_with_the_rest(tmp_path: Path) -> None:
    index = index_of(tmp_path)
    keys = [f"k{n}" for n in range(10)]
    index.write(payloads(*keys))
    (before,) = pack_files(tmp_path)
    index.keep_only(set(keys[:4]))
    (after,) = pack_files(tmp_path)
    assert after != before
    reader = index_of(tmp_path)
    assert [reader.read(k) for k in keys[:4]] == [d for _, d in payloads(*keys[:4])]
    assert all(reader.read(k) is None for k in keys[4:])


def test_small_packs_are_merged_once_there_are_many(tmp_path: Path) -> None:
    index = index_of(tmp_path)
    keys = [f"edit{n}" for n in range(packs.MERGE_SMALL_AT)]
    for key in keys[:-1]:
        index.write(payloads(key))
    index.keep_only(set(keys))
    assert len(pack_files(tmp_path)) == len(keys) - 1  # not yet
    index.write(payloads(keys[-1]))
    index.keep_only(set(keys))
    assert len(pack_files(tmp_path)) == 1
    reader = index_of(tmp_path)
    assert [reader.read(k) for k in keys] == [d for _, d in payloads(*keys)]


def test_an_entry_moved_by_another_process_is_found_again(tmp_path: Path) -> None:
    reader = index_of(tmp_path)
    keys = [f"k{n}" for n in range(10)]
    reader.write(payloads(*keys))
    index_of(tmp_path).keep_only({"k0"})  # another build rewrites the pack
    assert reader.read("k0") == payloads("k0")[0][1]
    assert reader.read("k1") is None


def test_the_writer_writes_a_pack_per_batch(tmp_path: Path) -> None:
    writer = PackWriter(index_of(tmp_path))
    for n in range(packs.PACK_ENTRIES * 2 + 1):
        writer.add(f"k{n}", b"x")
    assert len(pack_files(tmp_path)) == 2
    writer.flush()
    writer.flush()  # nothing left: no empty pack
    assert len(pack_files(tmp_path)) == 3


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.lists(st.sampled_from("abcdefgh"), max_size=5),
            st.sets(st.sampled_from("abcdefgh")),
        ),
        max_size=12,
    )
)
def test_every_kept_entry_reads_back(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[list[str], set[str]]]
) -> None:
    """Writes and sweeps in any order: a kept key's entry reads back, from this index and
    from a fresh one; any other key reads as missing or as its own bytes (a pack kept for
    its wanted entries keeps the rest too), never as something else. A key names its
    content, as a render key does: written again, it is written with the same bytes."""
    root = tmp_path_factory.mktemp("packs")
    index = index_of(root)
    kept: set[str] = set()
    for keys, keep in steps:
        if keys:
            index.write(payloads(*dict.fromkeys(keys)))
        index.keep_only(keep)
        kept = (kept | set(keys)) & keep
        for reader in (index, index_of(root)):
            for key, data in payloads(*"abcdefgh"):
                assert reader.read(key) == data if key in kept else reader.read(key) in (None, data)


def test_told_which_keys_went_only_their_packs_are_looked_at(tmp_path: Path) -> None:
    """An edit drops the keys of the posts it touched: the packs they lie in are swept, the
    other packs (and whatever else is in the folder) are not even looked into."""
    index = index_of(tmp_path)
    index.write(payloads(*[f"a{n}" for n in range(SMALL)]))
    index.write(payloads(*[f"b{n}" for n in range(SMALL)]))
    (tmp_path / "leftover.tmp").write_bytes(b"x")
    assert index.keep_only(set(), gone=set()) == 0
    assert len(pack_files(tmp_path)) == 3
    assert index.keep_only(set(), gone={"a0"}) == 1
    assert index.read("a1") is None
    assert index.read("b1") is not None
    assert (tmp_path / "leftover.tmp").exists()


def test_a_key_in_two_packs_is_found_in_the_other_when_one_goes(tmp_path: Path) -> None:
    """A post rendered again while its older entry was still kept lies in two packs; sweeping
    the newer pack leaves the older one's copy in the index."""
    index = index_of(tmp_path)
    index.write(payloads("a", "b"))
    index.write(payloads("a"))
    index.keep_only({"b"})  # the newer pack holds nothing wanted
    assert len(pack_files(tmp_path)) == 1
    index.keep_only({"a", "b"})
    assert index.read("a") == payloads("a")[0][1]
    assert index_of(tmp_path).read("a") == payloads("a")[0][1]


def _age(path: Path, seconds: int) -> None:
    then = 1_700_000_000 * 10**9 + seconds * 10**9
    os.utime(path, ns=(then, then))


@pytest.mark.parametrize("newer", ["second", "first"])
def test_a_key_written_twice_is_read_from_the_newer_pack_by_a_new_reader(
    tmp_path: Path, newer: str
) -> None:
    """A post rendered again under the same key (an image it shows changed) lies in two packs
    with different bytes: a new process must not take whichever pack it happens to list last."""
    writer = index_of(tmp_path)
    first = writer.write([("a", b"first rendering")])
    second = writer.write([("a", b"second rendering")])
    _age(tmp_path / first, 2 if newer == "first" else 1)
    _age(tmp_path / second, 1 if newer == "first" else 2)
    reader = index_of(tmp_path)
    assert reader.read("a") == f"{newer} rendering".encode()
    assert [data for _, data in reader.others("a")] == [
        b"first rendering" if newer == "second" else b"second rendering"
    ]


def test_another_entry_of_a_key_can_be_preferred(tmp_path: Path) -> None:
    writer = index_of(tmp_path)
    writer.write([("a", b"old"), ("b", b"bee")])
    writer.write([("a", b"new")])
    reader = index_of(tmp_path)
    (entry, data), *rest = list(reader.others("a"))
    assert data == b"old" and rest == []
    reader.prefer("a", entry)
    assert reader.read("a") == b"old"
    assert [data for _, data in reader.others("a")] == [b"new"]
    assert list(reader.others("b")) == []
