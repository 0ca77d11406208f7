"""`transmit build` handing its build to the site's resident builder, when one is running."""

from __future__ import annotations

import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

from transmit.resident.protocol import (
    connect,
    decode_answer,
    encode,
    read_all,
    request,
    setting,
    socket_path,
    supported,
)


def hand_over(site_dir: Path, out_dir: Path | None, choices: dict[str, bool | int]) -> int | None:
    """Have the site's resident builder build it into `out_dir` (None: the default) with
    `choices` (drafts, future, jobs, strict, quiet, verbose), and print what it said; its exit
    code, or None when no builder took the build (none runs, it declined, it failed): the
    command builds itself then."""
    if setting() == "never" or not supported():
        return None
    try:
        connection = connect(socket_path(site_dir))
    except OSError:
        return None
    message = request(site_dir, out_dir, choices, datetime.now(UTC))
    try:
        with connection:
            connection.sendall(encode(message))
            connection.shutdown(socket.SHUT_WR)
            lines, code = decode_answer(read_all(connection))
    except (OSError, ValueError):  # it ended or broke mid-build: build here
        return None
    if code is None:
        return None
    for stream, text in lines:
        (sys.stdout if stream == "out" else sys.stderr).write(text)
    return code
