"""The index files: layout, determinism, and a round trip through the binary format."""

from __future__ import annotations

import bisect
import gzip
import json
import struct
import zlib
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.site.search_fixtures import POSTS
from transmit.site import search, search_postings
from transmit.site.search import (
    SEARCH_DIR,
    SearchRecord,
    build_search_index,
    search_index_files,
)
from transmit.site.search_text import bucket_of, field_tokens, shard_key


def decode_bucket(data: bytes, bases: list[int]) -> dict[str, list[int]]:
    """token -> ascending positions, read the way search-engine.js reads them: a section per
    segment, its positions counted from `bases[i]`."""
    raw = zlib.decompress(data, -zlib.MAX_WBITS)  # raw deflate
    at = 0
    tokens: dict[str, list[int]] = {}
    for base in bases:
        (count,) = struct.unpack_from("<I", raw, at)
        at += 4
        for _ in range(count):
            (name_length,) = struct.unpack_from("<H", raw, at)
            name = raw[at + 2 : at + 2 + name_length].decode()
            at += 2 + name_length
            (body_length,) = struct.unpack_from("<I", raw, at)
            found = [base + p for p in decode_gaps(raw[at + 4 : at + 4 + body_length])]
            tokens.setdefault(name, []).extend(found)
            at += 4 + body_length
    assert at == len(raw)
    return tokens


def decode_gaps(body: bytes) -> list[int]:
    positions, position = [], 0
    for char in body.decode("utf-8", "surrogatepass"):
        position += ord(char)
        if ord(char) != search_postings.GAP_STEP:
            positions.append(position)
    return positions


def starts_of(meta: dict) -> list[int]:
    """Where each post starts in the site's position space (each reserves its `post_span`)."""
    starts = [0]
    for length in meta["length"]:
        starts.append(starts[-1] + search_postings.post_span(length))
    return starts


def by_post(meta: dict, positions: list[int]) -> dict[int, list[int]]:
    """Site-wide positions -> post id -> positions within the post."""
    starts = starts_of(meta)
    assert positions == sorted(set(positions))
    found: dict[int, list[int]] = {}
    for position in positions:
        post = bisect.bisect_right(starts, position) - 1
        assert position - starts[post] < meta["length"][post]
        found.setdefault(post, []).append(position - starts[post])
    return found


def read_index(out_dir: Path) -> tuple[dict, list[dict[str, dict[int, list[int]]]], list[dict]]:
    root = out_dir / SEARCH_DIR
    meta = json.loads(gzip.decompress((root / "meta.tx").read_bytes()))
    bases = [starts_of(meta)[first] for first in meta["segments"]]
    buckets = [
        {
            token: by_post(meta, positions)
            for token, positions in decode_bucket(
                (root / "index" / f"{n}.tx").read_bytes(), bases
            ).items()
        }
        for n in range(meta["buckets"])
    ]
    docs = [
        json.loads(gzip.decompress((root / "doc" / f"{n}.tx").read_bytes()))
        for n in range(meta["posts"])
    ]
    return meta, buckets, docs


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def record(title: str, text: str, date: str = "2024-01-01", **fields: object) -> SearchRecord:
    values: dict[str, object] = {
        "url": f"/posts/{title}/",
        "title": title,
        "text": text,
        "category": "",
        "tags": (),
        "date": date,
        "language": "zh-CN",
    }
    values.update(fields)
    return SearchRecord(**values)  # type: ignore[arg-type]


def test_writes_meta_index_and_one_file_per_post(tmp_path: Path) -> None:
    stats = build_search_index(POSTS, tmp_path, site_language="zh-CN")
    root = tmp_path / SEARCH_DIR
    files = tree(root)
    assert stats.pages == len(POSTS)
    assert stats.bytes == sum(len(data) for data in files.values())
    assert stats.seconds >= 0
    assert "meta.tx" in files
    assert {f"doc/{n}.tx" for n in range(len(POSTS))} <= set(files)
    gzipped = [data for path, data in files.items() if not path.startswith("index/")]
    assert all(data[:2] == b"\x1f\x8b" for data in gzipped)


def test_the_files_can_go_to_a_writer_that_stages_the_output(tmp_path: Path) -> None:
    files = search_index_files(POSTS, site_language="zh-CN")
    build_search_index(POSTS, tmp_path, site_language="zh-CN")
    assert {f.path: f.data for f in files} == tree(tmp_path)
    assert all(f.path.startswith(f"{SEARCH_DIR}/") for f in files)


def test_same_records_give_byte_identical_files(tmp_path: Path) -> None:
    build_search_index(POSTS, tmp_path / "a", site_language="zh-CN")
    build_search_index(tuple(reversed(POSTS)), tmp_path / "b", site_language="zh-CN")
    assert tree(tmp_path / "a" / SEARCH_DIR) == tree(tmp_path / "b" / SEARCH_DIR)


def test_worker_processes_write_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RUN_POSTS", 3)
    build_search_index(POSTS, tmp_path / "one", site_language="zh-CN", jobs=1)
    build_search_index(POSTS, tmp_path / "two", site_language="zh-CN", jobs=2)
    monkeypatch.setattr(search, "RUN_POSTS", 1000)
    build_search_index(POSTS, tmp_path / "whole", site_language="zh-CN", jobs=2)
    one = tree(tmp_path / "one" / SEARCH_DIR)
    assert one == tree(tmp_path / "two" / SEARCH_DIR) == tree(tmp_path / "whole" / SEARCH_DIR)


def test_a_rebuild_removes_files_of_the_previous_index(tmp_path: Path) -> None:
    build_search_index(POSTS, tmp_path, site_language="zh-CN")
    build_search_index(POSTS[:2], tmp_path, site_language="zh-CN")
    meta, _, _ = read_index(tmp_path)
    assert meta["posts"] == 2
    assert sorted(p.name for p in (tmp_path / SEARCH_DIR / "doc").iterdir()) == ["0.tx", "1.tx"]


def test_posts_are_numbered_in_site_order_and_keep_the_authors_text(tmp_path: Path) -> None:
    build_search_index(POSTS, tmp_path, site_language="zh-CN")
    meta, _, docs = read_index(tmp_path)
    dates = [doc["date"] for doc in docs]
    assert dates == sorted(dates, reverse=True)
    by_url = {r.url: r for r in POSTS}
    for doc in docs:
        source = by_url[doc["url"]]
        assert doc["text"] == source.text
        assert doc["title"] == source.title
        assert (doc["category"], tuple(doc["tags"]), doc["lang"]) == (
            source.category,
            source.tags,
            source.language,
        )
    assert meta["language"] == "zh-CN"
    assert meta["categories"] == sorted({r.category for r in POSTS if r.category})
    assert meta["tags"] == sorted({t for r in POSTS for t in r.tags})
    for number, doc in enumerate(docs):
        category = meta["category"][number]
        assert (meta["categories"][category] if category >= 0 else "") == doc["category"]
        assert [meta["tags"][t] for t in meta["tag"][number]] == sorted(doc["tags"])


def test_ties_on_date_break_by_title_then_url(tmp_path: Path) -> None:
    records = [
        record("b", "x"),
        record("a", "x", url="/z/"),
        record("a", "x", url="/y/"),
        record("c", "x", date="2025-01-01"),
    ]
    build_search_index(records, tmp_path, site_language="en")
    _, _, docs = read_index(tmp_path)
    assert [(d["title"], d["url"]) for d in docs] == [
        ("c", "/posts/c/"),
        ("a", "/y/"),
        ("a", "/z/"),
        ("b", "/posts/b/"),
    ]


@pytest.mark.parametrize(
    ("bucket_bytes", "run_posts", "segment_runs"),
    [(search.BUCKET_BYTES, search.RUN_POSTS, search.SEGMENT_RUNS), (200, 1, 1), (200, 2, 2)],
)
def test_postings_round_trip_to_every_tokens_positions(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bucket_bytes: int,
    run_posts: int,
    segment_runs: int,
) -> None:
    monkeypatch.setattr(search, "BUCKET_BYTES", bucket_bytes)
    monkeypatch.setattr(search, "RUN_POSTS", run_posts)
    monkeypatch.setattr(search, "SEGMENT_RUNS", segment_runs)
    build_search_index(POSTS, tmp_path, site_language="zh-CN")
    meta, buckets, docs = read_index(tmp_path)
    if bucket_bytes == 200:
        assert meta["buckets"] > 10
    if segment_runs == 1:  # a segment a post: every bucket file has a section of each
        assert meta["segments"] == list(range(len(POSTS)))
    elif segment_runs == 2:
        assert 1 < len(meta["segments"]) < len(POSTS)
    else:
        assert meta["segments"] == [0]
    by_url = {r.url: r for r in POSTS}
    expected: dict[str, dict[int, list[int]]] = {}
    for number, doc in enumerate(docs):
        source = by_url[doc["url"]]
        tokens, starts = field_tokens([source.title, source.category, *source.tags, source.text])
        assert (meta["metaStart"][number], meta["bodyStart"][number], meta["length"][number]) == (
            starts[1],
            starts[-1],
            len(tokens),
        )
        for position, token in enumerate(tokens):
            if token is not None:
                expected.setdefault(token, {}).setdefault(number, []).append(position)
    found: dict[str, dict[int, list[int]]] = {}
    for number, bucket in enumerate(buckets):
        for token, entry in bucket.items():
            assert bucket_of(shard_key(token), meta["buckets"]) == number
            found[token] = entry
    assert found == expected


def test_long_posts_need_wide_positions(tmp_path: Path) -> None:
    text = "卷积" * 40_000 + " 结尾"
    build_search_index([record("long", text)], tmp_path, site_language="zh-CN")
    _, buckets, _ = read_index(tmp_path)
    tokens = {t: e for b in buckets for t, e in b.items()}
    assert tokens["结尾"] == {0: [80_003]}
    assert len(tokens["卷积"][0]) == 40_000
    assert tokens["卷积"][0][-1] == 3 + 79_998  # title, gap, (empty category), gap


def test_an_empty_site_still_gets_an_index(tmp_path: Path) -> None:
    stats = build_search_index([], tmp_path, site_language="en")
    meta, buckets, docs = read_index(tmp_path)
    assert (stats.pages, meta["posts"], meta["buckets"], docs) == (0, 0, 1, [])
    assert buckets == [{}]


def test_front_matter_values_are_stored_as_json_not_markup(tmp_path: Path) -> None:
    hostile = record('</script><b>"x"</b>', "正文 & <tag>", category="A & B", tags=("<i>", "'q'"))
    build_search_index([hostile], tmp_path, site_language="en")
    _, _, docs = read_index(tmp_path)
    assert docs[0]["title"] == '</script><b>"x"</b>'
    assert docs[0]["text"] == "正文 & <tag>"
    assert docs[0]["tags"] == ["<i>", "'q'"]


@pytest.mark.parametrize(
    ("positions", "size"),
    [
        ([], 0),
        ([0], 1),
        ([5, 6, 133], 3),  # gaps 5, 1, 127: one byte each
        ([128], 2),
        ([0, 2048], 4),
        ([0xD800], 3),  # a surrogate's value is just a number here
        ([0x10000], 4),
        ([0x10FFFE], 4),
        ([0x10FFFF], 5),  # one step and a zero gap
        ([7, 7 + 3 * 0x10FFFF + 9], 1 + 3 * 4 + 1),
    ],
)
def test_gaps_are_utf8_coded(positions: list[int], size: int) -> None:
    body = search_postings.encode_gaps(array("I", positions))
    assert len(body) == size
    assert decode_gaps(body) == positions


@given(st.lists(st.integers(0, 2**32 - 1), unique=True).map(sorted))
def test_any_ascending_positions_survive_the_gap_code(positions: list[int]) -> None:
    assert decode_gaps(search_postings.encode_gaps(array("I", positions))) == positions


@given(st.integers(0, 2**32 - 1))
def test_a_post_reserves_room_to_grow_and_one_empty_position(length: int) -> None:
    span = search_postings.post_span(length)
    assert length < span <= length + max(16, length // 4)
    assert search_postings.post_span(span - 1) == span  # growing within it keeps it
    assert search_postings.post_span(span) > span


def test_most_posts_keep_their_span_when_a_sentence_is_appended() -> None:
    """What spares an edit near a post's end rewriting every index file (see
    test_search_runs.py): at the lengths of notes, twelve more tokens seldom cross a step."""
    lengths = range(1_000, 8_000)
    kept = sum(search_postings.post_span(n) == search_postings.post_span(n + 12) for n in lengths)
    assert kept / len(lengths) > 0.9
