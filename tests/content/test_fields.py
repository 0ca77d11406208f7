from __future__ import annotations

import pytest

from transmit.content.fields import FieldError, category_paths, flag, priority, tag_list


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
