"""Find the site's sources and read each into a Post record."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from transmit.config import Config
from transmit.content import fields
from transmit.content.dates import DateFormatError, date_from_file_name, localize, parse_date
from transmit.content.front_matter import FrontMatter, split_front_matter
from transmit.content.post import Post
from transmit.content.slugs import SlugError, check_given_slug, make_slug
from transmit.errors import SourceError

MARKDOWN_SUFFIXES = (".md", ".markdown")
BUNDLE_INDEX = "index"
_KNOWN_KEYS = frozenset(
    {
        "title",
        "date",
        "updated",
        "lastmod",
        "categories",
        "category",
        "tags",
        "summary",
        "slug",
        "draft",
        "published",
        "sticky",
        "toc",
        "math",
        "cover",
        "series",
        "aliases",
    }
)
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}=+[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def decode_source(raw: bytes, path: Path | str) -> str:
    """Bytes of a text file as text with LF line ends; a clear error for anything not UTF-8."""
    if b"\x00" in raw[:8192]:
        raise SourceError(
            path, None, "is a binary file, not Markdown text; move it out of content/"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        hint = "save it as UTF-8"
        try:
            raw.decode("gb18030")
            hint = "it looks like GBK/GB18030; convert it with: iconv -f GB18030 -t UTF-8"
        except UnicodeDecodeError:
            pass
        raise SourceError(path, line, f"not UTF-8 text; {hint}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def discover(root: Path) -> Iterator[Path]:
    """Markdown files below `root` in a stable order, skipping hidden and `_`-prefixed names."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(files):
            if name.startswith((".", "_")) or not name.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            yield Path(folder) / name


def first_heading(body: str) -> str | None:
    """The text of the first heading outside code fences, the fallback title."""
    fence: str | None = None
    previous = ""
    for line in body.split("\n"):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if opener:
            fence = opener.group(1)
            previous = ""
            continue
        if match := _ATX_HEADING.match(line):
            return match.group(1).strip() or None
        if previous.strip() and _SETEXT_UNDERLINE.match(line):  # `---` is too often a rule
            return previous.strip()
        previous = line
    return None


def _field(path: Path, front: FrontMatter, key: str, convert, *args):  # type: ignore[no-untyped-def]
    try:
        return convert(front.data.get(key), *args)
    except (fields.FieldError, DateFormatError) as error:
        raise SourceError(path, front.key_lines.get(key), f"{key}: {error}") from None


def load_post(source: Path, kind: str, config: Config) -> Post:
    """Read one source file into a Post; raises SourceError naming the file and line."""
    rel_path = source.relative_to(config.site_dir).as_posix()
    display = Path(rel_path)
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise SourceError(display, None, f"cannot read: {error.strerror}") from None
    text = decode_source(raw, display)
    front = split_front_matter(text, display)
    data = front.data
    zone = config.zone
    is_bundle = source.stem == BUNDLE_INDEX
    name = source.parent.name if is_bundle else source.stem

    title = _field(display, front, "title", fields.optional_text, "title")
    title = title or first_heading(front.body) or name

    if "slug" in data and data["slug"] is not None:
        try:
            slug = check_given_slug(str(data["slug"]))
        except SlugError as error:
            raise SourceError(display, front.key_lines.get("slug"), str(error)) from None
    else:
        slug_source = re.sub(r"^\d{4}-\d{1,2}-\d{1,2}[-_ ]", "", name) or name
        try:
            slug = make_slug(slug_source, config.slug_style)
        except SlugError as error:
            raise SourceError(display, None, str(error)) from None

    date_value = data.get("date")
    if date_value is not None and date_value != "":
        date = _field(display, front, "date", parse_date, zone)
    else:
        date = date_from_file_name(name, zone) or localize(
            datetime.fromtimestamp(source.stat().st_mtime), zone
        )
    updated_key = "updated" if data.get("updated") not in (None, "") else "lastmod"
    updated = None
    if data.get(updated_key) not in (None, ""):
        updated = _field(display, front, updated_key, parse_date, zone)

    category_key = "categories" if "categories" in data else "category"
    draft = _field(display, front, "draft", fields.flag, "draft") or False
    if _field(display, front, "published", fields.flag, "published") is False:
        draft = True

    return Post(
        source=source,
        rel_path=rel_path,
        kind=kind,
        title=title,
        slug=slug,
        path=f"posts/{slug}/" if kind == "post" else f"{slug}/",
        date=date,
        updated=updated,
        body=front.body,
        body_line=front.body_line,
        categories=_field(display, front, category_key, fields.category_paths),
        tags=_field(display, front, "tags", fields.tag_list),
        summary=_field(display, front, "summary", fields.optional_text, "summary"),
        draft=draft,
        sticky=_field(display, front, "sticky", fields.priority),
        toc=_field(display, front, "toc", fields.flag, "toc"),
        math=_field(display, front, "math", fields.flag, "math"),
        cover=_field(display, front, "cover", fields.optional_text, "cover"),
        series=_field(display, front, "series", fields.optional_text, "series"),
        aliases=_field(display, front, "aliases", fields.text_list, "aliases"),
        bundle_dir=source.parent if is_bundle else None,
        extra={key: value for key, value in data.items() if key not in _KNOWN_KEYS},
    )


def load_content(config: Config) -> tuple[list[Post], list[SourceError]]:
    """Every post and page of the site, plus the errors of the files that could not be read."""
    posts: list[Post] = []
    errors: list[SourceError] = []
    content = config.site_dir / "content"
    for kind, folder in (("post", content / "posts"), ("page", content / "pages")):
        for source in discover(folder):
            try:
                posts.append(load_post(source, kind, config))
            except SourceError as error:
                errors.append(error)
    return posts, errors


def duplicate_paths(posts: list[Post]) -> list[SourceError]:
    """Two sources that would be written to one address, each named."""
    seen: dict[str, Post] = {}
    errors = []
    for post in posts:
        key = post.path.casefold()
        if key in seen:
            other = seen[key]
            errors.append(
                SourceError(
                    post.rel_path,
                    None,
                    f"has the same address /{post.path} as {other.rel_path}; "
                    "give one of them another 'slug'",
                )
            )
        else:
            seen[key] = post
    return errors
