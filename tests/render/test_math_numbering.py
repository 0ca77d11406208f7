"""Equation numbers, tags, labels and references, before rendering."""

from __future__ import annotations

import pytest

from transmit.render.math_numbering import (
    SENSITIVE_RE,
    Label,
    Reference,
    fill_placeholders,
    for_katex,
    number_formula,
    tag_text,
)


def test_equation_gets_the_next_number() -> None:
    result = number_formula(r"\begin{equation}E=mc^2\label{eq:a}\end{equation}", True, 4)
    assert result.next_number == 5
    formula = result.formula
    assert formula.tex == r"\begin{equation*}E=mc^2\tag{tmxtag0q}\label{tmxlbl0q}\end{equation*}"
    assert formula.tags == ("4",)
    assert formula.labels == (Label("eq:a", "4", True, 0),)


def test_align_numbers_rows_and_honours_nonumber_and_tag() -> None:
    tex = (
        r"\begin{align}a&=b\label{x}\\c&=d\nonumber\\e&=f\tag{$\star$}\label{y}"
        r"\\g\notag\\h\end{align}"
    )
    result = number_formula(tex, True, 1)
    formula = result.formula
    assert formula.tags == ("1", "⋆", "2")
    assert result.next_number == 3
    assert [(lab.key, lab.text) for lab in formula.labels] == [("x", "1"), ("y", "⋆")]
    assert formula.tex.startswith(r"\begin{align*}a&=b\tag{tmxtag0q}\label{tmxlbl0q}\\c&=d\\")
    assert r"\nonumber" not in formula.tex and r"\notag" not in formula.tex


@pytest.mark.parametrize("env", ["gather", "align"])
def test_trailing_row_break_adds_no_number(env: str) -> None:
    result = number_formula(rf"\begin{{{env}}}a\\b\\\end{{{env}}}", True, 1)
    assert result.formula.tags == ("1", "2")


@pytest.mark.parametrize("env", ["equation*", "align*", "gather*", "multline*"])
def test_starred_environments_number_only_tags(env: str) -> None:
    result = number_formula(rf"\begin{{{env}}}a\\b\tag{{7}}\end{{{env}}}", True, 1)
    assert result.formula.tags == ("7",)
    assert result.next_number == 1


def test_multline_gets_one_number() -> None:
    result = number_formula(r"\begin{multline}a\\b\\c\end{multline}", True, 1)
    assert result.formula.tags == ("1",)
    assert result.formula.tex.endswith(r"c\tag{tmxtag0q}\end{multline*}")


def test_equation_with_nested_aligned_gets_one_number() -> None:
    tex = r"\begin{equation}\begin{aligned}a&=b\\&=c\end{aligned}\label{k}\end{equation}"
    result = number_formula(tex, True, 1)
    assert result.formula.tags == ("1",)


@pytest.mark.parametrize(
    ("tex", "tags", "next_number"),
    [
        (r"y = f(x) \tag{1.1}", ("1.1",), 1),
        (r"y = f(x) \tag*{(A)}", ("(A)",), 1),
        (r"z = w \label{bare}", ("1",), 2),
        (r"z = w \label{bare}\nonumber", (), 1),
        (r"z = w", (), 1),
    ],
)
def test_display_without_environment(tex: str, tags: tuple[str, ...], next_number: int) -> None:
    result = number_formula(tex, True, 1)
    assert result.formula.tags == tags
    assert result.next_number == next_number
    if tags:
        assert result.formula.tex.startswith(r"\begin{equation*}")


def test_tag_star_references_without_parentheses() -> None:
    result = number_formula(r"x \tag*{A} \label{a}", True, 1)
    assert result.formula.labels == (Label("a", "A", False, 0),)


def test_references_become_placeholders() -> None:
    result = number_formula(r"\eqref{x}, \ref{ y }, \text{see \eqref{z}}", False, 1)
    formula = result.formula
    assert formula.tex == r"\text{tmxref0q}, \text{tmxref1q}, \text{see \text{tmxref2q}}"
    assert formula.refs == (Reference("x", True), Reference("y", False), Reference("z", True))


def test_inline_drops_labels_and_keeps_tags() -> None:
    result = number_formula(r"x \label{a} \nonumber y \tag{3}", False, 1)
    assert result.formula.tex == r"x   y \tag{3}"
    assert result.formula.labels == ()


def test_only_first_label_of_a_row_is_placed() -> None:
    result = number_formula(r"\begin{equation}x\label{a}\label{b}\end{equation}", True, 1)
    assert [lab.placeholder for lab in result.formula.labels] == [0, None]
    assert result.formula.tex.count(r"\label") == 1


def test_label_on_unnumbered_row_has_no_text() -> None:
    result = number_formula(r"\begin{align*}x\label{a}\end{align*}", True, 1)
    assert result.formula.labels == (Label("a", None, True, None),)


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        ("3", "3"),
        ("1.1", "1.1"),
        (r"$\star$", "⋆"),
        (r"\ast", "∗"),
        (r"A\dagger", "A†"),
        (r"{a}{b}", "ab"),
        (r"\unknown", "unknown"),
        (r"a\_b", "a_b"),
    ],
)
def test_tag_text(tex: str, expected: str) -> None:
    assert tag_text(tex) == expected


def test_fill_placeholders_escapes() -> None:
    formula = number_formula(r"x\tag{<&>}\label{l}", True, 1).formula
    markup = '<mtd id="tmxlbl0q"><mtext>(tmxtag0q)</mtext></mtd>'
    filled = fill_placeholders(markup, formula, {0: 'p-"x"'})
    assert filled == '<mtd id="p-&quot;x&quot;"><mtext>(&lt;&amp;&gt;)</mtext></mtd>'


def test_many_placeholders_do_not_collide() -> None:
    rows = r"\\".join("a" for _ in range(12))
    formula = number_formula(rf"\begin{{gather}}{rows}\end{{gather}}", True, 1).formula
    markup = "".join(f"(tmxtag{i}q)" for i in range(12))
    assert fill_placeholders(markup, formula, {}) == "".join(f"({i})" for i in range(1, 13))


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"x\tag{tmxtag0q}\label{tmxlbl0q}", r"x\tag{tmxtag0q}"),
        (r"\begin{equation*}x\tag{tmxtag0q}\end{equation*}", r"x\tag{tmxtag0q}"),
        (
            r"\begin{align*}a\tag{tmxtag0q}\\b\tag*{tmxtag1q}\end{align*}",
            r"\begin{align*}a\qquad\text{(tmxtag0q)}\\b\qquad\text{tmxtag1q}\end{align*}",
        ),
        (r"\begin{align*}a\\b\end{align*}", r"\begin{align*}a\\b\end{align*}"),
    ],
)
def test_for_katex(tex: str, expected: str) -> None:
    assert for_katex(tex) == expected


@pytest.mark.parametrize(
    ("tex", "sensitive"),
    [
        (r"\begin{equation}x\end{equation}", True),
        (r"\begin{align*}x\end{align*}", False),
        (r"\eqref{a}", True),
        (r"x\tag{1}", True),
        (r"\labelfoo", False),
        (r"\frac{a}{b}", False),
    ],
)
def test_sensitive(tex: str, sensitive: bool) -> None:
    assert (SENSITIVE_RE.search(tex) is not None) is sensitive
