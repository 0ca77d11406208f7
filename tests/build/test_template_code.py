"""Compiled templates reach the next process through the cache, and only while they are the
code of the template's source as it is, from this version."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from transmit.build import store
from transmit.build.templates import PageTemplates
from transmit.config import Config

FINGERPRINT = store.digest("template code test")


def compiled_in_a_new_process(
    site: Path, code: Path, monkeypatch: pytest.MonkeyPatch, fingerprint: bytes = FINGERPRINT
) -> tuple[list[str], jinja2.Environment]:
    """The templates a fresh environment compiles (not taken from `code`) while every one is
    loaded."""
    compiled: list[str] = []
    real = jinja2.Environment._compile

    def counting(self: jinja2.Environment, source: str, filename: str) -> object:
        compiled.append(Path(filename).name)
        return real(self, source, filename)

    monkeypatch.setattr(jinja2.Environment, "_compile", counting)
    templates = PageTemplates(Config(site, "Notes"), code, fingerprint)
    templates.compile()
    monkeypatch.undo()
    return compiled, templates.environment()


def test_templates_compiled_once_are_loaded_by_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "templates-code"
    first, _ = compiled_in_a_new_process(tmp_path, code, monkeypatch)
    assert "post.html" in first and len(list(code.iterdir())) == len(first)
    again, environment = compiled_in_a_new_process(tmp_path, code, monkeypatch)
    assert again == []
    page = environment.from_string("{{ 1 + 1 }}").render()  # the environment still works
    assert page == "2"


def test_an_edited_template_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "templates-code"
    site = tmp_path / "site"
    (site / "templates").mkdir(parents=True)
    override = site / "templates" / "robots.txt"
    override.write_text("User-agent: one\n", encoding="utf-8")
    compiled_in_a_new_process(site, code, monkeypatch)
    override.write_text("User-agent: two\n", encoding="utf-8")
    again, environment = compiled_in_a_new_process(site, code, monkeypatch)
    assert again == ["robots.txt"]
    assert environment.get_template("robots.txt").render() == "User-agent: two\n"


@pytest.mark.parametrize("damage", ["truncated", "garbage", "another version"])
def test_damaged_or_foreign_code_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    code = tmp_path / "templates-code"
    first, _ = compiled_in_a_new_process(tmp_path, code, monkeypatch)
    fingerprint = FINGERPRINT
    for path in code.iterdir():
        data = path.read_bytes()
        if damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            path.write_bytes(b"\x00" * 64)
    if damage == "another version":
        fingerprint = store.digest("another version")
    again, environment = compiled_in_a_new_process(tmp_path, code, monkeypatch, fingerprint)
    assert sorted(again) == sorted(first)
    assert isinstance(environment.get_template("post.html"), jinja2.Template)


def test_a_cache_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "not-a-folder"
    code.write_text("a file where the cache folder would go\n", encoding="utf-8")
    compiled, environment = compiled_in_a_new_process(tmp_path, code, monkeypatch)
    assert compiled and isinstance(environment.get_template("post.html"), jinja2.Template)
