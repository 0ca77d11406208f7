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
from transmit.errors import SourceError, printable, shown

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

# Front matter is a handful of keys. These bounds keep hostile or broken input (a pasted log,
# `[[[[...`, YAML aliases that expand a billion times) from crashing or stalling the build:
# the YAML composer recurses in C and would take the process down before Python could object.
MAX_DEPTH = 64
MAX_VALUES = 100_000
_OPENERS = (
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
)
_CLOSERS = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
# What a wrong explicit tag (`!!int abc`, `!!int` with no digits, `!!bool maybe`) or an
# impossible implicit date raises from inside PyYAML's constructors: any ordinary exception.
_CONSTRUCT_ERRORS = (yaml.YAMLError, Exception)


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


def _yaml_problem(error: yaml.YAMLError, path: Path) -> SourceError:
    # an unclosed quote or bracket is reported at the end; its opening line helps more
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    if "end of stream" in problem or "did not find expected" in problem:
        mark = getattr(error, "context_mark", None) or mark
    line = mark.line + 2 if mark is not None else 1
    if "nesting depth" in problem:  # libyaml's own limit (PyYAML 6.0.4) can come before ours
        return _too_deep(path, line)
    return SourceError(path, line, f"front matter is not valid YAML: {problem}")


def _check_nesting(head: str, path: Path) -> bool:
    """Count nesting on the token stream (flat, no recursion) before composing anything.
    Whether the composed tree needs no further check: no aliases, no more tokens than values
    allowed, and half the depth allowed (a sequence written flush with its key nests without a
    token of its own, so the tree can be twice as deep as the tokens say)."""
    depth = deepest = tokens = 0
    aliases = False
    for token in yaml.scan(head, Loader=_Loader):
        tokens += 1
        if isinstance(token, _OPENERS):
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                raise _too_deep(path, token.start_mark.line + 2)
        elif isinstance(token, _CLOSERS):
            depth -= 1
        elif isinstance(token, yaml.AliasToken):
            aliases = True
    return not aliases and tokens <= MAX_VALUES and deepest <= MAX_DEPTH // 2


def _too_deep(path: Path, line: int | None) -> SourceError:
    return SourceError(path, line, f"front matter nests deeper than {MAX_DEPTH} levels; flatten it")


def _node_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node, path: Path) -> None:
    """Aliases share nodes: measure depth and size as expanded, iteratively, refusing cycles."""
    measured: dict[int, tuple[int, int]] = {}  # id -> (values, depth) once expanded
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            sizes = [measured[id(child)] for child in _node_children(node)]
            values = 1 + sum(size for size, _ in sizes)
            depth = 1 + max((depth for _, depth in sizes), default=0)
            if values > MAX_VALUES:
                raise SourceError(
                    path,
                    node.start_mark.line + 2,
                    f"front matter expands to more than {MAX_VALUES} values (YAML aliases); "
                    "write the values out instead",
                )
            if depth > MAX_DEPTH:
                raise _too_deep(path, node.start_mark.line + 2)
            measured[key] = (values, depth)
            open_nodes.discard(key)
            continue
        if key in measured:
            continue
        if key in open_nodes:
            raise SourceError(
                path, node.start_mark.line + 2, "a YAML alias in the front matter contains itself"
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _node_children(node) if id(child) not in measured)


def _parse_yaml(head: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        plain = _check_nesting(head, path)
        root = yaml.compose(head, Loader=_Loader)
    except yaml.YAMLError as error:
        raise _yaml_problem(error, path) from None
    if root is None:
        return {}, {}
    if not isinstance(root, yaml.MappingNode):
        raise SourceError(
            path, root.start_mark.line + 2, "front matter must be 'key: value' lines (a mapping)"
        )
    if not plain:  # a tree as written is within bounds: only aliases can make it grow
        _check_expansion(root, path)
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
                path,
                line,
                f"key {shown(key)} appears twice (first on line {key_lines[key]}); keep one",
            )
        key_lines[key] = line
        try:
            data[key] = (
                _raw_text(value_node)
                if key in TEXT_KEYS
                else constructor.construct_object(value_node, deep=True)
            )
        except _CONSTRUCT_ERRORS as error:
            problem = printable(getattr(error, "problem", None) or str(error).splitlines()[0])
            if head.startswith("!", value_node.start_mark.index):
                problem += "; remove the '!' tag"
            elif isinstance(value_node, yaml.ScalarNode):
                problem += f" in {shown(value_node.value)}; quote the value to keep it as text"
            raise SourceError(
                path, line, f"front matter value of {shown(key)}: {problem}"
            ) from None
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


def _check_toml_keys(head: str, path: Path) -> None:
    """tomllib slows down with the square of the parts of a dotted key: refuse absurd ones."""
    for number, line in enumerate(head.split("\n"), start=2):
        text = line.lstrip()
        if text.startswith("["):
            key = text.partition("]")[0]
        elif "=" in text:
            key = text.partition("=")[0]
        else:
            continue
        if key.count(".") >= MAX_DEPTH:
            raise _too_deep(path, number)


def _data_depth(data: Any) -> int:
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return deepest


def _parse_toml(head: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    _check_toml_keys(head, path)
    try:
        data = tomllib.loads(head)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) + 1 if match else 1
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise SourceError(path, line, f"front matter is not valid TOML: {reason}") from None
    except RecursionError:
        raise _too_deep(path, None) from None
    if _data_depth(data) > MAX_DEPTH:
        raise _too_deep(path, None)
    key_lines = {key: (key_line(head, "", key) or 0) + 1 for key in data}
    return data, key_lines
