"""Canonical digests of what a page is made from, so an unchanged page is not made again.

Page contexts are pickled (never unpickled) into bytes that depend on values only: posts stand
for their Post's digest, records holding long lists (a tag with its posts) for a digest made
once per build, every other value for itself.
"""

from __future__ import annotations

import io
import operator
import pickle
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import PosixPath
from types import BuiltinFunctionType, FunctionType
from typing import TYPE_CHECKING

from transmit.build.store import digest

if TYPE_CHECKING:
    from transmit.build.assembly import Page

# A record holding a longer list (a tag's posts) is digested once and named in page digests;
# smaller ones (page metadata) are pickled in place, which costs less than a digest each.
SHARED_RECORD_ITEMS = 16


def _known(*values: object) -> None:
    """Stands in a digest for a record, by name or values (digest bytes are never unpickled)."""


# Objects a pickle holds often that are never records: functions and classes (each `_known`
# above, each class a date pickles with), dates, paths. Told apart by exact type before asking
# the Digester: 40,000 of the 80,000 objects a build's page contexts hold at 1,000 posts.
_PICKLED_AS_THEY_ARE = frozenset(
    {FunctionType, BuiltinFunctionType, type, datetime, date, timezone, timedelta, PosixPath}
)


def _values_getter(kind: type) -> Callable[[object], tuple[object, ...]] | None:
    """How to take a record's field values (None: `kind` is not a record)."""
    if not is_dataclass(kind):
        return None
    names = tuple(f.name for f in fields(kind))
    if len(names) == 1:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    return operator.attrgetter(*names)


class _DigestPickler(pickle.Pickler):
    """A pickler asking its Digester about every object that is not a plain value (its
    `reducer_override` is not called for str, int, tuple, dict...: the fast path stays fast)."""

    def __init__(self, buffer: io.BytesIO, digester: Digester) -> None:
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self.fast = True  # no memo: equal values give equal bytes
        self._digester = digester

    def reducer_override(self, obj: object) -> object:
        if type(obj) in _PICKLED_AS_THEY_ARE:
            return NotImplemented
        values = self._digester.name_of(obj)
        return NotImplemented if values is None else (_known, values)


class Digester:
    """Canonical bytes of page contexts, for their digests: values, not object identities.

    A post's entry, Post and rendered record stand for their Post's digest (`identities`); any
    other record (a tag with its posts, a category, page metadata) is digested once per build
    and stands for that digest wherever it appears."""

    def __init__(self, identities: dict[int, str]) -> None:
        self._identities = identities
        self._records: dict[int, tuple[object, str]] = {}  # id -> (record kept alive, digest)
        # how to take the values of each type of record (None: not a record)
        self._kinds: dict[type, Callable[[object], tuple[object, ...]] | None] = {}
        self._picklers: list[tuple[io.BytesIO, pickle.Pickler]] = []
        self._depth = 0

    def _pickler(self) -> tuple[io.BytesIO, pickle.Pickler]:
        if self._depth == len(self._picklers):
            buffer = io.BytesIO()
            self._picklers.append((buffer, _DigestPickler(buffer, self)))
        return self._picklers[self._depth]

    def name_of(self, obj: object) -> tuple[object, ...] | None:
        """What `obj` stands as in a digest (its values, or for a big record, a digest of them
        made once), or None to pickle it as it is."""
        known = self._identities.get(id(obj))
        if known is not None:
            return (known,)
        kind = type(obj)
        if kind in self._kinds:
            getter = self._kinds[kind]
        else:
            getter = self._kinds[kind] = _values_getter(kind)
        if getter is None:
            return None
        found = self._records.get(id(obj))
        if found is not None:
            return (found[1],)
        values = (kind.__qualname__, *getter(obj))
        if not any(isinstance(v, tuple | list) and len(v) > SHARED_RECORD_ITEMS for v in values):
            return values  # small: pickled in place
        data = self.encode(values)  # big (a tag's posts): digested once, named after
        if data is None:
            raise pickle.PicklingError(f"cannot digest {kind.__qualname__}")
        found = (obj, "d" + digest(data).hex())
        self._records[id(obj)] = found
        return (found[1],)

    def encode(self, value: object) -> bytes | None:
        """The bytes of `value`, or None when it cannot be pickled (a function, say)."""
        buffer, pickler = self._pickler()
        self._depth += 1
        try:
            buffer.seek(0)
            buffer.truncate()
            pickler.dump(value)
            return buffer.getvalue()
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
            return None
        finally:
            self._depth -= 1


class MarkMemo:
    """The digests of page contexts made of the very same objects as in the previous build
    of this process (records are frozen: the same object is the same value), so the dev
    server does not digest 10,000 unchanged post pages to find the one that changed."""

    def __init__(self) -> None:
        self.site = b""
        self._marks: dict[str, tuple[tuple[object, ...], object, bytes]] = {}
        self._globals: tuple[tuple[tuple[str, int], ...], object, bytes] | None = None

    def globals_mark(self, values: dict[str, object], digester: Digester) -> bytes:
        """The bytes of the template globals, encoded again only when one of them is another
        object than last time (the dev server assembles again after every edit)."""
        identity = tuple((name, id(value)) for name, value in values.items())
        if self._globals is not None and self._globals[0] == identity:
            return self._globals[2]
        data = digester.encode(values)
        if data is None:
            raise TypeError("template globals must be plain data (records, not functions)")
        self._globals = (identity, dict(values), data)  # kept: no id can be reused meanwhile
        return data

    @staticmethod
    def _identity(page: Page) -> tuple[object, ...]:
        inputs = page.inputs
        if isinstance(inputs, dict):  # a template's context
            return (page.maker, *((name, id(value)) for name, value in inputs.items()))
        return (page.maker, *(id(value) for value in inputs))  # type: ignore[attr-defined]

    def get(self, page: Page) -> bytes | None:
        found = self._marks.get(page.path)
        if found is None or found[0] != self._identity(page):
            return None
        return found[2]

    def put(self, page: Page, mark: bytes) -> None:
        # the inputs are kept so that no id in the identity can be reused by a new object
        self._marks[page.path] = (self._identity(page), page.inputs, mark)

    def restart(self, site: bytes) -> None:
        if site != self.site:
            self._marks.clear()
            self.site = site
