"""The reload channel in a real browser: edits appear, CSS swaps in place, errors overlay pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.chromium import launch_chromium
from tests.conftest import SiteMaker
from tests.serve.conftest import FAST, StartServer, post
from tests.serve.helpers import wait_until, write
from transmit.build.pipeline import BuildOptions
from transmit.serve.session import DevServer, ServeOptions

pytestmark = pytest.mark.browser

WAIT_MS = 30_000  # a deadline against hanging, not a speed assertion
LONG_BODY = "\n\n".join(f"Paragraph {n} of a long note." for n in range(200))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def server(make_site: SiteMaker, start_server: StartServer) -> DevServer:
    site = make_site(
        {
            "content/posts/long.md": post(
                "Long", "2026-01-01", body="First version.\n\n" + LONG_BODY
            ),
            "content/posts/styled.md": post(
                "Styled", "2026-01-02", body='<link rel="stylesheet" href="/site.css">\n\nStyled.'
            ),
            "static/site.css": "body { color: rgb(1, 2, 3); }\n",
        }
    )
    return start_server(site)


def open_live(page, server: DevServer, path: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page, mark it (a reload loses the mark), wait until its event stream is connected.

    Scroll restoration is the script's job here, not the browser's."""
    listening = server.hub.listeners
    page.goto(server.url + path)
    page.evaluate("() => { window.transmitMarker = 42; history.scrollRestoration = 'manual'; }")
    wait_until(lambda: server.hub.listeners > listening)


def test_an_edit_shows_without_a_manual_reload_keeping_the_scroll(page, server: DevServer) -> None:  # type: ignore[no-untyped-def]
    open_live(page, server, "posts/long/")
    page.evaluate("() => window.scrollTo(0, 1500)")
    page.wait_for_function("() => window.scrollY === 1500")
    write(
        server.site_dir / "content/posts/long.md",
        post("Long", "2026-01-01", body="Second version.\n\n" + LONG_BODY),
    )
    page.wait_for_function(
        "() => document.body.innerText.includes('Second version.')", timeout=WAIT_MS
    )
    page.wait_for_function("() => window.scrollY === 1500", timeout=WAIT_MS)
    assert page.evaluate("() => window.transmitMarker") is None  # it was a reload


def test_a_css_change_is_swapped_in_without_a_reload(page, server: DevServer) -> None:  # type: ignore[no-untyped-def]
    open_live(page, server, "posts/styled/")
    assert page.evaluate("() => getComputedStyle(document.body).color") == "rgb(1, 2, 3)"
    write(server.site_dir / "static/site.css", "body { color: rgb(4, 5, 6); }\n")
    page.wait_for_function(
        "() => getComputedStyle(document.body).color === 'rgb(4, 5, 6)'", timeout=WAIT_MS
    )
    assert page.evaluate("() => window.transmitMarker") == 42  # the same page, not reloaded
    assert page.locator('link[href*="site.css"]').count() == 1  # the old sheet was removed


def test_an_error_overlays_the_page_and_goes_when_fixed(page, server: DevServer) -> None:  # type: ignore[no-untyped-def]
    open_live(page, server, "posts/long/")
    source = server.site_dir / "content/posts/long.md"
    write(source, "---\ntitle: Long\ndate: 2026-13-45\n---\nx\n")
    overlay = page.locator("#transmit-serve-overlay li")
    overlay.first.wait_for(timeout=WAIT_MS)
    text = overlay.first.inner_text()
    assert text.startswith("content/posts/long.md:3: ")
    assert "First version." in page.locator("main").inner_text()  # the last good page stays
    assert page.evaluate("() => window.transmitMarker") == 42  # shown without a reload
    write(source, post("Long", "2026-01-01", body="Fixed version.\n\n" + LONG_BODY))
    page.wait_for_function(
        "() => document.body.innerText.includes('Fixed version.')", timeout=WAIT_MS
    )
    assert page.locator("#transmit-serve-overlay").count() == 0


def test_the_overlay_shows_markup_in_messages_as_text(page, server: DevServer) -> None:  # type: ignore[no-untyped-def]
    open_live(page, server, "")
    write(server.site_dir / "content/posts/<b>bold<b>.md", "---\ndate: never\n---\n")
    item = page.locator("#transmit-serve-overlay li").first
    item.wait_for(timeout=WAIT_MS)
    assert "content/posts/<b>bold<b>.md:2: " in item.inner_text()
    assert page.locator("#transmit-serve-overlay b").count() == 0


def test_a_page_from_an_earlier_run_reloads_when_the_server_restarts(
    page, server: DevServer
) -> None:  # type: ignore[no-untyped-def]
    open_live(page, server, "posts/long/")
    port, site = server.port, server.site_dir
    server.stop()
    write(site / "content/posts/long.md", post("Long", "2026-01-01", body="While away.\n"))
    restarted = DevServer(site, BuildOptions(jobs=1), ServeOptions(port=port, timing=FAST))
    restarted.start()
    try:
        page.wait_for_function(
            "() => document.body.innerText.includes('While away.')", timeout=WAIT_MS
        )
    finally:
        restarted.stop()
