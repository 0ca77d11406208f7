"""`transmit build` handing its build to the site's resident builder, when one is running."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from transmit.build.pipeline import BuildOptions
from transmit.resident.protocol import (
    SOCKET_NAME,
    Answer,
    Request,
    cache_dir,
    connect,
    read_all,
    setting,
    supported,
)


def hand_over(site_dir: Path, options: BuildOptions, quiet: bool, verbose: bool) -> int | None:
    """Have the site's resident builder build it and print what it said; its exit code, or
    None when no builder took the build (none runs, it declined, it failed): build here then."""
    if setting() == "never" or not supported():
        return None
    path = cache_dir(site_dir) / SOCKET_NAME
    try:
        connection = connect(path)
    except OSError:
        return None
    request = Request.of(site_dir, options, quiet, verbose)
    try:
        with connection:
            connection.sendall(request.encode())
            connection.shutdown(socket.SHUT_WR)
            answer = Answer.decode(read_all(connection))
    except (OSError, ValueError, TypeError):  # it ended or broke mid-build: build here
        return None
    if answer.code is None:
        return None
    for stream, text in answer.lines:
        (sys.stdout if stream == "out" else sys.stderr).write(text)
    return answer.code
