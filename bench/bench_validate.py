"""`kiosk validate` on the built-in pack: the first run on a fresh data directory, and warm runs.

    .venv/bin/python bench/bench_validate.py [--runs 5]

Prints the median, min and max wall time of each, as a facility would see them
(a whole `kiosk` process), with `--version` (Python start-up and the CLI's
imports) as the baseline in the same run. Fonts come prepared by set-up
(`python -m kiosk.i18n.prepare`); `--unprepared` measures a machine where set-up
could not prepare them (validate then reads the installed font files directly).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def summary(name: str, values: list[float], base: float | None = None) -> str:
    median = statistics.median(values)
    ratio = f"  ({median / base:.1f}x --version)" if base else ""
    return f"{name:<34} median {median:6.3f} s  min {min(values):6.3f}  max {max(values):6.3f}{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--unprepared", action="store_true",
                        help="fonts not prepared at set-up: a fresh font cache for every first run")
    args = parser.parse_args()
    kiosk = [sys.executable, "-m", "kiosk.cli"]
    base_env = {k: v for k, v in os.environ.items() if k not in ("LANTERN_DATA", "LANTERN_FONT_CACHE")}
    first, warm, version = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        for run in range(args.runs):
            env = dict(base_env, LANTERN_DATA=str(Path(tmp) / f"data{run}"))
            if args.unprepared:
                env["LANTERN_FONT_CACHE"] = str(Path(tmp) / f"fonts{run}")
            version.append(timed(kiosk + ["--version"], env))
            first.append(timed(kiosk + ["validate"], env))
            warm.append(timed(kiosk + ["validate"], env))
    base = statistics.median(version)
    print(f"kiosk validate, built-in pack, {args.runs} runs, fonts "
          f"{'not prepared' if args.unprepared else 'prepared at set-up'}")
    print(summary("kiosk --version (baseline)", version))
    print(summary("validate, first run (fresh data)", first, base))
    print(summary("validate, warm", warm, base))


if __name__ == "__main__":
    main()
