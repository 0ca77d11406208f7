"""Links between posts, checked on the rendered pages: relative `.md` paths and site URLs must
lead to a page the site has, and `#anchors` to an id on it. (Images are the renderer's: it
resolves each one and warns about those it cannot find.)"""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from transmit.content.loader import MARKDOWN_SUFFIXES
from transmit.content.post import Post
from transmit.errors import Problem, shown
from transmit.html_reader import without_comments


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What one rendered page links to, and the ids an anchor on it may name."""

    hrefs: tuple[str, ...]
    ids: frozenset[str]


# Pages are read with patterns rather than html.parser: highlighted code makes thousands of
# tags per page and the parser took as long as rendering. Tags are what markdown-it writes, or
# what the writer wrote as raw HTML (any quoting).
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def page_links(markup: str) -> PageLinks:
    hrefs: list[str] = []
    ids: set[str] = set()
    for tag in _TAG.finditer(without_comments(markup)):
        attributes = tag.group(2)
        lowered = attributes.lower() if attributes else ""
        if "id" not in lowered and "href" not in lowered and "name" not in lowered:
            continue
        name = tag.group(1).lower()
        for match in _ATTRIBUTE.finditer(attributes):
            key = match.group(1).lower()
            value = html.unescape(next((v for v in match.group(2, 3, 4) if v is not None), ""))
            if key == "id" or (key == "name" and name == "a"):
                ids.add(value)
            elif key == "href" and name == "a":
                hrefs.append(value)
    return PageLinks(tuple(hrefs), frozenset(ids))


@dataclass(frozen=True, slots=True)
class SiteTargets:
    """Everything a link may lead to: posts by source file and by address, every output path
    (pages, feeds, static, bundle and image files), and the ids of each post's page."""

    by_source: Mapping[str, Post]  # os.path.normpath of the absolute source path
    by_path: Mapping[str, Post]  # output path of the post's page ("posts/a/index.html")
    outputs: frozenset[str]
    ids: Mapping[str, frozenset[str]]  # rel_path -> ids
    base_url: str
    base_path: str
    content_dir: Path
    published: frozenset[str]  # rel_paths the build writes (not drafts or future posts)


def page_key(post: Post) -> str:
    return post.path + "index.html"


def _output_key(url_path: str) -> str:
    key = url_path.lstrip("/")
    return key + "index.html" if key == "" or key.endswith("/") else key


def _site_path(href: str, post: Post, site: SiteTargets) -> tuple[str, str] | None:
    """(absolute URL path inside the site without its base, fragment) of an internal link;
    None for a link that leaves the site."""
    parts = urlsplit(href)
    base = urlsplit(site.base_url)
    if parts.scheme or parts.netloc:
        inside = (
            parts.scheme in ("http", "https", "")
            and base.netloc
            and parts.netloc == base.netloc
            and parts.path.startswith(site.base_path)
        )
        if not inside:
            return None
    path = unquote(parts.path)
    if path.startswith("/"):
        if path.startswith(site.base_path):
            path = "/" + path[len(site.base_path) :]
    else:
        path = posixpath.join("/" + post.path, path)
    normal = posixpath.normpath(path)
    if path.endswith("/") and normal != "/":
        normal += "/"
    return normal, unquote(parts.fragment)


def _locate(post: Post, text: str, found: dict[str, int], needle: str) -> tuple[int | None, int]:
    """Line and column of `needle` (as the writer typed it) in the post, after earlier finds."""
    for candidate in dict.fromkeys((needle, unquote(needle))):
        index = text.find(candidate, found.get(candidate, 0))
        if index >= 0:
            found[candidate] = index + 1
            line = post.body_line + text.count("\n", 0, index)
            column = index - text.rfind("\n", 0, index)
            return line, column
    return None, 0


def _anchor_problem(target: Post, fragment: str, site: SiteTargets) -> str | None:
    if fragment and fragment not in site.ids.get(target.rel_path, frozenset()):
        return f"has no heading or anchor {shown('#' + fragment)}"
    return None


def check_post_links(post: Post, links: PageLinks, site: SiteTargets) -> list[Problem]:
    """Broken links and anchors (errors), links to unpublished posts (warnings)."""
    problems: list[Problem] = []
    found: dict[str, int] = {}

    def report(level: str, needle: str, message: str) -> None:
        line, column = _locate(post, post.body, found, needle)
        problems.append(Problem(post.rel_path, line, column or None, level, message))

    for href in links.hrefs:
        if href.startswith("#"):
            fragment = unquote(href[1:])
            if fragment and fragment not in links.ids:
                report("error", href, f"link {shown(href)}: this page has no such anchor")
            continue
        parts = urlsplit(href)
        raw_path = unquote(parts.path)
        if not parts.scheme and not parts.netloc and raw_path.lower().endswith(MARKDOWN_SUFFIXES):
            if raw_path.startswith("/"):
                source = os.path.normpath(site.content_dir / raw_path[1:])
            else:
                source = os.path.normpath(post.source.parent / raw_path)
            target = site.by_source.get(source)
            if target is None:
                report("error", href, f"link {shown(href)}: no such post or page in content/")
                continue
            _check_target(target, unquote(parts.fragment), href, site, report)
            continue
        resolved = _site_path(href, post, site)
        if resolved is None:
            continue
        path, fragment = resolved
        key = _output_key(path)
        target = site.by_path.get(key) or site.by_path.get(key + "/index.html")
        if target is not None:
            _check_target(target, fragment, href, site, report)
        elif key not in site.outputs and key + "/index.html" not in site.outputs:
            report("error", href, f"link {shown(href)}: the site has no page at {shown(path)}")
    return problems


def _check_target(target: Post, fragment: str, href: str, site: SiteTargets, report) -> None:  # type: ignore[no-untyped-def]
    if target.rel_path not in site.published:
        report("warning", href, f"link {shown(href)} leads to {target.rel_path}, not published")
    elif (anchor := _anchor_problem(target, fragment, site)) is not None:
        report("error", href, f"link {shown(href)}: {target.rel_path} {anchor}")
