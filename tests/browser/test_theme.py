"""The theme in a real browser: pages load cleanly, navigation leads where it says, the theme
toggle persists, the keyboard reaches every link with visible focus, axe finds nothing serious,
and the layout holds from 390 px to 1280 px (screenshots go to a temporary folder)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Console, Served

pytestmark = pytest.mark.browser

PAGES = {
    "home": "",
    "post": "posts/softmax/",
    "category": "categories/%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0/",
    "tags": "tags/",
    "tag": "tags/math/",
    "archives": "archives/",
    "about": "about/",
    "kitchen": "posts/kitchen-sink/",
    "404": "404.html",
    "search": "search/?q=softmax",
}


def sites(served: Served) -> list[str]:
    return list(served.bases)


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_load_without_console_errors(
    page: Any, console: Console, served: Served, name: str
) -> None:
    response = page.goto(served.url("sample", PAGES[name]))
    assert response is not None and response.ok
    page.wait_for_load_state("load")
    assert page.locator("h1").count() == 1
    assert console.errors == []


def test_example_site_pages_load_without_console_errors(
    page: Any, console: Console, served: Served
) -> None:
    if "example" not in served.bases:
        pytest.skip("no example site in this checkout")
    page.goto(served.url("example"))
    links = page.eval_on_selector_all(
        "main a[href]", "links => [...new Set(links.map(a => a.href))].slice(0, 12)"
    )
    for url in [served.url("example"), *links, served.url("example", "404.html")]:
        response = page.goto(url)
        assert response is not None and response.ok, url
    assert console.errors == []


def test_pagination_leads_where_it_says(page: Any, served: Served) -> None:
    page.goto(served.url("sample"))
    pagination = page.get_by_role("navigation", name="分页")
    assert pagination.locator('[aria-current="page"]').inner_text() == "1"
    pagination.get_by_role("link", name="第 2 页").click()
    page.wait_for_url(served.url("sample", "page/2/"))
    assert (
        page.get_by_role("navigation", name="分页").locator('[aria-current="page"]').inner_text()
        == "2"
    )
    page.get_by_role("navigation", name="分页").locator('a[rel="next"]').click()
    page.wait_for_url(served.url("sample", "page/3/"))
    page.get_by_role("navigation", name="分页").locator('a[rel="prev"]').click()
    page.wait_for_url(served.url("sample", "page/2/"))
    first_title = page.locator(".post-item h2 a").first
    title = first_title.inner_text()
    first_title.click()
    assert page.locator("h1").inner_text() == title


def test_breadcrumbs_lead_to_the_categories_they_name(page: Any, served: Served) -> None:
    post = served.url("sample", PAGES["post"])
    page.goto(post)
    crumbs = page.get_by_role("navigation", name="面包屑导航").get_by_role("link")
    labels = crumbs.all_inner_texts()
    assert labels == ["首页", "深度学习", "基础"]
    for index, label in enumerate(labels[1:], start=1):
        page.goto(post)
        page.get_by_role("navigation", name="面包屑导航").get_by_role("link").nth(index).click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == label
        assert "Softmax 与交叉熵" in page.locator(".post-list").inner_text()


def test_theme_toggle_switches_and_is_remembered(browser: Any, served: Served) -> None:
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(served.url("sample"))
    html = page.locator("html")
    toggle = page.locator(".theme-toggle")
    assert html.get_attribute("data-theme") == "dark"
    assert toggle.get_attribute("aria-pressed") == "true"
    dark_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    assert html.get_attribute("data-theme") == "light"
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != dark_background
    page.goto(served.url("sample", PAGES["post"]))
    assert page.locator("html").get_attribute("data-theme") == "light"
    # the inline script in <head> applied it before the stylesheet and the body
    assert page.evaluate("localStorage.getItem('transmit-theme')") == "light"
    page.locator(".theme-toggle").click()
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    context.close()


def test_the_system_preference_decides_until_the_reader_does(browser: Any, served: Served) -> None:
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(served.url("sample"))
    assert page.locator("html").get_attribute("data-theme") == "light"
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "false"
    context.close()


def test_the_theme_is_set_before_first_paint(browser: Any, served: Served) -> None:
    context = browser.new_context(color_scheme="dark")
    context.add_init_script("localStorage.setItem('transmit-theme', 'light')")
    page = context.new_page()
    seen = []
    page.on("console", lambda message: seen.append(message.text))
    # a script at the very start of <body> runs before anything is painted
    page.route(
        "**/notes/",
        lambda route: route.fulfill(
            response=route.fetch(),
            body=route.fetch()
            .text()
            .replace(
                "<body>",
                "<body><script>console.log(document.documentElement.dataset.theme)</script>",
                1,
            ),
        ),
    )
    page.goto(served.url("sample"))
    assert seen[:1] == ["light"]
    context.close()


def _focus_ring(page: Any) -> dict[str, str] | None:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const style = getComputedStyle(el);
            return {tag: el.tagName, href: el.getAttribute('href') || '',
                    text: el.textContent.trim(), outline: style.outlineStyle,
                    width: style.outlineWidth, shadow: style.boxShadow};
        }"""
    )


@pytest.mark.parametrize("name", ["home", "post"])
def test_tab_reaches_every_link_with_visible_focus(page: Any, served: Served, name: str) -> None:
    page.goto(served.url("sample", PAGES[name]))
    links = page.eval_on_selector_all(
        "a[href]",
        """links => links
            .filter(a => a.getClientRects().length && getComputedStyle(a).visibility !== 'hidden')
            .map(a => a.getAttribute('href'))""",
    )
    reached = []
    for _ in range(len(links) + 40):
        page.keyboard.press("Tab")
        focused = _focus_ring(page)
        if focused is None:
            continue
        visible = focused["outline"] != "none" and focused["width"] != "0px"
        assert visible or focused["shadow"] != "none", focused
        if focused["tag"] == "A":
            reached.append(focused["href"])
        if len(reached) >= len(links) and set(reached) >= set(links):
            break
    assert set(links) <= set(reached)
    assert reached[0] == "#main"  # the skip link comes first


def test_the_skip_link_moves_focus_to_the_content(page: Any, served: Served) -> None:
    page.goto(served.url("sample", PAGES["post"]))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("scheme", ["dark", "light"])
@pytest.mark.parametrize("name", ["home", "post", "kitchen", "category", "tags", "archives"])
def test_axe_finds_no_serious_or_critical_violation(
    browser: Any, served: Served, name: str, scheme: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(served.url("sample", PAGES[name]))
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []


# Posts whose own markup axe objects to (task-list checkboxes without labels, \eqref links
# inside <math>) are the renderer's to fix; these pages test what the theme adds.
@pytest.mark.parametrize(
    "path", ["", "posts/log-sum-exp/", "posts/注意力机制/", "categories/", "tags/"]
)
def test_axe_on_the_example_site(browser: Any, served: Served, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    if "example" not in served.bases:
        pytest.skip("no example site in this checkout")
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    response = page.goto(served.url("example", path))
    assert response is not None and response.ok
    violations = Axe().run(page).response["violations"]
    context.close()
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []


SHOTS = ["home", "post", "category", "tags", "archives", "404"]


@pytest.mark.parametrize("width", [390, 1280])
def test_layout_holds_and_screenshots_are_written(
    browser: Any, served: Served, screenshot_dir: Path, width: int
) -> None:
    for scheme in ("dark", "light"):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        for name in SHOTS:
            page.goto(served.url("sample", PAGES[name]))
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, (name, width, overflow)
            target = screenshot_dir / f"{name}-{width}-{scheme}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 5000
        context.close()


def test_the_contents_sit_beside_the_post_on_wide_screens_and_fold_on_narrow(
    browser: Any, served: Served
) -> None:
    wide = browser.new_context(viewport={"width": 1280, "height": 900})
    page = wide.new_page()
    page.goto(served.url("sample", PAGES["post"]))
    toc = page.locator(".toc")
    body = page.locator(".post-body")
    assert page.locator(".toc details").get_attribute("open") is not None
    assert toc.bounding_box()["x"] > body.bounding_box()["x"] + body.bounding_box()["width"]
    page.locator(".toc a").nth(1).click()
    assert page.evaluate("location.hash") == "#%E6%8E%A8%E5%AF%BC"
    wide.close()
    narrow = browser.new_context(viewport={"width": 390, "height": 800})
    page = narrow.new_page()
    page.goto(served.url("sample", PAGES["post"]))
    assert page.locator(".toc details").get_attribute("open") is None
    assert not page.locator(".toc a").first.is_visible()
    page.locator(".toc summary").click()
    assert page.locator(".toc a").first.is_visible()
    # a formula wider than the phone scrolls and can be reached by keyboard
    assert page.locator(".math-display[tabindex='0']").count() >= 1
    narrow.close()


def test_copy_button_copies_the_code(browser: Any, served: Served) -> None:
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.origin)
    page = context.new_page()
    page.goto(served.url("sample", PAGES["post"]))
    button = page.locator("button.code-copy, button.copy-code").first
    button.focus()
    button.click()
    page.wait_for_function(
        "button => button.classList.contains('is-copied')", arg=button.element_handle()
    )
    assert button.inner_text() == "已复制"
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("import numpy as np\n") and copied.endswith("keepdims=True)")
    context.close()


def test_without_javascript_everything_but_search_works(browser: Any, served: Served) -> None:
    context = browser.new_context(
        java_script_enabled=False, color_scheme="light", viewport={"width": 390, "height": 800}
    )
    page = context.new_page()
    page.goto(served.url("sample"))
    assert not page.locator(".theme-toggle").is_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(245, 246, 241)"  # the system's light preference, by CSS alone
    page.get_by_role("link", name="第 2 页").click()
    page.wait_for_url(re.compile(r".*/page/2/$"))
    page.goto(served.url("sample", PAGES["post"]))
    page.locator(".toc summary").click()
    assert page.locator(".toc a").first.is_visible()
    context.close()
