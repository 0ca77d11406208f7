"""array column specs reduced to what math-core reads, keeping what @{} says."""

from __future__ import annotations

import pytest

from transmit.render.math_arrays import simplify_arrays


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (r"r@{\;}l", "rl"),
        (r"@{}c@{}", "c"),
        (r"@{\hspace{1em}}c", "c"),
        (r"p{2cm}c", "lc"),
        (r"m{1in}b{2pt}", "ll"),
        (r"*{3}{c}|c", "ccc|c"),
        (r"*{2}{l|}", "l|l|"),
        (r">{\bfseries}c<{x}:c", "c|c"),
        ("c c", "c c"),
    ],
)
def test_specs(spec: str, expected: str) -> None:
    tex = rf"\begin{{array}}{{{spec}}} a \end{{array}}"
    assert simplify_arrays(tex) == rf"\begin{{array}}{{{expected}}} a \end{{array}}"


def test_content_of_at_expressions_becomes_a_column() -> None:
    tex = r"\begin{array}{r@{\;=\;}l} f(x) & x^2 \\ g & y \end{array}"
    assert simplify_arrays(tex) == (
        r"\begin{array}{rcl} f(x)  & {\;=\;} &  x^2 \\ g  & {\;=\;} &  y \end{array}"
    )


def test_rules_stay_at_the_start_of_rows() -> None:
    tex = r"\begin{array}{|r@{.}l|}\hline 3&14\\ \hline 2 & 72 \\ \hline\end{array}"
    assert simplify_arrays(tex) == (
        r"\begin{array}{|rcl|}\hline 3 & {.} & 14\\ \hline 2  & {.} &  72 \\ \hline\end{array}"
    )


def test_leading_insert() -> None:
    tex = r"\begin{array}{!{(}c} a \end{array}"
    assert simplify_arrays(tex) == r"\begin{array}{cc} {(} & a \end{array}"


def test_subarray_and_nested_arrays() -> None:
    tex = (
        r"\begin{subarray}{@{}l} a \end{subarray} "
        r"\begin{array}{c} \begin{array}{p{1cm}} b \end{array} \end{array}"
    )
    assert simplify_arrays(tex) == (
        r"\begin{subarray}{l} a \end{subarray} "
        r"\begin{array}{c} \begin{array}{l} b \end{array} \end{array}"
    )


@pytest.mark.parametrize(
    "tex",
    [r"\begin{array}{cc} a & b \end{array}", r"\begin{array}{c", "x", r"\begin{array}{@{=}c}"],
)
def test_left_alone(tex: str) -> None:
    assert simplify_arrays(tex) == tex
