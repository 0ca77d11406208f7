"""Errors and warnings that carry their location: the CLI prints each as `path:line: message`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# C0 and C1 controls (and DEL) other than tab: printed raw they would move the cursor, recolour
# or retitle the writer's terminal, and names and values in messages come from the notes folder.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` safe to print on one terminal line: control characters shown as `\\x1b` escapes."""
    return _UNPRINTABLE.sub(lambda match: ascii(match.group())[1:-1], text)


def shown(value: object, limit: int = 60) -> str:
    """A writer's value quoted for a message: printable, and cut short when it is long."""
    text = printable(value if isinstance(value, str) else repr(value))
    if len(text) > limit:
        text = text[:limit] + "…"
    return f"'{text}'" if isinstance(value, str) else text


def location(path: Path | str | None, line: int | None, column: int | None = None) -> str:
    """`path:line:col: ` as compilers print it, leaving out what is not known."""
    if path is None:
        return ""
    where = printable(str(path))
    if line:
        where += f":{line}"
        if column:
            where += f":{column}"
    return where + ": "


def _location(path: Path | str | None, line: int | None) -> str:
    return location(path, line)


class TransmitError(Exception):
    """Base of every error the CLI reports in one line instead of a traceback."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        return f"{_location(self.path, self.line)}{printable(self.message)}"

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # worker processes send errors back pickled; rebuild them from their fields
        return _rebuild_error, (type(self), self.__dict__)


def _rebuild_error(kind: type[TransmitError], fields: dict[str, object]) -> TransmitError:
    error = kind.__new__(kind)
    Exception.__init__(error, fields.get("message", ""))
    error.__dict__.update(fields)
    return error


class SourceError(TransmitError):
    """A problem in an input file (post, page, config, template), raised where it is found."""

    def __init__(self, path: Path | str | None, line: int | None, message: str):
        super().__init__(message, path, line)


class ConfigError(SourceError):
    """A problem in site.toml."""


class UsageError(TransmitError):
    """The command line itself is wrong (exit status 2)."""


class InternalError(SourceError):
    """transmit itself failed on one input (a bug to report), said in one line, not a traceback."""


@dataclass(frozen=True, slots=True)
class BuildWarning:
    """Something worth telling the writer that does not stop the build (unless --strict)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{_location(self.path, self.line)}{printable(self.message)}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of `transmit check`, printed `path:line:col: level: message`."""

    path: str | None
    line: int | None
    column: int | None
    level: str  # "error", "warning" or "note"
    message: str

    def __str__(self) -> str:
        return (
            f"{location(self.path, self.line, self.column)}{self.level}: {printable(self.message)}"
        )

    @classmethod
    def of(cls, error: TransmitError | BuildWarning, level: str) -> Problem:
        path = None if error.path is None else str(error.path)
        return cls(path, error.line, None, level, error.message)
