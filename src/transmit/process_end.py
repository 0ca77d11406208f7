"""How this process ends, for work that can leave its objects to the end.

The `transmit` command ends with os._exit once its work is done (`cli.run`): then a build's
objects can be left as they are, where freeing a 10,000-post site's records and pages one by
one took 30 ms of a 0.9 s one-edit build. Anything else (tests, the dev server, a
library user) ends as processes usually do, and frees what it no longer needs.
"""

from __future__ import annotations

# What was left for the end, when the process ends without freeing anything; None otherwise.
_left: list[object] | None = None


def end_without_freeing() -> None:
    """Say that this process ends with os._exit: what is left to the end is never freed."""
    global _left
    if _left is None:
        _left = []


def leave_to_end(thing: object) -> None:
    """Keep `thing` until the process ends, when it ends without freeing anything (otherwise
    the caller's reference stays the last one: dropping it frees it)."""
    if _left is not None:
        _left.append(thing)
