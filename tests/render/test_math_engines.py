"""The engines' wrappers: failures as one-line errors, output as HTML-valid MathML."""

from __future__ import annotations

import pytest

from transmit.render.math_engines import (
    EngineError,
    KatexEngine,
    MathCoreEngine,
    one_line,
    valid_katex_markup,
    valid_mathcore_markup,
)


@pytest.fixture(scope="module")
def mathcore() -> MathCoreEngine:
    return MathCoreEngine()


@pytest.fixture(scope="module")
def katex() -> KatexEngine:
    return KatexEngine()


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\textcolor{#FF8800}{x}", "color:#FF8800"),
        (r"\textcolor{#f80}{x}", "color:#FF8800"),
        (r"\color{#00A0FF} y", "color:#00A0FF"),
        (r"\textcolor{#111111}{a}\textcolor{#222222}{b}", "color:#222222"),
    ],
)
def test_hex_colours(mathcore: MathCoreEngine, tex: str, expected: str) -> None:
    out = mathcore.render(tex, False)
    assert expected in out


def test_hex_colours_beyond_the_loans_fail_over(mathcore: MathCoreEngine) -> None:
    tex = "".join(rf"\textcolor{{#{n:06X}}}{{x}}" for n in range(40))
    with pytest.raises(EngineError):
        mathcore.render(tex, False)


def test_hex_colour_equal_to_a_loaned_colour(mathcore: MathCoreEngine) -> None:
    loaned = [emitted.removeprefix("color:") for _, emitted in mathcore._loans[:2]]
    out = mathcore.render(rf"\textcolor{{{loaned[1]}}}{{a}}\textcolor{{#FF8800}}{{b}}", False)
    assert f"color:{loaned[1]}" in out and "color:#FF8800" in out


def test_named_colour_kept_when_also_a_loan(mathcore: MathCoreEngine) -> None:
    out = mathcore.render(r"\textcolor{Apricot}{a}\textcolor{#123456}{b}", False)
    assert "color:#123456" in out
    assert out.count("color:") == 2


@pytest.mark.parametrize(
    ("tex", "message"),
    [
        (r"\frac{", 'Expected closing token "}"'),
        (r"\foo", r'Unknown command "\foo"'),
        (r"\begin{foo}x\end{foo}", 'Unknown environment "foo"'),
    ],
)
def test_mathcore_errors_are_short(mathcore: MathCoreEngine, tex: str, message: str) -> None:
    with pytest.raises(EngineError) as caught:
        mathcore.render(tex, False)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("tex", "message"),
    [
        (r"\foo", r"Undefined control sequence: \foo (position 1)"),
        (r"\href{https://example.org}{x}", r"KaTeX cannot render \href"),
        (r"\def\a{\a\a}\a", "Too many expansions"),
        ("{" * 5000 + "x" + "}" * 5000, "size"),
    ],
)
def test_katex_errors_are_short(katex: KatexEngine, tex: str, message: str) -> None:
    with pytest.raises(EngineError) as caught:
        katex.render(tex, False)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_katex_output_is_a_bare_math_element(katex: KatexEngine) -> None:
    out = katex.render(r"\begin{split}a&=b\\&=c\end{split}", True)
    assert out.startswith('<math display="block">') and out.endswith("</math>")
    assert "annotation" not in out and "semantics" not in out and "xmlns" not in out
    assert 'style="text-align:right"' in out and 'style="text-align:left"' in out


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        (
            '<math><mfrac displaystyle="true"><mi>a</mi><mi>b</mi></mfrac></math>',
            '<math><mstyle displaystyle="true"><mfrac><mi>a</mi><mi>b</mi></mfrac></mstyle></math>',
        ),
        (
            '<math><mrow displaystyle="false" scriptlevel="1"><mi>x</mi></mrow></math>',
            '<math><mstyle displaystyle="false" scriptlevel="1"><mi>x</mi></mstyle></math>',
        ),
        (
            '<math><mtable displaystyle="true" scriptlevel="0"><mtr><mtd><mrow><mi>a</mi></mrow>'
            "</mtd></mtr></mtable></math>",
            '<math><mstyle scriptlevel="0"><mtable displaystyle="true"><mtr><mtd><mrow><mi>a</mi>'
            "</mrow></mtd></mtr></mtable></mstyle></math>",
        ),
        (
            '<math><mtable displaystyle="true"><mtr><mtd></mtd></mtr></mtable></math>',
            '<math><mtable displaystyle="true"><mtr><mtd></mtd></mtr></mtable></math>',
        ),
        (
            '<math><mi>x</mi><mspace width="0.2rem" style="width:0.2rem"/></math>',
            '<math><mi>x</mi><mspace style="width:0.2rem"/></math>',
        ),
        (
            '<math><mspace width="0.2rem"/></math>',
            '<math><mspace style="width:0.2rem"/></math>',
        ),
    ],
)
def test_valid_mathcore_markup(markup: str, expected: str) -> None:
    assert valid_mathcore_markup(markup) == expected


def test_valid_mathcore_markup_handles_nesting() -> None:
    inner = '<mtable displaystyle="false" scriptlevel="1"><mtr><mtd><mi>b</mi></mtd></mtr></mtable>'
    markup = (
        '<math><mtable displaystyle="true" scriptlevel="0"><mtr><mtd>'
        f"{inner}</mtd></mtr></mtable></math>"
    )
    out = valid_mathcore_markup(markup)
    assert "scriptlevel" not in out.replace('<mstyle scriptlevel="0">', "").replace(
        '<mstyle scriptlevel="1">', ""
    )
    assert out.count("<mstyle") == out.count("</mstyle>") == 2
    assert out.endswith("</mtd></mtr></mtable></mstyle></math>")


@pytest.mark.parametrize(
    ("tex", "rows", "bottom_rule"),
    [
        (r"\begin{array}{|c|}\hline a \\ \hline\end{array}", 1, True),
        (r"\begin{array}{c} a \\ b \\\end{array}", 2, False),
        (r"\begin{aligned} a &= b \\\end{aligned}", 1, False),
        (r"\begin{pmatrix}\begin{array}{c}a\\ \hline\end{array}\\\end{pmatrix}", 2, True),
        (r"\begin{array}{c} a \\ \\ b\end{array}", 3, False),
    ],
)
def test_empty_last_rows_are_dropped(
    mathcore: MathCoreEngine, tex: str, rows: int, bottom_rule: bool
) -> None:
    out = mathcore.render(tex, False)
    assert out.count("<mtr>") == rows
    assert ("border-bottom" in out) is bottom_rule


def test_valid_katex_markup() -> None:
    katex_output = (
        '<span class="katex"><math xmlns="http://www.w3.org/1998/Math/MathML"><semantics>'
        '<mtable width="100%" columnspacing=""><mtr><mtd class ="mtr-glue" width="50%"></mtd>'
        '<mtd><mi mathvariant="normal"><munder><mi>x</mi><mo>→</mo></munder></mi></mtd></mtr>'
        '</mtable><annotation encoding="application/x-tex">x</annotation></semantics></math></span>'
    )
    assert valid_katex_markup(katex_output) == (
        '<math><mtable style="width:100%"><mtr><mtd class="mtr-glue" style="width:50%"></mtd>'
        "<mtd><mrow><munder><mi>x</mi><mo>→</mo></munder></mrow></mtd></mtr></mtable></math>"
    )


def test_valid_katex_markup_needs_math() -> None:
    with pytest.raises(EngineError):
        valid_katex_markup("<span>nothing</span>")


def test_one_line() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("x" * 500)) == 200
