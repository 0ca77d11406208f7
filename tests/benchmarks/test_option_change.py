import tomllib
from pathlib import Path

from option_change import set_excerpt_length


def test_the_excerpt_length_is_set_once_before_any_table(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('title = "N"\n[math.macros]\n"\\\\R" = "\\\\mathbb{R}"\n', encoding="utf-8")
    set_excerpt_length(tmp_path, 300)
    set_excerpt_length(tmp_path, 201)
    values = tomllib.loads(config.read_text(encoding="utf-8"))
    assert values["excerpt_length"] == 201 and values["math"]["macros"]
    assert config.read_text(encoding="utf-8").count("excerpt_length") == 1
