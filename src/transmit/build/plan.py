"""What one build works from, settled before anything is read: the config, the inputs as the
stat pass found them, the publishing choices and what the last build recorded."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from transmit.build.cache import canonical
from transmit.build.inputs import (
    Inputs,
    Sig,
    apply_changes,
    changed_files,
    refresh_inputs,
    scan_inputs,
    watch,
)
from transmit.build.manifest import Manifest, moved_outputs
from transmit.build.outputs import STALE_SEARCH
from transmit.build.store import digest
from transmit.build.workers import Publishing
from transmit.config import Config


@dataclass(frozen=True, slots=True)
class Plan:
    """One build's inputs, settled before anything is read."""

    config: Config
    inputs: Inputs
    publishing: Publishing
    site_key: bytes
    previous: Manifest | None
    # the recorded outputs not on disk as recorded: size and time now, None for the gone
    # (None: not checked; the dev server's outputs are its own)
    outputs_moved: dict[str, Sig | None] | None
    edited: frozenset[str] | None = None  # the only inputs changed, all known Markdown
    # sources (None: not known)

    def intact(self, path: str) -> bool:
        """Whether the output at `path` is on disk as the last build recorded it."""
        return not self.outputs_moved or path not in self.outputs_moved

    def outputs_intact(self) -> bool:
        """Whether every output the last build recorded is on disk as it was written."""
        return not self.outputs_moved

    def unchanged(self) -> bool:
        """Whether the last build's output stands as it is: same site, inputs and outputs as
        recorded, no post come due, no search index left out of date."""
        previous = self.previous
        if previous is None or previous.summary is None or previous.site_key != self.site_key:
            return False
        if previous.marks.get("search") == STALE_SEARCH:
            return False
        if previous.next_publish is not None and self.publishing.now >= previous.next_publish:
            return False
        before, now = previous.inputs, self.inputs
        new, gone = changed_files(now.files, before.files, before.racy)
        return (
            not new
            and not gone
            and now.sources.keys() == before.sources.keys()
            and now.watched == before.watched
            and now.skipped == before.skipped
            and self.outputs_intact()
        )

    def trusted_now(self) -> Manifest | None:
        """After a no-op: the last build's record with this stat pass in it, when files it
        could not trust by their stat (too recently modified then) can be now, having been
        found as they were; None when there are none. Saved, it spares the next no-op
        reading those files again, as it would each one of them until a build changes
        something."""
        previous = self.previous
        if previous is None or previous.inputs.racy == self.inputs.racy:
            return None
        return replace(previous, inputs=self.inputs)

    def sources_changed(self) -> list[str]:
        """The Markdown sources whose size or time is not the one the last build recorded,
        new ones too (none without a last build)."""
        if self.previous is None:
            return []
        before, now = self.previous.inputs.files, self.inputs.files
        return [path for path in self.inputs.sources if before.get(path) != now[path]]


def make_plan(
    config: Config,
    previous: Manifest | None,
    changed: Collection[Path] | None,
    touched: Collection[str] | None,
    publishing: Publishing,
    dirs: tuple[Path, Path, Path],
) -> Plan:
    """The plan of a build after `previous`: `changed`, the files known to have changed since
    (None: stat every input and output); `touched`, with `changed`, the outputs anything may
    have touched (None: the outputs are the builder's own, not stat-ed, as the dev server's);
    `dirs`: the site, output and theme folders."""
    site_dir, out_dir, theme_dir = dirs
    inputs, edited = current_inputs(previous, changed, site_dir, theme_dir)
    site_key = digest(
        config.source_text,
        inputs.template_digest,
        canonical((publishing.drafts, publishing.future, str(out_dir))),
    )
    outputs_moved = None
    if changed is None:
        outputs_moved = moved_outputs(out_dir, previous) if previous else {}
    elif touched is not None and previous is not None:
        outputs_moved = moved_outputs(out_dir, previous, touched)
    return Plan(config, inputs, publishing, site_key, previous, outputs_moved, edited)


def current_inputs(
    previous: Manifest | None,
    changed: Collection[Path] | None,
    site_dir: Path,
    theme_dir: Path,
) -> tuple[Inputs, frozenset[str] | None]:
    """The inputs as they are now, and the only ones that changed when that is known, found
    the cheapest sound way: the `changed` files stat-ed again (the dev server was told which
    changed since the last build, whose record is in memory); else every recorded file, while
    no folder changed (what changed is known then too); else a scan."""
    if previous is not None and changed is not None:
        found = apply_changes(previous.inputs, changed, site_dir)
        if found is not None:
            return found
    if previous is not None and (inputs := refresh_inputs(previous.inputs)) is not None:
        return inputs, _sources_edited(previous.inputs, inputs)
    inputs = scan_inputs(site_dir, theme_dir)
    return (inputs if previous is None else watch(inputs, previous.inputs.watched)), None


def _sources_edited(before: Inputs, now: Inputs) -> frozenset[str] | None:
    """After a stat pass that found the same files (`refresh_inputs`): the Markdown sources
    whose size, time or content moved, when they are all that did; None when any other input
    did (a template, a static file, a bundle's file, a file a render looked at)."""
    if now.watched != before.watched:
        return None
    changed, gone = changed_files(now.files, before.files, before.racy)
    if gone or any(now.sources.get(name) is None or Path(name).stem == "index" for name in changed):
        return None
    return frozenset(changed)
