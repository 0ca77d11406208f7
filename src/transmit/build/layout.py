"""The layout of a site: which posts it publishes, in which order, by their metadata. A build
whose layout is the last build's takes every page's digest from that build instead of digesting
its context again (`build.pages`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from transmit.build.assembly import page_file
from transmit.build.store import digest

if TYPE_CHECKING:
    from transmit.build.manifest import SourceRecord
    from transmit.build.writer import CopiedFile


@dataclass(frozen=True, slots=True)
class Layout:
    """What page contexts are made of besides rendered posts: the published posts in order,
    each by its metadata's digest. While it and the site are as last build, every context is
    as last build's except the own pages of posts rendered anew (`renewed`: a post's own page
    holds values taken from its rendered record, such as its description); the others take
    rendered posts only through what their templates read, which is tracked."""

    posts: bytes  # digest of (source, metadata digest) of every published post, in site order,
    # and of the paths of copied files
    renewed: frozenset[str]  # output paths of the own pages of posts rendered since last build


def layout_of(
    published: Sequence[SourceRecord],
    sources: dict[int, str],
    copies: Sequence[CopiedFile],
    last: dict[str, SourceRecord],
) -> Layout:
    """The published posts by metadata (and the paths copied files take, which win over
    pages), and the own pages of the posts rendered anew since the `last` records."""
    posts = digest(
        *(sources[id(r)] + ":" + r.mark.hex() for r in published),
        "copies",
        *sorted(copy.path for copy in copies),
    )
    renewed = frozenset(
        page_file(record.post.path)
        for record in published
        if (before := last.get(sources[id(record)])) is None or before.key != record.key
    )
    return Layout(posts, renewed)
