"""Rewrites of TeX that math-core lacks into equivalents it has."""

from __future__ import annotations

import pytest

from transmit.render.math_rewrite import rewrite


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"a_1, \dotsc, a_n", r"a_1, \ldots, a_n"),
        (r"x_1 + \dotsb + x_n", r"x_1 + \cdots + x_n"),
        (r"a \dotsm b \dotsi c \dotso d", r"a \cdots b \cdots c \ldots d"),
        (r"\textup{up}", r"\textrm{up}"),
        (r"\mbox{box} \hbox{h}", r"\text{box} \text{h}"),
        (r"\pmb{x}", r"\boldsymbol{x}"),
        (r"\hspace*{1em}", r"\hspace{1em}"),
        (r"\require{cancel}\cancel{x}", r"\cancel{x}"),
        (r"\unicode{x2192}", "→"),
        (r"\unicode{8594}", "→"),
        (r"\unicode{x41}", r"\text{A}"),
        (r"\unicode{x7B}", r"\unicode{x7B}"),
        (r"\unicode{nonsense}", r"\unicode{nonsense}"),
        (r"\dotscale", r"\dotscale"),
        (r"\pu{123 kJ/mol}", r"123\,\mathrm{kJ/mol}"),
        (r"\pu{kg}", r"\mathrm{kg}"),
        (r"\pu{42}", "42"),
        (r"\mathbbm{1}_{A} \mathds 1", r"\mathbb{1}_{A} \mathbb 1"),
        (r"\Vec{x}", r"\vec{x}"),
        (r"\vspace{1em}x\vspace*{2pt}", "x"),
        (r"\ensuremath{x}", "{x}"),
        (r"\textsuperscript{2}\textsubscript{i}", r"^{\text{2}}_{\text{i}}"),
        ("a\u00a0b\u200bc\ufeff", "a bc"),
        (r"\sqrt[\leftroot{-2}\uproot{2}3]{x}", r"\sqrt[3]{x}"),
    ],
)
def test_command_rewrites(tex: str, expected: str) -> None:
    assert rewrite(tex, display=False) == expected


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\begin{split}a&=b\end{split}", r"\begin{aligned}a&=b\end{aligned}"),
        (r"\begin{alignat}{2}a&=b\end{alignat}", r"\begin{align}a&=b\end{align}"),
        (r"\begin{alignat*}{3}a&=b\end{alignat*}", r"\begin{align*}a&=b\end{align*}"),
        (r"\begin{alignedat}{2}a&=b\end{alignedat}", r"\begin{aligned}a&=b\end{aligned}"),
        (r"\begin{flalign}a&=b\end{flalign}", r"\begin{align}a&=b\end{align}"),
        (r"\begin{eqnarray}y&=&x\\z&=&w\end{eqnarray}", r"\begin{align}y&= x\\z&= w\end{align}"),
        (r"\begin{eqnarray*}y&=&x\end{eqnarray*}", r"\begin{align*}y&= x\end{align*}"),
        (r"\begin{aligned}[t]a\end{aligned}", r"\begin{aligned}a\end{aligned}"),
        (r"\begin{array}[b]{cc}a&b\end{array}", r"\begin{array}{cc}a&b\end{array}"),
        (
            r"\begin{smallmatrix}a&b\\c&d\end{smallmatrix}",
            r"\begin{subarray}{cc}a&b\\c&d\end{subarray}",
        ),
        (r"\substack{i\\j}", r"\begin{subarray}{c}i\\j\end{subarray}"),
    ],
)
def test_environment_rewrites(tex: str, expected: str) -> None:
    assert rewrite(tex, display=True) == expected


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\textcolor[rgb]{1,0,0.5}{x}", r"\textcolor{#FF0080}{x}"),
        (r"\color[RGB]{255,0,0} x", r"\color{#FF0000} x"),
        (r"\colorbox[HTML]{ff8800}{x}", r"\colorbox{#FF8800}{x}"),
        (r"\color[gray]{0.5}x", r"\color{#808080}x"),
        (r"\textcolor{rgb(255,128,0)}{x}", r"\textcolor{#FF8000}{x}"),
        (r"\color[rgb]{2,0,0}x", r"\color[rgb]{2,0,0}x"),
        (r"\color[HTML]{zz}x", r"\color[HTML]{zz}x"),
        (r"\color[rgb]{a,b,c}x", r"\color[rgb]{a,b,c}x"),
    ],
)
def test_colour_models_become_hex(tex: str, expected: str) -> None:
    assert rewrite(tex, display=False) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (r"r@{\;}l", "rl"),
        (r"p{2cm}c", "lc"),
        (r"*{3}{c}|c", "ccc|c"),
        (r">{\bfseries}c<{x}:c", "c|c"),
        (r"@{}c@{}", "c"),
        ("cc", "cc"),
    ],
)
def test_array_column_specs(spec: str, expected: str) -> None:
    tex = rf"\begin{{array}}{{{spec}}} a \end{{array}}"
    assert rewrite(tex, display=False) == rf"\begin{{array}}{{{expected}}} a \end{{array}}"


def test_markdown_escaped_star_environment() -> None:
    tex = r"\begin{align\*} a &= b \end{align\*}"
    assert rewrite(tex, display=True) == r"\begin{align*} a &= b \end{align*}"


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\mathop{X}\limits_a", r"\mathop{\underset{a}{\mathop{X}}}"),
        (r"\mathop{X}\limits^b", r"\mathop{\overset{b}{\mathop{X}}}"),
        (r"\mathop{X}\limits_a^b y", r"\mathop{\underset{a}{\overset{b}{\mathop{X}}}} y"),
        (r"\mathop{X}_a", r"\mathop{X}_a"),
        (r"\mathop{X}\limitsfoo", r"\mathop{X}\limitsfoo"),
    ],
)
def test_mathop_limits(tex: str, expected: str) -> None:
    assert rewrite(tex, display=False) == expected


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\text{if $x>0$}", r"\text{if }{x>0}"),
        (r"\text{$a$ and $b$}", r"{a}\text{ and }{b}"),
        (r"\textbf{cost \$5 $x$}", r"\textbf{cost \$5 }{x}"),
        (r"\text{one $x}", r"\text{one $x}"),
        (r"\text{no math}", r"\text{no math}"),
    ],
)
def test_math_inside_text(tex: str, expected: str) -> None:
    assert rewrite(tex, display=False) == expected


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"损失 = 交叉熵", r"\text{损失} = \text{交叉熵}"),
        (r"设 x \in \mathbb{R}", r"\text{设} x \in \mathbb{R}"),
        (r"a，b", r"a\text{，}b"),
        (r"\text{中文} x", r"\text{中文} x"),
        (r"x_{\text{输入}}", r"x_{\text{输入}}"),
        (r"\mathrm{输出}_i", r"\mathrm{输出}_i"),
        (r"\text{a {中} b}", r"\text{a {中} b}"),
        (r"\frac{中}{文}", r"\frac{\text{中}}{\text{文}}"),
        (r"\label{eq:中文} x", r"\label{eq:中文} x"),
        (r"中 文 字", r"\text{中 文 字}"),
    ],
)
def test_chinese_in_math_becomes_text(tex: str, expected: str) -> None:
    assert rewrite(tex, display=False) == expected


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"a \\ b", r"\begin{gathered}a \\ b\end{gathered}"),
        (r"a &= b \\ c &= d", r"\begin{aligned}a &= b \\ c &= d\end{aligned}"),
        (r"\begin{aligned}a&=b\\c\end{aligned}", r"\begin{aligned}a&=b\\c\end{aligned}"),
        (r"\begin{cases}a&b\end{cases}", r"\begin{cases}a&b\end{cases}"),
        (r"\{a\} \& b", r"\{a\} \& b"),
        (r"{a \\ b}", r"{a \\ b}"),
    ],
)
def test_loose_rows_in_display(tex: str, expected: str) -> None:
    assert rewrite(tex, display=True) == expected


def test_loose_rows_inline_are_left_alone() -> None:
    assert rewrite(r"a \\ b", display=False) == r"a \\ b"


def test_bordermatrix() -> None:
    out = rewrite(r"\bordermatrix{ & x & y \cr a & 1 & 2 \cr b & 3 & 4 }", display=False)
    assert r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}" in out
    assert r"\begin{matrix} x & y \end{matrix}" in out
    assert r"\begin{matrix} a \\ b \end{matrix}" in out


@pytest.mark.parametrize(
    "tex", [r"\frac{a}{b}", r"x^2 + y^2", r"\begin{pmatrix}a\end{pmatrix}", "", r"\text{plain}"]
)
def test_formulas_needing_nothing_are_unchanged(tex: str) -> None:
    assert rewrite(tex, display=False) == tex
    assert rewrite(tex, display=True) == tex
