"""Runs of the search index kept for the next build, one file a run in `.transmit-cache/search/`.

A run (a few dozen consecutive posts: their postings and their files, `site.search`) is named
by the digest of what it is made from, so a build making the index again after one post
changed makes that post's run and reads the others back: at 10,000 posts, 0.2 s instead of
the 4.5 s of reading every post's text and making every run. Files are written atomically and
read back only when whole and this version's (`build.store`); the runs a build did not use
are removed after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from transmit.build import store

if TYPE_CHECKING:
    from transmit.site.search_runs import Run

_KIND = "search"
FOLDER = "search"


class SavedRuns:
    """A `site.search.RunMemo` over the cache folder, noting the runs a build used."""

    def __init__(self, cache_dir: Path, fingerprint: bytes) -> None:
        self.folder = cache_dir / FOLDER
        self.fingerprint = fingerprint
        self.used: set[str] = set()

    def get(self, key: bytes) -> Run | None:
        from transmit.site.search_runs import Run

        self.used.add(key.hex())
        found: Run | None = store.load(self.folder / key.hex(), _KIND, self.fingerprint, Run)
        return found

    def put(self, key: bytes, run: Run) -> None:
        self.used.add(key.hex())
        store.save(self.folder / key.hex(), _KIND, self.fingerprint, run)

    def prune(self) -> None:
        """Remove the runs this build did not use (those of posts since changed)."""
        try:
            names = [path.name for path in self.folder.iterdir()]
        except OSError:
            return
        for name in names:
            if name not in self.used and not name.startswith("."):  # (not another's draft)
                (self.folder / name).unlink(missing_ok=True)
