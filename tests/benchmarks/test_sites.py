import tomllib
from pathlib import Path

import pytest
from harness.sites import (
    POSTS_DIR,
    append_sentence,
    edit_sentence,
    edited_post_name,
    set_search,
    with_search,
)

SITE_TOML = 'title = "Notes"\nper_page = 10\n'


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize(
    "original",
    [
        SITE_TOML,
        "search = true\n" + SITE_TOML,
        SITE_TOML + "search = false\n",
        SITE_TOML + "search=true",
        SITE_TOML + "[markdown]\nunsafe_html = true\n",
    ],
)
def test_with_search_sets_one_top_level_key(original: str, enabled: bool) -> None:
    text = with_search(original, enabled)
    config = tomllib.loads(text)
    assert config["search"] is enabled
    assert config["title"] == "Notes"
    assert text.count("search") == 1


def test_with_search_keeps_keys_that_only_start_with_search() -> None:
    config = tomllib.loads(with_search('search_language = "zh"\n', True))
    assert config == {"search": True, "search_language": "zh"}


def test_set_search_rewrites_the_file(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    set_search(tmp_path, True)
    set_search(tmp_path, False)
    assert tomllib.loads((tmp_path / "site.toml").read_text(encoding="utf-8"))["search"] is False


def test_edit_sentence_differs_per_run() -> None:
    assert len({edit_sentence(run) for run in range(5)}) == 5


def make_posts(site: Path, names: list[str]) -> None:
    (site / POSTS_DIR).mkdir(parents=True)
    for name in names:
        (site / POSTS_DIR / name).write_text("---\ntitle: t\n---\nbody\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("names", "middle"),
    [
        (["a.md"], "a.md"),
        (["c.md", "a.md", "b.md"], "b.md"),
        (["a.md", "b.md", "c.md", "d.md"], "c.md"),
    ],
)
def test_edited_post_is_the_middle_one(tmp_path: Path, names: list[str], middle: str) -> None:
    make_posts(tmp_path, names)
    assert edited_post_name(tmp_path) == middle


def test_edited_post_needs_posts(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        edited_post_name(tmp_path)


def test_append_sentence_adds_to_the_end_of_the_body(tmp_path: Path) -> None:
    make_posts(tmp_path, ["a.md"])
    append_sentence(tmp_path, "a.md", 7)
    text = (tmp_path / POSTS_DIR / "a.md").read_text(encoding="utf-8")
    assert text == "---\ntitle: t\n---\nbody\n" + edit_sentence(7)
