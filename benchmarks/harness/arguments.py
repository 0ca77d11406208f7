"""The options the harness's scripts share (run.py, option_change.py), said once."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_SEED = 20260111


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """--posts, --runs, --transmit, --jobs, --seed, --gen-corpus and --distinct-code."""
    parser.add_argument("--posts", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--transmit", help="command that runs transmit (default: found on PATH)")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to transmit build")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed")
    parser.add_argument("--gen-corpus", type=Path, help="path to shared/bench/gen_corpus.py")
    parser.add_argument(
        "--distinct-code", action="store_true", help="make every code block unique, as in notes"
    )
