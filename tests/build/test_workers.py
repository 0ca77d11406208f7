"""How the worker pool splits its work: chunks that cover every item once, in order, shrinking
towards the end."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transmit.build.workers import (
    LARGEST_CHUNK,
    MIN_PARALLEL,
    SMALLEST_CHUNK,
    Workers,
    chunk_bounds,
)


@given(st.integers(0, 5000), st.integers(1, 16))
def test_chunks_cover_every_item_once_in_order_and_shrink(count: int, workers: int) -> None:
    bounds = chunk_bounds(count, workers)
    assert [i for start, end in bounds for i in range(start, end)] == list(range(count))
    sizes = [end - start for start, end in bounds]
    assert all(SMALLEST_CHUNK <= size <= LARGEST_CHUNK for size in sizes[:-1])
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)


def test_the_last_chunks_are_small_whatever_the_size_of_the_first() -> None:
    sizes = [end - start for start, end in chunk_bounds(1000, 2)]
    assert sizes[0] == LARGEST_CHUNK
    assert max(sizes[-8:]) <= 2 * SMALLEST_CHUNK  # a worker ends at most 8 posts after the other


def test_a_fixed_size_is_kept() -> None:
    assert chunk_bounds(10, 2, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_bounds(0, 2) == []


def _double(factor: int, items: list[int]) -> list[int]:
    return [factor * item for item in items]


def test_results_come_back_in_the_order_of_the_items() -> None:
    items = list(range(300))
    with Workers(2) as workers:
        assert workers.map(_double, 2, items) == [2 * item for item in items]


def test_work_meanwhile_is_done_once_while_workers_map() -> None:
    done: list[int] = []
    many = list(range(MIN_PARALLEL))
    with Workers(2) as workers:
        workers.meanwhile(lambda: done.append(len(done)))
        assert workers.map(_double, 2, [1]) == [2]  # so little is done in this process
        assert done == []
        assert workers.map(_double, 2, many) == [2 * item for item in many]
        assert done == [0]
        workers.map(_double, 2, many)
        assert done == [0]


def test_work_meanwhile_that_fails_stops_the_map() -> None:
    def failing() -> None:
        raise RuntimeError("meanwhile")

    with Workers(2) as workers:
        workers.meanwhile(failing)
        with pytest.raises(RuntimeError, match="meanwhile"):
            workers.map(_double, 2, list(range(MIN_PARALLEL)))
