"""A post's body rendered: a pure function of the Post and the render options (plus the image
files it names), so it can run in worker processes and be cached by content."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from functools import cache

from markdown_it.token import Token

from transmit.content.post import Post
from transmit.errors import BuildWarning
from transmit.render.data import Asset, RenderedPost, RenderOptions
from transmit.render.description import describe
from transmit.render.excerpt import Excerpt, cut_excerpt, head_tokens, more_index
from transmit.render.fragments import Fragments
from transmit.render.images import resolve_image
from transmit.render.markdown import ParsedDocument, parse
from transmit.render.math import Formula, MathRenderer, RenderedFormula
from transmit.render.text import prose_and_search_text, text_figures
from transmit.render.toc import MIN_TOC_ENTRIES, TOC_LEVELS, TocEntry, toc_html

_DEFINES_MACROS = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|def|let|DeclareMathOperator)\b"
)
_NEEDS_IDS = re.compile(r"\\(?:label|tag|eqref|ref)\b")


@cache
def math_renderer(macros: tuple[tuple[str, str], ...]) -> MathRenderer:
    """One renderer per process and macro set: it caches what it has rendered."""
    return MathRenderer(dict(macros))


def _warning(post: Post, first_line: int, line: int | None, message: str) -> BuildWarning:
    return BuildWarning(post.rel_path, line + first_line - 1 if line else None, message)


def _resolve_images(
    document: ParsedDocument, post: Post, options: RenderOptions, first_line: int
) -> tuple[list[Asset], list[str], list[BuildWarning], list[str]]:
    assets: dict[str, Asset] = {}
    addresses: list[str] = []
    warnings: list[BuildWarning] = []
    reads: dict[str, None] = {}
    for ref in document.page.images:
        token = ref.token
        src = str(token.attrs.get("src", ""))
        found = resolve_image(src, post, options.site_dir, options.base_path)
        token.attrSet("src", found.src)
        if found.width and found.height:
            token.attrSet("width", str(found.width))
            token.attrSet("height", str(found.height))
        token.attrSet("loading", "lazy")
        token.attrSet("decoding", "async")
        if found.problem:
            warnings.append(_warning(post, first_line, ref.line, found.problem))
        if found.asset is not None:
            assets.setdefault(found.asset.output, found.asset)
        addresses.append(found.src)
        reads.update(dict.fromkeys(str(path) for path in found.consulted))
    return list(assets.values()), addresses, warnings, list(reads)


def _render_math(
    formulas: Sequence[Formula],
    options: RenderOptions,
    id_prefix: str,
    fragments: Fragments | None = None,
) -> list[RenderedFormula]:
    if not formulas:
        return []
    renderer = math_renderer(options.math_macros)
    try:
        return renderer.render_page(formulas, id_prefix=id_prefix, fragments=fragments)
    except Exception as error:  # a renderer bug must not stop a build
        reason = f"cannot render formula: renderer failed ({type(error).__name__}: {error})"
        return [
            RenderedFormula(f'<code class="math-error">{html.escape(f.tex)}</code>', reason)
            for f in formulas
        ]


def _toc_entries(document: ParsedDocument) -> list[TocEntry]:
    return [
        TocEntry(heading.level, heading.id, heading.text, document.render_heading(heading))
        for heading in document.page.headings
        if heading.level in TOC_LEVELS and heading.in_toc
    ]


def _excerpt_prefix(post: Post) -> str:
    return "x" + hashlib.blake2s(post.path.encode("utf-8"), digest_size=4).hexdigest() + "-"


def _with_definitions(page: Sequence[Formula], shown: Sequence[Formula]) -> list[Formula]:
    """The page's macro definitions first, so an excerpt can use any of them."""
    shown_ids = {id(formula) for formula in shown}
    definitions = [f for f in page if id(f) not in shown_ids and _DEFINES_MACROS.search(f.tex)]
    return [*definitions, *shown]


def _excerpt(
    post: Post, document: ParsedDocument, options: RenderOptions, fragments: Fragments | None
) -> tuple[Excerpt, list[BuildWarning]]:
    """Front matter `summary`, else the part above `<!-- more -->`, else the first characters."""
    page_formulas = document.page.formulas
    if post.summary:
        summary = parse(
            post.summary,
            unsafe_html=False,  # a front matter value: its HTML is escaped like any other's
            language=options.language,
            markdown_escaped=options.math_markdown_escaped,
        )
        own = summary.page.formulas
        formulas = _with_definitions(page_formulas, own)
        results = _render_math(formulas, options, _excerpt_prefix(post), fragments)
        results = results[len(formulas) - len(own) :]
        summary.page.math_html = [result.html for result in results]
        warnings = [
            BuildWarning(post.rel_path, None, f"summary: {result.error}")
            for result in results
            if result.error
        ]
        return Excerpt(summary.render(excerpt=True), True), warnings
    more = more_index(document.tokens)
    if more is not None:
        head = head_tokens(document.tokens, more)
        shown = [
            page_formulas[token.meta["index"]]
            for token in _math_tokens(head)
            if "index" in token.meta
        ]
        math_html = None
        if any(_NEEDS_IDS.search(formula.tex) for formula in shown):
            # labels give ids: a listing page must not repeat the post page's ids
            formulas = _with_definitions(page_formulas, shown)
            rendered = _render_math(formulas, options, _excerpt_prefix(post))
            own = rendered[len(formulas) - len(shown) :]
            math_html = list(document.page.math_html)
            for token, result in zip(_math_tokens(head), own, strict=False):
                math_html[token.meta["index"]] = result.html
        return Excerpt(document.render(head, excerpt=True, math_html=math_html), True), []
    return cut_excerpt(document, options.excerpt_length), []


def _math_tokens(tokens: Sequence[Token]) -> list[Token]:
    """Formula tokens in page order, as the collecting rule numbered them."""
    found: list[Token] = []
    for token in tokens:
        if token.type == "math_block":
            found.append(token)
        elif token.type == "inline":
            for child in token.children or ():
                if child.type == "math_inline":
                    found.append(child)
                elif child.type == "image":
                    found.extend(c for c in child.children or () if c.type == "math_inline")
    return found


def render_post(
    post: Post, options: RenderOptions, fragments: Fragments | None = None
) -> RenderedPost:
    """Body HTML, excerpt HTML, plain text, table of contents and reading figures of a post.
    `fragments`: the formulas and code of its previous rendering, and where to note this
    one's."""
    document = parse(
        post.body,
        unsafe_html=options.unsafe_html,
        language=options.language,
        markdown_escaped=options.math_markdown_escaped,
    )
    document.page.fragments = fragments
    first_line = post.body_line
    assets, images, warnings, reads = _resolve_images(document, post, options, first_line)
    formulas = document.page.formulas
    results = _render_math(formulas, options, "", fragments)
    document.page.math_html = [result.html for result in results]
    warnings.extend(
        _warning(post, first_line, formula.line, result.error)
        for formula, result in zip(formulas, results, strict=True)
        if result.error
    )
    entries = _toc_entries(document)
    document.page.toc_html = toc_html(entries)
    wants_toc = options.toc if post.toc is None else post.toc
    body_html = document.render()
    excerpt, excerpt_warnings = _excerpt(post, document, options, fragments)
    warnings.extend(excerpt_warnings)
    text, search_text = prose_and_search_text(document.tokens)
    word_count, minutes = text_figures(text)
    return RenderedPost(
        html=body_html,
        excerpt_html=excerpt.html,
        text=text,
        search_text=search_text,
        word_count=word_count,
        reading_minutes=minutes,
        warnings=tuple(warnings),
        toc=tuple(entries),
        toc_html=document.page.toc_html if wants_toc and len(entries) >= MIN_TOC_ENTRIES else "",
        excerpt_truncated=excerpt.truncated,
        assets=tuple(assets),
        images=tuple(images),
        has_math=bool(formulas),
        has_code=any(token.type in ("fence", "code_block") for token in document.tokens),
        reads=tuple(reads),
        description=describe(post.summary, excerpt.html, text),
    )
