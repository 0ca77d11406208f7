"""Compiled templates kept in `.transmit-cache/templates/` for the next process.

Compiling the theme's templates takes a `transmit build` 70 ms, as long as rendering the few
pages an edit changes. Jinja keeps the code of each template it compiled, by template name and
file, with a checksum of the source; here that goes into a cache file like any other (header,
code fingerprint, checksum of the payload), so a damaged file, one from another version of
transmit, Jinja or Python, or the code of an older source reads as missing and the template is
compiled again. (Jinja's own file cache reads its checksum with an unrestricted pickle: not
used.)
"""

from __future__ import annotations

import marshal
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from transmit.build import store

_KIND = "template"


class TemplateCode(jinja2.BytecodeCache):
    """The code of compiled templates, one cache file per template."""

    def __init__(self, root: Path, fingerprint: bytes) -> None:
        self.root = root
        self.fingerprint = fingerprint

    def load_bytecode(self, bucket: Bucket) -> None:
        found = store.load(self.root / bucket.key, _KIND, self.fingerprint, tuple)
        try:
            checksum, code = found  # type: ignore[misc]
        except (TypeError, ValueError):  # missing, or not what this version writes
            return
        if checksum != bucket.checksum or not isinstance(code, bytes):
            return  # the template's source changed since
        try:
            bucket.code = marshal.loads(code)
        except (EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            payload = (bucket.checksum, marshal.dumps(bucket.code))
            store.save(self.root / bucket.key, _KIND, self.fingerprint, payload)
        except OSError:  # the cache is a help, not a need: compiled again next time
            pass
