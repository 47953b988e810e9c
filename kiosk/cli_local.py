"""`kiosk metrics export` and `kiosk admin set-pin`: the facility's own data on the device."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import sys
from pathlib import Path


def metrics_path() -> Path:
    from kiosk.system.paths import data_dir
    return data_dir() / "counts" / "daily.sqlite"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-01-31") from None


def cmd_metrics_export(args: argparse.Namespace) -> int:
    from kiosk.metrics import Metrics, export_rows
    rows = export_rows(Metrics(metrics_path()).rows(args.since))
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["period", "counter", "count"])
        for row in rows:
            writer.writerow([row.period, row.counter, row.shown])
        return 0
    if not rows:
        print("no counts yet")
        return 0
    width = max(len(r.counter) for r in rows)
    print(f"{'period':<12} {'counter':<{width}} count")
    for row in rows:
        print(f"{row.period:<12} {row.counter:<{width}} {row.shown}")
    return 0


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("New admin PIN (6-12 digits): ")
    if getpass.getpass("Same PIN again: ") != first:
        raise ValueError("the two PINs differ")
    return first


def cmd_admin_set_pin(args: argparse.Namespace) -> int:
    from kiosk.admin import PinError, PinStore, pin_path
    try:
        PinStore(pin_path()).set_pin(_read_pin(args.stdin))
    except (PinError, ValueError) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    except (EOFError, OSError) as exc:
        print(f"kiosk: could not set the PIN: {exc}", file=sys.stderr)
        return 1
    print("admin PIN set")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    metrics = sub.add_parser("metrics", help="daily usage counts (no times, nothing per visitor)")
    msub = metrics.add_subparsers(dest="metrics_command", metavar="ACTION", required=True)
    p = msub.add_parser("export", help="print the counts; small counts show as <5, quiet days "
                                       "are summed per week")
    p.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.add_argument("--since", type=_date, help="first day, e.g. 2026-01-01")
    p.set_defaults(func=cmd_metrics_export)

    admin = sub.add_parser("admin", help="admin mode settings")
    asub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    p = asub.add_parser("set-pin", help="set the admin PIN (6-12 digits), asked twice")
    p.add_argument("--stdin", action="store_true", help="read the PIN from standard input once")
    p.set_defaults(func=cmd_admin_set_pin)
