"""Writing the site so that a failed or interrupted build leaves the previous output as it was.

Two ways, one guarantee:
- `replace_tree` (first build, or an output folder we know nothing about): the whole tree is
  written to a folder beside the output and swapped in.
- `update_tree` (a rebuild): only changed files are written, first to a staging folder beside the
  output; then a journal is written and each change is applied with a rename, the file it
  replaces moved aside. Unchanged files are not touched (their mtimes stay). If the commit is
  cut short (an error, Ctrl-C, a killed process) the journal lets `recover` put every moved
  file back, at once or at the start of the next build.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

Content = bytes | Path  # bytes to write, or a file to copy
Sig = tuple[int, int]


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str  # relative to the output folder, "/"-separated, unencoded
    data: bytes


@dataclass(frozen=True, slots=True)
class CopiedFile:
    path: str
    source: Path


def safe_relative(path: str) -> PurePosixPath:
    """An output path that cannot leave the output folder."""
    pure = PurePosixPath(path)
    if not pure.parts or pure.is_absolute() or ".." in pure.parts or "\x00" in path:
        raise ValueError(f"refusing to write outside the output folder: {path!r}")
    return pure


def _sibling(out_dir: Path, role: str) -> Path:
    return out_dir.with_name(f".{out_dir.name}.{role}")


def _put(target: Path, content: Content) -> None:
    if isinstance(content, bytes):
        with open(target, "wb") as handle:
            handle.write(content)
    else:
        shutil.copyfile(content, target)


def _sig(path: Path) -> Sig:
    stat = os.stat(path)
    return (stat.st_mtime_ns, stat.st_size)


@contextmanager
def output_lock(lock: Path) -> Iterator[None]:
    """One build at a time per output folder (the dev server and a CLI build, say)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C for the few milliseconds of a commit; it takes effect right after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def recover(out_dir: Path) -> None:
    """Undo whatever an earlier, interrupted build left half done."""
    out_dir = out_dir.absolute()
    retired = _sibling(out_dir, "old")
    if retired.exists():
        if not out_dir.exists():
            retired.rename(out_dir)
        else:
            shutil.rmtree(retired, ignore_errors=True)
    journal = _sibling(out_dir, "journal")
    if journal.exists() or _journal_draft(journal).exists():
        _roll_back(out_dir, journal)
    for role in ("staging", "backup"):
        shutil.rmtree(_sibling(out_dir, role), ignore_errors=True)


def replace_tree(out_dir: Path, outputs: Mapping[str, Content]) -> dict[str, Sig]:
    """Write every output into a new folder, then swap it for the old one."""
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging, retired = _sibling(out_dir, "staging"), _sibling(out_dir, "old")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    made: set[Path] = {staging}
    sigs = {}
    try:
        for path, content in outputs.items():
            target = staging.joinpath(*safe_relative(path).parts)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            _put(target, content)
            sigs[path] = _sig(target)
        with _interrupts_deferred():
            if out_dir.exists():
                out_dir.rename(retired)
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out_dir.exists():
            retired.rename(out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return sigs


def update_tree(
    out_dir: Path, writes: Mapping[str, Content], removes: Collection[str]
) -> dict[str, Sig]:
    """Apply `writes` and `removes` to an existing output folder, all or nothing."""
    out_dir = out_dir.absolute()
    if not writes and not removes:
        return {}
    staging = _sibling(out_dir, "staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        ops = []
        for number, (path, content) in enumerate(writes.items()):
            safe_relative(path)
            _put(staging / str(number), content)
            ops.append(["put", path, os.path.lexists(out_dir / path)])
        ops += [["remove", path, True] for path in removes if os.path.lexists(out_dir / path)]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    journal = _sibling(out_dir, "journal")
    with _interrupts_deferred():
        try:
            _write_journal(journal, ops)
            _apply(out_dir, ops, staging, _sibling(out_dir, "backup"))
        except BaseException:
            _roll_back(out_dir, journal)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        journal.unlink()  # the commit point: from here on the new output stands
    shutil.rmtree(_sibling(out_dir, "backup"), ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    return {path: _sig(out_dir / path) for path in writes}


def _journal_draft(journal: Path) -> Path:
    return journal.with_name(journal.name + ".tmp")


def _write_journal(journal: Path, ops: list[list[object]]) -> None:
    temporary = _journal_draft(journal)
    temporary.write_text(json.dumps(ops), encoding="utf-8")
    os.replace(temporary, journal)


def _apply(out_dir: Path, ops: list[list[object]], staging: Path, backup: Path) -> None:
    backup.mkdir(exist_ok=True)
    made: set[Path] = set()
    emptied: set[Path] = set()
    for number, (action, path, existed) in enumerate(ops):
        target = out_dir / str(path)
        if existed and os.path.lexists(target):  # a file, or a folder where a file goes
            os.replace(target, backup / str(number))
        if action == "put":
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.replace(staging / str(number), target)
        else:
            emptied.add(target.parent)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        _remove_empty_parents(folder, out_dir)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _roll_back(out_dir: Path, journal: Path) -> None:
    """Put back every file the journal's commit moved aside; remove the ones it added."""
    try:
        ops = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        ops = []  # the journal itself was never completed: nothing was applied
    backup = _sibling(out_dir, "backup")
    for number in reversed(range(len(ops))):
        action, path, existed = ops[number]
        target = out_dir / str(path)
        saved = backup / str(number)
        if existed:
            if os.path.lexists(saved):
                if os.path.lexists(target) and not target.is_dir():
                    target.unlink()
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(saved, target)
        elif action == "put" and os.path.lexists(target):
            target.unlink()
            _remove_empty_parents(target.parent, out_dir)
    journal.unlink(missing_ok=True)
    _journal_draft(journal).unlink(missing_ok=True)
    shutil.rmtree(backup, ignore_errors=True)
