"""Errors and warnings that carry their location: the CLI prints each as `path:line: message`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def _location(path: Path | str | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line else f"{path}: "


class TransmitError(Exception):
    """Base of every error the CLI reports in one line instead of a traceback."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        return f"{_location(self.path, self.line)}{self.message}"


class SourceError(TransmitError):
    """A problem in an input file (post, page, config, template), raised where it is found."""

    def __init__(self, path: Path | str | None, line: int | None, message: str):
        super().__init__(message, path, line)


class ConfigError(SourceError):
    """A problem in site.toml."""


class UsageError(TransmitError):
    """The command line itself is wrong (exit status 2)."""


@dataclass(frozen=True, slots=True)
class BuildWarning:
    """Something worth telling the writer that does not stop the build (unless --strict)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{_location(self.path, self.line)}{self.message}"
