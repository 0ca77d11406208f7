import tomllib
from pathlib import Path

import pytest
from harness.sites import (
    POSTS_DIR,
    append_sentence,
    edit_sentence,
    edited_post_name,
    make_code_distinct,
    remove_paths,
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


def test_every_fenced_block_gets_a_line_of_its_own(tmp_path: Path) -> None:
    posts = tmp_path / POSTS_DIR
    posts.mkdir(parents=True)
    block = "```python\nx = 1\n```\n"
    for name in ("a.md", "b.md"):
        (posts / name).write_text(f"Text.\n\n{block}\nMore.\n\n{block}", encoding="utf-8")
    assert make_code_distinct(tmp_path) == 4
    texts = [(posts / name).read_text(encoding="utf-8") for name in ("a.md", "b.md")]
    blocks = [part for text in texts for part in text.split("```")[1::2]]
    assert len(blocks) == 4 and len(set(blocks)) == 4
    assert all(part.startswith("python\nvalue_") and part.endswith("x = 1\n") for part in blocks)
    assert texts[0].startswith("Text.\n\n```python\n") and "\nMore.\n\n" in texts[0]


def test_both_layouts_get_the_same_distinct_blocks(tmp_path: Path) -> None:
    """transmit's and Hugo's copies of a post differ in front matter only: their code stays
    the same after the change, so both tools highlight the very same blocks."""
    body = "Text.\n\n```cpp\nint x;\n```\n\n```python\ny = 2\n```\n"
    sites = [tmp_path / "transmit", tmp_path / "hugo"]
    for site, front in zip(sites, ["title: t", 'title: "t"\ndraft: false'], strict=True):
        (site / POSTS_DIR).mkdir(parents=True)
        for name in ("b.md", "a.md"):
            (site / POSTS_DIR / name).write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    assert [make_code_distinct(site) for site in sites] == [4, 4]

    def code(site: Path) -> list[str]:
        texts = [(site / POSTS_DIR / name).read_text(encoding="utf-8") for name in ("a.md", "b.md")]
        return [part for text in texts for part in text.split("```")[1::2]]

    assert code(sites[0]) == code(sites[1])
    assert len(set(code(sites[0]))) == 4


def test_remove_paths_takes_folders_and_files_and_what_is_gone_already(tmp_path: Path) -> None:
    (tmp_path / "out" / "posts").mkdir(parents=True)
    (tmp_path / "out" / "posts" / "index.html").write_text("x")
    (tmp_path / "file").write_text("x")
    remove_paths((tmp_path / "out", tmp_path / "file", tmp_path / "never"))
    assert list(tmp_path.iterdir()) == []


def test_remove_paths_tolerates_a_file_another_process_removed_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    cache = tmp_path / ".transmit-cache"
    cache.mkdir()
    for name in ("a", "builder.pid", "z"):
        (cache / name).write_text("x")
    unlink = os.unlink

    def racing(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith("builder.pid"):  # its builder removed it first
            unlink(path, *args, **kwargs)
        return unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", racing)
    remove_paths((cache,))
    assert not cache.exists()
