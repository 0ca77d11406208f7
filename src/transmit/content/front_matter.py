"""Split a source file into front matter and body, keeping each key's line for error messages.

YAML is composed into nodes first (PyYAML's C loader) so that text keys keep the writer's exact
characters (`title: 2026`, `title: yes`, `slug: 1.10` stay text) and duplicate keys are caught.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from transmit.config import key_line
from transmit.errors import SourceError

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# Keys whose scalar values are always text, exactly as written (also inside lists).
TEXT_KEYS = frozenset(
    {
        "title",
        "summary",
        "slug",
        "author",
        "description",
        "cover",
        "series",
        "date",
        "updated",
        "tags",
        "categories",
        "category",
        "aliases",
        "lastmod",
        "keywords",
    }
)
_FENCES = {"---": ("yaml", ("---", "...")), "+++": ("toml", ("+++",))}


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """What stood between the fences, with where each key was written."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int  # the 1-based line of the file on which the body starts
    format: str | None  # "yaml", "toml" or None when the file has no front matter


def split_front_matter(text: str, path: Path) -> FrontMatter:
    """Parse `text` (already decoded, LF line ends) into front matter and body."""
    first_end = text.find("\n")
    first = (text if first_end < 0 else text[:first_end]).rstrip()
    if first not in _FENCES:
        return FrontMatter({}, {}, text, 1, None)
    kind, closers = _FENCES[first]
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            head = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            if kind == "yaml":
                data, key_lines = _parse_yaml(head, path)
            else:
                data, key_lines = _parse_toml(head, path)
            return FrontMatter(data, key_lines, body, index + 2, kind)
    raise SourceError(
        path,
        1,
        f"front matter opened with '{first}' is never closed; add a line '{first}' after it",
    )


def _parse_yaml(head: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        root = yaml.compose(head, Loader=_Loader)
    except yaml.YAMLError as error:
        # an unclosed quote or bracket is reported at the end; its opening line helps more
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        mark = getattr(error, "problem_mark", None)
        if "end of stream" in problem or "did not find expected" in problem:
            mark = getattr(error, "context_mark", None) or mark
        line = mark.line + 2 if mark is not None else 1
        raise SourceError(path, line, f"front matter is not valid YAML: {problem}") from None
    if root is None:
        return {}, {}
    if not isinstance(root, yaml.MappingNode):
        raise SourceError(
            path, root.start_mark.line + 2, "front matter must be 'key: value' lines (a mapping)"
        )
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    constructor = _Loader("")
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 2  # +1 for 1-based, +1 for the opening fence
        if not isinstance(key_node, yaml.ScalarNode):
            raise SourceError(path, line, "front matter keys must be plain names")
        key = str(key_node.value)
        if key in data:
            raise SourceError(
                path, line, f"key '{key}' appears twice (first on line {key_lines[key]}); keep one"
            )
        key_lines[key] = line
        try:
            data[key] = (
                _raw_text(value_node)
                if key in TEXT_KEYS
                else constructor.construct_object(value_node, deep=True)
            )
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            raise SourceError(path, line, f"front matter value of '{key}': {problem}") from None
    return data, key_lines


def _raw_text(node: yaml.Node) -> Any:
    """Scalars as the writer typed them; sequences of them as lists; null as None."""
    if isinstance(node, yaml.ScalarNode):
        if (
            node.tag.endswith(":null")
            and node.style in (None, "")
            and node.value in ("", "~", "null")
        ):
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_raw_text(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(key.value): _raw_text(value) for key, value in node.value}
    return None  # pragma: no cover - no other node kinds exist


def _parse_toml(head: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        data = tomllib.loads(head)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) + 1 if match else 1
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise SourceError(path, line, f"front matter is not valid TOML: {reason}") from None
    key_lines = {key: (key_line(head, "", key) or 0) + 1 for key in data}
    return data, key_lines
