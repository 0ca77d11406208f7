"""The two formula engines behind transmit, and the clean-up that makes their MathML valid HTML.

math-core (Rust) renders almost everything, fast. KaTeX (through pykatex's bundled
QuickJS) renders much of the rest. Both are wrapped so that a failure is an EngineError
with a one-line reason and the output is a bare <math> element that the Nu HTML validator
accepts and that browsers with MathML Core lay out as the author meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import math_core
import pykatex

# KaTeX paints what it will not render (an untrusted \href, say) in this colour; we treat
# it as a failure. A colour no author picks by hand.
_KATEX_ERROR_COLOR = "#c00001"
_HEX_COLOR_RE = re.compile(r"\\(textcolor|color)\s*\{\s*#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})\s*\}")
# Named colours math-core knows, lent to hex colours it does not parse; swapped back after.
_LOANED_COLORS = (
    *("Apricot", "Bittersweet", "Periwinkle", "Melon", "Mahogany", "Mulberry", "Orchid"),
    *("Sepia", "Thistle", "Tan", "Lavender", "Cerulean", "BurntOrange", "CadetBlue"),
)
_POSITION_RE = re.compile(r"^\d+:\s*")
_KATEX_POSITION_RE = re.compile(r"\s+at position (\d+):.*$", re.S)
_TAG_RE = re.compile(r"<(/?)([a-z]+)\b([^>]*?)(/?)>")
_STYLED_TAG_RE = re.compile(r'<([a-z]+)\b([^>]*?\s(?:displaystyle|scriptlevel)="[^>]*?)>')
_STYLE_ATTRS_RE = re.compile(r'(?:displaystyle|scriptlevel)="[^"]*"')
_EMPTY_LAST_ROW_RE = re.compile(r"<mtr>((?:<mtd[^>]*></mtd>)+)</mtr></mtable>")
_BORDER_TOP_RE = re.compile(r"border-top:\s*([^;\"]*)")
_TABLE_OPEN_CLOSE_RE = re.compile(r"<(/?)mtable\b[^>]*>")
_REM_WIDTH_RE = re.compile(r'(<mspace)\s+width="([^"]*rem)"(\s+style="width:[^"]*")?')
_TABLE_TAG_RE = re.compile(r"<(/?)(mtable|mtr|mtd)\b([^>]*)>")


TagChange = Callable[[str, str, str, int], "tuple[str, str] | None"]


class EngineError(Exception):
    """An engine refused a formula; str() is a one-line reason."""


class MathCoreEngine:
    """math-core with hex colours mapped through loaned names, output made HTML-valid."""

    def __init__(self) -> None:
        self._converter = math_core.LatexToMathML(
            fancy_error=False, allow_unreliable_rendering=True
        )
        self._loans = self._probe_loaned_colors()

    def _probe_loaned_colors(self) -> tuple[tuple[str, str], ...]:
        """(name, the colour math-core emits for it) for each usable loaned name."""
        loans: list[tuple[str, str]] = []
        seen: set[str] = set()
        for name in _LOANED_COLORS:
            try:
                out = self._converter.convert_with_local_state(
                    f"\\textcolor{{{name}}}{{x}}", displaystyle=False
                )
            except math_core.LatexError:
                continue
            m = re.search(r"color:(#[0-9A-Fa-f]{6})", out)
            if m is not None and m.group(1).lower() not in seen:
                seen.add(m.group(1).lower())
                loans.append((name, "color:" + m.group(1)))
        return tuple(loans)

    def render(self, tex: str, display: bool) -> str:
        replacements: list[tuple[str, str]] = []
        if "#" in tex:
            tex, replacements = self._loan_colors(tex)
        try:
            out = self._converter.convert_with_local_state(tex, displaystyle=display)
        except math_core.LatexError as exc:
            raise EngineError(one_line(_POSITION_RE.sub("", str(exc)))) from exc
        except Exception as exc:  # a panic in the native code surfaces as some other error
            raise EngineError(one_line(f"math-core failed: {exc}")) from exc
        if replacements:
            # One pass, so a colour put back is never taken for another loan.
            swap = dict(replacements)
            out = re.sub("|".join(map(re.escape, swap)), lambda m: swap[m.group()], out)
        return valid_mathcore_markup(out)

    def _loan_colors(self, tex: str) -> tuple[str, list[tuple[str, str]]]:
        wanted: dict[str, str] = {}  # hex as written -> loaned name
        available = [loan for loan in self._loans if loan[0] not in tex]

        def loan(m: re.Match[str]) -> str:
            code = m.group(2).upper()
            if len(code) == 3:
                code = "".join(c * 2 for c in code)
            if code not in wanted:
                if len(wanted) >= len(available):
                    return m.group()
                wanted[code] = available[len(wanted)][0]
            return f"\\{m.group(1)}{{{wanted[code]}}}"

        tex = _HEX_COLOR_RE.sub(loan, tex)
        emitted = dict(available)
        return tex, [(emitted[name], f"color:#{code}") for code, name in wanted.items()]


class KatexEngine:
    """KaTeX's MathML output without its wrapper, annotation and MathML-3-only attributes."""

    def render(self, tex: str, display: bool) -> str:
        try:
            out = pykatex.renderToString(
                tex,
                displayMode=display,
                output="mathml",
                throwOnError=True,
                strict="ignore",
                errorColor=_KATEX_ERROR_COLOR,
                maxExpand=1000,
                maxSize=100,
            )
        except Exception as exc:
            message = _KATEX_POSITION_RE.sub(lambda m: f" (position {m.group(1)})", str(exc))
            raise EngineError(one_line(message)) from exc
        if _KATEX_ERROR_COLOR in out:
            found = re.search(r'mathcolor="' + _KATEX_ERROR_COLOR + r'"><mtext>([^<]*)<', out)
            what = found.group(1) if found else "part of the formula"
            raise EngineError(f"KaTeX cannot render {what}")
        return valid_katex_markup(out)


def one_line(message: str) -> str:
    text = " ".join(message.split())
    return text if len(text) <= 200 else text[:199] + "…"


def valid_mathcore_markup(markup: str) -> str:
    """Move scriptlevel/displaystyle off elements where MathML 3 (and so Nu) forbids them.

    mstyle is where MathML 3 wants them (mtable may keep displaystyle): an mrow becomes an
    mstyle, any other element is wrapped in one.
    """
    if "scriptlevel" in markup or "displaystyle" in markup:
        edits: list[tuple[int, int, str]] = []
        for m in _STYLED_TAG_RE.finditer(markup):
            name, attrs = m.group(1), m.group(2)
            if name in ("mstyle", "math"):
                continue
            moved = _STYLE_ATTRS_RE.findall(attrs)
            if name == "mtable":
                moved = [a for a in moved if a.startswith("scriptlevel")]
                if not moved:
                    continue
            close = _matching_close(markup, name, m.end())
            if close is None:
                continue
            if name == "mrow":
                edits.append((m.start(), m.end(), f"<mstyle{attrs}>"))
                edits.append((close, close + len("</mrow>"), "</mstyle>"))
                continue
            rest = attrs
            for attr in moved:
                rest = rest.replace(" " + attr, "", 1)
            edits.append((m.start(), m.end(), f"<mstyle {' '.join(moved)}><{name}{rest}>"))
            edits.append((close, close + len(name) + 3, f"</{name}></mstyle>"))
        if edits:
            markup = _apply_edits(markup, edits)
    if "rem" in markup:
        markup = _REM_WIDTH_RE.sub(_rem_width, markup)
    if "></mtd></mtr></mtable>" in markup:
        markup = _drop_empty_last_rows(markup)
    return markup


def _drop_empty_last_rows(markup: str) -> str:
    r"""A table's empty last row (from a final \\ or \\ \hline) dropped; its rule kept."""
    pos = 0
    while (m := _EMPTY_LAST_ROW_RE.search(markup, pos)) is not None:
        opening = _opening_table(markup, m.end() - len("</mtable>"))
        if opening is None or not markup.endswith("</mtr>", 0, m.start()):
            pos = m.end()
            continue
        rule = _BORDER_TOP_RE.search(m.group(1))
        tag = markup[opening.start() : opening.end()]
        if rule is not None:
            border = f"border-bottom:{rule.group(1)};"
            if ' style="' in tag:
                tag = tag.replace(' style="', f' style="{border}', 1)
            else:
                tag = tag[:-1] + f' style="{border}">'
        markup = (
            markup[: opening.start()]
            + tag
            + markup[opening.end() : m.start()]
            + "</mtable>"
            + markup[m.end() :]
        )
        pos = m.start() + len(tag) - (opening.end() - opening.start())
    return markup


def _opening_table(markup: str, close: int) -> re.Match[str] | None:
    """The <mtable> tag that the </mtable> at close ends."""
    depth = 0
    for tag in reversed(list(_TABLE_OPEN_CLOSE_RE.finditer(markup, 0, close))):
        if tag.group(1):
            depth += 1
        elif depth == 0:
            return tag
        else:
            depth -= 1
    return None


def _matching_close(markup: str, name: str, start: int) -> int | None:
    """Index of the </name> closing the element whose open tag ends at start."""
    depth = 1
    for m in re.compile(rf"<(/?){name}\b[^>]*?(/?)>").finditer(markup, start):
        if m.group(2):
            continue
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    return None


def _apply_edits(markup: str, edits: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    pos = 0
    for begin, end, text in sorted(edits):
        out.append(markup[pos:begin])
        out.append(text)
        pos = end
    out.append(markup[pos:])
    return "".join(out)


def _rem_width(m: re.Match[str]) -> str:
    """mspace width in rem (math-core's \\hspace in pt) is not a MathML 3 length; style says it."""
    return m.group(1) + (m.group(3) or f' style="width:{m.group(2)}"')


def _walk_tags(markup: str, change: TagChange) -> str:
    """Rewrite elements: change(name, attrs, markup, end) gives new open and close tags."""
    out: list[str] = []
    stack: list[str | None] = []
    pos = 0
    for m in _TAG_RE.finditer(markup):
        closing, name, attrs, empty = m.groups()
        if empty:
            continue
        replacement: str | None = None
        if closing:
            replacement = stack.pop() if stack else None
        else:
            new = change(name, attrs, markup, m.end())
            stack.append(None if new is None else new[1])
            replacement = None if new is None else new[0]
        if replacement is not None:
            out.append(markup[pos : m.start()])
            out.append(replacement)
            pos = m.end()
    out.append(markup[pos:])
    return "".join(out)


def _token_with_children(name: str, attrs: str, markup: str, end: int) -> tuple[str, str] | None:
    """KaTeX sometimes nests layout inside <mi>; MathML allows only text there: use mrow."""
    if name in ("mi", "mn", "mo") and markup.startswith("<m", end):
        return "<mrow>", "</mrow>"
    return None


def valid_katex_markup(markup: str) -> str:
    """A bare <math> element from KaTeX's output, with attributes MathML Core understands."""
    start = markup.find("<math")
    end = markup.rfind("</math>")
    if start < 0 or end < 0:
        raise EngineError("KaTeX returned no MathML")
    markup = markup[start : end + len("</math>")]
    markup = re.sub(r"<annotation\b[^>]*>.*?</annotation>", "", markup, flags=re.S)
    markup = markup.replace("<semantics>", "").replace("</semantics>", "")
    markup = re.sub(r' xmlns="[^"]*"', "", markup, count=1)
    markup = re.sub(r'\s+([a-z]+) ?= ?""', "", markup)
    markup = re.sub(r"(\s[a-z]+) =", r"\1=", markup)
    if "<mtable" in markup:
        markup = _table_styles(markup)
    if re.search(r"<m[ino]\b[^>]*><m", markup):
        markup = _walk_tags(markup, _token_with_children)
    return markup


def _table_styles(markup: str) -> str:
    """KaTeX's columnalign and width attributes as the CSS that MathML Core reads."""
    out: list[str] = []
    tables: list[list[str]] = []  # per open table: its column alignments
    column = 0
    pos = 0
    for m in _TABLE_TAG_RE.finditer(markup):
        closing, name, attrs = m.groups()
        if closing:
            if name == "mtable" and tables:
                tables.pop()
            continue
        styles: list[str] = []
        width = re.search(r'\swidth="([^"]*)"', attrs)
        if width is not None:
            styles.append(f"width:{width.group(1)}")
            attrs = attrs[: width.start()] + attrs[width.end() :]
        if name == "mtable":
            align = re.search(r'columnalign="([^"]*)"', attrs)
            tables.append(align.group(1).split() if align else [])
        elif name == "mtr":
            column = 0
        elif tables and "mtr-glue" not in attrs and "mml-eqn-num" not in attrs:
            aligns = tables[-1]
            if aligns:
                side = aligns[min(column, len(aligns) - 1)]
                if side in ("left", "right"):
                    styles.append(f"text-align:{side}")
            column += 1
        if styles:
            attrs += f' style="{";".join(styles)}"'
        out.append(markup[pos : m.start()])
        out.append(f"<{name}{attrs}>")
        pos = m.end()
    out.append(markup[pos:])
    return "".join(out)
