"""Text preparation for search: normalisation, CJK bigrams, words, shard keys."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.site.search_fixtures import STATIC
from transmit.site.search_text import (
    CJK_RANGES,
    MAX_WORD,
    bucket_of,
    field_tokens,
    index_tokens,
    is_cjk,
    normalize,
    shard_key,
)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", []),
        ("   \n\t", []),
        ("卷积", ["卷积", "积"]),
        ("卷", ["卷"]),
        ("卷积神经网络", ["卷积", "积神", "神经", "经网", "网络", "络"]),
        ("注意力机制", ["注意", "意力", "力机", "机制", "制"]),
        # punctuation ends a run: no bigram spans it
        ("卷，积", ["卷", "积"]),
        ("梯度。损失函数", ["梯度", "度", "损失", "失函", "函数", "数"]),
        ("注意 力", ["注意", "意", "力"]),
        # English words, case folded; punctuation and underscores only separate
        ("AdamW", ["adamw"]),
        ("anchor-free", ["anchor", "free"]),
        ("Anchor-Free detectors", ["anchor", "free", "detectors"]),
        ("weight_decay", ["weight", "decay"]),
        ("torch.softmax(x, dim=-1)", ["torch", "softmax", "x", "dim", "1"]),
        ("lr=5e-5, ResNet-50", ["lr", "5e", "5", "resnet", "50"]),
        ("don't", ["don", "t"]),
        # mixed scripts without spaces split at the script change
        ("用AdamW训练", ["用", "adamw", "训练", "练"]),
        ("Transformer的注意力", ["transformer", "的注", "注意", "意力", "力"]),
        ("L2正则化", ["l2", "正则", "则化", "化"]),
        ("第3章", ["第", "3", "章"]),
        # width and compatibility forms fold like the browser's NFKC
        ("ＡｄａｍＷ", ["adamw"]),
        ("ｱﾃﾝｼｮﾝ", ["アテ", "テン", "ンシ", "ショ", "ョン", "ン"]),
        ("①②", ["12"]),
        ("① ②", ["1", "2"]),
        ("ﬁne", ["fine"]),
        # other alphabets are words; kana and Hangul are bigrams
        ("Ελληνικά κείμενα", ["ελληνικά", "κείμενα"]),
        ("Привет, мир", ["привет", "мир"]),
        (
            "トランスフォーマー",
            ["トラ", "ラン", "ンス", "スフ", "フォ", "ォー", "ーマ", "マー", "ー"],
        ),
        ("한국어 검색", ["한국", "국어", "어", "검색", "색"]),
        ("café", ["café"]),
        ("cafe\u0301", ["café"]),
        # emoji and symbols separate, they are not tokens
        ("深度🙂学习", ["深度", "度", "学习", "习"]),
        ("a+b≥c", ["a", "b", "c"]),
        ("𠀀𠀁", ["𠀀𠀁", "𠀁"]),
    ],
)
def test_index_tokens(text: str, tokens: list[str]) -> None:
    assert index_tokens(text) == tokens


def test_long_words_are_cut() -> None:
    word = "x" * (MAX_WORD + 25)
    assert index_tokens(f"{word} end") == ["x" * MAX_WORD, "end"]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("卷积", "卷积神经网络"),
        ("积", "卷积神经网络"),
        ("神经网络", "卷积神经网络"),
        ("注意力", "多头自注意力"),
        ("损失函数", "交叉熵损失函数。"),
    ],
)
def test_a_cjk_substring_is_a_run_of_the_texts_tokens(query: str, text: str) -> None:
    # The browser's phrase match relies on this: the query's bigrams appear in the text's
    # tokens at consecutive positions, wherever the query sits inside a longer run.
    wanted = [a + b for a, b in itertools.pairwise(query)] or [query]
    tokens = index_tokens(text)
    starts = [i for i in range(len(tokens)) if tokens[i : i + len(wanted)] == wanted]
    if len(query) == 1:
        starts = [i for i, token in enumerate(tokens) if token.startswith(query)]
    assert len(starts) == text.count(query)


@given(st.text(alphabet=st.sampled_from("卷积神经网络注意力的是 ，。AaBb-_1"), max_size=40))
def test_one_position_per_cjk_character_and_word(text: str) -> None:
    tokens = index_tokens(text)
    cjk = sum(1 for char in normalize(text) if is_cjk(char))
    assert sum(1 for token in tokens if is_cjk(token[0])) == cjk
    for token in tokens:
        assert token == normalize(token)
        assert token.strip() and not any(char in " ，。-_" for char in token)


@given(st.text(max_size=60))
def test_tokens_never_contain_separators(text: str) -> None:
    for token in index_tokens(text):
        assert token
        assert all(is_cjk(char) or char.isalnum() for char in token)
        cjk = [is_cjk(char) for char in token]
        assert all(cjk) or not any(cjk)
        if all(cjk):
            assert len(token) <= 2


def test_field_tokens_leave_a_gap_between_fields() -> None:
    tokens, starts = field_tokens(["卷积", "", "AdamW 优化", "正文"])
    assert tokens == ["卷积", "积", None, None, "adamw", "优化", "化", None, "正文", "文"]
    assert starts == [0, 3, 4, 8]


@pytest.mark.parametrize(
    ("char", "expected"),
    [
        ("卷", True),
        ("々", True),
        ("あ", True),
        ("ア", True),
        ("한", True),
        ("𠀀", True),
        ("a", False),
        ("1", False),
        ("，", False),
        ("。", False),
        ("ー", True),
        ("Ω", False),
    ],
)
def test_is_cjk(char: str, expected: bool) -> None:
    assert is_cjk(char) is expected


@pytest.mark.parametrize(
    ("token", "key"),
    [
        ("卷积", "卷"),
        ("积", "积"),
        ("adamw", "ad"),
        ("a", "a"),
        ("transformer", "tr"),
        ("1", "1"),
        ("ελληνικά", "ελ"),
    ],
)
def test_shard_key(token: str, key: str) -> None:
    assert shard_key(token) == key


def test_bucket_of_is_fnv1a_over_code_points() -> None:
    assert bucket_of("", 1 << 32) == 0x811C9DC5
    assert bucket_of("a", 1 << 32) == 0xE40C292C  # the published FNV-1a 32 value of "a"
    assert bucket_of("卷", 7) == bucket_of("卷", 7)
    assert {bucket_of(key, 5) for key in ("ad", "tr", "卷", "积", "梯", "so")} <= set(range(5))
    assert bucket_of("anything", 1) == 0


def test_the_browser_engine_shares_the_indexers_constants() -> None:
    from transmit.site import search, search_postings

    source = (STATIC / "search-engine.js").read_text(encoding="utf-8")
    ranges = re.search(r"const CJK_RANGES = \[(.*?)\];", source, re.S)
    assert ranges is not None
    pairs = re.findall(r"\[0x([0-9a-f]+), 0x([0-9a-f]+)\]", ranges.group(1))
    assert tuple((int(lo, 16), int(hi, 16)) for lo, hi in pairs) == CJK_RANGES
    assert f"export const MAX_WORD = {MAX_WORD};" in source
    assert f'export const SEARCH_DIR = "{search.SEARCH_DIR}";' in source
    assert f"const FORMAT_VERSION = {search.FORMAT_VERSION};" in source
    assert f"const GAP_STEP = 0x{search_postings.GAP_STEP:x};" in source
