"""What the resident builder and `transmit build` agree on: the socket's place, the request, the
answer, and when a builder is kept at all. Light to import (sockets, JSON and no more): a build
handed over spends its time in the builder, not in loading modules it does not use."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from transmit import __version__
from transmit.build.folders import CACHE_DIR, DEFAULT_OUTPUT

SOCKET_NAME = "builder.sock"
PID_NAME = "builder.pid"  # the builder's process id, for `kill` and the benchmarks
# `TRANSMIT_RESIDENT`: unset, a builder is kept after a build of MIN_POSTS posts or more, unless
# the CI variable is set (a one-off build); "0" never; "1" after every build, however small.
SETTING = "TRANSMIT_RESIDENT"
MIN_POSTS = 1000
IDLE_SECONDS = 15 * 60  # unused this long, the builder ends
UNIX_PATH_LIMIT = 100  # bytes of a socket's path (the system's limit is 104 to 108)

# A request: one `transmit build`, as the builder needs it. `python` and `version`: the
# interpreter and transmit asking (another is not served); `now`: ISO 8601, with its offset.
REQUEST_FIELDS: dict[str, type] = {
    "python": str,
    "version": str,
    "site": str,
    "out": str,
    "drafts": bool,
    "future": bool,
    "jobs": int,
    "strict": bool,
    "quiet": bool,
    "verbose": bool,
    "now": str,
}
Lines = list[tuple[str, str]]  # what a command prints: ("out" or "err", text), in order


def setting() -> str:
    """ "never", "always" or "auto", from the environment."""
    value = os.environ.get(SETTING, "").strip().lower()
    if value in ("0", "no", "false", "off"):
        return "never"
    if value in ("1", "yes", "true", "on"):
        return "always"
    return "auto"


def supported() -> bool:
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


def may_keep() -> bool:
    """Whether a build may leave its builder running (then it keeps the site in memory)."""
    wanted = setting()
    return supported() and (wanted == "always" or (wanted == "auto" and not os.environ.get("CI")))


def keeps_builder(posts: int) -> bool:
    """Whether a build of `posts` posts and pages leaves its builder running."""
    return may_keep() and (setting() == "always" or posts >= MIN_POSTS)


def socket_path(site_dir: Path) -> Path:
    return site_dir.absolute() / CACHE_DIR / SOCKET_NAME


def request(
    site_dir: Path,
    out_dir: Path | None,
    choices: dict[str, bool | int],
    now: datetime,
) -> dict[str, object]:
    """The request for a build of `site_dir` into `out_dir` (None: the default) with `choices`
    (drafts, future, jobs, strict, quiet, verbose) at `now`."""
    site = site_dir.absolute()
    fields = {
        "python": sys.executable,
        "version": __version__,
        "site": str(site),
        "out": str((out_dir or site / DEFAULT_OUTPUT).absolute()),
        **choices,
        "now": now.isoformat(),
    }
    if fields.keys() != REQUEST_FIELDS.keys():
        raise ValueError(f"a request has {sorted(REQUEST_FIELDS)}, not {sorted(fields)}")
    return fields


def encode(message: dict[str, object]) -> bytes:
    return json.dumps(message).encode()


def decode_request(data: bytes) -> dict[str, object]:
    """The request in `data`; ValueError when it is not one (every field, of its type)."""
    fields = json.loads(data)
    if not isinstance(fields, dict) or fields.keys() != REQUEST_FIELDS.keys():
        raise ValueError("not a request")
    for name, kind in REQUEST_FIELDS.items():
        value = fields[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"a request's {name} is a {kind.__name__}")
    datetime.fromisoformat(fields["now"])  # raises ValueError when it is not a time
    return fields


def answer(lines: Lines, code: int) -> dict[str, object]:
    return {"lines": lines, "code": code}


def declined(reason: str) -> dict[str, object]:
    """The answer of a builder that did not build (the command builds itself then)."""
    return {"declined": reason}


def decode_answer(data: bytes) -> tuple[Lines, int | None]:
    """The lines to print and the exit code in an answer; code None when the builder declined
    (or sent what is not an answer). ValueError when `data` is not JSON."""
    fields = json.loads(data)
    if not isinstance(fields, dict) or type(code := fields.get("code")) is not int:
        return [], None
    lines = fields.get("lines")
    if not isinstance(lines, list) or not all(
        isinstance(line, list) and len(line) == 2 and all(isinstance(x, str) for x in line)
        for line in lines
    ):
        return [], None
    return [(stream, text) for stream, text in lines], code


@contextlib.contextmanager
def _short(path: Path) -> Iterator[str]:
    """`path` as a socket can be given it: relative to its folder, made the working folder for
    the while, when the whole path is longer than sockets allow."""
    if len(os.fsencode(path)) < UNIX_PATH_LIMIT:
        yield str(path)
        return
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        yield path.name
    finally:
        os.chdir(here)


def connect(path: Path) -> socket.socket:
    """A connection to the builder listening at `path`; OSError when none does."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        with _short(path) as name:
            client.connect(name)
    except OSError:
        client.close()
        raise
    return client


def bind(path: Path) -> socket.socket:
    """A socket listening at `path`, which only this user may connect to. It is bound beside
    `path` and renamed onto it: a builder already there loses its socket, and ends."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    beside = path.with_name(f"{path.name}.{os.getpid()}")
    mask = os.umask(0o077)
    try:
        with _short(beside) as name:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
            listener.bind(name)
        listener.listen(8)
        os.replace(beside, path)
    except OSError:
        listener.close()
        raise
    finally:
        os.umask(mask)
    return listener


def read_all(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
