"""The HTTP side of `transmit serve`: the built site, the live-reload stream and the client script.

A ThreadingHTTPServer whose request threads are joined on close, so stopping leaves none behind;
event streams end when the hub closes. Every response is built from the current SiteState snapshot,
taken before any file is read, so a page can only be older than the version it carries (and then
it reloads), never newer.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import sys
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from transmit.serve.livereload import (
    CLIENT_PATH,
    EVENTS_PATH,
    KEEPALIVE,
    KEEPALIVE_SECONDS,
    PREFIX,
    ReloadHub,
    client_script,
    event_message,
    inject_client,
)
from transmit.serve.mime import content_type
from transmit.serve.overlay import missing_page, problem_page
from transmit.serve.paths import Outcome, Target, not_found_page, resolve, split_target
from transmit.serve.state import SiteState, StateBox
from transmit.site.search import SEARCH_DIR

HTML = "text/html; charset=utf-8"
# a full build swaps the new output folder in with two renames; a request between them waits
SWAP_RETRIES, SWAP_PAUSE = 20, 0.005


class DevHTTPServer(ThreadingHTTPServer):
    """Knows the site state, the reload hub, and where request lines go (nowhere by default)."""

    daemon_threads = False  # joined by server_close(): no thread outlives the server
    block_on_close = True

    def __init__(
        self,
        address: tuple[str, int],
        box: StateBox,
        hub: ReloadHub,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.box = box
        self.hub = hub
        self.log = log
        # called before a file of the search index is served while edits left it behind
        self.refresh_search: Callable[[], None] = lambda: None
        super().__init__(address, SiteHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser closing its connection early is normal; anything else is printed."""
        if isinstance(sys.exception(), ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class SiteHandler(BaseHTTPRequestHandler):
    server: DevHTTPServer
    server_version = "transmit-serve"
    protocol_version = "HTTP/1.0"  # one request per connection: nothing idles in a thread
    timeout = 10  # seconds a silent client may hold its thread

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

    def _answer(self, with_body: bool) -> None:
        path, _ = split_target(self.path)
        if path == EVENTS_PATH:
            self._stream_events(with_body)
            return
        if path == CLIENT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", client_script(), with_body)
            return
        if path.startswith(PREFIX):
            self._send(HTTPStatus.NOT_FOUND, HTML, missing_page(path), with_body)
            return
        state = self.server.box.state
        if state.root is None:  # no build has succeeded yet
            page = inject_client(problem_page(state.problems), state)
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, HTML, page, with_body)
            return
        target = self._resolve(state.root, state.base_path)
        if state.search_pending and _in_search_index(target.file, state.root):
            self.server.refresh_search()
            state = self.server.box.state
            target = self._resolve(state.root or Path(), state.base_path)
        if target.outcome is Outcome.BAD:
            self.send_error(HTTPStatus.BAD_REQUEST, "The address is not valid")
        elif target.outcome is Outcome.REDIRECT:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", target.location or "/")
            self.send_header("Content-Length", "0")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
        elif target.file is None or not self._send_file(target.file, state, with_body):
            self._send_not_found(state, with_body)

    def _resolve(self, root: Path, base_path: str) -> Target:
        target = resolve(root, base_path, self.path)
        for _ in range(SWAP_RETRIES):
            if target.outcome is not Outcome.MISSING or root.is_dir():
                break
            time.sleep(SWAP_PAUSE)
            target = resolve(root, base_path, self.path)
        return target

    def _send_not_found(self, state: SiteState, with_body: bool) -> None:
        page = not_found_page(state.root) if state.root else None
        if page is None or not self._send_file(page, state, with_body, HTTPStatus.NOT_FOUND):
            path, _ = split_target(self.path)
            self._send(
                HTTPStatus.NOT_FOUND, HTML, inject_client(missing_page(path), state), with_body
            )

    def _send_file(
        self, file: Path, state: SiteState, with_body: bool, status: HTTPStatus = HTTPStatus.OK
    ) -> bool:
        """Send a file of the built site; False if it vanished (a build replaced it)."""
        kind = content_type(file)
        try:
            handle = file.open("rb")
        except OSError:
            return False
        with handle:
            if kind.startswith("text/html"):
                self._send(status, kind, inject_client(handle.read(), state), with_body)
                return True
            self._headers(status, kind, os.fstat(handle.fileno()).st_size)
            if with_body:
                shutil.copyfileobj(handle, self.wfile)
        return True

    def _headers(self, status: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, data: bytes, with_body: bool) -> None:
        self._headers(status, kind, len(data))
        if with_body:
            self.wfile.write(data)

    def _stream_events(self, with_body: bool) -> None:
        subscription = self.server.hub.subscribe()
        if subscription is None:  # shutting down
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not with_body:
                return
            self.wfile.write(event_message(self.server.box.state))
            while True:
                try:
                    message = subscription.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    message = KEEPALIVE
                if message is None:
                    return
                self.wfile.write(message)
        except OSError:  # the page went away
            return
        finally:
            self.server.hub.unsubscribe(subscription)


def _in_search_index(file: Path | None, root: Path) -> bool:
    return file is not None and file.parent.is_relative_to(root / SEARCH_DIR)
