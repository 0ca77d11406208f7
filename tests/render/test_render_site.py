"""Rendering seen through whole builds of small sites."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import SiteMaker
from tests.render.test_images import png
from transmit.build.pipeline import BuildOptions, build_site

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def build(site: Path):  # type: ignore[no-untyped-def]
    return build_site(site, BuildOptions(now=NOW, jobs=1))


def read(site: Path, path: str) -> str:
    return (site / "public" / path).read_text(encoding="utf-8")


def test_bom_and_crlf_post_renders_math_code_and_lines(make_site: SiteMaker) -> None:
    text = (
        "\ufeff---\r\ntitle: 窗口\r\ndate: 2026-01-01\r\n---\r\n\r\n"
        "正文 $x_1 * y_1$ 与 anchor-free。\r\n\r\n"
        "$$\r\n\\begin{aligned}\r\na &= b \\\\\r\n    c &= d\r\n\\end{aligned}\r\n$$\r\n\r\n"
        "```python\r\nif a < b:\r\n\tpass  \r\n```\r\n\r\n"
        "bad $\\frac{a}{$ here\r\n"
    )
    site = make_site({"content/posts/win.md": text.encode("utf-8")})
    summary = build(site)
    html = read(site, "posts/win/index.html")
    assert "\r" not in html and "\ufeff" not in html
    assert html.count("<math") == 2
    assert '<span class="k">if</span>' in html and "\t<span" in html and "  \n" in html
    assert [(w.path, w.line) for w in summary.warnings] == [("content/posts/win.md", 20)]
    home = read(site, "index.html")
    assert "anchor-free" in home and "<math" in home


def test_images_beside_a_post_are_copied_sized_and_addressed(make_site: SiteMaker) -> None:
    site = make_site(
        {
            "content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\n\n![f](images/f.png)\n",
            "content/posts/b.md": "---\ntitle: B\ndate: 2026-01-02\n---\n\n![f](images/f.png)\n",
            "content/posts/images/f.png": png(12, 34),
            "content/posts/c.md": "---\ntitle: C\ndate: 2026-01-03\n---\n\n![g](gone.png)\n",
        },
        config='title = "T"\nbase_url = "https://u.github.io/notes/"\n',
    )
    summary = build(site)
    assert (site / "public/posts/images/f.png").read_bytes() == png(12, 34)
    html = read(site, "posts/a/index.html")
    assert '<img src="/notes/posts/images/f.png" alt="f" width="12" height="34"' in html
    assert [(w.path, w.line, w.message) for w in summary.warnings] == [
        ("content/posts/c.md", 6, "image not found: gone.png")
    ]


def test_repeated_chinese_headings_and_toc_in_front_matter(make_site: SiteMaker) -> None:
    body = "## 概述\n\n一\n\n## 概述\n\n二\n\n## 概述\n\n三\n"
    site = make_site(
        {"content/posts/h.md": f"---\ntitle: H\ndate: 2026-01-01\ntoc: true\n---\n\n{body}"}
    )
    build(site)
    html = read(site, "posts/h/index.html")
    for anchor in ('id="概述"', 'id="概述-1"', 'id="概述-2"'):
        assert anchor in html


def test_template_text_in_a_post_is_shown_not_evaluated(make_site: SiteMaker) -> None:
    body = "{{ site.title }} {% raw %} {# note #} $\\textcolor{#FF8800}{x}$ {{< ref >}}\n"
    site = make_site({"content/posts/t.md": f"---\ntitle: T\ndate: 2026-01-01\n---\n\n{body}"})
    build(site)
    html = read(site, "posts/t/index.html")
    assert "{{ site.title }} {% raw %} {# note #}" in html
    assert "{{&lt; ref &gt;}}" in html


def test_markdown_escaped_switch_in_site_toml(make_site: SiteMaker) -> None:
    files = {"content/posts/e.md": "---\ntitle: E\ndate: 2026-01-01\n---\n\n$a\\_1 \\* b\\_2$\n"}
    site = make_site(files, config='title = "T"\n[math]\nmarkdown_escaped = true\n')
    assert build(site).warnings == ()
    assert "<msub>" in read(site, "posts/e/index.html")
