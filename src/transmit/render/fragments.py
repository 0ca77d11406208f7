"""Formula and code HTML carried over from a post's previous rendering.

Editing a post's prose, or a setting every post renders with (the excerpt's length, the
site's path), renders the post again, but its formulas and code blocks come out as before.
A rendering notes the HTML of each formula and code block it shows, under a digest of what
made it (the formula's final TeX, the block's info string, code and labels); the next
rendering of the same post takes those it still shows from there instead of from math-core,
KaTeX or Pygments. The notes are kept as spans of the body HTML, which holds each fragment
verbatim, so they cost the cache a few bytes per fragment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from transmit.build.store import digest

Span = tuple[bytes, int, int]  # fragment key, start and end in the body HTML


def fragment_key(kind: str, *parts: str) -> bytes:
    """A digest of what made a fragment, of the kind named (`store.digest`: parts that run
    together do not read the same)."""
    return digest(kind, *parts)


class Fragments:
    """The fragments one rendering of a post may take (`prior`), and those it shows."""

    def __init__(self, prior: Mapping[bytes, str] | None = None) -> None:
        self._prior = prior or {}
        self._shown: dict[bytes, str] = {}
        self.taken = 0  # fragments taken from `prior`

    def known(self, key: bytes) -> str | None:
        """The fragment made from what `key` digests, when the previous rendering has it."""
        found = self._prior.get(key)
        if found is not None:
            self.taken += 1
        return found

    def show(self, key: bytes, html: str) -> None:
        """Note a fragment the rendering shows, for the next rendering to take."""
        self._shown[key] = html

    def spans(self, body: str) -> tuple[Span, ...]:
        """Where `body` holds each fragment noted (one shown only in an excerpt, or changed on
        its way into the page, is left out: the next rendering makes it afresh)."""
        found = []
        after = 0  # fragments are noted mostly in page order: look after the last one first
        for key, html in self._shown.items():
            start = body.find(html, after)
            if start < 0:
                start = body.find(html)
            if start >= 0 and html:
                found.append((key, start, start + len(html)))
                after = start + len(html)
        return tuple(found)


def taken_from(body: str, spans: Sequence[Span]) -> dict[bytes, str]:
    """The fragments a previous rendering noted in its body HTML."""
    return {key: body[start:end] for key, start, end in spans}
