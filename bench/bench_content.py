"""How long loading and validating the built-in pack takes.

    .venv/bin/python bench/bench_content.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from kiosk.content.builtin import builtin_root, ui_defaults
from kiosk.content.load import load_pack
from kiosk.content.validate import check_pack


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    root = builtin_root()
    result = load_pack(root, ui_defaults)
    assert result.pack is not None
    load = timed(lambda: load_pack(root, ui_defaults), 20)
    check = timed(lambda: check_pack(result.pack), 20)
    cli = timed(lambda: subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", "-q"], check=True), 5)
    print(f"pack: {len(result.pack.nodes)} screens, {len(result.pack.locales)} languages")
    for name, values in (("load (in process)", load), ("validate (in process)", check),
                         ("`kiosk validate` (whole process)", cli)):
        print(f"{name:34} median {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms")


if __name__ == "__main__":
    main()
