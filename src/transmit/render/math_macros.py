"""TeX macro definitions and their expansion, done before any engine sees a formula.

Authors write MathJax-style definitions (\\newcommand, \\renewcommand, \\def, \\gdef,
\\DeclareMathOperator, \\let) in one formula and use them in later ones on the page, and
they redefine built-ins (\\d, \\b, \\S). Neither engine models that the way MathJax does,
so transmit expands user macros itself: every engine then receives plain TeX, and the
expanded text is a sound cache key.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from transmit.render.math_tex import (
    CONTROL_WORD_RE,
    TOKEN_RE,
    glue,
    match_brace,
    read_argument,
    read_optional,
    skip_spaces,
)

MAX_EXPANSIONS = 1000
MAX_EXPANDED_LENGTH = 50_000

_DEFINERS = frozenset(
    {
        "newcommand",
        "renewcommand",
        "providecommand",
        "def",
        "gdef",
        "edef",
        "xdef",
        "DeclareMathOperator",
        "let",
        "global",
    }
)
_DEFINER_RE = re.compile(r"\\(?:" + "|".join(sorted(_DEFINERS)) + r")(?![A-Za-z@])")
_CONTROL_RE = re.compile(r"\\(?:[A-Za-z@]+|.)", re.S)
_PARAM_RE = re.compile(r"#([#1-9])")
_NAME_RE = re.compile(r"\\?([A-Za-z@]+|[^A-Za-z@\s])")


class MacroError(Exception):
    """A definition or a macro use that cannot be expanded; the message is one line."""


@dataclass(frozen=True, slots=True)
class Macro:
    name: str  # without the backslash
    params: int
    default: str | None  # default of an optional first parameter, as in \newcommand
    body: str
    final: bool = False  # body is a built-in captured by \let: emit it, never expand it again


@dataclass(frozen=True, slots=True)
class MacroTable:
    """The macros in force at one point of a page; key identifies the table for caching."""

    by_name: Mapping[str, Macro]
    key: str

    @staticmethod
    def empty() -> MacroTable:
        return MacroTable(MappingProxyType({}), "")

    @staticmethod
    def from_config(macros: Mapping[str, str]) -> MacroTable:
        """Site-wide macros as site.toml gives them: {"\\\\R": "\\\\mathbb{R}"}."""
        found: list[Macro] = []
        for raw_name, body in macros.items():
            m = _NAME_RE.fullmatch(raw_name.strip())
            if m is None:
                raise ValueError(f"math macro name {raw_name!r} is not a TeX command like \\R")
            params = max((int(p) for p in re.findall(r"(?<!#)#([1-9])", body)), default=0)
            found.append(Macro(m.group(1), params, None, body))
        return MacroTable.empty().define(*found)

    def define(self, *macros: Macro) -> MacroTable:
        by_name = dict(self.by_name)
        by_name.update((macro.name, macro) for macro in macros)
        key = "\x01".join(
            f"{m.name}\x00{m.params}\x00{m.default}\x00{m.final}\x00{m.body}"
            for m in sorted(by_name.values(), key=lambda m: m.name)
        )
        return MacroTable(MappingProxyType(by_name), key)

    def used_in(self, tex: str) -> bool:
        """Whether tex may define a macro or use one of the table's (false positives are fine)."""
        if _DEFINER_RE.search(tex) is not None:
            return True
        if not self.by_name:
            return False
        words = CONTROL_WORD_RE.findall(tex)
        return not self.by_name.keys().isdisjoint(words) or any(
            not name.isalpha() for name in self.by_name
        )


@dataclass(frozen=True, slots=True)
class Expansion:
    tex: str
    table: MacroTable


def expand(tex: str, table: MacroTable) -> Expansion:
    """Apply the definitions in tex to table and expand every user macro used in tex."""
    if not table.used_in(tex):
        return Expansion(tex, table)
    defined: dict[str, Macro] = {}
    by_name = ChainMap(defined, table.by_name)
    out = ""
    s = tex
    pos = 0
    expansions = 0
    while True:
        m = _CONTROL_RE.search(s, pos)
        if m is None:
            if defined:
                table = table.define(*defined.values())
            return Expansion(glue(out, s), table)
        name = m.group()[1:]
        if name in _DEFINERS:
            macro, end = _parse_definition(s, m.end(), name, by_name)
            out = glue(out, s[: m.start()])
            if macro is not None:
                defined[macro.name] = macro
            s, pos = s[end:], 0
            continue
        macro = by_name.get(name)
        if macro is None:
            pos = m.end()
            continue
        expansions += 1
        if expansions > MAX_EXPANSIONS:
            raise MacroError(f"too many macro expansions (\\{name} may expand to itself)")
        text, end = _apply(macro, s, m.end())
        out = glue(out, s[: m.start()])
        if macro.final:
            out = glue(out, text)
            text = ""
        s = glue(text, s[end:])
        if len(out) + len(s) > MAX_EXPANDED_LENGTH:
            raise MacroError(f"macro expansion too long (\\{name} grows without end)")
        pos = 0


def _apply(macro: Macro, s: str, i: int) -> tuple[str, int]:
    """The expansion of a use of macro whose arguments start at s[i], and where they end."""
    args: list[str] = []
    params = macro.params
    if macro.default is not None and params > 0:
        opt, i = read_optional(s, i)
        args.append(macro.default if opt is None else opt)
        params -= 1
    for _ in range(params):
        arg = read_argument(s, i)
        if arg is None:
            raise MacroError(f"missing argument for \\{macro.name}")
        args.append(arg[0])
        i = arg[1]
    if "#" not in macro.body:
        return macro.body, i
    out = ""
    last = 0
    for p in _PARAM_RE.finditer(macro.body):
        out = glue(out, macro.body[last : p.start()])
        ref = p.group(1)
        if ref == "#":
            out += "#"
        elif int(ref) <= len(args):
            out = glue(out, args[int(ref) - 1])
        else:
            raise MacroError(f"\\{macro.name} uses #{ref} but takes {len(args)} arguments")
        last = p.end()
    return glue(out, macro.body[last:]), i


def _parse_definition(
    s: str, i: int, definer: str, by_name: Mapping[str, Macro]
) -> tuple[Macro | None, int]:
    """Parse the definition whose command (definer) ends at s[i]; returns it and its end."""
    if definer == "global":
        return None, i
    star = i < len(s) and s[i] == "*"
    if star:
        i += 1
    if definer == "let":
        return _parse_let(s, i, by_name)
    name, i = _read_name(s, i, definer)
    if definer == "DeclareMathOperator":
        body = read_argument(s, i)
        if body is None:
            raise MacroError(f"\\DeclareMathOperator{{\\{name}}} has no operator text")
        op = "\\operatorname*" if star else "\\operatorname"
        return Macro(name, 0, None, f"{op}{{{body[0]}}}"), body[1]
    if definer in ("def", "gdef", "edef", "xdef"):
        return _parse_def(s, i, name)
    params = 0
    count, j = read_optional(s, i)
    if count is not None:
        if not count.strip().isdigit() or not 0 <= int(count) <= 9:
            raise MacroError(f"\\{definer}{{\\{name}}} has a bad parameter count [{count}]")
        params, i = int(count), j
    default, i = read_optional(s, i)
    body = read_argument(s, i)
    if body is None:
        raise MacroError(f"\\{definer}{{\\{name}}} has no body")
    if definer == "providecommand" and name in by_name:
        return None, body[1]
    return Macro(name, params, default, body[0]), body[1]


def _read_name(s: str, i: int, definer: str) -> tuple[str, int]:
    arg = read_argument(s, i)
    if arg is None:
        raise MacroError(f"\\{definer} needs a command name")
    m = re.fullmatch(r"\s*\\([A-Za-z@]+|.)\s*", arg[0], re.S)
    if m is None:
        raise MacroError(f"\\{definer} needs a command name, not {arg[0]!r}")
    return m.group(1), arg[1]


def _parse_def(s: str, i: int, name: str) -> tuple[Macro, int]:
    j = skip_spaces(s, i)
    params = 0
    while j + 1 < len(s) and s[j] == "#" and s[j + 1] == str(params + 1):
        params += 1
        j += 2
    if j >= len(s) or s[j] != "{":
        raise MacroError(f"\\def\\{name}: delimited parameters are not supported")
    end = match_brace(s, j)
    if end is None:
        raise MacroError(f"\\def\\{name} has an unbalanced body")
    return Macro(name, params, None, s[j + 1 : end - 1]), end


def _parse_let(s: str, i: int, by_name: Mapping[str, Macro]) -> tuple[Macro, int]:
    m = TOKEN_RE.match(s, skip_spaces(s, i))
    if m is None or not m.group().startswith("\\"):
        raise MacroError("\\let needs a command name")
    name = m.group()[1:]
    j = skip_spaces(s, m.end())
    if j < len(s) and s[j] == "=":
        j = skip_spaces(s, j + 1)
    target = TOKEN_RE.match(s, j)
    if target is None:
        raise MacroError(f"\\let\\{name} needs a target")
    existing = by_name.get(target.group()[1:]) if target.group().startswith("\\") else None
    if existing is not None:
        return Macro(name, existing.params, existing.default, existing.body), target.end()
    return Macro(name, 0, None, target.group(), final=True), target.end()
