"""Where an image a post names lives on disk, what its address on the site is, how big it is.

Looked up in this order: remote and `data:` URLs are left alone; a root-absolute path
(`/img/a.png`) in `static/`; a path relative to the post (bundle, `images/` beside the post,
`../assets/`); then the Hexo-style asset folder named after the post (`post.md` +
`post/relu.png`, referenced as `relu.png` or `/relu.png`). A file found under `content/`
outside the post's bundle is reported as an Asset so the build copies it.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from transmit.content.post import Post
from transmit.render.data import Asset

_REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
SIZE_MEMO = 4096  # image files whose size a process remembers (posts share figures and logos)


@dataclass(frozen=True, slots=True)
class ResolvedImage:
    src: str  # the address to write in the page
    width: int | None = None
    height: int | None = None
    asset: Asset | None = None
    problem: str | None = None  # a warning to give, naming the image
    remote: bool = False
    # the files looked for, found or not: the result depends on nothing else on disk, so a
    # build can tell when to render the post again
    consulted: tuple[Path, ...] = ()


def is_remote(src: str) -> bool:
    return bool(_REMOTE.match(src))


@functools.lru_cache(maxsize=SIZE_MEMO)
def _size_of(path: str, mtime_ns: int, size: int) -> tuple[int | None, int | None]:
    """Pixel size from the file header (no full decode), None when the format is unknown;
    read once per process while the file keeps its time and size. (imagesize is imported here,
    by the first post with an image of its own: it loads urllib.request, 15 ms of a worker's
    start.)"""
    import imagesize

    try:
        width, height = imagesize.get(path)
    except (OSError, ValueError, TypeError):
        return None, None
    if width is None or height is None or width <= 0 or height <= 0:
        return None, None
    return round(width), round(height)


def _is_file(path: Path) -> os.stat_result | None:
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found if stat.S_ISREG(found.st_mode) else None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _site_url(base_path: str, output: str) -> str:
    return base_path + quote(output, safe="/-._~!$&'()*+,;=:@")


def resolve_image(
    src: str, post: Post, site_dir: Path | None, base_path: str = "/"
) -> ResolvedImage:
    """Find the file behind an image's `src` (as markdown-it normalised it)."""
    if not src or is_remote(src):
        return ResolvedImage(src, remote=True)
    path_part = re.split(r"[?#]", src, maxsplit=1)[0]
    suffix = src[len(path_part) :]
    written = unquote(path_part).replace("\\", "/")
    post_dir = post.source.parent
    content_dir = site_dir / "content" if site_dir else None
    static_dir = site_dir / "static" if site_dir else None
    candidates: list[Path] = []
    if written.startswith("/"):
        relative = written.lstrip("/")
        if static_dir is not None:
            candidates.append(static_dir / relative)
        candidates.append(post_dir / relative)
    else:
        relative = written
        candidates.append(post_dir / relative)
    if post.bundle_dir is None:
        candidates.append(post_dir / post.source.stem / relative)

    consulted = []
    for candidate in candidates:
        consulted.append(candidate)
        if (found := _is_file(candidate)) is None:
            continue
        looked = tuple(consulted)
        resolved = Path(posixpath.normpath(candidate.as_posix()))
        width, height = _size_of(str(candidate), found.st_mtime_ns, found.st_size)
        if static_dir is not None and _inside(resolved, static_dir):
            output = resolved.relative_to(static_dir).as_posix()
            url = _site_url(base_path, output) + suffix
            return ResolvedImage(url, width, height, consulted=looked)
        if post.bundle_dir is not None and _inside(resolved, post.bundle_dir):
            output = post.path + resolved.relative_to(post.bundle_dir).as_posix()
            url = _site_url(base_path, output) + suffix
            return ResolvedImage(url, width, height, consulted=looked)
        if content_dir is not None and _inside(resolved, content_dir):
            output = resolved.relative_to(content_dir).as_posix()
            asset = Asset(output, str(resolved))
            url = _site_url(base_path, output) + suffix
            return ResolvedImage(url, width, height, asset, consulted=looked)
        problem = f"image is outside content/ and static/, so it is not published: {written}"
        return ResolvedImage(src, width, height, problem=problem, consulted=looked)
    problem = f"image not found: {written}"
    return ResolvedImage(src, problem=problem, consulted=tuple(consulted))
