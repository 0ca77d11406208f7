"""What the dev server knows at one moment: which build is served and what is wrong with the input.

Records are swapped whole by the rebuild thread and read by the HTTP threads; the box is the only
shared mutable thing, guarded by its condition.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from transmit.errors import TransmitError


@dataclass(frozen=True, slots=True)
class Problem:
    """One input problem, as the terminal prints it and the overlay shows it."""

    path: str
    line: int | None
    message: str

    @property
    def text(self) -> str:
        """`path:line: message`, the compiler-style line."""
        if not self.path:
            return self.message
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "message": self.message, "text": self.text}


def problems_of(error: TransmitError) -> tuple[Problem, ...]:
    """The problems an error carries (a failed build carries one per file)."""
    found: Sequence[TransmitError] = getattr(error, "errors", None) or [error]
    return tuple(
        Problem("" if item.path is None else str(item.path), item.line, item.message)
        for item in found
    )


@dataclass(frozen=True, slots=True)
class SiteState:
    """The served build and the latest problems.

    `version` counts successful builds; `page_version` is the last successful build that changed
    more than stylesheets, so a page older than it must reload while a newer one swaps its CSS.
    `root` is None until a first build succeeds. `base_path` is where the site lives ("/" or
    "/notes/"), taken from site.toml so the built links work unchanged. `session` names this run
    of the server: a page from an earlier run reloads when it reconnects to a new one.
    `search_pending`: the served search index predates the last edits (it is made again when
    a browser asks for it).
    """

    session: str = ""
    version: int = 0
    page_version: int = 0
    root: Path | None = None
    base_path: str = "/"
    problems: tuple[Problem, ...] = ()
    search_pending: bool = False

    def succeeded(
        self, root: Path, base_path: str, *, pages_changed: bool, search_pending: bool = False
    ) -> SiteState:
        version = self.version + 1
        return replace(
            self,
            version=version,
            page_version=version if pages_changed or self.root is None else self.page_version,
            root=root,
            base_path=base_path,
            problems=(),
            search_pending=search_pending,
        )

    def failed(self, problems: Sequence[Problem]) -> SiteState:
        return replace(self, problems=tuple(problems))

    def as_json(self) -> dict[str, object]:
        return {
            "session": self.session,
            "version": self.version,
            "page_version": self.page_version,
            "errors": [problem.as_json() for problem in self.problems],
        }


class StateBox:
    """Holds the current SiteState; readers take a snapshot, waiters wake on every change."""

    def __init__(self, state: SiteState) -> None:
        self._state = state
        self._changes = 0
        self._condition = threading.Condition()

    @property
    def state(self) -> SiteState:
        with self._condition:
            return self._state

    @property
    def changes(self) -> int:
        """How many times the state was set: a cursor for `wait_after`."""
        with self._condition:
            return self._changes

    def set(self, state: SiteState) -> None:
        with self._condition:
            self._state = state
            self._changes += 1
            self._condition.notify_all()

    def wait_after(self, changes: int, timeout: float) -> SiteState | None:
        """Block until the state was set more than `changes` times; None on timeout."""
        with self._condition:
            if self._condition.wait_for(lambda: self._changes > changes, timeout):
                return self._state
            return None
