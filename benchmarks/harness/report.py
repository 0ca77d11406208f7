"""The printed tables and the JSON file: the only places that decide how results look."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.stats import (
    Comparison,
    Figure,
    Target,
    format_bytes,
    format_ratio,
    format_seconds,
    memory_met,
    memory_ratio,
    time_met,
    time_ratio,
)


@dataclass(frozen=True, slots=True)
class Block:
    """A table: the rows of one setting (posts and search), or the CLI startup rows."""

    title: str
    rows: tuple[Comparison, ...]
    runs: int
    posts: int | None = None
    search: bool | None = None
    memory: bool = True
    pages: tuple[tuple[str, int], ...] = ()
    load: float | None = None


TIME_HEADER = ("transmit", "hugo", "ratio", "target")
WIDTHS = (10, 10, 7, 14)
STEP_WIDTH = 16


def verdict(met: bool | None) -> str:
    return {True: "ok", False: "MISS", None: ""}[met]


def target_cell(target: Target | None, met: bool | None) -> str:
    if target is None:
        return ""
    return f"{target.label} {verdict(met)}".rstrip()


def time_cells(row: Comparison) -> tuple[str, ...]:
    ours = "-" if row.transmit is None else format_seconds(row.transmit.seconds)
    return (
        ours,
        format_seconds(row.hugo.seconds),
        format_ratio(time_ratio(row)),
        target_cell(row.time_target, time_met(row)),
    )


def memory_cells(row: Comparison) -> tuple[str, ...]:
    ours = "-" if row.transmit is None else format_bytes(row.transmit.peak_rss)
    return (
        ours,
        format_bytes(row.hugo.peak_rss),
        format_ratio(memory_ratio(row)),
        target_cell(row.memory_target, memory_met(row)),
    )


def join_cells(cells: Sequence[str]) -> str:
    """Right-align figures, left-align the target column so 'ok'/'MISS' line up."""
    *figures, target = cells
    aligned = [cell.rjust(width) for cell, width in zip(figures, WIDTHS, strict=False)]
    return "  ".join([*aligned, target.ljust(WIDTHS[-1])])


def format_block(block: Block) -> str:
    """A fixed-width table with time (and peak memory) side by side for both tools."""
    group_width = sum(WIDTHS) + 2 * (len(WIDTHS) - 1)
    groups = "time".ljust(group_width)
    header = join_cells(TIME_HEADER)
    if block.memory:
        groups += " | peak memory (sum of RSS)"
        header += " | " + join_cells(TIME_HEADER)
    heading = f"{block.title} (median of {block.runs} runs)"
    if block.pages:
        heading += "; pages written: " + ", ".join(f"{tool} {n}" for tool, n in block.pages)
    if block.load is not None:
        heading += f"; 1-min load average after: {block.load:.1f}"
    lines = [
        heading,
        (" " * STEP_WIDTH + groups).rstrip(),
        ("step".ljust(STEP_WIDTH) + header).rstrip(),
    ]
    for row in block.rows:
        line = row.step.ljust(STEP_WIDTH) + join_cells(time_cells(row))
        if block.memory:
            line += " | " + join_cells(memory_cells(row))
        lines.append(line.rstrip())
    return "\n".join(lines + cpu_lines(block) + parts_lines(block))


def cpu_lines(block: Block) -> list[str]:
    """CPU time of the whole process tree: the work done, apart from waiting for the CPU."""
    if not block.memory:
        return []
    cells = []
    for row in block.rows:
        ours = "-" if row.transmit is None else format_seconds(row.transmit.cpu_seconds)
        cells.append(f"{row.step} {ours} vs {format_seconds(row.hugo.cpu_seconds)}")
    return ["cpu time (user+sys), transmit vs hugo: " + "; ".join(cells)]


def parts_lines(block: Block) -> list[str]:
    """Where Hugo's figure is several commands (Hugo, then pagefind), each one's median."""
    split = [row for row in block.rows if len(row.hugo.parts) > 1]
    if not split:
        return []
    return [
        "hugo column, command by command: "
        + "; ".join(
            f"{row.step} " + " + ".join(format_seconds(p) for p in row.hugo.parts) for row in split
        )
    ]


def missed_targets(blocks: Sequence[Block]) -> list[str]:
    """One line per target transmit missed, for the closing summary."""
    missed = []
    for block in blocks:
        for row in block.rows:
            if time_met(row) is False and row.time_target is not None:
                missed.append(f"{block.title}: {row.step} time {row.time_target.label}")
            if memory_met(row) is False and row.memory_target is not None:
                missed.append(f"{block.title}: {row.step} memory {row.memory_target.label}")
    return missed


def figure_json(figure: Figure | None) -> dict[str, Any] | None:
    if figure is None:
        return None
    return {
        "median_seconds": figure.seconds,
        "median_peak_rss_bytes": figure.peak_rss,
        "median_parts_seconds": list(figure.parts),
        "median_cpu_seconds": figure.cpu_seconds,
        "samples": [
            {
                "seconds": s.seconds,
                "peak_rss_bytes": s.peak_rss,
                "parts_seconds": list(s.parts),
                "cpu_seconds": s.cpu_seconds,
            }
            for s in figure.samples
        ],
    }


def target_json(target: Target | None, met: bool | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {"limit": target.limit, "relative": target.relative, "met": met}


def row_json(row: Comparison) -> dict[str, Any]:
    return {
        "step": row.step,
        "transmit": figure_json(row.transmit),
        "hugo": figure_json(row.hugo),
        "time_ratio": time_ratio(row),
        "memory_ratio": memory_ratio(row),
        "time_target": target_json(row.time_target, time_met(row)),
        "memory_target": target_json(row.memory_target, memory_met(row)),
    }


def block_json(block: Block) -> dict[str, Any]:
    return {
        "title": block.title,
        "posts": block.posts,
        "search": block.search,
        "runs": block.runs,
        "pages_written": dict(block.pages),
        "load_average_1min_after": block.load,
        "rows": [row_json(row) for row in block.rows],
    }


def results_json(meta: dict[str, Any], blocks: Sequence[Block]) -> dict[str, Any]:
    return {"meta": meta, "blocks": [block_json(b) for b in blocks]}
