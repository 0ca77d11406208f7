"""The stat pass: every file a build reads, with its size and modification time.

A rebuild compares this with the manifest of the previous build; when nothing differs the build
is over before any Markdown, YAML or template is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from transmit.build.store import digest

Sig = tuple[int, int]  # (st_mtime_ns, st_size)
# A file changed within this many nanoseconds of the scan that recorded it may change again
# without its size or time showing it (coarse file system clocks): it is compared by content.
RACY_WINDOW_NS = 2_000_000_000
SOURCE_FOLDERS = (("post", "posts"), ("page", "pages"))


def stat_sig(path: str | Path) -> Sig | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@dataclass(frozen=True, slots=True)
class Source:
    kind: str  # "post" or "page"
    path: Path


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the site's files look like now; keys are absolute paths as strings."""

    sources: dict[str, Source]
    files: dict[str, Sig]  # sources, static files and bundle files
    static: tuple[tuple[str, str], ...]  # (output path, source path), later entries win
    bundles: dict[str, tuple[tuple[str, str], ...]]  # index.md -> ((path in bundle, file), ...)
    templates: bytes  # digest of the site's and the theme's template files, by content
    racy: dict[str, bytes]  # content digests of files too recently modified to trust their stat


def _walk_files(root: Path, skip_hidden: bool) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if skip_hidden and name.startswith("."):
                continue
            yield Path(folder) / name


def _bundle_files(index: Path) -> tuple[tuple[str, str], ...]:
    """The files a `name/index.md` bundle carries along, as the pipeline copies them."""
    bundle_dir = index.parent
    found = []
    for source in _walk_files(bundle_dir, skip_hidden=False):
        if source == index or source.name.lower().endswith((".md", ".markdown")):
            continue
        found.append((source.relative_to(bundle_dir).as_posix(), str(source)))
    return tuple(found)


def template_digest(site_dir: Path, theme_templates: Path) -> bytes:
    parts: list[bytes | str] = []
    for root in (site_dir / "templates", theme_templates):
        if not root.is_dir():
            continue
        for path in _walk_files(root, skip_hidden=False):
            parts.append(str(path))
            try:
                parts.append(path.read_bytes())
            except OSError:
                parts.append(b"\x00unreadable")
    return digest(*parts)


def scan_inputs(site_dir: Path, theme_dir: Path) -> Inputs:
    """Walk content/, static/, templates/ and the theme, stat-ing every file once."""
    from time import time_ns

    from transmit.content.loader import BUNDLE_INDEX, discover

    started = time_ns()
    sources: dict[str, Source] = {}
    files: dict[str, Sig] = {}
    bundles: dict[str, tuple[tuple[str, str], ...]] = {}
    content = site_dir / "content"
    for kind, folder in SOURCE_FOLDERS:
        for path in discover(content / folder):
            key = str(path)
            sig = stat_sig(key)
            if sig is None:  # vanished while we looked
                continue
            sources[key] = Source(kind, path)
            files[key] = sig
            if path.stem == BUNDLE_INDEX:
                bundles[key] = _bundle_files(path)
                for _, name in bundles[key]:
                    if (bundle_sig := stat_sig(name)) is not None:
                        files[name] = bundle_sig
    static = []
    for prefix, root in (("assets/", theme_dir / "static"), ("", site_dir / "static")):
        if not root.is_dir():
            continue
        for path in _walk_files(root, skip_hidden=True):
            name = str(path)
            if (sig := stat_sig(name)) is not None:
                files[name] = sig
                static.append((prefix + path.relative_to(root).as_posix(), name))
    return Inputs(
        sources=sources,
        files=files,
        static=tuple(static),
        bundles=bundles,
        templates=template_digest(site_dir, theme_dir / "templates"),
        racy=racy_digests(files, started),
    )


def racy_digests(files: dict[str, Sig], scan_started_ns: int) -> dict[str, bytes]:
    """Content digests of the files modified too close to the scan to trust their stat."""
    found = {}
    for name, (mtime_ns, _) in files.items():
        if mtime_ns >= scan_started_ns - RACY_WINDOW_NS:
            content = _content_digest(name)
            if content is not None:
                found[name] = content
    return found


def _content_digest(name: str) -> bytes | None:
    try:
        with open(name, "rb") as handle:
            return digest(handle.read())
    except OSError:
        return None


def changed_files(
    now: dict[str, Sig], before: dict[str, Sig], racy: dict[str, bytes]
) -> tuple[set[str], set[str]]:
    """(changed or new, removed) between two scans; a racy file counts as changed unless its
    content is what it was."""
    changed = set()
    for name, sig in now.items():
        old = before.get(name)
        if old != sig or (name in racy and _content_digest(name) != racy[name]):
            changed.add(name)
    removed = before.keys() - now.keys()
    return changed, set(removed)
