r"""Formulas to MathML at build time: the page's formulas in, one HTML fragment per formula out.

The Markdown layer extracts formulas (TeX between the delimiters, display or inline, source
line) and calls MathRenderer.render_page once per page. Each formula goes through:

1. macro expansion (math_macros): site-wide macros, then the definitions met so far on
   the page, which may redefine built-ins (\d, \b, \S);
2. rewrites (math_rewrite) of what math-core lacks into equivalents it has;
3. numbering (math_numbering) when the formula carries \label, \tag, \eqref, \ref or a
   numbered environment, leaving page-specific parts as placeholders;
4. math-core, else KaTeX (math_engines), cached on the final TeX (and, for a formula without
   numbers, taken from the post's previous rendering when it has it: render.fragments);
5. the page's equation numbers, ids (prefixed with id_prefix) and links filled in.

A formula neither engine renders becomes <code class="math-error"> with its source and a
one-line reason; render_page never raises. To add per-post macros, prepend a Formula
holding their definitions and drop its output.

The output is MathML Core. Browsers stretch delimiters only with a math font (give
`math` a font-family such as "Latin Modern Math" or "STIX Two Math"), and Chromium draws no
<menclose> (\boxed, \cancel, \sout) unless the theme's CSS does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from transmit.render.fragments import Fragments, fragment_key
from transmit.render.math_engines import EngineError, KatexEngine, MathCoreEngine
from transmit.render.math_macros import MacroError, MacroTable, expand
from transmit.render.math_numbering import (
    SENSITIVE_RE,
    NumberedFormula,
    fill_placeholders,
    for_katex,
    number_formula,
)
from transmit.render.math_rewrite import rewrite
from transmit.render.math_tex import too_deep

MAX_TEX_LENGTH = 20_000
MAX_NESTING = 200  # math-core recurses per level; far deeper input overflows its stack
MAX_CACHE_ENTRIES = 200_000
_ID_UNSAFE_RE = re.compile(r"[^\w\-.:]+")
# an inline formula that is nothing but one \eqref or \ref, rendered
_LONE_REFERENCE = re.compile(r'<math><mtext>(<a href="[^"<>]*">[^<>]*</a>)</mtext></math>')


@dataclass(frozen=True, slots=True)
class Formula:
    tex: str  # exactly what stood between the delimiters
    display: bool  # display (block) or inline
    line: int | None  # 1-based source line, for warnings


@dataclass(frozen=True, slots=True)
class RenderedFormula:
    html: str  # a <math> element, or <code class="math-error">escaped TeX</code>
    error: str | None  # None when rendered; else a one-line reason


@dataclass(frozen=True, slots=True)
class _Render:
    """One engine's verdict on one final TeX; html is None when every engine refused."""

    html: str | None
    error: str | None
    engine: str  # or "earlier": taken from the post's previous rendering


_Remembered = tuple[RenderedFormula, MacroTable, bytes | None]


@dataclass(frozen=True, slots=True)
class _Pending:
    """A formula whose numbers, ids and links wait for the whole page."""

    index: int
    source: str
    formula: NumberedFormula
    render: _Render


class MathRenderer:
    """Renders the formulas of pages; one instance per build worker (it is not thread-safe)."""

    def __init__(self, macros: Mapping[str, str] | None = None) -> None:
        self._site_macros = MacroTable.from_config(macros or {})
        self._mathcore = MathCoreEngine()
        self._katex = KatexEngine()
        # (source TeX, display, macro table key) -> result, the table after it, and the key of
        # the result as a fragment (None when it has numbers or is an error)
        self._formula_cache: dict[tuple[str, bool, str], _Remembered] = {}
        # (final TeX, display) -> engine verdict
        self._render_cache: dict[tuple[str, bool], _Render] = {}
        self._counts = {"math-core": 0, "katex": 0, "none": 0}

    def engine_counts(self) -> dict[str, int]:
        """How many distinct final formulas each engine rendered ("none": neither)."""
        return dict(self._counts)

    def render_page(
        self,
        formulas: Sequence[Formula],
        *,
        id_prefix: str = "",
        fragments: Fragments | None = None,
    ) -> list[RenderedFormula]:
        """Render one page's formulas in order; definitions and labels carry across them.
        `fragments`: the formulas the post's previous rendering made, and where to note the
        ones this one shows."""
        results: list[RenderedFormula | None] = [None] * len(formulas)
        pending: list[_Pending] = []
        table = self._site_macros
        next_number = 1
        for i, formula in enumerate(formulas):
            key = (formula.tex, formula.display, table.key)
            hit = self._formula_cache.get(key)
            if hit is not None:
                results[i], table, shown = hit
                if fragments is not None and shown is not None:
                    fragments.show(shown, hit[0].html)
                continue
            try:
                expansion = expand(formula.tex, table)
                tex = rewrite(expansion.tex, formula.display)
                if SENSITIVE_RE.search(tex) is None:
                    made_from = fragment_key("math", tex, "display" if formula.display else "")
                    render = self._render(tex, formula.display, made_from, fragments)
                    result = _result(formula.tex, render)
                    shown = made_from if render.html is not None else None
                    self._remember(key, result, expansion.table, shown)
                    if fragments is not None and shown is not None:
                        fragments.show(shown, result.html)
                    results[i] = result
                else:
                    numbering = number_formula(tex, formula.display, next_number)
                    next_number = numbering.next_number
                    render = self._render(numbering.formula.tex, formula.display)
                    pending.append(_Pending(i, formula.tex, numbering.formula, render))
                table = expansion.table
            except MacroError as exc:
                results[i] = _failure(formula.tex, str(exc))
            except Exception as exc:  # a bug must cost one formula, never the build
                results[i] = _failure(formula.tex, f"internal error: {type(exc).__name__}: {exc}")
        if pending:
            try:
                _link_page(pending, results, id_prefix)
            except Exception as exc:  # as above: lose the numbers, never the page
                for item in pending:
                    results[item.index] = _failure(item.source, f"internal error: {exc}")
        return [
            r if r is not None else _failure(f.tex, "internal error")
            for f, r in zip(formulas, results, strict=True)
        ]

    def _remember(
        self,
        key: tuple[str, bool, str],
        result: RenderedFormula,
        table: MacroTable,
        shown: bytes | None,
    ) -> None:
        if len(self._formula_cache) >= MAX_CACHE_ENTRIES:
            self._formula_cache.clear()
        self._formula_cache[key] = (result, table, shown)

    def _render(
        self,
        tex: str,
        display: bool,
        made_from: bytes | None = None,
        fragments: Fragments | None = None,
    ) -> _Render:
        key = (tex, display)
        hit = self._render_cache.get(key)
        if hit is not None:
            return hit
        earlier = None
        if fragments is not None and made_from is not None:
            earlier = fragments.known(made_from)
        if earlier is not None:
            render = _Render(earlier, None, "earlier")
        else:
            render = self._render_uncached(tex, display)
            self._counts[render.engine] += 1
        if len(self._render_cache) >= MAX_CACHE_ENTRIES:
            self._render_cache.clear()
        self._render_cache[key] = render
        return render

    def _render_uncached(self, tex: str, display: bool) -> _Render:
        if len(tex) > MAX_TEX_LENGTH:
            return _Render(None, f"formula too long ({len(tex)} characters)", "none")
        if too_deep(tex, MAX_NESTING):
            return _Render(None, f"formula nested more than {MAX_NESTING} levels deep", "none")
        try:
            return _Render(self._mathcore.render(tex, display), None, "math-core")
        except EngineError as first:
            try:
                return _Render(self._katex.render(for_katex(tex), display), None, "katex")
            except EngineError:
                return _Render(None, str(first), "none")


def _result(source: str, render: _Render) -> RenderedFormula:
    if render.html is None:
        return _failure(source, render.error or "unknown error")
    return RenderedFormula(render.html, None)


def _failure(source: str, reason: str) -> RenderedFormula:
    code = f'<code class="math-error">{html.escape(source, quote=False)}</code>'
    return RenderedFormula(code, f"cannot render formula: {reason}")


def _link_page(
    pending: list[_Pending], results: list[RenderedFormula | None], id_prefix: str
) -> None:
    """Give labels ids, put numbers and ids into the html, and turn references into links."""
    prefix = "-".join(id_prefix.split())
    used: set[str] = set()
    targets: dict[str, tuple[str | None, bool, str]] = {}  # label -> text, parens, element id
    anchors: list[tuple[dict[int, str], str | None]] = []
    for item in pending:
        ids: dict[int, str] = {}
        anchor: str | None = None
        if item.render.html is not None:
            for label in item.formula.labels:
                element_id = _unique_id(prefix + "eq-" + _slug(label.key), used)
                placed = label.placeholder is not None and (
                    f'id="tmxlbl{label.placeholder}q"' in item.render.html
                )
                if placed:
                    ids[label.placeholder] = element_id  # type: ignore[index]
                else:
                    anchor = anchor or element_id
                    element_id = anchor
                targets.setdefault(label.key, (label.text, label.parenthesised, element_id))
        anchors.append((ids, anchor))
    for item, (ids, anchor) in zip(pending, anchors, strict=True):
        if item.render.html is None:
            results[item.index] = _result(item.source, item.render)
            continue
        markup = fill_placeholders(item.render.html, item.formula, ids)
        if anchor is not None:
            markup = markup.replace("<math", f'<math id="{html.escape(anchor)}"', 1)
        for k, ref in enumerate(item.formula.refs):
            markup = markup.replace(f"tmxref{k}q", _reference(ref.key, ref.eqref, targets))
        if lone := _LONE_REFERENCE.fullmatch(markup):
            # `$\eqref{x}$` alone: the link as it is, since a link inside <math> is a focusable
            # control inside a role whose children are presentational (axe: nested-interactive)
            markup = lone.group(1)
        results[item.index] = RenderedFormula(markup, None)


def _reference(key: str, eqref: bool, targets: dict[str, tuple[str | None, bool, str]]) -> str:
    target = targets.get(key)
    if target is None or target[0] is None:
        return "(??)" if eqref else "??"
    text, parenthesised, element_id = target
    shown = f"({text})" if eqref and parenthesised else text
    return f'<a href="#{html.escape(element_id)}">{html.escape(shown)}</a>'


def _slug(key: str) -> str:
    return _ID_UNSAFE_RE.sub("-", key).strip("-") or "label"


def _unique_id(candidate: str, used: set[str]) -> str:
    element_id = candidate
    n = 2
    while element_id in used:
        element_id = f"{candidate}-{n}"
        n += 1
    used.add(element_id)
    return element_id
