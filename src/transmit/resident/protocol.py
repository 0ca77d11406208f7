"""What the resident builder and `transmit build` agree on: the socket's place, the request, the
answer, and when a builder is kept at all. Light to import: the client runs it on every build."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from transmit import __version__
from transmit.build.pipeline import CACHE_DIR, DEFAULT_OUTPUT, BuildOptions

SOCKET_NAME = "builder.sock"
PID_NAME = "builder.pid"  # the builder's process id, for `kill` and the benchmarks
# `TRANSMIT_RESIDENT`: unset, a builder is kept after a build of MIN_POSTS posts or more, unless
# the CI variable is set (a one-off build); "0" never; "1" after every build, however small.
SETTING = "TRANSMIT_RESIDENT"
MIN_POSTS = 1000
IDLE_SECONDS = 15 * 60  # unused this long, the builder ends
UNIX_PATH_LIMIT = 100  # bytes of a socket's path (the system's limit is 104 to 108)


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


def cache_dir(site_dir: Path) -> Path:
    return site_dir.absolute() / CACHE_DIR


def out_dir(site_dir: Path, options: BuildOptions) -> Path:
    return (options.out_dir or site_dir.absolute() / DEFAULT_OUTPUT).absolute()


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


@dataclass(frozen=True, slots=True)
class Request:
    """One `transmit build`, as the resident builder needs it."""

    python: str  # the interpreter and transmit asking: another one is not served
    version: str
    site: str
    out: str
    drafts: bool
    future: bool
    jobs: int
    strict: bool
    quiet: bool
    verbose: bool
    now: str  # ISO 8601, with its offset

    @classmethod
    def of(cls, site_dir: Path, options: BuildOptions, quiet: bool, verbose: bool) -> Request:
        return cls(
            python=sys.executable,
            version=__version__,
            site=str(site_dir.absolute()),
            out=str(out_dir(site_dir, options)),
            drafts=options.drafts,
            future=options.future,
            jobs=options.jobs,
            strict=options.strict,
            quiet=quiet,
            verbose=verbose,
            now=options.now.isoformat(),
        )

    def options(self) -> BuildOptions:
        return BuildOptions(
            out_dir=Path(self.out),
            drafts=self.drafts,
            future=self.future,
            jobs=self.jobs,
            strict=self.strict,
            now=datetime.fromisoformat(self.now),
        )

    def encode(self) -> bytes:
        return json.dumps(asdict(self)).encode() + b"\n"

    @classmethod
    def decode(cls, data: bytes) -> Request:
        """Raises ValueError (or TypeError) when `data` is not a request."""
        fields = json.loads(data)
        if not isinstance(fields, dict):
            raise ValueError("a request is a JSON object")
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the builder did: the lines the command prints (("out" or "err", text), in order)
    and its exit code; or, with `code` None, why it did not build (the client then builds)."""

    lines: tuple[tuple[str, str], ...] = ()
    code: int | None = None
    declined: str = ""

    def encode(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def decode(cls, data: bytes) -> Answer:
        fields = json.loads(data)
        if not isinstance(fields, dict):
            raise ValueError("an answer is a JSON object")
        lines = tuple((str(stream), str(text)) for stream, text in fields.get("lines", ()))
        code = fields.get("code")
        return cls(lines, code if isinstance(code, int) else None, str(fields.get("declined", "")))


def read_all(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
