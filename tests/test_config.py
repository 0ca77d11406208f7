from __future__ import annotations

from pathlib import Path

import pytest

from transmit.config import load_config, parse_config
from transmit.errors import ConfigError

PATH = Path("site.toml")


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_config(text, PATH, Path("."))


def test_defaults_need_only_a_title() -> None:
    config = parse('title = "Notes"\n')
    assert config.title == "Notes"
    assert config.subtitle == "INCOMING TRANSMISSION"
    assert config.per_page == 10
    assert config.excerpt_length == 300
    assert config.slug_style == "keep"
    assert config.base_url == "/"
    assert config.base_path == "/"
    assert config.search is True
    assert config.unsafe_html is True


def test_every_key() -> None:
    config = parse(
        """
        title = "Signal Notes"
        subtitle = "X"
        description = "d"
        base_url = "https://u.github.io/notes"
        language = "en"
        timezone = "Europe/Berlin"
        author = "Me"
        per_page = 5
        excerpt_length = 120
        slug_style = "pinyin"
        search = false
        toc = true
        [markdown]
        unsafe_html = false
        [math]
        macros = { "\\\\R" = "\\\\mathbb{R}" }
        """.replace("\n        ", "\n")
    )
    assert config.base_url == "https://u.github.io/notes/"
    assert config.base_path == "/notes/"
    assert config.per_page == 5 and config.excerpt_length == 120
    assert config.slug_style == "pinyin"
    assert config.unsafe_html is False
    assert config.math_macros == (("\\R", "\\mathbb{R}"),)
    assert str(config.zone) == "Europe/Berlin"


def test_bom_is_accepted() -> None:
    assert parse('\ufefftitle = "Notes"\n').title == "Notes"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('title = "N"\nperpage = 3\n', 2, "unknown key 'perpage'; did you mean 'per_page'?"),
        ('title = "N"\nper_page = "10"\n', 2, "'per_page' must be a whole number"),
        ('title = "N"\nper_page = 0\n', 2, "greater than 0"),
        ('title = "N"\nsearch = 1\n', 2, "'search' must be true or false"),
        ('title = "N"\nper_page = true\n', 2, "must be a whole number"),
        ('title = "N"\ntimezone = "Mars/Olympus"\n', 2, "IANA"),
        ('title = "N"\nslug_style = "ascii"\n', 2, "keep, pinyin, hash"),
        ('title = "N"\nbase_url = "example.com"\n', 2, "absolute URL"),
        ('title = "N"\n[markdown]\nunsafe = true\n', 3, "did you mean 'markdown.unsafe_html'"),
        ('title = "N"\n[math]\nmacros = { R = 1 }\n', 3, "macro"),
        ('title = "N"\ntitle = "M"\n', 2, "not valid TOML"),
        ('title = "N\n', 1, "not valid TOML"),
        ("subtitle = 'x'\n", None, "'title' is required"),
        ('title = "N"\nmarkdown = 3\n', 2, "must be a table"),
    ],
)
def test_problems_name_key_line_and_fix(text: str, line: int | None, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert caught.value.line == line


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no site\.toml"):
        load_config(tmp_path)


def test_missing_site_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such site folder"):
        load_config(tmp_path / "nope")


def test_config_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_bytes('title = "笔记"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path)
