"""Bytes of a source file to text: UTF-8 as the product promises, and a clear word about
everything else (files saved as GBK on Windows, UTF-16 from Notepad, images renamed `.md`)."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from transmit.errors import SourceError

_SNIFF = 8192
# Files that are certainly not text, by their first bytes.
_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",  # zip, docx, xlsx
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"\x7fELF",
    b"RIFF",
    b"\x00\x00\x01\x00",  # ico
    b"SQLite format 3",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Byte controls that text files do not contain (tab, LF, FF, CR and ESC are left out).
_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13, 27}
# Every other byte, deleted by bytes.translate: what is left are the controls (C speed, where a
# Python loop over 8 KiB per file cost half a millisecond).
_NOT_CONTROL = bytes(byte for byte in range(256) if byte not in _CONTROL_BYTES)
# Legacy encodings a notes folder meets, most likely first, with how to name them to iconv.
# GB18030 decodes most Big5 as well: Simplified Chinese notes are the common case, so it leads.
_LEGACY = (
    ("gb18030", "GBK/GB18030", "GB18030"),
    ("big5", "Big5", "BIG5"),
    ("shift_jis", "Shift_JIS", "SHIFT_JIS"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """The text of a file, and the encoding it was read with when that was not UTF-8."""

    text: str
    encoding: str = "utf-8"

    @property
    def warning(self) -> str | None:
        if self.encoding == "utf-8":
            return None
        name = self.encoding.upper()
        return (
            f"is saved as {name}, not UTF-8; read as {name}, but convert it with: "
            f"iconv -f {name} -t UTF-8"
        )


def is_binary(raw: bytes) -> bool:
    """Images, archives and other binaries renamed or saved as `.md`."""
    head = raw[:_SNIFF]
    if head.startswith(_MAGIC):
        return True
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    # a stray NUL pasted into a note does not make it binary; many NULs or controls do
    nuls = head.count(0)
    if nuls > 1 and nuls * 100 > len(head):
        return True
    controls = len(head.translate(None, _NOT_CONTROL))
    return controls * 10 > len(head)


def _mostly_cjk(text: str) -> bool:
    wide = [char for char in text if ord(char) > 0x7F]
    if not wide:
        return False
    cjk = sum(1 for char in wide if unicodedata.east_asian_width(char) in ("W", "F"))
    return cjk >= 0.8 * len(wide)


def guess_encoding(raw: bytes) -> tuple[str, str] | None:
    """(name for people, name for iconv) of the legacy encoding `raw` most likely uses."""
    try:  # Japanese text has kana, which GB18030 would read as Chinese noise
        text = raw.decode("shift_jis")
        wide = [char for char in text if ord(char) > 0x7F]
        if wide and sum("\u3040" <= char <= "\u30ff" for char in wide) >= 0.2 * len(wide):
            return "Shift_JIS", "SHIFT_JIS"
    except UnicodeDecodeError:
        pass
    for codec, label, iconv in _LEGACY:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if _mostly_cjk(text):
            return label, iconv
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    wide = [char for char in text if ord(char) > 0x7F]
    if wide and sum(char.isalpha() for char in wide) >= 0.8 * len(wide):
        return "Windows-1252 (Western European)", "CP1252"
    return None


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(raw: bytes, path: Path | str, fallback: str = "utf-8") -> Decoded:
    """Bytes of a text file as text with LF line ends; SourceError for anything not UTF-8
    (unless `fallback`, the site's `encoding`, reads it), naming the encoding to convert from."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(_lines(raw.decode(codec)), codec)
            except UnicodeDecodeError:
                break
    try:
        return Decoded(_lines(raw.decode("utf-8-sig")))
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
    if codecs.lookup(fallback).name != "utf-8":
        try:
            return Decoded(_lines(raw.decode(fallback)), codecs.lookup(fallback).name)
        except UnicodeDecodeError:
            pass
    guess = guess_encoding(raw)
    if guess is None:
        hint = "save it as UTF-8"
    else:
        label, iconv = guess
        hint = (
            f"it looks like {label}; convert it with: iconv -f {iconv} -t UTF-8, "
            f'or set encoding = "{iconv.lower()}" in site.toml'
        )
    tried = "" if codecs.lookup(fallback).name == "utf-8" else f" nor {fallback}"
    raise SourceError(path, line, f"not UTF-8{tried} text; {hint}")
