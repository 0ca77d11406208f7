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
