"""Files under `.transmit-cache/`: written atomically, read back only when whole and ours.

Every file carries a header (magic, kind, code fingerprint, checksum of the payload); a file that
is truncated, corrupt, from another version of transmit or its renderers, or holds anything but
plain data and transmit's own records is reported as missing, so the build redoes the work
instead of trusting it. Payloads are pickles read with an allow-list of classes, so a cache file
cannot run code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import Any

MAGIC = b"transmit-cache\n"
LAYOUT = "transmit cache layout 6\n"  # the names and kinds of files below .transmit-cache/
DIGEST_SIZE = 16
_HEADER = len(MAGIC) + 8 + 2 * DIGEST_SIZE
# Distributions whose code decides what a page looks like; a new version of any of them
# makes every cached result stale.
RENDER_DISTRIBUTIONS = (
    "markdown_it_py",
    "mdit_py_plugins",
    "linkify_it_py",
    "math_core",
    "pykatex",
    "pygments",
    "jinja2",
    "markupsafe",
    "pyyaml",
    "pypinyin",
    "imagesize",
)
_ALLOWED = {
    "builtins": {"set", "frozenset", "complex", "bytearray", "slice", "range"},
    "datetime": {"datetime", "date", "time", "timedelta", "timezone"},
    "zoneinfo": {"ZoneInfo", "ZoneInfo._unpickle"},
    "zoneinfo._zoneinfo": {"ZoneInfo", "ZoneInfo._unpickle"},
    "pathlib": {"Path", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath"},
    "decimal": {"Decimal"},
}


def shard_of(name: str, shards: int) -> int:
    """Which of `shards` files holds the record named `name` (the same in every process,
    unlike `hash`)."""
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % shards


def digest(*parts: bytes | str) -> bytes:
    """A short content hash of the parts (length-prefixed, so ("ab", "c") != ("a", "bc")).
    SHA-256, cut to 16 bytes: with the CPU's SHA instructions it runs three times as fast as
    BLAKE2 here, and 128 bits are plenty to tell contents apart."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()[:DIGEST_SIZE]


def file_digest(path: Path) -> bytes | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def _distribution_names() -> list[str]:
    """`name-version.dist-info` folder names of the render distributions, found without
    importing importlib.metadata (which costs more than a whole no-op build)."""
    wanted = set(RENDER_DISTRIBUTIONS)
    found = []
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for name in entries:
            if name.endswith(".dist-info"):
                stem = name[: -len(".dist-info")].split("-")[0].lower().replace(".", "_")
                if stem in wanted:
                    found.append(name)
    return sorted(found)


def code_fingerprint() -> bytes:
    """What the output depends on besides the site: transmit's own files and the versions of
    the libraries that render. Editing transmit in place (an editable install) counts too."""
    import transmit

    parts: list[str] = [sys.version, *_distribution_names()]
    root = Path(transmit.__file__).parent
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            parts.append(f"{folder}/{name}:{stat.st_mtime_ns}:{stat.st_size}")
    return digest(*parts)


def _zone_getattr(owner: object, name: str) -> Any:
    """`getattr` as a cache file may use it: only for ZoneInfo's own unpickler (a time zone
    pickles as `getattr(ZoneInfo, "_unpickle")(key, from_cache)`), nothing else."""
    from zoneinfo import ZoneInfo

    if owner is ZoneInfo and name == "_unpickle":
        return ZoneInfo._unpickle  # type: ignore[attr-defined]
    raise pickle.UnpicklingError(f"getattr({owner!r}, {name!r}) is not allowed in a cache file")


class _SafeUnpickler(pickle.Unpickler):
    """Plain data, dates, paths and transmit's records (dataclasses, named tuples): nothing
    that could run code."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name == "getattr":
            return _zone_getattr  # how a datetime's ZoneInfo pickles its constructor
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module.startswith("transmit.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or _is_record(found)):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache file")


def _is_record(kind: type) -> bool:
    """A named tuple (made from its fields, like a dataclass)."""
    return issubclass(kind, tuple) and isinstance(getattr(kind, "_fields", None), tuple)


def safe_loads(data: bytes, persistent_load: Any = None) -> Any:
    unpickler = _SafeUnpickler(io.BytesIO(data))
    if persistent_load is not None:
        unpickler.persistent_load = persistent_load  # type: ignore[method-assign]
    return unpickler.load()


def dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's fields, in order: records many of which are saved go as rows of their
    values (a frozen dataclass unpickles field by field, ten times slower), with these names
    beside the rows to tell when the class changed shape."""
    return tuple(f.name for f in dataclasses.fields(cls))


def _kind(kind: str) -> bytes:
    return kind.encode("ascii").ljust(8, b" ")[:8]


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name beside `path`, then rename: readers see the old file or the
    new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def tag(kind: str, fingerprint: bytes) -> bytes:
    """How every cache file begins: whose it is, what it holds, for which code."""
    return b"".join((MAGIC, _kind(kind), fingerprint))


def pack(kind: str, fingerprint: bytes, payload: bytes) -> bytes:
    return b"".join((tag(kind, fingerprint), digest(payload), payload))


def unpack(data: bytes, kind: str, fingerprint: bytes) -> bytes | None:
    """The payload of a whole, matching file; None for anything else."""
    if len(data) < _HEADER or not data.startswith(MAGIC):
        return None
    at = len(MAGIC)
    if data[at : at + 8] != _kind(kind):
        return None
    at += 8
    if data[at : at + DIGEST_SIZE] != fingerprint:
        return None
    at += DIGEST_SIZE
    checksum, payload = data[at : at + DIGEST_SIZE], data[at + DIGEST_SIZE :]
    return payload if digest(payload) == checksum else None


def save(path: Path, kind: str, fingerprint: bytes, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, pack(kind, fingerprint, dumps(value)))


def load(path: Path, kind: str, fingerprint: bytes, expected: type | tuple[type, ...]) -> Any:
    """The value saved at `path`, or None if the file is missing, damaged or not ours."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = unpack(data, kind, fingerprint)
    if payload is None:
        return None
    try:
        value = safe_loads(payload)
    except Exception:  # any damage that slipped past the checksum: not trusted
        return None
    return value if isinstance(value, expected) else None


def prepare_folder(root: Path) -> None:
    """Make `root` a cache folder of this layout; one of another layout (an older transmit's,
    say) is emptied first rather than read or written around."""
    stamp = root / "LAYOUT"
    try:
        if stamp.read_text(encoding="ascii") == LAYOUT:
            return
    except (OSError, UnicodeDecodeError):
        pass
    if root.is_symlink() or root.is_file():
        root.unlink()
    elif root.exists():
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    write_atomic(stamp, LAYOUT.encode("ascii"))
