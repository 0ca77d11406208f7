"""Small scanners over TeX source, shared by the macro expander, the rewrites and numbering.

They read TeX the way a TeX parser would only as far as we need: control sequences,
balanced braces, optional brackets, rows of an environment. Everything works on plain
strings and indices so the common case (no match) stays a single regex search.
"""

from __future__ import annotations

import re

# A control sequence (word or symbol) or any other single character.
TOKEN_RE = re.compile(r"\\(?:[A-Za-z@]+|.)|.", re.S)
CONTROL_WORD_RE = re.compile(r"\\([A-Za-z@]+)")
# What matters for brace matching: escapes first, so "\{" and "\\" never count.
_BRACE_RE = re.compile(r"\\.|[{}]", re.S)
_BRACKET_RE = re.compile(r"\\.|[{}\]]", re.S)
# What matters for rows and columns: environments, braces, row and column separators.
_STRUCTURE_RE = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}|\\\\|\\.|[{}&]", re.S)
_TRAILING_WORD_RE = re.compile(r"(\\+)[A-Za-z@]+$")
# Tokens that open a nesting level in TeX or in a renderer's recursive parser.
_NESTING_RE = re.compile(r"\\(?:left|begin)(?![A-Za-z@])|\\(?:right|end)(?![A-Za-z@])|\\.|[{}]|\\")
_ESCAPED_RE = re.compile(r"\\[\\{}&]")
_INNER_GROUP_RE = re.compile(r"\{[^{}]*\}")
_INNER_ENV_RE = re.compile(r"\\begin(?:(?!\\begin(?![A-Za-z@])).)*?\\end(?![A-Za-z@])", re.S)


def skip_spaces(s: str, i: int) -> int:
    """Index of the first non-space character at or after i."""
    n = len(s)
    while i < n and s[i] in " \t\r\n":
        i += 1
    return i


def match_brace(s: str, i: int) -> int | None:
    """Given s[i] == "{", the index just past its matching "}", or None if unbalanced."""
    depth = 0
    for m in _BRACE_RE.finditer(s, i):
        ch = m.group()
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return m.end()
    return None


def read_argument(s: str, i: int) -> tuple[str, int] | None:
    """One undelimited TeX argument at or after i: a braced group (braces removed) or a token."""
    i = skip_spaces(s, i)
    if i >= len(s):
        return None
    if s[i] == "{":
        end = match_brace(s, i)
        if end is None:
            return None
        return s[i + 1 : end - 1], end
    if s[i] == "}":
        return None
    m = TOKEN_RE.match(s, i)
    assert m is not None
    return m.group(), m.end()


def read_optional(s: str, i: int) -> tuple[str | None, int]:
    """An optional "[...]" argument at or after i (braces protect "]"); (None, i) if absent."""
    j = skip_spaces(s, i)
    if j >= len(s) or s[j] != "[":
        return None, i
    depth = 0
    for m in _BRACKET_RE.finditer(s, j + 1):
        ch = m.group()
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "]" and depth == 0:
            return s[j + 1 : m.start()], m.end()
    return None, i


def glue(left: str, right: str) -> str:
    """Concatenate TeX so that a control word ending left does not swallow right's letters."""
    if right and ((right[0].isascii() and right[0].isalpha()) or right[0] == "@"):
        m = _TRAILING_WORD_RE.search(left)
        if m and len(m.group(1)) % 2 == 1:
            return left + " " + right
    return left + right


def too_deep(s: str, limit: int) -> bool:
    """Whether a recursive TeX parser would nest more than limit levels on s.

    Counts groups, \\left and \\begin levels, and chains of prefix commands and scripts
    (\\hat\\hat\\hat x nests without braces). Used to refuse input that would overflow a
    native parser's stack; cheap when s is obviously shallow.
    """
    # Every level needs a brace or a command; scripts without either fail before they nest.
    if len(s) <= limit or s.count("{") + s.count("\\") <= limit:
        return False
    depth = 0
    for m in _NESTING_RE.finditer(s):
        tok = m.group()
        if tok in ("{", "\\left", "\\begin"):
            depth += 1
            if depth > limit:
                return True
        elif tok in ("}", "\\right", "\\end"):
            depth -= 1
    chain = r"(?:\s*(?:\\[A-Za-z@]+|[\^_{\[])){" + str(limit) + "}"
    return re.search(chain, s) is not None


def top_level(s: str) -> str:
    """s with every group and environment removed, "\\\\" as NUL: what stands at the top level."""
    s = _ESCAPED_RE.sub(_escape_marker, s)
    previous = None
    while previous != s:
        previous = s
        s = _INNER_GROUP_RE.sub("", s)
    previous = None
    while previous != s:
        previous = s
        s = _INNER_ENV_RE.sub("", s)
    return s


def _escape_marker(m: re.Match[str]) -> str:
    return "\0" if m.group() == "\\\\" else ""


def split_top_level(body: str) -> tuple[list[str], list[str]]:
    """Split an environment body into rows at "\\\\" outside braces and nested environments.

    Returns the rows and the separators between them (each "\\\\" with any "*" or "[len]"
    that follows), so "".join of interleaved rows and separators gives body back.
    """
    rows: list[str] = []
    seps: list[str] = []
    depth = 0
    start = 0
    pos = 0
    while True:
        m = _STRUCTURE_RE.search(body, pos)
        if m is None:
            break
        tok = m.group()
        pos = m.end()
        if m.group(1) == "begin" or tok == "{":
            depth += 1
        elif m.group(1) == "end" or tok == "}":
            depth -= 1
        elif tok == "\\\\" and depth == 0:
            end = m.end()
            if end < len(body) and body[end] == "*":
                end += 1
            _, after = read_optional(body, end)
            rows.append(body[start : m.start()])
            seps.append(body[m.start() : after])
            start = pos = after
    rows.append(body[start:])
    return rows, seps


def top_level_positions(body: str, what: str) -> list[int]:
    """Start indices of "&" or "\\\\" (what) outside braces and environments."""
    found: list[int] = []
    depth = 0
    for m in _STRUCTURE_RE.finditer(body):
        tok = m.group()
        if m.group(1) == "begin" or tok == "{":
            depth += 1
        elif m.group(1) == "end" or tok == "}":
            depth -= 1
        elif tok == what and depth == 0:
            found.append(m.start())
    return found


def find_environment(s: str, start: int, name: str) -> tuple[int, int, int, int] | None:
    """Locate \\begin{name} at or after start and its matching \\end{name}.

    Returns (begin_start, body_start, body_end, end_end), or None if not found or unbalanced.
    """
    begin = re.compile(r"\\begin\s*\{" + re.escape(name) + r"\}")
    m = begin.search(s, start)
    if m is None:
        return None
    depth = 0
    for t in re.finditer(r"\\(begin|end)\s*\{" + re.escape(name) + r"\}|\\.", s[m.start() :], re.S):
        if t.group(1) == "begin":
            depth += 1
        elif t.group(1) == "end":
            depth -= 1
            if depth == 0:
                return m.start(), m.end(), m.start() + t.start(), m.start() + t.end()
    return None
