"""The resident builder itself: forked from the `transmit build` that made the site, with that
build's site in memory, it answers the builds of the site that follow, one at a time.

Each answer is the build a fresh process would make (the same code path, the same lines
printed), only without loading the site first, and without stat-ing every input and output where
the kernel told it what changed since the last build (`changes`). It ends when unused for
IDLE_SECONDS, when its socket is gone or another builder's replaced it (the cache was deleted; a
later build kept its own), when the site folder moved, and when transmit or Python changed.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import select
import socket
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from transmit import __version__
from transmit.build.incremental import IncrementalBuilder
from transmit.build.manifest import Manifest
from transmit.build.pipeline import BuildOptions
from transmit.build.store import code_fingerprint
from transmit.build.workers import can_fork
from transmit.commands.output import Reporter
from transmit.resident.changes import ChangeWatch
from transmit.resident.protocol import (
    IDLE_SECONDS,
    PID_NAME,
    SOCKET_NAME,
    Lines,
    answer,
    bind,
    declined,
    decode_request,
    encode,
    read_all,
)

CHECK_SECONDS = 2.0  # how often an idle builder looks whether its socket is still its own
AUDIT_SECONDS = 30.0  # how often an idle builder checks its watch against a stat of every file
REQUEST_SECONDS = 10.0  # a client that sends nothing for this long is dropped


def keep(builder: IncrementalBuilder, reporter: Reporter) -> None:
    """Leave `builder` running in a process of its own, detached from this one (which goes on to
    end) and from the terminal; say so when it listens."""
    if not can_fork():
        return
    sys.stdout.flush()
    sys.stderr.flush()
    ready, said = os.pipe()
    try:
        first = os.fork()
    except OSError:  # no process to spare: the next build loads the site itself
        os.close(ready)
        os.close(said)
        return
    if first == 0:  # the first child starts a session and leaves it to the second
        os.close(ready)
        try:
            os.setsid()
            if os.fork() == 0:
                _run(builder, said)
        finally:
            os._exit(0)
    os.close(said)
    os.waitpid(first, 0)
    with os.fdopen(ready, "rb") as pipe:
        pid = pipe.read().decode()
    if pid:
        minutes = IDLE_SECONDS // 60
        reporter.info(
            f"kept the site in memory for the next build (process {pid}; it ends after "
            f"{minutes} minutes unused; TRANSMIT_RESIDENT=0 turns this off)"
        )


def _run(builder: IncrementalBuilder, said: int) -> NoReturn:
    """The builder's process, to its end: no terminal, no working folder kept busy."""
    try:
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        os.chdir("/")
        path = builder.cache_dir / SOCKET_NAME
        with bind(path) as listener:
            socket_id = os.stat(path).st_ino
            pid_file = builder.cache_dir / PID_NAME
            pid_file.write_text(f"{os.getpid()}\n", encoding="ascii")
            os.write(said, str(os.getpid()).encode())
            os.close(said)
            try:
                Resident(builder, listener, path, socket_id).serve()
            finally:
                _remove_if_mine(path, socket_id, pid_file)
    finally:
        os._exit(0)


def _change_watch(out_dir: Path) -> ChangeWatch | None:
    """The watch that spares builds their stat pass; None where the kernel has none to give
    (each build stats everything then)."""
    try:
        return ChangeWatch(out_dir)
    except (ImportError, OSError):
        return None


def _remove_if_mine(path: Path, socket_id: int, pid_file: Path) -> None:
    with contextlib.suppress(OSError):
        if os.stat(path).st_ino == socket_id:
            os.unlink(path)
    with contextlib.suppress(OSError, ValueError):
        if int(pid_file.read_text(encoding="ascii")) == os.getpid():
            pid_file.unlink()


class _Lines(io.TextIOBase):
    """A stream that keeps what is written to it, in order with another's (stdout, stderr)."""

    def __init__(self, stream: str, lines: Lines) -> None:
        super().__init__()
        self._stream = stream
        self._lines = lines

    def write(self, text: str) -> int:
        self._lines.append((self._stream, text))
        return len(text)


@dataclass(frozen=True, slots=True)
class Request:
    """One `transmit build`, as `protocol.request` made it (the fields of REQUEST_FIELDS)."""

    python: str
    version: str
    site: str
    out: str
    drafts: bool
    future: bool
    jobs: int
    strict: bool
    quiet: bool
    verbose: bool
    now: str

    @classmethod
    def decode(cls, data: bytes) -> Request:
        """ValueError when `data` is not a request."""
        return cls(**decode_request(data))  # type: ignore[arg-type]

    def options(self) -> BuildOptions:
        return BuildOptions(
            out_dir=Path(self.out),
            drafts=self.drafts,
            future=self.future,
            jobs=self.jobs,
            strict=self.strict,
            now=datetime.fromisoformat(self.now),
        )


@dataclass(frozen=True, slots=True)
class _Refusal:
    reason: str
    ends: bool  # this builder can serve no later build either


def _waiting(listener: socket.socket) -> bool:
    """Whether a client waits to be accepted."""
    readable, _, _ = select.select([listener], [], [], 0)
    return bool(readable)


class Resident:
    """Answers the builds of one site over `listener`, until a reason to end comes."""

    def __init__(
        self, builder: IncrementalBuilder, listener: socket.socket, path: Path, socket_id: int
    ) -> None:
        """`socket_id`: the inode of the socket file `listener` is bound to, at `path`."""
        self._builder = builder
        builder.settle_later = True
        self._listener = listener
        self._path = path
        self._socket_id = socket_id
        self._code = code_fingerprint()
        self._watch: ChangeWatch | None = None
        self._built = False  # the last request was built: its folders are to be watched

    def serve(self) -> None:
        collected = self.prepare()
        self._listener.settimeout(CHECK_SECONDS)
        used, litter = time.monotonic(), not collected
        audited = used
        while True:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                if time.monotonic() - used > IDLE_SECONDS or not self._still_reachable():
                    return
                if litter:  # the builds' garbage, once they pause (a collection walks the
                    gc.collect()  # whole site: 0.2 s at 10,000 posts, which no build waits for)
                    litter = False
                elif time.monotonic() - audited > AUDIT_SECONDS:
                    self._on_watch(ChangeWatch.audit)
                    audited = time.monotonic()
                continue
            with connection:
                connection.settimeout(REQUEST_SECONDS)
                ends = self._answer(connection)
            try:  # the client has its answer: now the saving it need not wait for
                self._builder.settle()
            except Exception:  # the next build, here or in a process of its own, redoes it
                return
            if self._built:
                self._on_watch(ChangeWatch.follow)
            if ends:
                return
            used, litter = time.monotonic(), True

    def prepare(self) -> bool:
        """What comes before the first request (which waits in the queue meanwhile): the
        site's warm-up, the watch, and the stat pass the first request's build would have to
        make, the watch not knowing yet what changed before it began (at 10,000 posts the
        first `transmit build` after the one that made this builder took 260-420 ms for
        nothing changed, the next ones 30 ms: now the first takes as long as they do). Then
        the collection of the first build's garbage, unless a request came meanwhile (it is
        left to the first pause then); whether it was made."""
        self._builder.warm_up()
        self._builder.settle()
        self._watch = _change_watch(self._builder.out_dir)
        self._on_watch(ChangeWatch.follow)
        if self._watch is not None:
            self._watch.take()  # from now on the watch counts, as for a request's build
            with contextlib.suppress(Exception):  # the first request's build tells what
                self._builder.build()
                self._builder.settle()
                self._on_watch(ChangeWatch.follow)
        # the garbage of the build that made the site (0.4 s at 10,000 posts): collected now,
        # while the writer is still reading what that build printed, rather than at a pause
        # between later builds (a build asked for then waits for it); but a request that
        # already waits goes first, and the collection to the first pause
        if _waiting(self._listener):
            return False
        gc.collect()
        return True

    def _on_watch(self, step: Callable[[ChangeWatch, Manifest], None]) -> None:
        """`ChangeWatch.follow` (watch what the last build read and wrote) or `.audit` (check
        the watch against a stat of every file) on the last build's record, if there is a watch."""
        manifest = self._builder.manifest
        if self._watch is not None and manifest is not None:
            step(self._watch, manifest)

    def _still_reachable(self) -> bool:
        """Whether a client finds this builder: its socket is where it was bound."""
        try:
            return os.stat(self._path).st_ino == self._socket_id
        except OSError:
            return False

    def _answer(self, connection: socket.socket) -> bool:
        """Build for one request and send what the command says; True when this builder ends."""
        try:
            request = Request.decode(read_all(connection))
        except (OSError, ValueError):
            return False  # not a client of ours; nobody to answer
        refusal = self._refusal(request)
        if refusal is not None:
            said, ends = declined(refusal.reason), refusal.ends
        else:
            try:
                said, ends = self._build(request), False
            except Exception as error:  # a bug: the client builds itself, and shows it
                said, ends = declined(f"failed: {type(error).__name__}"), True
        with contextlib.suppress(OSError):  # the client is gone (Ctrl-C): the build stands
            connection.settimeout(None)
            connection.sendall(encode(said))
        return ends

    def _refusal(self, request: Request) -> _Refusal | None:
        """Why this builder cannot make the build asked for, if it cannot."""
        builder = self._builder
        if request.python != sys.executable or request.version != __version__:
            return _Refusal("another transmit asks", ends=True)
        if request.site != str(builder.site_dir) or not builder.site_dir.is_dir():
            return _Refusal("the site folder moved", ends=True)
        if code_fingerprint() != self._code:
            return _Refusal("transmit changed", ends=True)
        if request.out != str(builder.out_dir):
            return _Refusal("another output folder", ends=False)
        return None

    def _build(self, request: Request) -> dict[str, object]:
        from transmit.cli import reported
        from transmit.commands.build import report_build

        lines: Lines = []
        reporter = Reporter(quiet=request.quiet, verbose=request.verbose)
        self._built = False

        def build() -> int:
            builder = self._builder
            builder.renew(request.options())
            changes = self._watch.take() if self._watch is not None else None
            if changes is None or changes.inputs is None or changes.outputs is None:
                summary = builder.build()  # the stat pass tells
            else:
                changed = [Path(name) for name in changes.inputs]
                summary = builder.build(changed, outputs_touched=changes.outputs)
            self._built = True
            return report_build(summary, reporter)

        with redirect_stdout(_Lines("out", lines)), redirect_stderr(_Lines("err", lines)):
            code = reported("build", build)
        return answer(lines, code)
