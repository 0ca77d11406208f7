"""The stat pass: every file a build reads, with its size and modification time.

A full scan walks content/, static/, templates/ and the theme. A rebuild first tries the quick
way: if no folder's mtime moved (no file was added, removed or renamed), the files are the ones
recorded, and a stat of each tells what changed; no folder is listed, nothing is parsed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from time import time_ns

from transmit.build.store import digest
from transmit.errors import BuildWarning

Sig = tuple[int, int]  # (st_mtime_ns, st_size)
# A file or folder changed within this many nanoseconds before a scan may change again without
# its size or time showing it (coarse file system clocks): such files are compared by content
# and such folders listed again.
RACY_WINDOW_NS = 2_000_000_000
SOURCE_FOLDERS = (("post", "posts"), ("page", "pages"))
MISSING = -1


def stat_sig(path: str | Path) -> Sig | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the site's files look like now; keys are paths as strings, under the site folder
    as it was given."""

    sources: dict[str, str]  # Markdown source -> "post" or "page", in discovery order
    files: dict[str, Sig]  # every input file: sources, bundle files, static files, templates
    dirs: dict[str, int]  # every folder the scan listed -> mtime_ns (MISSING: absent)
    static: tuple[tuple[str, str], ...]  # (output path, source file); later entries win
    bundles: dict[str, tuple[tuple[str, str], ...]]  # index.md -> ((path in bundle, file), ...)
    templates: tuple[str, ...]  # template files, site's first
    template_digest: bytes  # of the template files' contents
    racy: dict[str, bytes]  # content digests of files too recently modified to trust by stat
    started_ns: int  # when the scan began
    skipped: dict[str, tuple[BuildWarning, ...]]  # what walking each kind's folder skipped
    linked: bool  # content/ holds symbolic links: folder times tell nothing, always scan
    watched: dict[str, Sig | None] = field(default_factory=dict)  # files renders looked at


def _walk(root: Path, dirs: dict[str, int], files: list[str], skip_hidden: bool) -> bool:
    """Every file below `root`, in a stable order; every folder's mtime into `dirs`. True when
    a symbolic link was met (links are not followed here)."""
    try:
        dirs[str(root)] = os.stat(root).st_mtime_ns
    except OSError:
        dirs[str(root)] = MISSING
        return False
    linked = os.path.islink(root)
    for folder, subdirs, names in os.walk(root):
        subdirs.sort()
        for name in subdirs:
            path = os.path.join(folder, name)
            linked = linked or os.path.islink(path)
            try:
                dirs[path] = os.stat(path).st_mtime_ns
            except OSError:
                dirs[path] = MISSING
        for name in sorted(names):
            if not (skip_hidden and name.startswith(".")):
                path = os.path.join(folder, name)
                linked = linked or os.path.islink(path)
                files.append(path)
    return linked


def _bundle_files(index: Path, content: Path) -> tuple[tuple[str, str], ...]:
    """The files a `name/index.md` bundle carries along (links leaving content/ are skipped:
    walking the posts already warned about them)."""
    from transmit.content.files import walk_files
    from transmit.content.loader import MARKDOWN_SUFFIXES

    bundle_dir = index.parent
    found = walk_files(bundle_dir, content.resolve(), content.parent, skip_hidden=False)
    return tuple(
        (path.relative_to(bundle_dir).as_posix(), str(path))
        for path in found.files
        if path != index and not path.name.lower().endswith(MARKDOWN_SUFFIXES)
    )


def _template_digest(templates: tuple[str, ...]) -> bytes:
    parts: list[bytes | str] = []
    for name in templates:
        parts.append(name)
        try:
            with open(name, "rb") as handle:
                parts.append(handle.read())
        except OSError:
            parts.append(b"\x00unreadable")
    return digest(*parts)


def scan_inputs(site_dir: Path, theme_dir: Path) -> Inputs:
    """Walk content/, static/, templates/ and the theme, stat-ing every file once. Sources
    are found as the loader finds them (`walk_files`: no link out of content/, no devices)."""
    from transmit.content.files import walk_files
    from transmit.content.loader import BUNDLE_INDEX, MARKDOWN_SUFFIXES

    started = time_ns()
    dirs: dict[str, int] = {}
    content = site_dir / "content"
    linked = _walk(content, dirs, [], skip_hidden=False)  # folder times, and links anywhere
    boundary = content.resolve()
    sources: dict[str, str] = {}
    files: dict[str, Sig] = {}
    bundles: dict[str, tuple[tuple[str, str], ...]] = {}
    skipped: dict[str, tuple[BuildWarning, ...]] = {}
    for kind, folder in SOURCE_FOLDERS:
        found = walk_files(content / folder, boundary, site_dir)
        skipped[kind] = found.warnings
        for path in found.files:
            if not path.name.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            key = str(path)
            if (sig := stat_sig(key)) is None:  # vanished while we looked
                continue
            sources[key] = kind
            files[key] = sig
            if path.stem == BUNDLE_INDEX:
                bundles[key] = _bundle_files(path, content)
                for _, name in bundles[key]:
                    if (bundle_sig := stat_sig(name)) is not None:
                        files[name] = bundle_sig
    static = []
    for prefix, root in (("assets/", theme_dir / "static"), ("", site_dir / "static")):
        found_static: list[str] = []
        linked = _walk(root, dirs, found_static, skip_hidden=True) or linked
        for name in found_static:
            if (sig := stat_sig(name)) is not None:
                files[name] = sig
                static.append((prefix + os.path.relpath(name, root).replace(os.sep, "/"), name))
    templates: list[str] = []
    for root in (site_dir / "templates", theme_dir / "templates"):
        linked = _walk(root, dirs, templates, skip_hidden=False) or linked
    for name in templates:
        if (sig := stat_sig(name)) is not None:
            files[name] = sig
    return Inputs(
        sources=sources,
        files=files,
        dirs=dirs,
        static=tuple(static),
        bundles=bundles,
        templates=tuple(templates),
        template_digest=_template_digest(tuple(templates)),
        racy=racy_digests(files, started),
        started_ns=started,
        skipped=skipped,
        linked=linked,
    )


def watch(inputs: Inputs, names: Iterable[str]) -> Inputs:
    """`inputs` with the given files (which renders looked at) stat-ed too, present or not."""
    watched = dict(inputs.watched)
    for name in names:
        if name not in watched:
            watched[name] = stat_sig(name)
    return replace(inputs, watched=watched)


def refresh_inputs(previous: Inputs) -> Inputs | None:
    """The previous scan with every file stat-ed again, when no folder changed since (no file
    added, removed or renamed); None when one did, or cannot be trusted: scan again then."""
    started = time_ns()
    if previous.linked:
        return None
    for folder, mtime in previous.dirs.items():
        if mtime != MISSING and mtime >= previous.started_ns - RACY_WINDOW_NS:
            return None
        try:
            now = os.stat(folder).st_mtime_ns
        except OSError:
            now = MISSING
        if now != mtime:
            return None
    files = {}
    for name in previous.files:
        if (sig := stat_sig(name)) is None:
            return None
        files[name] = sig
    racy = racy_digests(files, started)
    changed_templates = any(
        files[name] != previous.files[name]
        or (name in previous.racy and racy.get(name) != previous.racy[name])
        for name in previous.templates
        if name in files
    )
    return replace(
        previous,
        files=files,
        racy=racy,
        started_ns=started,
        watched={name: stat_sig(name) for name in previous.watched},
        template_digest=(
            _template_digest(previous.templates) if changed_templates else previous.template_digest
        ),
    )


def racy_digests(files: dict[str, Sig], scan_started_ns: int) -> dict[str, bytes]:
    """Content digests of the files modified too close to the scan to trust their stat."""
    found = {}
    for name, (mtime_ns, _) in files.items():
        if mtime_ns >= scan_started_ns - RACY_WINDOW_NS:
            content = content_digest(name)
            if content is not None:
                found[name] = content
    return found


def content_digest(name: str) -> bytes | None:
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
        if before.get(name) != sig or (name in racy and content_digest(name) != racy[name]):
            changed.add(name)
    removed = before.keys() - now.keys()
    return changed, set(removed)


def apply_changes(
    previous: Inputs, changed: Iterable[Path], site_dir: Path
) -> tuple[Inputs, frozenset[str]] | None:
    """The previous scan with just the named Markdown files stat-ed again (the dev server knows
    what changed), and their keys; None when a change is of another kind (a new file, config,
    template, static file, bundle) and needs a scan."""
    sources = previous.sources
    files = dict(previous.files)
    root = site_dir.absolute()
    keys = set()
    for given in changed:
        path = Path(given).absolute()
        try:
            key = str(site_dir / path.relative_to(root))
        except ValueError:
            return None
        if key not in sources or path.stem == "index":
            return None  # new files and bundles change the listing: scan
        if (sig := stat_sig(key)) is None:
            return None
        files[key] = sig
        keys.add(key)
    racy = dict(previous.racy)  # the others were not stat-ed again: as they were
    racy.update(racy_digests({key: files[key] for key in keys}, time_ns()))
    return replace(previous, files=files, racy=racy), frozenset(keys)
