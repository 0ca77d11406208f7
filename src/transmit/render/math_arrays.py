r"""array column specifications beyond l, c, r and |, as math-core reads them.

Notes write @{}, p{3cm}, *{3}{c}, >{\bfseries}c and @{\;=\;} in array specs. math-core
reads only l, c, r and |. Widths and font hooks go (they shape, not say); @{} and !{}
that hold something more than spacing become a column of their own in every row, so
"a @{=} b" keeps its "=".
"""

from __future__ import annotations

import re
from itertools import pairwise

from transmit.render.math_tex import (
    find_environment,
    match_brace,
    read_argument,
    split_top_level,
    top_level_positions,
)

_ARRAY_RE = re.compile(r"\\begin\s*\{(array|subarray)\}\s*\{")
_SIMPLE_SPEC_RE = re.compile(r"[lcr|\s]*")
_SPACING_RE = re.compile(
    r"\\(?:[,:;! ]|quad|qquad|enspace|thinspace|medspace|thickspace)(?![A-Za-z])"
    r"|\\(?:hspace\*?|hskip|kern|extracolsep)\s*(?:\{[^{}]*\}|[-+.\w]+)|[\s{}]"
)
_RULES_RE = re.compile(r"^(\s*(?:\\(?:hline|hdashline)(?![A-Za-z])\s*|\\cline\s*\{[^{}]*\}\s*)*)")


def simplify_arrays(tex: str) -> str:
    """tex with every array's column spec reduced to l, c, r and |."""
    start = 0
    while (m := _ARRAY_RE.search(tex, start)) is not None:
        spec_end = match_brace(tex, m.end() - 1)
        if spec_end is None:
            break
        spec = tex[m.end() : spec_end - 1]
        if _SIMPLE_SPEC_RE.fullmatch(spec):
            start = spec_end
            continue
        columns, inserts = _parse(spec)
        env = find_environment(tex, m.start(), m.group(1))
        if not inserts:
            tex = tex[: m.end()] + columns + tex[spec_end - 1 :]
            start = m.end()
            continue
        if env is None:  # unbalanced: leave it for the engines to report
            start = spec_end
            continue
        _, _, body_end, _ = env
        body = _insert_cells(tex[spec_end:body_end], inserts)
        tex = tex[: m.end()] + columns + "}" + body + tex[body_end:]
        start = m.end()
    return tex


def _parse(spec: str) -> tuple[str, list[tuple[int, str]]]:
    """The simple spec, and (column index, content) of each @{} or !{} that says something."""
    columns: list[str] = []
    inserts: list[tuple[int, str]] = []
    count = 0
    i = 0
    while i < len(spec):
        ch = spec[i]
        arg = read_argument(spec, i + 1) if ch in "@!><pmbw*" else None
        if ch in "lcr":
            columns.append(ch)
            count += 1
        elif ch in "|:":
            columns.append("|")
        elif ch in "@!" and arg is not None:
            if _SPACING_RE.sub("", arg[0]):
                inserts.append((count, arg[0]))
                columns.append("c")
            i = arg[1]
            continue
        elif ch in "><" and arg is not None:
            i = arg[1]
            continue
        elif ch in "pmbw" and arg is not None:
            columns.append("l")
            count += 1
            i = arg[1]
            continue
        elif ch == "*" and arg is not None and (body := read_argument(spec, arg[1])) is not None:
            times = min(int(arg[0]), 100) if arg[0].strip().isdigit() else 1
            spec = spec[:i] + body[0] * times + spec[body[1] :]
            continue
        i += 1
    return "".join(columns) or "c", inserts


def _insert_cells(body: str, inserts: list[tuple[int, str]]) -> str:
    rows, seps = split_top_level(body)
    out: list[str] = []
    for original in rows:
        rules = _RULES_RE.match(original)
        lead = rules.group(1) if rules else ""
        row = original[len(lead) :]
        if not row.strip():  # nothing but rules: a line under the table, not a row
            out.append(original)
            continue
        bounds = [-1, *top_level_positions(row, "&"), len(row)]
        cells = [row[a + 1 : b] for a, b in pairwise(bounds)]
        new: list[str] = []
        for index in range(len(cells) + 1):
            new.extend(f"{{{content}}}" for at, content in inserts if at == index)
            if index < len(cells):
                new.append(cells[index])
        out.append(lead + " & ".join(new))
    return "".join(row + sep for row, sep in zip(out, [*seps, ""], strict=True))
