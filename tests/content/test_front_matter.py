from __future__ import annotations

from pathlib import Path

import pytest

from transmit.content.front_matter import split_front_matter
from transmit.errors import SourceError

PATH = Path("content/posts/a.md")


def test_no_front_matter_keeps_the_whole_text() -> None:
    front = split_front_matter("# Title\n\nbody\n", PATH)
    assert front.data == {}
    assert front.body == "# Title\n\nbody\n"
    assert front.body_line == 1
    assert front.format is None


def test_yaml_front_matter_and_body_line() -> None:
    front = split_front_matter("---\ntitle: Hello\ntags: [a, b]\n---\nbody line\n", PATH)
    assert front.data == {"title": "Hello", "tags": ["a", "b"]}
    assert front.key_lines == {"title": 2, "tags": 3}
    assert front.body == "body line\n"
    assert front.body_line == 5
    assert front.format == "yaml"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("title: 2026", "2026"),
        ("title: yes", "yes"),
        ("title: No", "No"),
        ("title: 1.10", "1.10"),
        ("title: null", None),
        ("title: ~", None),
        ("title: 'null'", "null"),
        ("title: 0x1F", "0x1F"),
        ("title: 2026-01-11", "2026-01-11"),
        ('title: "注意力: Attention"', "注意力: Attention"),
        ("title: 'it''s'", "it's"),
        ("title: a # comment", "a"),
    ],
)
def test_text_keys_keep_the_writers_characters(line: str, expected: str | None) -> None:
    front = split_front_matter(f"---\n{line}\n---\n", PATH)
    assert front.data["title"] == expected


def test_lists_of_text_keep_numbers_as_written() -> None:
    front = split_front_matter("---\ntags: [2026, yes, 1.0]\n---\n", PATH)
    assert front.data["tags"] == ["2026", "yes", "1.0"]


def test_other_keys_are_typed() -> None:
    front = split_front_matter("---\ndraft: true\nweight: 3\nmeta: {a: 1}\n---\n", PATH)
    assert front.data == {"draft": True, "weight": 3, "meta": {"a": 1}}


def test_dots_close_yaml_too() -> None:
    front = split_front_matter("---\ntitle: T\n...\nbody\n", PATH)
    assert front.data == {"title": "T"}
    assert front.body == "body\n"


def test_toml_front_matter() -> None:
    text = '+++\ntitle = "T"\ndate = 2026-01-11T20:15:00+08:00\ntags = ["a"]\n+++\nbody\n'
    front = split_front_matter(text, PATH)
    assert front.format == "toml"
    assert front.data["title"] == "T"
    assert front.data["date"].year == 2026
    assert front.key_lines == {"title": 2, "date": 3, "tags": 4}
    assert front.body == "body\n"


def test_empty_front_matter() -> None:
    front = split_front_matter("---\n---\nbody\n", PATH)
    assert front.data == {}
    assert front.body_line == 3


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: T\nbody\n", 1, "never closed"),
        ('---\ntitle: "unclosed\n---\n', 2, "not valid YAML"),
        ("---\ntitle: a\ntitle: b\n---\n", 3, "appears twice"),
        ("---\n- a\n- b\n---\n", 2, "mapping"),
        ("---\njust text\n---\n", 2, "mapping"),
        ("---\ntitle: T\n\tdate: 2026\n---\n", 3, "not valid YAML"),
        ('+++\ntitle = "T\n+++\n', 2, "not valid TOML"),
        ("+++\ntitle = 'a'\ntitle = 'b'\n+++\n", 3, "not valid TOML"),
    ],
)
def test_broken_front_matter_names_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        split_front_matter(text, PATH)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{PATH}:{line}: ")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\nx: " + "[" * 100_000 + "]" * 100_000 + "\n---\n", 2, "nests deeper than 64"),
        ("---\nx: " + "{a: " * 200 + "1" + "}" * 200 + "\n---\n", 2, "nests deeper than 64"),
        ("---\n" + "".join("  " * i + "a:\n" for i in range(100)) + "---\n", 66, "nests deeper"),
        # sequences flush with their keys: 40 levels of tokens, 80 of values
        ("---\nk:\n" + "".join("  " * i + "- k:\n" for i in range(39)) + "---\n", 10, "deeper"),
        ("---\na: &a [*a]\n---\n", 2, "contains itself"),
        ("---\ntitle: &t {x: *t}\n---\n", 2, "contains itself"),
        (
            "---\na0: &a0 [x]\n"
            + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 100))
            + "---\n",
            65,
            "nests deeper",
        ),
        (
            "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
            "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n---\n",
            6,
            "more than 100000 values",
        ),
        ("---\nn: !!int abc\n---\n", 2, "remove the '!' tag"),
        ("---\nn: !!bool maybe\n---\n", 2, "remove the '!' tag"),
        ("---\nn: !!python/object:os.system x\n---\n", 2, "remove the '!' tag"),
        ("---\nreviewed: 2026-02-30\n---\n", 2, "quote the value to keep it as text"),
        ("---\nbig: " + "9" * 5000 + "\n---\n", 2, "quote the value"),
        ("+++\nx = " + "[" * 2000 + "]" * 2000 + "\n+++\n", None, "nests deeper"),
        ("+++\n" + "a." * 100 + "b = 1\n+++\n", 2, "nests deeper"),
        ("+++\n[" + "a." * 100 + "b]\n+++\n", 2, "nests deeper"),
    ],
)
def test_hostile_front_matter_is_refused_quickly(text: str, line: int | None, message: str) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        split_front_matter(text, PATH)
    assert caught.value.line == line


def test_aliases_within_the_limits_are_fine() -> None:
    front = split_front_matter(
        "---\ntags: &t [a, b]\nkeywords: *t\nx: &m {k: 1}\ny: *m\n---\n", PATH
    )
    assert front.data["keywords"] == ["a", "b"] and front.data["y"] == {"k": 1}


def test_a_long_toml_string_with_brackets_keeps_its_key_lines_fast() -> None:
    text = '+++\ntitle = "T"\nsummary = """\n[' + " " * 50_000 + '\n"""\ndate = 2020-01-01\n+++\n'
    front = split_front_matter(text, PATH)
    assert front.key_lines == {"title": 2, "summary": 3, "date": 6}
