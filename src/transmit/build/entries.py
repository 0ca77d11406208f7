"""Entries (a post with its rendered record, what templates receive) made for published source
records, the same object for the same record from one build to the next: page digests are
remembered by the objects a page is made of (`digest.MarkMemo`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from transmit.build.cache import LazyRendered, ReadLog, RenderCache

if TYPE_CHECKING:
    from transmit.build.manifest import SourceRecord
    from transmit.site.entry import Entry


class EntryMemo:
    """The entry of each record of the last build, by the record's identity."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[SourceRecord, Entry]] = {}

    def of(
        self,
        published: list[SourceRecord],
        sources: dict[int, str],
        cache: RenderCache,
        log: ReadLog,
    ) -> tuple[list[Entry], dict[int, str]]:
        """An Entry per published record, and how each appears in a page digest: by its Post's
        digest (what templates read of its rendered record is tracked by the ReadLog)."""
        from transmit.site.entry import Entry

        known, self._entries = self._entries, {}
        entries: list[Entry] = []
        identities: dict[int, str] = {}
        for record in published:
            found = known.get(id(record))
            if found is not None and found[0] is record:
                entry = found[1]
            else:
                assert record.key is not None and record.rendered is not None
                source = sources[id(record)]
                lazy = LazyRendered(record.rendered, record.key, record.reads, cache, source, log)
                entry = Entry(record.post, lazy)  # type: ignore[arg-type]
            self._entries[id(record)] = (record, entry)
            entries.append(entry)
            mark = record.mark.hex()
            identities[id(entry)] = "e" + mark
            # the entry's Post: after a quick edit, an earlier Post of the same value
            identities[id(entry.post)] = "p" + mark
            identities[id(entry.rendered)] = "r" + mark
        return entries, identities

    def renew(self, record: SourceRecord, entry: Entry) -> None:
        """`entry` now stands for `record` (its post's text was edited in place: `build.edits`)."""
        self._entries[id(record)] = (record, entry)
