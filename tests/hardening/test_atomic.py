"""A build that fails or is interrupted leaves the previous output byte-identical and no
staging folder behind; two builds of one input are byte-identical; nothing under content/ is
written. These tests watch files, not the writer's code, so they hold whatever way it writes."""

from __future__ import annotations

import builtins
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import AS_FROM_A_TERMINAL, SiteMaker
from tests.hardening.helpers import transmit

SITE_FILES = {
    **{
        f"content/posts/p{i:02}.md": f"---\ntitle: Post {i}\ndate: 2020-01-{i % 28 + 1:02}\n"
        f"tags: [t{i % 3}]\n---\n\nText {i} with $x_{i}$.\n"
        for i in range(30)
    },
    "content/posts/bundle/index.md": "---\ndate: 2020-02-01\n---\n![a](a.png)\n",
    "content/posts/bundle/a.png": b"\x89PNG bundle",
    "content/pages/about.md": "# About\n",
    "static/robots.txt": "User-agent: *\n",
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(out: Path) -> list[str]:
    """Folders a writer keeps beside the output while it works (`.public.new-1`, ...)."""
    return sorted(
        p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.is_dir()
    )


@pytest.fixture
def built(make_site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict]:
    """A site built once, then changed so that a second build rewrites every page."""
    site = make_site(SITE_FILES)
    assert transmit(capsys, "build", site).status == 0
    before = snapshot(site / "public")
    (site / "site.toml").write_text('title = "Renamed Site"\n', encoding="utf-8")
    (site / "content/posts/p00.md").write_text("---\ndate: 2020-03-01\n---\nNew.\n")
    return site, before


class _Interrupt:
    """Counts files opened for writing under `root` and raises on the n-th."""

    def __init__(self, root: Path, after: int, error: BaseException) -> None:
        self.root, self.after, self.error = str(root), after, error
        self.opened = 0

    def wrap(self, original):  # type: ignore[no-untyped-def]
        def patched(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
            writes = isinstance(file, str | Path) and any(c in mode for c in "wax+")
            if writes and str(file).startswith(self.root):
                self.opened += 1
                if self.opened == self.after:
                    raise self.error
            return original(file, mode, *args, **kwargs)

        return patched


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (KeyboardInterrupt(), 130),
        (OSError(28, "No space left on device"), 1),
        (PermissionError(13, "Permission denied"), 1),
    ],
    ids=["ctrl-c", "disk-full", "permission"],
)
@pytest.mark.parametrize("after", [1, 40])
def test_a_build_failing_midway_leaves_the_old_output(
    error: BaseException,
    status: int,
    after: int,
    built: tuple[Path, dict],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, before = built
    interrupt = _Interrupt(site, after, error)
    monkeypatch.setattr(builtins, "open", interrupt.wrap(builtins.open))
    monkeypatch.setattr(io, "open", interrupt.wrap(io.open))
    run = transmit(capsys, "build", site)
    monkeypatch.undo()
    assert interrupt.opened >= after, "the build wrote fewer files than expected"
    assert run.status == status, run.err
    assert len(run.lines) == 1
    assert snapshot(site / "public") == before
    assert leftovers(site / "public") == []
    assert transmit(capsys, "build", site).status == 0  # and the next build recovers
    assert "Renamed Site" in (site / "public/index.html").read_text(encoding="utf-8")


def fill_static(site: Path, text: str) -> None:
    """3,000 static files: copying them keeps the writer busy long enough to be interrupted."""
    for i in range(3000):
        (site / "static" / f"file{i:04}.txt").write_text(text * 200)


def test_ctrl_c_during_a_real_build_leaves_the_old_output(built: tuple[Path, dict]) -> None:
    """SIGINT to the whole process group (as a terminal sends it) once the writer's staging
    folder appears beside the output; many static files keep the writer busy long enough."""
    site, before = built
    fill_static(site, "x")
    command = [sys.executable, "-c", AS_FROM_A_TERMINAL, "build", str(site), "--jobs", "1"]
    title = "Renamed Site"  # what site.toml says now
    for attempt in range(5):
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        seen = False
        while process.poll() is None:
            if leftovers(site / "public"):
                os.killpg(process.pid, signal.SIGINT)
                seen = True
                break
            time.sleep(0.001)
        _, err = process.communicate(timeout=120)
        assert "Traceback" not in err
        if seen and process.returncode == 130:
            assert snapshot(site / "public") == before
            assert leftovers(site / "public") == []
            assert err.strip() == "interrupted; the previous output is unchanged"
            return
        # the writer finished first: the output must then be the complete new one
        assert process.returncode == 0, err
        assert title in (site / "public/index.html").read_text(encoding="utf-8")
        title = f"Renamed {attempt}"  # changes, so that the next attempt writes as much again
        (site / "site.toml").write_text(f'title = "{title}"\n', encoding="utf-8")
        fill_static(site, str(attempt))
        before = snapshot(site / "public")
    pytest.fail("the build never ran long enough to be interrupted while writing")


def test_two_builds_of_one_input_are_byte_identical(make_site: SiteMaker, tmp_path: Path) -> None:
    site = make_site(SITE_FILES)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        environment = {**os.environ, "PYTHONHASHSEED": seed, "TZ": f"Etc/GMT+{seed}"}
        result = subprocess.run(
            [sys.executable, "-m", "transmit", "build", str(site), "--out", str(out)],
            capture_output=True,
            text=True,
            env=environment,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(snapshot(out))
    assert outputs[0] == outputs[1]
    assert outputs[0]


def test_build_and_check_never_write_under_content(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(SITE_FILES)
    content = site / "content"
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in content.rglob("*") if p.is_file()}
    folders = sorted(p for p in content.rglob("*") if p.is_dir())
    for command in ("build", "check"):
        transmit(capsys, command, site)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in content.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p for p in content.rglob("*") if p.is_dir()) == folders


def test_check_writes_nothing_at_all(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(SITE_FILES)
    before = {p for p in site.rglob("*")}
    transmit(capsys, "check", site)
    created = {p for p in site.rglob("*")} - before
    # a shared render cache may be warmed; no page, no output folder
    assert not [p for p in created if ".transmit-cache" not in p.as_posix()]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("site", "is the site folder or holds it"),
        (".", "is the site folder or holds it"),
        ("site/content", "inside content/"),
        ("site/content/posts/out", "inside content/"),
        ("site/static/out", "inside static/"),
        ("site/templates", "inside templates/"),
        ("site/site.toml", "is a file, not a folder"),
        ("documents", "holds files that no build wrote"),
        ("project", "holds files that no build wrote"),
    ],
)
def test_an_output_folder_that_would_delete_other_files_is_refused(
    out: str,
    message: str,
    make_site: SiteMaker,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_site(SITE_FILES)  # tmp_path/site
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents/taxes.pdf").write_bytes(b"mine")
    (tmp_path / "project/.git").mkdir(parents=True)
    (tmp_path / "project/index.html").write_text("an old page")
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    run = transmit(capsys, "build", "site", "--out", out)
    assert run.status == 2
    assert message in run.err and run.err.startswith("transmit build: --out ")
    assert snapshot(tmp_path) == before


def test_an_earlier_output_or_an_empty_folder_is_replaced(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    site = make_site(SITE_FILES)
    (tmp_path / "empty").mkdir()
    for out in (site / "public", site / "public", tmp_path / "empty", tmp_path / "new/deep"):
        assert transmit(capsys, "build", site, "--out", out).status == 0
        assert (out / "index.html").is_file()
