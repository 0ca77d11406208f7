"""Related posts: shared tags and category, deterministic, at most five."""

from __future__ import annotations

from tests.site.records import make_entry
from transmit.site.related import NEIGHBOURS, related_posts


def slugs(entries) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.post.slug for entry in entries]


def test_more_shared_tags_and_a_deeper_shared_category_rank_higher() -> None:
    entries = [
        make_entry("target", tags=("a", "b"), categories=(("ML", "CNN"),)),
        make_entry("one-tag", tags=("a",)),
        make_entry("two-tags", tags=("a", "b")),
        make_entry("same-leaf", categories=(("ML", "CNN"),)),
        make_entry("same-root", categories=(("ML", "RNN"),)),
        make_entry("nothing", tags=("z",), categories=(("Other",),)),
    ]
    related = related_posts(entries)
    assert slugs(related["posts/target/"]) == ["two-tags", "one-tag", "same-leaf", "same-root"]
    assert slugs(related["posts/nothing/"]) == []


def test_ties_go_to_the_post_higher_in_the_site_order_and_five_at_most() -> None:
    entries = [make_entry(f"p{i}", tags=("t",)) for i in range(9)]
    related = related_posts(entries)
    assert slugs(related["posts/p4/"]) == ["p0", "p1", "p2", "p3", "p5"]
    assert all(len(found) <= 5 for found in related.values())
    assert related == related_posts(entries)


def test_tag_names_differing_in_case_are_shared() -> None:
    entries = [make_entry("a", tags=("PyTorch",)), make_entry("b", tags=("pytorch",))]
    assert slugs(related_posts(entries)["posts/a/"]) == ["b"]


def test_a_huge_tag_only_looks_at_neighbours_in_time() -> None:
    entries = [make_entry(f"p{i:04}", tags=("common",)) for i in range(4 * NEIGHBOURS)]
    related = related_posts(entries)
    middle = entries[2 * NEIGHBOURS].post.path
    assert slugs(related[middle]) == [f"p{i:04}" for i in range(NEIGHBOURS, NEIGHBOURS + 5)]
