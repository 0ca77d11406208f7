"""Small helpers shared by the render tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from transmit.content.post import Post
from transmit.render.data import RenderedPost, RenderOptions
from transmit.render.document import render_post
from transmit.render.markdown import ParsedDocument, parse


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
