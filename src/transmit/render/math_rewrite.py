"""Rewrites of TeX that math-core lacks into TeX it has, each with the same meaning.

Applied to expanded formulas before any engine runs. Every step is guarded by one
combined regex search so that the common formula, needing none, costs one scan.
"""

from __future__ import annotations

import re

from transmit.render.math_arrays import simplify_arrays
from transmit.render.math_tex import (
    find_environment,
    match_brace,
    read_argument,
    skip_spaces,
    split_top_level,
    top_level,
    top_level_positions,
)

_NEEDS_WORK_RE = re.compile(
    r"\\(?:dots[cobmi]|textup|mbox|hbox|pmb|hspace\*|require|unicode|begin\s*\{(?:split|alignat"
    r"|alignedat|flalign|eqnarray|smallmatrix|array)|substack|mathop|bordermatrix|pu|mathbbm"
    r"|mathds|vspace|leftroot|uproot|ensuremath|textsuperscript|textsubscript|Vec|textcolor|color|colorbox"
    r"|fcolorbox)(?![A-Za-z@])|\\begin\s*\{[a-zA-Z]+\\\*\}"
    r"|\\begin\s*\{(?:aligned|gathered|alignedat|array)\}\s*\["
    r"|[\$\u00a0\u200b\ufeff]|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\U00020000-\U0002ffff]"
)
_RENAMES = {
    "mathbbm": "\\mathbb",
    "mathds": "\\mathbb",
    "Vec": "\\vec",
    "ensuremath": "",
    "dotsc": "\\ldots",
    "dotso": "\\ldots",
    "dotsb": "\\cdots",
    "dotsm": "\\cdots",
    "dotsi": "\\cdots",
    "textup": "\\textrm",
    "mbox": "\\text",
    "hbox": "\\text",
    "pmb": "\\boldsymbol",
}
_RENAME_RE = re.compile(r"\\(" + "|".join(_RENAMES) + r")(?![A-Za-z@])|\\hspace\*")
_ENV_RENAMES = {
    "split": "aligned",
    "alignat": "align",
    "alignat*": "align*",
    "alignedat": "aligned",
    "flalign": "align",
    "flalign*": "align*",
}
_PLACEMENT_RE = re.compile(r"(\\begin\s*\{(?:aligned|gathered|alignedat|array)\})\s*\[[tbc]\]")
_COLOR_MODEL_RE = re.compile(
    r"\\(textcolor|color|colorbox|fcolorbox)\s*\[\s*(rgb|RGB|HTML|gray)\s*\]\s*\{([^{}]*)\}"
)
_CSS_RGB_RE = re.compile(r"\\(textcolor|color|colorbox)\s*\{\s*rgb\(([^(){}]*)\)\s*\}")
_ESCAPED_STAR_RE = re.compile(r"(\\(?:begin|end)\s*\{[a-zA-Z]+)\\\*\}")
_ENV_RE = re.compile(r"\\(begin|end)\s*\{(split|alignat\*?|alignedat|flalign\*?)\}")
_CJK_RUN = (
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\U00020000-\U0002ffff]"
    r"(?:[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\U00020000-\U0002ffff ]*"
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\U00020000-\U0002ffff])?"
)
_CJK_RE = re.compile(_CJK_RUN)
_CJK_SCAN_RE = re.compile(r"(\\[A-Za-z@]+\*?)\s*(\{)?|\\.|[{}]|(" + _CJK_RUN + ")", re.S)
# Arguments of these are text (or names), where CJK is already at home.
_TEXT_COMMANDS = frozenset(
    {
        *("text", "textrm", "textbf", "textit", "textsf", "texttt", "textnormal", "textmd"),
        *("textsl", "emph", "mathrm", "operatorname", "label", "tag", "eqref", "ref", "href"),
        *("color", "textcolor", "colorbox", "mathtt", "mathsf", "mathbf", "mathit"),
    }
)
_TEXT_WITH_MATH_RE = re.compile(r"\\(?:text|textrm|textbf|textit|textsf|texttt|textnormal)\s*\{")
_DOLLAR_RE = re.compile(r"\\.|\$", re.S)


def rewrite(tex: str, display: bool) -> str:
    """tex with every construct math-core lacks replaced by an equivalent it has."""
    if _NEEDS_WORK_RE.search(tex) is not None:
        tex = _rename_commands(tex)
        tex = _rename_environments(tex)
        if "\\substack" in tex:
            tex = _replace_command(tex, "substack", _substack)
        if "\\mathop" in tex:
            tex = _mathop_limits(tex)
        if "\\bordermatrix" in tex:
            tex = _replace_command(tex, "bordermatrix", _bordermatrix)
        if "\\pu" in tex:
            tex = _replace_command(tex, "pu", _physical_unit)
        if "$" in tex:
            tex = _math_inside_text(tex)
        # Pasted from the web: TeX reads a no-break space as a space and ignores the rest.
        tex = tex.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
        tex = _wrap_cjk(tex)
    if display and ("\\\\" in tex or "&" in tex):
        tex = _wrap_loose_rows(tex)
    return tex


def _rename_commands(tex: str) -> str:
    def rename(m: re.Match[str]) -> str:
        return "\\hspace" if m.group(1) is None else _RENAMES[m.group(1)]

    tex = _RENAME_RE.sub(rename, tex)
    # Spacing tweaks without a MathML counterpart; the formula reads the same without them.
    for name in ("require", "vspace*", "vspace", "leftroot", "uproot"):
        if "\\" + name in tex:
            tex = _replace_command(tex, re.escape(name), lambda arg: "")
    if "\\text" in tex:
        tex = _replace_command(tex, "textsuperscript", lambda arg: f"^{{\\text{{{arg}}}}}")
        tex = _replace_command(tex, "textsubscript", lambda arg: f"_{{\\text{{{arg}}}}}")
    if "color" in tex:
        tex = _COLOR_MODEL_RE.sub(lambda m: _hex_color(m, *m.groups()), tex)
        tex = _CSS_RGB_RE.sub(lambda m: _hex_color(m, m.group(1), "RGB", m.group(2)), tex)
    if "\\unicode" in tex:
        tex = _replace_command(tex, "unicode", _unicode_char)
    return tex


def _hex_color(m: re.Match[str], command: str, model: str, value: str) -> str:
    r"""xcolor's \color[rgb]{1,0.5,0} (and RGB, HTML, gray, CSS rgb()) as \color{#FF8000}."""
    try:
        if model == "HTML":
            code = value.strip().upper()
            if not re.fullmatch(r"[0-9A-F]{6}", code):
                return m.group()
            return f"\\{command}{{#{code}}}"
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        return m.group()
    if model == "gray" and len(parts) == 1:
        parts = parts * 3
    if len(parts) != 3:
        return m.group()
    scale = 1 if model == "RGB" else 255
    channels = [round(p * scale) for p in parts]
    if any(not 0 <= c <= 255 for c in channels):
        return m.group()
    return f"\\{command}{{#{''.join(f'{c:02X}' for c in channels)}}}"


def _unicode_char(arg: str) -> str | None:
    """MathJax's \\unicode{x2192} (or decimal) as the character itself, when that is safe."""
    arg = arg.strip()
    try:
        code = int(arg[1:], 16) if arg[:1] in "xX" and len(arg) > 1 else int(arg)
        char = chr(code)
    except (ValueError, OverflowError):
        return None
    if not char.isprintable() or char in "\\{}$&#^_%~":
        return None
    return f"\\text{{{char}}}" if char.isalpha() else char


def _replace_command(tex: str, name: str, build: object) -> str:
    """Replace each \\name{arg} by build(arg); build returns None to leave a use alone."""
    pattern = re.compile(r"\\" + name + r"(?![A-Za-z@])")
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(tex):
        if m.start() < pos:
            continue
        arg = read_argument(tex, m.end())
        if arg is None:
            continue
        new = build(arg[0])  # type: ignore[operator]
        if new is None:
            continue
        out.append(tex[pos : m.start()])
        out.append(new)
        pos = arg[1]
    out.append(tex[pos:])
    return "".join(out)


def _rename_environments(tex: str) -> str:
    if "\\begin" not in tex:
        return tex

    def rename(m: re.Match[str]) -> str:
        return f"\\{m.group(1)}{{{_ENV_RENAMES[m.group(2)]}}}"

    # Vertical placement ([t], [b], [c]) only matters beside other text in LaTeX's boxes.
    tex = _PLACEMENT_RE.sub(r"\1", tex)
    # Markdown-escaped stars (\begin{align\*}) are never TeX; they mean align*.
    tex = _ESCAPED_STAR_RE.sub(r"\1*}", tex)
    if "array" in tex:
        tex = simplify_arrays(tex)
    # alignat{n} and alignedat{n} lose their column count, which align needs not.
    tex = re.sub(r"(\\begin\s*\{(?:alignat\*?|alignedat)\})\s*\{\s*\d+\s*\}", r"\1", tex)
    tex = _ENV_RE.sub(rename, tex)
    for name in ("eqnarray", "eqnarray*"):
        tex = _transform_environment(tex, name, _eqnarray)
    return _transform_environment(tex, "smallmatrix", _smallmatrix)


def _transform_environment(tex: str, name: str, build: object) -> str:
    start = 0
    while (found := find_environment(tex, start, name)) is not None:
        begin, body_start, body_end, end = found
        new = build(name, tex[body_start:body_end])  # type: ignore[operator]
        tex = tex[:begin] + new + tex[end:]
        start = begin + len(new)
    return tex


def _eqnarray(name: str, body: str) -> str:
    """eqnarray's "a &=& b" rows as align's "a &= b" (the relation joins the right side)."""
    rows, seps = split_top_level(body)
    fixed = []
    for row in rows:
        amps = top_level_positions(row, "&")
        fixed.append(row[: amps[1]] + " " + row[amps[1] + 1 :] if len(amps) >= 2 else row)
    star = "*" if name.endswith("*") else ""
    return f"\\begin{{align{star}}}{_interleave(fixed, seps)}\\end{{align{star}}}"


def _smallmatrix(name: str, body: str) -> str:
    """smallmatrix is a matrix in script size: a subarray with centred columns."""
    rows, _ = split_top_level(body)
    columns = max(len(top_level_positions(row, "&")) + 1 for row in rows)
    return f"\\begin{{subarray}}{{{'c' * columns}}}{body}\\end{{subarray}}"


def _interleave(rows: list[str], seps: list[str]) -> str:
    return "".join(row + sep for row, sep in zip(rows, [*seps, ""], strict=True))


def _substack(arg: str) -> str:
    return f"\\begin{{subarray}}{{c}}{arg}\\end{{subarray}}"


def _mathop_limits(tex: str) -> str:
    r"""\mathop{X}\limits_a^b, which math-core refuses, as X with a under and b over it."""
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"\\mathop(?![A-Za-z@])", tex):
        if m.start() < pos:
            continue
        arg = read_argument(tex, m.end())
        if arg is None:
            continue
        j = skip_spaces(tex, arg[1])
        if not tex.startswith("\\limits", j) or tex[j + 7 : j + 8].isalpha():
            continue
        j += len("\\limits")
        scripts: dict[str, str] = {}
        while (k := skip_spaces(tex, j)) < len(tex) and tex[k] in "_^" and tex[k] not in scripts:
            script = read_argument(tex, k + 1)
            if script is None:
                break
            scripts[tex[k]], j = script[0], script[1]
        new = f"\\mathop{{{arg[0]}}}"
        if "^" in scripts:
            new = f"\\overset{{{scripts['^']}}}{{{new}}}"
        if "_" in scripts:
            new = f"\\underset{{{scripts['_']}}}{{{new}}}"
        out.append(tex[pos : m.start()])
        out.append(f"\\mathop{{{new}}}")
        pos = j
    out.append(tex[pos:])
    return "".join(out)


def _bordermatrix(arg: str) -> str:
    r"""Plain TeX's \bordermatrix: labels above and left of a parenthesised matrix."""
    rows = [row.split("&") for row in re.split(r"\\cr(?![A-Za-z@])", arg) if row.strip()]
    if len(rows) < 2 or any(len(row) < 2 for row in rows):
        return "\\bordermatrix{" + arg + "}"
    heads = " & ".join(cell.strip() for cell in rows[0][1:])
    labels = " \\\\ ".join(row[0].strip() for row in rows[1:])
    body = " \\\\ ".join(" & ".join(cell.strip() for cell in row[1:]) for row in rows[1:])
    return (
        f"\\begin{{matrix}} & \\begin{{matrix}} {heads} \\end{{matrix}} \\\\ "
        f"\\begin{{matrix}} {labels} \\end{{matrix}} & "
        f"\\begin{{pmatrix}} {body} \\end{{pmatrix}} \\end{{matrix}}"
    )


def _physical_unit(arg: str) -> str:
    r"""mhchem's \pu{123 kJ/mol}: a number followed by an upright unit."""
    m = re.fullmatch(r"\s*([-+]?[\d.,]+(?:[eE][-+]?\d+)?)?\s*(.*?)\s*", arg, re.S)
    assert m is not None
    number, unit = m.group(1), m.group(2)
    unit_tex = f"\\mathrm{{{unit}}}" if unit else ""
    if number and unit:
        return f"{number}\\,{unit_tex}"
    return number or unit_tex


def _math_inside_text(tex: str) -> str:
    r"""\text{if $x>0$} as \text{if }x>0: math-core has no math inside text."""
    out: list[str] = []
    pos = 0
    for m in _TEXT_WITH_MATH_RE.finditer(tex):
        if m.start() < pos:
            continue
        end = match_brace(tex, m.end() - 1)
        if end is None:
            continue
        body = tex[m.end() : end - 1]
        dollars = [d.start() for d in _DOLLAR_RE.finditer(body) if d.group() == "$"]
        if not dollars or len(dollars) % 2:
            continue
        command = tex[m.start() : m.end()]
        parts: list[str] = []
        last = 0
        for open_, close in zip(dollars[::2], dollars[1::2], strict=True):
            if body[last:open_]:
                parts.append(f"{command}{body[last:open_]}}}")
            parts.append("{" + body[open_ + 1 : close] + "}")
            last = close + 1
        if body[last:]:
            parts.append(f"{command}{body[last:]}}}")
        out.append(tex[pos : m.start()])
        out.append("".join(parts))
        pos = end
    out.append(tex[pos:])
    return "".join(out)


def _wrap_cjk(tex: str) -> str:
    """Chinese written straight into math becomes \\text, as the author meant."""
    if _CJK_RE.search(tex) is None:
        return tex
    out: list[str] = []
    pos = 0
    stack: list[bool] = []  # per open group: is it a text argument?
    in_text = False
    for m in _CJK_SCAN_RE.finditer(tex):
        if m.group(3) is not None:
            if not in_text:
                out.append(tex[pos : m.start()])
                out.append(f"\\text{{{m.group(3)}}}")
                pos = m.end()
        elif m.group(1) is not None:
            if m.group(2) is not None:
                stack.append(in_text)
                in_text = in_text or m.group(1).rstrip("*")[1:] in _TEXT_COMMANDS
        elif m.group() == "{":
            stack.append(in_text)
        elif m.group() == "}" and stack:
            in_text = stack.pop()
    out.append(tex[pos:])
    return "".join(out)


def _wrap_loose_rows(tex: str) -> str:
    r"""Display math with "\\" or "&" outside any environment, as the rows the author meant."""
    outside = top_level(tex)
    if "&" in outside:
        return f"\\begin{{aligned}}{tex}\\end{{aligned}}"
    if "\0" in outside:
        return f"\\begin{{gathered}}{tex}\\end{{gathered}}"
    return tex
