"""Find the site's sources and read each into a Post record.

What a build may meet in a notes folder grown for years is handled here, before rendering:
files that are not text, not UTF-8, too large, linked from outside `content/`, or whose front
matter would make an unsafe address. Input problems are errors (the build reports them all at
once); junk that is not content (binaries named `.md`, broken or looping links) is skipped
with a warning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from transmit.config import Config
from transmit.content import fields
from transmit.content.dates import DateFormatError, date_from_file_name, parse_date
from transmit.content.decode import decode_text, is_binary
from transmit.content.files import walk_files
from transmit.content.front_matter import FrontMatter, split_front_matter
from transmit.content.post import Post
from transmit.content.slugs import SlugError, check_given_slug, make_slug
from transmit.errors import BuildWarning, SourceError, shown

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
_FILE_NAME_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[-_ ]")
MAX_SOURCE_BYTES = 64 * 1024 * 1024  # a 20 MB post is fine; a 2 GB log named .md is not a post
# Top-level addresses the site writes itself: a page there would collide with them.
RESERVED_PAGE_SLUGS = frozenset(
    {
        "assets",
        "page",
        "posts",
        "categories",
        "tags",
        "archives",
        "search",
        "search-index",
        "404.html",
        "atom.xml",
        "rss.xml",
        "sitemap.xml",
        "robots.txt",
        "index.html",
    }
)
# Front matter values that end up in pages, feeds and search data, checked for control text.
_SHOWN_KEYS = ("title", "summary", "tags", "categories", "category", "series", "author")


class SkippedSource(SourceError):
    """Not content at all (an image named `.md`): skipped with a warning, not an error.
    Code that does not know this class reports it as an error, which is safe."""

    def warning(self) -> BuildWarning:
        return BuildWarning(str(self.path), self.line, f"{self.message}; skipped")


@dataclass(frozen=True, slots=True)
class Loaded:
    """Every source that could be read, the errors of those that could not, and warnings
    (of the walk, of skipped files, and every post's own: report these, not `Post.warnings`)."""

    posts: tuple[Post, ...]
    errors: tuple[SourceError, ...]
    warnings: tuple[BuildWarning, ...]


def decode_source(raw: bytes, path: Path | str) -> str:
    """Bytes of a text file as text with LF line ends; SourceError for anything not UTF-8."""
    if is_binary(raw):
        raise SkippedSource(path, None, "is a binary file, not Markdown text")
    return decode_text(raw, path).text


def discover(root: Path, boundary: Path | None = None) -> Iterator[Path]:
    """Markdown files below `root` in a stable order, skipping hidden and `_`-prefixed names,
    and links that leave `boundary` (default: the parent of `root`, the `content/` folder)."""
    found = walk_files(root, boundary or root.parent, root.parent)
    yield from (path for path in found.files if path.name.lower().endswith(MARKDOWN_SUFFIXES))


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


def read_source(source: Path, display: Path) -> bytes:
    """The bytes of a source file, refusing what cannot be a post before reading it whole."""
    try:
        size = source.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceError(
                display,
                None,
                f"is {size / 2**20:.0f} MB; a post can be at most "
                f"{MAX_SOURCE_BYTES // 2**20} MB: split it, or move it out of content/",
            )
        return source.read_bytes()
    except OSError as error:
        raise SourceError(display, None, f"cannot read: {error.strerror or error}") from None


def load_post(source: Path, kind: str, config: Config) -> Post:
    """Read one source file into a Post; raises SourceError naming the file and line
    (SkippedSource for files that are not text at all)."""
    rel_path = source.relative_to(config.site_dir).as_posix()
    display = Path(rel_path)
    raw = read_source(source, display)
    try:
        modified: float | None = source.stat().st_mtime
    except OSError:
        modified = None
    return parse_post(raw, source, kind, config, modified)


def parse_post(
    raw: bytes, source: Path, kind: str, config: Config, modified: float | None = None
) -> Post:
    """A Post from the bytes of its file: no file system access, so any bytes can be tried.
    `modified` (the file's mtime) dates a post that gives no date otherwise."""
    rel_path = source.relative_to(config.site_dir).as_posix()
    display = Path(rel_path)
    if is_binary(raw):
        raise SkippedSource(display, None, "is a binary file, not Markdown text")
    decoded = decode_text(raw, display, config.encoding)
    warnings = [BuildWarning(rel_path, None, decoded.warning)] if decoded.warning else []
    front = split_front_matter(decoded.text, display)
    data = front.data
    zone = config.zone
    is_bundle = source.stem == BUNDLE_INDEX
    name = source.parent.name if is_bundle else source.stem

    title = _field(display, front, "title", fields.optional_text, "title")
    title = title or first_heading(front.body) or name

    given_slug = _field(display, front, "slug", fields.optional_text, "slug")
    if given_slug is not None:
        try:
            slug = check_given_slug(given_slug)
        except SlugError as error:
            raise SourceError(display, front.key_lines.get("slug"), str(error)) from None
    else:
        slug_source = _FILE_NAME_DATE.sub("", name) or name
        try:
            slug = make_slug(slug_source, config.slug_style)
        except SlugError as error:
            raise SourceError(display, None, str(error)) from None

    if kind == "page" and slug.casefold() in RESERVED_PAGE_SLUGS:
        raise SourceError(
            display,
            front.key_lines.get("slug"),
            f"a page at /{slug}/ would collide with the site's own /{slug}; "
            "give the page another 'slug'",
        )

    date_value = data.get("date")
    if date_value is not None and date_value != "":
        date = _field(display, front, "date", parse_date, zone)
    else:
        date = date_from_file_name(name, zone) or _modified_date(display, modified, zone)
    updated_key = "updated" if data.get("updated") not in (None, "") else "lastmod"
    updated = None
    if data.get(updated_key) not in (None, ""):
        updated = _field(display, front, updated_key, parse_date, zone)

    category_key = "categories" if "categories" in data else "category"
    categories = _field(display, front, category_key, fields.category_paths)
    tags = _field(display, front, "tags", fields.tag_list)
    for key, names in ((category_key, [n for path in categories for n in path]), ("tags", tags)):
        _check_addresses(display, front.key_lines.get(key), key, names, config.slug_style)
    draft = _field(display, front, "draft", fields.flag, "draft") or False
    if _field(display, front, "published", fields.flag, "published") is False:
        draft = True
    warnings += _control_warnings(rel_path, front)

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
        categories=categories,
        tags=tags,
        summary=_field(display, front, "summary", fields.optional_text, "summary"),
        draft=draft,
        sticky=_field(display, front, "sticky", fields.priority),
        toc=_field(display, front, "toc", fields.flag, "toc"),
        math=_field(display, front, "math", fields.flag, "math"),
        cover=_field(display, front, "cover", fields.image_address, "cover"),
        series=_field(display, front, "series", fields.optional_text, "series"),
        aliases=_field(display, front, "aliases", fields.site_paths, "aliases"),
        bundle_dir=source.parent if is_bundle else None,
        extra={key: value for key, value in data.items() if key not in _KNOWN_KEYS},
        warnings=tuple(warnings),
    )


def _modified_date(display: Path, modified: float | None, zone: Any) -> datetime:
    try:
        if modified is not None:  # an instant: the same date on every machine, in the site zone
            return parse_date(datetime.fromtimestamp(modified, UTC), zone).astimezone(zone)
    except (OverflowError, OSError, ValueError):
        pass
    raise SourceError(
        display, None, "has no date and its modification time is unusable; add 'date:'"
    )


def _check_addresses(display: Path, line: int | None, key: str, names: Any, style: str) -> None:
    """Each tag and category gets a listing page: its name must leave a usable address."""
    for name in names:
        try:
            make_slug(name, style)
        except SlugError:
            raise SourceError(
                display,
                line,
                f"{key}: {shown(name)} leaves no usable address (it is only punctuation); "
                "use letters or digits",
            ) from None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _control_warnings(rel_path: str, front: FrontMatter) -> list[BuildWarning]:
    """Invisible control characters (pasted from terminals and web pages) are kept, as the
    writer's text, but named: feeds cannot carry them and nobody sees them in an editor."""
    found = []
    for key in _SHOWN_KEYS:
        for text in _strings(front.data.get(key)):
            if (hit := fields.control_character(text)) is not None:
                found.append(
                    BuildWarning(
                        rel_path,
                        front.key_lines.get(key),
                        f"{key} contains the control character {hit[1]}, invisible and not "
                        "allowed in feeds; remove it",
                    )
                )
                break
    if (hit := fields.control_character(front.body)) is not None:
        line = front.body_line + front.body.count("\n", 0, hit[0])
        found.append(
            BuildWarning(
                rel_path,
                line,
                f"the text contains the control character {hit[1]} (pasted from a terminal "
                "or web page?), invisible and not allowed in feeds; remove it",
            )
        )
    return found


def load_site(config: Config) -> Loaded:
    """Every post and page of the site, the errors of the files that could not be read, and
    warnings about what was skipped or looks wrong."""
    posts: list[Post] = []
    errors: list[SourceError] = []
    warnings: list[BuildWarning] = []
    content = config.site_dir / "content"
    boundary = content.resolve()
    for kind, folder in (("post", content / "posts"), ("page", content / "pages")):
        found = walk_files(folder, boundary, config.site_dir)
        warnings += found.warnings
        for source in found.files:
            if not source.name.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            try:
                post = load_post(source, kind, config)
            except SkippedSource as skipped:
                warnings.append(skipped.warning())
                continue
            except SourceError as error:
                errors.append(error)
                continue
            posts.append(post)
            warnings += post.warnings
    return Loaded(tuple(posts), tuple(errors), tuple(warnings))


def load_content(config: Config) -> tuple[list[Post], list[SourceError]]:
    """`load_site` without its warnings, for callers written before warnings existed."""
    loaded = load_site(config)
    return list(loaded.posts), list(loaded.errors)


def duplicate_paths(posts: list[Post] | tuple[Post, ...]) -> list[SourceError]:
    """Two sources that would be written to one address, each named. Addresses that differ
    only in case or in Unicode form (NFC/NFD, as macOS and Windows write names) are one."""
    seen: dict[str, Post] = {}
    errors = []
    for post in posts:
        key = unicodedata.normalize("NFC", post.path).casefold()
        if key not in seen:
            seen[key] = post
            continue
        other = seen[key]
        if post.rel_path != other.rel_path and unicodedata.normalize(
            "NFC", post.rel_path
        ) == unicodedata.normalize("NFC", other.rel_path):
            how = (
                f"has the same name as {other.rel_path} written in another Unicode form "
                "(NFC and NFD, e.g. after syncing from macOS); both would be "
                f"/{post.path}: delete or rename one of them"
            )
        else:
            how = (
                f"has the same address /{post.path} as {other.rel_path}; "
                "give one of them another 'slug'"
            )
        errors.append(SourceError(post.rel_path, None, how))
    return errors
