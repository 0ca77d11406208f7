"""Hostile front matter in a real browser: every page of the built site, and search results
drawn by JavaScript, show the values as text and never run them."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.chromium import launch_chromium
from tests.hardening.test_safe_output import _yaml
from tests.site.search_fixtures import serve
from transmit.cli import main

pytestmark = pytest.mark.browser
# Each payload would set window.pwned if a browser ever ran it.
RUN = "window.pwned=1"
TITLE = (
    f'Quiver <script>{RUN}</script> <img src=x onerror="{RUN}"> '
    f'</script><svg onload={RUN}> " onfocus="{RUN}" autofocus x=" javascript:{RUN}'
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hostile")
    (root / "site.toml").write_text('title = "Hostile"\nlanguage = "en"\n', "utf-8")
    post = root / "content/posts/quiver.md"
    post.parent.mkdir(parents=True)
    post.write_text(
        "---\n"
        f"title: {_yaml(TITLE)}\n"
        f"summary: {_yaml(TITLE)}\n"
        f"tags: [{_yaml('tag <img src=x onerror=' + RUN + '>')}]\n"
        f"categories: [{_yaml('Cat <script>' + RUN + '</script>')}]\n"
        "cover: 'a\" onerror=\"window.pwned=1.png'\n"
        "date: 2020-01-02\n---\n\nQuiver body text.\n",
        "utf-8",
    )
    assert main(["build", str(root), "--quiet"]) == 0
    with serve(root / "public") as origin:
        yield origin


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launch_chromium() as instance:
        yield instance


@pytest.mark.parametrize(
    "address",
    ["", "posts/quiver/", "tags/", "categories/", "archives/", f"search/?q={quote('Quiver')}"],
)
def test_no_value_runs_in_the_browser(browser, site: str, address: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{site}/{address}")
    if address.startswith("search/"):
        page.wait_for_selector("#search-results a", timeout=10_000)
        shown = page.eval_on_selector_all(
            "#search-results a", "links => links.map(a => a.textContent)"
        )
        assert any("Quiver <script>" in text for text in shown), shown
    page.wait_for_timeout(200)  # time for an onerror or onload to fire
    for element in page.query_selector_all("a, button, input"):
        element.focus()
    assert page.evaluate("window.pwned") is None
    assert dialogs == []
    context.close()
