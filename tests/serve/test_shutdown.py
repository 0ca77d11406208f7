"""Stopping: Ctrl-C, SIGTERM or stop() end every thread and remove the temporary output."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import AS_FROM_A_TERMINAL
from tests.serve.conftest import started
from tests.serve.helpers import BUILD_DEADLINE, fetch
from transmit.serve.livereload import EVENTS_PATH


def open_stream(port: int) -> socket.socket:
    """An event-stream connection that has received its first message."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(f"GET {EVENTS_PATH} HTTP/1.0\r\n\r\n".encode())
    received = b""
    while b"event: state" not in received:
        received += connection.recv(4096)
    return connection


def test_stop_leaves_no_threads_and_no_files(small_site: Path) -> None:
    before = set(threading.enumerate())
    server = started(small_site)
    work_dir = server.out_dir.parent
    assert fetch(server, "/").status == 200
    streams = [open_stream(server.port) for _ in range(3)]
    try:
        assert len(set(threading.enumerate()) - before) >= 5  # http, 2 watchers, rebuild, streams
        server.stop()
        for stream in streams:  # the server ended each stream
            while stream.recv(4096):
                pass
    finally:
        for stream in streams:
            stream.close()
    assert set(threading.enumerate()) - before == set()
    assert not work_dir.exists()
    server.stop()  # a second stop is harmless


@contextmanager
def serve_process(
    site: Path, tmp_path: Path, *args: str
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`python -m transmit serve SITE --port 0 ...` running, with its URL."""
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL, "serve", str(site), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if match := re.search(r"serving (http://\S+)", line):
                yield process, match.group(1)
                break
        else:
            pytest.fail(f"the server never said where it serves: {process.stderr.read()}")  # type: ignore[union-attr]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_exit_cleanly(
    small_site: Path, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    with serve_process(small_site, tmp_path) as (process, url):
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        stream = open_stream(port)  # a page is open: its stream must not keep the process alive
        try:
            process.send_signal(stop_signal)
            out, err = process.communicate(timeout=BUILD_DEADLINE)
        finally:
            stream.close()
    assert process.returncode == 0, err
    assert "stopping" in out
    assert "Traceback" not in err
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not (small_site / "public").exists()


def test_a_busy_port_given_explicitly_is_a_clear_error(small_site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "transmit", "serve", str(small_site), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=BUILD_DEADLINE,
        )
    assert result.returncode == 2
    assert f"port {port} is in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_another_host_is_warned_about(small_site: Path, tmp_path: Path) -> None:
    with serve_process(small_site, tmp_path, "--host", "0.0.0.0") as (process, url):
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=BUILD_DEADLINE)
    assert url.startswith("http://0.0.0.0:")
    assert "warning: listening on 0.0.0.0" in err
