"""Formulas and code taken from a post's previous rendering: the same HTML as rendering them
again, with no engine and no Pygments run for what the previous rendering already made."""

from __future__ import annotations

import dataclasses

import pytest

from tests.render.helpers import Engines, as_in_a_new_process, make_post
from transmit.render import document
from transmit.render.data import RenderOptions
from transmit.render.fragments import Fragments, fragment_key, taken_from
from transmit.render.highlight import Highlighter
from transmit.render.math import Formula, MathRenderer

BODY = r"""Intro with $x_1 * y_1$ and $\alpha$.

$$
\int_0^1 f(x)\,dx
$$

$$\sout{struck}$$

```python {2}
def f(x):
    return x * 2
```

    indented code

Numbered:

$$
\begin{equation} a = b \label{eq:one} \end{equation}
$$

See $\eqref{eq:one}$; a broken one: $\frac{$.

| a | $c^2$ |
|---|---|
| 1 | 2 |
"""


@pytest.fixture(autouse=True)
def fresh_renderers() -> None:
    as_in_a_new_process()


def test_a_key_tells_apart_parts_that_run_together() -> None:
    assert fragment_key("code", "ab", "c") != fragment_key("code", "a", "bc")
    assert fragment_key("code", "a", "") != fragment_key("code", "a")
    assert fragment_key("math", "x") != fragment_key("code", "x")
    assert fragment_key("math", "x", "display") == fragment_key("math", "x", "display")
    assert len(fragment_key("math", "\ud800 lone surrogate")) == 16


def test_spans_find_every_fragment_shown_in_the_body_and_give_it_back() -> None:
    fragments = Fragments()
    fragments.show(b"a" * 16, "<math>a</math>")
    fragments.show(b"b" * 16, "<figure>b</figure>")
    fragments.show(b"c" * 16, "<math>only in an excerpt</math>")
    fragments.show(b"d" * 16, "<math>a</math>")  # shown again under another key
    body = "<p><figure>b</figure> text <math>a</math></p>"
    spans = fragments.spans(body)
    assert {key for key, _, _ in spans} == {b"a" * 16, b"b" * 16, b"d" * 16}
    assert taken_from(body, spans) == {
        b"a" * 16: "<math>a</math>",
        b"b" * 16: "<figure>b</figure>",
        b"d" * 16: "<math>a</math>",
    }


def test_known_counts_what_is_taken() -> None:
    fragments = Fragments({b"k" * 16: "<math>k</math>"})
    assert fragments.known(b"k" * 16) == "<math>k</math>"
    assert fragments.known(b"x" * 16) is None
    assert fragments.taken == 1


def test_formulas_taken_from_a_previous_rendering_match_and_call_no_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    formulas = [
        Formula(r"x_1 * y_1", False, 1),
        Formula(r"\int_0^1 f", True, 2),
        Formula(r"\sout{struck}", True, 3),  # KaTeX's
        Formula(r"\begin{equation} a \label{e} \end{equation}", True, 4),  # numbered
        Formula(r"\frac{", False, 5),  # an error
    ]
    first = Fragments()
    expected = MathRenderer().render_page(formulas, fragments=first)
    body = "".join(result.html for result in expected)
    engines = Engines(monkeypatch)
    taken = Fragments(taken_from(body, first.spans(body)))
    again = MathRenderer().render_page(formulas, fragments=taken)
    assert again == expected
    assert taken.taken == 3
    # only the numbered formula (its HTML is the page's) and the error are rendered again
    assert len(engines.formulas) == 3 and r"\frac{" in engines.formulas


def test_code_taken_from_a_previous_rendering_matches_and_runs_no_pygments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = Fragments()
    expected = Highlighter().render("python {2}", "x = 1\ny = 2\n", "zh-CN", first)
    engines = Engines(monkeypatch)
    taken = Fragments(taken_from(expected, first.spans(expected)))
    assert Highlighter().render("python {2}", "x = 1\ny = 2\n", "zh-CN", taken) == expected
    assert engines.code == [] and taken.taken == 1
    # another label (the site's language) is another block
    english = Highlighter().render("python {2}", "x = 1\ny = 2\n", "en", taken)
    assert english != expected and len(engines.code) == 1


def test_an_edited_post_renders_as_before_with_only_its_new_formula_and_code_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = RenderOptions(language="zh-CN")
    before = Fragments()
    old = document.render_post(make_post(BODY), options, before)
    prior = taken_from(old.html, before.spans(old.html))
    edited = make_post(
        BODY.replace("Intro with", "An edited intro with")
        + "\nNew $\\beta_2$.\n\n```c\nint x;\n```\n"
    )
    as_in_a_new_process()
    expected = document.render_post(edited, options)
    as_in_a_new_process()
    engines = Engines(monkeypatch)
    taken = Fragments(prior)
    again = document.render_post(edited, options, taken)
    assert again == expected
    assert engines.code == ["int x;\n"]
    assert r"\beta_2" in engines.formulas
    for made_before in (r"x_1 * y_1", r"\alpha", r"\sout{struck}"):
        assert not any(made_before in tex for tex in engines.formulas)
    assert taken.taken == 7  # five formulas (one in the table), the fence, the indented block


def test_new_options_take_everything_the_last_rendering_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = make_post(BODY)
    before = Fragments()
    old = document.render_post(post, RenderOptions(), before)
    prior = taken_from(old.html, before.spans(old.html))
    shorter = dataclasses.replace(RenderOptions(), excerpt_length=40, base_path="/notes/")
    as_in_a_new_process()
    expected = document.render_post(post, shorter)
    as_in_a_new_process()
    engines = Engines(monkeypatch)
    again = document.render_post(post, shorter, Fragments(prior))
    assert again == expected
    assert engines.code == []
    # made again: what carries numbers or references (placeholders, filled per page) and the
    # formula no engine renders
    assert engines.formulas and all("tmx" in tex or tex == r"\frac{" for tex in engines.formulas)
