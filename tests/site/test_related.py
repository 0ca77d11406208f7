"""Related posts: shared tags and category, deterministic, at most five."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.site.records import make_entry
from transmit.site.related import (
    CATEGORY_LEVEL_WEIGHT,
    NEIGHBOURS,
    TAG_WEIGHT,
    related_posts,
)


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


@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from("abcdef"), max_size=3, unique=True),
            st.sampled_from([(), (("ML",),), (("ML", "CNN"),), (("Sys",),)]),
        ),
        max_size=30,
    )
)
def test_the_ranking_is_shared_weight_then_site_order(
    posts: list[tuple[list[str], tuple[tuple[str, ...], ...]]],
) -> None:
    """Against a plain count of what each pair shares (few posts: no neighbour window)."""
    entries = [
        make_entry(f"p{i}", tags=tuple(tags), categories=categories)
        for i, (tags, categories) in enumerate(posts)
    ]
    found = related_posts(entries)

    def shared(a: int, b: int) -> int:
        tags = set(entries[a].post.tags) & set(entries[b].post.tags)
        depth = 0
        for x in entries[a].post.categories:
            for y in entries[b].post.categories:
                depth += next((n for n in range(len(x), 0, -1) if x[:n] == y[:n]), 0)
        return TAG_WEIGHT * len(tags) + CATEGORY_LEVEL_WEIGHT * depth

    for i, entry in enumerate(entries):
        ranked = sorted(
            (j for j in range(len(entries)) if j != i and shared(i, j) > 0),
            key=lambda j: (-shared(i, j), j),
        )
        assert slugs(found[entry.post.path]) == [f"p{j}" for j in ranked[:5]]
