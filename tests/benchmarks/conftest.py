"""Make benchmarks/harness importable: benchmarks/ is a script folder, not an installed package."""

import sys
from pathlib import Path

HARNESS_ROOT = Path(__file__).resolve().parents[2] / "benchmarks"
if str(HARNESS_ROOT) not in sys.path:
    sys.path.insert(0, str(HARNESS_ROOT))
