"""The measured steps (cold, no-op, one edit, CLI startup) and the issue's targets for them.

Tools take turns within each run, so a burst of load from elsewhere on the machine lands
on both rather than on one tool's figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.measure import Command, Runner, end_helper
from harness.sites import append_sentence, count_pages, remove_paths
from harness.stats import Comparison, Figure, Sample, Target, summarize
from harness.tools import Tool

STEPS = ("cold", "no-op", "one edit")
TIME_TARGETS = {
    "cold": Target(1.0, relative=True),
    "no-op": Target(0.1, relative=True),
    "one edit": Target(0.2, relative=False),
}
MEMORY_TARGET = Target(1.0, relative=True)
STARTUP_TARGET = Target(0.15, relative=False)


@dataclass(frozen=True, slots=True)
class StepSamples:
    """Everything measured for one tool on one site."""

    tool: str
    samples: Mapping[str, tuple[Sample, ...]]
    pages: int


def measure_tool_once(
    tool: Tool, run: int, edited: str, runner: Runner, logs: Path
) -> dict[str, Sample]:
    """Cold, then no-op, then one edit, for one tool: returns {step: sample}."""
    log = logs / f"{tool.name}.log"
    _end_helpers(tool)  # a cold build starts alone
    remove_paths(tool.cold_paths)
    cold = runner.run(tool.build, log)
    no_op = runner.run(tool.build, log)
    append_sentence(tool.site, edited, run)
    one_edit = runner.run(tool.build, log)
    _end_helpers(tool)  # and nothing of it works on beside the next tool's builds
    return {"cold": cold, "no-op": no_op, "one edit": one_edit}


def _end_helpers(tool: Tool) -> None:
    for command in tool.build:
        end_helper(command.helper)


def measure_site(
    tools: Sequence[Tool], runs: int, edited: str, runner: Runner, logs: Path
) -> list[StepSamples]:
    """`runs` rounds; in each, every tool does cold, no-op and one edit in turn, the tools in
    the opposite order every other round (neither is always the first after a quiet spell)."""
    collected: dict[str, dict[str, list[Sample]]] = {
        tool.name: {step: [] for step in STEPS} for tool in tools
    }
    for run in range(runs):
        for tool in tools if run % 2 == 0 else tools[::-1]:
            for step, sample in measure_tool_once(tool, run, edited, runner, logs).items():
                collected[tool.name][step].append(sample)
    return [
        StepSamples(
            tool=tool.name,
            samples={step: tuple(found) for step, found in collected[tool.name].items()},
            pages=count_pages(tool.out),
        )
        for tool in tools
    ]


def compare_steps(transmit: StepSamples | None, hugo: StepSamples) -> tuple[Comparison, ...]:
    """The issue's targets hold with search on too, against Hugo followed by pagefind."""
    return tuple(
        Comparison(
            step=step,
            transmit=None if transmit is None else summarize(transmit.samples[step]),
            hugo=summarize(hugo.samples[step]),
            time_target=TIME_TARGETS[step],
            memory_target=MEMORY_TARGET,
        )
        for step in STEPS
    )


@dataclass(frozen=True, slots=True)
class StartupCase:
    """One start-up row: transmit's command beside Hugo's equivalent, for scale."""

    label: str
    transmit: Command | None
    hugo: Command


def startup_cases(transmit: Sequence[str] | None, hugo: Path) -> tuple[StartupCase, ...]:
    here = Path.cwd()

    def ours(*args: str) -> Command | None:
        return None if transmit is None else Command((*transmit, *args), here)

    return (
        StartupCase("--version", ours("--version"), Command((str(hugo), "version"), here)),
        StartupCase(
            "build --help", ours("build", "--help"), Command((str(hugo), "build", "--help"), here)
        ),
    )


def timed(command: Command, runs: int, runner: Runner, log: Path) -> Figure:
    """Median over runs after one discarded warm-up, so caches are as a user has them."""
    runner.run_one(command, log)
    return summarize([runner.run_one(command, log) for _ in range(runs)])


def measure_startup(
    cases: Sequence[StartupCase], runs: int, runner: Runner, log: Path
) -> tuple[Comparison, ...]:
    return tuple(
        Comparison(
            step=case.label,
            transmit=None if case.transmit is None else timed(case.transmit, runs, runner, log),
            hugo=timed(case.hugo, runs, runner, log),
            time_target=STARTUP_TARGET,
        )
        for case in cases
    )
