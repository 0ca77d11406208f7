"""A one-shot build leaves its objects to a process that ends without freeing anything (the
`transmit` command), and frees them in any other."""

from __future__ import annotations

import subprocess
import sys
import weakref

import pytest

from tests.build.sites import CONFIG, FILES, OPTIONS
from tests.conftest import SiteMaker
from transmit import process_end
from transmit.build.incremental import IncrementalBuilder
from transmit.build.pipeline import build_site


def _builders_made(monkeypatch: pytest.MonkeyPatch) -> list[weakref.ref[IncrementalBuilder]]:
    made: list[weakref.ref[IncrementalBuilder]] = []
    real = IncrementalBuilder.__init__

    def noted(self: IncrementalBuilder, *arguments: object, **keywords: object) -> None:
        made.append(weakref.ref(self))
        real(self, *arguments, **keywords)  # type: ignore[arg-type]

    monkeypatch.setattr(IncrementalBuilder, "__init__", noted)
    return made


def test_a_process_that_ends_without_freeing_keeps_the_builder(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _builders_made(monkeypatch)
    monkeypatch.setattr(process_end, "_left", [])
    build_site(make_site(FILES, config=CONFIG), OPTIONS)
    (builder,) = made
    assert process_end._left == [builder()]


def test_any_other_process_frees_the_builder_when_the_build_returns(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _builders_made(monkeypatch)
    monkeypatch.setattr(process_end, "_left", None)
    build_site(make_site(FILES, config=CONFIG), OPTIONS)
    (builder,) = made
    assert builder() is None


def test_the_command_builds_and_reports_then_ends(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=CONFIG)
    done = subprocess.run(
        [sys.executable, "-m", "transmit", "build", str(site)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built ") and (site / "public" / "index.html").is_file()
