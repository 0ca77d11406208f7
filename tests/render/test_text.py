"""Plain text of a post: whitespace folding and the word count, against their plain definitions."""

from __future__ import annotations

import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from transmit.render.text import _joined, text_figures

_CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]"
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")

# prose as notes have it: Latin words, Chinese, kana, hangul, rare CJK, punctuation, whitespace
# of every kind (the Unicode spaces too)
_WORDS = [
    "word",
    "x2",
    "it's",
    "anchor-free",
    "-",
    "'",
    "注意力",
    "机制",
    "かな",
    "한국",
    "\U00020001",
]
_BETWEEN = [" ", "\t", "\n", "\u3000", "\u00a0", "\u2028", "\x1f", ",", "。", "$"]
_PIECES = st.sampled_from([*_WORDS, *_BETWEEN])
_PROSE = st.lists(_PIECES | st.text(max_size=3), max_size=30).map("".join)


def _joined_by_regex(lines: list[str]) -> str:
    cleaned = (re.sub(r"\s+", " ", line).strip() for line in lines)
    return "\n".join(line for line in cleaned if line)


def _figures_by_substitution(text: str) -> tuple[int, int]:
    others, cjk = _CJK.subn(" ", text)
    words = len(_WORD.findall(others))
    return cjk + words, max(1, round(cjk / 400 + words / 220))


def test_str_split_knows_the_whitespace_the_regex_knows() -> None:
    differing = [
        code
        for code in range(sys.maxunicode + 1)
        if bool(re.fullmatch(r"\s", chr(code))) != (len(f"a{chr(code)}b".split()) == 2)
    ]
    assert differing == []


@given(st.lists(_PROSE, max_size=6))
def test_lines_are_folded_as_the_whitespace_regex_folds_them(lines: list[str]) -> None:
    assert _joined(lines) == _joined_by_regex(lines)


@given(_PROSE)
def test_figures_count_each_chinese_character_and_each_word(text: str) -> None:
    assert text_figures(text) == _figures_by_substitution(text)


def test_figures_of_mixed_prose() -> None:
    # 注意力机制 is five characters; "anchor-free" and "it's" are one word each
    assert text_figures("注意力机制 uses anchor-free heads, it's 2x faster")[0] == 5 + 6
    assert text_figures("")[1] == 1
    assert text_figures("字" * 800) == (800, 2)
