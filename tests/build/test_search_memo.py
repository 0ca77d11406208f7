"""The search index's runs kept in the build cache: read back only when whole and this
version's, and the ones a build did not use removed after it."""

from __future__ import annotations

from pathlib import Path

from transmit.build.search_memo import SavedRuns
from transmit.site.search_postings import invert_run
from transmit.site.search_runs import Run

FINGERPRINT = b"f" * 16


def a_run(text: str) -> Run:
    return Run(invert_run([["Title", "", text]]), [text.encode()])


def test_a_run_saved_is_read_back_by_its_key(tmp_path: Path) -> None:
    runs = SavedRuns(tmp_path, FINGERPRINT)
    runs.put(b"k" * 16, a_run("注意力 attention"))
    again = SavedRuns(tmp_path, FINGERPRINT)
    assert again.get(b"k" * 16) == a_run("注意力 attention")
    assert again.get(b"j" * 16) is None


def test_runs_of_another_version_or_damaged_are_not_read(tmp_path: Path) -> None:
    SavedRuns(tmp_path, FINGERPRINT).put(b"k" * 16, a_run("one"))
    assert SavedRuns(tmp_path, b"g" * 16).get(b"k" * 16) is None
    path = tmp_path / "search" / (b"k" * 16).hex()
    path.write_bytes(path.read_bytes()[:-1])
    assert SavedRuns(tmp_path, FINGERPRINT).get(b"k" * 16) is None


def test_runs_not_used_are_removed_and_drafts_of_others_kept(tmp_path: Path) -> None:
    first = SavedRuns(tmp_path, FINGERPRINT)
    for key in (b"a" * 16, b"b" * 16, b"c" * 16):
        first.put(key, a_run(key.decode()))
    draft = tmp_path / "search" / ".name.123.tmp"
    draft.write_bytes(b"being written by another build")
    second = SavedRuns(tmp_path, FINGERPRINT)
    assert second.get(b"a" * 16) is not None
    second.put(b"d" * 16, a_run("d"))
    second.prune()
    left = {path.name for path in (tmp_path / "search").iterdir()}
    assert left == {(b"a" * 16).hex(), (b"d" * 16).hex(), draft.name}


def test_pruning_a_cache_without_runs_does_nothing(tmp_path: Path) -> None:
    SavedRuns(tmp_path / "none", FINGERPRINT).prune()
    assert not (tmp_path / "none").exists()
