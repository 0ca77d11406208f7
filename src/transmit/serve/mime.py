"""Content types for the files a built site holds, independent of the machine's mime.types."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

UTF8 = "; charset=utf-8"
TEXT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".xsl": "application/xslt+xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".md": "text/plain",
    ".csv": "text/csv",
}
BINARY_TYPES = {
    ".wasm": "application/wasm",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".bmp": "image/bmp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".zip": "application/zip",
    ".gz": "application/gzip",
}
OCTET_STREAM = "application/octet-stream"
# Pagefind's index: pagefind.*.pf_meta, *.pf_index, *.pf_fragment, *.pf_filter, wasm.*.pagefind
OPAQUE_SUFFIXES = (".pagefind",)
OPAQUE_PREFIX = ".pf_"


def content_type(path: PurePath) -> str:
    suffix = path.suffix.lower()
    if suffix in TEXT_TYPES:
        return TEXT_TYPES[suffix] + UTF8
    if suffix in BINARY_TYPES:
        return BINARY_TYPES[suffix]
    if suffix.startswith(OPAQUE_PREFIX) or suffix in OPAQUE_SUFFIXES:
        return OCTET_STREAM
    guessed, encoding = mimetypes.guess_type(path.name, strict=False)
    if guessed is None or encoding is not None:  # a .tar.gz is not gzip-encoded content here
        return OCTET_STREAM
    return guessed + UTF8 if guessed.startswith("text/") else guessed
