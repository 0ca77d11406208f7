"""What `transmit build` and the resident builder agree on: when a builder is kept, requests and
answers on the wire, and sockets whose path is longer than the system allows."""

from __future__ import annotations

import dataclasses
import os
import socket
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from transmit.build.pipeline import BuildOptions
from transmit.resident import protocol
from transmit.resident.server import Request

CHOICES: dict[str, bool | int] = {
    "drafts": True,
    "future": False,
    "jobs": 3,
    "strict": True,
    "quiet": True,
    "verbose": False,
}


@pytest.mark.parametrize(
    ("value", "ci", "posts", "kept"),
    [
        (None, None, 1000, True),
        (None, None, 999, False),  # a small site builds fresh quickly enough
        (None, "true", 5000, False),  # a one-off build in CI
        ("0", None, 5000, False),
        ("off", None, 5000, False),
        ("1", "true", 1, True),  # asked for: whatever the size, in CI too
        ("yes", None, 0, True),
    ],
)
def test_when_a_build_keeps_its_builder(
    monkeypatch: pytest.MonkeyPatch, value: str | None, ci: str | None, posts: int, kept: bool
) -> None:
    for name, setting in ((protocol.SETTING, value), ("CI", ci)):
        if setting is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, setting)
    assert protocol.keeps_builder(posts) is kept
    assert protocol.may_keep() is (kept or (value is None and ci is None))


def test_a_request_carries_the_options_and_the_clock(tmp_path: Path) -> None:
    now = datetime(2026, 12, 5, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    message = protocol.request(tmp_path / "site", tmp_path / "out", CHOICES, now)
    request = Request.decode(protocol.encode(message))
    options = BuildOptions(
        out_dir=tmp_path / "out", drafts=True, future=False, jobs=3, strict=True, now=now
    )
    assert request.options() == options
    assert request.options().now.astimezone(UTC) == datetime(2026, 12, 5, 0, 30, tzinfo=UTC)
    assert (request.site, request.quiet, request.verbose) == (str(tmp_path / "site"), True, False)


def test_the_builder_reads_every_field_the_command_sends() -> None:
    fields = {field.name: field.type for field in dataclasses.fields(Request)}
    assert fields == {name: kind.__name__ for name, kind in protocol.REQUEST_FIELDS.items()}


def test_a_request_without_an_output_folder_names_the_default(tmp_path: Path) -> None:
    message = protocol.request(tmp_path, None, CHOICES, datetime.now(UTC))
    assert message["out"] == str(tmp_path / "public")
    with pytest.raises(ValueError):
        protocol.request(tmp_path, None, {"drafts": True}, datetime.now(UTC))


def good_request() -> dict[str, object]:
    return protocol.request(Path("/site"), None, CHOICES, datetime.now(UTC))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[]",
        b"{",
        b'{"python": "x"}',
        protocol.encode({**good_request(), "unknown": 1}),
        protocol.encode({**good_request(), "jobs": True}),
        protocol.encode({**good_request(), "quiet": "yes"}),
        protocol.encode({**good_request(), "now": "yesterday"}),
    ],
)
def test_what_is_not_a_request_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        Request.decode(data)


def test_answers_round_trip_and_what_is_not_one_is_no_answer() -> None:
    lines = [("out", "built 3 posts\n"), ("err", "a.md:3: warning: x\n")]
    assert protocol.decode_answer(protocol.encode(protocol.answer(lines, 0))) == (lines, 0)
    declined = protocol.encode(protocol.declined("another output folder"))
    assert protocol.decode_answer(declined) == ([], None)
    assert protocol.decode_answer(b'{"code": "1"}') == ([], None)
    assert protocol.decode_answer(b'{"code": 0, "lines": [["out"]]}') == ([], None)
    assert protocol.decode_answer(b"[1]") == ([], None)
    with pytest.raises(ValueError):
        protocol.decode_answer(b"{")


def test_a_socket_deep_in_the_folders_is_bound_and_reached(tmp_path: Path) -> None:
    deep = tmp_path / ("long-folder-name-" * 8) / "cache"
    deep.mkdir(parents=True)
    path = deep / protocol.SOCKET_NAME
    assert len(os.fsencode(path)) > 108  # beyond what the system takes
    here = os.getcwd()
    with protocol.bind(path) as listener:
        assert os.getcwd() == here
        assert path.stat().st_mode & 0o077 == 0  # this user's only
        accepted: list[bytes] = []

        def accept() -> None:
            connection, _ = listener.accept()
            with connection:
                accepted.append(protocol.read_all(connection))

        thread = threading.Thread(target=accept)
        thread.start()
        with protocol.connect(path) as client:
            client.sendall(b"hello")
            client.shutdown(socket.SHUT_WR)
        thread.join(5)
        assert accepted == [b"hello"]
    assert os.getcwd() == here


def test_binding_takes_the_place_of_an_earlier_socket(tmp_path: Path) -> None:
    path = tmp_path / protocol.SOCKET_NAME
    with protocol.bind(path):
        first_id = path.stat().st_ino
        with protocol.bind(path) as second:
            assert path.stat().st_ino != first_id
            with protocol.connect(path):
                connection, _ = second.accept()  # the second one is listening there
                connection.close()
    with pytest.raises(OSError):
        protocol.connect(tmp_path / "nobody.sock")
