"""Run a command, timing it and sampling the summed RSS of its whole process tree.

The issue asks for the memory of all processes together (a build may fork workers, Hugo
users run pagefind after Hugo), so one process's maxrss is not enough: a thread samples
the tree every few milliseconds while the main thread waits, so timing stays exact.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.stats import Sample

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
TAIL_LINES = 20


@dataclass(frozen=True, slots=True)
class Command:
    """A program and the directory it runs in. `helper`: a file naming a process that does the
    command's work outside its process tree (transmit's resident builder), whose memory and CPU
    time count as the command's while it runs."""

    argv: tuple[str, ...]
    cwd: Path
    helper: Path | None = None


class CommandFailed(RuntimeError):
    """A measured command exited non-zero: figures from a failed build mean nothing."""


def proc_children(pid: int) -> list[int]:
    """Direct children from /proc (children are listed under the thread that forked them)."""
    found: list[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def proc_rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_proc(pid: int) -> int:
    """Summed RSS of pid and its descendants, read straight from /proc (about 0.2 ms)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += proc_rss(current)
        pending.extend(proc_children(current))
    return total


def tree_rss_psutil(pid: int) -> int:
    """The portable way, ten times slower than /proc: used where /proc has no children files."""
    import psutil  # only needed off Linux; lives in the benchmark's venv

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def tree_reader() -> Callable[[int], int]:
    own = os.getpid()
    if os.path.exists(f"/proc/{own}/task/{own}/children"):
        return tree_rss_proc
    return tree_rss_psutil


def helper_pid(helper: Path | None) -> int | None:
    """The process the `helper` file names, when there is one."""
    if helper is None:
        return None
    try:
        return int(helper.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


def end_helper(helper: Path | None, wait: float = 10.0) -> None:
    """End the process the `helper` file names, if one runs, and wait until it has: a cold
    build starts with no resident builder left from the run before (one whose cache is deleted
    under it would otherwise go on for seconds beside the build measured)."""
    pid = helper_pid(helper)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    end = time.monotonic() + wait
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)


def proc_cpu_seconds(pid: int | None) -> float:
    """User + system time of a process that is not our child, and of the children it reaped."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return sum(int(value) for value in fields[11:15]) / ticks  # utime stime cutime cstime


class PeakSampler:
    """Samples a process tree's summed RSS on a thread and keeps the highest value; with a
    `helper` file, the tree of the process it names too."""

    def __init__(
        self, pid: int, interval: float, read: Callable[[int], int], helper: Path | None = None
    ) -> None:
        self._pid = pid
        self._interval = interval
        self._read = read
        self._helper = helper
        self._stop = threading.Event()
        self._peak = 0
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while True:
            total = self._read(self._pid)
            if (helper := helper_pid(self._helper)) is not None:
                total += self._read(helper)
            self._peak = max(self._peak, total)
            if self._stop.wait(self._interval):
                return

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self._peak


def children_cpu_seconds() -> float:
    """User + system time of every finished child and what it reaped (so, its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def log_tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-TAIL_LINES:])


@dataclass(frozen=True, slots=True)
class Runner:
    """How every command is run: sampling interval, where output goes, the environment."""

    interval: float
    env: Mapping[str, str]

    def run_one(self, command: Command, log: Path) -> Sample:
        """One command, timed from a settled disk: what the last command wrote or deleted (a
        site's output, the corpus) is flushed first, so that no command pays for another's."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as output:
            output.write(f"$ {' '.join(command.argv)}  (in {command.cwd})\n".encode())
            output.flush()
            os.sync()
            before = children_cpu_seconds()
            helper = helper_pid(command.helper)
            helper_before = proc_cpu_seconds(helper)
            start = time.perf_counter()
            process = subprocess.Popen(
                command.argv,
                cwd=command.cwd,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(self.env),
            )
            sampler = PeakSampler(process.pid, self.interval, tree_reader(), command.helper)
            sampler.start()
            code = process.wait()
            seconds = time.perf_counter() - start
            cpu = children_cpu_seconds() - before
            if helper is not None and helper == helper_pid(command.helper):
                cpu += proc_cpu_seconds(helper) - helper_before
            peak = sampler.stop()
        if code != 0:
            raise CommandFailed(
                f"{' '.join(command.argv)} exited with {code}; last lines of {log}:\n"
                + log_tail(log)
            )
        return Sample(seconds=seconds, peak_rss=peak, cpu_seconds=cpu)

    def run(self, commands: Sequence[Command], log: Path) -> Sample:
        """Commands one after another: times add up, the peak is the highest of them."""
        samples = [self.run_one(command, log) for command in commands]
        return Sample(
            seconds=sum(s.seconds for s in samples),
            peak_rss=max(s.peak_rss for s in samples),
            parts=tuple(s.seconds for s in samples),
            cpu_seconds=sum(s.cpu_seconds for s in samples),
        )

    def output(self, argv: Sequence[str]) -> str:
        """A command's first line of output, for the versions recorded with the results."""
        try:
            done = subprocess.run(
                list(argv), capture_output=True, text=True, env=dict(self.env), check=False
            )
        except OSError as error:
            return f"unavailable ({error})"
        text = (done.stdout or done.stderr).strip()
        return text.splitlines()[0] if text else ""
