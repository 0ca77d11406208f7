"""site.toml -> a frozen, validated Config; every problem names its key, line and a likely fix."""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from transmit.errors import ConfigError

CONFIG_NAME = "site.toml"
SLUG_STYLES = ("keep", "pinyin", "hash")


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a build needs to know about the site, validated once."""

    site_dir: Path
    title: str
    subtitle: str = "INCOMING TRANSMISSION"
    description: str = ""
    base_url: str = "/"
    language: str = "zh-CN"
    timezone: str = "UTC"
    author: str = ""
    per_page: int = 10
    excerpt_length: int = 300
    slug_style: str = "keep"
    search: bool = True
    toc: bool = False
    unsafe_html: bool = True
    math_macros: tuple[tuple[str, str], ...] = ()
    encoding: str = "utf-8"  # tried when a source is not UTF-8 (with a warning), e.g. "gb18030"
    # [math] markdown_escaped = true: formulas were written for Markdown engines that unescape
    # before MathJax sees them (`\_`, `\*`, `\\\\`); transmit unescapes them the same way
    math_markdown_escaped: bool = False
    source_text: str = field(default="", repr=False, compare=False)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, '/' or '/notes/'."""
        return urlsplit(self.base_url).path or "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_chinese(self) -> bool:
        return self.language.lower().startswith("zh")


@dataclass(frozen=True, slots=True)
class _Option:
    """One declared key: where it lives, what type it takes, how to check its value."""

    name: str
    table: str  # "" for the top level, else the [table] it lives in
    kind: type | tuple[type, ...]
    check: Callable[[Any], str | None] | None = None  # returns a fix to suggest, or None if fine

    @property
    def dotted(self) -> str:
        return f"{self.table}.{self.name}" if self.table else self.name


def _positive(value: int) -> str | None:
    return None if value > 0 else "use a whole number greater than 0"


def _slug_style(value: str) -> str | None:
    return None if value in SLUG_STYLES else f"use one of: {', '.join(SLUG_STYLES)}"


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "use an IANA time zone name such as 'Asia/Shanghai' or 'UTC'"
    return None


def _base_url(value: str) -> str | None:
    parts = urlsplit(value)
    if value.startswith("/") or (parts.scheme in ("http", "https") and parts.netloc):
        return None
    return "use an absolute URL such as 'https://you.github.io/notes/' or a path such as '/'"


def _encoding(value: str) -> str | None:
    try:
        b"x".decode(value)  # also refuses codecs that are not text encodings (rot13, hex)
    except LookupError:
        return "use a Python codec name such as 'gb18030', 'big5' or 'cp1252'"
    except UnicodeDecodeError:
        pass  # a real text codec that wants more than one byte (utf-16)
    return None


def _macros(value: Mapping[str, Any]) -> str | None:
    for name, body in value.items():
        if not re.fullmatch(r"\\[A-Za-z]+", name) or not isinstance(body, str):
            return 'write each macro as "\\\\name" = "TeX", e.g. "\\\\R" = "\\\\mathbb{R}"'
    return None


_OPTIONS = (
    _Option("title", "", str),
    _Option("subtitle", "", str),
    _Option("description", "", str),
    _Option("base_url", "", str, _base_url),
    _Option("language", "", str),
    _Option("timezone", "", str, _timezone),
    _Option("author", "", str),
    _Option("per_page", "", int, _positive),
    _Option("excerpt_length", "", int, _positive),
    _Option("slug_style", "", str, _slug_style),
    _Option("search", "", bool),
    _Option("toc", "", bool),
    _Option("unsafe_html", "markdown", bool),
    _Option("macros", "math", dict, _macros),
    _Option("encoding", "", str, _encoding),
    _Option("markdown_escaped", "math", bool),
)
_TABLES = {option.table for option in _OPTIONS if option.table}
# one pass, no nested quantifiers over the same characters: lines may be long and odd
_TABLE_HEADER = re.compile(r"^[ \t]*\[([^\]]*)\]")
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", dict: "a table"}


def key_line(text: str, table: str, key: str) -> int | None:
    """The 1-based line setting `key` in `table` of a TOML text (tomllib keeps no positions)."""
    current = ""
    key_pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_HEADER.match(line)
        if header:
            current = header.group(1).strip().strip("\"'")
            if not table and current == key:
                return number
            continue
        if current == table and key_pattern.match(line):
            return number
        if not table and current == "" and re.match(rf"^\s*{re.escape(key)}\s*\.", line):
            return number
    return None


def _check_value(option: _Option, value: Any, path: Path, text: str) -> None:
    line = key_line(text, option.table, option.name)
    # bool is an int in Python; a number is never a valid bool and vice versa
    wrong_type = not isinstance(value, option.kind) or (
        option.kind is int and isinstance(value, bool)
    )
    if wrong_type:
        wanted = _TYPE_NAMES.get(option.kind, str(option.kind))  # type: ignore[arg-type]
        raise ConfigError(path, line, f"'{option.dotted}' must be {wanted}, not {value!r}")
    if option.check is not None and (fix := option.check(value)) is not None:
        raise ConfigError(path, line, f"'{option.dotted}' = {value!r} is not valid; {fix}")


def _unknown_key(dotted: str, path: Path, line: int | None) -> ConfigError:
    known = [option.dotted for option in _OPTIONS] + sorted(_TABLES)
    close = difflib.get_close_matches(dotted, known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
    return ConfigError(path, line, f"unknown key '{dotted}'{hint}")


def parse_config(text: str, path: Path, site_dir: Path) -> Config:
    """Validate the text of a site.toml and return its Config."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ConfigError(
            path, int(match.group(1)) if match else None, f"not valid TOML: {reason}"
        ) from None
    except RecursionError:
        raise ConfigError(path, None, "not valid TOML: values nest too deeply") from None
    values: dict[str, Any] = {}
    by_place = {(option.table, option.name): option for option in _OPTIONS}
    for key, value in data.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise ConfigError(path, key_line(text, "", key), f"'{key}' must be a table")
            for sub_key, sub_value in value.items():
                option = by_place.get((key, sub_key))
                if option is None:
                    line = key_line(text, key, sub_key)
                    raise _unknown_key(f"{key}.{sub_key}", path, line)
                _check_value(option, sub_value, path, text)
                values[option.dotted] = sub_value
            continue
        option = by_place.get(("", key))
        if option is None:
            raise _unknown_key(key, path, key_line(text, "", key))
        _check_value(option, value, path, text)
        values[key] = value
    if "title" not in values:
        raise ConfigError(
            path, None, "'title' is required; add a line such as: title = \"My Notes\""
        )
    base_url = values.get("base_url", "/")
    return Config(
        site_dir=site_dir,
        title=values["title"],
        subtitle=values.get("subtitle", "INCOMING TRANSMISSION"),
        description=values.get("description", ""),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=values.get("language", "zh-CN"),
        timezone=values.get("timezone", "UTC"),
        author=values.get("author", ""),
        per_page=values.get("per_page", 10),
        excerpt_length=values.get("excerpt_length", 300),
        slug_style=values.get("slug_style", "keep"),
        search=values.get("search", True),
        toc=values.get("toc", False),
        unsafe_html=values.get("markdown.unsafe_html", True),
        math_macros=tuple(sorted(values.get("math.macros", {}).items())),
        encoding=codecs.lookup(values.get("encoding", "utf-8")).name,
        math_markdown_escaped=values.get("math.markdown_escaped", False),
        source_text=text,
    )


def load_config(site_dir: Path) -> Config:
    """Read and validate `site_dir/site.toml`."""
    path = site_dir / CONFIG_NAME
    if not site_dir.is_dir():
        raise ConfigError(site_dir, None, "no such site folder; create one with: transmit init DIR")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            path, None, "no site.toml here; is this a site folder? (transmit init DIR makes one)"
        ) from None
    except OSError as error:
        raise ConfigError(path, None, f"cannot read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(path, line, "not UTF-8 text; save the file as UTF-8") from None
    return parse_config(text, path, site_dir)
