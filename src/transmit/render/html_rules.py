"""How transmit's tokens become HTML: formulas from the page's rendered list, images with
their attributes, headings with ids, callouts, code through the highlighter; in excerpt mode
no ids, no footnote links and no table of contents."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from transmit.render.highlight import Highlighter
from transmit.render.page import PageState, plain_text
from transmit.render.scrolling import TABLE_WRAPPER, TABLE_WRAPPER_END, prepare_body

RenderRule = Callable[[RendererHTML, Sequence[Token], int, OptionsDict, EnvType], str]
_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}


def _page(env: EnvType) -> PageState:
    page: PageState = env["transmit"]
    return page


def formula_html(page: PageState, token: Token) -> str:
    index = token.meta.get("index")
    if index is not None and index < len(page.math_html):
        return page.math_html[index]
    source = token.content
    if token.markup in _CLOSERS:
        source = token.markup + source + _CLOSERS[token.markup]
    return f'<code class="math-source">{html.escape(source)}</code>'


def render_math_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return formula_html(_page(env), tokens[idx])


def render_math_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="math-display">{formula_html(_page(env), tokens[idx])}</div>\n'


def render_html_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    placed = token.meta.get("formulas") if token.meta else None
    if not placed:
        return prepare_body(token.content)
    page = _page(env)
    out, last = [], 0
    for start, end, holder in placed:
        out.append(token.content[last:start])
        out.append(formula_html(page, holder))
        last = end
    out.append(token.content[last:])
    return prepare_body("".join(out))


def render_html_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return prepare_body(tokens[idx].content)


def render_table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return TABLE_WRAPPER + self.renderToken(tokens, idx, options, env)


def render_table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    rendered = self.renderToken(tokens, idx, options, env)  # "</table>" and a line break
    return rendered.replace("</table>", "</table>" + TABLE_WRAPPER_END, 1)


def render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    attrs = dict(token.attrs)
    attrs["alt"] = plain_text(token.children or [])
    parts = [f'{name}="{html.escape(str(value))}"' for name, value in attrs.items()]
    return f"<img {' '.join(parts)}>"


def render_heading_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if _page(env).excerpt or "id" not in token.attrs:
        return f"<{token.tag}>"
    return f'<{token.tag} id="{html.escape(str(token.attrs["id"]))}">'


def render_toc(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    page = _page(env)
    if page.excerpt or not page.toc_html:
        return ""
    return f'<nav class="toc toc-inline">{page.toc_html}</nav>\n'


def render_nothing(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return ""


def render_list_item_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A task item's checkbox, named by the item's text so screen readers say what it is."""
    token = tokens[idx]
    opening = self.renderToken(tokens, idx, options, env)
    if not token.meta or "checked" not in token.meta:
        return opening
    label = next((t.content for t in tokens[idx + 1 : idx + 4] if t.type == "inline"), "").strip()
    checked = ' checked=""' if token.meta["checked"] else ""
    return (
        f'{opening}<input class="task-list-item-checkbox" disabled="" type="checkbox"{checked}'
        f' aria-label="{html.escape(label[:120], quote=True)}"> '
    )


def render_more(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "" if _page(env).excerpt else '<span id="more"></span>\n'


def render_callout_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    kind = re.sub(r"[^\w-]", "", token.meta["kind"])
    opened = " open" if token.meta["fold"] == "+" else ""
    return f'<{token.tag} class="callout callout-{kind}" data-callout="{kind}"{opened}>\n'


def render_callout_title_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<{tokens[idx].tag} class="callout-title">'


def render_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"</{tokens[idx].tag}>\n"


def render_footnote_ref_for(original: Callable[..., str]) -> RenderRule:
    def render(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return "" if _page(env).excerpt else original(tokens, idx, options, env)

    return render


def install(md: MarkdownIt, highlighter: Highlighter) -> None:
    """Set transmit's render rules on a parser."""
    fence, code_block = code_renderers(highlighter)
    footnote_ref = md.renderer.rules["footnote_ref"]
    md.add_render_rule("fence", fence)
    md.add_render_rule("code_block", code_block)
    md.add_render_rule("footnote_ref", render_footnote_ref_for(footnote_ref))
    for name, rule in {
        "math_inline": render_math_inline,
        "math_block": render_math_block,
        "image": render_image,
        "html_block": render_html_block,
        "html_inline": render_html_inline,
        "table_open": render_table_open,
        "table_close": render_table_close,
        "heading_open": render_heading_open,
        "transmit_toc": render_toc,
        "more_marker": render_more,
        "list_item_open": render_list_item_open,
        "math_definitions": render_nothing,
        "callout_open": render_callout_open,
        "callout_close": render_close,
        "callout_title_open": render_callout_title_open,
        "callout_title_close": render_close,
    }.items():
        md.add_render_rule(name, rule)


def code_renderers(highlighter: Highlighter) -> tuple[RenderRule, RenderRule]:
    def render_fence(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token, page = tokens[idx], _page(env)
        return highlighter.render(token.info, token.content, page.language, page.fragments)

    def render_code_block(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        page = _page(env)
        return highlighter.render("", tokens[idx].content, page.language, page.fragments)

    return render_fence, render_code_block
