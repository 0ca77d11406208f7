"""Messages are one printable line, and errors survive the trip back from a worker process."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tests.conftest import SiteMaker
from tests.hardening.helpers import transmit
from transmit.errors import (
    BuildWarning,
    ConfigError,
    InternalError,
    Problem,
    SourceError,
    TransmitError,
    printable,
    shown,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain 中文\ttab", "plain 中文\ttab"),
        ("esc\x1b[2Jbell\x07", "esc\\x1b[2Jbell\\x07"),
        ("new\nline\r", "new\\nline\\r"),
        ("c1\x9b31m", "c1\\x9b31m"),
        ("sep\u2028", "sep\\u2028"),
    ],
)
def test_printable(text: str, expected: str) -> None:
    assert printable(text) == expected


def test_shown_cuts_long_values_and_quotes_text_only() -> None:
    assert shown("x" * 100) == "'" + "x" * 60 + "…'"
    assert shown(["a"]) == "['a']"
    assert shown("a\x1bb") == "'a\\x1bb'"


@pytest.mark.parametrize(
    "error",
    [
        SourceError(Path("content/posts/a.md"), 3, "bad"),
        ConfigError("site.toml", None, "bad"),
        InternalError("content/posts/a.md", None, "internal error while rendering: x"),
        TransmitError("plain"),
    ],
)
def test_errors_pickle_with_their_location(error: TransmitError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (str(copy), copy.path, copy.line, copy.message) == (
        str(error),
        error.path,
        error.line,
        error.message,
    )


def test_problem_lines() -> None:
    assert str(Problem("a.md", 3, 7, "error", "x\ny")) == "a.md:3:7: error: x\\ny"
    assert str(Problem("a.md", None, 7, "note", "n")) == "a.md: note: n"
    assert str(Problem.of(BuildWarning("a.md", 2, "w"), "warning")) == "a.md:2: warning: w"


def test_a_renderer_crash_in_a_worker_process_is_one_line(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    import transmit.build.pipeline as pipeline
    import transmit.build.workers as workers

    original = pipeline.render_post

    def fragile(post, options, fragments=None):  # type: ignore[no-untyped-def]
        if "boom" in post.body:
            raise AssertionError("expected name token at '<![```'")
        return original(post, options, fragments)

    monkeypatch.setattr(pipeline, "render_post", fragile)
    # forked workers see the patch; with other threads alive the pool would use a fork server
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("fork"))
    files = {
        f"content/posts/p{i:02}.md": f"---\ndate: 2020-01-01\n---\nText {i}\n" for i in range(70)
    }
    files["content/posts/p33.md"] = "---\ndate: 2020-01-01\n---\nboom\n"
    site = make_site(files)
    run = transmit(capsys, "build", site, "--jobs", "2")
    assert run.status == 1
    assert run.lines == [
        "content/posts/p33.md: internal error while rendering: AssertionError: expected name "
        "token at '<![```'; please report"
    ]


def test_an_image_linked_from_outside_content_is_never_copied(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret")
    site = make_site({"content/posts/a.md": "---\ndate: 2020-01-01\n---\n![x](leak.png)\n"})
    (site / "content/posts/leak.png").symlink_to(secret)
    run = transmit(capsys, "build", site)
    assert run.status == 0
    assert "content/posts/leak.png: warning: is a symbolic link to" in run.err
    for path in (site / "public").rglob("*"):
        assert not path.is_file() or b"secret" not in path.read_bytes(), path
