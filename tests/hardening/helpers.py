"""Running the real command line in-process on small hostile sites."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from transmit.cli import main

GOOD = "---\ntitle: Good Post\ndate: 2020-01-01\n---\n\nThe rest of the site.\n"
# One diagnostic line: `path:line[:col]: [warning: ]message`, no traceback, no raw controls.
LINE = re.compile(
    r"^(?:[^\s:][^:]*(?::\d+){0,2}: \S.*|interrupted; the previous output is unchanged)$"
)


@dataclass(frozen=True, slots=True)
class Run:
    status: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.strip().splitlines()


def transmit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    for line in captured.err.strip().splitlines():
        assert "Traceback" not in line
        assert LINE.match(line), f"not one clear line: {line!r}"
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line), f"raw control in {line!r}"
    return Run(status, captured.out, captured.err)


def page(site: Path, path: str) -> str:
    return (site / "public" / path / "index.html").read_text(encoding="utf-8")


def visible(markup: str) -> str:
    """The characters a reader sees: tags dropped (highlighting splits code into spans)."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))
