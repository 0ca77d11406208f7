"""Formulas are found by their delimiters and reach the renderer exactly as written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.render.helpers import formulas, html_of, texts
from transmit.render.delimiters import mask_formula_pipes, scan_math
from transmit.render.markdown import parse


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("$x$", [("x", False)]),
        ("a $x_1 * y_1 + a_2 * b_2$ b", [("x_1 * y_1 + a_2 * b_2", False)]),
        ("$a_1$ and $b_1$", [("a_1", False), ("b_1", False)]),
        ("$*a*$ and $*b*$", [("*a*", False), ("*b*", False)]),
        ("$_a_$ then $_b_$", [("_a_", False), ("_b_", False)]),
        ("$x$是一个变量", [("x", False)]),
        ("变量$x$是", [("x", False)]),
        ("值 $\\alpha $ 很小", [("\\alpha ", False)]),
        ("$a \\$ b$", [("a \\$ b", False)]),
        ("$\\{a\\}$", [("\\{a\\}", False)]),
        ("$a<b & c>d$", [("a<b & c>d", False)]),
        ("$a \\\\ b$", [("a \\\\ b", False)]),
        ("$\\|x\\|$", [("\\|x\\|", False)]),
        ("$\\textcolor{#FF8800}{x}$", [("\\textcolor{#FF8800}{x}", False)]),
        ("${{a}}^{{b}}$", [("{{a}}^{{b}}", False)]),
        ("\\(x^2\\)", [("x^2", False)]),
        ("a \\(p(x|y)\\) b", [("p(x|y)", False)]),
        ("a \\[x_1\\] b", [("x_1", True)]),
        ("kramdown $$x^2$$ inline", [("x^2", False)]),
        (
            "$$\\begin{cases}a\\\\b\\end{cases}$$ here",
            [("\\begin{cases}a\\\\b\\end{cases}", False)],
        ),
        (
            "$\\begin{cases}a & 1\\\\b\\end{cases}$",
            [("\\begin{cases}a & 1\\\\b\\end{cases}", False)],
        ),
        ("a $x\ny$ b", [("x\ny", False)]),
        ("**$a$**", [("a", False)]),
        ("[$a$](http://x)", [("a", False)]),
        ("$`a`$", [("`a`", False)]),
    ],
)
def test_inline_formulas_are_taken_verbatim(source: str, expected: list[tuple[str, bool]]) -> None:
    assert formulas(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "costs $5 and $10",
        "it cost $12.50.",
        "$361.97",
        "US$5 and HK$10",
        "between $ 5 and $ 10",
        "awk '{print $1 \"\\t\" $4}'",
        "set ${HOME} and ${PATH}",
        "echo $HOME and $PATH",
        "\\$x\\$ is a literal",
        "a $ b",
        "$5 or $ 10 apples",
        "$$ $$",
        "`$x$` in code",
        "x = $1$2",
    ],
)
def test_text_that_is_not_a_formula_stays_text(source: str) -> None:
    assert formulas(source) == []


def test_currency_and_escaped_dollars_beside_a_formula() -> None:
    source = "It cost $5, then \\$6, so $x_1 * y_1$ and $10 more."
    assert texts(source) == ["x_1 * y_1"]
    html = html_of(source)
    assert "It cost $5, then $6, so " in html and " and $10 more." in html


def test_code_span_wins_when_it_opens_first() -> None:
    assert texts("`a $b` c $d$") == ["d"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("$$\nx\n$$", "\nx\n"),
        ("$$x = 1$$", "x = 1"),
        ("  $$x$$  ", "x"),
        ("$$\n\\begin{aligned}\na &= b \\\\\nc\n\\end{aligned}\n$$", None),
        ("$$\\begin{aligned}\na &= b \\\\\n\\end{aligned}$$", None),
        ("$$\na\n    b = 1\n$$", None),
        ("$$\n- a\n# b\n> c\n$$", None),
        ("$$\na\n\nb\n$$", None),
        ("$$\nx \\\\$$", None),
        ("\\[\nx\n\\]", "\nx\n"),
        ("\\[x\\]", "x"),
    ],
)
def test_display_blocks(source: str, expected: str | None) -> None:
    """`expected` None: everything between the two-character delimiters."""
    assert formulas(source) == [(source.strip()[2:-2] if expected is None else expected, True)]


@pytest.mark.parametrize(
    "source",
    [
        "\\begin{equation}\nE = mc^2\n\\end{equation}",
        "\\begin{align*}\na &= b \\\\\n    c &= d\n\\end{align*}",
        "\\begin{aligned}\na\n\\end{aligned}",
        "\\begin{cases}\na\n\\end{cases}",
        "\\begin{pmatrix}\na & b\n\\end{pmatrix}",
        "\\begin{align}\n\\begin{align}x\\end{align}\n\\end{align}",
        "\\begin{align\\*}\na\n\\end{align\\*}",
        "\\begin{gather}\na\n\nb\n\\end{gather}",
    ],
)
def test_bare_environments_are_display_formulas_whole(source: str) -> None:
    assert formulas(source) == [(source, True)]
    assert formulas("text\n" + source + "\nmore") == [(source, True)]


def test_unknown_environments_are_not_math() -> None:
    assert formulas("\\begin{document}\nx\n\\end{document}") == []


def test_display_math_interrupts_a_paragraph_and_the_paragraph_goes_on_after() -> None:
    source = "The loss is\n$$\nL = x\n$$\nwhere x is *small*."
    assert formulas(source) == [("\nL = x\n", True)]
    html = html_of(source)
    assert html.startswith('<p>The loss is</p>\n<div class="math-display">')
    assert "<p>where x is <em>small</em>.</p>" in html


def test_a_closing_double_dollar_of_an_inline_formula_opens_nothing() -> None:
    source = "where $$a +\n$$ is the sum, and\n$$\nb\n$$"
    assert formulas(source) == [("a +\n", False), ("\nb\n", True)]


def test_an_unclosed_display_block_is_not_math_and_loses_nothing() -> None:
    source = "$$\nx *a* y\n\nmore"
    assert formulas(source) == []
    assert "x <em>a</em> y" in html_of(source)


def test_four_space_indented_lines_inside_display_math_are_not_code() -> None:
    source = "$$\n    x = 1\n        y = 2\n$$\n"
    assert formulas(source) == [("\n    x = 1\n        y = 2\n", True)]
    assert "<pre" not in html_of(source)


def test_fenced_code_keeps_its_dollars() -> None:
    source = "```\n$x$ $$\ny\n$$\n```\n"
    assert formulas(source) == []
    assert "$x$ $$\ny\n$$" in html_of(source)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("- $a_1 * b_1$\n- $c_1 * d_1$", ["a_1 * b_1", "c_1 * d_1"]),
        ("- item\n\n  $$\n  x\n      y\n  $$", ["\nx\n    y\n"]),
        ("1. step\n   \\[\n   a \\\\ b\n   \\]", ["\na \\\\ b\n"]),
        ("> $$\n> q_1 * q_2\n> $$", ["\nq_1 * q_2\n"]),
        ("> quote $x_1$\n> more $y_2$", ["x_1", "y_2"]),
        ("- a<br/>$x_1$", ["x_1"]),
        ("Text[^1].\n\n[^1]: note $f_n * g_n$", ["f_n * g_n"]),
        ("Term\n: defined by $d_1$", ["d_1"]),
        ("# Title $O(n)$", ["O(n)"]),
    ],
)
def test_math_in_containers(source: str, expected: list[str]) -> None:
    assert texts(source) == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("| $p(x|y)$ | b |", ["p(x|y)"]),
        ("| $\\|x\\|$ | b |", ["\\|x\\|"]),
        ("| \\(a|b\\) | $c|d$ |", ["a|b", "c|d"]),
        ("| $x \\vert y$ | b |", ["x \\vert y"]),
        ("| $5 | $10 |", []),
    ],
)
def test_pipes_inside_formulas_do_not_split_table_cells(row: str, expected: list[str]) -> None:
    source = f"| h | k |\n|---|---|\n{row}\n"
    assert texts(source) == expected
    html = html_of(source)
    assert html.count("<td>") == 2


def test_a_table_right_after_a_line_of_text_is_a_table() -> None:
    """As markdown-it, GitHub and Typora have it: no empty line is needed before a table."""
    html = html_of("Results on the test set:\n| model | $a|b$ |\n|---|---|\n| ours | 1 |\n")
    assert html.startswith("<p>Results on the test set:</p>\n")
    assert "<th>model</th>" in html
    assert "<td>ours</td>" in html
    assert texts("Results:\n| $a|b$ |\n|---|\n") == ["a|b"]


def test_table_cell_without_math_still_splits_on_escaped_pipes() -> None:
    html = html_of("| h | k |\n|---|---|\n| a \\| b | c |\n")
    assert "<td>a | b</td>" in html


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("| $a|b$ |", "| $a\ue002b$ |"),
        ("| `$a|b$` |", "| `$a|b$` |"),
        ("| a | b |", "| a | b |"),
        ("| \\$a | b$ |", "| \\$a | b$ |"),
    ],
)
def test_mask_formula_pipes(line: str, expected: str) -> None:
    assert mask_formula_pipes(line) == expected


def test_scan_math_reports_the_span() -> None:
    span = scan_math("ab $x$ c", 3)
    assert span is not None
    assert (span.start, span.end, span.tex, span.display, span.markup) == (3, 6, "x", False, "$")
    assert scan_math("ab $x$ c", 0) is None


def test_lines_of_formulas_are_file_lines_within_the_body() -> None:
    source = "a\n\n- item $x$\n\n| h |\n|---|\n| $y$ |\n\n> q\n> $z$\n\n"
    source += "$$\nw\n$$\n\nT[^n]\n\n[^n]: $v$\n"
    parsed = {f.tex: f.line for f in parse(source, unsafe_html=True).page.formulas}
    assert parsed == {"x": 3, "y": 7, "z": 10, "\nw\n": 12, "v": 18}


# ---- property: whatever TeX is written between the delimiters reaches the renderer unchanged

_TEX_CHARS = st.sampled_from(list("_*\\{}|<&>ab xyz01是^'\"#%"))
_tex = st.text(_TEX_CHARS, min_size=1, max_size=30).filter(
    lambda t: not t[0].isspace() and not t[-1].isspace() and (len(t) - len(t.rstrip("\\"))) % 2 == 0
)


@settings(max_examples=200, deadline=None)
@given(_tex)
def test_property_inline_dollar(tex: str) -> None:
    assert formulas("a $" + tex + "$ b") == [(tex, False)]


@settings(max_examples=200, deadline=None)
@given(_tex)
def test_property_paren(tex: str) -> None:
    assert formulas("a \\(" + tex + "\\) b") == [(tex, False)]
    if any(sign in tex for sign in "\\^_=+{}<>|"):  # else `\\[…\\]` is taken for brackets
        assert formulas("a \\[" + tex + "\\] b") == [(tex, True)]


@settings(max_examples=200, deadline=None)
@given(_tex)
def test_property_table_cell_and_list_item(tex: str) -> None:
    assert formulas(f"| h |\n|---|\n| ${tex}$ |\n") == [(tex, False)]
    assert formulas(f"- a ${tex}$ b\n- c\n") == [(tex, False)]
    assert formulas(f"1. a \\({tex}\\)\n") == [(tex, False)]


_block_line = st.text(st.sampled_from(list("_*\\{}|<&ab xyz01是^#>-")), max_size=20).filter(
    lambda line: "$$" not in line and "\\]" not in line
)
_block = st.lists(_block_line, min_size=1, max_size=6).map("\n".join)


@settings(max_examples=120, deadline=None)
@given(_block)
def test_property_display_blocks(tex: str) -> None:
    assert formulas("$$\n" + tex + "\n$$\n") == [("\n" + tex + "\n", True)]
    assert formulas("\\[\n" + tex + "\n\\]\n") == [("\n" + tex + "\n", True)]


@settings(max_examples=150, deadline=None)
@given(_block)
def test_property_display_block_in_a_list_item(tex: str) -> None:
    indented = "\n".join("  " + line if line else "" for line in tex.split("\n"))
    source = "- item\n\n  $$\n" + indented + "\n  $$\n"
    assert formulas(source) == [("\n" + tex + "\n", True)]


def test_formulas_in_raw_html_blocks_are_found_outside_tags_and_code() -> None:
    source = (
        '<div align="center">\n$$x_1 * y_1$$ and $a$ <span title="$b$">t</span>\n'
        "<code>$c$</code> <!-- $e$ --> $5 and $10\n</div>\n\n<center>\\(f\\)</center>\n"
    )
    parsed = parse(source, unsafe_html=True)
    assert [(f.tex, f.display, f.line) for f in parsed.page.formulas] == [
        ("x_1 * y_1", True, 2),
        ("a", False, 2),
        ("f", False, 6),
    ]
    html = parsed.render()
    assert '<span title="$b$">' in html and "<code>$c$</code>" in html and "$5 and $10" in html
    assert '<code class="math-source">$a$</code>' in html


def test_formulas_in_html_blocks_are_text_when_raw_html_is_off() -> None:
    parsed = parse("<div>\n$a$\n</div>", unsafe_html=False)
    assert [f.tex for f in parsed.page.formulas] == ["a"]
    assert "&lt;div&gt;" in parsed.render()


@pytest.mark.parametrize(
    "source", ["see \\[1\\] and \\[2, 3\\]", "\\[TOC\\] here", "a \\[b c\\] d"]
)
def test_brackets_escaped_for_markdown_inside_a_sentence_are_text(source: str) -> None:
    assert formulas(source) == []
    assert "[" in html_of(source)


def test_bracket_display_math_with_tex_inside_a_sentence_is_math() -> None:
    assert formulas("a \\[x^2\\] b") == [("x^2", True)]
    assert formulas("\\[\nx\n\\]") == [("\nx\n", True)]


def test_many_unclosed_openers_stay_fast_and_text() -> None:
    source = "$$x\n\n" * 3000 + "\\begin{align}\n\n" * 2000 + "\\[a\n\n" * 2000
    assert formulas(source) == []
    one_paragraph = "$$x\n" * 3000
    assert len(formulas(one_paragraph)) == 1500


def test_bare_macro_definitions_are_a_hidden_formula() -> None:
    source = (
        "\\newcommand{\\Prv}{\\mathcal{P}}\n\\newcommand{\\Fld}{\\mathbb{F}}\n"
        "\\def\\RR{\\mathbb{R}}\n\\DeclareMathOperator*{\\argmax}{arg\\,max}\n"
        "\\renewcommand{\\vec}[1]{\n  \\mathbf{#1}\n}\n\nUse $\\Prv$ here.\n"
    )
    parsed = parse(source, unsafe_html=True)
    definitions, use = parsed.page.formulas
    assert definitions.tex == source.split("\n\n")[0]
    assert (use.tex, use.line) == ("\\Prv", 9)
    html = parsed.render()
    assert html.startswith("<p>Use ") and "newcommand" not in html


@pytest.mark.parametrize(
    "source",
    ["\\newcommand is a TeX command", "\\def is short", "\\newcommand{\\x}{unbalanced"],
)
def test_text_about_definitions_stays_text(source: str) -> None:
    assert formulas(source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("see \\eqref{eq:a} above", ["\\eqref{eq:a}"]),
        ("式 \\ref{eq:loss} 中", ["\\ref{eq:loss}"]),
        ("\\eqref{a b} and \\refx{a}", []),
        ("`\\eqref{a}`", []),
    ],
)
def test_references_in_prose_go_to_the_renderer(source: str, expected: list[str]) -> None:
    assert texts(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("其中 $1 = \\tau_1 < \\tau_K = N $,把", ["1 = \\tau_1 < \\tau_K = N "]),
        ("当$\\lambda_n^2 \\equiv 0$时", ["\\lambda_n^2 \\equiv 0"]),
        ("$\\sigma_n^2 = \\beta_n或\\sigma_n^2$", ["\\sigma_n^2 = \\beta_n或\\sigma_n^2"]),
        ("paid $5 or $ 10 today", []),
    ],
)
def test_sloppy_spaces_in_real_notes(source: str, expected: list[str]) -> None:
    assert texts(source) == expected
