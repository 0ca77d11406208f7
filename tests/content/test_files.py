from __future__ import annotations

import os
from pathlib import Path

import pytest

from transmit.content.files import walk_files


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for name in (
        "posts/b.md",
        "posts/a.md",
        "posts/z/1.md",
        "posts/m/2.md",
        "posts/.git/x",
        "posts/_drafts/d.md",
        "posts/.hidden.md",
        "library/shared/s.md",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    return root


def walk(content: Path, **options: bool) -> tuple[list[str], list[str]]:
    found = walk_files(content / "posts", content, content.parent, **options)
    files = [p.relative_to(content).as_posix() for p in found.files]
    return files, [str(w) for w in found.warnings]


def test_files_in_a_stable_order_without_hidden_names(content: Path) -> None:
    assert walk(content) == (["posts/a.md", "posts/b.md", "posts/m/2.md", "posts/z/1.md"], [])


def test_hidden_names_on_request(content: Path) -> None:
    files, _ = walk(content, skip_hidden=False)
    assert "posts/.git/x" in files and "posts/_drafts/d.md" in files


def test_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert walk_files(tmp_path / "none", tmp_path, tmp_path).files == ()


@pytest.mark.parametrize(
    ("name", "target", "warning"),
    [
        ("loop", ".", "content/posts/loop: is a symbolic link loop; skipped"),
        ("m/back", "..", "content/posts/m/back: is a symbolic link loop; skipped"),
        ("self.md", "self.md", "content/posts/self.md: is a symbolic link loop; skipped"),
        ("ping.md", "pong.md", "content/posts/ping.md: is a symbolic link loop; skipped"),
        ("gone.md", "nowhere.md", "content/posts/gone.md: is a broken symbolic link; skipped"),
        (
            "twin",
            "m",
            "content/posts/twin: links to content/posts/m, which is read anyway; skipped",
        ),
    ],
)
def test_links_that_loop_or_lead_nowhere(
    content: Path, name: str, target: str, warning: str
) -> None:
    (content / "posts/pong.md").symlink_to("ping.md")
    (content / "posts" / name).symlink_to(target)
    files, warnings = walk(content)
    assert files[:4] == ["posts/a.md", "posts/b.md", "posts/m/2.md", "posts/z/1.md"]
    assert warning in warnings


@pytest.mark.parametrize("target", ["/etc/passwd", "/etc", "../..", "../../outside.md"])
def test_links_out_of_content_are_never_followed(
    content: Path, tmp_path: Path, target: str
) -> None:
    (tmp_path / "outside.md").write_text("secret")
    (content / "posts/out").symlink_to(target)
    files, warnings = walk(content)
    assert all(not f.startswith("posts/out") for f in files)
    assert len(warnings) == 1 and "outside content/; skipped" in warnings[0]


def test_links_inside_content_are_followed(content: Path) -> None:
    (content / "posts/shared").symlink_to("../library/shared")
    (content / "posts/alias.md").symlink_to("a.md")
    files, warnings = walk(content)
    assert "posts/shared/s.md" in files and "posts/alias.md" in files
    assert warnings == []


def test_a_linked_root_inside_content_is_read(content: Path) -> None:
    (content / "notes").symlink_to("posts")
    found = walk_files(content / "notes", content, content.parent)
    assert [p.name for p in found.files] == ["a.md", "b.md", "2.md", "1.md"]


def test_a_linked_root_outside_content_is_refused(content: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (content / "pages").symlink_to(tmp_path / "elsewhere")
    found = walk_files(content / "pages", content, content.parent)
    assert found.files == ()
    assert "outside content/" in str(found.warnings[0])


def test_special_files_are_never_opened(content: Path) -> None:
    os.mkfifo(content / "posts/pipe.md")
    files, warnings = walk(content)
    assert "posts/pipe.md" not in files
    assert warnings == [
        "content/posts/pipe.md: is not a regular file (a pipe, socket or device); skipped"
    ]
