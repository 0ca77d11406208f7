"""Benchmark transmit against Hugo on the same generated posts; one command does it all.

    python benchmarks/run.py --posts 1000 [--posts 3000 --posts 10000] [--runs 3] [--search]
        [--distinct-code]

Generates the corpus (transmit's and Hugo's layout of the same posts), builds it cold,
again with nothing changed, and after a one-sentence edit, with each tool in turn, and
prints medians side by side with ratios and the targets of the speed issue.
`--distinct-code` makes every code block of both layouts unique, as in real notes (the
generated corpus repeats a few hundred blocks).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import environment
from harness.arguments import add_corpus_options
from harness.measure import CommandFailed, Runner
from harness.report import Block, format_block, missed_targets, results_json
from harness.scenarios import compare_steps, measure_site, measure_startup, startup_cases
from harness.sites import edited_post_name, generate_corpus, make_code_distinct, set_search
from harness.tools import Tool, hugo_tool, transmit_tool


@dataclass(frozen=True, slots=True)
class Plan:
    """What to measure, settled from the command line before anything runs."""

    sizes: tuple[int, ...]
    runs: int
    search: bool
    distinct_code: bool
    transmit: tuple[str, ...] | None
    jobs: int | None
    seed: int
    generator: Path
    startup_runs: int
    json_path: Path | None


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_options(parser)
    parser.add_argument("--search", action="store_true", help="also measure with search on")
    parser.add_argument("--hugo-only", action="store_true", help="measure Hugo alone")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--sample-ms", type=float, default=10.0, help="memory sampling period")
    parser.add_argument("--startup-runs", type=int, default=10, help="runs per startup figure")
    args = parser.parse_args(argv)
    args.posts = args.posts or [1000]
    if min(args.posts) < 1 or args.runs < 1 or args.startup_runs < 1:
        parser.error("--posts, --runs and --startup-runs must be at least 1")
    return args


def transmit_command(args: argparse.Namespace) -> tuple[str, ...] | None:
    if args.hugo_only:
        return None
    if args.transmit:
        return tuple(shlex.split(args.transmit))
    return environment.resolve_transmit()


def make_plan(args: argparse.Namespace) -> Plan:
    return Plan(
        sizes=tuple(args.posts),
        runs=args.runs,
        search=args.search,
        distinct_code=args.distinct_code,
        transmit=transmit_command(args),
        jobs=args.jobs,
        seed=args.seed,
        generator=environment.find_generator(args.gen_corpus),
        startup_runs=args.startup_runs,
        json_path=args.json,
    )


def describe(plan: Plan, posts: int, search: bool) -> str:
    code = ", code made distinct" if plan.distinct_code else ""
    return f"{posts:,} posts, search {'on' if search else 'off'}{code}"


def folder_name(plan: Plan, posts: int, search: bool) -> str:
    """The setting's folder under the work folder's sites/ and logs/."""
    code = "-distinct" if plan.distinct_code else ""
    return f"{posts}-{'search' if search else 'plain'}{code}"


def site_tools(plan: Plan, posts: int, search: bool) -> tuple[list[Tool], str]:
    """Fresh sites for one setting, the tools pointed at them, and the post to edit."""
    name = folder_name(plan, posts, search)
    corpus = generate_corpus(
        plan.generator, posts, plan.seed, environment.WORK_DIR / "sites" / name
    )
    set_search(corpus.transmit_site, search)
    if plan.distinct_code:
        for site in (corpus.transmit_site, corpus.hugo_site):
            make_code_distinct(site)
    pagefind = environment.pagefind_command() if search else None
    tools = [hugo_tool(environment.hugo_binary(), corpus.hugo_site, pagefind)]
    if plan.transmit is not None:
        tools.insert(0, transmit_tool(plan.transmit, corpus.transmit_site, plan.jobs))
    return tools, edited_post_name(corpus.transmit_site)


def measure_block(plan: Plan, posts: int, search: bool, runner: Runner) -> Block:
    """Build one corpus with every tool and turn the samples into one table."""
    tools, edited = site_tools(plan, posts, search)
    logs = environment.WORK_DIR / "logs" / folder_name(plan, posts, search)
    shutil.rmtree(logs, ignore_errors=True)
    measured = measure_site(tools, plan.runs, edited, runner, logs)
    transmit = measured[0] if plan.transmit is not None else None
    return Block(
        describe(plan, posts, search),
        compare_steps(transmit, measured[-1]),
        plan.runs,
        posts=posts,
        search=search,
        pages=tuple((m.tool, m.pages) for m in measured),
        load=os.getloadavg()[0],
    )


def metadata(plan: Plan, runner: Runner) -> dict[str, Any]:
    transmit = plan.transmit
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1min_at_start": os.getloadavg()[0],
        "python": platform.python_version(),
        "hugo": runner.output([str(environment.hugo_binary()), "version"]),
        "pagefind": environment.package_version("pagefind"),
        "transmit_command": None if transmit is None else shlex.join(transmit),
        "transmit_version": None if transmit is None else runner.output([*transmit, "--version"]),
        "runs": plan.runs,
        "startup_runs": plan.startup_runs,
        "seed": plan.seed,
        "distinct_code": plan.distinct_code,
        "sample_ms": runner.interval * 1000,
        "jobs": plan.jobs,
    }


def write_json(path: Path | None, meta: dict[str, Any], blocks: Sequence[Block]) -> None:
    if path is not None:
        path.write_text(json.dumps(results_json(meta, blocks), indent=2) + "\n", encoding="utf-8")


def settings(plan: Plan) -> list[tuple[int, bool]]:
    return [
        (posts, search)
        for posts in plan.sizes
        for search in ((False, True) if plan.search else (False,))
    ]


def summary(plan: Plan, blocks: Sequence[Block]) -> str:
    if plan.transmit is None:
        return "Hugo only: no targets to check"
    missed = missed_targets(blocks)
    return "targets missed:\n  " + "\n  ".join(missed) if missed else "all targets met"


def run(plan: Plan, runner: Runner) -> int:
    if plan.transmit is None:
        print("measuring Hugo only (no transmit: --hugo-only, or none on PATH)", file=sys.stderr)
    meta = metadata(plan, runner)
    cases = startup_cases(plan.transmit, environment.hugo_binary())
    startup_log = environment.WORK_DIR / "logs" / "startup.log"
    startup_log.unlink(missing_ok=True)
    startup = measure_startup(cases, plan.startup_runs, runner, startup_log)
    blocks = [Block("CLI startup", startup, plan.startup_runs, memory=False)]
    print(format_block(blocks[0]) + "\n", flush=True)
    for posts, search in settings(plan):
        print(f"measuring {describe(plan, posts, search)} ...", file=sys.stderr, flush=True)
        blocks.append(measure_block(plan, posts, search, runner))
        print(format_block(blocks[-1]) + "\n", flush=True)
        write_json(plan.json_path, meta, blocks)
    print(summary(plan, blocks), flush=True)
    return 0


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if not environment.running_in_venv():
        environment.reexec_in_venv(Path(__file__).resolve(), argv, transmit_command(args))
    runner = Runner(interval=args.sample_ms / 1000, env=environment.build_env())
    try:
        return run(make_plan(args), runner)
    except CommandFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
