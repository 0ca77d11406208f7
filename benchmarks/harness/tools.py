"""How each generator builds a site, and what 'cold' removes before it does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.measure import Command

TRANSMIT_CACHE = ".transmit-cache"
RESIDENT_PID = "builder.pid"  # transmit's resident builder, which later builds hand their work to
OUTPUT_DIR = "public"


@dataclass(frozen=True, slots=True)
class Tool:
    """One generator pointed at one site."""

    name: str
    site: Path
    out: Path
    build: tuple[Command, ...]
    cold_paths: tuple[Path, ...]


def transmit_tool(transmit: Sequence[str], site: Path, jobs: int | None) -> Tool:
    """`transmit build SITE --out OUT --quiet`, run from the site so its cache lands there."""
    out = site / OUTPUT_DIR
    argv = (*transmit, "build", str(site), "--out", str(out), "--quiet")
    if jobs is not None:
        argv = (*argv, "--jobs", str(jobs))
    return Tool(
        name="transmit",
        site=site,
        out=out,
        build=(Command(argv, site, helper=site / TRANSMIT_CACHE / RESIDENT_PID),),
        cold_paths=(out, site / TRANSMIT_CACHE),
    )


def hugo_tool(hugo: Path, site: Path, pagefind: Sequence[str] | None) -> Tool:
    """Hugo, then (for a searchable site) `python -m pagefind --site public` as its users do."""
    out = site / OUTPUT_DIR
    build = [Command((str(hugo), "build", "--quiet", "--source", str(site)), site)]
    if pagefind is not None:
        build.append(Command((*pagefind, "--site", OUTPUT_DIR), site))
    return Tool(
        name="hugo" if pagefind is None else "hugo+pagefind",
        site=site,
        out=out,
        build=tuple(build),
        cold_paths=(out, site / "resources"),
    )
