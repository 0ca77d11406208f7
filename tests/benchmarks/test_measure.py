import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from harness.measure import (
    Command,
    CommandFailed,
    Runner,
    end_helper,
    proc_children,
    proc_rss,
    tree_reader,
    tree_rss_proc,
    tree_rss_psutil,
)

LINUX_PROC = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
needs_proc = pytest.mark.skipif(not LINUX_PROC, reason="needs /proc children files")


@needs_proc
def test_tree_rss_counts_children() -> None:
    ready = "import time; print('ready', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", ready], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        assert child.pid in proc_children(os.getpid())
        assert proc_rss(child.pid) > 1_000_000
        assert tree_rss_proc(os.getpid()) - proc_rss(os.getpid()) > 1_000_000
    finally:
        child.kill()
        child.wait()


@needs_proc
def test_readers_agree_on_a_lone_process() -> None:
    assert tree_reader() is tree_rss_proc
    pytest.importorskip("psutil")
    ours, theirs = tree_rss_proc(os.getpid()), tree_rss_psutil(os.getpid())
    assert abs(ours - theirs) < 0.2 * theirs


def test_gone_process_reads_as_zero() -> None:
    child = subprocess.Popen(["true"])
    child.wait()
    assert proc_rss(child.pid) == 0
    assert tree_rss_proc(child.pid) == 0


def runner() -> Runner:
    return Runner(interval=0.005, env=dict(os.environ))


def test_run_adds_times_and_keeps_the_highest_peak(tmp_path: Path) -> None:
    small = Command(("true",), tmp_path)
    big = Command(
        (sys.executable, "-c", "b = bytearray(80_000_000); import time; time.sleep(0.3)"), tmp_path
    )
    log = tmp_path / "logs" / "run.log"
    first, second = runner().run_one(small, log), runner().run_one(big, log)
    both = runner().run([small, big], log)
    assert second.peak_rss > 80_000_000 > first.peak_rss
    assert both.peak_rss > 80_000_000
    assert both.seconds > 0.3
    assert "$ true" in log.read_text(encoding="utf-8")


def test_failed_command_raises_with_its_output(tmp_path: Path) -> None:
    failing = Command((sys.executable, "-c", "print('broken page'); raise SystemExit(3)"), tmp_path)
    with pytest.raises(CommandFailed, match=r"(?s)exited with 3.*broken page"):
        runner().run_one(failing, tmp_path / "fail.log")


def test_output_reads_first_line(tmp_path: Path) -> None:
    assert runner().output([sys.executable, "-c", "print('v1.2\\nmore')"]) == "v1.2"
    assert runner().output([str(tmp_path / "missing")]).startswith("unavailable")


def test_cpu_time_counts_the_workers_a_command_waits_for(tmp_path: Path) -> None:
    spin = "import time; end = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    worker = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {spin!r}])"
    sample = runner().run_one(Command((sys.executable, "-c", worker), tmp_path), tmp_path / "l")
    assert sample.cpu_seconds >= 0.3
    assert sample.peak_rss > 0


@needs_proc
def test_a_helper_outside_the_tree_counts_while_the_command_runs(tmp_path: Path) -> None:
    """transmit's resident builder: started by an earlier command, it does this one's work."""
    pid_file, trigger = tmp_path / "helper.pid", tmp_path / "go"
    helper_code = (
        "import os, pathlib, time\n"
        "held = bytearray(80_000_000)\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\n"
        f"while not pathlib.Path({str(trigger)!r}).exists(): time.sleep(0.01)\n"
        "end = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\n"
        "time.sleep(30)\n"
    )
    helper = subprocess.Popen([sys.executable, "-c", helper_code])
    try:
        for _ in range(500):
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.01)
        touch = f"pathlib.Path({str(trigger)!r}).touch()"
        command_code = f"import pathlib, time; {touch}; time.sleep(1)"
        command = Command((sys.executable, "-c", command_code), tmp_path, helper=pid_file)
        sample = runner().run_one(command, tmp_path / "log")
        assert sample.peak_rss > 80_000_000
        assert sample.cpu_seconds >= 0.25
        alone = runner().run_one(Command(command.argv, tmp_path), tmp_path / "log")
        assert alone.peak_rss < 80_000_000
    finally:
        helper.kill()
        helper.wait()


def test_end_helper_ends_the_process_its_file_names_and_waits_for_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "builder.pid"
    end_helper(pid_file)  # no file: nothing to do
    end_helper(None)
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    # reaped as soon as it ends, as the resident builder is (not a child of the benchmark)
    reaper = threading.Thread(target=helper.wait)
    reaper.start()
    pid_file.write_text(str(helper.pid))
    started = time.monotonic()
    end_helper(pid_file)
    reaper.join(timeout=5)
    assert helper.returncode == -signal.SIGTERM
    assert time.monotonic() - started < 5
    end_helper(pid_file)  # ended already: nothing to do
