"""How the worker pool splits its work: chunks that cover every item once, in order, shrinking
towards the end; and the work it starts ahead of the map that needs it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transmit.build import workers as workers_module
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


def _mark_done(folder: Path, items: list[str]) -> list[None]:
    for item in items:
        (folder / item).write_text("done", encoding="utf-8")
    return []


def _slow_mark_done(folder: Path, items: list[str]) -> list[None]:
    time.sleep(0.5)
    return _mark_done(folder, items)


def _fail(folder: Path, items: list[str]) -> list[None]:
    raise RuntimeError("a render that fails ahead")


def _late(folder: Path, items: list[str]) -> list[None]:
    time.sleep(30)
    return _mark_done(folder, items)


@pytest.fixture
def renderer_unloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as a fresh `transmit build` is: the renderer not loaded, one thread (other
    tests may have left a served site's threads running: only the test's own count)."""
    monkeypatch.setattr(workers_module, "renderer_loaded", lambda: False)
    others = threading.active_count() - 1
    alive = threading.active_count
    monkeypatch.setattr(threading, "active_count", lambda: alive() - others)


@pytest.mark.usefixtures("renderer_unloaded")
def test_work_ahead_is_done_in_another_process_and_waited_for_by_the_next_map(
    tmp_path: Path,
) -> None:
    done: list[str] = []
    with Workers(2) as workers:
        workers.meanwhile(lambda: done.append("meanwhile"))
        workers.ahead(_slow_mark_done, tmp_path, ["a", "b"])
        assert workers.map(_double, 2, [1]) == [2]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
        assert done == ["meanwhile"]  # done while it waited


@pytest.mark.usefixtures("renderer_unloaded")
def test_work_meanwhile_is_left_for_later_when_the_work_ahead_is_done(tmp_path: Path) -> None:
    done: list[str] = []
    with Workers(2) as workers:
        workers.meanwhile(lambda: done.append("meanwhile"))
        workers.ahead(_mark_done, tmp_path, ["a"])
        assert workers._ahead is not None
        workers._ahead.join()
        assert workers.map(_double, 2, [1]) == [2]
        assert done == []  # the map would have waited for it
        workers.map(_double, 2, list(range(MIN_PARALLEL)))
        assert done == ["meanwhile"]


@pytest.mark.usefixtures("renderer_unloaded")
def test_work_ahead_that_fails_leaves_the_map_to_do_its_work(tmp_path: Path) -> None:
    with Workers(2) as workers:
        workers.ahead(_fail, tmp_path, ["a"])
        assert workers.map(_double, 3, [1, 2]) == [3, 6]


@pytest.mark.usefixtures("renderer_unloaded")
def test_work_ahead_no_map_waited_for_is_stopped_when_the_workers_close(tmp_path: Path) -> None:
    started = time.monotonic()
    with Workers(2) as workers:
        workers.ahead(_late, tmp_path, ["a"])
    assert time.monotonic() - started < 10
    assert not (tmp_path / "a").exists()


def test_nothing_is_done_ahead_where_it_cannot_save_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = [True]
    monkeypatch.setattr(workers_module, "renderer_loaded", lambda: loaded[0])
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    cases = [
        (2, ["a"], True),  # the renderer is loaded: rendering here costs the render alone
        (2, [], False),  # nothing to do
        (1, ["a"], False),  # one process asked for (--jobs 1)
        (2, [str(i) for i in range(MIN_PARALLEL)], False),  # the map goes to the pool anyway
    ]
    for count, items, is_loaded in cases:
        loaded[0] = is_loaded
        with Workers(count) as workers:
            workers.ahead(_mark_done, tmp_path, items)
            assert workers.map(_double, 1, [1]) == [1]
        assert list(tmp_path.iterdir()) == []


def test_the_renderer_is_known_loaded_once_its_module_is() -> None:
    import transmit.render.document  # noqa: F401

    assert workers_module.renderer_loaded()
