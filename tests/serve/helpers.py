"""Talking to a dev server the way clients do: real sockets, raw request lines, settled builds."""

from __future__ import annotations

import http.client
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from transmit.serve.session import DevServer
from transmit.serve.state import SiteState

BUILD_DEADLINE = 30.0  # seconds: a deadline against hanging, not a speed assertion
QUIET = 0.25  # seconds without a new build before a burst of edits counts as done


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(server: DevServer, target: str, method: str = "GET") -> Response:
    """One request with `target` sent exactly as given (no client-side normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Response(response.status, headers, body)
    finally:
        connection.close()


def raw_request(server: DevServer, request: bytes) -> bytes:
    """Bytes in, bytes out: for request lines no HTTP client library would send."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def settle(server: DevServer, cursor: int) -> SiteState:
    """Wait for the builds caused by edits made after `cursor` (a `box.changes` value)."""
    state = server.box.wait_after(cursor, BUILD_DEADLINE)
    assert state is not None, "no rebuild followed the edit"
    while True:
        cursor = server.box.changes
        later = server.box.wait_after(cursor, QUIET)
        if later is None:
            return server.box.state


def tree(root: Path) -> dict[str, bytes]:
    """Every file below `root` by its relative path, with its bytes."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def wait_until(predicate, deadline: float = BUILD_DEADLINE) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + deadline
    while not predicate():
        assert time.monotonic() < end, "condition never became true"
        time.sleep(0.02)
