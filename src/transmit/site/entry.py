"""The unit every listing, feed and page works on: a post with its rendered body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from transmit.content.post import Post
from transmit.render.data import RenderedPost


@dataclass(frozen=True, slots=True)
class Entry:
    """A post with its rendered body: what templates receive."""

    post: Post
    rendered: RenderedPost

    @property
    def last_modified(self) -> datetime:
        """When the post last changed as its author says: `updated`, else `date`."""
        updated = self.post.updated
        return updated if updated is not None and updated > self.post.date else self.post.date
