"""The writer's all-or-nothing guarantee, including commits cut short at every step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from transmit.build import writer
from transmit.build.writer import recover, write_tree


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


OLD = {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b", "b/x.png": b"x"}
WRITES: dict[str, writer.Content] = {
    "index.html": b"new home",
    "c/d/index.html": b"c",
    "a/index.html": b"a2",
}
REMOVES = ["b/index.html", "b/x.png"]
NEW = {"index.html": b"new home", "a/index.html": b"a2", "c/d/index.html": b"c"}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "public"
    write_tree(out, dict(OLD))
    return out


def test_a_whole_tree_is_written_and_its_sigs_reported(tmp_path: Path) -> None:
    source = tmp_path / "s.txt"
    source.write_bytes(b"copied")
    out = tmp_path / "public"
    sigs = write_tree(out, {"x/y.html": b"y", "s.txt": source})
    assert tree(out) == {"x/y.html": b"y", "s.txt": b"copied"}
    assert sigs["s.txt"] == ((out / "s.txt").stat().st_mtime_ns, 6)
    assert siblings(out) == ["s.txt"]


def test_changes_are_applied_with_their_removes(out: Path) -> None:
    os.utime(out / "index.html", ns=(1, 1))
    untouched = (out / "index.html").stat().st_mtime_ns
    sigs = write_tree(out, {"a/index.html": b"a2", "c/d/index.html": b"c"}, REMOVES)
    assert tree(out) == {"index.html": b"home", "a/index.html": b"a2", "c/d/index.html": b"c"}
    assert (out / "index.html").stat().st_mtime_ns == untouched
    assert not (out / "b").exists()  # emptied folders go too
    assert set(sigs) == {"a/index.html", "c/d/index.html"}
    assert siblings(out) == []


@pytest.mark.parametrize("fail_at", range(1, 8))
def test_a_commit_that_fails_midway_is_undone(
    out: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    real = os.replace
    calls = []

    def failing(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError("disk trouble")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(writer.os, "replace", failing)
    with pytest.raises(OSError):
        write_tree(out, WRITES, REMOVES)
    monkeypatch.setattr(writer.os, "replace", real)
    assert tree(out) == OLD
    recover(out)
    assert siblings(out) == []


@pytest.mark.parametrize("killed_at", range(1, 8))
def test_a_commit_killed_midway_is_undone_by_the_next_build(
    out: Path, monkeypatch: pytest.MonkeyPatch, killed_at: int
) -> None:
    """A killed process runs no handler: simulate it by disabling the rollback."""
    real = os.replace
    calls = []

    def dying(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == killed_at:
            raise SystemExit("killed")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(writer.os, "replace", dying)
    monkeypatch.setattr(writer, "_roll_back", lambda out_dir, journal: None)
    with pytest.raises(SystemExit):
        write_tree(out, WRITES, REMOVES)
    monkeypatch.undo()
    recover(out)
    assert tree(out) == OLD
    assert siblings(out) == []
    write_tree(out, WRITES, REMOVES)
    assert tree(out) == NEW


def test_a_failure_while_staging_touches_nothing(out: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_tree(out, {"a/index.html": b"a2", "z.txt": tmp_path / "missing"}, REMOVES)
    assert tree(out) == OLD
    assert siblings(out) == []


def test_a_failed_replace_keeps_the_old_tree(out: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_tree(out, {"index.html": b"new", "z.txt": tmp_path / "missing"})
    assert tree(out) == OLD
    assert siblings(out) == []


def test_a_swap_cut_between_its_two_renames_is_undone(out: Path) -> None:
    out.rename(out.with_name(".public.old"))
    recover(out)
    assert tree(out) == OLD


@pytest.mark.parametrize("bad", ["../x", "/etc/x", "a/../../b", "a\x00b", ""])
def test_paths_cannot_leave_the_output_folder(out: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        write_tree(out, {bad: b"x"}, [])
    assert tree(out) == OLD


def _update(out: Path, spare: Path, writes: dict[str, bytes]) -> None:
    staging = writer.Staging(out, whole=False, spare=spare)
    for path, data in writes.items():
        staging.put(path, data)
    staging.commit()


def test_files_moved_aside_are_written_over_by_the_next_commit(out: Path, tmp_path: Path) -> None:
    spare = tmp_path / "cache" / "spare"
    replaced = {path: (out / path).stat().st_ino for path in ("index.html", "a/index.html")}
    _update(out, spare, {"index.html": b"new home, longer than before", "a/index.html": b"a2"})
    assert {p.stat().st_ino for p in spare.iterdir()} == set(replaced.values())
    _update(out, spare, {"b/index.html": b"B", "index.html": b"third"})
    assert tree(out) == {**OLD, "index.html": b"third", "a/index.html": b"a2", "b/index.html": b"B"}
    inodes = {(out / p).stat().st_ino for p in ("b/index.html", "index.html")}
    assert inodes == set(replaced.values())  # the spares, written over and cut to size
    assert sorted(p.read_bytes() for p in spare.iterdir()) == [
        b"b",
        b"new home, longer than before",
    ]
    assert siblings(out) == ["cache"]  # no staging, backup or journal left


def test_a_file_linked_elsewhere_is_never_written_over(out: Path, tmp_path: Path) -> None:
    """A user's hard-linked copy of the output (`cp -al public deploy`) keeps its bytes."""
    spare = tmp_path / "cache" / "spare"
    deployed = tmp_path / "deploy.html"
    os.link(out / "index.html", deployed)
    _update(out, spare, {"index.html": b"v2"})
    assert not spare.exists() or not list(spare.iterdir())
    _update(out, spare, {"index.html": b"v3", "a/index.html": b"a3"})
    assert deployed.read_bytes() == b"home"
    assert tree(out) == {**OLD, "index.html": b"v3", "a/index.html": b"a3"}


def test_spares_are_kept_up_to_a_limit(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "SPARE_FILES", 2)
    spare = tmp_path / "cache" / "spare"
    _update(out, spare, {path: b"new" for path in OLD})
    assert len(list(spare.iterdir())) == 2
    _update(out, spare, {"index.html": b"newer", "c.html": b"c", "d.html": b"d"})
    assert len(list(spare.iterdir())) == 1  # two taken, one given back
    assert tree(out)["index.html"] == b"newer"


def test_spares_are_stocked_up_to_a_count_and_taken_by_the_next_commit(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spare = tmp_path / "cache" / "spare"
    writer.stock_spares(spare, 3)
    assert sorted(p.stat().st_size for p in spare.iterdir()) == [0, 0, 0]
    writer.stock_spares(spare, 2)  # enough there already
    assert len(list(spare.iterdir())) == 3
    stocked = {p.stat().st_ino for p in spare.iterdir()}
    _update(out, spare, {"index.html": b"new home", "c.html": b"c"})
    assert tree(out) == {**OLD, "index.html": b"new home", "c.html": b"c"}
    assert {(out / p).stat().st_ino for p in ("index.html", "c.html")} <= stocked
    monkeypatch.setattr(writer, "SPARE_FILES", 4)
    writer.stock_spares(spare, 10)  # never past the limit
    assert len(list(spare.iterdir())) == 4


def test_stocking_spares_where_none_can_be_made_is_left_to_the_next_build(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "file"
    blocked.write_bytes(b"not a folder")
    writer.stock_spares(blocked / "spare", 3)  # no error: the next build makes its files
    assert blocked.read_bytes() == b"not a folder"


def test_files_moved_aside_are_written_over_before_the_stocked_ones(
    out: Path, tmp_path: Path
) -> None:
    """Their blocks are there to write over; an empty file's are yet to be found."""
    spare = tmp_path / "cache" / "spare"
    _update(out, spare, {"a/index.html": b"a2"})  # the old a/index.html moved aside
    (moved,) = (p.stat().st_ino for p in spare.iterdir())
    writer.stock_spares(spare, 4)
    _update(out, spare, {"b/index.html": b"b2"})
    assert (out / "b/index.html").stat().st_ino == moved
