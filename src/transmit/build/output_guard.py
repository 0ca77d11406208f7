"""The output folder is replaced whole by every build, so it must never be a folder that holds
anything else: the site itself (`--out .`), a folder above it, its sources, or a folder of
someone's files that a typo in `--out` pointed at."""

from __future__ import annotations

from pathlib import Path

from transmit.errors import UsageError

SOURCE_FOLDERS = ("content", "static", "templates")
# What every earlier build leaves at the top of its output.
_BUILT_MARKS = ("index.html", "404.html")
# What marks a folder as somebody's project rather than an output.
_PROJECT_MARKS = ("site.toml", "content", ".git")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_folder(site_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder whose replacement would delete anything but an earlier output."""
    site = site_dir.resolve()
    out = out_dir.resolve()
    if _inside(site, out):
        raise UsageError(
            f"--out {out_dir} is the site folder or holds it; the build replaces its output "
            "folder whole, so choose a folder of its own such as public/"
        )
    for name in SOURCE_FOLDERS:
        if _inside(out, site / name):
            raise UsageError(
                f"--out {out_dir} is inside {name}/, which holds the site's sources; "
                "choose a folder outside it such as public/"
            )
    if not out.is_dir():
        if out.exists():
            raise UsageError(f"--out {out_dir} is a file, not a folder")
        return
    entries = {entry.name for entry in out.iterdir()}
    if entries & set(_PROJECT_MARKS) or (
        entries and not entries & set(_BUILT_MARKS) and not entries <= {".DS_Store"}
    ):
        raise UsageError(
            f"--out {out_dir} holds files that no build wrote; the build replaces its output "
            "folder whole: choose a new or empty folder, or empty this one first"
        )
