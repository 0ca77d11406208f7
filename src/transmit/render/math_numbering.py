r"""Equation numbers, \label, \tag, \eqref and \ref across the display formulas of a page.

transmit numbers equations itself, as MathJax does with AMS numbering: numbered
environments (equation, align, gather, multline) get one number per row or per block,
\tag overrides, \nonumber and \notag suppress, and a display formula with a \label but no
environment is numbered too. Each formula is rewritten into starred environments with
explicit tags whose text, label ids and reference links are placeholders; the page fills
them in after rendering. So the rendered TeX does not depend on where the formula sits,
and the same formula on two pages is rendered once.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from transmit.render.math_tex import find_environment, read_argument, split_top_level

SENSITIVE_RE = re.compile(
    r"\\(?:label|tag|eqref|ref|nonumber|notag)(?![A-Za-z@])"
    r"|\\begin\s*\{(?:equation|align|gather|multline)\}"
)
_NUMBERED_ENV_RE = re.compile(r"\\begin\s*\{(equation|align|gather|multline)(\*?)\}")
_MARK_RE = re.compile(r"\\(label|tag|nonumber|notag)(?![A-Za-z@])(\*?)")
_REF_RE = re.compile(r"\\(eqref|ref)(?![A-Za-z@])")
_LABEL_PLACEHOLDER_RE = re.compile(r"\\label\{tmxlbl\d+q\}")
_TAG_PLACEHOLDER_RE = re.compile(r"\\tag(\*?)\{(tmxtag\d+q)\}")
_SINGLE_EQUATION_RE = re.compile(r"\s*\\begin\{equation\*\}(.*)\\end\{equation\*\}\s*", re.S)
_SYMBOLS = {
    "star": "⋆",
    "ast": "∗",
    "dagger": "†",
    "ddagger": "‡",
    "prime": "′",
    "S": "§",
    "P": "¶",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "ell": "ℓ",
    "infty": "∞",
    "heartsuit": "♡",
    "clubsuit": "♣",
    "diamondsuit": "♢",
    "spadesuit": "♠",
    "sharp": "♯",
    "flat": "♭",
    "natural": "♮",
}


@dataclass(frozen=True, slots=True)
class Label:
    key: str  # as the author wrote it
    text: str | None  # what a reference shows ("3", "1.1"), None if the row has no number
    parenthesised: bool  # \eqref shows (text) unless the tag was \tag*
    placeholder: int | None  # index of its \label{tmxlbl<i>q} in the TeX, None if none kept


@dataclass(frozen=True, slots=True)
class Reference:
    key: str
    eqref: bool  # \eqref (with parentheses) or \ref


@dataclass(frozen=True, slots=True)
class NumberedFormula:
    """A formula ready for the engines, with the page-specific parts left as placeholders."""

    tex: str
    tags: tuple[str, ...]  # plain text of tag i, shown where tmxtag<i>q stands
    labels: tuple[Label, ...]
    refs: tuple[Reference, ...]  # reference i stands as tmxref<i>q


@dataclass(frozen=True, slots=True)
class Numbering:
    formula: NumberedFormula
    next_number: int


def number_formula(tex: str, display: bool, next_number: int) -> Numbering:
    """Give tex its equation numbers, counting on from next_number."""
    refs: list[Reference] = []
    tex = _replace_refs(tex, refs)
    state = _State(next_number)
    tex = _number_display(tex, state) if display else _strip_marks(tex)
    numbered = NumberedFormula(tex, tuple(state.tags), tuple(state.labels), tuple(refs))
    return Numbering(numbered, state.next_number)


def for_katex(tex: str) -> str:
    r"""The numbered TeX as KaTeX's MathML shows it: no \label, tags where it draws them.

    KaTeX draws a \tag only at the top level of display math; inside environments its
    MathML leaves the number out. So equation* is unwrapped, and in other environments a
    tag follows its row's content.
    """
    tex = _LABEL_PLACEHOLDER_RE.sub("", tex)
    if "tmxtag" not in tex or "\\begin" not in tex:
        return tex
    single = _SINGLE_EQUATION_RE.fullmatch(tex)
    if single is not None:
        return single.group(1)
    return _TAG_PLACEHOLDER_RE.sub(
        lambda m: (
            f"\\qquad\\text{{{m.group(2)}}}" if m.group(1) else f"\\qquad\\text{{({m.group(2)})}}"
        ),
        tex,
    )


def tag_text(tex: str) -> str:
    r"""Plain text for a tag's TeX (\tag{$\star$} shows ⋆), for links and for the tag itself."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _SYMBOLS.get(m.group(1), m.group(1)), tex)
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.replace("$", "").replace("{", "").replace("}", "").split())


class _State:
    """Counters while numbering one formula."""

    def __init__(self, next_number: int) -> None:
        self.next_number = next_number
        self.tags: list[str] = []
        self.labels: list[Label] = []
        self.placeholders = 0

    def mark(self, labels: list[str], tag: tuple[str, bool] | None, numbered: bool) -> str:
        """TeX to append to a row: its tag and one label, recording what they mean."""
        text: str | None = None
        parenthesised = True
        suffix = ""
        if tag is not None:
            text, parenthesised = tag_text(tag[0]), not tag[1]
            star = "*" if tag[1] else ""
            suffix = f"\\tag{star}{{tmxtag{len(self.tags)}q}}"
            self.tags.append(text)
        elif numbered:
            text = str(self.next_number)
            self.next_number += 1
            suffix = f"\\tag{{tmxtag{len(self.tags)}q}}"
            self.tags.append(text)
        for i, key in enumerate(labels):
            placeholder = None
            if i == 0 and text is not None:
                placeholder = self.placeholders
                self.placeholders += 1
                suffix += f"\\label{{tmxlbl{placeholder}q}}"
            self.labels.append(Label(key, text, parenthesised, placeholder))
        return suffix


def _replace_refs(tex: str, refs: list[Reference]) -> str:
    if "ref" not in tex:
        return tex
    out: list[str] = []
    pos = 0
    for m in _REF_RE.finditer(tex):
        if m.start() < pos:
            continue
        arg = read_argument(tex, m.end())
        if arg is None:
            continue
        out.append(tex[pos : m.start()])
        out.append(f"\\text{{tmxref{len(refs)}q}}")
        refs.append(Reference(arg[0].strip(), m.group(1) == "eqref"))
        pos = arg[1]
    out.append(tex[pos:])
    return "".join(out)


def _extract_marks(tex: str) -> tuple[str, list[str], tuple[str, bool] | None, bool]:
    r"""Remove \label, \tag, \nonumber, \notag from tex; return what they said."""
    labels: list[str] = []
    tag: tuple[str, bool] | None = None
    suppressed = False
    out: list[str] = []
    pos = 0
    for m in _MARK_RE.finditer(tex):
        if m.start() < pos:
            continue
        kind = m.group(1)
        end = m.end()
        if kind in ("label", "tag"):
            arg = read_argument(tex, end)
            if arg is None:
                continue
            end = arg[1]
            if kind == "label":
                labels.append(arg[0].strip())
            elif tag is None:
                tag = (arg[0], m.group(2) == "*")
        else:
            suppressed = True
        out.append(tex[pos : m.start()])
        pos = end
    out.append(tex[pos:])
    return "".join(out), labels, tag, suppressed


def _strip_marks(tex: str) -> str:
    r"""Inline math: \label and \nonumber mean nothing there; \tag stays and is an error."""
    if "\\label" not in tex and "\\no" not in tex:
        return tex
    out: list[str] = []
    pos = 0
    for m in _MARK_RE.finditer(tex):
        if m.group(1) == "tag" or m.start() < pos:
            continue
        end = m.end()
        if m.group(1) == "label":
            arg = read_argument(tex, end)
            if arg is None:
                continue
            end = arg[1]
        out.append(tex[pos : m.start()])
        pos = end
    out.append(tex[pos:])
    return "".join(out)


def _number_display(tex: str, state: _State) -> str:
    out: list[str] = []
    pos = 0
    found_env = False
    while (m := _NUMBERED_ENV_RE.search(tex, pos)) is not None:
        name, star = m.group(1), m.group(2)
        env = find_environment(tex, m.start(), name + star)
        if env is None:
            break
        found_env = True
        begin, body_start, body_end, end = env
        body = tex[body_start:body_end]
        if name in ("equation", "multline"):
            body, labels, tag, suppressed = _extract_marks(body)
            body += state.mark(labels, tag, numbered=not star and not suppressed)
        else:
            body = _number_rows(body, state, numbered=not star)
        out.append(tex[pos:begin])
        out.append(f"\\begin{{{name}*}}{body}\\end{{{name}*}}")
        pos = end
    out.append(tex[pos:])
    tex = "".join(out)
    if found_env:
        return tex
    body, labels, tag, suppressed = _extract_marks(tex)
    if tag is None and not labels:
        return body
    suffix = state.mark(labels, tag, numbered=not suppressed)
    return f"\\begin{{equation*}}{body}{suffix}\\end{{equation*}}"


def _number_rows(body: str, state: _State, numbered: bool) -> str:
    rows, seps = split_top_level(body)
    out: list[str] = []
    for i, row in enumerate(rows):
        if i == len(rows) - 1 and i > 0 and not row.strip():
            out.append(row)
            continue
        row, labels, tag, suppressed = _extract_marks(row)
        out.append(row + state.mark(labels, tag, numbered=numbered and not suppressed))
    return "".join(row + sep for row, sep in zip(out, [*seps, ""], strict=True))


def fill_placeholders(html_text: str, formula: NumberedFormula, ids: dict[int, str]) -> str:
    """Put tag texts and label ids (ids: placeholder index -> element id) into rendered html."""
    for i, text in enumerate(formula.tags):
        html_text = html_text.replace(f"tmxtag{i}q", html.escape(text))
    for i, element_id in ids.items():
        html_text = html_text.replace(f'id="tmxlbl{i}q"', f'id="{html.escape(element_id)}"')
    return html_text
