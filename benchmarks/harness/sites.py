"""The two sites under test, generated from the very same posts, and the edits made to them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

POSTS_DIR = Path("content", "posts")
FENCE = "```"
SEARCH_LINE = re.compile(r"^search\s*=.*\n?", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Corpus:
    """One generated corpus in transmit's layout and in Hugo's."""

    posts: int
    seed: int
    transmit_site: Path
    hugo_site: Path


def generate_corpus(generator: Path, posts: int, seed: int, root: Path) -> Corpus:
    """Fresh sites every time: edits from an earlier run must not leak into this one."""
    if root.exists():
        shutil.rmtree(root)
    corpus = Corpus(posts, seed, root / "transmit", root / "hugo")
    for layout, site in (("neutral", corpus.transmit_site), ("hugo", corpus.hugo_site)):
        subprocess.run(
            [
                *(sys.executable, str(generator), "--posts", str(posts), "--seed", str(seed)),
                *("--layout", layout, "--out", str(site)),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return corpus


def make_code_distinct(site: Path) -> int:
    """A line naming the post and the block at the top of every fenced block, as each block of
    real notes is its own (the generated corpus repeats a few hundred blocks, which a worker's
    memory saves it from highlighting twice); returns how many blocks there are. The same in
    both layouts: the posts' file names and bodies are the same."""
    blocks = 0
    for number, path in enumerate(sorted((site / POSTS_DIR).glob("*.md"))):
        lines, inside = [], False
        for line in path.read_text(encoding="utf-8").split("\n"):
            lines.append(line)
            if line.startswith(FENCE):
                inside = not inside
                if inside:
                    blocks += 1
                    lines.append(f"value_{number}_{blocks} = {number} + {blocks}")
        path.write_text("\n".join(lines), encoding="utf-8")
    return blocks


def with_search(site_toml: str, enabled: bool) -> str:
    """site.toml text with a top-level `search = ...` (first, so it precedes any table)."""
    rest = SEARCH_LINE.sub("", site_toml)
    return f"search = {'true' if enabled else 'false'}\n{rest}"


def set_search(site: Path, enabled: bool) -> None:
    config = site / "site.toml"
    config.write_text(with_search(config.read_text(encoding="utf-8"), enabled), encoding="utf-8")


def edited_post_name(site: Path) -> str:
    """The post every 'one edit' run touches: the middle one, same file name in both layouts."""
    names = sorted(path.name for path in (site / POSTS_DIR).glob("*.md"))
    if not names:
        raise FileNotFoundError(f"no posts in {site / POSTS_DIR}")
    return names[len(names) // 2]


def edit_sentence(run: int) -> str:
    """A sentence that differs per run, so no cache can have seen it before."""
    return f"\n\nBenchmark edit {run}: one more sentence appended to the body of this post.\n"


def append_sentence(site: Path, name: str, run: int) -> None:
    with (site / POSTS_DIR / name).open("a", encoding="utf-8") as post:
        post.write(edit_sentence(run))


def remove_paths(paths: tuple[Path, ...]) -> None:
    """Remove each path, tolerating files that vanish meanwhile (a process ending may remove
    its own, its pid file say)."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, onerror=_unless_gone)
        else:
            path.unlink(missing_ok=True)


def _unless_gone(function: object, path: str, error: tuple[type, BaseException, object]) -> None:
    if not isinstance(error[1], FileNotFoundError):
        raise error[1]


def count_pages(out: Path) -> int:
    """HTML files written: a sanity check that both tools built a whole site."""
    return sum(1 for _ in out.rglob("*.html")) if out.is_dir() else 0
