"""The small TeX scanners the rewrites, macros and numbering share."""

from __future__ import annotations

import pytest

from transmit.render.math_tex import (
    find_environment,
    glue,
    match_brace,
    read_argument,
    read_optional,
    split_top_level,
    too_deep,
    top_level,
    top_level_positions,
)


@pytest.mark.parametrize(
    ("s", "i", "expected"),
    [("{a}", 0, 3), ("{a{b}c}d", 0, 7), (r"{a\}b}", 0, 6), (r"{a\\}b", 0, 5), ("{a", 0, None)],
)
def test_match_brace(s: str, i: int, expected: int | None) -> None:
    assert match_brace(s, i) == expected


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("{ab}c", ("ab", 4)),
        ("  x", ("x", 3)),
        (r"\alpha b", (r"\alpha", 6)),
        (r"\, b", (r"\,", 2)),
        ("", None),
        ("}", None),
        ("{", None),
    ],
)
def test_read_argument(s: str, expected: tuple[str, int] | None) -> None:
    assert read_argument(s, 0) == expected


@pytest.mark.parametrize(
    ("s", "expected"),
    [("[x]y", ("x", 3)), ("[{]}]y", ("{]}", 5)), ("y", (None, 0)), ("[x", (None, 0))],
)
def test_read_optional(s: str, expected: tuple[str | None, int]) -> None:
    assert read_optional(s, 0) == expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (r"\alpha", "x", r"\alpha x"),
        (r"\alpha", "1", r"\alpha1"),
        (r"\alpha", r"\beta", r"\alpha\beta"),
        ("a\\\\", "b", "a\\\\b"),
        ("a\\\\\\b", "c", "a\\\\\\b c"),
        ("x", "y", "xy"),
        ("", "y", "y"),
    ],
)
def test_glue(left: str, right: str, expected: str) -> None:
    assert glue(left, right) == expected


def test_split_top_level_keeps_nested_rows() -> None:
    body = r"a&=b\\[2pt] c\\* d {e\\f} \begin{cases}x\\y\end{cases}\\"
    rows, seps = split_top_level(body)
    assert rows == ["a&=b", " c", r" d {e\\f} \begin{cases}x\\y\end{cases}", ""]
    assert seps == [r"\\[2pt]", r"\\*", r"\\"]


def test_top_level_positions() -> None:
    s = r"a&b{c&d}\begin{x}&\end{x}\&e&"
    assert [s[i] for i in top_level_positions(s, "&")] == ["&", "&"]


def test_top_level_removes_groups_and_environments() -> None:
    outside = top_level(r"a \\ b \begin{aligned}x&=y\\z\end{aligned} {c&d} \{ \& ")
    assert "&" not in outside
    assert outside.count("\0") == 1


def test_find_environment_matches_nesting() -> None:
    s = r"x\begin{a}1\begin{a}2\end{a}3\end{a}y"
    begin, body_start, body_end, end = find_environment(s, 0, "a") or (0, 0, 0, 0)
    assert s[begin:end] == r"\begin{a}1\begin{a}2\end{a}3\end{a}"
    assert s[body_start:body_end] == r"1\begin{a}2\end{a}3"
    assert find_environment(s, 0, "b") is None
    assert find_environment(r"\begin{a}x", 0, "a") is None


@pytest.mark.parametrize(
    ("s", "deep"),
    [
        ("{" * 300 + "x" + "}" * 300, True),
        ("{" * 150 + "x" + "}" * 150, False),
        (r"\hat " * 300 + "x", True),
        (r"\left(" * 300 + r"\right)" * 300, True),
        ("x^{2}" * 300, False),
        (r"\frac{a}{b}" * 100, False),
    ],
)
def test_too_deep(s: str, deep: bool) -> None:
    assert too_deep(s, 200) is deep
