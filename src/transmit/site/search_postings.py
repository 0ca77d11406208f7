"""Postings of the search index: where each token occurs, built a run of posts at a time.

All posts share one position space: post n occupies [start_n, start_n + length_n), with one
empty position after each post so that a phrase never spans two posts (the browser rebuilds
the starts from the lengths). A token's positions are stored as the gaps between them, each
gap written as a UTF-8 coded code point: a variable-length integer code (one byte below 128,
two below 2048, ...) that Python's codec writes at C speed; surrogates pass as plain 3-byte
values. A gap of GAP_STEP or more is written as GAP_STEP steps (each adds GAP_STEP and ends
no gap) and the remainder.

Runs of posts are inverted independently (in worker processes for large sites) and stitched:
only the first gap of a run's list depends on what came before, so the bytes are the same
however the posts were split.
"""

from __future__ import annotations

import operator
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from transmit.site.search_text import field_tokens

GAP_STEP = 0x10FFFF  # the largest code point

Boundaries = tuple[int, int, int]  # per post: (meta start, body start, length), post-relative


@dataclass(frozen=True, slots=True)
class RunPostings:
    """The postings of consecutive posts, positions counted from the run's first post."""

    tokens: dict[str, tuple[int, int, bytes]]  # token -> first, last position, later gaps
    boundaries: list[Boundaries]
    span: int  # positions the run occupies, the empty one after each post included


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
        offset += len(tokens) + 1
    encoded = {
        token: (found[0], found[-1], gap_code(map(operator.sub, found[1:], found[:-1])))
        for token, found in positions.items()
        if token is not None  # None marks the empty position between two fields
    }
    return RunPostings(encoded, boundaries, offset)


def stitch(runs: Iterable[RunPostings]) -> tuple[dict[str, bytes], list[Boundaries]]:
    """Token -> its gap code over the whole site, and every post's boundaries, in run order."""
    # token -> [its last position so far, then the pieces of its code]: one lookup a token
    # and run (the loop runs 50,000 times for an edit's segment at 10,000 posts)
    pieces: dict[str, list[int | bytes]] = {}
    boundaries: list[Boundaries] = []
    offset = 0
    for run in runs:
        for token, (first, final, later) in run.tokens.items():
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
