"""From a request target to a file of the built site, and nothing outside it.

The target is decoded once (percent-escapes, then UTF-8), split on "/", and refused if any segment
is "." or "..", or holds a backslash or NUL; what is left is resolved (symlinks included) and must
still lie inside the built site. Folders are served by their index.html, and asked for without the
final slash they redirect to the slash form, with the request's own percent-encoding kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import quote, unquote, unquote_to_bytes

INDEX = "index.html"
NOT_FOUND_PAGE = "404.html"
# characters a path or query may carry as they are; "%" keeps the request's own escapes
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"


class Outcome(Enum):
    FILE = "file"
    REDIRECT = "redirect"
    MISSING = "missing"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request leads: a file to send, a place to redirect to, or nothing."""

    outcome: Outcome
    file: Path | None = None
    location: str | None = None


MISSING = Target(Outcome.MISSING)
BAD = Target(Outcome.BAD)


def split_target(raw: str) -> tuple[str, str]:
    """The path and query of a request target as http.server gives it (each byte one char)."""
    if raw.startswith(("http://", "https://")):  # absolute-form, from proxies
        after_scheme = raw.split("://", 1)[1]
        raw = "/" + after_scheme.split("/", 1)[1] if "/" in after_scheme else "/"
    raw = raw.split("#", 1)[0]
    path, _, query = raw.partition("?")
    return path, query


def decode_path(raw_path: str) -> str | None:
    """The request path as text; None if it is not valid UTF-8 (escaped or raw) or holds NUL."""
    try:
        text = unquote_to_bytes(raw_path.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return None if "\x00" in text else text


def redirect_location(raw_path: str, query: str) -> str:
    """`raw_path` + "/" as the client wrote it (escapes kept, raw bytes escaped), one leading "/"
    so that "//host" can never become a link to another site."""
    encoded = quote(raw_path.encode("latin-1"), safe=_URL_SAFE)
    location = "/" + encoded.lstrip("/") + "/"
    if query:
        location += "?" + quote(query.encode("latin-1"), safe=_URL_SAFE)
    return location


def inside(root: Path, path: Path) -> Path | None:
    """`path` with symlinks resolved, if it is `root` or below it (root already resolved)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return real if real == root or real.is_relative_to(root) else None


def site_relative(text: str, base_path: str) -> str | None:
    """The part of a decoded path below the site's base path ("/notes/"), or None if outside."""
    base = unquote(base_path)
    return text[len(base) :] if text.startswith(base) else None


def resolve(root: Path, base_path: str, raw_target: str) -> Target:
    """What to answer to `raw_target` from the built site in `root` (resolved) at `base_path`."""
    raw_path, query = split_target(raw_target)
    text = decode_path(raw_path)
    if text is None:
        return BAD
    relative = site_relative(text, base_path)
    if relative is None:
        if text in ("/", unquote(base_path).rstrip("/")):  # the bare host, or "/notes"
            return Target(Outcome.REDIRECT, location=base_path)
        return MISSING
    segments = [segment for segment in relative.split("/") if segment]
    if any(segment in (".", "..") or "\\" in segment for segment in segments):
        return MISSING
    real = inside(root, root.joinpath(*segments))
    if real is None:
        return MISSING
    wants_folder = relative == "" or relative.endswith("/")
    if real.is_dir():
        if not wants_folder:
            return Target(Outcome.REDIRECT, location=redirect_location(raw_path, query))
        index = inside(root, real / INDEX)
        return Target(Outcome.FILE, file=index) if index and index.is_file() else MISSING
    if real.is_file() and not wants_folder:
        return Target(Outcome.FILE, file=real)
    return MISSING


def not_found_page(root: Path) -> Path | None:
    page = inside(root, root / NOT_FOUND_PAGE)
    return page if page is not None and page.is_file() else None
