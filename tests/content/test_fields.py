from __future__ import annotations

import pytest

from transmit.content.fields import (
    FieldError,
    category_paths,
    control_character,
    flag,
    image_address,
    priority,
    site_paths,
    tag_list,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        ("Deep Learning", (("Deep Learning",),)),
        ("Deep Learning/Optimization", (("Deep Learning", "Optimization"),)),
        (["Deep Learning", "Optimization"], (("Deep Learning", "Optimization"),)),
        (["Deep Learning/Optimization"], (("Deep Learning", "Optimization"),)),
        ([["A", "B"], ["C"]], (("A", "B"), ("C",))),
        ([["A", "B"], "C"], (("A", "B"), ("C",))),
        ([["A"], ["A"]], (("A",),)),
        (" A / B ", (("A", "B"),)),
        (["2026"], (("2026",),)),
    ],
)
def test_categories_as_hexo_reads_them(value: object, expected: tuple) -> None:
    assert category_paths(value) == expected


def test_a_path_and_its_list_form_are_the_same() -> None:
    assert category_paths("A/B") == category_paths(["A", "B"])


@pytest.mark.parametrize("value", [{"a": 1}, 3, [{"a": 1}]])
def test_bad_categories(value: object) -> None:
    with pytest.raises(FieldError):
        category_paths(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["transformer", "attention"], ("transformer", "attention")),
        ("transformer, attention", ("transformer", "attention")),
        ("深度学习，注意力", ("深度学习", "注意力")),
        ("python asyncio", ("python", "asyncio")),
        ("single", ("single",)),
        (["a", "a", " b "], ("a", "b")),
        (None, ()),
    ],
)
def test_tags(value: object, expected: tuple) -> None:
    assert tag_list(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("yes", True), ("No", False), (None, None), ("true", True)],
)
def test_flags(value: object, expected: bool | None) -> None:
    assert flag(value, "draft") is expected


@pytest.mark.parametrize("value", ["ture", 1, "maybe", [True]])
def test_typo_flags_are_reported(value: object) -> None:
    with pytest.raises(FieldError, match="true or false"):
        flag(value, "draft")


@pytest.mark.parametrize(
    ("value", "expected"), [(True, 1), (None, 0), (False, 0), (5, 5), ("3", 3)]
)
def test_sticky_priority(value: object, expected: int) -> None:
    assert priority(value) == expected


def test_tags_split_quickly_on_long_whitespace() -> None:
    assert tag_list(" " * 100_000 + "a" + " " * 100_000 + "," + " b") == ("a", "b")


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "vbscript:x",
        "file:///etc/passwd",
        "C:\\a.png",
    ],
)
def test_cover_never_takes_a_script_or_local_scheme(value: str) -> None:
    with pytest.raises(FieldError, match="not an image address"):
        image_address(value, "cover")


@pytest.mark.parametrize(
    "value",
    [
        "a.png",
        "./img/a.png",
        "../shared/a.png",
        "/img/a.png",
        "https://x.org/a.png",
        "http://x.org/a.png",
        "//cdn.x.org/a.png",
        "img/a:b.png",
    ],
)
def test_cover_addresses_that_are_fine(value: str) -> None:
    assert image_address(value, "cover") == value


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("/old/", True),
        (["/a/", "b.html"], True),
        ("../x", False),
        ("/a/../../b", False),
        ("/", False),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("a\\b", False),
        ("/a\x00b", False),
    ],
)
def test_aliases_stay_inside_the_site(value: object, ok: bool) -> None:
    if ok:
        assert site_paths(value, "aliases")
    else:
        with pytest.raises(FieldError, match="inside the site"):
            site_paths(value, "aliases")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("plain 中文", None),
        ("tab\tnewline\n", None),
        ("bell\x07", (4, "U+0007")),
        ("esc\x1b[0m", (3, "U+001B")),
        ("c1\x85", (2, "U+0085")),
        ("non\uffffchar", (3, "U+FFFF")),
    ],
)
def test_control_characters_are_found(text: str, found: tuple[int, str] | None) -> None:
    assert control_character(text) == found
