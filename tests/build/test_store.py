"""Cache files: whole and ours, or treated as missing; never able to run code."""

from __future__ import annotations

import os
import pickle
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from transmit.build import store
from transmit.errors import BuildWarning

FINGERPRINT = store.digest("test")


def test_round_trip(tmp_path: Path) -> None:
    value = {
        "a": (1, 2.5, None, b"x"),
        "w": BuildWarning("p.md", 3, "m"),
        "t": datetime.now(UTC),
        # a post's date in the site's zone: ZoneInfo pickles through getattr(ZoneInfo, ...)
        "z": datetime(2026, 3, 8, 2, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
    }
    store.save(tmp_path / "f", "kind", FINGERPRINT, value)
    loaded = store.load(tmp_path / "f", "kind", FINGERPRINT, dict)
    assert loaded == value
    assert loaded["z"].tzinfo is ZoneInfo("Asia/Shanghai")


class PathUnlink:
    """Pickles as `getattr(Path, "unlink")`, the way a bound method pickles."""

    def __call__(self, path: Path) -> None:
        path.unlink()

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (getattr, (Path, "unlink"))


class Unlinks:
    """Pickles as getattr(Path, "unlink")(path): getattr is allowed for ZoneInfo only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (PathUnlink(), (self.path,))


@pytest.mark.parametrize(
    ("kind", "fingerprint", "expected"),
    [("other", FINGERPRINT, dict), ("kind", store.digest("v2"), dict), ("kind", FINGERPRINT, list)],
)
def test_another_kind_version_or_type_reads_as_missing(
    tmp_path: Path, kind: str, fingerprint: bytes, expected: type
) -> None:
    store.save(tmp_path / "f", "kind", FINGERPRINT, {"a": 1})
    assert store.load(tmp_path / "f", kind, fingerprint, expected) is None


class Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo should-not-run > /dev/null",))


@pytest.mark.parametrize("value", [Boom(), os.system, pickle.loads])
def test_a_file_that_would_run_code_reads_as_missing(tmp_path: Path, value: object) -> None:
    payload = pickle.dumps(value)
    (tmp_path / "f").write_bytes(store.pack("kind", FINGERPRINT, payload))
    assert store.load(tmp_path / "f", "kind", FINGERPRINT, object) is None


@pytest.mark.parametrize("cut", [0, 10, 40, 60])
def test_a_truncated_file_reads_as_missing(tmp_path: Path, cut: int) -> None:
    store.save(tmp_path / "f", "kind", FINGERPRINT, list(range(100)))
    data = (tmp_path / "f").read_bytes()
    (tmp_path / "f").write_bytes(data[:cut])
    assert store.load(tmp_path / "f", "kind", FINGERPRINT, list) is None


def test_writes_are_atomic_and_leave_no_temporary(tmp_path: Path) -> None:
    store.save(tmp_path / "d" / "f", "kind", FINGERPRINT, [1])
    store.save(tmp_path / "d" / "f", "kind", FINGERPRINT, [2])
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["f"]
    assert store.load(tmp_path / "d" / "f", "kind", FINGERPRINT, list) == [2]


def test_digest_separates_its_parts() -> None:
    assert store.digest("ab", "c") != store.digest("a", "bc")
    assert store.digest(b"x") == store.digest("x")


def test_getattr_for_anything_but_a_zone_reads_as_missing(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me", encoding="utf-8")
    store.write_atomic(
        tmp_path / "f",
        store.pack("kind", FINGERPRINT, pickle.dumps(Unlinks(victim), protocol=5)),
    )
    assert store.load(tmp_path / "f", "kind", FINGERPRINT, object) is None
    assert victim.read_text(encoding="utf-8") == "keep me"
