"""Edits while serving: every kind of change leaves the served site equal to a cold build."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import SiteMaker
from tests.serve.conftest import StartServer, post
from tests.serve.helpers import fetch, settle, tree, write
from transmit.build import incremental
from transmit.build.pipeline import BuildOptions, build_site
from transmit.serve.session import DevServer
from transmit.serve.state import SiteState

Edit = Callable[[Path], None]


def cold_tree(site: Path, tmp_path: Path, **options: object) -> dict[str, bytes]:
    out = tmp_path / "cold"
    shutil.rmtree(out, ignore_errors=True)
    build_site(site, BuildOptions(out_dir=out, jobs=1, **options))  # type: ignore[arg-type]
    return tree(out)


def served_tree(server: DevServer) -> dict[str, bytes]:
    """The served files, once a browser asked for the search index (edits leave it behind
    until then)."""
    assert fetch(server, "/search-index/meta.tx").status == 200
    assert not server.box.state.search_pending
    return tree(server.out_dir)


def edit_and_settle(server: DevServer, edit: Edit) -> None:
    cursor = server.box.changes
    edit(server.site_dir)
    settle(server, cursor)


def body_edit(site: Path) -> None:
    write(
        site / "content/posts/alpha.md", post("Alpha", "2026-01-01", "categories: [ML]\n", "New!")
    )


def text_edit(site: Path) -> None:
    """New text, the same metadata: the quick path."""
    alpha = post("Alpha", "2026-01-01", "categories: [ML]\ntags: [a, b]\n", "New!")
    write(site / "content/posts/alpha.md", alpha)


def new_post(site: Path) -> None:
    write(site / "content/posts/gamma.md", post("Gamma", "2026-01-05", "tags: [b, c]\n"))


def deleted_post(site: Path) -> None:
    (site / "content/posts/beta.md").unlink()


def renamed_post(site: Path) -> None:
    (site / "content/posts/beta.md").rename(site / "content/posts/beta-renamed.md")


def category_and_tags_changed(site: Path) -> None:
    write(
        site / "content/posts/beta.md", post("Beta", "2026-01-02", "categories: [CV]\ntags: [z]\n")
    )


def date_changed_reorders(site: Path) -> None:
    write(site / "content/posts/alpha.md", post("Alpha", "2026-02-01", "categories: [ML]\n"))


def made_draft(site: Path) -> None:
    write(site / "content/posts/alpha.md", post("Alpha", "2026-01-01", "draft: true\n"))


def image_added(site: Path) -> None:
    (site / "content/posts/bundle/e.png").write_bytes(b"\x89PNG new")


def bundle_removed(site: Path) -> None:
    shutil.rmtree(site / "content/posts/bundle")


def bundle_copied_in(site: Path) -> None:
    staging = site.parent / "staging-bundle"
    write(staging / "index.md", post("Copied", "2026-01-06", body="![f](f.png)"))
    (staging / "f.png").write_bytes(b"\x89PNG f")
    shutil.copytree(staging, site / "content/posts/copied")


def page_added(site: Path) -> None:
    write(site / "content/pages/projects.md", "---\ntitle: Projects\n---\nThings.\n")


def static_added(site: Path) -> None:
    write(site / "static/robots.txt", "User-agent: *\n")


def template_added(site: Path) -> None:
    write(
        site / "templates/page.html", "{% extends 'base.html' %}{% block main %}PAGE{% endblock %}"
    )


def config_changed(site: Path) -> None:
    write(site / "site.toml", 'title = "Renamed Notes"\nper_page = 2\n')


EDITS = [
    body_edit,
    new_post,
    deleted_post,
    renamed_post,
    category_and_tags_changed,
    date_changed_reorders,
    made_draft,
    image_added,
    bundle_removed,
    bundle_copied_in,
    page_added,
    static_added,
    template_added,
    config_changed,
]


@pytest.mark.parametrize("edit", EDITS, ids=[edit.__name__ for edit in EDITS])
def test_each_edit_leaves_the_served_site_equal_to_a_cold_build(
    small_site: Path, start_server: StartServer, tmp_path: Path, edit: Edit
) -> None:
    server = start_server(small_site)
    edit_and_settle(server, edit)
    assert server.box.state.problems == ()
    assert served_tree(server) == cold_tree(small_site, tmp_path)
    assert not (small_site / "public").exists()


def test_a_series_of_edits_stays_equal_to_cold_builds(
    small_site: Path, start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(small_site)
    for edit in (new_post, body_edit, made_draft, renamed_post, image_added):
        edit_and_settle(server, edit)
    assert served_tree(server) == cold_tree(small_site, tmp_path)


def test_a_draft_flipped_back_with_drafts_on(
    small_site: Path, start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(small_site, drafts=True)
    edit_and_settle(server, made_draft)
    assert "Alpha" in fetch(server, "/").text
    assert served_tree(server) == cold_tree(small_site, tmp_path, drafts=True)


def test_a_post_dated_after_the_server_started_is_not_future(
    small_site: Path, start_server: StartServer
) -> None:
    server = start_server(small_site)
    later = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S+00:00")
    time.sleep(2.5)  # `transmit new` dates a post "now": after the server's start
    edit_and_settle(server, lambda site: write(site / "content/posts/new.md", post("New", later)))
    assert fetch(server, "/posts/new/").status == 200


def test_an_edit_is_served_before_the_search_index_is_made_again(
    small_site: Path, start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(small_site)
    index = {p: b for p, b in tree(server.out_dir).items() if p.startswith("search-index/")}
    edit_and_settle(server, body_edit)
    assert "New!" in fetch(server, "/posts/alpha/").text
    assert server.box.state.search_pending
    now = tree(server.out_dir)
    assert {p: b for p, b in now.items() if p.startswith("search-index/")} == index
    assert served_tree(server) == cold_tree(small_site, tmp_path)


def test_a_text_edit_is_served_then_the_search_index_follows_unasked(
    small_site: Path, start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(small_site)
    index = {p: b for p, b in tree(server.out_dir).items() if p.startswith("search-index/")}
    published: list[SiteState] = []
    publish = server.box.set

    def noted(state: SiteState) -> None:
        published.append(state)
        publish(state)

    server.box.set = noted  # type: ignore[method-assign]
    edit_and_settle(server, text_edit)
    # the page first, the index renewed in place in the build right after, with no browser
    # asking for it and no page reloaded for it
    assert [state.search_pending for state in published] == [True, False]
    assert published[1].page_version == published[0].page_version
    now = tree(server.out_dir)
    assert {p: b for p, b in now.items() if p.startswith("search-index/")} != index
    assert now == cold_tree(small_site, tmp_path)


def test_the_edited_text_is_served(small_site: Path, start_server: StartServer) -> None:
    server = start_server(small_site)
    assert "Alpha body." in fetch(server, "/posts/alpha/").text
    edit_and_settle(server, body_edit)
    page = fetch(server, "/posts/alpha/")
    assert page.status == 200 and "New!" in page.text and "Alpha body." not in page.text


def test_a_template_edited_after_it_appeared(small_site: Path, start_server: StartServer) -> None:
    server = start_server(small_site)
    edit_and_settle(server, template_added)
    assert "PAGE" in fetch(server, "/about/").text
    edit_and_settle(
        server,
        lambda site: write(
            site / "templates/page.html",
            "{% extends 'base.html' %}{% block main %}AGAIN{% endblock %}",
        ),
    )
    assert "AGAIN" in fetch(server, "/about/").text


def test_a_stylesheet_change_swaps_styles_without_a_page_version(
    small_site: Path, start_server: StartServer
) -> None:
    server = start_server(small_site)
    before = server.box.state
    edit_and_settle(server, lambda site: write(site / "static/site.css", "body { color: red; }\n"))
    after = server.box.state
    assert after.version == before.version + 1
    assert after.page_version == before.page_version
    assert fetch(server, "/site.css").text == "body { color: red; }\n"


def test_broken_front_matter_keeps_the_last_good_site_until_fixed(
    small_site: Path, start_server: StartServer
) -> None:
    server = start_server(small_site)
    good = fetch(server, "/posts/alpha/").body
    edit_and_settle(
        server,
        lambda site: write(site / "content/posts/alpha.md", "---\ntitle: [unclosed\n---\nBody\n"),
    )
    (problem,) = server.box.state.problems
    assert problem.path == "content/posts/alpha.md" and problem.line
    assert problem.text.startswith(f"content/posts/alpha.md:{problem.line}: ")
    assert fetch(server, "/posts/alpha/").body == good  # the last good build
    edit_and_settle(server, body_edit)
    assert server.box.state.problems == ()
    assert "New!" in fetch(server, "/posts/alpha/").text


def test_an_unrenderable_formula_with_strict(small_site: Path, start_server: StartServer) -> None:
    server = start_server(small_site, strict=True)
    edit_and_settle(
        server,
        lambda site: write(
            site / "content/posts/beta.md", post("Beta", "2026-01-02", body="$\\nosuchmacro{x}$")
        ),
    )
    (problem,) = server.box.state.problems
    assert problem.path == "content/posts/beta.md" and "formula" in problem.message


def test_a_template_error(small_site: Path, start_server: StartServer) -> None:
    server = start_server(small_site)
    edit_and_settle(
        server, lambda site: write(site / "templates/page.html", "{% block main %}{% endfor %}")
    )
    (problem,) = server.box.state.problems
    assert "template error" in problem.message and problem.line == 1
    assert fetch(server, "/about/").status == 200


def test_a_first_build_that_fails_is_shown_then_replaced(
    make_site: SiteMaker, start_server: StartServer
) -> None:
    site = make_site({"content/posts/a.md": "---\ndate: 2026-13-45\n---\n<b>x</b>\n"})
    server = start_server(site)
    assert server.box.state.root is None and server.box.state.problems
    page = fetch(server, "/")
    assert page.status == 503
    assert "content/posts/a.md:2: " in page.text and "/__transmit/client.js" in page.text
    edit_and_settle(server, lambda s: write(s / "content/posts/a.md", post("A", "2026-01-01")))
    assert fetch(server, "/posts/a/").status == 200


def test_problem_text_is_escaped_on_the_failure_page(
    make_site: SiteMaker, start_server: StartServer
) -> None:
    site = make_site({"content/posts/<img src=x onerror=alert(1)>.md": "---\ndate: nope\n---\n"})
    server = start_server(site)
    page = fetch(server, "/").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_first_build_runs_before_any_thread_of_the_server(
    small_site: Path, start_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its workers can then be forked: started afresh they took 30% longer on a big site."""
    threads: list[int] = []
    finish = incremental.IncrementalBuilder._finish

    def counted(self, *args):  # type: ignore[no-untyped-def]
        threads.append(threading.active_count())
        return finish(self, *args)

    monkeypatch.setattr(incremental.IncrementalBuilder, "_finish", counted)
    alone = threading.active_count()
    server = start_server(small_site)
    assert threads == [alone]
    assert fetch(server, "/").status == 200
