from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from transmit.content.decode import decode_text, guess_encoding, is_binary
from transmit.errors import SourceError

PATH = Path("content/posts/a.md")


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"GIF89a",
        b"%PDF-1.7\n",
        b"PK\x03\x04",
        b"\x7fELF\x02\x01",
        b"\x00\x00\x00\x00 header and text",
        bytes(range(1, 9)) * 20,
        "utf-16 without a BOM".encode("utf-16-le"),
    ],
)
def test_binaries_are_recognised(raw: bytes) -> None:
    assert is_binary(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"# Title\n\ntext\n",
        "中文 text".encode(),
        "中文".encode("gbk"),
        b"one stray \x00 NUL in a long enough line of text",
        b"\x1b[31mcoloured terminal output\x1b[0m pasted\n",
        codecs.BOM_UTF16_LE + "text".encode("utf-16-le"),
        b"tabs\tand\x0cform feeds\r\n",
    ],
)
def test_text_is_not_binary(raw: bytes) -> None:
    assert not is_binary(raw)


@pytest.mark.parametrize(
    ("raw", "text", "encoding"),
    [
        (b"plain\n", "plain\n", "utf-8"),
        (codecs.BOM_UTF8 + b"bom\r\nline\r", "bom\nline\n", "utf-8"),
        (codecs.BOM_UTF16_LE + "小\r\n".encode("utf-16-le"), "小\n", "utf-16"),
        (codecs.BOM_UTF16_BE + "小".encode("utf-16-be"), "小", "utf-16"),
        ("𠀀".encode("utf-32"), "𠀀", "utf-32"),
    ],
)
def test_unicode_is_read_exactly(raw: bytes, text: str, encoding: str) -> None:
    decoded = decode_text(raw, PATH)
    assert (decoded.text, decoded.encoding) == (text, encoding)
    assert (decoded.warning is None) == (encoding == "utf-8")


@pytest.mark.parametrize(
    ("text", "codec", "iconv"),
    [
        ("---\ntitle: 卷积神经网络\n---\n正文内容", "gbk", "GB18030"),
        ("---\ntitle: 𠀀𠀁\n---\n正文", "gb18030", "GB18030"),
        ("---\ntitle: Café crème\n---\nnaïve façade", "cp1252", "CP1252"),
    ],
)
def test_legacy_text_names_the_encoding_and_the_line(text: str, codec: str, iconv: str) -> None:
    with pytest.raises(SourceError) as caught:
        decode_text(text.encode(codec), PATH)
    assert caught.value.line == 2
    assert f"iconv -f {iconv} -t UTF-8" in str(caught.value)
    assert f'encoding = "{iconv.lower()}"' in str(caught.value)


def test_unknown_bytes_ask_for_utf8() -> None:
    with pytest.raises(SourceError, match="not UTF-8 text; save it as UTF-8"):
        decode_text(b"ok\n\x81\x81\x81\x81\xff\xfe\xfd", PATH)


def test_the_site_encoding_is_a_fallback_with_a_warning() -> None:
    decoded = decode_text("标题".encode("gb18030"), PATH, "gb18030")
    assert decoded.text == "标题" and decoded.encoding == "gb18030"
    assert decoded.warning is not None and "iconv -f GB18030 -t UTF-8" in decoded.warning
    assert decode_text("标题".encode(), PATH, "gb18030").encoding == "utf-8"


def test_a_fallback_that_fails_too_says_so() -> None:
    with pytest.raises(SourceError, match="not UTF-8 nor shift_jis text"):
        decode_text(b"\x80\xff\xfe", PATH, "shift_jis")


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        (b"\x81\x8d\x8f\x90\x9d", None),
        (b"\x00\xff\x9d", None),
        ("繁體中文".encode("big5"), "GBK/GB18030"),  # indistinguishable; the common case wins
        ("こんにちは、世界".encode("shift_jis"), "Shift_JIS"),
        ("Grüße aus Köln".encode("cp1252"), "Windows-1252 (Western European)"),
    ],
)
def test_guesses(raw: bytes, label: str | None) -> None:
    guess = guess_encoding(raw)
    assert (guess[0] if guess else None) == label
