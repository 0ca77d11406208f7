"""Coverage and throughput of transmit's formula renderer on the formula corpus.

Run from the repository root:

    python benchmarks/math_coverage.py [CORPUS.txt ...] [--markdown DIR]

With --markdown, the formulas of every .md file under DIR (one page per file, found by a
simple delimiter scan, not transmit's Markdown layer) are measured instead; for instance
the seed-like corpus of shared/bench/gen_corpus.py.

Prints how many formulas math-core renders alone (source TeX as written), with transmit's
preprocessing, and with the KaTeX fallback; then formulas per second cold, cached, on a
mix with 60% repeats (as real notes have), and math-core's own speed for comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import math_core

from transmit.render.math import Formula, MathRenderer
from transmit.render.math_engines import EngineError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "tests" / "render" / "formulas" / "notes.txt"


def load_pages(path: Path) -> list[list[Formula]]:
    """Pages of formulas from the corpus format described at the top of notes.txt."""
    pages: list[list[Formula]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("==="):
            pages.append([])
        elif line.strip() == "$$":
            start = i
            while lines[i].strip() != "$$":
                i += 1
            pages[-1].append(Formula("\n".join(lines[start:i]), True, start))
            i += 1
        elif line.startswith("$$ "):
            pages[-1].append(Formula(line[3:], True, i))
        elif line.startswith("$ "):
            pages[-1].append(Formula(line[2:], False, i))
    return pages


_FENCE_RE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE_RE = re.compile(r"`[^`\n]*`")
_DISPLAY_RE = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.S)
_INLINE_RE = re.compile(r"\\\((.+?)\\\)|(?<![\\$])\$(?![\s$])([^$\n]+?)(?<![\\\s])\$")


def markdown_pages(root: Path) -> list[list[Formula]]:
    """Formulas of each Markdown file under root, display before inline, in file order."""
    pages = []
    for path in sorted(root.rglob("*.md")):
        text = _CODE_RE.sub("", _FENCE_RE.sub("", path.read_text(encoding="utf-8")))
        found: list[tuple[int, Formula]] = []
        for m in _DISPLAY_RE.finditer(text):
            found.append((m.start(), Formula(m.group(1) or m.group(2), True, None)))
        text = _DISPLAY_RE.sub(lambda m: " " * len(m.group()), text)
        for m in _INLINE_RE.finditer(text):
            found.append((m.start(), Formula(m.group(1) or m.group(2), False, None)))
        pages.append([f for _, f in sorted(found, key=lambda item: item[0])])
    return pages


class _NoKatex:
    def render(self, tex: str, display: bool) -> str:
        raise EngineError("fallback disabled")


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f} formulas/s"


def _best(run: Callable[[], None], repeat: int = 5) -> float:
    """Seconds of the fastest of repeat runs: the machine's noise only ever adds time."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[DEFAULT_CORPUS])
    parser.add_argument("--markdown", type=Path, help="measure the .md files under this folder")
    args = parser.parse_args()
    if args.markdown:
        pages = markdown_pages(args.markdown)
        args.corpus = [args.markdown]
    else:
        pages = [page for path in args.corpus for page in load_pages(path)]
    formulas = [f for page in pages for f in page]
    total = len(formulas)

    converter = math_core.LatexToMathML(fancy_error=False, allow_unreliable_rendering=True)
    raw_ok = 0
    for f in formulas:
        try:
            converter.convert_with_local_state(f.tex, displaystyle=f.display)
            raw_ok += 1
        except math_core.LatexError:
            pass

    only_mathcore = MathRenderer()
    only_mathcore._katex = _NoKatex()  # type: ignore[assignment]
    core_ok = sum(r.error is None for p in pages for r in only_mathcore.render_page(p))

    start = time.perf_counter()
    MathRenderer().render_page([Formula(r"\sout{x}", False, None)])  # KaTeX starts on first use
    startup = time.perf_counter() - start

    renderer = MathRenderer()
    results = [renderer.render_page(p, id_prefix=f"p{n}-") for n, p in enumerate(pages)]
    failures = [
        (f, r)
        for p, rs in zip(pages, results, strict=True)
        for f, r in zip(p, rs, strict=True)
        if r.error
    ]
    combined_ok = total - len(failures)

    def cold() -> None:
        fresh = MathRenderer()
        for n, p in enumerate(pages):
            fresh.render_page(p, id_prefix=f"p{n}-")

    def cached() -> None:
        for n, p in enumerate(pages):
            renderer.render_page(p, id_prefix=f"p{n}-")

    mixed_pages = pages + pages + pages[: len(pages) // 2]
    mixed_total = sum(len(p) for p in mixed_pages)

    def mixed() -> None:
        fresh = MathRenderer()
        for n, p in enumerate(mixed_pages):
            fresh.render_page(p, id_prefix=f"p{n}-")

    def raw() -> None:
        for f in formulas:
            with contextlib.suppress(math_core.LatexError):
                converter.convert_with_local_state(f.tex, displaystyle=f.display)

    print(f"corpus: {total} formulas on {len(pages)} pages ({', '.join(map(str, args.corpus))})")
    print("coverage")
    for label, ok in (
        ("math-core alone, TeX as written", raw_ok),
        ("math-core after transmit's rewrites", core_ok),
        ("with the KaTeX fallback", combined_ok),
    ):
        print(f"  {label + ':':37} {ok:>5} / {total}  {100 * ok / total:6.2f}%")
    print(f"  engines used (distinct formulas):   {renderer.engine_counts()}")
    print(f"throughput (one-time start of both engines: {startup * 1000:.0f} ms)")
    print(f"  cold: fresh renderer, one pass:  {_rate(total, _best(cold))}")
    print(f"  cached, pages rendered again:    {_rate(total, _best(cached))}")
    print(f"  cold site with 60% repeats:      {_rate(mixed_total, _best(mixed))}")
    print(f"  math-core alone (for reference): {_rate(total, _best(raw))}")
    print("  (best of 5 runs; the cold figures include the KaTeX fallback's share)")
    if failures:
        print("not rendered")
        for f, r in failures:
            print(f"  line {f.line}: {r.error} :: {' '.join(f.tex.split())[:80]}")


if __name__ == "__main__":
    sys.exit(main())
