"""The table of contents read from a post's headings."""

from __future__ import annotations

from transmit.site.outline import headings, toc_for


def flatten(items, depth=0):  # type: ignore[no-untyped-def]
    for item in items:
        yield depth, item.heading.anchor, item.heading.html
        yield from flatten(item.children, depth + 1)


def test_headings_nest_by_level() -> None:
    html = (
        '<h2 id="a">A</h2><p>x</p><h3 id="a1">A1</h3><h4 id="a1x">A1x</h4><h5 id="deep">D</h5>'
        '<h2 id="b">B</h2><h3 id="b1">B1</h3>'
    )
    assert list(flatten(toc_for(html))) == [
        (0, "a", "A"),
        (1, "a1", "A1"),
        (2, "a1x", "A1x"),
        (0, "b", "B"),
        (1, "b1", "B1"),
    ]


def test_a_deeper_first_heading_does_not_lose_the_rest() -> None:
    html = '<h3 id="x">X</h3><h2 id="y">Y</h2><h3 id="z">Z</h3>'
    assert list(flatten(toc_for(html))) == [(0, "x", "X"), (0, "y", "Y"), (1, "z", "Z")]


def test_heading_markup_keeps_formulas_but_drops_links_ids_and_footnote_marks() -> None:
    html = (
        '<h2 id="注意力">注意力 <math id="m1"><mi>α</mi></math> <a href="#x">link</a>'
        '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup></h2>'
    )
    (heading,) = headings(html)
    assert heading.anchor == "注意力"
    assert heading.html == "注意力 <math><mi>α</mi></math> link"


def test_headings_without_an_id_are_not_listed() -> None:
    assert headings('<h2>No id</h2><h2 id="yes">Yes</h2>')[0].anchor == "yes"
    assert toc_for("<p>none</p>") == ()
