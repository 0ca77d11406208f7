"""Page metadata: descriptions, JSON that is safe inside <script>, a post's JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.site.records import make_entry
from transmit.config import parse_config
from transmit.render.description import shorten
from transmit.site.metadata import post_meta, script_json


@given(
    st.recursive(
        st.text() | st.integers() | st.none(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_script_json_round_trips_and_cannot_end_the_script(value: object) -> None:
    text = script_json(value)
    assert json.loads(text) == value
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in text


def test_shorten_keeps_short_text_and_cuts_english_at_a_word() -> None:
    assert shorten("  a   b\nc ") == "a b c"
    long = "word " * 50
    cut = shorten(long, 23)
    assert cut == "word word word word…"
    chinese = "注意力机制" * 50
    assert shorten(chinese, 10) == "注意力机制注意力机…"


def test_post_json_ld_describes_the_post() -> None:
    config = parse_config(
        'title = "Site"\nbase_url = "https://x.org/"\nauthor = "Ada"\ntimezone = "Asia/Shanghai"\n',
        Path("site.toml"),
        Path("."),
    )
    entry = make_entry(
        "a",
        "2026-01-02 03:04",
        title="</script><b>",
        tags=("t",),
        updated="2026-02-01",
        cover="cover.png",
        excerpt_html="<p>Lead &amp; more</p>",
    )
    meta = post_meta(config, entry, "ML / CNN")
    assert meta.description == "Lead & more"
    assert meta.image == "https://x.org/posts/a/cover.png"
    assert meta.json_ld is not None and "</script>" not in meta.json_ld
    data = json.loads(meta.json_ld)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "</script><b>"
    assert data["datePublished"] == "2026-01-02T03:04:00+08:00"
    assert data["dateModified"] == "2026-02-01T00:00:00+08:00"
    assert data["author"] == {"@type": "Person", "name": "Ada"}
    assert data["url"] == "https://x.org/posts/a/"
    assert data["keywords"] == ["t"] and data["articleSection"] == "ML / CNN"
