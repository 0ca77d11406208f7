"""Macro definitions and expansion, before any engine sees a formula."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transmit.render.math_macros import Macro, MacroError, MacroTable, expand

SITE = MacroTable.from_config({"\\R": "\\mathbb{R}", "\\norm": "\\left\\|#1\\right\\|"})


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"x \in \R^n", r"x \in \mathbb{R}^n"),
        (r"\norm{x - y}", r"\left\|x - y\right\|"),
        (r"\norm x", r"\left\|x\right\|"),
        (r"\norm\alpha", r"\left\|\alpha\right\|"),
        (r"\Rightarrow \Re", r"\Rightarrow \Re"),
        (r"a \\R", r"a \\R"),
        (r"\R\R", r"\mathbb{R}\mathbb{R}"),
    ],
)
def test_site_macros_expand(tex: str, expected: str) -> None:
    assert expand(tex, SITE).tex == expected


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\newcommand{\E}{\mathbb{E}}\E[X]", r"\mathbb{E}[X]"),
        (r"\newcommand*{\E}{\mathbb{E}}\E", r"\mathbb{E}"),
        (r"\newcommand\E{\mathbb{E}}\E", r"\mathbb{E}"),
        (r"\renewcommand{\d}{\mathrm{d}}\d x", r"\mathrm{d} x"),
        (r"\def\d{\mathrm{d}}\d x", r"\mathrm{d} x"),
        (r"\gdef\d{D}\d", "D"),
        (r"\global\def\d{D}\d", "D"),
        (r"\edef\d{D}\d", "D"),
        (r"\def\f#1#2{\frac{#1}{#2}}\f ab", r"\frac{a}{b}"),
        (r"\newcommand{\f}[2]{#2#1}\f{x}{y}", "yx"),
        (r"\newcommand{\vv}[1][x]{\mathbf{#1}}\vv+\vv[y]", r"\mathbf{x}+\mathbf{y}"),
        (r"\newcommand{\hash}{##}\hash", "#"),
        (r"\DeclareMathOperator{\Tr}{Tr}\Tr A", r"\operatorname{Tr} A"),
        (r"\DeclareMathOperator*{\am}{arg\,max}\am_x", r"\operatorname*{arg\,max}_x"),
        (r"\let\eps\varepsilon \eps x", r" \varepsilon x"),
        (r"\let\eps=\varepsilon\eps", r"\varepsilon"),
        (r"\providecommand{\p}{P}\p", "P"),
        (r"\newcommand{\e}{\epsilon}\e x", r"\epsilon x"),
        (r"\newcommand{\e}{\epsilon}\e{}x", r"\epsilon{}x"),
        (r"\newcommand{\s}[1]{\sin#1}\s x", r"\sin x"),
        (r"\newcommand{\a}{\b}\newcommand{\b}{B}\a", "B"),
    ],
)
def test_definitions_then_uses(tex: str, expected: str) -> None:
    assert expand(tex, MacroTable.empty()).tex == expected


def test_let_keeps_the_old_meaning_of_a_builtin() -> None:
    tex = r"\let\oldvec\vec \renewcommand{\vec}[1]{\oldvec{\mathbf{#1}}} \vec{x}"
    assert expand(tex, MacroTable.empty()).tex.split() == [r"\vec{\mathbf{x}}"]


def test_let_copies_a_user_macro() -> None:
    tex = r"\newcommand{\a}{A}\let\b\a\renewcommand{\a}{Z}\b"
    assert expand(tex, MacroTable.empty()).tex == "A"


def test_providecommand_keeps_an_existing_macro() -> None:
    assert expand(r"\providecommand{\R}{X}\R", SITE).tex == r"\mathbb{R}"


def test_definitions_return_a_new_table() -> None:
    result = expand(r"\newcommand{\E}{\mathbb{E}}", SITE)
    assert result.tex == ""
    assert set(result.table.by_name) == {"R", "norm", "E"}
    assert set(SITE.by_name) == {"R", "norm"}
    assert result.table.key != SITE.key


def test_table_key_identifies_definitions() -> None:
    one = MacroTable.empty().define(Macro("a", 0, None, "x"))
    same = MacroTable.empty().define(Macro("a", 0, None, "x"))
    other = MacroTable.empty().define(Macro("a", 0, None, "y"))
    assert one.key == same.key != other.key


def test_untouched_formula_keeps_its_table() -> None:
    result = expand(r"\frac{a}{b}", SITE)
    assert result.table is SITE


def test_site_macro_parameters_are_counted() -> None:
    table = MacroTable.from_config({"pair": "(#1, #2)"})
    assert table.by_name["pair"].params == 2


@pytest.mark.parametrize(
    ("tex", "message"),
    [
        (r"\def\a{\a\a}\a", "too many macro expansions"),
        (r"\newcommand{\a}{\a}\a", "too many macro expansions"),
        (r"\newcommand{\a}{xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\a\a}\a", "macro expansion"),
        (r"\def\x#1.{#1}", "delimited parameters"),
        (r"\newcommand{\f}[1]{#2}\f x", "uses #2"),
        (r"\newcommand{\f}[1]{x}\f", "missing argument"),
        (r"\newcommand{\f}", "has no body"),
        (r"\newcommand{x}{y}", "needs a command name"),
        (r"\newcommand{\f}[z]{y}", "bad parameter count"),
        (r"\DeclareMathOperator{\f}", "no operator text"),
        (r"\def\f{unbalanced", "unbalanced"),
        (r"\let", "needs a command name"),
    ],
)
def test_bad_definitions_and_loops_raise_one_line(tex: str, message: str) -> None:
    with pytest.raises(MacroError, match=message) as caught:
        expand(tex, MacroTable.empty())
    assert "\n" not in str(caught.value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=list("\\defnwcomaxy#12{}[] "), max_size=40))
def test_expansion_terminates(tex: str) -> None:
    try:
        result = expand(tex, SITE)
    except MacroError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(result.tex, str)
