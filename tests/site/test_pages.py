"""The pages a reader sees, read from a built sample site."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import SiteMaker
from tests.site.built import NOW, build_sample, hrefs, json_ld, meta_content, read
from transmit.build.pipeline import BuildFailed, BuildOptions, build_site


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("pages") / "site", per_page=2)


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="[^"]*">([^<]*)</a></h2>', html)


def enc(path: str) -> str:
    return "/" + quote(path)


def test_home_has_the_signal_header_and_sticky_posts_first(out: Path) -> None:
    home = read(out, "")
    assert "INCOMING TRANSMISSION" in home and "LATEST UPDATES" in home
    assert titles(home) == [
        "Welcome &lt;transmission&gt; &amp; &#34;quotes&#34;",
        "Softmax 与交叉熵 Softmax and Cross-Entropy",
    ]
    assert 'class="badge"' in home
    second = read(out, "page/2/")
    assert "INCOMING TRANSMISSION" not in second and "LATEST UPDATES" in second
    assert titles(second) == ["注意力机制 Attention", "AdamW and decoupled weight decay"]


def test_pagination_marks_the_current_page_and_links_both_ways(out: Path) -> None:
    page = read(out, "page/3/")
    nav = hrefs(page, 'class="pagination"')
    assert nav[0] == "/page/2/" and nav[-1] == "/page/4/"
    assert 'href="/page/3/" aria-current="page"' in page
    assert 'rel="prev" href="/page/2/"' in page and 'rel="next" href="/page/4/"' in page
    assert "…" not in page  # 7 pages: 1 2 3 4 5 6 7 (a gap of one page shows the page)
    assert re.findall(r'aria-label="第 (\d) 页"', read(out, "")) == ["1", "2", "3", "7"]
    last = read(out, "page/7/")
    assert 'rel="next"' not in last
    assert titles(last) == ["Kitchen sink 样式总览", "2024 年的笔记 Notes from 2024"]
    assert not (out / "page/8").exists()


def test_listing_items_show_category_date_and_excerpt(out: Path) -> None:
    home = read(out, "")
    item = home[home.index("Softmax 与交叉熵") - 600 :]
    assert (
        f'<a class="category" href="{enc("categories/深度学习/基础/")}">深度学习 / 基础</a>' in item
    )
    assert '<time datetime="2026-03-01T20:15:00+08:00">2026-03-01</time>' in item
    assert 'class="excerpt prose"' in item and "<math" in item
    assert "numerical stability" not in item  # the excerpt stops at <!-- more -->


def test_a_post_page_has_everything_around_the_text(out: Path) -> None:
    html = read(out, "posts/softmax/")
    crumbs = hrefs(html, 'class="breadcrumbs"')
    assert crumbs == ["/", enc("categories/深度学习/"), enc("categories/深度学习/基础/")]
    assert "<h1>Softmax 与交叉熵 Softmax and Cross-Entropy</h1>" in html
    assert '<time datetime="2026-03-01T20:15:00+08:00">2026-03-01</time>' in html
    assert "更新于 <time" in html and "约 1 分钟" in html
    assert hrefs(html, 'class="tag-list"') == [
        enc("tags/softmax/"),
        enc("tags/损失函数/"),
        enc("tags/math/"),
    ]
    toc = hrefs(html, 'class="toc"')
    assert toc == ["#定义-definition", "#推导", "#代码-code"]
    assert 'class="footnotes"' in html
    assert '<pre class="highlight" tabindex="0">' in html
    assert 'class="table-scroll" tabindex="0"' in html
    nav = hrefs(html, 'class="post-nav"')
    assert nav == ["/posts/attention/"]  # the newest post has no next
    related = hrefs(html, 'class="related"')
    assert 1 <= len(related) <= 5 and related[0] == "/posts/attention/"
    assert 'href="#top"' in html and 'id="top"' in html


def test_previous_and_next_follow_time(out: Path) -> None:
    nav = hrefs(read(out, "posts/adamw/"), 'class="post-nav"')
    assert nav == ["/posts/sgd/", "/posts/attention/"]


def test_a_post_without_toc_or_category_has_neither(out: Path) -> None:
    html = read(out, "posts/attention/")
    assert 'class="toc"' not in html  # one heading, and the site does not ask for contents
    assert 'class="breadcrumbs"' in html


def test_every_page_describes_itself(out: Path) -> None:
    for path in (
        "",
        "page/2/",
        "posts/softmax/",
        "about/",
        "categories/",
        "tags/",
        "archives/",
        "search/",
    ):
        html = read(out, path)
        assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">'), path
        assert re.search(r"<title>[^<]+</title>", html), path
        assert meta_content(html, "description"), path
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)
        assert canonical and canonical.group(1) == "https://example.org" + (
            enc(path) if path else "/"
        ), path
        for key in (
            "og:type",
            "og:title",
            "og:description",
            "og:url",
            "twitter:card",
            "twitter:title",
        ):
            assert meta_content(html, key), (path, key)
    post = read(out, "posts/yolo/")
    assert meta_content(post, "og:type") == "article"
    assert meta_content(post, "og:image") == "https://example.org/posts/yolo/cover.png"
    assert meta_content(post, "twitter:card") == "summary_large_image"
    assert json_ld(post)["headline"] == "anchor-free 检测器 YOLOX"
    assert 'name="robots" content="noindex"' in read(out, "404.html")


def test_front_matter_is_escaped_wherever_it_lands(out: Path) -> None:
    html = read(out, "posts/welcome/")
    assert "<transmission>" not in html
    assert "<h1>Welcome &lt;transmission&gt; &amp; &#34;quotes&#34;</h1>" in html
    assert meta_content(html, "og:title") == 'Welcome <transmission> & "quotes"'
    # the summary as written, on one line
    assert meta_content(html, "description") == "A pinned note with *emphasis* & an separator"
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert script and not re.search("[<>&\u2028\u2029]", script.group(1))
    data = json_ld(html)
    assert data["headline"] == 'Welcome <transmission> & "quotes"'
    assert data["keywords"] == ["PyTorch", "meta", "line\u2028sep</script>"]


def test_categories_page_is_a_tree_with_counts(out: Path) -> None:
    html = read(out, "categories/")
    tree = html[html.index('class="category-tree"') :]
    names = re.findall(r'<a href="[^"]+">([^<]+)</a> <span class="tree-count">(\d+)</span>', tree)
    assert names[:4] == [
        ("Algorithms", "3"),
        ("Graphs", "2"),
        ("Computer Vision", "4"),
        ("Detection", "2"),
    ]
    assert ("深度学习", "4") in names and ("优化", "2") in names
    assert tree.index(">深度学习<") < tree.index(">Transformer<")


def test_a_parent_category_lists_its_childrens_posts_paginated(out: Path) -> None:
    html = read(out, "categories/深度学习/")
    assert titles(html) == ["Softmax 与交叉熵 Softmax and Cross-Entropy", "注意力机制 Attention"]
    assert titles(read(out, "categories/深度学习/page/2/")) == [
        "AdamW and decoupled weight decay",
        "SGD with momentum",
    ]
    children = hrefs(html, 'class="subcategories"')
    assert children == [
        enc("categories/深度学习/Transformer/"),
        enc("categories/深度学习/优化/"),
        enc("categories/深度学习/基础/"),
    ]
    crumbs = hrefs(read(out, "categories/深度学习/优化/"), 'class="breadcrumbs"')
    assert crumbs == [
        "/",
        "/categories/",
        enc("categories/深度学习/"),
        enc("categories/深度学习/优化/"),
    ]
    assert (
        '<link rel="alternate" type="application/atom+xml" title="深度学习 的 Atom 订阅" '
        f'href="{enc("categories/深度学习/atom.xml")}">' in html
    )


def test_tags_page_and_tag_listings(out: Path) -> None:
    html = read(out, "tags/")
    counts = dict(re.findall(r'</span>([^<]+) <span class="chip-count">(\d+)</span>', html))
    assert counts["优化器"] == "2" and counts["math"] == "2" and counts["PyTorch"] == "2"
    assert counts["C"] == "1" and counts["C++"] == "2"
    cpp = re.search(
        r'<a href="(/tags/C-[0-9a-f]{6}/)" rel="tag">'
        r'<span class="tag-hash" aria-hidden="true">#</span>C\+\+',
        html,
    )
    assert cpp is not None
    assert titles(read(out, cpp.group(1).strip("/") + "/")) == [
        "AdamW and decoupled weight decay",
        "Hash maps in C++",
    ]
    assert titles(read(out, "tags/meta/")) == [
        "Welcome &lt;transmission&gt; &amp; &#34;quotes&#34;",
        "Kitchen sink 样式总览",
    ]
    assert titles(read(out, "tags/meta/page/2/")) == ["2024 年的笔记 Notes from 2024"]


def test_archives_by_year_and_month(out: Path) -> None:
    html = read(out, "archives/")
    assert re.findall(r'<h2 id="y(\d+)">', html) == ["2026", "2025", "2024"]
    assert re.findall(r'<h3 id="m(\d+-\d+)">', html)[:3] == ["2026-03", "2026-02", "2026-01"]
    assert "共 14 篇文章" in html
    assert html.count("<li><time") == 14


def test_search_page_has_the_form_the_search_script_fills(out: Path) -> None:
    html = read(out, "search/")
    assert '<form class="search-form" role="search" action="/search/" method="get"' in html
    assert '<label for="search-input">' in html
    assert '<input id="search-input" name="q" type="search"' in html
    assert '<p id="search-status" role="status" aria-live="polite"></p>' in html
    assert '<ol id="search-results"></ol>' in html
    assert (
        'data-i18n-none="没有找到与“{q}”相关的文章"' in html
        and 'data-i18n-count="找到 {n} 篇"' in html
    )
    assert '<script type="module" src="/assets/search.js"></script>' in html
    assert '<meta name="transmit-base" content="/">' in html
    assert "search.js" not in read(out, "") and "search.js" not in read(out, "posts/softmax/")


def test_without_search_there_is_no_search_page(tmp_path: Path) -> None:
    out = build_sample(tmp_path / "site", search=False)
    assert not (out / "search").exists()
    assert "/search/" not in read(out, "")


def test_english_sites_get_english_strings_but_keep_the_signature(tmp_path: Path) -> None:
    out = build_sample(tmp_path / "site", language="en")
    home = read(out, "")
    assert (
        '<html lang="en">' in home and "LATEST UPDATES" in home and "INCOMING TRANSMISSION" in home
    )
    assert ">Categories</a>" in home and ">Skip to content</a>" in home
    assert "Contents" in read(out, "posts/softmax/")
    assert "March" in read(out, "archives/")


def test_pinyin_style_gives_ascii_taxonomy_addresses(tmp_path: Path) -> None:
    out = build_sample(tmp_path / "site", slug_style="pinyin")
    assert (out / "categories/shen-du-xue-xi/you-hua/index.html").is_file()
    assert (out / "tags/zhu-yi-li-ji-zhi/atom.xml").is_file()
    assert "深度学习" in read(out, "categories/shen-du-xue-xi/")


def test_builds_are_byte_identical_whenever_they_run(tmp_path: Path) -> None:
    first = build_sample(tmp_path / "a")
    second = tmp_path / "b"
    build_sample(second)  # same sources
    build_site(second, BuildOptions(now=NOW.replace(year=2030), jobs=1))
    one = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    two = {
        p.relative_to(second / "public"): p.read_bytes()
        for p in (second / "public").rglob("*")
        if p.is_file()
    }
    assert one == two


@pytest.mark.parametrize("slug", ["tags", "search", "Categories", "page", "archives"])
def test_a_page_may_not_take_an_address_of_the_site(make_site: SiteMaker, slug: str) -> None:
    site = make_site({f"content/pages/{slug}.md": "---\ntitle: X\n---\nx\n"})
    with pytest.raises(BuildFailed) as caught:
        build_site(site, BuildOptions(now=NOW))
    (error,) = caught.value.errors
    assert f"content/pages/{slug}.md" in str(error) and "slug" in str(error)


def test_a_site_overrides_one_partial(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nx\n",
            "templates/partials/footer.html": "<footer>MY FOOTER {{ site.title }}</footer>",
        }
    )
    build_site(site, BuildOptions(now=NOW))
    for path in ("index.html", "posts/a/index.html", "404.html"):
        html = (site / "public" / path).read_text(encoding="utf-8")
        assert "<footer>MY FOOTER Test Notes</footer>" in html
        assert "<h1>A</h1>" in html or path != "posts/a/index.html"
