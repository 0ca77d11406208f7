"""The resident builder through the real command: `transmit build` keeps one, later builds hand
their work to it, and what they print and write is what a build in a process of its own gives."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.build.sites import tree
from tests.conftest import SiteMaker
from transmit.resident import protocol

pytestmark = pytest.mark.skipif(not protocol.supported(), reason="needs fork and Unix sockets")

CONFIG = 'title = "Notes"\ntimezone = "Asia/Shanghai"\nper_page = 2\nsearch = false\n'
KEPT = "kept the site in memory for the next build"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def post(title: str, body: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: 2026-01-0{len(title) % 9 + 1}\n{extra}---\n\n{body}\n"


FILES: dict[str, str | bytes] = {
    "content/posts/alpha.md": post("Alpha", "Alpha $x^2$ 注意力机制.\n\n<!-- more -->\n\nMore."),
    "content/posts/beta.md": post("Beta", "Beta body.", "tags: [t]\n"),
    "content/posts/gamma.md": post("Gamma", "```python\nprint(1)\n```", "tags: [t]\n"),
    "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
}


def run(site: Path, *args: str, resident: str = "1") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", protocol.SETTING: resident}
    env.pop("CI", None)
    command = [sys.executable, "-m", "transmit", "build", str(site), "--jobs", "1", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def resident_pid(site: Path) -> int | None:
    try:
        return int((site / ".transmit-cache" / protocol.PID_NAME).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def residents() -> Iterator[list[int]]:
    """The builders a test started, ended after it (none is left running)."""
    started: list[int] = []
    yield started
    for pid in started:
        if alive(pid):
            os.kill(pid, signal.SIGTERM)


def kept(site: Path, residents: list[int]) -> int:
    pid = resident_pid(site)
    assert pid is not None and alive(pid)
    residents.append(pid)
    return pid


def cold(site: Path, tmp_path: Path, *args: str) -> dict[str, bytes]:
    """The output of a build of `site` as it is now, from nothing, in a process of its own."""
    fresh = tmp_path / "cold"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".transmit-cache"))
    assert run(fresh, *args, resident="0").returncode == 0
    return tree(fresh / "public")


def test_a_build_keeps_its_builder_and_the_next_builds_hand_it_their_work(
    make_site: SiteMaker, tmp_path: Path, residents: list[int]
) -> None:
    site = make_site(FILES, config=CONFIG)
    first = run(site)
    assert first.returncode == 0, first.stderr
    pid = kept(site, residents)
    assert f"{KEPT} (process {pid};" in first.stdout
    assert "built 3 posts and 1 page" in first.stdout

    unchanged = run(site)  # no-op, answered by the builder: the same lines, no other kept
    assert unchanged.returncode == 0
    assert unchanged.stdout.startswith("built 3 posts and 1 page")
    assert KEPT not in unchanged.stdout
    assert resident_pid(site) == pid

    (site / "content/posts/beta.md").write_text(post("Beta", "Beta, edited."), encoding="utf-8")
    edited = run(site)
    assert edited.returncode == 0 and KEPT not in edited.stdout
    assert resident_pid(site) == pid and alive(pid)
    assert "Beta, edited." in (site / "public/posts/beta/index.html").read_text(encoding="utf-8")
    assert tree(site / "public") == cold(site, tmp_path)


def imported(site: Path) -> set[str]:
    """The modules a `transmit build` of `site` imports, and a bare interpreter does not."""

    def names(*args: str) -> set[str]:
        command = [sys.executable, "-X", "importtime", *args]
        env = {**os.environ, protocol.SETTING: "1"}
        env.pop("CI", None)
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        lines = result.stderr.splitlines()
        return {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}

    return names("-m", "transmit", "build", str(site), "--jobs", "1") - names("-c", "pass")


def test_a_build_handed_to_the_builder_imports_what_it_needs_alone(
    make_site: SiteMaker, residents: list[int]
) -> None:
    """What the command spends before the builder answers is its own start: an edit at 10,000
    posts took 45 ms of it where `dataclasses` and `typing` came in, 34 ms now."""
    site = make_site(FILES, config=CONFIG)
    assert run(site).returncode == 0
    kept(site, residents)
    names = imported(site)
    assert {"transmit.cli", "transmit.resident.client"} <= names
    assert {"dataclasses", "typing", "inspect", "transmit.errors"}.isdisjoint(names)
    assert {name for name in names if name.startswith("transmit.")} == {
        "transmit.cli",
        "transmit.process_end",
        "transmit.resident",
        "transmit.resident.client",
        "transmit.resident.protocol",
        "transmit.build",
        "transmit.build.folders",
    }


@pytest.mark.parametrize(
    "change",
    [
        "edit",
        "new post",
        "new folder of posts",
        "delete",
        "template",
        "static",
        "config",
        "output touched",
        "output removed",
    ],
)
def test_every_kind_of_change_gives_what_a_cold_build_gives(
    make_site: SiteMaker, tmp_path: Path, residents: list[int], change: str
) -> None:
    site = make_site(FILES, config=CONFIG)
    assert run(site).returncode == 0
    pid = kept(site, residents)
    assert run(site).returncode == 0  # from now on the builder's watch tells what changed
    if change == "edit":
        (site / "content/posts/alpha.md").write_text(post("Alpha", "Edited."), encoding="utf-8")
    elif change == "new post":
        (site / "content/posts/delta.md").write_text(post("Delta", "New."), encoding="utf-8")
    elif change == "new folder of posts":
        (site / "content/posts/2026").mkdir()
        (site / "content/posts/2026/delta.md").write_text(post("Delta", "New."), encoding="utf-8")
    elif change == "delete":
        (site / "content/posts/gamma.md").unlink()
    elif change == "template":
        (site / "templates").mkdir()
        (site / "templates/footer.html").write_text("<footer>mine</footer>\n", encoding="utf-8")
    elif change == "static":
        (site / "static").mkdir()
        (site / "static/robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    elif change == "config":
        (site / "site.toml").write_text(CONFIG.replace("per_page = 2", "per_page = 1"))
    elif change == "output touched":  # another tool wrote into the output: a full check
        (site / "public/index.html").write_text("changed by hand", encoding="utf-8")
    else:
        (site / "public/posts/alpha/index.html").unlink()
    result = run(site)
    assert result.returncode == 0, result.stderr
    assert resident_pid(site) == pid  # the builder did it
    assert tree(site / "public") == cold(site, tmp_path)


def test_problems_and_warnings_read_as_a_build_of_its_own_prints_them(
    make_site: SiteMaker, residents: list[int]
) -> None:
    site = make_site(FILES, config=CONFIG)
    assert run(site).returncode == 0
    pid = kept(site, residents)
    broken = {
        "content/posts/beta.md": post("Beta", "Broken $\\frac{$ formula."),
        "content/posts/gamma.md": "---\ntitle: [unclosed\n---\n",
    }
    for name, text in broken.items():
        (site / name).write_text(text, encoding="utf-8")
    by_builder = run(site)
    assert resident_pid(site) == pid
    by_itself = run(site, resident="0")
    assert by_builder.returncode == by_itself.returncode == 1
    assert by_builder.stderr == by_itself.stderr
    assert by_builder.stderr.startswith("content/posts/gamma.md:2: front matter is not valid YAML")
    assert "Traceback" not in by_builder.stderr

    (site / "content/posts/gamma.md").write_text(post("Gamma", "Fixed."), encoding="utf-8")
    warned = run(site)
    assert warned.returncode == 0
    assert "content/posts/beta.md:6: warning: cannot render formula" in warned.stderr
    assert "1 warning" in warned.stdout
    strict = run(site, "--strict")
    assert strict.returncode == 1
    assert "content/posts/beta.md:6: cannot render formula" in strict.stderr
    quiet = run(site, "--quiet")
    assert quiet.stdout == "" and "warning: cannot render formula" in quiet.stderr
    assert resident_pid(site) == pid and alive(pid)


def test_options_pass_to_the_builder_and_another_output_folder_builds_apart(
    make_site: SiteMaker, tmp_path: Path, residents: list[int]
) -> None:
    files = {**FILES, "content/posts/draft.md": post("Draft", "Not yet.", "draft: true\n")}
    site = make_site(files, config=CONFIG)
    assert run(site).returncode == 0
    pid = kept(site, residents)
    verbose = run(site, "--verbose")
    assert "draft: content/posts/draft.md" in verbose.stdout
    assert run(site, "--drafts").returncode == 0
    assert (site / "public/posts/draft/index.html").is_file()
    assert resident_pid(site) == pid
    assert tree(site / "public") == cold(site, tmp_path, "--drafts")

    elsewhere = tmp_path / "elsewhere"
    apart = run(site, "--out", str(elsewhere), resident="0")  # declined: built by the command
    assert apart.returncode == 0, apart.stderr
    assert (elsewhere / "index.html").is_file()
    assert alive(pid) and resident_pid(site) == pid


def test_a_builder_ends_when_its_cache_goes(make_site: SiteMaker, residents: list[int]) -> None:
    site = make_site(FILES, config=CONFIG)
    assert run(site).returncode == 0
    pid = kept(site, residents)
    shutil.rmtree(site / ".transmit-cache")
    assert wait_for(lambda: not alive(pid))
    rebuilt = run(site)  # a build of its own, which keeps a new builder
    assert rebuilt.returncode == 0
    assert kept(site, residents) != pid


def test_a_later_builder_takes_the_place_of_the_one_before(
    make_site: SiteMaker, residents: list[int]
) -> None:
    site = make_site(FILES, config=CONFIG)
    assert run(site).returncode == 0
    first = kept(site, residents)
    (site / ".transmit-cache" / protocol.SOCKET_NAME).unlink()  # as if none ran
    assert run(site).returncode == 0
    second = kept(site, residents)
    assert second != first
    assert wait_for(lambda: not alive(first))


def ask(site: Path, message: bytes) -> bytes:
    with protocol.connect(site / ".transmit-cache" / protocol.SOCKET_NAME) as connection:
        connection.sendall(message)
        connection.shutdown(socket.SHUT_WR)
        return protocol.read_all(connection)


def test_a_builder_declines_other_transmits_and_ignores_what_is_not_a_request(
    make_site: SiteMaker, residents: list[int]
) -> None:
    site = make_site(FILES, config=CONFIG)
    assert run(site).returncode == 0
    pid = kept(site, residents)
    assert ask(site, b"GET / HTTP/1.0\r\n\r\n") == b""
    assert alive(pid)
    assert run(site, "--quiet").returncode == 0 and resident_pid(site) == pid

    choices = {"drafts": False, "future": False, "jobs": 1, "strict": False}
    request = protocol.request(site, None, {**choices, "quiet": True, "verbose": False}, NOW)
    said = json.loads(ask(site, protocol.encode({**request, "version": "0.0.0"})))
    assert said == {"declined": "another transmit asks"}
    assert wait_for(lambda: not alive(pid))  # a builder of another version serves nobody


def test_no_builder_is_kept_when_the_setting_says_so(make_site: SiteMaker) -> None:
    site = make_site(FILES, config=CONFIG)
    result = run(site, resident="0")
    assert result.returncode == 0
    assert KEPT not in result.stdout
    assert resident_pid(site) is None
    assert not (site / ".transmit-cache" / protocol.SOCKET_NAME).exists()
    assert run(site, resident="").returncode == 0  # automatic: too small a site to keep one
    assert resident_pid(site) is None


def test_no_builder_is_kept_when_no_process_can_be_forked(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from transmit.build.incremental import IncrementalBuilder
    from transmit.build.pipeline import BuildOptions
    from transmit.commands.output import Reporter
    from transmit.resident import server

    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, BuildOptions(jobs=1))
    builder.build()
    open_before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0

    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(server.os, "fork", no_fork)
    server.keep(builder, Reporter())
    assert KEPT not in capsys.readouterr().out
    assert resident_pid(site) is None
    if open_before:
        assert len(os.listdir("/proc/self/fd")) == open_before  # the pipe was closed


def test_the_first_build_handed_over_is_told_by_the_watch_what_changed(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    """The builder makes the stat pass the watch needs before any request comes, so that the
    first `transmit build` after the one that made it is as quick as the later ones."""
    import threading

    from transmit.build.incremental import IncrementalBuilder
    from transmit.build.pipeline import BuildOptions
    from transmit.resident.server import Resident

    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, BuildOptions(now=NOW, jobs=1))
    builder.build()
    asked: list[object] = []
    build = builder.build

    def noted(changed=None, **options):  # type: ignore[no-untyped-def]
        asked.append(None if changed is None else sorted(map(str, changed)))
        return build(changed, **options)

    builder.build = noted  # type: ignore[method-assign]
    path = site / ".transmit-cache" / protocol.SOCKET_NAME
    with protocol.bind(path) as listener:
        resident = Resident(builder, listener, path, os.stat(path).st_ino)
        serving = threading.Thread(target=resident.serve, daemon=True)
        serving.start()
        assert wait_for(lambda: asked == [None])  # its own stat pass, before any request
        alpha = site / "content/posts/alpha.md"
        alpha.write_text(post("Alpha", "Edited before the first request."), encoding="utf-8")
        choices = {"drafts": False, "future": False, "jobs": 1, "strict": False}
        message = protocol.request(site, None, {**choices, "quiet": True, "verbose": False}, NOW)
        said = json.loads(ask(site, protocol.encode(message)))
        assert said["code"] == 0, said
        assert asked == [None, [str(alpha)]]  # the watch told the first request's build
        path.unlink()  # the builder ends when its socket is gone
        serving.join(timeout=30)
        assert not serving.is_alive()
    page = (site / "public/posts/alpha/index.html").read_text(encoding="utf-8")
    assert "Edited before the first request." in page
    assert tree(site / "public") == cold(site, tmp_path)


@pytest.mark.parametrize("waiting", [False, True])
def test_the_first_builds_garbage_is_collected_before_the_first_request_unless_it_waits(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, waiting: bool
) -> None:
    """A request that came while the builder prepared is not held up by the collection (0.4 s
    at 10,000 posts): that is left to the first pause."""
    import gc
    import socket

    from transmit.build.incremental import IncrementalBuilder
    from transmit.build.pipeline import BuildOptions
    from transmit.resident.server import Resident

    site = make_site(FILES, config=CONFIG)
    builder = IncrementalBuilder(site, BuildOptions(now=NOW, jobs=1))
    builder.build()
    collections: list[None] = []
    monkeypatch.setattr(gc, "collect", lambda *_: collections.append(None) or 0)
    path = site / ".transmit-cache" / protocol.SOCKET_NAME
    with protocol.bind(path) as listener, socket.socket(socket.AF_UNIX) as client:
        if waiting:
            client.connect(str(path))
        resident = Resident(builder, listener, path, os.stat(path).st_ino)
        assert resident.prepare() is not waiting
    assert len(collections) == (0 if waiting else 1)
