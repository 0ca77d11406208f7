"""Formulas to MathML Core at build time (interim: math-core alone, a fallback comes next)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import math_core


@dataclass(frozen=True, slots=True)
class Formula:
    tex: str
    display: bool
    line: int | None


@dataclass(frozen=True, slots=True)
class RenderedFormula:
    html: str
    error: str | None


class MathRenderer:
    """Renders the formulas of one page at a time, so macros and labels work across a page."""

    def __init__(self, macros: Mapping[str, str] | None = None) -> None:
        self._macros = {name.lstrip("\\"): body for name, body in (macros or {}).items()}

    def render_page(
        self, formulas: Sequence[Formula], *, id_prefix: str = ""
    ) -> list[RenderedFormula]:
        converter = math_core.LatexToMathML(
            macros=self._macros, fancy_error=False, id_prefix=id_prefix
        )
        rendered = []
        for formula in formulas:
            try:
                markup = converter.convert_with_local_state(
                    formula.tex, displaystyle=formula.display
                )
                rendered.append(RenderedFormula(markup, None))
            except math_core.LatexError as error:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else "unknown"
                source = f'<code class="math-error">{html.escape(formula.tex)}</code>'
                rendered.append(RenderedFormula(source, f"cannot render formula: {reason}"))
        return rendered
