"""The index made run by run: runs that end where their posts' URLs say, and runs an earlier
build made taken back instead of made again, with the very files a fresh index has."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transmit.site import search
from transmit.site.search import SearchIndex, search_index_files
from transmit.site.search_postings import post_span
from transmit.site.search_runs import IndexedPost, Run, SearchRecord, run_bounds, run_key
from transmit.site.search_text import bucket_of, field_tokens, index_tokens, shard_key


class DictMemo:
    """A RunMemo in memory, counting the runs it was asked for and handed."""

    def __init__(self) -> None:
        self.runs: dict[bytes, Run] = {}
        self.found = 0
        self.made = 0

    def get(self, key: bytes) -> Run | None:
        run = self.runs.get(key)
        self.found += run is not None
        return run

    def put(self, key: bytes, run: Run) -> None:
        self.made += 1
        self.runs[key] = run


def posts(count: int, prefix: str = "p") -> list[SearchRecord]:
    """`count` posts with texts of their own, newest first, mixing Chinese and English."""
    return [
        SearchRecord(
            url=f"/posts/{prefix}{number}/",
            title=f"{prefix} {number} 注意力",
            text=f"第{number}篇 attention {number % 7} 机制 text{number} 变换器",
            category="ML / 视觉" if number % 3 else "",
            tags=("a", f"t{number % 5}"),
            date=f"2024-{1 + number % 12:02}-{1 + number % 28:02}",
            language="zh-CN",
        )
        for number in range(count)
    ]


def files_of(records: Sequence[SearchRecord | IndexedPost], **options: object) -> dict[str, bytes]:
    found = search_index_files(records, site_language="zh-CN", jobs=1, **options)  # type: ignore[arg-type]
    return {file.path: file.data for file in found}


def lazy(record: SearchRecord, version: str, reads: list[str]) -> IndexedPost:
    def read_text() -> str:
        reads.append(record.url)
        return record.text

    fields = (record.url, record.title, record.category, record.tags, record.date)
    return IndexedPost(*fields, record.language, version, read_text)


@pytest.fixture(autouse=True)
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "RUN_POSTS", 8)


def test_runs_cover_every_post_once_within_their_bounds() -> None:
    urls = [f"/posts/{number}/" for number in range(500)]
    bounds = run_bounds(urls, 8)
    assert bounds[0][0] == 0 and bounds[-1][1] == 500
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(bounds))
    lengths = [end - start for start, end in bounds]
    assert all(2 <= length <= 32 for length in lengths[:-1])
    assert 1 <= lengths[-1] <= 32
    assert 8 / 2 < sum(lengths) / len(lengths) < 8 * 2  # about the size asked for
    assert run_bounds([], 8) == []


@settings(max_examples=100, deadline=None)
@given(
    count=st.integers(0, 300),
    where=st.integers(0, 300),
    size=st.sampled_from([1, 4, 8, 64]),
)
def test_a_post_added_changes_the_run_it_joins_and_seldom_another(
    count: int, where: int, size: int
) -> None:
    urls = [f"/posts/{number}/" for number in range(count)]
    where = min(where, count)
    before = {tuple(urls[start:end]) for start, end in run_bounds(urls, size)}
    added = [*urls[:where], "/posts/new/", *urls[where:]]
    after = {tuple(added[start:end]) for start, end in run_bounds(added, size)}
    # the runs before the new post's stay; after it, runs line up again within a few
    assert len(after - before) <= 3


def test_a_memo_gives_the_files_of_a_fresh_index_and_makes_only_changed_runs() -> None:
    records = posts(120)
    memo = DictMemo()
    assert files_of(records, memo=memo) == files_of(records)
    made = memo.made
    assert made == len(run_bounds([r.url for r in search._site_order(records)], 8)) > 5

    edited = list(records)
    edited[40] = SearchRecord(**{**_fields(records[40]), "text": "改写 rewritten 全文"})
    memo.made = 0
    assert files_of(edited, memo=memo) == files_of(edited)
    assert memo.made == 1

    added = [*edited, SearchRecord(**{**_fields(records[0]), "url": "/posts/new/"})]
    memo.made = 0
    assert files_of(added, memo=memo) == files_of(added)
    assert 1 <= memo.made <= 3

    memo.made = 0
    assert files_of(added[1:], memo=memo) == files_of(added[1:])  # a post removed
    assert 1 <= memo.made <= 3


def _fields(record: SearchRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in SearchRecord.__dataclass_fields__}


def test_texts_of_runs_taken_from_the_memo_are_not_read() -> None:
    records = posts(100)
    memo, reads = DictMemo(), []
    first = files_of([lazy(r, "v1", reads) for r in records], memo=memo)
    assert first == files_of(records)
    assert len(reads) == 100
    reads.clear()
    versions = ["v2" if number == 30 else "v1" for number in range(100)]
    edited = [
        *records[:30],
        SearchRecord(**{**_fields(records[30]), "text": "新的"}),
        *records[31:],
    ]
    again = files_of([lazy(r, v, reads) for r, v in zip(edited, versions, strict=True)], memo=memo)
    assert again == files_of(edited)
    assert records[30].url in reads
    assert 0 < len(reads) <= 32  # the edited post's run alone


def test_a_text_changed_under_the_same_version_is_the_callers_promise() -> None:
    """The version stands for the text: a run is taken back by it (the build gives each
    rendering of a post a version of its own)."""
    records = posts(20)
    memo = DictMemo()
    files_of([lazy(r, "v", []) for r in records], memo=memo)
    changed = [SearchRecord(**{**_fields(r), "text": "其他"}) for r in records]
    assert memo.made and files_of([lazy(r, "v", []) for r in changed], memo=memo) != files_of(
        changed
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda r: {"title": r.title + "!"},
        lambda r: {"category": "其他"},
        lambda r: {"tags": (*r.tags, "x")},
        lambda r: {"tags": ("a t1",)},
        lambda r: {"tags": ("a", "other")},
        lambda r: {"date": "1999-01-01"},
        lambda r: {"language": "en"},
        lambda r: {"url": r.url + "x/"},
        lambda r: {"text": r.text + "。"},
    ],
)
def test_every_field_of_a_post_is_in_its_runs_key(
    change: Callable[[SearchRecord], dict[str, object]],
) -> None:
    record = posts(1)[0]
    changed = SearchRecord(**{**_fields(record), **change(record)})
    assert run_key([record]) != run_key([changed])
    assert run_key([record]) == run_key([SearchRecord(**_fields(record))])


def test_a_text_and_a_version_never_share_a_key() -> None:
    record = posts(1)[0]
    assert run_key([record]) != run_key([lazy(record, record.text, [])])


@settings(max_examples=40, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(["edit", "add", "remove"]), st.integers(0, 59)), max_size=6
    )
)
def test_any_sequence_of_edits_gives_the_files_of_a_fresh_index(
    edits: list[tuple[str, int]],
) -> None:
    records = posts(60)
    memo = DictMemo()
    files_of(records, memo=memo)
    for step, (kind, at) in enumerate(edits):
        at = min(at, len(records) - 1) if records else 0
        if kind == "edit" and records:
            records[at] = SearchRecord(**{**_fields(records[at]), "text": f"第{step}次 edit"})
        elif kind == "add":
            fresh = posts(1, prefix=f"n{step}-")[0]
            records.insert(at, fresh)
        elif records:
            del records[at]
        assert files_of(records, memo=memo) == files_of(records)


def test_buckets_gzipped_by_threads_are_the_same_and_the_threads_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build forks after making the index, which wants this process to run one thread."""
    import threading

    monkeypatch.setattr(search, "BUCKET_BYTES", 64)  # many buckets
    records = posts(80)
    threads = threading.active_count()
    two = search_index_files(records, site_language="zh-CN", jobs=2)
    assert threading.active_count() == threads
    monkeypatch.setattr(search, "GZIP_THREADS", 1)
    one = search_index_files(records, site_language="zh-CN", jobs=2)
    assert len(two) > 20 and two == one


def _edited(record: SearchRecord, text: str) -> SearchRecord:
    return SearchRecord(**{**_fields(record), "text": text})


@settings(max_examples=40, deadline=None)
@given(
    edits=st.lists(
        st.lists(
            st.tuples(st.integers(0, 79), st.sampled_from(["", "改", "长文" * 60])), max_size=3
        ),
        min_size=1,
        max_size=5,
    )
)
def test_an_index_renewed_after_edits_has_the_files_of_one_made_anew(
    edits: list[list[tuple[int, str]]],
) -> None:
    """Small runs, segments and files: edits reach several segments, and some change the
    number of bucket files."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SEGMENT_RUNS", 2)
        patch.setattr(search, "BUCKET_BYTES", 512)
        _edit_and_compare(posts(80), edits)


def _edit_and_compare(records: list[SearchRecord], edits: list[list[tuple[int, str]]]) -> None:
    index = SearchIndex(records, site_language="zh-CN", jobs=1)
    files = {file.path: file.data for file in index.files()}
    for step, changes in enumerate(edits):
        renewed = []
        for at, extra in changes:
            records[at] = _edited(records[at], f"第{step}次 edit {extra}")
            renewed.append(records[at])
        changed = {file.path: file.data for file in index.renew(renewed, jobs=1)}
        fresh = files_of(records)
        assert changed == {path: data for path, data in fresh.items() if files.get(path) != data}
        files = {path: data for path, data in {**files, **changed}.items() if path in fresh}
        assert files == fresh


def test_an_edit_renews_its_posts_run_and_segment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SEGMENT_RUNS", 2)
    records = posts(200)
    memo = DictMemo()
    index = SearchIndex(records, site_language="zh-CN", jobs=1, memo=memo)
    assert len(index.segments) > 4
    before = {file.path: file.data for file in index.files()}
    sections_before = [list(segment.packed) for segment in index.segments]
    reads: list[str] = []
    memo.made = 0
    edited = lazy(_edited(records[7], "新的 words"), "v2", reads)
    changed = {file.path for file in index.renew([edited], jobs=1, memo=memo)}
    assert memo.made == 1 and records[7].url in reads and len(reads) <= 32
    number = index.numbers[records[7].url]
    own = {f"{search.SEARCH_DIR}/meta.tx", f"{search.SEARCH_DIR}/doc/{number}.tx"}
    assert changed >= own
    assert all("/index/" in path and path in before for path in changed - own)
    run = next(n for n, (start, end) in enumerate(index.bounds) if start <= number < end)
    for segment, sections in zip(index.segments, sections_before, strict=True):
        if segment.runs[0] <= run < segment.runs[1]:
            assert segment.packed != sections
        else:  # the sections of every other segment are those the index had
            assert segment.packed == sections


def test_words_added_within_a_posts_span_rewrite_only_their_index_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No other post moves, so the only postings that change are the added tokens': the
    files that hold them, the post's doc file and meta.tx are all an edit writes."""
    # many bucket files, and as many after the edit (more would make every file again)
    monkeypatch.setattr(search, "BUCKET_BYTES", 150)
    records = posts(200)
    index = SearchIndex(records, site_language="zh-CN", jobs=1)
    buckets = index.buckets
    assert buckets > 60
    added = " addendum 补充说明"
    at = next(
        at
        for at, r in enumerate(records)
        if post_span(_length(r)) == post_span(_length(_edited(r, r.text + added)))
    )
    edited = _edited(records[at], records[at].text + added)
    changed = {file.path for file in index.renew([edited], jobs=1)}
    assert index.buckets == buckets
    numbers = {bucket_of(shard_key(token), buckets) for token in index_tokens(added)}
    number = index.numbers[edited.url]
    expected = {f"{search.SEARCH_DIR}/index/{n}.tx" for n in numbers}
    own = {f"{search.SEARCH_DIR}/meta.tx", f"{search.SEARCH_DIR}/doc/{number}.tx"}
    assert changed == expected | own
    assert len(changed) < index.buckets // 4
    records[at] = edited
    assert {file.path: file.data for file in index.files()} == files_of(records)


def _length(record: SearchRecord) -> int:
    return len(field_tokens([record.title, record.category, *record.tags, record.text])[0])


def test_an_edit_that_moves_a_post_is_refused() -> None:
    records = posts(10)
    index = SearchIndex(records, site_language="zh-CN", jobs=1)
    for change in ({"title": "其他"}, {"date": "1999-01-01"}):
        with pytest.raises(ValueError, match="moved"):
            index.renew([SearchRecord(**{**_fields(records[3]), **change})])


def test_an_edit_giving_the_same_text_changes_no_file() -> None:
    records = posts(30)
    index = SearchIndex(records, site_language="zh-CN", jobs=1)
    assert index.renew([records[4], records[9]]) == []
