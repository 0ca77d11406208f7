"""Pages of a listing and the numbers the pagination bar shows."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transmit.site.pagination import page_numbers, page_path, paginate


@pytest.mark.parametrize(
    ("current", "total", "expected"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 10, [1, 2, 3, None, 10]),
        (5, 10, [1, 2, 3, 4, 5, 6, 7, None, 10]),
        (6, 12, [1, None, 4, 5, 6, 7, 8, None, 12]),
        (10, 10, [1, None, 8, 9, 10]),
        (3, 7, [1, 2, 3, 4, 5, 6, 7]),
    ],
)
def test_page_numbers_show_the_ends_and_the_neighbourhood(
    current: int, total: int, expected: list[int | None]
) -> None:
    assert page_numbers(current, total) == expected


@given(st.integers(1, 400).flatmap(lambda total: st.tuples(st.integers(1, total), st.just(total))))
def test_page_numbers_are_increasing_and_never_hide_one_page(pair: tuple[int, int]) -> None:
    current, total = pair
    numbers = page_numbers(current, total)
    shown = [n for n in numbers if n is not None]
    assert shown == sorted(set(shown))
    assert {1, total, current} <= set(shown)
    assert len(numbers) <= 11
    for before, after in itertools.pairwise(numbers):
        assert not (before is None and after is None)
        if before is not None and after is not None:
            assert after == before + 1
    for index, number in enumerate(numbers):
        if number is None:
            assert numbers[index + 1] - numbers[index - 1] > 2  # type: ignore[operator]


def test_paths_of_pages() -> None:
    assert page_path("", 1) == ""
    assert page_path("", 2) == "page/2/"
    assert page_path("tags/x/", 3) == "tags/x/page/3/"


def test_an_empty_listing_still_has_its_first_page() -> None:
    (only,) = paginate([], 10, "tags/x/")
    assert (only.items, only.number, only.total, only.path) == ((), 1, 1, "tags/x/")
    assert only.previous_path is None and only.next_path is None


def test_pagers_link_to_each_other() -> None:
    pagers = paginate(list(range(7)), 3, "categories/a/")
    assert [p.items for p in pagers] == [(0, 1, 2), (3, 4, 5), (6,)]
    assert (
        pagers[1].previous_path == "categories/a/" and pagers[1].next_path == "categories/a/page/3/"
    )
