"""What one build works from, settled before anything is read: the config, the inputs as the
stat pass found them, the publishing choices and what the last build recorded."""

from __future__ import annotations

from dataclasses import dataclass

from transmit.build.inputs import Inputs, Sig
from transmit.build.manifest import Manifest, OutputRecord
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
    outputs_now: dict[str, Sig] | None  # the recorded output files as they are on disk
    # (None: as recorded; the dev server's outputs are its own)
    edited: frozenset[str] | None = None  # the only inputs changed, all known Markdown
    # sources (None: not known)

    def intact(self, path: str, old: OutputRecord) -> bool:
        """Whether the file at `path` is still the one recorded as `old`."""
        return self.outputs_now is None or self.outputs_now.get(path) == old[2:]
