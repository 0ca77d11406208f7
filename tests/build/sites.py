"""Small sites, the changes made to them, and the trees a cold build gives: shared by the
incremental build tests."""

from __future__ import annotations

import os
import shutil
import struct
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from transmit.build import incremental, pages, workers
from transmit.build.pipeline import BuildOptions, build_site

NOW = datetime(2026, 6, 1, tzinfo=UTC)
OPTIONS = BuildOptions(now=NOW, jobs=1)
CONFIG = 'title = "Test Notes"\ntimezone = "Asia/Shanghai"\nper_page = 2\n'


def fork_every_page_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages render in forked processes however few there are, as a big site's do. Threads
    that other tests left running (a served site) are not the build's: only its own count."""
    monkeypatch.setattr(pages, "MIN_FORKED_PAGES", 1)
    others = threading.active_count() - 1
    alive = threading.active_count
    monkeypatch.setattr(threading, "active_count", lambda: alive() - others)


def count_full_builds(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """One entry for each full build made from now on (`IncrementalBuilder._finish`): the quick
    path of an edit makes none."""
    full_builds: list[object] = []
    finish = incremental.IncrementalBuilder._finish

    def counted(self, *args):  # type: ignore[no-untyped-def]
        full_builds.append(args)
        return finish(self, *args)

    monkeypatch.setattr(incremental.IncrementalBuilder, "_finish", counted)
    return full_builds


def render_in_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts render in the worker pool and pages in forked processes however few there are."""
    fork_every_page_render(monkeypatch)
    monkeypatch.setattr(workers, "MIN_PARALLEL", 1)


def post(title: str, date: str, body: str = "Body text.", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


FILES: dict[str, str | bytes] = {
    "content/posts/alpha.md": post("Alpha", "2026-01-01", "Alpha $x^2$ and $$\\int_0^1 f$$"),
    "content/posts/beta.md": post("Beta", "2026-01-02", "Intro.\n\n<!-- more -->\n\nMore."),
    "content/posts/gamma.md": post("Gamma", "2026-01-03", "```python\nprint(1)\n```"),
    "content/posts/delta.md": post("Delta", "2026-01-04", "Delta body.", "sticky: 1\n"),
    "content/posts/draft.md": post("Draft", "2026-01-05", "Not yet.", "draft: true\n"),
    "content/posts/bundle/index.md": post("Bundle", "2026-01-06", "![d](d.png)"),
    "content/posts/bundle/d.png": b"\x89PNG one",
    "content/posts/pic.md": post("Pic", "2026-01-07", "![p](images/p.png) ![q](images/q.png)"),
    "content/posts/images/q.png": b"",
    "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
    "static/notes.txt": "User-agent: *\n",
}


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def mtimes(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()
    }


def cold_tree(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The output a first build of the site as it is now gives, in a fresh copy."""
    fresh = tmp_path / "cold"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".transmit-cache"))
    build_site(fresh, OPTIONS)
    return tree(fresh / "public")


def write(site: Path, relative: str, text: str) -> Path:
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def edit_body(site: Path) -> list[Path]:
    return [
        write(
            site,
            "content/posts/beta.md",
            post("Beta", "2026-01-02", "Intro.\n\n<!-- more -->\n\nMore, edited."),
        )
    ]


def edit_title(site: Path) -> list[Path]:
    return [
        write(site, "content/posts/alpha.md", post("Alpha renamed", "2026-01-01", "Alpha $x^2$"))
    ]


def rename(site: Path) -> list[Path]:
    old = site / "content/posts/gamma.md"
    new = site / "content/posts/gamma-two.md"
    old.rename(new)
    return [old, new]


def delete(site: Path) -> list[Path]:
    gone = site / "content/posts/delta.md"
    gone.unlink()
    return [gone]


def add(site: Path) -> list[Path]:
    return [write(site, "content/posts/epsilon.md", post("Epsilon", "2026-02-01", "New $y$."))]


def change_config(site: Path) -> list[Path]:
    text = CONFIG.replace("Test Notes", "Other Notes").replace("per_page = 2", "per_page = 3")
    return [write(site, "site.toml", text)]


def change_math_macros(site: Path) -> list[Path]:
    return [write(site, "site.toml", CONFIG + '[math.macros]\n"\\\\R" = "\\\\mathbb{R}"\n')]


def override_template(site: Path) -> list[Path]:
    theme = Path(__import__("transmit.site.theme", fromlist=["THEME_DIR"]).THEME_DIR)
    text = (theme / "templates/post.html").read_text(encoding="utf-8")
    return [write(site, "templates/post.html", text.replace("<article", '<article data-x="1"'))]


def change_static(site: Path) -> list[Path]:
    return [write(site, "static/notes.txt", "User-agent: *\nDisallow: /x\n")]


def change_bundle_file(site: Path) -> list[Path]:
    path = site / "content/posts/bundle/d.png"
    path.write_bytes(b"\x89PNG two, longer")
    return [path]


def png(width: int, height: int) -> bytes:
    """The start of a PNG file: enough for its size to be read."""
    header = struct.pack(">I4sII", 13, b"IHDR", width, height)
    return b"\x89PNG\r\n\x1a\n" + header + b"\x08\x02\x00\x00\x00" + bytes(4)


def add_image(site: Path) -> list[Path]:
    path = site / "content/posts/images/p.png"
    path.write_bytes(png(10, 20))
    return [path]


def change_image(site: Path) -> list[Path]:
    path = site / "content/posts/images/q.png"
    path.write_bytes(png(30, 40))
    return [path]


def publish_draft(site: Path) -> list[Path]:
    return [write(site, "content/posts/draft.md", post("Draft", "2026-01-05", "Now out."))]


def retag(site: Path) -> list[Path]:
    """Two posts come to share a tag: each is now the other's related post."""
    return [
        write(site, "content/posts/alpha.md", post("Alpha", "2026-01-01", "Alpha.", "tags: [t]\n")),
        write(site, "content/posts/delta.md", post("Delta", "2026-01-04", "D.", "tags: [T]\n")),
    ]


CHANGES: dict[str, Callable[[Path], list[Path]]] = {
    "edit body": edit_body,
    "edit title": edit_title,
    "rename": rename,
    "delete": delete,
    "add": add,
    "config": change_config,
    "math macros": change_math_macros,
    "template override": override_template,
    "static file": change_static,
    "bundle file": change_bundle_file,
    "add image": add_image,
    "change image": change_image,
    "publish draft": publish_draft,
    "retag": retag,
}


def age(site: Path) -> None:
    """Date every file and folder back, as a site is between edits: rebuilds then trust
    folder mtimes and skip listing them (the quick stat pass)."""
    then = 1_700_000_000 * 10**9  # fixed, so ageing twice changes nothing
    for path in [site, *site.rglob("*")]:
        if not {"public", ".transmit-cache"} & set(path.relative_to(site).parts):
            os.utime(path, ns=(then, then))
