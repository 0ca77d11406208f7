"""Block structure that CommonMark leaves as text, recognised between block and inline parsing:
callouts (`> [!NOTE]`, Obsidian titles and folding), `[TOC]` markers, kramdown attribute
lines (`{: style="…"}`, dropped) and heading attributes (`## Title {#id}`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from transmit.render.delimiters import BlockRule

_CALLOUT = re.compile(r"\[!([A-Za-z][\w-]*)\]([+-]?)(?:[ \t]+(.*))?$")
_TOC_MARKER = re.compile(r"\[\[?_?toc_?\]?\]|@\[toc\](?:\([^)]*\))?", re.IGNORECASE)
_IAL_LINE = re.compile(r"[ \t]*(?:\{:[^{}\n]*\}[ \t]*)+")
_KRAMDOWN_TOC = re.compile(r"\{:\s*toc\s*\}", re.IGNORECASE)
_ATTRIBUTE = r"(?:[#.][^\s{}]+|[\w-]+=\S+)"
_HEADING_ATTRS = re.compile(
    rf"[ \t]+\{{:?[ \t]*({_ATTRIBUTE}(?:[ \t]+{_ATTRIBUTE})*)[ \t]*\}}[ \t]*$"
)
_ID_ATTR = re.compile(r"#([^\s{}.#]+)")
CALLOUT_TITLES = {
    "zh": {
        "note": "注",
        "tip": "提示",
        "important": "重要",
        "warning": "警告",
        "caution": "注意",
        "info": "信息",
        "example": "示例",
        "quote": "引用",
        "abstract": "摘要",
        "summary": "摘要",
        "question": "问题",
        "danger": "危险",
        "bug": "缺陷",
        "todo": "待办",
        "success": "成功",
        "failure": "失败",
    }
}


def callout_title(kind: str, language: str) -> str:
    """The title a callout shows when the writer gave none."""
    titles = CALLOUT_TITLES.get(language.lower()[:2], {})
    return titles.get(kind.lower(), kind[:1].upper() + kind[1:].lower())


def _inline(content: str, line: int, level: int) -> Token:
    token = Token("inline", "", 0)
    token.content = content
    token.map = [line, line + 1]
    token.level = level
    token.children = []
    return token


def _drop_ial_lines(inline: Token, paragraph_open: Token) -> str:
    """Blank the kramdown attribute lines of a paragraph (keeping the others' line numbers)."""
    if "{:" not in inline.content:
        return inline.content
    lines = inline.content.split("\n")
    if not any(_IAL_LINE.fullmatch(line) for line in lines):
        return inline.content
    lines = ["" if _IAL_LINE.fullmatch(line) else line for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
        for token in (inline, paragraph_open):
            if token.map:
                token.map = [token.map[0] + 1, token.map[1]]
    return "\n".join(lines)


def _heading_attributes(inline: Token, heading_open: Token) -> None:
    """`## Title {#id .no_toc}`: the id and the class leave the text and go to the heading."""
    if not inline.content.endswith("}"):
        return
    match = _HEADING_ATTRS.search(inline.content)
    if match is None:
        return
    inline.content = inline.content[: match.start()]
    _apply_heading_ial(match[1], heading_open)


def _apply_heading_ial(attributes: str, heading_open: Token) -> None:
    if (found := _ID_ATTR.search(attributes)) is not None:
        heading_open.meta["id"] = found[1]
    if re.search(r"(?:^|\s)\.no_?toc\b", attributes):
        heading_open.meta["no_toc"] = True


def _callout(tokens: Sequence[Token], index: int, language: str) -> tuple[list[Token], int]:
    """The tokens that replace `blockquote_open, paragraph_open, inline…` when the quote is a
    callout, and how many tokens they replace; `([], 0)` when it is a plain quote."""
    if index + 3 >= len(tokens) or tokens[index + 1].type != "paragraph_open":
        return [], 0
    inline = tokens[index + 2]
    first, _, rest = inline.content.partition("\n")
    match = _CALLOUT.match(first.strip())
    if match is None or inline.type != "inline":
        return [], 0
    kind, fold, title = match[1].lower(), match[2], (match[3] or "").strip()
    quote = tokens[index]
    quote.type = "callout_open"
    quote.tag = "details" if fold else "div"
    quote.meta = {"kind": kind, "fold": fold}
    line = inline.map[0] if inline.map else (quote.map[0] if quote.map else 0)
    title_open = Token("callout_title_open", "summary" if fold else "p", 1)
    title_open.meta = {"kind": kind, "fold": fold}
    title_close = Token("callout_title_close", title_open.tag, -1)
    for token in (title_open, title_close):
        token.level = quote.level + 1
        token.block = True
    title_inline = _inline(title or callout_title(kind, language), line, quote.level + 2)
    replaced = [quote, title_open, title_inline, title_close]
    if not rest.strip():  # the first paragraph was only the marker line: drop it
        return replaced, 4
    inline.content = rest
    for token in (inline, tokens[index + 1]):
        if token.map:
            token.map = [token.map[0] + 1, token.map[1]]
    return [*replaced, tokens[index + 1]], 2


_ADMONITION = re.compile(r'(?:!!!|\?\?\?\+?)[ \t]+[A-Za-z][\w-]*(?:[ \t]+"[^"]*")?[ \t]*')


def strict_admonition(admonition_rule: BlockRule) -> BlockRule:
    """MkDocs `!!! note "Title"` / `??? tip` only in that exact form, so `!!!注意` stays text."""

    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        start = state.bMarks[start_line] + state.tShift[start_line]
        if state.src[start : start + 1] not in ("!", "?"):
            return False
        if not _ADMONITION.fullmatch(state.src, start, state.eMarks[start_line]):
            return False
        return admonition_rule(state, start_line, end_line, silent)

    return rule


def _admonition(token: Token, tokens: Sequence[Token], index: int, language: str) -> list[Token]:
    """MkDocs admonition tokens as the callout tokens GitHub and Obsidian syntax give."""
    kind = str(token.meta.get("tag") or "note")
    fold = {"!!!": "", "???": "-", "???+": "+"}.get(token.markup, "")
    token.type = "callout_open"
    token.tag = "details" if fold else "div"
    token.attrs = {}
    token.meta = {"kind": kind, "fold": fold}
    out = [token]
    has_title = index + 1 < len(tokens) and tokens[index + 1].type == "admonition_title_open"
    untitled = len(token.info.split()) < 2  # no title written: the default, in the site language
    if has_title and untitled:
        tokens[index + 2].content = callout_title(kind, language)
    if not has_title and fold:
        line = token.map[0] if token.map else 0
        title_open = Token("callout_title_open", "summary", 1)
        title_open.meta = {"kind": kind, "fold": fold}
        title_close = Token("callout_title_close", "summary", -1)
        out += [
            title_open,
            _inline(callout_title(kind, language), line, token.level + 2),
            title_close,
        ]
    return out


def structure_rule(state: StateCore) -> None:
    """Core rule between `block` and `inline`."""
    language = state.env.get("transmit_language", "en") if isinstance(state.env, dict) else "en"
    tokens = state.tokens
    out: list[Token] = []
    quotes: list[str | None] = []  # for each open blockquote: the callout's tag, or None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        step = 1
        if kind == "blockquote_open":
            replaced, step = _callout(tokens, index, language)
            quotes.append(token.tag if replaced else None)
            out.extend(replaced or [token])
            step = step or 1
        elif kind == "admonition_open":
            replaced = _admonition(token, tokens, index, language)
            quotes.append(replaced[0].tag)
            out.extend(replaced)
        elif kind in ("admonition_title_open", "admonition_title_close"):
            token.type = kind.replace("admonition", "callout")
            token.tag = "summary" if quotes and quotes[-1] == "details" else "p"
            token.attrs = {}
            out.append(token)
        elif kind in ("blockquote_close", "admonition_close"):
            tag = quotes.pop() if quotes else None
            if tag is not None:
                token.type = "callout_close"
                token.tag = tag
            out.append(token)
        elif kind in ("bullet_list_open", "ordered_list_open") and _is_kramdown_toc(tokens, index):
            out.append(_toc_token(token))
            step = 7
        elif kind == "paragraph_open" and index + 2 < len(tokens):
            inline = tokens[index + 1]
            inline.content = _drop_ial_lines(inline, token)
            stripped = inline.content.strip()
            if stripped[:1] in ("[", "@") and _TOC_MARKER.fullmatch(stripped):
                out.append(_toc_token(token))
                step = 3
            elif not stripped:  # only attribute lines: nothing to show
                step = 3
            else:
                out.append(token)
        elif kind == "heading_open" and index + 1 < len(tokens):
            _heading_attributes(tokens[index + 1], token)
            _ial_after_heading(tokens, index)
            out.append(token)
        else:
            out.append(token)
        index += step
    state.tokens = out


def _ial_after_heading(tokens: Sequence[Token], index: int) -> None:
    """kramdown's `## Title` + next line `{: #id .no_toc}` applies to the heading."""
    after = index + 3
    if after + 1 >= len(tokens) or tokens[after].type != "paragraph_open":
        return
    content = tokens[after + 1].content.strip()
    if content and _IAL_LINE.fullmatch(content):
        _apply_heading_ial(content, tokens[index])


def _is_kramdown_toc(tokens: Sequence[Token], index: int) -> bool:
    """`* TOC` + `{:toc}`: a one-item list kramdown replaces with the table of contents."""
    if index + 6 >= len(tokens):
        return False
    types = [t.type for t in tokens[index + 1 : index + 7]]
    if types[:4] != ["list_item_open", "paragraph_open", "inline", "paragraph_close"]:
        return False
    if types[4] != "list_item_close" or not types[5].endswith("_list_close"):
        return False
    last_line = tokens[index + 3].content.rsplit("\n", 1)[-1]
    return _KRAMDOWN_TOC.fullmatch(last_line.strip()) is not None


def _toc_token(near: Token) -> Token:
    token = Token("transmit_toc", "nav", 0)
    token.block = True
    token.map = near.map
    token.level = near.level
    return token
