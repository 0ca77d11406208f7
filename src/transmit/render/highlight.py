"""Fenced code highlighted at build time with Pygments (CSS classes, no inline styles).

The info string says the language and, optionally, line numbers and highlighted lines in the
forms writers bring from other tools: ```` ```python {3,5-7} ````, ```` ```python linenos ````,
Hugo's ```` ```python {linenos=true,hl_lines=[2,"4-5"],linenostart=10} ````, MkDocs'
``title="a.py" linenums="1" hl_lines="2 3"``, HackMD's ```` ```python= ````, R Markdown's
```` ```{r} ````. The code text itself is never changed: tabs, `<`, `&`, trailing spaces.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from transmit.render.fragments import Fragments, fragment_key
from transmit.render.rule_dispatch import dispatch_rules
from transmit.render.scrolling import FOCUSABLE

CACHE_SIZE = 4096
MAX_HIGHLIGHT_BYTES = 200_000  # larger blocks are shown plain: Pygments is slow on them
_PLAIN = frozenset({"", "text", "txt", "plain", "plaintext", "none", "output"})
_CLASS_UNSAFE = re.compile(r"[^\w+#.-]")
_INFO_TOKEN = re.compile(r"\{[^{}]*\}|[\w-]+=(?:\"[^\"]*\"|'[^']*'|\[[^\]]*\]|\S+)|\S+")
_KEY_VALUE = re.compile(r"[\w-]+\s*=\s*(?:\[[^\]]*\]|\"[^\"]*\"|'[^']*'|[^,\s]+)")
_RANGE = re.compile(r"(\d+)(?:\s*-\s*(\d+))?")
_TRUE = frozenset({"true", "yes", "on", "1", "table", "inline"})
COPY_LABELS = {"zh": "复制", "en": "Copy"}


@dataclass(frozen=True, slots=True)
class CodeOptions:
    """What an info string asks for."""

    language: str = ""  # as written, "" when none
    linenos: bool = False
    start: int = 1
    highlight: frozenset[int] = frozenset()
    title: str = ""


def _line_set(text: str) -> frozenset[int]:
    """`3,5-7`, `[2,"4-5"]`, `"2 3-4"` -> {3, 5, 6, 7} ...; ranges are capped for safety."""
    lines: set[int] = set()
    for match in _RANGE.finditer(text):
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        lines.update(range(first, min(last, first + 10_000) + 1))
    return frozenset(lines)


def _unquote(value: str) -> str:
    return value.strip().strip("\"'")


def parse_info(info: str) -> CodeOptions:
    """Read a fence's info string; anything not understood is ignored, never an error."""
    info = info.strip()
    if not info:
        return CodeOptions()
    language = ""
    rest = info
    if info.startswith("{"):  # {.python .numberLines} or {r, echo=FALSE}
        inner, _, rest = info[1:].partition("}")
        head = re.split(r"[\s,]+", inner.strip(), maxsplit=1)
        language = head[0].lstrip(".")
        rest = (head[1] if len(head) > 1 else "") + " " + rest
    else:
        match = re.match(r"[^\s{]+", info)
        language = match[0] if match else ""
        rest = info[len(language) :]
    linenos, start, hl, title = False, 1, frozenset[int](), ""
    if "=" in language and not language.startswith("="):  # HackMD: python= or python=101
        language, _, number = language.partition("=")
        linenos = True
        start = int(number) if number.isdigit() else 1
    for token in _INFO_TOKEN.findall(rest):
        if token.startswith("{"):
            inner = token[1:-1]
            for item in _KEY_VALUE.findall(inner):
                key, _, value = item.partition("=")
                linenos, start, hl, title = _option(key.strip(), value, (linenos, start, hl, title))
            bare = _KEY_VALUE.sub("", inner)
            if _RANGE.search(bare):
                hl = hl | _line_set(bare)
            if re.search(r"\b(?:linenos|linenums|showLineNumbers|\.numberLines)\b", bare):
                linenos = True
        elif "=" in token:
            key, _, value = token.partition("=")
            linenos, start, hl, title = _option(key, value, (linenos, start, hl, title))
        elif token.lower().lstrip(".") in ("linenos", "linenums", "showlinenumbers", "numberlines"):
            linenos = True
    return CodeOptions(language, linenos, max(start, 0), hl, title)


def _option(
    key: str, value: str, current: tuple[bool, int, frozenset[int], str]
) -> tuple[bool, int, frozenset[int], str]:
    linenos, start, hl, title = current
    key = key.lower()
    value = _unquote(value)
    if key in ("linenos", "linenumbers", "shownumbers"):
        linenos = value.lower() in _TRUE
    elif key in ("linenostart", "linenums", "startline", "start"):
        if value.isdigit():
            linenos, start = True, int(value)
    elif key in ("hl_lines", "hl", "highlight", "mark"):
        hl = hl | _line_set(value)
    elif key in ("title", "file", "filename"):
        title = value
    return linenos, start, hl, title


class Highlighter:
    """Highlights code blocks; one per process, caching lexers and finished blocks."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._formatter = HtmlFormatter(nowrap=True)
        self.render_block = lru_cache(maxsize=cache_size)(self._render_block)
        self._lexer = lru_cache(maxsize=512)(self._find_lexer)

    @staticmethod
    def _find_lexer(language: str) -> Lexer | None:
        if language.lower() in _PLAIN:
            return None
        try:
            lexer = get_lexer_by_name(language.lower(), stripnl=False, ensurenl=False)
        except ClassNotFound:
            return None
        return dispatch_rules(lexer)

    def code_html(self, code: str, language: str) -> str:
        """The code's inner HTML: highlighted when the language is known, else escaped."""
        lexer = self._lexer(language) if language else None
        if lexer is None or len(code) > MAX_HIGHLIGHT_BYTES:
            return html.escape(code, quote=False)
        markup: str = pygments_highlight(code, lexer, self._formatter)
        if not code.endswith("\n") and markup.endswith("\n"):  # the formatter ends every line
            markup = markup[:-1]
        return markup

    def _render_block(self, info: str, code: str, copy_label: str) -> str:
        options = parse_info(info)
        inner = self.code_html(code, options.language)
        lang_class = _CLASS_UNSAFE.sub("", options.language.lower())
        pre_class = "highlight"
        style = ""
        if options.linenos or options.highlight:
            inner = _wrap_lines(inner, options)
            if options.linenos:
                pre_class += " linenos"
                if options.start != 1:
                    style = f' style="counter-reset: line {options.start - 1}"'
        header = []
        if options.language:
            header.append(f'<span class="code-lang">{html.escape(options.language)}</span>')
        if options.title:
            header.append(f'<span class="code-title">{html.escape(options.title)}</span>')
        header.append(f'<button type="button" class="code-copy" hidden>{copy_label}</button>')
        data_lang = f' data-lang="{html.escape(lang_class)}"' if lang_class else ""
        code_class = f' class="language-{lang_class}"' if lang_class else ""
        return (
            f'<figure class="code-block"{data_lang}>'
            f'<figcaption class="code-header">{"".join(header)}</figcaption>'
            f'<pre class="{pre_class}"{style}{FOCUSABLE}><code{code_class}>{inner}</code></pre>'
            "</figure>\n"
        )

    def render(
        self, info: str, code: str, language: str = "en", fragments: Fragments | None = None
    ) -> str:
        """A `<figure class="code-block">` with a language label, copy button and the code.
        `fragments`: the blocks the post's previous rendering made, and where to note this
        one."""
        label = COPY_LABELS["zh" if language.lower().startswith("zh") else "en"]
        if fragments is None:
            return self.render_block(info, code, label)
        made_from = fragment_key("code", info, code, label)
        markup = fragments.known(made_from) or self.render_block(info, code, label)
        fragments.show(made_from, markup)
        return markup


def _wrap_lines(inner: str, options: CodeOptions) -> str:
    """Each line in `<span class="line">` (Pygments closes its spans at line ends), so CSS
    counters number them and highlighted lines get `hl`; the text stays the code."""
    lines = inner.split("\n")
    trailing = lines[-1] == ""
    if trailing:
        lines.pop()
    out = []
    for number, line in enumerate(lines, start=1):
        marked = " hl" if number in options.highlight else ""
        out.append(f'<span class="line{marked}">{line}</span>')
    return "\n".join(out) + ("\n" if trailing else "")


def pygments_css(
    light: str = "default",
    dark: str = "github-dark",
    dark_selector: str = '[data-theme="dark"]',
    scope: str = ".code-block",
) -> str:
    """Token colours for a light and a dark theme, plus line numbers and highlighted lines.

    Light rules apply under `scope`; dark ones under `dark_selector scope`, and under
    `prefers-color-scheme: dark` unless the page says `data-theme="light"`.
    """
    light_rules = HtmlFormatter(style=light).get_token_style_defs(f"{scope} .highlight")
    dark_rules = HtmlFormatter(style=dark).get_token_style_defs(
        f"{dark_selector} {scope} .highlight"
    )
    auto_rules = HtmlFormatter(style=dark).get_token_style_defs(
        f':root:not([data-theme="light"]) {scope} .highlight'
    )
    structure = f"""{scope} .highlight .line {{ display: inline-block; min-width: 100%; }}
{scope} .highlight.linenos {{ counter-reset: line; }}
{scope} .highlight.linenos .line::before {{
  counter-increment: line; content: counter(line);
  display: inline-block; width: 3ch; margin-right: 1.5ch; text-align: right;
  opacity: 0.5; user-select: none;
}}
{scope} .highlight .line.hl {{ background: rgba(255, 200, 0, 0.18); }}
"""
    return (
        f"/* generated by transmit.render.highlight.pygments_css({light!r}, {dark!r}) */\n"
        f"{structure}{light_rules}\n{dark_rules}\n"
        f"@media (prefers-color-scheme: dark) {{\n{auto_rules}\n}}\n"
    )
