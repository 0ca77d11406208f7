"""The resident builder's watch: what it says changed, and when it says it cannot tell."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.build.sites import tree
from tests.conftest import SiteMaker
from transmit.build.incremental import IncrementalBuilder
from transmit.build.manifest import Manifest
from transmit.build.pipeline import BuildOptions
from transmit.resident import changes
from transmit.resident.changes import Changes, ChangeWatch, local_filesystems

pytestmark = pytest.mark.skipif(
    not changes.LOCAL_FILESYSTEMS.intersection(changes._mounts().values()),
    reason="needs inotify on a local file system",
)

CONFIG = 'title = "Notes"\ntimezone = "Asia/Shanghai"\nsearch = false\n'
FILES: dict[str, str | bytes] = {
    "content/posts/alpha.md": "---\ntitle: Alpha\ndate: 2026-01-02\n---\n\nAlpha $x^2$.\n",
    "content/posts/beta.md": "---\ntitle: Beta\ndate: 2026-01-03\ntags: [t]\n---\n\nBeta.\n",
}
NOTHING = Changes(frozenset(), frozenset())


@pytest.fixture
def watched(make_site: SiteMaker) -> Iterator[tuple[IncrementalBuilder, ChangeWatch]]:
    """A built site and a watch that has seen one build since it began (so it can tell)."""
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, BuildOptions(jobs=1))
    builder.build()
    watch = ChangeWatch(builder.out_dir)
    watch.follow(manifest(builder))
    assert watch.take() == Changes(None, None)  # what came before the watch: not known
    rebuild(builder, watch)
    yield builder, watch
    watch.close()


def manifest(builder: IncrementalBuilder) -> Manifest:
    assert builder.manifest is not None
    return builder.manifest


def rebuild(builder: IncrementalBuilder, watch: ChangeWatch) -> Changes:
    """One build as the resident builder makes it; what the watch told it."""
    told = watch.take()
    if told.inputs is None or told.outputs is None:
        builder.build()
    else:
        builder.build([Path(name) for name in told.inputs], outputs_touched=told.outputs)
    watch.follow(manifest(builder))
    return told


def edit(builder: IncrementalBuilder) -> Path:
    """A sentence added to the post alpha, in place; its path."""
    post = builder.site_dir / "content/posts/alpha.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    return post


def test_an_edit_is_named_and_the_builds_own_writes_are_not(
    watched: tuple[IncrementalBuilder, ChangeWatch],
) -> None:
    builder, watch = watched
    post = edit(builder)
    assert rebuild(builder, watch) == Changes(frozenset({str(post)}), frozenset())
    assert "More." in (builder.out_dir / "posts/alpha/index.html").read_text(encoding="utf-8")
    assert watch.take() == NOTHING  # its own writes to the output are not changes


def test_outputs_touched_by_hand_are_named_and_made_again(
    watched: tuple[IncrementalBuilder, ChangeWatch],
) -> None:
    builder, watch = watched
    page = builder.out_dir / "index.html"
    before = page.read_bytes()
    page.write_text("changed by hand", encoding="utf-8")
    assert rebuild(builder, watch) == Changes(frozenset(), frozenset({"index.html"}))
    assert page.read_bytes() == before


@pytest.mark.parametrize(
    "change",
    ["folder of posts", "output folder removed", "static folder made", "output folder replaced"],
)
def test_a_folder_made_or_removed_leaves_the_next_build_to_the_stat_pass(
    watched: tuple[IncrementalBuilder, ChangeWatch], tmp_path: Path, change: str
) -> None:
    builder, watch = watched
    site, out = builder.site_dir, builder.out_dir
    if change == "folder of posts":
        (site / "content/posts/2026").mkdir()
        (site / "content/posts/2026/gamma.md").write_text("---\ntitle: G\n---\nG.\n")
    elif change == "output folder removed":
        shutil.rmtree(out / "posts/beta")
    elif change == "static folder made":
        (site / "static").mkdir()
        (site / "static/robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    else:
        shutil.rmtree(out)
        out.mkdir()
    told = rebuild(builder, watch)
    assert told.inputs is None or told.outputs is None
    # the build made what a cold build makes; the watch goes on from the folders as they are
    fresh = tmp_path / "cold"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".transmit-cache"))
    IncrementalBuilder(fresh, BuildOptions(jobs=1)).build()
    assert tree(out) == tree(fresh / "public")
    rebuild(builder, watch)  # folders watched only after the build read them: not yet sure
    assert watch.take() == NOTHING


def test_lost_events_leave_the_next_build_to_the_stat_pass(
    watched: tuple[IncrementalBuilder, ChangeWatch],
) -> None:
    from inotify_simple import flags

    _, watch = watched
    watch._note(-1, flags.Q_OVERFLOW, "")
    assert watch.take() == Changes(None, None)


def test_a_site_with_folder_links_is_not_watched(make_site: SiteMaker, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.md").write_text("---\ntitle: L\n---\nL.\n", encoding="utf-8")
    site = make_site(FILES, config=CONFIG)
    os.symlink(elsewhere, site / "content/posts/more")
    builder = IncrementalBuilder(site, BuildOptions(jobs=1))
    builder.build()
    watch = ChangeWatch(builder.out_dir)
    for _ in range(2):
        watch.follow(manifest(builder))
        assert watch.take() == Changes(None, None)
        builder.build()
    watch.close()


MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:40 / /home/me/notes rw,relatime - nfs4 server:/notes rw
31 22 0:41 / /mnt/c rw - 9p drvfs rw
32 22 8:2 / /srv/my\\040site rw - xfs /dev/sda2 rw
"""


@pytest.mark.parametrize(
    ("folders", "local"),
    [
        (["/srv/my site/content"], True),  # mountinfo's escapes read back
        (["/home/me"], False),  # a network share mounted below it
        (["/home/me/notes/content"], False),
        (["/mnt/c/Users/me/notes"], False),  # a Windows folder seen from WSL
        (["/work/site", "/srv/my site/public"], True),
    ],
)
def test_only_local_file_systems_are_watched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folders: list[str], local: bool
) -> None:
    mounts = tmp_path / "mountinfo"
    mounts.write_text(MOUNTINFO, encoding="utf-8")
    monkeypatch.setattr(changes, "MOUNTS", mounts)
    monkeypatch.setattr(changes.os.path, "realpath", lambda path: path)
    assert local_filesystems(folders) is local


def test_no_mount_table_no_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "MOUNTS", tmp_path / "absent")
    assert local_filesystems([str(tmp_path)]) is False


def test_a_site_with_more_folders_than_its_share_of_watches_is_not_watched(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes, "WATCH_LIMIT", Path("/nonexistent"))  # 8,192: 2,048 to take
    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, BuildOptions(jobs=1))
    builder.build()
    assert ChangeWatch(builder.out_dir)._budget == 2048
    monkeypatch.setattr(changes, "WATCH_SHARE", 8192 // 3)  # 3 watches: fewer than it needs
    watch = ChangeWatch(builder.out_dir)
    for _ in range(2):
        watch.follow(manifest(builder))
        assert watch.take() == Changes(None, None)
        builder.build()
    assert not watch._watched  # it gave back what it took
    watch.close()


def test_the_audit_leaves_the_watch_sure_of_what_it_was_told(
    watched: tuple[IncrementalBuilder, ChangeWatch],
) -> None:
    builder, watch = watched
    post = edit(builder)
    watch.audit(manifest(builder))
    assert watch.take() == Changes(frozenset({str(post)}), frozenset())


def test_a_change_the_audit_finds_untold_leaves_the_next_build_to_the_stat_pass(
    watched: tuple[IncrementalBuilder, ChangeWatch],
) -> None:
    builder, watch = watched
    recorded = manifest(builder)
    post = str(builder.site_dir / "content/posts/alpha.md")
    # as if the file had changed since the build without an event: its record is not the file
    files = {**recorded.inputs.files, post: (0, 0)}
    watch.audit(replace(recorded, inputs=replace(recorded.inputs, files=files)))
    assert watch.take() == Changes(None, frozenset())
    outputs = {**recorded.outputs, "index.html": (b"", b"", 0, 0)}
    watch.audit(replace(recorded, outputs=outputs))
    assert watch.take() == Changes(frozenset(), None)


def test_an_edit_through_a_hard_link_elsewhere_is_built_after_the_audit(
    watched: tuple[IncrementalBuilder, ChangeWatch], tmp_path: Path
) -> None:
    builder, watch = watched
    post = builder.site_dir / "content/posts/alpha.md"
    elsewhere = tmp_path / "elsewhere.md"
    os.link(post, elsewhere)
    with elsewhere.open("a", encoding="utf-8") as handle:  # the same file, by another name
        handle.write("\nWritten elsewhere.\n")
    watch.audit(manifest(builder))
    rebuild(builder, watch)
    page = (builder.out_dir / "posts/alpha/index.html").read_text(encoding="utf-8")
    assert "Written elsewhere." in page
