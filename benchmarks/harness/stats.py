"""Medians, ratios and targets: the arithmetic behind every figure the harness prints."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured run: wall-clock seconds and the peak summed RSS of its process tree.

    parts holds the seconds of each command when a run is several (Hugo, then pagefind);
    cpu_seconds (user + system of the whole tree) shows the work done, which a busy
    machine inflates much less than wall-clock time.
    """

    seconds: float
    peak_rss: int
    parts: tuple[float, ...] = ()
    cpu_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Figure:
    """The median of several samples, kept with the samples so the spread can be seen."""

    seconds: float
    peak_rss: int
    samples: tuple[Sample, ...]
    parts: tuple[float, ...] = ()
    cpu_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Target:
    """A goal from the speed issue: a ratio to Hugo (relative) or an absolute time in seconds."""

    limit: float
    relative: bool

    @property
    def label(self) -> str:
        return f"<= {self.limit:.1f}x" if self.relative else f"<= {format_seconds(self.limit)}"


@dataclass(frozen=True, slots=True)
class Comparison:
    """One row of a table: a step measured for transmit (if it ran) and for Hugo."""

    step: str
    transmit: Figure | None
    hugo: Figure
    time_target: Target | None = None
    memory_target: Target | None = None


def summarize(samples: Sequence[Sample]) -> Figure:
    """Median time and median peak memory, each taken on its own."""
    if not samples:
        raise ValueError("no samples to summarize")
    return Figure(
        seconds=statistics.median(s.seconds for s in samples),
        peak_rss=round(statistics.median(s.peak_rss for s in samples)),
        samples=tuple(samples),
        parts=median_parts(samples),
        cpu_seconds=statistics.median(s.cpu_seconds for s in samples),
    )


def median_parts(samples: Sequence[Sample]) -> tuple[float, ...]:
    """Median of each command's seconds, when every sample ran the same commands."""
    if len({len(s.parts) for s in samples}) != 1:
        return ()
    return tuple(
        statistics.median(column) for column in zip(*(s.parts for s in samples), strict=True)
    )


def ratio(ours: float, theirs: float) -> float | None:
    """ours / theirs, or None when there is nothing meaningful to divide by."""
    if theirs <= 0:
        return None
    return ours / theirs


def meets(target: Target, ours: float, theirs: float) -> bool | None:
    """Whether a figure meets its target; None when the ratio is undefined."""
    if not target.relative:
        return ours <= target.limit
    value = ratio(ours, theirs)
    return None if value is None else value <= target.limit


def time_ratio(row: Comparison) -> float | None:
    return None if row.transmit is None else ratio(row.transmit.seconds, row.hugo.seconds)


def memory_ratio(row: Comparison) -> float | None:
    return None if row.transmit is None else ratio(row.transmit.peak_rss, row.hugo.peak_rss)


def time_met(row: Comparison) -> bool | None:
    if row.transmit is None or row.time_target is None:
        return None
    return meets(row.time_target, row.transmit.seconds, row.hugo.seconds)


def memory_met(row: Comparison) -> bool | None:
    if row.transmit is None or row.memory_target is None:
        return None
    return meets(row.memory_target, row.transmit.peak_rss, row.hugo.peak_rss)


def format_seconds(seconds: float) -> str:
    """Milliseconds below one second (where the targets live), seconds above."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def format_bytes(size: int) -> str:
    """Memory in decimal megabytes, as the issue quotes Hugo's 352 MB."""
    return f"{size / 1e6:.0f} MB"


def format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}x"
