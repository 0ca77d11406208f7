"""Files modified too recently to trust by their stat are compared by content: by the next
build, and by no build after it that finds them as they were and old enough to trust."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.build.sites import CONFIG, FILES, OPTIONS, cold_tree, post, tree, write
from tests.conftest import SiteMaker
from transmit.build import inputs, sources
from transmit.build.pipeline import build_site


def count_content_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = inputs.content_digest

    def counting(name: str) -> bytes | None:
        read.append(name)
        return real(name)

    monkeypatch.setattr(inputs, "content_digest", counting)
    monkeypatch.setattr(sources, "content_digest", counting)
    return read


def test_files_found_as_they_were_are_trusted_by_their_stat_from_then_on(
    make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)  # every file was written a moment ago: none trusted by stat
    monkeypatch.setattr(inputs, "RACY_WINDOW_NS", 0)  # ... and now every one is old enough
    read = count_content_reads(monkeypatch)
    assert build_site(site, OPTIONS).unchanged
    assert {Path(name).name for name in read} >= {"alpha.md", "beta.md", "about.md"}
    read.clear()
    assert build_site(site, OPTIONS).unchanged
    assert read == []
    write(site, "content/posts/beta.md", post("Beta", "2026-01-02", "Intro.\n\n<!-- more -->"))
    build_site(site, OPTIONS)  # the posts' records were written when the files were recent
    assert tree(site / "public") == cold_tree(site, tmp_path)
    read.clear()
    write(site, "content/posts/beta.md", post("Beta", "2026-01-02", "Intro, edited again."))
    build_site(site, OPTIONS)
    assert read == []
    assert tree(site / "public") == cold_tree(site, tmp_path)


def test_a_recent_file_changed_in_place_is_seen_by_a_build_after_a_no_op(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(FILES, config=CONFIG)
    build_site(site, OPTIONS)
    assert build_site(site, OPTIONS).unchanged  # within the window: still compared by content
    path = site / "content/posts/alpha.md"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Alpha $", "Omega $"), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    assert not build_site(site, OPTIONS).unchanged
    assert "Omega" in (site / "public/posts/alpha/index.html").read_text(encoding="utf-8")
