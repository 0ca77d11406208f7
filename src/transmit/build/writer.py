"""Writing the site: everything goes to a fresh folder beside the output, swapped in at the end,
so a failed or interrupted build leaves the previous output as it was."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


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
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or "\x00" in path:
        raise ValueError(f"refusing to write outside the output folder: {path!r}")
    return pure


def _target(root: Path, path: str) -> Path:
    target = root.joinpath(*safe_relative(path).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def write_tree(root: Path, files: Iterable[OutputFile], copies: Iterable[CopiedFile]) -> int:
    """Write into `root` (which must be new); returns the number of files written."""
    count = 0
    for item in files:
        _target(root, item.path).write_bytes(item.data)
        count += 1
    for copy in copies:
        shutil.copyfile(copy.source, _target(root, copy.path))
        count += 1
    return count


def replace_output(out_dir: Path, files: Iterable[OutputFile], copies: Iterable[CopiedFile]) -> int:
    """Build the new tree beside `out_dir`, then swap it in; on any failure the old tree stays."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.new-{os.getpid()}")
    retired = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    try:  # from the first mkdir: a Ctrl-C at any point leaves no staging folder behind
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        count = write_tree(staging, files, copies)
        if out_dir.exists():
            out_dir.rename(retired)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out_dir.exists():
            retired.rename(out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return count
