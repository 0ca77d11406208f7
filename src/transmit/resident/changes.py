"""What changed in a resident builder's site since it last looked, told by the kernel.

A rebuild of 10,000 posts stats 25,000 files to learn that one changed, and that pass is most
of an edit's build. The resident builder watches the folders of the inputs and outputs instead
(Linux's inotify): the kernel queues an event during the very call that writes, renames or
removes a file, so the events read when a build begins name every file changed before it was
asked for. It vouches only for what it can see:
- nothing until its first build has stat-ed everything (changes before the watch began);
- nothing on a file system whose changes may come from elsewhere unseen (a network share, a
  folder shared with Windows): only the local kinds in LOCAL_FILESYSTEMS;
- nothing after a folder was made, removed or renamed, or events were lost: the next build
  stats everything, then the watch goes on from what it found.
What no event tells (a file written through a hard link in a folder not watched, or through a
memory map), the `audit` the builder makes while idle finds.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable, KeysView
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from transmit.build.inputs import MISSING, Inputs, stat_sig
from transmit.build.manifest import Manifest, moved_outputs

# file systems that only this machine's kernel writes, so that inotify sees every change
LOCAL_FILESYSTEMS = frozenset(
    {"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "overlay", "f2fs", "zfs", "bcachefs"}
)
MOUNTS = Path("/proc/self/mountinfo")
WATCH_LIMIT = Path("/proc/sys/fs/inotify/max_user_watches")
# the share of the user's inotify watches a builder may take: editors and other tools watch
# folders too, from the same allowance (8,192 on older kernels)
WATCH_SHARE = 4


class Side(Enum):
    INPUT = "input"  # a folder holding inputs: every event names a changed input
    ABOVE = "above"  # the nearest folder above a missing input folder: only its making counts
    OUTPUT = "output"  # a folder holding outputs


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed since the last build asked: None where the watch cannot tell."""

    inputs: frozenset[str] | None  # input paths, spelt as `Inputs` keys them
    outputs: frozenset[str] | None  # output paths under the output folder, "/"-separated


@dataclass(frozen=True, slots=True)
class _Folder:
    path: str
    side: Side
    missing: frozenset[str] = frozenset()  # ABOVE: the names whose making matters


class ChangeWatch:
    """The inotify watch of one site's inputs and one output folder. A folder watched only
    after a build read it may have changed unseen meanwhile: the next build stats that side."""

    def __init__(self, out_dir: Path) -> None:
        """OSError when the kernel gives no watch (not Linux, no inotify left)."""
        from inotify_simple import INotify, flags

        self._flags = flags
        self._mask = (
            flags.MODIFY
            | flags.ATTRIB
            | flags.CLOSE_WRITE
            | flags.MOVED_FROM
            | flags.MOVED_TO
            | flags.CREATE
            | flags.DELETE
            | flags.DELETE_SELF
            | flags.MOVE_SELF
            | flags.ONLYDIR
        )
        # the watched folder itself went: what it holds now is not known
        self._moved = flags.DELETE_SELF | flags.MOVE_SELF | flags.UNMOUNT | flags.IGNORED
        self._inotify = INotify(nonblocking=True)
        self._budget = _watch_budget()
        self._given_up = False  # out of watches: every build stats everything
        self._out = os.path.join(out_dir, "")
        self._folders: dict[int, _Folder] = {}  # the live watches
        self._watched: dict[str, int] = {}  # folder -> its live watch
        self._input_folders: dict[str, _Folder] = {}
        self._output_folders: set[str] = set()
        self._input_keys: tuple[set[str], ...] | None = None
        self._output_keys: set[str] | None = None
        self._inputs: set[str] | None = None  # None until a build stat-ed everything
        self._outputs: set[str] | None = None

    def close(self) -> None:
        self._inotify.close()

    def take(self) -> Changes:
        """What changed since the last `take`, for the build about to begin; from now on the
        watch counts from that build's stat pass."""
        if self._given_up:
            return Changes(None, None)
        self._drain()
        inputs, outputs = self._inputs, self._outputs
        self._inputs, self._outputs = set(), set()
        return Changes(
            None if inputs is None else frozenset(inputs),
            None if outputs is None else frozenset(outputs),
        )

    def follow(self, manifest: Manifest) -> None:
        """After a build that succeeded: watch the folders of what it read and wrote. What it
        wrote is its own doing (those events are dropped); what changed in the inputs
        meanwhile is kept for the next build."""
        if self._given_up:
            return
        self._drain()
        if self._outputs is not None:
            self._outputs = set()
        try:
            self._want_inputs(manifest.inputs)
            self._want_outputs(manifest.outputs.keys())
            if len(self._input_folders) + len(self._output_folders) > self._budget:
                raise OSError(errno.ENOSPC, "more folders than this watch may take")
            watched = self._watched
            fresh_inputs = [f for path, f in self._input_folders.items() if path not in watched]
            fresh_outputs = [
                _Folder(path, Side.OUTPUT) for path in self._output_folders if path not in watched
            ]
            for folder in (*fresh_inputs, *fresh_outputs):
                self._watch(folder)
        except OSError as error:  # a folder went meanwhile, a file system it cannot see
            self._forget(set(self._watched))
            self._input_folders, self._output_folders = {}, set()
            self._input_keys = self._output_keys = None
            self._inputs = self._outputs = None
            self._given_up = error.errno in (errno.ENOSPC, errno.ENOMEM)  # for good
            return
        if fresh_inputs:
            self._inputs = None
        if fresh_outputs:
            self._outputs = None

    def audit(self, manifest: Manifest) -> None:
        """Stat every input and output of the last build (`manifest`), as a build would have:
        a change the kernel did not tell of (a file edited through a hard link in a folder not
        watched, or written through a memory map) leaves the next build to the stat pass. The
        resident builder does this while idle, so that nothing it missed stays missed."""
        if self._given_up or (self._inputs is None and self._outputs is None):
            return
        inputs = manifest.inputs
        recorded = {**inputs.files, **inputs.watched}
        moved = {name for name, sig in recorded.items() if stat_sig(name) != sig}
        touched = moved_outputs(Path(self._out), manifest).keys()
        self._drain()  # after the stat: a change it saw was told of by now, if it is told of
        if self._inputs is not None and not moved <= self._inputs:
            self._inputs = None
        if self._outputs is not None and not touched <= self._outputs:
            self._outputs = None

    # -- events --------------------------------------------------------------------------

    def _drain(self) -> None:
        while events := self._inotify.read(timeout=0):
            for event in events:
                self._note(event.wd, event.mask, event.name)

    def _note(self, wd: int, mask: int, name: str) -> None:
        folder = self._folders.get(wd)
        if folder is None:  # lost events (wd -1), or a watch this one removed
            if mask & self._flags.Q_OVERFLOW:
                self._inputs = self._outputs = None
            return
        if mask & self._flags.IGNORED:  # the kernel dropped the watch with its folder
            del self._folders[wd]
            self._watched.pop(folder.path, None)
        lost = bool(mask & self._moved)
        if folder.side is Side.ABOVE:
            if lost or name in folder.missing:
                self._inputs = None
        elif folder.side is Side.INPUT:
            if lost or mask & self._flags.ISDIR:
                self._inputs = None
            elif self._inputs is not None:
                self._inputs.add(os.path.join(folder.path, name))
        elif lost or mask & self._flags.ISDIR:
            self._outputs = None
        elif self._outputs is not None:
            self._outputs.add(os.path.join(folder.path, name)[len(self._out) :])

    # -- what is watched -----------------------------------------------------------------

    def _want_inputs(self, inputs: Inputs) -> None:
        """The folders of `inputs` to watch, found again when its files are not the last's."""
        keys = (inputs.dirs.keys(), inputs.files.keys(), inputs.watched.keys())
        known = self._input_keys
        if known is not None and all(
            now == before for now, before in zip(keys, known, strict=True)
        ):
            return
        if inputs.linked:  # a folder link: one folder under two names, which inotify does not
            raise OSError("folder links in content/")  # tell apart
        wanted = _input_folders(inputs)
        if not local_filesystems(wanted):
            raise OSError("a folder of the site is on a file system inotify cannot follow")
        self._forget(set(self._input_folders) - set(wanted))
        self._input_folders = wanted
        self._input_keys = tuple(set(group) for group in keys)

    def _want_outputs(self, outputs: KeysView[str]) -> None:
        """The folders of `outputs` to watch, found again when they are not the last's."""
        if self._output_keys is not None and outputs == self._output_keys:
            return
        wanted = {self._out[:-1]}
        wanted.update(os.path.dirname(self._out + path) for path in outputs)
        if not local_filesystems([self._out[:-1]]):
            raise OSError("the output folder is on a file system inotify cannot follow")
        self._forget(self._output_folders - wanted)
        self._output_folders, self._output_keys = wanted, set(outputs)

    def _watch(self, folder: _Folder) -> None:
        wd = self._inotify.add_watch(folder.path, self._mask)
        known = self._folders.get(wd)
        if known is not None and known != folder:
            raise OSError(f"{known.path} is watched as {folder.path} too")
        self._folders[wd] = folder
        self._watched[folder.path] = wd

    def _forget(self, paths: set[str]) -> None:
        for path in paths:
            wd = self._watched.pop(path, None)
            if wd is not None:
                del self._folders[wd]
                with contextlib.suppress(OSError):  # the kernel dropped it with its folder
                    self._inotify.rm_watch(wd)


def _input_folders(inputs: Inputs) -> dict[str, _Folder]:
    """The folders holding inputs, and above each missing input folder the nearest folder
    there is (its making is the event that counts there)."""
    wanted: dict[str, _Folder] = {}
    folders = {path for path, mtime in inputs.dirs.items() if mtime != MISSING}
    folders.update(os.path.dirname(name) for name in inputs.files)
    folders.update(os.path.dirname(name) for name in inputs.watched)
    missing = [path for path, mtime in inputs.dirs.items() if mtime == MISSING]
    for path in sorted(folders):
        if os.path.isdir(path):
            wanted[path] = _Folder(path, Side.INPUT)
        else:
            missing.append(path)
    for path in missing:
        above, name = _existing_above(path)
        before = wanted.get(above)
        if before is not None and before.side is Side.INPUT:
            continue  # its making is an event of an input folder already
        names = before.missing if before is not None else frozenset()
        wanted[above] = _Folder(above, Side.ABOVE, names | {name})
    return wanted


def _watch_budget() -> int:
    try:
        limit = int(WATCH_LIMIT.read_text(encoding="ascii"))
    except (OSError, ValueError):
        limit = 8192
    return limit // WATCH_SHARE


def _existing_above(path: str) -> tuple[str, str]:
    """The nearest folder above `path` that exists, and the name in it on the way to `path`."""
    child = path
    parent = os.path.dirname(child)
    while parent != child and not os.path.isdir(parent):
        child, parent = parent, os.path.dirname(parent)
    return parent, os.path.basename(child)


def local_filesystems(folders: Iterable[str]) -> bool:
    """Whether every folder is on a file system in LOCAL_FILESYSTEMS, and every mount below it."""
    mounts = _mounts()
    points = sorted(mounts, key=len, reverse=True)  # the nearest mount first
    for folder in folders:
        real = os.path.realpath(folder)
        inside = real.rstrip("/") + "/"
        point = next((p for p in points if p == "/" or (real + "/").startswith(p + "/")), None)
        if point is None or mounts[point] not in LOCAL_FILESYSTEMS:
            return False
        if any(p.startswith(inside) and mounts[p] not in LOCAL_FILESYSTEMS for p in points):
            return False
    return True


def _mounts() -> dict[str, str]:
    """Mount point -> file system type, from /proc/self/mountinfo ({} where there is none)."""
    try:
        text = MOUNTS.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return {}
    mounts = {}
    for line in text.splitlines():
        fields, _, after = line.partition(" - ")
        parts = fields.split()
        if len(parts) >= 5 and after:
            mounts[_unescape(parts[4])] = after.split()[0]
    return mounts


def _unescape(field: str) -> str:
    r"""mountinfo writes space, tab, newline and backslash as \040, \011, \012 and \134."""
    if "\\" not in field:
        return field
    out, index = [], 0
    while index < len(field):
        if field[index] == "\\" and field[index + 1 : index + 4].isdigit():
            out.append(chr(int(field[index + 1 : index + 4], 8)))
            index += 4
        else:
            out.append(field[index])
            index += 1
    return "".join(out)
