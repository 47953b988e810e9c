"""Regional packs: install time, start-up time and directory query time.

    .venv/bin/python bench/bench_packs.py [--services 5000] [--repeat 5]

Builds the Mississippi sample pack twice, signed: as it is but without a
services directory, and with a generated statewide directory of N services
(fictional, split across services/*.yaml). For each it measures

- install: `install_file()` (verify, unpack, check merged with the built-in
  pack, build the directory, switch);
- start-up: `choose_start_pack()`: check the installed files against the
  signed manifest, open and validate the merged pack, directory ready (the
  database's fingerprint is checked; the YAML is not parsed again);
- query: `find_services()` with typical filters on an open connection.

Target: start-up with the directory at most 10% slower than without; a query
under 10 ms. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CATS = ("shelter", "legal", "medical", "mental_health", "labour_rights", "immigration_legal", "youth")
LANGS = ("en", "es", "vi", "zh-Hans", "ko", "tl", "ar", "fr", "ht", "ru", "pt", "interpreters")
HOURS = ('"always"', '["mon-fri 09:00-17:00"]', '["mon-fri 08:00-18:00", "sat 09:00-13:00"]',
         '["tue-sat 10:00-18:00"]', '["daily 15:00-23:00", "fri,sat 23:00-02:00"]')
AREAS = ("601", "662", "228", "769")
PER_FILE = 1000


def generate_services(folder: Path, count: int) -> None:
    """Fictional services, in files of PER_FILE (each within the 1 MiB pack-file limit)."""
    folder.mkdir(parents=True)
    for start in range(0, count, PER_FILE):
        lines = ["# Generated for bench/bench_packs.py: fictional services.", "services:"]
        for i in range(start, min(start + PER_FILE, count)):
            cats = sorted({CATS[i % 7], CATS[(i * 3 + 1) % 7]})
            langs = sorted({"en", LANGS[i % len(LANGS)], LANGS[(i * 5 + 2) % len(LANGS)]})
            lines += [
                f"  - id: sample_{i:05d}",
                f"    name: Sample Service {i:05d}",
                f"    categories: [{', '.join(cats)}]",
                f"    languages: [{', '.join(langs)}]",
                f"    hours: {HOURS[i % len(HOURS)]}",
                f"    free: {'true' if i % 3 else 'false'}",
                f"    address: \"{i} Sample Street, Town {i % 80}, MS\"",
                f"    phone: \"{AREAS[i % 4]}-555-01{i % 100:02d}\"",
                "    verified: 2026-11-01",
                "    source: SAMPLE data",
            ]
        (folder / f"part-{start // PER_FILE:02d}.yaml").write_text("\n".join(lines) + "\n")


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms (min {min(samples) * 1000:.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lantern-bench-packs-"))
    os.environ["LANTERN_DATA"] = str(work / "data-setup")
    from kiosk.content.archive import write_archive
    from kiosk.content.directory import connect, find_services
    from kiosk.content.install import choose_start_pack, install_file
    from kiosk.content.overlay import load_any
    from kiosk.content.signing import generate_keypair, read_secret_key, trust_key

    secret_path, public_path = generate_keypair(str(work / "bench"))
    secret = read_secret_key(secret_path)
    today = dt.date.today()

    plain = work / "src-plain" / "us-ms-sample"
    shutil.copytree(ROOT / "examples" / "packs" / "mississippi", plain)
    (plain / "services.yaml").unlink()
    big = work / "src-big" / "us-ms-sample"
    shutil.copytree(plain, big)
    generate_services(big / "services", args.services)
    variants = {"no directory": plain, f"{args.services} services": big}

    print(f"bench_packs: Mississippi sample overlay, {args.repeat} runs each, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    # Each variant gets its own device data directory; data_dir() reads LANTERN_DATA each time.
    devices = {label: work / f"data-{i}" for i, label in enumerate(variants)}
    for label, src in variants.items():
        os.environ["LANTERN_DATA"] = str(devices[label])
        trust_key(public_path)
        pack = load_any(src).pack
        assert pack is not None, src
        installs = []
        for run in range(args.repeat):
            text = (src / "pack.yaml").read_text()
            (src / "pack.yaml").write_text(re.sub(r"(?m)^version: .*$", f"version: {1000 + run}", text))
            manifest = pack.manifest.__class__(**{**pack.manifest.__dict__, "version": 1000 + run})
            out = work / f"{label.replace(' ', '-')}-{run}.lantern"
            write_archive(src, out, manifest, secret, today, None)
            t0 = time.perf_counter()
            install_file(out)
            installs.append(time.perf_counter() - t0)
        size = sum(p.stat().st_size for p in src.rglob("*") if p.is_file())
        print(f"  {label:>16}: pack {size / 1024:6.0f} KiB, install {median_ms(installs)}")

    # Start-up, interleaved so that a busy machine slows both alike.
    starts: dict[str, list[float]] = {label: [] for label in variants}
    directory = None
    for _ in range(args.repeat):
        for label in variants:
            os.environ["LANTERN_DATA"] = str(devices[label])
            t0 = time.perf_counter()
            choice = choose_start_pack(persist=False)
            starts[label].append(time.perf_counter() - t0)
            assert choice.pack is not None and not choice.warnings, choice.warnings
            directory = choice.directory or directory
    for label in variants:
        print(f"  {'start-up ' + label:>24}: {median_ms(starts[label])}  (check files, open and validate "
              "the merged pack, directory ready)")
    no_dir = statistics.median(starts["no directory"])
    with_dir = statistics.median(starts[f"{args.services} services"])
    print(f"  start-up with the directory vs without: {100 * (with_dir - no_dir) / no_dir:+.1f}% "
          "(target: at most +10%)")

    assert directory is not None
    conn = connect(directory)
    monday_noon = dt.datetime.combine(today + dt.timedelta(days=7 - today.weekday()), dt.time(12))
    queries = {
        "category": dict(category="legal"),
        "language": dict(language="vi"),
        "open now": dict(open_at=monday_noon),
        "category+lang+open": dict(category="shelter", language="es", open_at=monday_noon),
        "same, first 20": dict(category="shelter", language="es", open_at=monday_noon, limit=20),
        "all, first 20": dict(limit=20),
        "all 5000": dict(),
    }
    for name, filters in queries.items():
        times = []
        for _ in range(30):
            t0 = time.perf_counter()
            found = find_services(conn, **filters)  # type: ignore[arg-type]
            times.append(time.perf_counter() - t0)
        print(f"  {'query ' + name:>24}: {median_ms(times)}, {len(found)} results (target < 10 ms)")
    conn.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
