"""Text preparation for the search index: normalisation and tokens.

Chinese, Japanese and Korean have no spaces between words, and dictionary segmenters disagree
about where words end (Pagefind 1.5 segments the index with one dictionary and the query with
the browser's, so a query for 卷积 misses posts where the indexer saw 卷积神经网络). We do not
segment at all: every CJK character becomes one token position carrying the bigram that starts
there (the last character of a run carries itself alone). A query of n >= 2 CJK characters is
then the chain of its n - 1 bigrams at consecutive positions, so it matches exactly the posts
that contain it as a substring; a single character matches any token that starts with it.
Other scripts are split into words of letters and digits; punctuation only separates.

The browser mirrors every rule here in ``search-engine.js``; the tests compare the two.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable

# Han, kana, Hangul, bopomofo and their marks, as code point ranges (kept in step with
# search-engine.js, which uses the same list).
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),
    (0x3040, 0x309F),  # hiragana
    (0x30A0, 0x30FF),  # katakana (with ー)
    (0x3100, 0x312F),  # bopomofo
    (0x3131, 0x318E),  # Hangul compatibility jamo
    (0x31A0, 0x31FF),  # bopomofo extended, strokes, katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables and jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)

# Words longer than this are cut (base64 blobs and hashes would only bloat the index); the
# browser cuts query words the same way, so they still match.
MAX_WORD = 60

_CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
_TOKEN_RE = re.compile(f"([{_CJK_CLASS}]+)|([^\\W_{_CJK_CLASS}]+)")
_CJK_RE = re.compile(f"[{_CJK_CLASS}]")


def normalize(text: str) -> str:
    """Fold width and case the way the browser does (`normalize('NFKC').toLowerCase()`)."""
    return unicodedata.normalize("NFKC", text).lower()


def is_cjk(char: str) -> bool:
    """True for a character that is indexed by bigrams rather than as part of a word."""
    return _CJK_RE.match(char) is not None


def index_tokens(text: str) -> list[str]:
    """The tokens of `text`, one per position: CJK bigrams (run-final char alone) and words."""
    tokens: list[str] = []
    extend, append = tokens.extend, tokens.append
    for run, word in _TOKEN_RE.findall(normalize(text)):
        if run:
            extend(map(operator.add, run, run[1:]))
            append(run[-1])
        else:
            append(word[:MAX_WORD])
    return tokens


def field_tokens(fields: Iterable[str]) -> tuple[list[str | None], list[int]]:
    """Tokens of several fields in one position space, with an empty position between fields.

    The gap (None) keeps a phrase from matching across a field boundary. Returns the tokens and
    the position where each field starts.
    """
    tokens: list[str | None] = []
    starts: list[int] = []
    for field in fields:
        if tokens:
            tokens.append(None)
        starts.append(len(tokens))
        tokens.extend(index_tokens(field))
    return tokens, starts


def shard_key(token: str) -> str:
    """The part of a token that decides its index file: CJK by first char, words by two.

    A one-character CJK query must find every bigram starting with that character, and a word
    typed so far (two characters or more) every word it begins, so all of those share a key.
    """
    return token[0] if is_cjk(token[0]) else token[:2]


def bucket_of(key: str, buckets: int) -> int:
    """FNV-1a over the code points of `key`, modulo `buckets` (same as the browser's)."""
    h = 0x811C9DC5
    for char in key:
        h = ((h ^ ord(char)) * 0x01000193) & 0xFFFFFFFF
    return h % buckets
