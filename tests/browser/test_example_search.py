"""Search on the bundled example site, queried in Chromium: every post that contains a term is
found, the one where it matters most first, and nothing else."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.conftest import EXAMPLE, Served
from tests.site.built import NOW
from tests.site.search_fixtures import containing
from transmit.build.pipeline import render_options
from transmit.config import load_config
from transmit.content.loader import load_site
from transmit.render.document import render_post
from transmit.site.entry import Entry
from transmit.site.search import SearchRecord
from transmit.site.search_records import search_records

pytestmark = pytest.mark.browser

TERMS = ["注意力", "卷积", "梯度", "损失函数", "AdamW", "Transformer", "softmax", "anchor-free"]
STATUS_SET = "document.getElementById('search-status').textContent.trim() !== ''"


@pytest.fixture(scope="module")
def records() -> list[SearchRecord]:
    """What the build indexes for the example served at /example/ (drafts left out)."""
    config = dataclasses.replace(load_config(EXAMPLE), base_url="/example/")
    options = render_options(config)
    posts = [p for p in load_site(config).posts if not p.draft and p.date <= NOW]
    return search_records(config, [Entry(p, render_post(p, options)) for p in posts])


def run_query(page: Any, served: Served, query: str) -> list[str]:
    page.goto(served.url("example", f"search/?q={quote(query)}"))
    page.wait_for_function(STATUS_SET)
    return page.eval_on_selector_all(
        "#search-results a.search-result-link", "links => links.map(a => a.getAttribute('href'))"
    )


@pytest.mark.parametrize("term", TERMS)
def test_every_post_containing_the_term_is_found(
    page: Any, served: Served, console: Any, records: list[SearchRecord], term: str
) -> None:
    expected = containing(records, term)
    assert expected, f"the example site should contain {term}"
    assert len(expected) < len(records), f"{term} should be missing from some posts"
    found = run_query(page, served, term)
    assert set(found) == expected
    assert console.errors == []


@pytest.mark.parametrize("term", ["AdamW", "softmax", "Transformer", "注意力", "梯度"])
def test_a_post_about_the_term_comes_first(
    page: Any, served: Served, records: list[SearchRecord], term: str
) -> None:
    """Where some post names the term in its title or tags, such a post leads."""
    about = {r.url for r in records if term.lower() in (r.title + " ".join(r.tags)).lower()}
    assert about
    assert run_query(page, served, term)[0] in about


def test_a_mixed_query_needs_both_words(
    page: Any, served: Served, records: list[SearchRecord]
) -> None:
    found = run_query(page, served, "Transformer 注意力")
    assert set(found) == containing(records, "Transformer 注意力")
    assert found


def test_a_draft_is_never_found(page: Any, served: Served) -> None:
    assert run_query(page, served, "知识蒸馏") == []


def test_a_single_common_character_does_not_match_everything(
    page: Any, served: Served, records: list[SearchRecord]
) -> None:
    found = run_query(page, served, "积")
    assert set(found) == containing(records, "积")
    assert len(found) < len(records)
