"""Categories as a tree, tags with counts, and the addresses both get."""

from __future__ import annotations

import re

import pytest

from tests.site.records import make_entry
from transmit.site.taxonomy import assign_slugs, build_taxonomy


def paths(taxonomy):  # type: ignore[no-untyped-def]
    return [category.path for category in taxonomy.categories()]


def test_category_paths_make_a_tree_with_parents_listing_their_childrens_posts() -> None:
    entries = [
        make_entry("a", "2026-01-03", categories=(("深度学习", "CNN"),)),
        make_entry("b", "2026-01-02", categories=(("深度学习", "Transformer"),)),
        make_entry("c", "2026-01-01", categories=(("深度学习",),)),
        make_entry("d", "2025-12-31", categories=(("Vision",),)),
    ]
    taxonomy = build_taxonomy(entries, "keep")
    assert paths(taxonomy) == [
        "categories/Vision/",
        "categories/深度学习/",
        "categories/深度学习/CNN/",
        "categories/深度学习/Transformer/",
    ]
    deep = taxonomy.roots[1]
    assert [e.post.slug for e in deep.entries] == ["a", "b", "c"]
    assert [child.name for child in deep.children] == ["CNN", "Transformer"]
    assert [len(child.entries) for child in deep.children] == [1, 1]
    assert [c.name for c in taxonomy.trail(("深度学习", "CNN"))] == ["深度学习", "CNN"]


def test_a_post_in_two_branches_of_one_parent_counts_once_there() -> None:
    entry = make_entry("a", categories=(("ML", "A"), ("ML", "B")))
    taxonomy = build_taxonomy([entry], "keep")
    (root,) = taxonomy.roots
    assert len(root.entries) == 1
    assert [len(child.entries) for child in root.children] == [1, 1]


def test_names_that_differ_in_case_are_one_term_shown_as_most_posts_write_it() -> None:
    entries = [
        make_entry("a", tags=("PyTorch",), categories=(("Deep Learning",),)),
        make_entry("b", tags=("pytorch",), categories=(("deep learning",),)),
        make_entry("c", tags=("PyTorch",), categories=(("Deep Learning",),)),
    ]
    taxonomy = build_taxonomy(entries, "keep")
    (tag,) = taxonomy.tags
    assert (tag.name, tag.slug, len(tag.entries)) == ("PyTorch", "PyTorch", 3)
    assert taxonomy.tag("pytorch") is tag
    (root,) = taxonomy.roots
    assert (root.name, root.path, len(root.entries)) == (
        "Deep Learning",
        "categories/Deep-Learning/",
        3,
    )


def test_a_tag_listed_twice_in_one_post_counts_once() -> None:
    taxonomy = build_taxonomy([make_entry("a", tags=("x", "X"))], "keep")
    assert len(taxonomy.tags[0].entries) == 1


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["C", "C++"], {"C": "C", "C++": "C-"}),
        (["C++"], {"C++": "C"}),
        (["C++", "C#"], {"C++": "C-", "C#": "C-"}),
        (["注意力机制", "AdamW"], {"注意力机制": "注意力机制", "AdamW": "AdamW"}),
        (["a b", "a-b"], {"a b": "a-b-", "a-b": "a-b"}),
    ],
)
def test_clashing_slugs_get_a_hash_suffix_unless_the_name_is_its_own_slug(
    names: list[str], expected: dict[str, str]
) -> None:
    slugs = assign_slugs(names, "keep")
    for name, prefix in expected.items():
        if prefix.endswith("-"):
            assert re.fullmatch(re.escape(prefix) + "[0-9a-f]{6}", slugs[name]), slugs
        else:
            assert slugs[name] == prefix
    assert len(set(slugs.values())) == len(names)


def test_slugs_do_not_depend_on_the_order_of_names() -> None:
    names = ["C", "C++", "C#", "c sharp", "注意力"]
    assert assign_slugs(names, "keep") == assign_slugs(list(reversed(names)), "keep")


def test_a_name_of_punctuation_only_still_gets_an_address() -> None:
    slug = assign_slugs(["+++"], "pinyin")["+++"]
    assert re.fullmatch(r"[0-9a-f]{10}", slug)


def test_pinyin_and_hash_styles_give_ascii_addresses() -> None:
    entries = [make_entry("a", categories=(("深度学习", "卷积"),), tags=("注意力机制",))]
    pinyin = build_taxonomy(entries, "pinyin")
    assert paths(pinyin) == ["categories/shen-du-xue-xi/", "categories/shen-du-xue-xi/juan-ji/"]
    assert pinyin.tags[0].path == "tags/zhu-yi-li-ji-zhi/"
    hashed = build_taxonomy(entries, "hash")
    assert all(re.fullmatch(r"categories/([0-9a-f]{10}/)+", path) for path in paths(hashed))


def test_a_category_named_page_does_not_take_its_parents_pagination_folder() -> None:
    taxonomy = build_taxonomy([make_entry("a", categories=(("A", "page"),))], "keep")
    child = taxonomy.roots[0].children[0]
    assert child.name == "page"
    assert re.fullmatch(r"categories/A/page-[0-9a-f]{6}/", child.path)


def test_tags_are_sorted_by_name_ignoring_case() -> None:
    entries = [make_entry("a", tags=("beta", "Alpha", "gamma", "中文"))]
    assert [tag.name for tag in build_taxonomy(entries, "keep").tags] == [
        "Alpha",
        "beta",
        "gamma",
        "中文",
    ]


def test_no_posts_no_terms() -> None:
    taxonomy = build_taxonomy([], "keep")
    assert taxonomy.roots == () and taxonomy.tags == () and taxonomy.categories() == []
