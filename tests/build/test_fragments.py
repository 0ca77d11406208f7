"""Formulas and code carried from a post's last rendering to its next (`render.fragments`)
through the render cache: taken by the next build's process, never from a rendering other than
the one they were found in, and swept with the posts they belong to."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.build.sites import CONFIG, OPTIONS, cold_tree, post, render_in_processes, tree, write
from tests.conftest import SiteMaker
from tests.render.helpers import Engines, as_in_a_new_process, make_post
from transmit.build.cache import RenderCache, fragments_key
from transmit.build.packs import pack_index
from transmit.build.pipeline import build_site
from transmit.build.store import code_fingerprint
from transmit.render.data import RenderOptions
from transmit.render.document import render_post
from transmit.render.fragments import Fragments

CODE = "def area(r):\n    return 3.14159 * r * r\n"
NOTE = (
    "Attention: $\\mathrm{softmax}(QK^T / \\sqrt{d_k}) V$ and $x_1 * y_1$.\n\n"
    f"$$\n\\sum_{{i=1}}^n a_i\n$$\n\n```python\n{CODE}```\n\nLast paragraph."
)
FILES: dict[str, str | bytes] = {
    "content/posts/note.md": post("Note", "2026-01-01", NOTE),
    "content/posts/other.md": post("Other", "2026-01-02", "Plain $z$ and `code`."),
    "content/posts/gone.md": post("Gone", "2026-01-03", "Soon gone: $w^2$."),
}


def fragment_entries(site: Path) -> set[str]:
    """The sources whose formulas and code the render cache notes."""
    index = pack_index(site / ".transmit-cache/render", "render", code_fingerprint())
    index.rescan()
    prefix = fragments_key("")
    return {Path(key[len(prefix) :]).name for key in index.entries if key.startswith(prefix)}


@pytest.fixture(autouse=True)
def fresh_renderers() -> None:
    as_in_a_new_process()


def rebuilt(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], list[str]]:
    """The site built as a new `transmit build` process builds it (knowing nothing of the last
    one's renders but what the cache holds), checked against a cold build; the formulas and
    code the build gave the engines."""
    as_in_a_new_process()
    engines = Engines(monkeypatch)
    build_site(site, OPTIONS)
    made = (list(engines.formulas), list(engines.code))
    assert tree(site / "public") == cold_tree(site, tmp_path)
    return made


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    return site


def test_an_edit_to_prose_renders_no_formula_or_code_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(site, "content/posts/note.md", post("Note", "2026-01-01", NOTE.replace("Last", "Final")))
    assert rebuilt(site, tmp_path, monkeypatch) == ([], [])


def test_an_edit_renders_only_the_formulas_and_code_it_changes(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = NOTE.replace("x_1 * y_1", "x_2 * y_2").replace("3.14159", "math.pi")
    write(site, "content/posts/note.md", post("Note", "2026-01-01", edited))
    formulas, code = rebuilt(site, tmp_path, monkeypatch)
    assert formulas == ["x_2 * y_2"]
    assert code == [CODE.replace("3.14159", "math.pi")]


def test_a_setting_every_post_renders_with_renders_no_formula_or_code_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(site, "site.toml", CONFIG + "excerpt_length = 20\n")
    assert rebuilt(site, tmp_path, monkeypatch) == ([], [])


def test_worker_processes_take_fragments_and_build_what_a_cold_build_does(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_in_processes(monkeypatch)
    site = make_site(FILES, config=CONFIG)
    build_site(site, dataclasses.replace(OPTIONS, jobs=2))
    write(site, "site.toml", CONFIG + "excerpt_length = 20\n")
    write(site, "content/posts/note.md", post("Note", "2026-01-01", NOTE.replace("$$", "$$ ")))
    build_site(site, dataclasses.replace(OPTIONS, jobs=2))
    assert tree(site / "public") == cold_tree(site, tmp_path)
    assert fragment_entries(site) == {"note.md", "other.md", "gone.md"}


def test_notes_live_and_go_with_their_posts_renderings(site: Path) -> None:
    assert fragment_entries(site) == {"note.md", "other.md", "gone.md"}
    (site / "content/posts/gone.md").unlink()
    (site / "content/posts/note.md").unlink()
    build_site(site, OPTIONS)  # the pack left mostly unwanted is written again, with what lives
    assert fragment_entries(site) == {"other.md"}


FINGERPRINT = b"f" * 16


def test_fragments_are_read_back_only_from_the_rendering_they_were_found_in(
    tmp_path: Path,
) -> None:
    root = tmp_path / "render"
    fragments = Fragments()
    first = render_post(make_post("Text $a^2$.\n\n```c\nint x;\n```\n"), RenderOptions(), fragments)
    spans = fragments.spans(first.html)
    cache = RenderCache(root, FINGERPRINT)
    cache.save("a" * 32, first, ())
    cache.save_fragments("/site/content/posts/a.md", "a" * 32, first, spans)
    # notes that name a rendering the cache does not hold, or another one than theirs
    cache.save_fragments("/site/content/posts/b.md", "b" * 32, first, spans)
    other = dataclasses.replace(first, html=first.html.replace("Text", "Texts"))
    cache.save("c" * 32, other, ())
    cache.save_fragments("/site/content/posts/c.md", "c" * 32, first, spans)
    cache.save_fragments("/site/content/posts/none.md", "a" * 32, first, ())
    cache.flush()

    again = RenderCache(root, FINGERPRINT)
    taken = again.earlier_fragments("/site/content/posts/a.md")
    assert sorted(taken.values()) == sorted(first.html[start:end] for _, start, end in spans)
    assert len(taken) == 2 and any("<math" in html for html in taken.values())
    for source in ("b.md", "c.md", "none.md", "never.md"):
        assert again.earlier_fragments(f"/site/content/posts/{source}") == {}
