"""Search in a real browser: the index served by http.server, queried through search.js."""

from __future__ import annotations

import random
import re
import sys
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from tests.chromium import CHROMIUM, launch_chromium
from tests.site.search_fixtures import POSTS, _post, containing, fold, serve, write_site
from transmit.site import search
from transmit.site.search_postings import post_span
from transmit.site.search_text import bucket_of, index_tokens, is_cjk, shard_key

BASE = "/notes/"
# The same posts indexed with a segment a post and many small bucket files: every file the
# browser reads joins many sections, each counting positions from its own post.
SEGMENTED = "/segmented/"
STATUS_SET = "document.getElementById('search-status').textContent.trim() !== ''"
# The search for `query` has run and its results are shown (typing may start several).
SETTLED_ON = f"""query => new URLSearchParams(location.search).get('q') === query
    && !document.getElementById('search-results').hasAttribute('aria-busy')
    && ({STATUS_SET})"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as instance:
        yield instance


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("served")
    write_site(root, POSTS, BASE)
    more = [
        _post(
            f"note-{n:02}",
            f"Lab note {n}",
            f"Measurement {n} of the series.",
            "Lab",
            ["lab"],
            f"2022-01-{n:02}",
            language="en",
            base="/more/",
        )
        for n in range(1, 26)
    ]
    write_site(root, more, "/more/")
    english = [
        _post(
            p.url.split("/")[-2], p.title, p.text, p.category, p.tags, p.date, p.language, base="/"
        )
        for p in POSTS
    ]
    write_site(root, english, "/", lang="en", localised=False)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("RUN_POSTS", 1), ("SEGMENT_RUNS", 1), ("BUCKET_BYTES", 300)):
            patch.setattr(search, name, value)
        write_site(root, [_rebased(p, SEGMENTED) for p in POSTS], SEGMENTED)
    with serve(root) as url:
        yield url


def _rebased(record: search.SearchRecord, base: str) -> search.SearchRecord:
    slug = record.url.split("/")[-2]
    fields = (record.title, record.text, record.category, record.tags, record.date)
    return _post(slug, *fields, record.language, base=base)


@pytest.fixture
def page(browser: Browser, origin: str) -> Iterator[Page]:
    context = browser.new_context()
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    tab.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    yield tab
    context.close()
    assert problems == []


def open_search(
    page: Page, origin: str, query: str | None = None, base: str = BASE, extra: str = ""
) -> None:
    address = f"{origin}{base}search/"
    if query is not None:
        address += f"?q={quote(query)}{extra}"
    page.goto(address)
    if query is not None:
        page.wait_for_function(STATUS_SET)
    else:
        page.wait_for_selector("#search-sort", state="attached")


def result_links(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#search-results a.search-result-link", "links => links.map(a => a.getAttribute('href'))"
    )


def search_for(page: Page, query: str) -> None:
    page.fill("#search-input", "")
    page.evaluate("document.getElementById('search-status').textContent = ''")
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")
    page.wait_for_function(STATUS_SET)


QUERIES = [
    "注意力",
    "卷积",
    "梯度",
    "损失函数",
    "AdamW",
    "Transformer",
    "softmax",
    "anchor-free",
    "卷积神经网络",
    "注意力机制",
    "Transformer 注意力",
    "积",
    "的",
    "锚框",
    "目标检测",
    "convolution",
    "adamw",
    "ＡｄａｍＷ",
    "SOFTMAX",
    "自注意力",
    "交叉熵 softmax",
    "Transformer 卷积",
    "不存在的词",
    "tensorflow",
]


@pytest.mark.parametrize("base", [BASE, SEGMENTED])
@pytest.mark.parametrize("query", QUERIES)
def test_each_query_finds_exactly_the_posts_that_contain_it(
    page: Page, origin: str, query: str, base: str
) -> None:
    open_search(page, origin, query, base=base)
    expected = containing([_rebased(p, base) for p in POSTS], query)
    links = result_links(page)
    assert len(links) == len(set(links))
    assert set(links) == expected
    status = page.inner_text("#search-status")
    assert status == (
        f"找到 {len(expected)} 篇" if len(expected) > 1 else "找到 1 篇" if expected else "没有找到"
    )


def test_the_oracle_agrees_with_a_reader() -> None:
    # What the substring oracle above says, written out for the queries of the issue.
    def urls(*slugs: str) -> set[str]:
        return {f"{BASE}posts/{slug}/" for slug in slugs}

    assert containing(POSTS, "卷积") == urls("cnn-intro", "anchors")
    assert containing(POSTS, "注意力") == urls("attention", "positional")
    assert containing(POSTS, "AdamW") == urls("optimizers", "weight-decay", "fullwidth")
    assert containing(POSTS, "anchor-free") == urls("anchors", "fcos")
    assert containing(POSTS, "Transformer 注意力") == urls("attention", "positional")
    assert containing(POSTS, "积") == urls("cnn-intro", "anchors", "integrals", "scroll")
    assert 0 < len(containing(POSTS, "的")) < len(POSTS) - 5


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("卷积", "cnn-intro"),
        ("梯度", "vanishing"),
        ("注意力", "attention"),
        ("AdamW", "optimizers"),
        ("softmax", "softmax-code"),
        ("Transformer", "positional"),
        ("anchor-free", "fcos"),
        ("损失函数", "losses"),
        ("Transformer 注意力", "attention"),
    ],
)
def test_the_most_relevant_post_comes_first(
    page: Page, origin: str, query: str, first: str
) -> None:
    open_search(page, origin, query)
    assert result_links(page)[0] == f"{BASE}posts/{first}/"


@pytest.mark.parametrize("query", ["卷积", "AdamW", "anchor-free", "梯度", "Transformer 注意力"])
def test_snippets_are_the_authors_text_with_the_matches_marked(
    page: Page, origin: str, query: str
) -> None:
    open_search(page, origin, query)
    texts = {r.url: r.text for r in POSTS}
    items = page.eval_on_selector_all(
        "#search-results li",
        """items => items.map(li => ({
            href: li.querySelector('a').getAttribute('href'),
            snippet: li.querySelector('.search-result-snippet').textContent,
            marks: [...li.querySelectorAll('.search-result-snippet mark')].map(m => m.textContent),
            titleMarks: [...li.querySelectorAll('.search-result-title mark')]
                .map(m => m.textContent),
            meta: li.querySelector('.search-result-meta').textContent,
            time: li.querySelector('time').getAttribute('datetime'),
        }))""",
    )
    parts = fold(query).split()
    records = {r.url: r for r in POSTS}
    assert items
    for item in items:
        body = item["snippet"].removeprefix("…").removesuffix("…")
        assert body in texts[item["href"]]
        assert item["marks"] or item["titleMarks"]
        for mark in item["marks"] + item["titleMarks"]:
            assert any(fold(mark).startswith(part) for part in parts), mark
        source = records[item["href"]]
        assert item["time"] == source.date
        assert source.date in item["meta"] and source.category in item["meta"]


def test_the_title_is_highlighted(page: Page, origin: str) -> None:
    open_search(page, origin, "卷积")
    title = page.inner_html("#search-results li:first-child .search-result-title a")
    assert title == "<mark>卷积</mark>神经网络入门"


def test_results_appear_while_typing(page: Page, origin: str) -> None:
    open_search(page, origin)
    page.click("#search-input")
    page.keyboard.type("梯度", delay=40)
    page.wait_for_function(SETTLED_ON, arg="梯度")
    assert set(result_links(page)) == containing(POSTS, "梯度")
    assert "q=%E6%A2%AF%E5%BA%A6" in page.url
    page.keyboard.type(" 爆炸", delay=40)
    page.wait_for_function(SETTLED_ON, arg="梯度 爆炸")
    assert result_links(page) == [f"{BASE}posts/vanishing/"]


def test_keyboard_moves_between_the_box_and_the_results(page: Page, origin: str) -> None:
    open_search(page, origin, "梯度")
    page.focus("#search-input")
    links = result_links(page)
    focused = "() => document.activeElement.getAttribute('href') || document.activeElement.id"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == links[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == links[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == "search-input"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search-category"


def test_results_are_a_list_announced_by_a_live_region(page: Page, origin: str) -> None:
    open_search(page, origin, "softmax")
    snapshot = page.locator("body").aria_snapshot()
    assert "- status: 找到 4 篇" in snapshot
    assert re.search(r"- list:\n(\s+- listitem:[\s\S]*){4}", snapshot)
    assert '- combobox "分类"' in snapshot and '- combobox "标签"' in snapshot
    assert page.get_attribute("#search-status", "aria-live") == "polite"


def wait_idle(page: Page, name: str, value: str) -> None:
    """Wait until the search that put `name=value` in the address has shown its results."""
    page.wait_for_function(
        """([name, value]) => new URLSearchParams(location.search).get(name) === value
            && !document.getElementById('search-results').hasAttribute('aria-busy')""",
        arg=[name, value],
    )


def test_category_and_tag_filter_and_date_sorts(page: Page, origin: str) -> None:
    open_search(page, origin, "的")
    found = containing(POSTS, "的")
    records = {r.url: r for r in POSTS}
    assert set(result_links(page)) == found

    page.select_option("#search-category", "Deep Learning / NLP")
    wait_idle(page, "category", "Deep Learning / NLP")
    nlp = {u for u in found if records[u].category == "Deep Learning / NLP"}
    assert set(result_links(page)) == nlp and len(nlp) == 2

    page.select_option("#search-category", "Deep Learning")  # with its sub-categories
    wait_idle(page, "category", "Deep Learning")
    deep = {u for u in found if records[u].category.startswith("Deep Learning")}
    assert set(result_links(page)) == deep and nlp < deep < found

    page.select_option("#search-category", "")
    page.select_option("#search-tag", "Transformer")
    wait_idle(page, "tag", "Transformer")
    assert set(result_links(page)) == {u for u in found if "Transformer" in records[u].tags}

    page.select_option("#search-tag", "")
    for order, newest_first in (("newest", True), ("oldest", False)):
        page.select_option("#search-sort", order)
        wait_idle(page, "sort", order)
        dates = page.eval_on_selector_all(
            "#search-results time", "ts => ts.map(t => t.getAttribute('datetime'))"
        )
        assert len(dates) == len(found)
        assert dates == sorted(dates, reverse=newest_first)


def test_filters_come_back_from_the_address(page: Page, origin: str) -> None:
    open_search(page, origin, "", extra="&tag=Transformer")
    assert set(result_links(page)) == {f"{BASE}posts/attention/", f"{BASE}posts/positional/"}
    assert page.input_value("#search-tag") == "Transformer"


def test_more_results_load_on_request(page: Page, origin: str) -> None:
    open_search(page, origin, "measurement", base="/more/")
    assert page.inner_text("#search-status") == "找到 25 篇"
    assert len(result_links(page)) == 10
    page.click("button.search-more")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 20")
    assert page.evaluate("document.activeElement.getAttribute('href')") == result_links(page)[10]
    page.click("button.search-more")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 25")
    assert page.is_hidden("button.search-more")
    assert len(set(result_links(page))) == 25


def test_a_site_at_the_root_with_english_strings(page: Page, origin: str) -> None:
    open_search(page, origin, "softmax", base="/")
    assert page.inner_text("#search-status") == "4 results"
    assert all(link.startswith("/posts/") for link in result_links(page))
    assert "Category" in page.inner_text("form")
    search_for(page, "卷积神经网络")
    assert page.inner_text("#search-status") == "1 result"
    search_for(page, "nothing-here")
    assert page.inner_text("#search-status") == "Nothing found for “nothing-here”"


def test_english_posts_are_found_from_a_chinese_page(page: Page, origin: str) -> None:
    open_search(page, origin, "attention")
    links = result_links(page)
    assert f"{BASE}posts/attention-en/" in links
    item = page.locator(
        "#search-results li", has=page.locator(f"a[href='{BASE}posts/attention-en/']")
    )
    assert item.get_attribute("lang") == "en"


def _sample_texts() -> list[str]:
    rng = random.Random(20260111)
    alphabet = [
        *"卷积神经网络注意力的是梯度损失函数 ，。、AdamWanchor-free_1.5e-5ＡＢ①ｱｶﾞ한국어",
        *"Ωλπ🙂\u0301\u200b\t\n'\"()[]",
        *["𠀀", "ﬁ", "㎏", "ß", "İ"],
    ]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(300)]
    texts += [r.title for r in POSTS] + [r.text for r in POSTS]
    return texts


def test_the_browser_tokenises_like_the_indexer(page: Page, origin: str) -> None:
    open_search(page, origin)
    texts = _sample_texts()
    keys = ["ad", "tr", "卷", "积", "a", "𠀀", "ελ", "1"]
    browser_side = page.evaluate(
        """async ([texts, keys, url]) => {
            const engine = await import(url);
            return {
                tokens: texts.map((t) => engine.indexTokens(t)),
                spans: texts.map((t) => engine.spanTokens(t).map((s) => s.t)),
                keys: texts.flatMap((t) => engine.indexTokens(t)).map((t) => engine.shardKey(t)),
                buckets: keys.map((k) => [1, 7, 1000].map((n) => engine.bucketOf(k, n))),
            };
        }""",
        [texts, keys, f"{BASE}assets/search-engine.js"],
    )
    assert browser_side["tokens"] == [index_tokens(t) for t in texts]
    # Per-code-point normalisation (for highlight offsets) differs only where NFKC composes.
    for text, spans in zip(texts, browser_side["spans"], strict=True):
        if unicodedata.normalize("NFKC", text) == "".join(
            unicodedata.normalize("NFKC", c) for c in text
        ):
            assert spans == index_tokens(text), text
    assert browser_side["keys"] == [shard_key(t) for text in texts for t in index_tokens(text)]
    assert browser_side["buckets"] == [[bucket_of(k, n) for n in (1, 7, 1000)] for k in keys]


def test_the_browser_reserves_each_post_the_indexers_span(page: Page, origin: str) -> None:
    open_search(page, origin)
    lengths = [*range(0, 300), *(2**k + d for k in range(8, 31) for d in (-1, 0, 1)), 123_456]
    spans = page.evaluate(
        """async ([url, lengths]) => {
            const engine = await import(url);
            return lengths.map((length) => engine.postSpan(length));
        }""",
        [f"{BASE}assets/search-engine.js", lengths],
    )
    assert spans == [post_span(length) for length in lengths]


def test_the_browser_classifies_characters_like_the_indexer(page: Page, origin: str) -> None:
    open_search(page, origin)
    classes = page.evaluate(
        """async (url) => {
            const engine = await import(url);
            const word = /^[\\p{L}\\p{N}]$/u;
            let out = "";
            for (let cp = 0; cp <= 0x3ffff; cp += 1) {
                if (cp >= 0xd800 && cp <= 0xdfff) { out += "-"; continue; }
                const ch = String.fromCodePoint(cp);
                out += engine.isCJK(ch) ? "c" : word.test(ch) ? "w" : "-";
            }
            return out;
        }""",
        f"{BASE}assets/search-engine.js",
    )
    word = re.compile(r"[^\W_]")
    differences = []
    for cp in range(0x40000):
        char = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or unicodedata.category(char) == "Cn":
            continue  # surrogates, and characters newer than Python's Unicode tables
        python = "c" if is_cjk(char) else "w" if word.match(char) else "-"
        if python != classes[cp]:
            differences.append(f"U+{cp:04X} {unicodedata.category(char)} {python}/{classes[cp]}")
    print(sys.version, differences[:20])
    assert differences == []


def test_an_input_method_composing_does_not_search_until_it_commits(
    page: Page, origin: str
) -> None:
    open_search(page, origin)
    page.evaluate(
        """() => {
            const input = document.getElementById('search-input');
            input.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));
            input.value = 'juan ji';
            input.dispatchEvent(new InputEvent('input', {data: 'juan ji', isComposing: true}));
        }"""
    )
    page.wait_for_timeout(500)
    assert page.inner_text("#search-status") == ""
    assert "q=" not in page.url
    page.evaluate(
        """() => {
            const input = document.getElementById('search-input');
            input.value = '卷积';
            input.dispatchEvent(new CompositionEvent('compositionend', {data: '卷积'}));
        }"""
    )
    page.wait_for_function(STATUS_SET)
    assert set(result_links(page)) == containing(POSTS, "卷积")


SNIPPET_TEXTS = [
    ("alpha beta gamma " * 30 + "The AdamW optimizer decouples weight decay. " + "delta " * 30, ""),
    (
        "这是一段很长的中文。" * 20
        + "我们用 AdamW 训练模型，效果不错。"
        + "后面还有很多内容。" * 20,
        "我们",
    ),
    ("One sentence ends here. " * 10 + "Then AdamW comes. " + "more " * 60, "Then AdamW"),
    ("🙂" * 150 + "AdamW" + "🙂" * 150, ""),
    ("AdamW at the very start, " + "filler " * 60, "AdamW"),
    ("short AdamW", "short"),
]


@pytest.mark.parametrize(("text", "opening"), SNIPPET_TEXTS)
def test_snippets_cut_the_text_cleanly(page: Page, origin: str, text: str, opening: str) -> None:
    open_search(page, origin)
    pieces = page.evaluate(
        """async ([text, engineUrl, snippetUrl]) => {
            const engine = await import(engineUrl);
            const { snippet } = await import(snippetUrl);
            return snippet(text, engine.parseQuery('adamw'));
        }""",
        [text, f"{BASE}assets/search-engine.js", f"{BASE}assets/search-snippet.js"],
    )
    inner = [p for p in pieces if not p.get("cut")]
    shown = "".join(p["text"] for p in inner)
    assert [p["text"] for p in inner if p["mark"]] == ["AdamW"]
    start = text.index(shown)
    end = start + len(shown)
    assert bool(pieces[0].get("cut")) == (start > 0)
    assert bool(pieces[-1].get("cut")) == (end < len(text))
    assert len(shown) <= 200
    for at in (start, end):
        inside_word = all(c.isalnum() and not is_cjk(c) for c in text[at - 1 : at + 1])
        assert not (0 < at < len(text) and inside_word)
        assert not (0 < at < len(text) and "\ud800" <= text[at] <= "\udfff")
    assert shown.startswith(opening)


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ('"weight decay"', {"weight-decay"}),
        ('"decay weight"', set()),
        ("decay weight", {"weight-decay"}),
        ("“注意力 机制”", {"attention"}),
        ('"卷积 神经网络" CNN', {"cnn-intro"}),
        ('"anchor free', {"anchors", "fcos"}),
    ],
)
def test_a_quoted_phrase_is_one_term(page: Page, origin: str, query: str, slugs: set[str]) -> None:
    open_search(page, origin, query)
    assert set(result_links(page)) == {f"{BASE}posts/{slug}/" for slug in slugs}


def test_no_wcag_a_or_aa_violations_with_results_and_filters(page: Page, origin: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    open_search(page, origin, "卷积")
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    assert result.violations_count == 0, result.generate_report()
