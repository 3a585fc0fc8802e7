"""`python -m bench` (make bench): run every benchmark module in this folder with defaults."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    """Run each bench module's `main([])`; the exit status is the worst of them."""
    worst = 0
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "main"):
            print(f"== bench.{info.name}", flush=True)
            worst = max(worst, int(module.main([]) or 0))
    return worst


if __name__ == "__main__":
    sys.exit(main())
