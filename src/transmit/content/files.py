"""Walking the notes folder without trusting it: symbolic links may loop or lead out of
`content/`, and a synced folder may hold pipes, sockets or devices named like posts.

Only regular files inside `content/` are ever read; everything else is skipped with a warning.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from transmit.errors import BuildWarning


@dataclass(frozen=True, slots=True)
class Found:
    """The regular files below a folder, in a stable order, and what was skipped on the way."""

    files: tuple[Path, ...]
    warnings: tuple[BuildWarning, ...] = ()


def _display(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _resolve(link: Path) -> Path | str:
    """Where a symbolic link leads, or why it leads nowhere."""
    try:
        return link.resolve(strict=True)
    except FileNotFoundError:
        return "is a broken symbolic link"
    except RuntimeError:  # Python 3.11 reports a loop this way
        return "is a symbolic link loop"
    except OSError as error:
        if error.errno == 40:  # ELOOP on later Pythons
            return "is a symbolic link loop"
        return f"cannot be followed: {error.strerror}"


def walk_files(root: Path, boundary: Path, site_dir: Path, *, skip_hidden: bool = True) -> Found:
    """Regular files below `root`, never leaving `boundary` (the resolved `content/` folder).

    Names starting with `.` or `_` are left out when `skip_hidden` (editor and tool folders).
    A linked folder is read only when it lies inside `boundary` and outside `root` (inside
    `root` its files are read anyway, and an ancestor would loop).
    """
    warnings: list[BuildWarning] = []
    files: list[Path] = []

    def skip(path: Path, reason: str) -> None:
        warnings.append(BuildWarning(_display(path, site_dir), None, f"{reason}; skipped"))

    boundary = boundary.resolve()
    start = _resolve(root) if root.is_symlink() else root.resolve()
    if isinstance(start, str):
        skip(root, start)
        return Found((), tuple(warnings))
    if not start.is_dir():
        return Found((), ())
    if not _inside(start, boundary):
        skip(root, f"is a symbolic link to {start}, outside {_display(boundary, site_dir)}/")
        return Found((), tuple(warnings))
    visited = {start}
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            skip(folder, f"cannot be listed: {error.strerror}")
            continue
        below: list[Path] = []
        for entry in entries:
            if skip_hidden and entry.name.startswith((".", "_")):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                target = _resolve(path)
                if isinstance(target, str):
                    skip(path, target)
                    continue
                if not _inside(target, boundary):
                    where = _display(boundary, site_dir)
                    skip(path, f"is a symbolic link to {target}, outside {where}/")
                    continue
                if target.is_dir():
                    if _inside(start, target) or _inside(Path(folder).resolve(), target):
                        skip(path, "is a symbolic link loop")
                        continue
                    if _inside(target, start) or target in visited:
                        skip(path, f"links to {_display(target, site_dir)}, which is read anyway")
                        continue
            try:
                mode = path.stat().st_mode
            except OSError as error:
                skip(path, f"cannot be read: {error.strerror}")
                continue
            if stat.S_ISDIR(mode):
                resolved = path.resolve()
                if resolved not in visited:
                    visited.add(resolved)
                    below.append(path)
            elif stat.S_ISREG(mode):
                files.append(path)
            else:
                skip(path, "is not a regular file (a pipe, socket or device)")
        pending.extend(reversed(below))
    return Found(tuple(files), tuple(warnings))
