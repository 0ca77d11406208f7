"""The index files that hold postings: tokens grouped by bucket, one section per segment.

The posts are cut into segments of a few hundred consecutive posts, each with postings of its
own (positions counted from its first post's start). A bucket file holds one section per
segment, in segment order: [u32 token count] then per token [u16 name length][name, UTF-8]
[u32 body length][body: the token's gap code, see search_postings.py]. Each section is
deflated on its own, ended by a full flush (which byte-aligns it and drops the history), so
the sections joined make one raw deflate stream, closed by an empty final block (no gzip
wrapper: its CRC would have to be taken over every section again). An edit to one post
changes its segment's sections alone: every bucket file is then the other segments'
sections as they were, joined again (4 ms for the 17 MB of postings of 10,000 posts, where
deflating them all takes 0.4 s). The bytes are the same however the index was made.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

from transmit.site.search_text import bucket_of, shard_key

# gzip's header with no name and no time: deflate, no flags, mtime 0, no extra flags, OS unknown
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# An empty block of fixed codes with the final bit set: the end of the joined stream.
_FINAL_BLOCK = b"\x03\x00"
# The postings' gap codes hardly shrink at any level (21.1 MB to 17.1 MB at 10,000 posts):
# level 1 gives them 0.6% more bytes than level 6 in 70% of the time.
SECTION_LEVEL = 1


def bucket_count(entry_bytes: int, bucket_bytes: int) -> int:
    """How many bucket files the index's entries (`entry_bytes` in all sections) fill at
    `bucket_bytes` each; the browser learns it from meta.tx."""
    return max(1, math.ceil(entry_bytes / bucket_bytes))


def entries(gap_codes: dict[str, bytes]) -> dict[str, bytes]:
    """Each token's entry in a section: its name and its gap code, length-prefixed."""
    return {token: _entry(token, body) for token, body in gap_codes.items()}


def _entry(token: str, body: bytes) -> bytes:
    name = token.encode()
    return _uint(2, len(name)) + name + _uint(4, len(body)) + body


def sections(entries: dict[str, bytes], buckets: int, known: dict[str, int]) -> list[bytes]:
    """One segment's section of each bucket file: its tokens of that bucket, sorted. `known`:
    the buckets of shard keys seen before, for this number of buckets (hashing a key in Python
    costs a microsecond or two, a segment has thousands of tokens, and tokens share keys)."""
    grouped: list[list[bytes]] = [[] for _ in range(buckets)]
    for token in sorted(entries):
        key = shard_key(token)
        if (bucket := known.get(key)) is None:
            bucket = known[key] = bucket_of(key, buckets)
        grouped[bucket].append(entries[token])
    return [_uint(4, len(group)) + b"".join(group) for group in grouped]


def deflate(section: bytes, level: int = SECTION_LEVEL) -> bytes:
    """A section compressed on its own, ending byte-aligned with no history kept, so that it
    can be joined to any other."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(section) + compressor.flush(zlib.Z_FULL_FLUSH)


def joined_deflate(packed: Sequence[bytes]) -> bytes:
    """Sections `packed` by `deflate` one after another, as one raw deflate stream: a bucket
    file, its sections in segment order."""
    return b"".join((*packed, _FINAL_BLOCK))


def joined_gzip(raw: Sequence[bytes], packed: Sequence[bytes]) -> bytes:
    """Sections (`raw`, and `packed` by `deflate`) one after another, as one gzip stream."""
    crc, size = 0, 0
    for section in raw:
        crc = zlib.crc32(section, crc)
        size += len(section)
    trailer = _uint(4, crc) + _uint(4, size & 0xFFFFFFFF)
    return b"".join((_GZIP_HEADER, *packed, _FINAL_BLOCK, trailer))


def _uint(width: int, value: int) -> bytes:
    return value.to_bytes(width, "little")
