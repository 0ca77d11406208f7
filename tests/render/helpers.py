"""Small helpers shared by the render tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import transmit.render.highlight as highlight
from transmit.content.post import Post
from transmit.render import document as document_module
from transmit.render import markdown
from transmit.render.data import RenderedPost, RenderOptions
from transmit.render.document import render_post
from transmit.render.markdown import ParsedDocument, parse
from transmit.render.math_engines import KatexEngine, MathCoreEngine


def formulas(source: str) -> list[tuple[str, bool]]:
    """(tex, display) of every formula the Markdown layer hands to the renderer."""
    return [(f.tex, f.display) for f in parse(source, unsafe_html=True).page.formulas]


def texts(source: str) -> list[str]:
    return [tex for tex, _ in formulas(source)]


def html_of(source: str, *, unsafe_html: bool = True) -> str:
    """Body HTML without rendering formulas (they show as their source)."""
    return parse(source, unsafe_html=unsafe_html).render()


def document(source: str) -> ParsedDocument:
    return parse(source, unsafe_html=True)


def make_post(
    body: str,
    *,
    source: Path = Path("/nowhere/content/posts/note.md"),
    rel_path: str = "content/posts/note.md",
    body_line: int = 1,
    summary: str | None = None,
    toc: bool | None = None,
    path: str = "posts/note/",
    bundle_dir: Path | None = None,
) -> Post:
    return Post(
        source=source,
        rel_path=rel_path,
        kind="post",
        title="Note",
        slug=path.strip("/").rsplit("/", 1)[-1],
        path=path,
        date=datetime(2026, 1, 11, tzinfo=UTC),
        body=body,
        body_line=body_line,
        summary=summary,
        toc=toc,
        bundle_dir=bundle_dir,
    )


def rendered(
    body: str, options: RenderOptions | None = None, **post_fields: object
) -> RenderedPost:
    post = make_post(body, **post_fields)  # type: ignore[arg-type]
    return render_post(post, options or RenderOptions())


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
_VOID = frozenset({"br", "hr", "img", "input"})


def balanced(markup: str) -> bool:
    """Every element `markup` opens is closed, in order (void elements aside)."""
    stack: list[str] = []
    for match in _TAG.finditer(markup):
        closing, tag = match.group(1), match.group(2).lower()
        if tag in _VOID:
            continue
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            return False
    return not stack


class Engines:
    """Counts formulas given to math-core and KaTeX, and code given to Pygments."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.formulas: list[str] = []
        self.code: list[str] = []
        for engine in (MathCoreEngine, KatexEngine):
            monkeypatch.setattr(engine, "render", self._engine(engine.render))
        real_highlight = highlight.pygments_highlight

        def counting_highlight(code, lexer, formatter):  # type: ignore[no-untyped-def]
            self.code.append(code)
            return real_highlight(code, lexer, formatter)

        monkeypatch.setattr(highlight, "pygments_highlight", counting_highlight)

    def _engine(self, real):  # type: ignore[no-untyped-def]
        def render(engine, tex, display):  # type: ignore[no-untyped-def]
            self.formulas.append(tex)
            return real(engine, tex, display)

        return render


def as_in_a_new_process() -> None:
    """The renderers' in-process caches emptied, as in the next build's worker."""
    document_module.math_renderer.cache_clear()
    markdown.markdown_parser.cache_clear()
