"""A post's body rendered: a pure function of the Post and the render options, so it can be
run in worker processes and cached by content."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from transmit.content.post import Post
from transmit.errors import BuildWarning
from transmit.render.markdown import fill_math, render_markdown
from transmit.render.math import MathRenderer
from transmit.render.text import count_words, html_to_text, reading_minutes

MORE_MARK = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """The part of the config that rendering depends on (and a cache key must include)."""

    unsafe_html: bool = True
    math_macros: tuple[tuple[str, str], ...] = ()
    excerpt_length: int = 300


@dataclass(frozen=True, slots=True)
class RenderedPost:
    html: str
    excerpt_html: str
    text: str
    word_count: int
    reading_minutes: int
    warnings: tuple[BuildWarning, ...] = ()


def _render(source: str, post: Post, options: RenderOptions, first_line: int, prefix: str):  # type: ignore[no-untyped-def]
    markup, formulas = render_markdown(source, unsafe_html=options.unsafe_html)
    results = MathRenderer(dict(options.math_macros)).render_page(formulas, id_prefix=prefix)
    warnings = [
        BuildWarning(post.rel_path, (f.line or 1) + first_line - 1 if f.line else None, r.error)
        for f, r in zip(formulas, results, strict=True)
        if r.error
    ]
    return fill_math(markup, [r.html for r in results]), warnings


def _cut_text(text: str, limit: int) -> str:
    """The first `limit` characters, English cut at a word boundary, `…` marking a cut."""
    text = " ".join(text.split("\n"))
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit].isascii() and text[limit].isalnum() and cut[-1].isascii() and cut[-1].isalnum():
        space = cut.rfind(" ")
        if space > limit // 2:
            cut = cut[:space]
    return cut.rstrip() + "…"


def render_post(post: Post, options: RenderOptions) -> RenderedPost:
    """Body HTML, excerpt HTML, plain text and reading figures of one post."""
    body_html, warnings = _render(post.body, post, options, post.body_line, "")
    text = html_to_text(body_html)
    if post.summary:
        # a front matter value: its raw HTML is escaped like every other value's
        safe = RenderOptions(False, options.math_macros, options.excerpt_length)
        excerpt_html, _ = _render(post.summary, post, safe, 1, "excerpt-")
    elif (more := MORE_MARK.search(post.body)) is not None:
        excerpt_html, _ = _render(post.body[: more.start()], post, options, post.body_line, "x-")
    else:
        excerpt = _cut_text(text, options.excerpt_length)
        excerpt_html = f"<p>{html.escape(excerpt)}</p>" if excerpt else ""
    return RenderedPost(
        html=body_html,
        excerpt_html=excerpt_html,
        text=text,
        word_count=count_words(text),
        reading_minutes=reading_minutes(text),
        warnings=tuple(warnings),
    )
