"""MathRenderer as the Markdown layer uses it: formulas of a page in, one HTML fragment each out."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transmit.render.math import Formula, MathRenderer, RenderedFormula

LEAF_RE = re.compile(r"<(mi|mo|mn|mtext)\b[^>]*>([^<]*)</\1>")
ID_RE = re.compile(r'\sid="([^"]*)"')
HREF_RE = re.compile(r'\shref="#([^"]*)"')
MATH = MathRenderer()  # shared by the property tests, which would be slow to set up per example


@pytest.fixture(scope="module")
def renderer() -> MathRenderer:
    return MathRenderer()


def render(renderer: MathRenderer, tex: str, display: bool = False) -> RenderedFormula:
    return renderer.render_page([Formula(tex, display, 1)])[0]


def leaves(markup: str) -> list[tuple[str, str]]:
    """The token elements of MathML, as (element, text) with entities decoded."""
    return [(m.group(1), html.unescape(m.group(2))) for m in LEAF_RE.finditer(markup)]


def page(*formulas: tuple[str, bool]) -> list[Formula]:
    return [Formula(tex, display, n + 1) for n, (tex, display) in enumerate(formulas)]


# Each kind of formula notes contain, with a piece of MathML that shows it was understood.
KINDS = [
    (r"\frac{a}{b}", "<mfrac>"),
    (r"\sqrt{x}", "<msqrt>"),
    (r"\sqrt[3]{x}", "<mroot>"),
    (r"\sum_{i=1}^n x_i", "∑"),
    (r"\int_0^1 f(x)\,dx", "∫"),
    (r"\iint_D f", "∬"),
    (r"\prod_{i} x_i", "∏"),
    (r"\mathbb{R}^n", "ℝ"),
    (r"\mathcal{L}", "ℒ"),
    (r"\boldsymbol{\alpha}", "𝜶"),
    (r"\bm{x}", "𝒙"),
    (r"\mathbf{W}", "𝐖"),
    (r"\operatorname{rank}(A)", "<mi>rank</mi>"),
    (r"\|x\|_2", "‖"),
    (r"x \vert y", "|"),
    (r"\left( \frac{a}{b} \right)", "<mo>(</mo>"),
    (r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}", "<mo>{</mo>"),
    (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", "<mo>(</mo>"),
    (r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", "<mo>[</mo>"),
    (r"\begin{vmatrix} a & b \\ c & d \end{vmatrix}", "<mo>|</mo>"),
    (r"\begin{matrix} a & b \\ c & d \end{matrix}", "<mtable"),
    (r"\begin{array}{c|c} a & b \\ \hline c & d \end{array}", "border-top"),
    (r"\begin{aligned} a &= b \\ &= c \end{aligned}", "<mtable"),
    (r"\text{中文}", "<mtext>中文</mtext>"),
    (r"损失 = 交叉熵", "<mtext>损失</mtext>"),
    (r"\textcolor{#FF8800}{x}", "color:#FF8800"),
    (r"\color{red} x", "color:#FF0000"),
    (r"\hat{x}", "<mover"),
    (r"\widehat{xy}", "<mover"),
    (r"\tilde{x}", "<mover"),
    (r"\widetilde{xyz}", "<mover"),
    (r"\overset{\text{def}}{=}", "<mtext>def</mtext>"),
    (r"\underset{x}{\arg\min}", "<munder>"),
    (r"\stackrel{?}{=}", "<mover>"),
    (r"\xrightarrow{f}", "→"),
    (r"\mathop{\mathrm{Var}}\limits_{x}", "<munder>"),
    (r"\operatorname*{arg\,max}_x f", "arg"),
    (r"x^\top", "⊤"),
    (r"p(y \mid x)", "∣"),
    (r"\lVert x \rVert", "‖"),
    (r"\langle x, y \rangle", "⟨"),
    (r"\bigg( x \bigg)", "maxsize"),
    (r"\Big[ x \Big]", "maxsize"),
    (r"\sum_{\substack{i \\ j}} a_{ij}", "<mtable"),
    (r"\overbrace{a+b}^{n}", "⏞"),
    (r"\underbrace{a+b}_{n}", "⏟"),
    (r"\boxed{E = mc^2}", 'notation="box"'),
    (r"\cancel{x}", "strike"),
    (r"\sideset{_a^b}{_c^d}\sum", "<mmultiscripts>"),
    (r"\dfrac{a}{b}", "<mfrac>"),
    (r"\tfrac{1}{2}", "<mfrac>"),
    (r"\cfrac{1}{1 + \cfrac{1}{x}}", "<mfrac"),
    (r"\binom{n}{k}", 'linethickness="0"'),
    (r"a \equiv b \pmod{m}", "<mi>mod</mi>"),
    (r"\nabla f", "∇"),
    (r"\partial_x f", "∂"),
    (r"\infty", "∞"),
    (r"\mathrm{d}x", 'mathvariant="normal"'),
    (r"a\;b\,c\!d", "<mspace"),
    (r"a \quad b \qquad c", 'width="2em"'),
    (r"a \hspace{1em} b", 'width="1em"'),
    (r"95\%", "%"),
    (r"\#\text{params}", "#"),
    (r"A \& B", "&amp;"),
    (r"\begin{smallmatrix} a & b \\ c & d \end{smallmatrix}", "<mtable"),
    (r"\text{if $x > 0$}", "<mtext>if"),
]


@pytest.mark.parametrize(("tex", "expected"), KINDS)
def test_each_kind_renders_inline(renderer: MathRenderer, tex: str, expected: str) -> None:
    result = render(renderer, tex)
    assert result.error is None, result.error
    assert result.html.startswith("<math>") and result.html.endswith("</math>")
    assert expected in result.html


@pytest.mark.parametrize(("tex", "expected"), KINDS)
def test_each_kind_renders_as_display_block(
    renderer: MathRenderer, tex: str, expected: str
) -> None:
    result = render(renderer, tex, display=True)
    assert result.error is None, result.error
    assert result.html.startswith('<math display="block"')
    assert expected in result.html


@pytest.mark.parametrize(
    "tex",
    [
        r"\begin{equation} E = mc^2 \end{equation}",
        r"\begin{equation*} E = mc^2 \end{equation*}",
        r"\begin{align} a &= b \\ c &= d \end{align}",
        r"\begin{align*} a &= b \\ c &= d \end{align*}",
        r"\begin{gather} a = b \\ c = d \end{gather}",
        r"\begin{gather*} a = b \\ c = d \end{gather*}",
        r"\begin{multline} a + b \\ + c \end{multline}",
        r"\begin{multline*} a + b \\ + c \end{multline*}",
        r"\begin{split} a &= b \\ &= c \end{split}",
        r"\begin{equation}\begin{split} a &= b \\ &= c \end{split}\end{equation}",
        r"\begin{alignat}{2} a &= b & c &= d \end{alignat}",
        r"\begin{flalign} a &= b \end{flalign}",
        r"\begin{eqnarray} y &=& ax + b \end{eqnarray}",
        r"\begin{gathered} a \\ b \end{gathered}",
        r"\begin{aligned}[t] a &= b \end{aligned}",
        r"a &= b \\ c &= d",
        r"a \\ b",
    ],
)
def test_display_environments_render(renderer: MathRenderer, tex: str) -> None:
    result = render(renderer, tex, display=True)
    assert result.error is None, result.error
    assert "<mtable" in result.html


def test_aligned_placement_argument_is_not_shown_as_text(renderer: MathRenderer) -> None:
    result = render(renderer, r"\begin{aligned}[t] a &= b \end{aligned}", display=True)
    assert ("mi", "t") not in leaves(result.html)


def test_split_renders_like_aligned(renderer: MathRenderer) -> None:
    split = render(renderer, r"\begin{split} a &= b \\ &= c \end{split}", display=True)
    aligned = render(renderer, r"\begin{aligned} a &= b \\ &= c \end{aligned}", display=True)
    assert split.error is None
    assert split.html == aligned.html


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"a_*b_*", [("mi", "a"), ("mo", "∗"), ("mi", "b"), ("mo", "∗")]),
        (r"x_{*}^{*}", [("mi", "x"), ("mo", "∗"), ("mo", "∗")]),
        (r"a_i * b_j", [("mi", "a"), ("mi", "i"), ("mo", "∗"), ("mi", "b"), ("mi", "j")]),
        (r"x_1 x_2", [("mi", "x"), ("mn", "1"), ("mi", "x"), ("mn", "2")]),
        (r"|x|", [("mo", "|"), ("mi", "x"), ("mo", "|")]),
        (r"x < y", [("mi", "x"), ("mo", "<"), ("mi", "y")]),
        (r"a<b>c", [("mi", "a"), ("mo", "<"), ("mi", "b"), ("mo", ">"), ("mi", "c")]),
        (r"A \& B", [("mi", "A"), ("mo", "&"), ("mi", "B")]),
        (r"\{a\}", [("mo", "{"), ("mi", "a"), ("mo", "}")]),
        (r"\text{a\_b}", [("mtext", "a_b")]),
    ],
)
def test_markdown_sensitive_characters_survive(
    renderer: MathRenderer, tex: str, expected: list[tuple[str, str]]
) -> None:
    result = render(renderer, tex)
    assert result.error is None
    assert leaves(result.html) == expected


def test_ampersand_and_less_than_are_escaped(renderer: MathRenderer) -> None:
    result = render(renderer, r"x < y \& z")
    assert "&lt;" in result.html and "&amp;" in result.html
    assert "< y" not in result.html


def test_inline_has_no_display_attribute(renderer: MathRenderer) -> None:
    assert "display=" not in render(renderer, "x^2").html


# Macros -----------------------------------------------------------------------------------


def test_site_macros_apply() -> None:
    site = MathRenderer({"\\R": "\\mathbb{R}", "\\norm": "\\left\\|#1\\right\\|"})
    first, second = site.render_page(page((r"x \in \R^n", False), (r"\norm{x}", False)))
    assert first.error is None and "ℝ" in first.html
    assert second.error is None and "‖" in second.html


def test_site_macro_names_may_omit_the_backslash() -> None:
    site = MathRenderer({"E": "\\mathbb{E}"})
    assert "𝔼" in site.render_page(page((r"\E[X]", False)))[0].html


def test_bad_site_macro_name_is_reported() -> None:
    with pytest.raises(ValueError, match="not a TeX command"):
        MathRenderer({"two words": "x"})


def test_page_macros_carry_to_later_formulas(renderer: MathRenderer) -> None:
    results = renderer.render_page(
        page(
            (
                r"\newcommand{\E}{\mathbb{E}} \newcommand{\norm}[1]{\left\lVert #1 \right\rVert}",
                True,
            ),
            (r"x = 1", False),
            (r"\E[\norm{x}]", False),
        )
    )
    assert [r.error for r in results] == [None, None, None]
    assert "𝔼" in results[2].html and "‖" in results[2].html


def test_page_macros_do_not_leak_to_the_next_page(renderer: MathRenderer) -> None:
    renderer.render_page(page((r"\newcommand{\leaky}{L}", False)))
    result = renderer.render_page(page((r"\leaky", False)))[0]
    assert result.error is not None


@pytest.mark.parametrize(
    ("definition", "use", "expected"),
    [
        (r"\renewcommand{\d}{\mathrm{d}}", r"\d x", ("mi", "d")),
        (r"\def\d{\mathrm{d}}", r"\int f \d x", ("mi", "d")),
        (r"\renewcommand{\b}{\boldsymbol{b}}", r"\b", ("mi", "𝒃")),
        (r"\newcommand{\S}{\mathbb{S}}", r"s \in \S", ("mi", "𝕊")),
        (r"\def\R{\mathbb{R}}", r"\R", ("mi", "ℝ")),
        (r"\let\epsilon\varepsilon", r"\epsilon", ("mi", "ε")),
    ],
)
def test_builtins_can_be_redefined(
    renderer: MathRenderer, definition: str, use: str, expected: tuple[str, str]
) -> None:
    results = renderer.render_page(page((definition, False), (use, False)))
    assert results[1].error is None
    assert expected in leaves(results[1].html)


def test_redefinition_does_not_change_other_pages(renderer: MathRenderer) -> None:
    renderer.render_page(page((r"\renewcommand{\b}{\boldsymbol{b}}", False)))
    result = renderer.render_page(page((r"\b", False)))[0]
    assert ("mi", "𝒃") not in leaves(result.html)


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\newcommand{\inner}[2]{\langle #1, #2 \rangle} \inner{x}{y}", "⟨"),
        (r"\newcommand{\vv}[1][x]{\mathbf{#1}} \vv + \vv[y]", "𝐲"),
        (r"\DeclareMathOperator{\Tr}{Tr} \Tr(A)", "<mi>Tr</mi>"),
        (r"\DeclareMathOperator*{\esssup}{ess\,sup} \esssup_x f", "ess"),
        (r"\gdef\loss{\mathcal{L}} \loss", "ℒ"),
        (r"\def\pd#1#2{\frac{\partial #1}{\partial #2}} \pd{f}{x}", "<mfrac>"),
        (r"\newcommand\KL{D_{\mathrm{KL}}} \KL", "<msub>"),
        (r"\providecommand{\abs}[1]{\left|#1\right|} \abs{x}", "|"),
    ],
)
def test_definition_forms(renderer: MathRenderer, tex: str, expected: str) -> None:
    result = render(renderer, tex)
    assert result.error is None, result.error
    assert expected in result.html


def test_page_definition_overrides_site_macro() -> None:
    site = MathRenderer({"\\R": "\\mathbb{R}"})
    results = site.render_page(page((r"\renewcommand{\R}{\mathcal{R}}", False), (r"\R", False)))
    assert "ℛ" in results[1].html


def test_per_post_macros_by_prepending_a_formula() -> None:
    site = MathRenderer({"\\R": "\\mathbb{R}"})
    preamble = Formula(r"\newcommand{\V}{\mathbb{V}}", False, None)
    body = [Formula(r"\V[X] \subset \R", False, 3)]
    rendered = site.render_page([preamble, *body])[1:]
    assert rendered[0].error is None
    assert "𝕍" in rendered[0].html and "ℝ" in rendered[0].html


def test_definition_only_formula_renders_empty_math(renderer: MathRenderer) -> None:
    result = render(renderer, r"\newcommand{\nothing}{x}", display=True)
    assert result.error is None
    assert result.html.startswith("<math")
    assert leaves(result.html) == []


# Numbering and references --------------------------------------------------------------------

NUMBERED_PAGE = page(
    (r"\begin{equation} \mathcal{L} = -\log p(x) \label{eq:loss} \end{equation}", True),
    (r"\text{by } \eqref{eq:loss} \text{ and } \eqref{eq:later}", False),
    (r"\begin{align} a &= b \label{eq:first} \\ c &= d \nonumber \\ e &= f \end{align}", True),
    (r"y = f(x) \tag{1.1} \label{eq:tagged}", True),
    (r"z = w \label{eq:bare}", True),
    (r"\ref{eq:first}, \eqref{eq:tagged}, \eqref{eq:bare}", False),
    (r"\begin{equation} \label{eq:中文} x = 1 \end{equation}", True),
    (r"\eqref{eq:中文}", False),
    (r"\begin{equation} k = 2 \label{eq:later} \end{equation}", True),
)


def test_equation_numbers_follow_page_order(renderer: MathRenderer) -> None:
    results = renderer.render_page(NUMBERED_PAGE, id_prefix="post-")
    numbers = [text for r in results for kind, text in leaves(r.html) if kind == "mtext"]
    assert [n for n in numbers if n.startswith("(") and "<" not in n] == [
        "(1)",
        "(2)",
        "(3)",
        "(1.1)",
        "(4)",
        "(5)",
        "(6)",
    ]


def test_references_link_to_ids_that_exist(renderer: MathRenderer) -> None:
    results = renderer.render_page(NUMBERED_PAGE, id_prefix="post-")
    assert all(r.error is None for r in results)
    markup = "".join(r.html for r in results)
    ids = set(ID_RE.findall(markup))
    targets = HREF_RE.findall(markup)
    assert len(targets) == 6
    assert set(targets) <= ids


def test_reference_texts(renderer: MathRenderer) -> None:
    results = renderer.render_page(NUMBERED_PAGE, id_prefix="post-")
    assert ">(1)</a>" in results[1].html and ">(6)</a>" in results[1].html
    assert ">2</a>" in results[5].html  # \ref has no parentheses
    assert ">(1.1)</a>" in results[5].html and ">(4)</a>" in results[5].html
    assert ">(5)</a>" in results[7].html


def test_a_formula_that_is_only_a_reference_is_a_plain_link(renderer: MathRenderer) -> None:
    """A link inside <math> is a control inside a role whose children are presentational:
    `$\\eqref{x}$` alone becomes the link itself; in a larger formula it stays inside."""
    results = renderer.render_page(NUMBERED_PAGE, id_prefix="post-")
    assert results[7].html == '<a href="#post-eq-eq:中文">(5)</a>'  # $\eqref{eq:中文}$
    assert results[1].html.startswith("<math")  # text around the references: still a formula


def test_ids_are_unique_prefixed_and_valid(renderer: MathRenderer) -> None:
    duplicate = (r"\begin{equation} x \label{eq:loss} \end{equation}", True)
    results = renderer.render_page([*NUMBERED_PAGE, *page(duplicate)], id_prefix="post-")
    ids = ID_RE.findall("".join(r.html for r in results))
    assert len(ids) == len(set(ids)) == 7
    for element_id in ids:
        assert element_id.startswith("post-")
        assert not re.search(r"\s", element_id)


def test_same_formula_on_two_pages_gets_each_page_prefix(renderer: MathRenderer) -> None:
    formulas = page((r"\begin{equation} x \label{a} \end{equation}", True), (r"\eqref{a}", False))
    one = renderer.render_page(formulas, id_prefix="one-")
    two = renderer.render_page(formulas, id_prefix="two-")
    assert 'id="one-eq-a"' in one[0].html and 'href="#one-eq-a"' in one[1].html
    assert 'id="two-eq-a"' in two[0].html and 'href="#two-eq-a"' in two[1].html


def test_numbering_restarts_on_each_page(renderer: MathRenderer) -> None:
    formulas = page((r"\begin{equation} x \end{equation}", True))
    renderer.render_page(formulas)
    assert ("mtext", "(1)") in leaves(renderer.render_page(formulas)[0].html)


def test_unknown_reference_shows_question_marks_without_link(renderer: MathRenderer) -> None:
    result = render(renderer, r"\eqref{missing}")
    assert result.error is None
    assert "(??)" in result.html and "href" not in result.html


def test_tag_star_has_no_parentheses(renderer: MathRenderer) -> None:
    result = render(renderer, r"y = g(x) \tag*{A}", display=True)
    assert ("mtext", "A") in leaves(result.html)


def test_label_in_fallback_formula_still_anchors_links(renderer: MathRenderer) -> None:
    results = renderer.render_page(
        page(
            (r"\begin{equation} \sout{a} \label{eq:struck} \end{equation}", True),
            (r"\eqref{eq:struck}", False),
        ),
        id_prefix="p-",
    )
    assert results[0].error is None
    assert 'id="p-eq-eq:struck"' in results[0].html
    assert 'href="#p-eq-eq:struck"' in results[1].html


def test_label_in_inline_math_is_ignored(renderer: MathRenderer) -> None:
    result = render(renderer, r"x \label{inline}")
    assert result.error is None
    assert leaves(result.html) == [("mi", "x")]


# Fallback, errors, cache ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "tex",
    [r"\sout{abc}", r"\begin{CD} A @>f>> B \end{CD}", r"\colorbox{yellow}{x}", r"\LaTeX"],
)
def test_katex_fallback_renders_what_math_core_lacks(tex: str) -> None:
    fresh = MathRenderer()
    result = render(fresh, tex, display=True)
    assert result.error is None, result.error
    assert fresh.engine_counts()["katex"] == 1
    assert result.html.startswith('<math display="block"') and result.html.endswith("</math>")
    for katex_only in ("<span", "<semantics", "<annotation", "xmlns", 'class ="', '=""'):
        assert katex_only not in result.html


@pytest.mark.parametrize(
    "tex",
    [r"\frac{", r"\begin{foo}x\end{foo}", r"\undefinedcommand", "x^", r"\left( x", "}", r"a & b"],
)
def test_garbage_gives_an_error_result(renderer: MathRenderer, tex: str) -> None:
    result = render(renderer, tex)
    assert result.html == f'<code class="math-error">{html.escape(tex, quote=False)}</code>'
    assert result.error is not None
    assert result.error.startswith("cannot render formula: ")
    assert "\n" not in result.error and "\x1b" not in result.error
    assert len(result.error) < 250


def test_error_code_escapes_html(renderer: MathRenderer) -> None:
    result = render(renderer, r"\frac{<b>&}{")
    assert "&lt;b&gt;&amp;" in result.html


def test_macro_errors_are_one_line(renderer: MathRenderer) -> None:
    result = render(renderer, r"\newcommand{\f}[1]{#1} \f")
    assert result.error == r"cannot render formula: missing argument for \f"


def test_cache_returns_the_same_output() -> None:
    fresh = MathRenderer()
    formulas = page((r"\sum_i x_i", False), (r"\frac{a}{b}", True))
    first = fresh.render_page(formulas)
    counts = fresh.engine_counts()
    second = fresh.render_page(formulas)
    assert first == second
    assert fresh.engine_counts() == counts


def test_cache_respects_the_macro_context() -> None:
    fresh = MathRenderer()
    one = fresh.render_page(page((r"\def\x{a}", False), (r"\x", False)))
    two = fresh.render_page(page((r"\def\x{b}", False), (r"\x", False)))
    assert leaves(one[1].html) == [("mi", "a")]
    assert leaves(two[1].html) == [("mi", "b")]


def test_repeated_formula_is_rendered_once() -> None:
    fresh = MathRenderer()
    fresh.render_page(page(*[(r"e^{i\pi} + 1 = 0", False)] * 5))
    assert fresh.engine_counts()["math-core"] == 1


# Pathological input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tex",
    [
        "{" * 10_000 + "x" + "}" * 10_000,
        "{" * 10_000,
        "}" * 10_000,
        r"\hat " * 10_000 + "x",
        r"\left(" * 5_000 + "x" + r"\right)" * 5_000,
        r"\begin{matrix}" * 3_000 + "x" + r"\end{matrix}" * 3_000,
        "x^{" * 5_000 + "y" + "}" * 5_000,
        r"\sqrt" * 10_000 + "x",
        r"\def\a{\a\a}\a",
        r"\newcommand{\a}{\a}\a",
        r"\def\a#1{\a{#1#1}}\a x",
        r"\newcommand{\a}{aaaaaaaaaa\a\a}\a",
        "x" * 100_000,
        r"\frac" * 20_000,
        "\\" * 10_001,
    ],
)
def test_pathological_input_returns(renderer: MathRenderer, tex: str) -> None:
    result = render(renderer, tex)
    assert isinstance(result, RenderedFormula)
    assert (result.error is None) == result.html.startswith("<math")


ALPHABET = st.sampled_from(list("abcxyz _*\\{}|<&^"))


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join), st.booleans())
def test_any_string_renders_or_fails_cleanly(tex: str, display: bool) -> None:
    result = MATH.render_page([Formula(tex, display, 1)])[0]
    assert isinstance(result.html, str)
    if result.error is None:
        assert result.html.startswith("<math") and result.html.endswith("</math>")
    else:
        assert result.html.startswith('<code class="math-error">')
        assert "\n" not in result.error


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(ALPHABET, max_size=20).map("".join), max_size=6))
def test_any_page_renders_or_fails_cleanly(texts: list[str]) -> None:
    results = MATH.render_page([Formula(t, n % 2 == 0, n) for n, t in enumerate(texts)])
    assert len(results) == len(texts)
