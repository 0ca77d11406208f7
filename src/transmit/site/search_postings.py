"""Postings of the search index: where each token occurs, built a run of posts at a time.

All posts share one position space: post n's tokens occupy [start_n, start_n + length_n), and
the post reserves `post_span(length_n)` positions, room to grow and at least one empty position
after it (so that a phrase never spans two posts); the browser rebuilds the starts from the
lengths by the same rule. An edit that adds a few tokens near a post's end then moves no later
post: only the tokens it added or moved change, and only the index files that hold them.

A token's positions are stored as the gaps between them, each gap written as a UTF-8 coded
code point: a variable-length integer code (one byte below 128, two below 2048, ...) that
Python's codec writes at C speed; surrogates pass as plain 3-byte values. A gap of GAP_STEP
or more is written as GAP_STEP steps (each adds GAP_STEP and ends no gap) and the remainder.

Runs of posts are inverted independently (in worker processes for large sites) and stitched:
only the first gap of a run's list depends on what came before, so the bytes are the same
however the posts were split.
"""

from __future__ import annotations

import operator
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from transmit.site.search_text import field_tokens

GAP_STEP = 0x10FFFF  # the largest code point

Boundaries = tuple[int, int, int]  # per post: (meta start, body start, length), post-relative


@dataclass(frozen=True, slots=True)
class RunPostings:
    """The postings of consecutive posts, positions counted from the run's first post.

    Kept flat: a builder holds every run of its site, and a dict entry a token and run (a
    string, a tuple, two ints and a bytes object) made its process 225 MB larger at 10,000
    posts (673 MB against 448), for 1.7 million of them; the names are shared between runs
    once `shared`. Stitching takes 16 ms for an edit's segment there, against 13.
    """

    names: tuple[str, ...]  # the run's tokens
    firsts: bytes  # each token's first position, u32 in this machine's order
    finals: bytes  # and its last
    ends: bytes  # where its later gaps end in `gaps`
    gaps: bytes  # the gap codes of each token's positions after its first, one after another
    boundaries: list[Boundaries]
    span: int  # positions the run occupies, each post's `post_span`


def invert_run(posts: Iterable[Sequence[str]]) -> RunPostings:
    """Postings of posts given as their fields (title, category, tags..., body), in order."""
    positions: defaultdict[str | None, array[int]] = defaultdict(lambda: array("I"))
    boundaries: list[Boundaries] = []
    offset = 0
    for fields in posts:
        tokens, starts = field_tokens(fields)
        for position, token in enumerate(tokens, offset):
            positions[token].append(position)
        boundaries.append((starts[1], starts[-1], len(tokens)))
        offset += post_span(len(tokens))
    names: list[str] = []
    firsts, finals, ends = array("I"), array("I"), array("I")
    gaps: list[bytes] = []
    end = 0
    for token, found in positions.items():
        if token is None:  # the empty position between two fields
            continue
        later = gap_code(map(operator.sub, found[1:], found[:-1]))
        end += len(later)
        names.append(token)
        firsts.append(found[0])
        finals.append(found[-1])
        ends.append(end)
        gaps.append(later)
    flat = (firsts.tobytes(), finals.tobytes(), ends.tobytes(), b"".join(gaps))
    return RunPostings(tuple(names), *flat, boundaries, offset)


def post_span(length: int) -> int:
    """Positions a post of `length` tokens reserves: the next multiple of a step above its
    length, the step a quarter to an eighth of it (16 at least; search-engine.js has the same
    rule). A sentence appended to a post of 3,000 tokens crosses into the next step once in
    some forty edits; the room costs the index next to no bytes (positions are stored as
    gaps)."""
    step = 1 << max(4, length.bit_length() - 3)
    return (length // step + 1) * step


def shared(postings: RunPostings) -> RunPostings:
    """The same postings, their token names the interpreter's one copy of each (runs read
    back from files or from worker processes have copies of their own)."""
    return replace(postings, names=tuple(map(sys.intern, postings.names)))


def stitch(runs: Iterable[RunPostings]) -> tuple[dict[str, bytes], list[Boundaries]]:
    """Token -> its gap code over the whole site, and every post's boundaries, in run order."""
    # token -> [its last position so far, then the pieces of its code]: one lookup a token
    # and run (tens of thousands for the segment of an edit at 10,000 posts)
    pieces: dict[str, list[int | bytes]] = {}
    boundaries: list[Boundaries] = []
    offset = 0
    for run in runs:
        gaps, start = run.gaps, 0
        numbers = map(_numbers, (run.firsts, run.finals, run.ends))
        for token, first, final, end in zip(run.names, *numbers, strict=True):
            later, start = gaps[start:end], end
            found = pieces.get(token)
            gap = offset + first - (0 if found is None else found[0])  # type: ignore[operator]
            # (one gap below GAP_STEP, the usual case: its code at once)
            code = chr(gap).encode("utf-8", "surrogatepass") if gap < GAP_STEP else gap_code([gap])
            if found is None:
                pieces[token] = [offset + final, code, later]
            else:
                found[0] = offset + final
                found += (code, later)
        boundaries.extend(run.boundaries)
        offset += run.span
    codes = {token: b"".join(found[1:]) for token, found in pieces.items()}  # type: ignore[arg-type]
    return codes, boundaries


def _numbers(field: bytes) -> list[int]:
    return memoryview(field).cast("I").tolist()


def encode_gaps(ascending: Sequence[int]) -> bytes:
    """Ascending positions (from 0) as their gap code."""
    return gap_code(map(operator.sub, ascending, [0, *ascending[:-1]]))


def gap_code(gaps: Iterable[int]) -> bytes:
    values = array("I", gaps)
    if values and max(values) >= GAP_STEP:
        stepped: list[int] = []
        for gap in values:
            steps, rest = divmod(gap, GAP_STEP)
            stepped.extend([GAP_STEP] * steps)
            stepped.append(rest)
        return "".join(map(chr, stepped)).encode("utf-8", "surrogatepass")
    return "".join(map(chr, values)).encode("utf-8", "surrogatepass")
