"""Every kind of bad input in a notes folder: one clear `path:line: message` saying what to
do, exit status 1 (input problems) or a warning with the file skipped (junk that is not
content), never a traceback or a hang; the rest of the site is built when the build succeeds.

Choice: a post whose front matter, date, slug or encoding is wrong is an error, because
skipping it would publish the site without it; the build reports every such problem at once.
Files that are not content at all (binaries named `.md`, broken or looping links, links leading
out of `content/`, pipes) are skipped with a warning; `--strict` turns those into failures.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

import pytest

from tests.conftest import SiteMaker
from tests.hardening.helpers import GOOD, page, transmit, visible

BAD = "content/posts/bad.md"
H = "---\ntitle: T\ndate: 2020-01-02\n---\n"

# name -> (content of content/posts/bad.md, line, what the message must say)
ERRORS: dict[str, tuple[str | bytes, int | None, str]] = {
    "yaml unclosed quote": ('---\ntitle: "unclosed\ndate: 2020-01-01\n---\n', 2, "not valid YAML"),
    "yaml unclosed bracket": ("---\ntags: [a, b\n---\n", 2, "not valid YAML"),
    "yaml tab indentation": ("---\ntitle: T\n\tdate: 2020-01-01\n---\n", 3, "not valid YAML"),
    "yaml duplicate key": ("---\ntitle: A\ntitle: B\n---\n", 3, "appears twice"),
    "yaml list, not a mapping": ("---\n- a\n- b\n---\n", 2, "mapping"),
    "yaml plain text, not a mapping": ("---\njust words\n---\n", 2, "mapping"),
    "yaml never closed": ("---\ntitle: T\n\nbody\n", 1, "never closed"),
    "yaml deep nesting": ("---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n", 2, "nests deeper"),
    "yaml alias bomb": (
        "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
            for i in range(6)
        )
        + "---\n",
        None,
        "aliases",
    ),
    "yaml alias cycle": ("---\ntags: &t [*t]\n---\n", 2, "contains itself"),
    "yaml bad explicit tag": ("---\nweight: !!int heavy\n---\n", 2, "remove the '!' tag"),
    "yaml impossible implicit date": ("---\nreviewed: 2026-13-45\n---\n", 2, "quote the value"),
    "toml unclosed quote": ('+++\ntitle = "T\n+++\n', 2, "not valid TOML"),
    "toml duplicate key": ("+++\ntitle = 'a'\ntitle = 'b'\n+++\n", 3, "not valid TOML"),
    "toml deep dotted key": ("+++\n" + "a." * 20000 + "b = 1\n+++\n", 2, "nests deeper"),
    "toml deep array": ("+++\nx = " + "[" * 3000 + "]" * 3000 + "\n+++\n", None, "nests deeper"),
    "date month 13": (H.replace("2020-01-02", "2026-13-45"), 3, "'2026-13-45' is not a valid date"),
    "date word": (H.replace("2020-01-02", "yesterday"), 3, "'yesterday' is not a date"),
    "date February 30": (H.replace("2020-01-02", "2021-02-30"), 3, "not a valid date"),
    "impossible time": (H.replace("2020-01-02", "2020-01-02 25:61"), 3, "hour must be"),
    "impossible offset": (H.replace("2020-01-02", "'2020-01-02T10:00+25:00'"), 3, "offset"),
    "year 1": ("+++\ndate = 0001-01-01\n+++\n", 2, "outside the years"),
    "year 9999": ("---\ndate: 9999-12-31 23:59:59 -12:00\n---\n", 2, "outside the years"),
    "time without a date": ("+++\ndate = 07:30:00\n+++\n", 2, "time of day without a date"),
    "updated not a date": (H + "", None, ""),  # replaced below
    "GBK text": ("---\ntitle: 注意力\n---\n中文正文".encode("gbk"), 2, "iconv -f GB18030"),
    "GB18030 text": ("---\ntitle: 𠀀\n---\n正文".encode("gb18030"), 2, "GB18030"),
    "Windows-1252 text": ("---\ntitle: Café\n---\nna\xefve".encode("cp1252"), 2, "CP1252"),
    "slug with ../": (H + "", 3, "slash"),
    "slug with /": (H + "", 3, "slash"),
    "slug with NUL": (H + "", 3, "control characters"),
    "slug with control characters": (H + "", 3, "control characters"),
    "slug of only dots": (H + "", 3, "only dots"),
    "slug as a list": (H + "", 3, "must be text"),
    "slug too long": (H + "", 3, "shorten it"),
    "tag of only punctuation": (H + "", 3, "no usable address"),
    "category of only punctuation": (H + "", 3, "no usable address"),
    "cover with javascript:": (H + "", 3, "not an image address"),
    "cover with hidden javascript:": (H + "", 3, "not an image address"),
    "alias leaving the site": (H + "", 3, "not an address inside the site"),
    "sticky not a number": (H + "", 3, "sticky must be"),
    "draft not a flag": (H + "", 3, "draft must be true or false"),
}
FRONT = {
    "updated not a date": "updated: last week",
    "slug with ../": "slug: ../../etc/passwd",
    "slug with /": "slug: a/b",
    "slug with NUL": 'slug: "a\\0b"',
    "slug with control characters": 'slug: "a\\x1b[31mb"',
    "slug of only dots": "slug: '...'",
    "slug as a list": "slug: [a, b]",
    "slug too long": "slug: " + "长" * 100,
    "tag of only punctuation": "tags: [ok, '!!!']",
    "category of only punctuation": "categories: ['...']",
    "cover with javascript:": "cover: javascript:alert(1)",
    "cover with hidden javascript:": 'cover: " java\\tscript:alert(1)"',
    "alias leaving the site": "aliases: [/old/, ../../outside]",
    "sticky not a number": "sticky: very",
    "draft not a flag": "draft: ture",
}


def _bad_file(name: str) -> str | bytes:
    text, _, _ = ERRORS[name]
    if name in FRONT:
        assert isinstance(text, str)
        return text.replace("date: 2020-01-02\n", f"{FRONT[name]}\ndate: 2020-01-02\n")
    return text


ERRORS["updated not a date"] = (H, 3, "updated: 'last week' is not a date")


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_input_errors_are_one_line_with_file_line_and_fix(
    name: str, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    _, line, message = ERRORS[name]
    site = make_site({BAD: _bad_file(name), "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 1, run.err
    (reported,) = run.lines
    where = f"{BAD}:{line}: " if line else f"{BAD}"
    assert reported.startswith(where), reported
    assert message in reported
    assert not (site / "public").exists()


def test_every_problem_is_reported_at_once(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["yaml tab indentation", "date month 13", "GBK text", "slug with ../"]
    files = {f"content/posts/bad{i}.md": _bad_file(name) for i, name in enumerate(names)}
    site = make_site({**files, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 1
    assert sorted(line.split(":")[0] for line in run.lines) == sorted(files)


def _warned_and_built(run, site: Path, message: str) -> None:  # type: ignore[no-untyped-def]
    assert run.status == 0, run.err
    assert any(message in line and ": warning: " in line for line in run.lines), run.err
    assert "The rest of the site." in page(site, "posts/good")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"\xff\xd8\xff\xe0" + bytes(200),
        b"PK\x03\x04" + os.urandom(500).replace(b"\x00", b"\x01"),
        bytes(range(1, 32)) * 100,
        b"\x00\x00\x00\x01\x02text after a binary header",
        b"a utf-16 file without a BOM".decode().encode("utf-16-le"),
    ],
)
def test_binary_files_named_md_are_skipped_with_a_warning(
    data: bytes, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/posts/image.md": data, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    _warned_and_built(run, site, "content/posts/image.md: warning: is a binary file")
    assert not (site / "public/posts/image").exists()
    assert transmit(capsys, "build", site, "--strict").status == 1


def test_strict_fails_on_a_skipped_file(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/posts/image.md": b"\x89PNG\x00", "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site, "--strict")
    assert run.status == 1
    assert "content/posts/image.md: is a binary file, not Markdown text; skipped" in run.err


def test_encoding_in_site_toml_reads_legacy_files_with_a_warning(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "---\ntitle: 注意力机制\ndate: 2020-01-03\n---\n\n中文正文，一个字也不少。\n"
    site = make_site(
        {"content/posts/gbk.md": text.encode("gb18030"), "content/posts/good.md": GOOD},
        config='title = "T"\nencoding = "gb18030"\n',
    )
    run = transmit(capsys, "build", site)
    _warned_and_built(run, site, "content/posts/gbk.md: warning: is saved as GB18030")
    html = page(site, "posts/gbk")
    assert "<h1>注意力机制</h1>" in html and "中文正文，一个字也不少。" in html


def test_unknown_encoding_in_site_toml_is_a_config_error(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(config='title = "T"\nencoding = "klingon"\n')
    run = transmit(capsys, "build", site)
    assert run.status == 1
    assert "site.toml:2: 'encoding' = 'klingon' is not valid" in run.err


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_read_with_a_warning(
    codec: str, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    bom = {"utf-16": b"", "utf-16-be": codecs.BOM_UTF16_BE, "utf-32": b""}[codec]
    text = "---\ntitle: Notepad 笔记\ndate: 2020-01-03\n---\n\nSaved by Notepad.\n"
    site = make_site(
        {"content/posts/wide.md": bom + text.encode(codec), "content/posts/good.md": GOOD}
    )
    run = transmit(capsys, "build", site)
    _warned_and_built(run, site, "not UTF-8")
    assert "Notepad 笔记" in page(site, "posts/wide")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("", None),
        ("---\ntitle: Only Front Matter\n---\n", "Only Front Matter"),
        ("---\n---\n", None),
        (H + "```python\nunclosed = True\n\nmore code\n", "more code"),
        (H + "a\n\n$$\nx = 1\n\nafter the dollars\n", "after the dollars"),
        (H + "~~~\n" + "x" * 10 + "\n", "xxxxxxxxxx"),
        (H + "\\begin{align}\nx &= 1\n", "x &= 1"),
        ("\ufeff" + H + "BOM and CRLF\r\n", "BOM and CRLF"),
        (H + "nul \x00 in text\n", "in text"),
    ],
)
def test_odd_but_valid_posts_build(
    text: str, kept: str | None, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/posts/odd.md": text, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site, "--future")
    assert run.status == 0, run.err
    assert all(": warning: " in line for line in run.lines)
    if kept is not None:
        assert kept in visible(page(site, "posts/odd"))


def test_tex_that_cannot_render_is_a_warning_with_its_line_and_source_shown(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    body = H + "\nok $x$\n\n$$\n\\frac{1}{\n$$\n\n$\\undefinedmacro{x}$ and $\\begin{foo}$\n"
    site = make_site({"content/posts/tex.md": body, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 0
    assert [line.split(": warning:")[0] for line in run.lines] == [
        "content/posts/tex.md:8",
        "content/posts/tex.md:12",
        "content/posts/tex.md:12",
    ]
    html = page(site, "posts/tex")
    assert "\\frac{1}{" in html and "\\begin{foo}" in html


@pytest.mark.parametrize(
    "body",
    [
        "".join("  " * i + "- level\n" for i in range(5000)),
        ">" * 5000 + " deep\n",
        "".join(">" * i + " line\n" for i in range(1, 2000)),
        "- " * 5000 + "x\n",
        "1. " * 5000 + "x\n",
        "*" * 5000 + "x" + "*" * 5000 + "\n",
        "[" * 5000 + "x" + "]" * 5000 + "\n",
        "<div>" * 5000 + "x" + "</div>" * 5000 + "\n",
        "<span>" * 5000 + "x\n",
        "$" + "{" * 5000 + "$\n",
    ],
    ids=[
        "list",
        "quote",
        "quotes",
        "dash-list",
        "ordered",
        "emphasis",
        "brackets",
        "divs",
        "spans",
        "braces",
    ],
)
def test_deep_nesting_never_crashes_the_build(
    body: str, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/posts/deep.md": H + body, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 0, run.err
    assert page(site, "posts/deep").count("<html") == 1
    assert "The rest of the site." in page(site, "posts/good")


DEEP = {
    "quotes 40": (">" * 40 + " deep words\n", "deep words"),
    "quotes 5000": (">" * 5000 + " deep words\n", "deep words"),
    "list 40": ("".join("  " * i + f"- item{i}\n" for i in range(40)), "item39"),
    "list 2000": ("".join("  " * i + f"- item{i}\n" for i in range(2000)), "item1999"),
    "dash list 2000": ("- " * 2000 + "deep words\n", "deep words"),
    "quoted list 1000": ("> 1. " * 1000 + "deep words\n", "deep words"),
    "emphasis 5000": ("*_" * 2500 + "deep words" + "_*" * 2500 + "\n", "deep words"),
    "links 5000": ("[" * 5000 + "deep words" + "](u)" * 5000 + "\n", "deep words"),
}


@pytest.mark.parametrize("name", list(DEEP))
def test_text_below_the_nesting_limit_is_not_lost(
    name: str, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    body, words = DEEP[name]
    site = make_site({"content/posts/deep.md": H + body})
    assert transmit(capsys, "build", site).status == 0
    assert words in visible(page(site, "posts/deep"))


def test_a_20_mb_post_builds(make_site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    code = "".join(f"row_{i} = compute({i}) * 2  # 注释 {i}\n" for i in range(420_000))
    body = H + "# Big\n\nOpening words $x^2$.\n\n```text\n" + code + "```\n\nClosing words.\n"
    assert len(body.encode()) > 20_000_000
    site = make_site({"content/posts/big.md": body, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 0, run.err
    html = page(site, "posts/big")
    assert "row_419999 = compute(419999) * 2  # 注释 419999" in html
    assert "Closing words." in html


def test_a_source_over_the_size_limit_is_an_error(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("transmit.content.loader.MAX_SOURCE_BYTES", 1000)
    site = make_site({BAD: H + "x" * 2000, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 1
    assert run.lines == [
        f"{BAD}: is 0 MB; a post can be at most 0 MB: split it, or move it out of content/"
    ]


def test_an_unreadable_post_is_an_error(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site({BAD: H, "content/posts/good.md": GOOD})
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "bad.md":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    run = transmit(capsys, "build", site)
    assert run.status == 1
    assert run.lines == [f"{BAD}: cannot read: Permission denied"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("-.md", "leaves no usable address"), ("!!!.md", "leaves no usable address")],
)
def test_file_names_without_a_usable_address(
    name: str, message: str, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({f"content/posts/{name}": H, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 1
    (line,) = run.lines
    assert line.startswith(f"content/posts/{name}: ") and message in line
    assert "set 'slug' in the front matter" in line


def test_control_characters_in_a_file_name_are_escaped_in_messages(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "content/posts/evil\x1b[2J\x07name.md"
    site = make_site({name: "---\ndate: nope\n---\n"})
    run = transmit(capsys, "build", site)
    assert run.status == 1
    assert run.lines == [
        "content/posts/evil\\x1b[2J\\x07name.md:2: date: 'nope' is not a date; "
        "use YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or ISO 8601 such as 2026-01-11T20:15:00+08:00"
    ]


def test_a_valid_file_name_with_control_characters_gets_a_clean_address(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/posts/tab\there\x01.md": H})
    assert transmit(capsys, "build", site).status == 0
    assert (site / "public/posts/tab-here/index.html").is_file()


def test_control_characters_in_values_and_text_are_kept_with_a_warning(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '---\ntitle: "bell\\a title"\ndate: 2020-01-03\n---\n\nline one\nback\x08space\n'
    site = make_site({"content/posts/ctl.md": text, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 0
    assert [line.split(" contains")[0] for line in run.lines] == [
        "content/posts/ctl.md:2: warning: title",
        "content/posts/ctl.md:7: warning: the text",
    ]
    assert "back\x08space" in page(site, "posts/ctl")


def test_two_posts_on_one_address_name_both(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(
        {
            "content/posts/a.md": "---\nslug: Same\n---\n",
            "content/posts/b.md": "---\nslug: same\n---\n",
            "content/posts/same.md": "---\ndate: 2020-01-01\n---\n",
        }
    )
    run = transmit(capsys, "build", site)
    assert run.status == 1
    assert len(run.lines) == 2
    assert all("/posts/" in line and "another 'slug'" in line for line in run.lines)


@pytest.mark.parametrize("word", ["café", "注意力が", "Ångström", "한국어"])
def test_nfc_and_nfd_names_of_one_file_are_one_address(
    word: str, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    import unicodedata

    nfc, nfd = unicodedata.normalize("NFC", word), unicodedata.normalize("NFD", word)
    assert nfc != nfd
    site = make_site({f"content/posts/{nfc}.md": H, f"content/posts/{nfd}.md": H})
    run = transmit(capsys, "build", site)
    assert run.status == 1
    (line,) = run.lines
    assert "Unicode form (NFC and NFD" in line


@pytest.mark.parametrize(
    ("files", "line"),
    [
        (
            {"content/pages/tags.md": "# Tags\n"},
            "content/pages/tags.md: a page at /tags/ would collide with the site's own /tags; "
            "give the page another 'slug'",
        ),
        (
            {"content/pages/x.md": "---\nslug: atom.xml\n---\n"},
            "content/pages/x.md:2: a page at /atom.xml/ would collide with the site's own "
            "/atom.xml; give the page another 'slug'",
        ),
        (
            {"content/posts/a.md": H, "static/posts/a": "x"},
            "content/posts/a.md: /posts/a/index.html needs a folder /posts/a/, but the file "
            "/posts/a comes from static/posts/a; give one of them another name or 'slug'",
        ),
    ],
    ids=["listing", "feed", "static-file"],
)
def test_an_address_the_site_already_uses_is_an_error(
    files: dict[str, str], line: str, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({**files, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 1
    (reported,) = run.lines
    assert reported.startswith(line)
    assert not (site / "public").exists()


def _link(path: Path, target: str) -> None:
    path.symlink_to(target)


@pytest.mark.parametrize(
    ("link", "target", "message"),
    [
        ("content/posts/loop", ".", "is a symbolic link loop"),
        ("content/posts/sub/up", "../..", "is a symbolic link loop"),
        ("content/posts/self.md", "self.md", "is a symbolic link loop"),
        ("content/posts/dangling.md", "nowhere.md", "is a broken symbolic link"),
        ("content/posts/passwd.md", "/etc/passwd", "outside content/"),
        ("content/posts/etc", "/etc", "outside content/"),
        ("content/posts/up.md", "../../site.toml", "outside content/"),
        ("content/posts/twin", "sub", "which is read anyway"),
    ],
)
def test_bad_symbolic_links_are_skipped_with_a_warning(
    link: str,
    target: str,
    message: str,
    make_site: SiteMaker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = make_site({"content/posts/good.md": GOOD, "content/posts/sub/inner.md": H})
    (site / link).parent.mkdir(parents=True, exist_ok=True)
    _link(site / link, target)
    run = transmit(capsys, "build", site)
    _warned_and_built(run, site, f"{link}: warning: ")
    assert message in run.err
    for html in (site / "public").rglob("*.html"):
        assert "root:" not in html.read_text(encoding="utf-8")


def test_links_inside_content_are_followed(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(
        {
            "content/posts/good.md": GOOD,
            "content/library/shared/shared-note.md": "---\ndate: 2020-01-05\n---\nShared.\n",
            "content/library/alias-target.md": "---\ndate: 2020-01-05\n---\nAliased.\n",
        }
    )
    (site / "content/posts/shared").symlink_to("../library/shared")
    (site / "content/posts/aliased.md").symlink_to("../library/alias-target.md")
    run = transmit(capsys, "build", site)
    assert run.status == 0 and run.err == ""
    assert "Shared." in page(site, "posts/shared-note")
    assert "Aliased." in page(site, "posts/aliased")


def test_a_bundle_never_copies_files_from_outside_content(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"secret")
    site = make_site(
        {
            "content/posts/bundle/index.md": H + "![x](pic.png)\n",
            "content/posts/bundle/ok.png": b"ok",
        }
    )
    (site / "content/posts/bundle/pic.png").symlink_to(secret)
    run = transmit(capsys, "build", site)
    _ = run
    assert run.status == 0
    assert "content/posts/bundle/pic.png: warning: is a symbolic link to" in run.err
    assert (site / "public/posts/bundle/ok.png").read_bytes() == b"ok"
    assert not (site / "public/posts/bundle/pic.png").exists()


def test_a_pipe_named_md_is_skipped_not_read(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/posts/good.md": GOOD})
    os.mkfifo(site / "content/posts/pipe.md")
    run = transmit(capsys, "build", site)
    _warned_and_built(run, site, "content/posts/pipe.md: warning: is not a regular file")


def test_a_missing_site_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "content/posts").mkdir(parents=True)
    run = transmit(capsys, "build", tmp_path)
    assert run.status == 1
    assert run.lines == [
        f"{tmp_path / 'site.toml'}: no site.toml here; is this a site folder? "
        "(transmit init DIR makes one)"
    ]


def test_a_missing_site_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = transmit(capsys, "build", tmp_path / "nowhere")
    assert run.status == 1
    assert "no such site folder" in run.err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "cannot read: Is a directory"),
        (lambda p: p.write_bytes("title = '标题'\n".encode("gbk")), "not UTF-8"),
        (lambda p: p.write_text("title = 'T'\nx = " + "[" * 5000 + "]" * 5000), "nest too deeply"),
        (lambda p: p.write_text("title = \n"), "not valid TOML"),
        (lambda p: p.write_text("[markdown]\n[markdown]\ntitle='x'\n"), "not valid TOML"),
    ],
    ids=["directory", "gbk", "deep", "invalid", "duplicate-table"],
)
def test_an_unreadable_or_broken_site_toml(
    make,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    make(tmp_path / "site.toml")
    run = transmit(capsys, "build", tmp_path)
    assert run.status == 1
    (line,) = run.lines
    assert line.startswith(str(tmp_path / "site.toml")) and message in line


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        (
            "post.html",
            "{% extends 'base.html' %}\n{% block main %}\n{{ entry.post.title }\n{% endblock %}\n",
            3,
        ),
        ("base.html", "<html>\n{% block main %}\n{% endblok %}\n", 3),
        ("index.html", "{% for x in %}{% endfor %}\n", 1),
    ],
)
def test_a_template_override_with_a_syntax_error_names_template_and_line(
    name: str, text: str, line: int, make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({f"templates/{name}": text, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 1
    (reported,) = run.lines
    assert re.match(rf"^\S*templates/{re.escape(name)}:{line}: template error: ", reported), (
        reported
    )


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("ok\n{{ entry.nope.x }}\n", "templates/post.html:2: ", "has no attribute 'nope'"),
        (
            "a\nb\n{{ undefined_name }}\n",
            "templates/post.html:3: ",
            "'undefined_name' is undefined",
        ),
        ("{% include 'post.html' %}", "post.html: ", "calls itself without end"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "post.html: ", "without end"),
        ("{% extends 'post.html' %}", "post.html: ", "without end"),
        ("{% include 'missing.html' %}", "templates/post.html:1: ", "missing.html"),
        ("标题 {{ entry.post.title }}".encode("gbk"), "post.html: ", "not UTF-8"),
    ],
    ids=["attribute", "undefined", "include-loop", "macro-loop", "extends-loop", "missing", "gbk"],
)
def test_a_template_override_that_fails_while_rendering(
    text: str | bytes,
    where: str,
    message: str,
    make_site: SiteMaker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = make_site({"templates/post.html": text, "content/posts/good.md": GOOD})
    run = transmit(capsys, "build", site)
    assert run.status == 1
    (reported,) = run.lines
    assert where in reported and message in reported, reported
