"""Front matter values turned into typed fields, as Hexo, Hugo and Jekyll writers mean them."""

from __future__ import annotations

import re
from typing import Any

from transmit.errors import shown

_TAG_SEPARATORS = re.compile(r"[,，、;；]")  # parts are stripped after the split


class FieldError(ValueError):
    """A value of a known key has the wrong shape; the message says what to write."""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def category_paths(value: Any) -> tuple[tuple[str, ...], ...]:
    """Hexo's rules: a string or a list is one path (parent first), `"A/B"` equals `[A, B]`,
    a list of lists is several paths."""
    if value is None or value == "" or value == []:
        return ()
    if isinstance(value, str):
        return _dedupe([_split_path(value)])
    if not isinstance(value, list):
        raise FieldError("categories must be a name, 'A/B', a list [A, B] or a list of lists")
    if any(isinstance(item, list) for item in value):
        paths = []
        for item in value:
            path: tuple[str, ...] = ()
            for part in item if isinstance(item, list) else [item]:
                path += _split_path(_text(part))
            paths.append(path)
        return _dedupe(paths)
    path = ()
    for item in value:
        if isinstance(item, dict):
            raise FieldError("categories must be a name, 'A/B', a list [A, B] or a list of lists")
        path += _split_path(_text(item))
    return _dedupe([path])


def _split_path(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("/") if part.strip())


def _dedupe(paths: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(dict.fromkeys(path for path in paths if path))


def tag_list(value: Any) -> tuple[str, ...]:
    """Tags from a list, or from one string split on commas (or on spaces, as Jekyll does)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        parts = _TAG_SEPARATORS.split(value) if _TAG_SEPARATORS.search(value) else value.split()
    elif isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, list | dict):
                raise FieldError("tags must be a list of names or one string of names")
            parts.append(_text(item))
    else:
        raise FieldError("tags must be a list of names or one string of names")
    return tuple(dict.fromkeys(part.strip() for part in parts if part and part.strip()))


def text_list(value: Any, key: str) -> tuple[str, ...]:
    """A key such as `aliases` that takes one string or a list of strings."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    if isinstance(value, list) and all(not isinstance(item, list | dict) for item in value):
        return tuple(_text(item) for item in value if _text(item))
    raise FieldError(f"{key} must be a string or a list of strings")


def flag(value: Any, key: str) -> bool | None:
    """A true/false key; YAML's yes/no count, anything else is a typo worth reporting."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (
        "true",
        "yes",
        "on",
        "false",
        "no",
        "off",
    ):
        return value.strip().lower() in ("true", "yes", "on")
    raise FieldError(f"{key} must be true or false, not {shown(value)}")


def priority(value: Any) -> int:
    """`sticky: true` or a number (higher leads), as in Hexo."""
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise FieldError(f"sticky must be true, false or a number, not {shown(value)}")


def optional_text(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | dict):
        raise FieldError(f"{key} must be text, not a list or table")
    text = str(value)
    return text if text.strip() else None


# Characters that are invisible, or not allowed in XML feeds, or both: kept (text is sacred)
# but worth a warning, since they come from pasting and nobody types them on purpose.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_SAFE_SCHEMES = ("http", "https")


def control_character(text: str) -> tuple[int, str] | None:
    """The index and U+ name of the first control character in `text`, or None."""
    match = _CONTROL.search(text)
    if match is None:
        return None
    return match.start(), f"U+{ord(match.group()):04X}"


def _scheme(text: str) -> str | None:
    # browsers drop tabs, newlines and other controls inside a URL before reading its scheme
    probe = "".join(char for char in text.strip() if char.isprintable() and not char.isspace())
    match = _URL_SCHEME.match(probe)
    return match.group(1).lower() if match else None


def image_address(value: Any, key: str) -> str | None:
    """`cover`: a path relative to the post, a site path or an http(s) URL, never a script."""
    text = optional_text(value, key)
    if text is None:
        return None
    scheme = _scheme(text)
    if scheme is not None and scheme not in _SAFE_SCHEMES:
        raise FieldError(
            f"{shown(text)} is not an image address; use a path relative to the post "
            "(cover.png), a site path (/images/cover.png) or an http(s) URL"
        )
    if control_character(text) is not None:
        raise FieldError(f"{shown(text)} contains control characters; remove them")
    return text


def site_paths(value: Any, key: str) -> tuple[str, ...]:
    """`aliases`: old addresses of a post, as paths inside the site (`/old/address/`)."""
    paths = text_list(value, key)
    for path in paths:
        parts = path.strip("/").split("/")
        if (
            _scheme(path) is not None
            or path.startswith("//")
            or "\\" in path
            or control_character(path) is not None
            or any(part in ("..", ".") for part in parts)
            or not path.strip("/")
        ):
            raise FieldError(
                f"{shown(path)} is not an address inside the site; "
                "write a path such as /2019/03/old-title/"
            )
    return paths
