"""`transmit check`: every problem as `path:line:col: level: message`, a count, exit 1 on errors,
and nothing written."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import SiteMaker
from tests.hardening.helpers import transmit
from transmit.build.pipeline import BuildOptions, build_site
from transmit.commands.check import CheckOptions, check_site

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TARGET = """---
title: Target
date: 2020-01-01
---

# 注意力 机制

## Second Part

Text.[^1]

[^1]: A note.
"""


def post(body: str, extra: str = "") -> str:
    return f"---\ntitle: Linker\ndate: 2020-01-02\n{extra}---\n{body}\n"


def check(site: Path, **options: object) -> list[str]:
    report = check_site(site, CheckOptions(now=NOW, **options))  # type: ignore[arg-type]
    return [str(problem) for problem in report.problems]


def test_a_clean_site_has_no_problems(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(
        {
            "content/posts/target.md": TARGET,
            "content/posts/linker.md": post("[t](target.md#注意力-机制) [home](/)"),
            "content/pages/about.md": "# About\n",
        }
    )
    run = transmit(capsys, "check", site)
    assert run.status == 0, run.out + run.err
    assert run.out.strip() == "checked 2 posts and 1 page: no problems"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[a](target.md)", []),
        ("[a](./target.md#second-part)", []),
        ("[a](target.md#%E6%B3%A8%E6%84%8F%E5%8A%9B-%E6%9C%BA%E5%88%B6)", []),
        ("[a](../posts/target.md#fn1)", []),
        ("[a](../pages/about.md)", []),
        ("[a](/posts/target/)", []),
        ("[a](/posts/target/#second-part)", []),
        ("[a](../target/)", []),
        ("[a](/posts/target)", []),
        ("[a](/)", []),
        ("[a](/404.html)", []),
        ("[a](https://example.com/x.md)", []),
        ("[a](mailto:me@example.com)", []),
        ("# Top\n\n[a](#top)", []),
        ("[a][r]\n\n[r]: target.md", []),
        (
            "[a](target.md#nope)",
            [
                "6:5: error: link 'target.md#nope': "
                "content/posts/target.md has no heading or anchor '#nope'"
            ],
        ),
        ("x [a](missing.md)", ["6:7: error: link 'missing.md': no such post or page in content/"]),
        (
            "[a](/posts/gone/)",
            ["6:5: error: link '/posts/gone/': the site has no page at '/posts/gone/'"],
        ),
        ("[a](#nowhere)", ["6:5: error: link '#nowhere': this page has no such anchor"]),
        (
            "[a](/posts/target/#nope)",
            [
                "6:5: error: link '/posts/target/#nope': "
                "content/posts/target.md has no heading or anchor '#nope'"
            ],
        ),
        (
            "![i](nothing.png)",
            ["6: warning: image not found: nothing.png"],
        ),
        ("![i](/img/logo.png) ![r](https://x.org/a.png) ![d](data:image/png;base64,AAAA)", []),
        (
            "text\n\n[a](draft.md)",
            ["8:5: warning: link 'draft.md' leads to content/posts/draft.md, not published"],
        ),
    ],
)
def test_links_anchors_and_images(body: str, expected: list[str], make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/target.md": TARGET,
            "content/posts/linker.md": post(body, "\n"),
            "content/posts/draft.md": "---\ndraft: true\ndate: 2020-01-01\n---\n",
            "content/pages/about.md": "# About\n",
            "static/img/logo.png": b"png",
        }
    )
    found = [p for p in check(site) if p.startswith("content/posts/linker.md")]
    assert found == [f"content/posts/linker.md:{line}" for line in expected]


def test_links_under_a_sub_path_base_url(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/target.md": TARGET,
            "content/posts/linker.md": post(
                "[a](/notes/posts/target/) [b](https://u.github.io/notes/posts/target/#second-part)"
                " [c](https://u.github.io/notes/posts/none/) [d](https://u.github.io/other/)"
            ),
        },
        config='title = "T"\nbase_url = "https://u.github.io/notes/"\n',
    )
    assert check(site) == [
        "content/posts/linker.md:5:88: error: link 'https://u.github.io/notes/posts/none/': "
        "the site has no page at '/posts/none/'"
    ]


def test_bundle_images_are_found(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/b/index.md": post("![a](a.png) ![b](img/b.png) ![c](c.png)"),
            "content/posts/b/a.png": b"a",
            "content/posts/b/img/b.png": b"b",
        }
    )
    assert check(site) == ["content/posts/b/index.md:5: warning: image not found: c.png"]


def test_every_input_problem_formulas_drafts_and_future_posts(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(
        {
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-13-45\n---\n",
            "content/posts/b.md": "---\ntitle: [unclosed\n---\n",
            "content/posts/c.md": post("ok\n\n$\\frac{$"),
            "content/posts/d.md": post("", "draft: true\n"),
            "content/posts/e.md": "---\ndate: 2999-01-01\n---\n",
            "content/posts/f.md": "---\nslug: same\ndate: 2020-01-01\n---\n",
            "content/posts/g.md": "---\nslug: same\ndate: 2020-01-01\n---\n",
            "content/posts/h.md": b"\x89PNG\x00\x00",
        }
    )
    run = transmit(capsys, "check", site)
    assert run.status == 1
    lines = run.out.strip().splitlines()
    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in lines[:-1]] == [
        "content/posts/a.md:3: error",
        "content/posts/b.md:2: error",
        "content/posts/c.md:7: warning",
        "content/posts/d.md: note",
        "content/posts/e.md: note",
        "content/posts/g.md: error",
        "content/posts/h.md: warning",
    ]
    assert "draft: not built without --drafts" in lines[3]
    assert "in the future: not built without --future" in lines[4]
    assert lines[-1] == "checked 5 posts and 0 pages: 3 errors, 2 warnings, 2 notes"
    assert run.err == ""


def test_quiet_prints_only_problems(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/posts/d.md": post("![x](none.png)", "draft: true\n")})
    run = transmit(capsys, "check", site, "--quiet")
    assert run.status == 0
    assert run.out.strip().splitlines() == [
        "content/posts/d.md:6: warning: image not found: none.png"
    ]


def test_strict_fails_on_warnings(make_site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/posts/c.md": post("$\\frac{$")})
    assert transmit(capsys, "check", site).status == 0
    assert transmit(capsys, "check", site, "--strict").status == 1


def test_json_format(make_site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(
        {"content/posts/a.md": post("[x](none.md)"), "content/posts/t.md": TARGET},
    )
    run = transmit(capsys, "check", site, "--format", "json")
    assert run.status == 1
    report = json.loads(run.out)
    assert report["errors"] == 1 and report["warnings"] == 0 and report["posts"] == 2
    assert report["problems"] == [
        {
            "path": "content/posts/a.md",
            "line": 5,
            "column": 5,
            "level": "error",
            "message": "link 'none.md': no such post or page in content/",
        }
    ]


def test_a_broken_site_toml_is_one_error(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(config='title = "T"\nper_page = "ten"\n')
    run = transmit(capsys, "check", site)
    assert run.status == 1
    assert run.out.strip().splitlines() == [
        f"{site / 'site.toml'}:2: error: 'per_page' must be a whole number, not 'ten'",
        "checked 0 posts and 0 pages: 1 error",
    ]


def test_a_broken_template_is_reported(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/posts/a.md": post("x"), "templates/post.html": "{% if %}\n"})
    run = transmit(capsys, "check", site)
    assert run.status == 1
    assert "templates/post.html:1: error: template error" in run.out


def test_a_renderer_crash_is_one_problem_and_the_rest_is_checked(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transmit.build.pipeline as pipeline

    original = pipeline.render_post

    def fragile(post, options, fragments=None):  # type: ignore[no-untyped-def]
        if "boom" in post.body:
            raise RecursionError("maximum recursion depth exceeded")
        return original(post, options, fragments)

    monkeypatch.setattr(pipeline, "render_post", fragile)
    site = make_site(
        {"content/posts/a.md": post("boom"), "content/posts/b.md": post("[x](none.md)")}
    )
    assert check(site) == [
        "content/posts/a.md: error: internal error while rendering: RecursionError: maximum "
        "recursion depth exceeded; please report",
        "content/posts/b.md:5:5: error: link 'none.md': no such post or page in content/",
    ]


def test_addresses_that_clash_are_errors(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("x"),
            "static/posts/a": "a file where a folder must be",
            "content/pages/about.md": "# About\n",
            "static/about": "another",
            "content/pages/feed.md": "---\nslug: atom.xml\n---\n",
        }
    )
    assert check(site) == [
        "content/pages/about.md: error: /about/index.html needs a folder /about/, but the file "
        "/about comes from static/about; give one of them another name or 'slug'",
        "content/pages/feed.md:2: error: a page at /atom.xml/ would collide with the site's own "
        "/atom.xml; give the page another 'slug'",
        "content/posts/a.md: error: /posts/a/index.html needs a folder /posts/a/, but the file "
        "/posts/a comes from static/posts/a; give one of them another name or 'slug'",
    ]


def test_a_check_after_a_build_reads_rendered_posts_from_its_cache(
    make_site: SiteMaker, tmp_path: Path, renders: list[str]
) -> None:
    files = {f"content/posts/p{i}.md": post(f"Words {i} $x_{i}$ [up](#nowhere)") for i in range(6)}
    files["content/posts/bad.md"] = post("$\\frac{$")
    files["content/posts/draft.md"] = post("Unfinished.", "draft: true\n")
    site = make_site(files)
    uncached = tmp_path / "uncached"
    shutil.copytree(site, uncached)
    build_site(site, BuildOptions(now=NOW))
    expected = check(uncached)
    renders.clear()
    assert check(site) == expected
    assert renders == ["content/posts/draft.md"]  # the build left the draft out of its cache

    renders.clear()
    (site / "content/posts/p3.md").write_text(post("Edited words."), encoding="utf-8")
    problems = check(site)
    assert sorted(renders) == ["content/posts/draft.md", "content/posts/p3.md"]
    assert not any(problem.startswith("content/posts/p3.md") for problem in problems)
    assert not (site / "public/posts/p3").exists() or "Edited" not in (
        site / "public/posts/p3/index.html"
    ).read_text(encoding="utf-8")


def test_posts_checked_in_worker_processes_give_the_problems_one_process_gives(
    make_site: SiteMaker,
) -> None:
    files = {
        f"content/posts/p{i:02}.md": post(f"Words {i} $x_{i}$ [up](#nowhere{i})") for i in range(60)
    }
    files["content/posts/bad.md"] = post("$\\frac{$")
    site = make_site(files)
    alone = check(site, jobs=1)
    assert len(alone) == 61  # every post's broken anchor, and the formula
    assert check(site, jobs=2) == alone
    assert not (site / ".transmit-cache").exists()  # check writes nothing
