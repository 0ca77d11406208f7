import tomllib
from pathlib import Path

from harness.sites import POSTS_DIR
from option_change import make_code_distinct, set_excerpt_length


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


def test_the_excerpt_length_is_set_once_before_any_table(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('title = "N"\n[math.macros]\n"\\\\R" = "\\\\mathbb{R}"\n', encoding="utf-8")
    set_excerpt_length(tmp_path, 300)
    set_excerpt_length(tmp_path, 201)
    values = tomllib.loads(config.read_text(encoding="utf-8"))
    assert values["excerpt_length"] == 201 and values["math"]["macros"]
    assert config.read_text(encoding="utf-8").count("excerpt_length") == 1
