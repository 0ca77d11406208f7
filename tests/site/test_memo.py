"""The assembly memo lends the next assembly only what the very same records gave."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.site.records import make_entry
from transmit.config import Config
from transmit.site import memo as memo_module
from transmit.site.entry import Entry
from transmit.site.memo import AssemblyMemo, SavedRelated
from transmit.site.metadata import post_meta
from transmit.site.related import related_posts


def paths(found: dict[str, tuple[object, ...]]) -> dict[str, list[str]]:
    return {key: [e.post.path for e in value] for key, value in found.items()}  # type: ignore[attr-defined]


def test_related_posts_are_reused_while_places_tags_and_categories_stay() -> None:
    memo = AssemblyMemo()
    memo.begin(Config(Path("/site"), "Notes"))
    entries = [make_entry(f"p{i}", tags=("t",) if i % 2 else ("u",)) for i in range(6)]
    first = memo.related(entries)
    assert paths(first) == paths(related_posts(entries))
    edited = [*entries[:3], make_entry("p3", tags=("t",), html="<p>New body.</p>"), *entries[4:]]
    again = memo.related(edited)
    assert paths(again) == paths(first)
    assert again["posts/p1/"][0] is edited[3]  # today's entries, not yesterday's
    retagged = [*entries[:3], make_entry("p3", tags=("u",)), *entries[4:]]
    assert paths(memo.related(retagged)) == paths(related_posts(retagged))
    reordered = list(reversed(entries))
    assert paths(memo.related(reordered)) == paths(related_posts(reordered))


def test_related_posts_found_by_an_earlier_process_are_used_only_for_the_same_posts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entries = [make_entry(f"p{i}", tags=("t",) if i % 2 else ("u",)) for i in range(6)]
    first = AssemblyMemo()
    expected = paths(first.related(entries))
    assert first.found is not None  # computed here: for the next process to save
    computed: list[int] = []
    real = memo_module.related_posts
    monkeypatch.setattr(
        memo_module, "related_posts", lambda posts: computed.append(len(posts)) or real(posts)
    )

    later = AssemblyMemo(first.found)  # a new process, with what the first one saved
    edited = [*entries[:3], make_entry("p3", tags=("t",), html="<p>New.</p>"), *entries[4:]]
    found = later.related(edited)
    assert computed == [] and later.found is None  # nothing new to save
    assert paths(found) == expected and found["posts/p1/"][0] is edited[3]

    retagged = [*entries[:3], make_entry("p3", tags=("u",)), *entries[4:]]
    assert paths(AssemblyMemo(first.found).related(retagged)) == paths(related_posts(retagged))
    reordered = list(reversed(entries))
    assert paths(AssemblyMemo(first.found).related(reordered)) == paths(related_posts(reordered))
    # a saved record that does not name these very posts is not trusted, digest or not
    wrong = SavedRelated(first.found.key, {"posts/p0/": ()})
    assert paths(AssemblyMemo(wrong).related(entries)) == expected
    assert len(computed) == 3


def test_post_metadata_is_made_again_for_a_new_record_or_a_new_config() -> None:
    memo = AssemblyMemo()
    config = Config(Path("/site"), "Notes")
    entry = make_entry("a", excerpt_html="<p>First.</p>")
    memo.begin(config)
    meta = memo.post_meta(config, entry, None)
    assert meta == post_meta(config, entry, None)
    memo.begin(config)
    assert memo.post_meta(config, entry, None) is meta
    assert memo.post_meta(config, entry, "ML") == post_meta(config, entry, "ML")
    edited = make_entry("a", excerpt_html="<p>Second.</p>")
    memo.begin(config)
    assert memo.post_meta(config, edited, None).description == "Second."
    renamed = replace(config, title="Renamed")
    memo.begin(renamed)
    assert memo.post_meta(renamed, edited, None) == post_meta(renamed, edited, None)
    assert memo.post_meta(renamed, edited, None).title != meta.title


class Keyed:
    """A rendered record that says its render key, as the build's entries do."""

    def __init__(self, rendered: object, key: str) -> None:
        self._rendered = rendered
        self.key = key

    def __getattr__(self, name: str) -> object:
        return getattr(self._rendered, name)


def keyed(excerpt: str, key: str) -> Entry:
    entry = make_entry("a", excerpt_html=excerpt)
    return Entry(entry.post, Keyed(entry.rendered, key))  # type: ignore[arg-type]


def test_post_metadata_saved_by_an_earlier_process_is_used_for_the_same_render_key() -> None:
    config = Config(Path("/site"), "Notes")
    earlier = AssemblyMemo()
    earlier.begin(config)
    meta = earlier.post_meta(config, keyed("<p>First.</p>", "k1"), "ML")
    earlier.post_meta(config, make_entry("b"), None)  # no render key: not saved
    saved = earlier.take_made()
    assert saved == {"k1": ("ML", meta)} and earlier.take_made() == {}

    memo = AssemblyMemo(metas=saved)
    memo.begin(config)
    assert memo.post_meta(config, keyed("<p>First.</p>", "k1"), "ML") is meta
    assert memo.take_made() == {}
    edited = memo.post_meta(config, keyed("<p>Second.</p>", "k2"), "ML")
    assert edited.description == "Second." and memo.take_made() == {"k2": ("ML", edited)}
    moved = memo.post_meta(config, keyed("<p>First.</p>", "k1"), "CV")
    assert moved == post_meta(config, keyed("<p>First.</p>", "k1"), "CV")
    renamed = replace(config, title="Renamed")
    memo.begin(renamed)  # made with another configuration: not used
    again = memo.post_meta(renamed, keyed("<p>First.</p>", "k1"), "ML")
    assert again == post_meta(renamed, keyed("<p>First.</p>", "k1"), "ML") != meta


def test_only_metadata_made_anew_is_handed_on_with_the_posts_on_the_site() -> None:
    """Pages' contexts are made only when a build needs them: what was saved for the other
    posts stays saved; the memo hands on what it made, and the render keys of the posts now
    on the site (the shards written again keep theirs alone)."""
    config = Config(Path("/site"), "Notes")
    earlier = AssemblyMemo()
    earlier.begin(config)
    kept, gone = keyed("<p>Kept.</p>", "k1"), keyed("<p>Gone.</p>", "k3")
    saved = {"k1": ("ML", earlier.post_meta(config, kept, "ML"))}
    saved["k3"] = ("ML", earlier.post_meta(config, gone, "ML"))

    memo = AssemblyMemo(metas=saved)
    edited = keyed("<p>Edited.</p>", "k2")
    memo.begin(config, [kept, edited])  # gone is no longer on the site
    meta = memo.post_meta(config, edited, None)  # the only page this build made
    assert memo.take_made() == {"k2": (None, meta)} and memo.keys == ["k1", "k2"]
    renamed = replace(config, title="Renamed")
    memo.begin(renamed, [kept, edited])
    memo.post_meta(renamed, kept, "ML")
    assert list(memo.take_made()) == ["k1"]  # another configuration: the saved one not used
