from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transmit.content.slugs import (
    SlugError,
    check_given_slug,
    clean_slug,
    hash_slug,
    make_slug,
    url_segment,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("注意力机制 Attention 笔记", "注意力机制-Attention-笔记"),
        ("AdamW vs Adam", "AdamW-vs-Adam"),
        ("anchor-free 检测", "anchor-free-检测"),
        ("a/b\\c?d#e%f", "a-b-c-d-e-f"),
        ("  spaced   out  ", "spaced-out"),
        ("C++ 模板", "C-模板"),
        ("what's new?", "what-s-new"),
        ("0079", "0079"),
        ("..hidden..", "hidden"),
        ("tab\there", "tab-here"),
        ("v1.2 release", "v1.2-release"),
    ],
)
def test_keep_style_keeps_chinese_and_case(text: str, expected: str) -> None:
    assert make_slug(text, "keep") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("注意力机制", "zhu-yi-li-ji-zhi"),
        ("注意力机制 Attention 笔记", "zhu-yi-li-ji-zhi-attention-bi-ji"),
        ("卷积神经网络 CNN", "juan-ji-shen-jing-wang-luo-cnn"),
        ("Adam 与 AdamW", "adam-yu-adamw"),
    ],
)
def test_pinyin_style_is_ascii(text: str, expected: str) -> None:
    assert make_slug(text, "pinyin") == expected


def test_hash_style_is_short_stable_ascii() -> None:
    slug = make_slug("注意力机制", "hash")
    assert slug == hash_slug("注意力机制")
    assert len(slug) == 10
    assert slug.isascii() and slug.isalnum()
    assert make_slug("注意力机制 ", "hash") != slug


def test_nfd_and_nfc_names_give_one_slug() -> None:
    nfc = unicodedata.normalize("NFC", "café notes")
    nfd = unicodedata.normalize("NFD", "café notes")
    assert make_slug(nfc, "keep") == make_slug(nfd, "keep")


@pytest.mark.parametrize("text", ["", "   ", "...", "///", "?#%"])
def test_nothing_usable_is_an_error(text: str) -> None:
    with pytest.raises(SlugError, match="slug"):
        make_slug(text, "keep")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("../etc", "slash"),
        ("a/b", "slash"),
        ("..", "dots"),
        ("", "empty"),
        ("a\x00b", "control"),
        ("a\u200bb", "control"),
    ],
)
def test_given_slugs_that_are_paths_are_refused(slug: str, message: str) -> None:
    with pytest.raises(SlugError, match=message):
        check_given_slug(slug)


@pytest.mark.parametrize(("slug", "expected"), [("my-post", "my-post"), ("注意力", "注意力")])
def test_given_slugs_are_kept(slug: str, expected: str) -> None:
    assert check_given_slug(slug) == expected


def test_url_segments_are_percent_encoded_utf8() -> None:
    assert url_segment("注意力") == "%E6%B3%A8%E6%84%8F%E5%8A%9B"
    assert url_segment("a-b_c.d~e") == "a-b_c.d~e"


@given(st.text())
def test_clean_slugs_are_never_paths(text: str) -> None:
    slug = clean_slug(text)
    assert "/" not in slug and "\\" not in slug and "\x00" not in slug
    assert slug not in (".", "..")
    assert not any(unicodedata.category(c) == "Cc" for c in slug)


@pytest.mark.parametrize(
    "text",
    ["." * 100_000 + "a", " " * 100_000 + "a", "-_. " * 30_000 + "b", "a" + "\t" * 100_000],
)
def test_long_runs_of_separators_are_handled_in_one_pass(text: str) -> None:
    assert make_slug(text, "keep") in ("a", "b")


@pytest.mark.parametrize("style", ["keep", "pinyin", "hash"])
def test_derived_slugs_fit_a_file_name(style: str) -> None:
    slug = make_slug("注意力机制 attention " * 40, style)
    assert 0 < len(slug.encode("utf-8")) <= 255
    assert not slug.endswith(("-", "."))


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("长" * 86, "shorten it"),
        ("a\u200bb", "control characters"),
        ("a\u202eb", "control characters"),
        ("..", "only dots"),
        ("a\\b", "slash"),
    ],
)
def test_given_slugs_that_cannot_be_a_file_name(slug: str, message: str) -> None:
    with pytest.raises(SlugError, match=message):
        check_given_slug(slug)
