"""One run of the dev server: a temporary output folder, the builder, the watcher, the HTTP server.

Start order: bind (a busy port fails before any work), first build (with no other thread running,
so that its workers are forked: started afresh they took 30% longer at 10,000 posts), serve,
watch, a stat pass for what was saved during the first build, rebuild on change. Stop order:
watcher, event streams, HTTP requests (so nothing waits on a long build to answer), the running
build, then the temporary folder. The user's public/ is never written.
"""

from __future__ import annotations

import errno
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

# The builder serve runs: only what a change requires is built again (build/incremental.py).
from transmit.build.incremental import IncrementalBuilder as Builder
from transmit.build.pipeline import BuildOptions
from transmit.errors import UsageError
from transmit.serve.livereload import ReloadHub
from transmit.serve.rebuild import BuildReport, Rebuilder
from transmit.serve.server import DevHTTPServer
from transmit.serve.state import SiteState, StateBox
from transmit.serve.watch import WatchTiming

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000  # 0: any free port
    port_tries: int = 1  # try port, port + 1, ... this many
    timing: WatchTiming = field(default_factory=WatchTiming)


def bind(
    options: ServeOptions, box: StateBox, hub: ReloadHub, log: Callable[[str], None] | None
) -> DevHTTPServer:
    """The server on the first free port from `options.port`; a clear UsageError if none is."""
    last = options.port + max(options.port_tries, 1) - 1
    for port in range(options.port, last + 1):
        try:
            return DevHTTPServer((options.host, port), box, hub, log)
        except OSError as error:
            if error.errno == errno.EADDRINUSE and port < last:
                continue
            if error.errno == errno.EADDRINUSE:
                tried = (
                    f"ports {options.port}-{last} are"
                    if last > options.port
                    else (f"port {port} is")
                )
                raise UsageError(
                    f"{tried} in use (another server running?); choose one with --port"
                ) from None
            raise UsageError(f"cannot listen on {options.host}:{port}: {error.strerror}") from None
    raise AssertionError("unreachable")


class DevServer:
    """`transmit serve` without the terminal: start(), then stop(); also a context manager."""

    def __init__(
        self,
        site_dir: Path,
        build_options: BuildOptions,
        options: ServeOptions,
        *,
        on_report: Callable[[BuildReport], None] | None = None,
        log_request: Callable[[str], None] | None = None,
    ) -> None:
        self.site_dir = site_dir.resolve()
        self.options = options
        self._build_options = build_options
        self._on_report = on_report
        self._log_request = log_request
        self.box = StateBox(SiteState(session=secrets.token_hex(8)))
        self.hub = ReloadHub()
        self._work_dir: Path | None = None
        self._http: DevHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._rebuilder: Rebuilder | None = None

    @property
    def out_dir(self) -> Path:
        """Where the served site is built (a temporary folder)."""
        assert self._work_dir is not None, "start() first"
        return self._work_dir / "site"

    @property
    def port(self) -> int:
        assert self._http is not None, "start() first"
        return int(self._http.server_address[1])

    @property
    def url(self) -> str:
        host = self.options.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}{self.box.state.base_path}"

    def start(self) -> BuildReport:
        """Bind, build once, serve and watch; returns the first build's report."""
        self._http = bind(self.options, self.box, self.hub, self._log_request)
        try:
            self._work_dir = Path(tempfile.mkdtemp(prefix="transmit-serve-")).resolve()
            options = replace(self._build_options, out_dir=self.out_dir)
            builder = Builder(self.site_dir, options, defer_search=True, ephemeral=True)
            self._rebuilder = Rebuilder(self.site_dir, builder, self.box, self._reported)
            self._http.refresh_search = self._rebuilder.refresh_search
            first = self._rebuilder.build(None)  # before any thread: its workers can be forked
            self._http_thread = threading.Thread(
                target=self._http.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="transmit-http",
                daemon=True,
            )
            self._http_thread.start()
            self._rebuilder.watch(self.options.timing)
        except BaseException:
            self.stop()
            raise
        return first

    def stop(self) -> None:
        """Stop everything started, in order; safe to call twice."""
        if self._rebuilder is not None:
            self._rebuilder.stop_watching()
        self.hub.close()  # ends the event streams, so the request threads can be joined
        if self._http is not None:
            if self._http_thread is not None and self._http_thread.is_alive():
                self._http.shutdown()
            self._http.server_close()
            self._http, self._http_thread = None, None
        try:
            if self._rebuilder is not None:
                self._rebuilder.stop()  # waits for a running build: its files are going away
                self._rebuilder = None
        finally:
            if self._work_dir is not None:
                shutil.rmtree(self._work_dir, ignore_errors=True)
                self._work_dir = None

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _reported(self, report: BuildReport) -> None:
        self.hub.publish(self.box.state)
        if self._on_report is not None:
            self._on_report(report)
