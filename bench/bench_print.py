"""How long paper takes: a two-language notice, a card, and a 12-language review sheet.

    .venv/bin/python bench/bench_print.py [--no-review]

Prints figures; asserts nothing (tests never time anything). Writes only to a
temporary folder, removed at the end.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "print", *args], capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        print(f"  failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
    return took


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="lantern-bench-print-") as tmp:
        out = Path(tmp)
        print(f"notice en,es (letter):      {timed(['notice', '--lang', 'en,es', '--out', str(out / 'n.pdf')]):6.2f} s")
        print(f"notice en,es,zh-Hant,ar:    "
              f"{timed(['notice', '--lang', 'en,es,zh-Hant,ar', '--out', str(out / 'n4.pdf')]):6.2f} s")
        print(f"card en,es:                 {timed(['card', '--lang', 'en,es', '--out', str(out / 'c.pdf')]):6.2f} s")
        if "--no-review" not in sys.argv:
            took = timed(["review", "--out", str(out / "r.pdf")])
            size = (out / "r.pdf").stat().st_size if (out / "r.pdf").exists() else 0
            print(f"review, all 12 languages:   {took:6.2f} s  ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
