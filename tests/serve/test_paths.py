"""Request targets to files: what is served, what redirects, and nothing outside the site."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transmit.serve.paths import Outcome, decode_path, redirect_location, resolve, split_target


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built site in tmp_path/site and a secret beside it."""
    root = tmp_path / "site"
    for relative in (
        "index.html",
        "404.html",
        "posts/alpha/index.html",
        "posts/注意力机制/index.html",
        "posts/bundle/d.png",
        "assets/transmit.css",
        "empty/.keep",
    ):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(relative, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    return root.resolve()


ZH = "/posts/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6/"


@pytest.mark.parametrize(
    ("target", "relative"),
    [
        ("/", "index.html"),
        ("/index.html", "index.html"),
        ("/posts/alpha/", "posts/alpha/index.html"),
        ("/posts/alpha/index.html", "posts/alpha/index.html"),
        ("/posts/alpha/?q=1", "posts/alpha/index.html"),
        ("/posts/alpha/#top", "posts/alpha/index.html"),
        ("/posts//alpha/", "posts/alpha/index.html"),
        (ZH, "posts/注意力机制/index.html"),
        ("/posts/%e6%b3%a8%e6%84%8f%e5%8a%9b%e6%9c%ba%e5%88%b6/", "posts/注意力机制/index.html"),
        # raw UTF-8 in the request line, as http.server hands it over (one char per byte)
        ("/posts/注意力机制/".encode().decode("latin-1"), "posts/注意力机制/index.html"),
        ("/posts/bundle/d.png", "posts/bundle/d.png"),
        ("/assets/transmit.css?transmit-serve=3", "assets/transmit.css"),
        ("http://127.0.0.1:8000/posts/alpha/", "posts/alpha/index.html"),
    ],
)
def test_files_of_the_site_are_found(site: Path, target: str, relative: str) -> None:
    found = resolve(site, "/", target)
    assert found.outcome is Outcome.FILE
    assert found.file == site / relative


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/posts/alpha", "/posts/alpha/"),
        ("/posts/alpha?x=1", "/posts/alpha/?x=1"),
        ("/posts", "/posts/"),
        (ZH.rstrip("/"), ZH),
        (
            "/posts/%e6%b3%a8%e6%84%8f%e5%8a%9b%e6%9c%ba%e5%88%b6",
            "/posts/%e6%b3%a8%e6%84%8f%e5%8a%9b%e6%9c%ba%e5%88%b6/",
        ),
        ("/posts/注意力机制".encode().decode("latin-1"), ZH),
        ("//posts/alpha", "/posts/alpha/"),  # never "//host/": a link to another site
    ],
)
def test_folders_without_a_slash_redirect_keeping_the_encoding(
    site: Path, target: str, location: str
) -> None:
    found = resolve(site, "/", target)
    assert found.outcome is Outcome.REDIRECT
    assert found.location == location


TRAVERSALS = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/posts/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/posts/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/%252e%252e/secret.txt",  # double-encoded: stays a name, and no such file
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/posts\\..\\..\\secret.txt",
    "/./../secret.txt",
    "/%2e/%2e%2e/secret.txt",
    "/.%2e/secret.txt",
    "/posts/alpha/../../../secret.txt",
    "/etc/passwd",
    "/%2fetc%2fpasswd",
    "//etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_nothing_outside_the_site_is_reachable(site: Path, target: str) -> None:
    found = resolve(site, "/", target)
    assert found.outcome is Outcome.MISSING
    assert found.file is None


@pytest.mark.parametrize("target", ["/index.html%00.png", "/%00", "/\x00", "/%ff%fe", "/%e6%b3"])
def test_nul_and_broken_utf8_are_bad_requests(site: Path, target: str) -> None:
    assert resolve(site, "/", target).outcome is Outcome.BAD


def test_symlinks_pointing_out_are_not_followed(site: Path) -> None:
    (site / "leak.txt").symlink_to(site.parent / "secret.txt")
    (site / "leakdir").symlink_to(site.parent, target_is_directory=True)
    (site / "posts" / "alpha" / "loop").symlink_to(site / "posts" / "alpha" / "loop")
    assert resolve(site, "/", "/leak.txt").outcome is Outcome.MISSING
    assert resolve(site, "/", "/leakdir/secret.txt").outcome is Outcome.MISSING
    assert resolve(site, "/", "/leakdir/").outcome is Outcome.MISSING
    assert resolve(site, "/", "/posts/alpha/loop").outcome is Outcome.MISSING


def test_symlinks_inside_the_site_are_served(site: Path) -> None:
    (site / "alias.css").symlink_to(site / "assets" / "transmit.css")
    found = resolve(site, "/", "/alias.css")
    assert found.file == site / "assets" / "transmit.css"


@pytest.mark.parametrize(
    "target", ["/missing", "/missing/", "/posts/alpha/index.html/", "/empty/", "/404"]
)
def test_misses(site: Path, target: str) -> None:
    assert resolve(site, "/", target).outcome is Outcome.MISSING


@pytest.mark.parametrize(
    ("target", "outcome", "where"),
    [
        ("/notes/", Outcome.FILE, "index.html"),
        ("/notes/posts/alpha/", Outcome.FILE, "posts/alpha/index.html"),
        ("/notes", Outcome.REDIRECT, "/notes/"),
        ("/", Outcome.REDIRECT, "/notes/"),
        ("/posts/alpha/", Outcome.MISSING, None),
        ("/notes/../secret.txt", Outcome.MISSING, None),
        ("/notesx/", Outcome.MISSING, None),
    ],
)
def test_a_base_path_mounts_the_site_below_it(
    site: Path, target: str, outcome: Outcome, where: str | None
) -> None:
    found = resolve(site, "/notes/", target)
    assert found.outcome is outcome
    if outcome is Outcome.FILE:
        assert found.file == site / str(where)
    if outcome is Outcome.REDIRECT:
        assert found.location == where


def test_a_chinese_base_path(site: Path) -> None:
    base = "/%E7%AC%94%E8%AE%B0/"  # /笔记/
    assert resolve(site, base, base + "posts/alpha/").file == site / "posts/alpha/index.html"
    assert resolve(site, base, "/").location == base


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("/a?b=1", ("/a", "b=1")), ("/a#f", ("/a", "")), ("http://h", ("/", "")), ("/", ("/", ""))],
)
def test_split_target(raw: str, expected: tuple[str, str]) -> None:
    assert split_target(raw) == expected


def test_redirect_location_escapes_raw_bytes_and_keeps_escapes() -> None:
    raw = "/a b/%41/注".encode().decode("latin-1")
    assert redirect_location(raw, "") == "/a%20b/%41/%E6%B3%A8/"


@given(st.text())
def test_decoding_never_yields_nul_and_never_raises(text: str) -> None:
    decoded = decode_path(text.encode("utf-8").decode("latin-1"))
    assert decoded is None or "\x00" not in decoded


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # `site` is only read
@given(st.lists(st.sampled_from(["..", ".", "%2e%2e", "%2f", "\\", "a", "posts", "%5c", ""])))
def test_no_combination_of_dots_and_slashes_escapes(site: Path, parts: list[str]) -> None:
    found = resolve(site, "/", "/" + "/".join(parts) + "/secret.txt")
    assert found.outcome is not Outcome.FILE
    assert found.file is None
