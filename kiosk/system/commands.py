"""`kiosk doctor`: the device's health, for facilities (text) and machines (--json)."""

from __future__ import annotations

import argparse


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.system.doctor import Context, doctor
    from kiosk.system.paths import data_dir
    text, code = doctor(Context(data_dir=data_dir()), as_json=args.json)
    print(text)
    return code


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "doctor", help="check this device: screen, touch, pack, fonts, disk, clock, sound, service",
        description="Check whether this device can serve visitors. One line per check, a fix for "
                    "anything not ok, then a summary. Exit 0 when the kiosk can serve visitors "
                    "(warnings allowed), 1 when it cannot (no display, no usable pack, missing "
                    "fonts, full disk). Reads only; run it as the kiosk's user with its data "
                    "directory, e.g. sudo -u lantern LANTERN_DATA=/var/lib/lantern kiosk doctor.")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=cmd_doctor)
