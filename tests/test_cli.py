"""The command line through the real entry points: the console script and `python -m transmit`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import SiteMaker
from transmit import __version__

SCRIPT = Path(sysconfig.get_path("scripts")) / "transmit"


def run(
    *args: str | Path, cwd: Path | None = None, module: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "transmit"] if module else [str(SCRIPT)]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [*command, *map(str, args)], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("module", [False, True])
def test_version(module: bool) -> None:
    result = run("--version", module=module)
    assert result.returncode == 0
    assert result.stdout.strip() == f"transmit {__version__}"


def test_help_lists_only_commands_that_exist() -> None:
    result = run("--help")
    assert result.returncode == 0
    listed = re.findall(r"^    (\w+)\s", result.stdout, re.MULTILINE)
    assert listed == ["init", "new", "build", "serve", "check"]


def test_no_command_prints_help_and_exits_2() -> None:
    result = run()
    assert result.returncode == 2
    assert "usage:" in result.stdout


def test_usage_problem_exits_2() -> None:
    result = run("build", "--jobs", "many")
    assert result.returncode == 2
    assert "not a number" in result.stderr


def test_init_then_build(tmp_path: Path) -> None:
    result = run("init", tmp_path / "notes")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "notes"
    config = (site / "site.toml").read_text(encoding="utf-8")
    keys = re.findall(r"^(\w+) =", config, re.MULTILINE)
    assert {"title", "base_url", "timezone", "per_page", "slug_style", "excerpt_length"} <= set(
        keys
    )
    assert all("#" in line for line in config.splitlines() if re.match(r"^\w+ =", line))
    (first,) = (site / "content/posts").glob("*.md")
    text = first.read_text(encoding="utf-8")
    assert re.search(r"title: .*[\u4e00-\u9fff]", text) and "$" in text and "```python" in text
    assert (site / "content/pages/about.md").is_file() and (site / "static").is_dir()
    assert (site / ".gitignore").read_text(encoding="utf-8").split() == [
        "/public/",
        "/.transmit-cache/",
    ]
    result = run("build", site)
    assert result.returncode == 0, result.stderr
    assert "built 1 post and 1 page" in result.stdout
    assert "<math" in (site / "public/posts/hello-transmit/index.html").read_text(encoding="utf-8")


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    result = run("init", tmp_path / "notes")
    assert result.returncode == 2
    assert "not empty" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"


def test_new_writes_a_dated_post_and_never_overwrites(make_site: SiteMaker) -> None:
    site = make_site()
    args = (
        "new",
        "注意力机制 Attention 笔记",
        "--category",
        "Deep Learning",
        "--tags",
        "transformer,attention",
        "--dir",
        site,
    )
    result = run(*args)
    assert result.returncode == 0, result.stderr
    path = site / "content/posts/注意力机制-Attention-笔记.md"
    text = path.read_text(encoding="utf-8")
    assert 'title: "注意力机制 Attention 笔记"' in text
    assert 'categories: ["Deep Learning"]' in text
    assert 'tags: ["transformer", "attention"]' in text
    written = re.search(r"^date: (.+)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs((datetime.fromisoformat(written) - now).total_seconds()) < 120
    result = run(*args)
    assert result.returncode == 2 and "already exists" in result.stderr
    assert path.read_text(encoding="utf-8") == text
    result = run("new", "Other", "--slug", "my-slug", "--dir", site)
    assert result.returncode == 0
    assert (site / "content/posts/my-slug.md").is_file()
    result = run("build", site, "--future")
    assert result.returncode == 0, result.stderr


def test_new_with_tricky_title_keeps_it_exactly(make_site: SiteMaker) -> None:
    site = make_site()
    title = 'yes: "quoted" #hash'
    assert run("new", title, "--slug", "t", "--dir", site).returncode == 0
    run("build", site, "--future")
    html = (site / "public/posts/t/index.html").read_text(encoding="utf-8")
    assert "<h1>yes: &#34;quoted&#34; #hash</h1>" in html


def test_input_errors_are_one_line_each_with_exit_1(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-13-45\n---\n",
            "content/posts/b.md": "---\ntitle: [unclosed\n---\n",
        }
    )
    result = run("build", site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("content/posts/a.md:3: date: '2026-13-45' is not a valid date")
    assert lines[1].startswith("content/posts/b.md:2: front matter is not valid YAML")


def test_config_error_names_key_and_fix(make_site: SiteMaker) -> None:
    site = make_site(config='title = "T"\nperpage = 5\n')
    result = run("build", site)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"{site / 'site.toml'}:2: unknown key 'perpage'; did you mean 'per_page'?"
    )


def test_build_summary_verbose_names_skipped(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\n",
            "content/posts/d.md": "---\ntitle: D\ndate: 2026-01-01\ndraft: true\n---\n",
            "content/posts/f.md": "---\ntitle: F\ndate: 2999-01-01\n---\n",
        }
    )
    result = run("build", site, "--verbose")
    assert result.returncode == 0
    assert "skipped 1 draft (use --drafts), 1 future-dated (use --future)" in result.stdout
    assert "draft: content/posts/d.md" in result.stdout
    assert "future: content/posts/f.md" in result.stdout
    assert run("build", site, "--quiet").stdout == ""


def test_warnings_and_strict(make_site: SiteMaker) -> None:
    site = make_site({"content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\n\n$\\frac{$\n"})
    result = run("build", site)
    assert result.returncode == 0
    assert "content/posts/a.md:6: warning: cannot render formula" in result.stderr
    result = run("build", site, "--strict")
    assert result.returncode == 1
    assert "content/posts/a.md:6: cannot render formula" in result.stderr


@pytest.mark.parametrize("module", [False, True])
def test_everything_printed_reaches_a_pipe_though_the_process_skips_teardown(
    make_site: SiteMaker, module: bool
) -> None:
    """The command leaves with os._exit (no freeing of the build's objects), so what it wrote
    to buffered pipes must be flushed first: here more than a buffer's worth of warnings."""
    front = "---\ntitle: Post {n}\ndate: 2024-01-01\n---\n\n![x](gone-{n}.png)\n"
    posts = {f"content/posts/p{n:03}.md": front.format(n=n) for n in range(150)}
    site = make_site(posts)
    result = run("build", site, "--jobs", "1", module=module)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("image not found") == 150
    lines = result.stderr.splitlines()
    assert len(lines) == 150 and result.stderr.endswith("\n")
    assert all(
        re.fullmatch(r"content/posts/p\d{3}\.md:6: warning: image not found: gone-\d+\.png", line)
        for line in lines
    )
    assert "built 150 posts" in result.stdout
    failed = run("build", site, "--strict", module=module)
    assert failed.returncode == 1
    assert failed.stderr.count("image not found") == 150


def test_the_command_runs_one_off_commands_with_the_collector_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Turned back on after a build, the collector would walk the build's cycles just before
    the process ends (0.2-0.35 s at 10,000 posts)."""
    import gc

    from transmit import cli

    seen: list[bool] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(gc.isenabled()) or 0)
    monkeypatch.setattr(os, "_exit", lambda code: seen.append(code == 0))
    try:
        cli.run()
    finally:
        gc.enable()
    assert seen == [False, True]


class _Stopped:
    """A dev server or watched build that is stopped (Ctrl-C) as soon as it starts."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.search_pending = False

    def start(self) -> None:
        raise KeyboardInterrupt

    def stop(self) -> None:
        pass


@pytest.mark.parametrize("command", ["serve", "build --watch"])
def test_commands_that_keep_running_collect_their_garbage(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    import gc

    from transmit.build.pipeline import BuildOptions
    from transmit.commands import build, serve
    from transmit.commands.output import Reporter
    from transmit.serve import watched_build
    from transmit.serve.session import ServeOptions

    site = make_site({"content/posts/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\n\nText.\n"})
    monkeypatch.setattr(serve, "DevServer", _Stopped)
    monkeypatch.setattr(watched_build, "WatchedBuild", _Stopped)
    gc.disable()  # as `transmit` starts every command
    try:
        if command == "serve":
            serve.run_serve(site, BuildOptions(), ServeOptions(), Reporter(quiet=True))
        else:
            build.run_watch(site, BuildOptions(), Reporter(quiet=True))
        assert gc.isenabled()
    finally:
        gc.enable()
