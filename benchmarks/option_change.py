"""The rebuild after a render setting changes, beside a cold build (transmit alone).

    python benchmarks/option_change.py --posts 1000 [--runs 3] [--distinct-code] [--transmit CMD]

A setting every post renders with (the excerpt's length, the site's path) renders every post
again, and rewrites every page. The posts' formulas and code blocks are taken from their last
rendering instead of being made again (`transmit.render.fragments`). The shared corpus repeats
its code blocks (a few hundred distinct in 1,000 posts), which a worker's memory already saves
it from highlighting twice; `--distinct-code` adds a line of its own to each block, as each
block of real notes is its own. Prints medians of wall-clock and CPU time, and the rebuild's
share of the cold build's.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from harness import environment
from harness.arguments import add_corpus_options
from harness.measure import CommandFailed, Runner
from harness.sites import generate_corpus, make_code_distinct, remove_paths
from harness.stats import Sample
from harness.tools import Tool, transmit_tool


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_options(parser)
    args = parser.parse_args(argv)
    args.posts = args.posts or [1000]
    if min(args.posts) < 1 or args.runs < 1:
        parser.error("--posts and --runs must be at least 1")
    return args


def set_excerpt_length(site: Path, length: int) -> None:
    """`excerpt_length = length` first in site.toml, before any table."""
    config = site / "site.toml"
    kept = [
        line
        for line in config.read_text(encoding="utf-8").splitlines()
        if not line.startswith("excerpt_length")
    ]
    config.write_text("\n".join([f"excerpt_length = {length}", *kept]) + "\n", encoding="utf-8")


def measure(tool: Tool, runs: int, runner: Runner, log: Path) -> tuple[list[Sample], list[Sample]]:
    """Each run: a cold build at one excerpt length, then a rebuild at another."""
    cold, changed = [], []
    for run in range(runs):
        remove_paths(tool.cold_paths)
        set_excerpt_length(tool.site, 300)
        cold.append(runner.run(tool.build, log))
        set_excerpt_length(tool.site, 200 + run)
        changed.append(runner.run(tool.build, log))
    return cold, changed


def median(samples: Sequence[Sample], field: str) -> float:
    return statistics.median(getattr(sample, field) for sample in samples)


def report(posts: int, blocks: int, cold: list[Sample], changed: list[Sample]) -> str:
    wall = median(changed, "seconds") / median(cold, "seconds")
    lines = [
        f"{posts:,} posts ({blocks:,} code blocks made distinct)"
        if blocks
        else f"{posts:,} posts (the corpus's code blocks as generated)",
        f"  cold build:                      {median(cold, 'seconds'):6.2f} s wall, "
        f"{median(cold, 'cpu_seconds'):6.2f} s CPU",
        f"  rebuild, excerpt_length changed: {median(changed, 'seconds'):6.2f} s wall, "
        f"{median(changed, 'cpu_seconds'):6.2f} s CPU ({wall:.2f}x the cold build)",
        "  runs (cold / changed, s): "
        + ", ".join(f"{c.seconds:.2f}/{x.seconds:.2f}" for c, x in zip(cold, changed, strict=True)),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    transmit = tuple(shlex.split(args.transmit)) if args.transmit else None
    transmit = transmit or environment.resolve_transmit()
    if transmit is None:
        print("error: no transmit to measure: put it on PATH or pass --transmit", file=sys.stderr)
        return 1
    runner = Runner(interval=0.01, env=environment.build_env())
    generator = environment.find_generator(args.gen_corpus)
    for posts in args.posts:
        root = environment.WORK_DIR / "sites" / f"{posts}-option-change"
        site = generate_corpus(generator, posts, args.seed, root).transmit_site
        blocks = make_code_distinct(site) if args.distinct_code else 0
        log = environment.WORK_DIR / "logs" / f"{posts}-option-change.log"
        log.unlink(missing_ok=True)
        tool = transmit_tool(transmit, site, args.jobs)
        try:
            cold, changed = measure(tool, args.runs, runner, log)
        except CommandFailed as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(report(posts, blocks, cold, changed), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
