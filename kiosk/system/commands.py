"""`kiosk doctor` (the device's health: text, --json, --prometheus) and `kiosk config`
(the boot partition's lantern.toml)."""

from __future__ import annotations

import argparse
import os
import pwd
import sys
from pathlib import Path

KIOSK_USER = "lantern"


def _err(message: str) -> None:
    print(f"kiosk: {message}", file=sys.stderr)


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.system.doctor import Context, doctor
    from kiosk.system.paths import data_dir
    if args.out and not args.prometheus:
        _err("--out goes with --prometheus")
        return 2
    ctx = Context(data_dir=data_dir())
    if args.boot_file:
        ctx.boot_file = Path(args.boot_file)
    text, code = doctor(ctx, as_json=args.json, as_prometheus=args.prometheus)
    if args.out:
        from kiosk.system.prometheus import write_atomic
        try:
            write_atomic(text, Path(args.out))
        except OSError as exc:
            _err(f"cannot write {args.out}: {exc.strerror or exc}")
            return 1
        return 0  # the gauges say whether the kiosk can serve; the timer itself worked
    print(text, end="" if args.prometheus else "\n")
    return code


def _owner(data: Path) -> tuple[int, int] | None:
    """As root, files in the kiosk's data directory must belong to the kiosk's user."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(KIOSK_USER)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def cmd_config(args: argparse.Namespace) -> int:
    from kiosk.system import bootconfig
    from kiosk.system.paths import data_dir
    path = Path(args.file)
    data = data_dir()
    targets = bootconfig.Targets(etc=Path(args.etc), data_dir=data, owner=_owner(data))
    if args.config_command == "check":
        config, errors = bootconfig.read(path, targets.zoneinfo)
        for e in errors:
            print(e.format(), file=sys.stderr)
        if errors:
            return 1
        print(f"{path}: valid" if config is not None else f"{path}: no such file (nothing to apply)")
        return 0
    try:
        outcome = bootconfig.apply(path, targets)
    except OSError as exc:
        _err(f"{path}: not applied completely: {exc}; run it again once that is fixed")
        return 1
    for e in outcome.errors:
        print(e.format(), file=sys.stderr)
    if outcome.errors:
        _err(f"{path} has {len(outcome.errors)} error(s); nothing from it was applied")
        return 1
    for note in outcome.notes:
        print(f"{path}: warning: {note}", file=sys.stderr)
    for changed in outcome.changed:
        print(f"wrote {changed}")
    if not path.exists():
        print(f"{path}: no such file; nothing to apply")
    elif not outcome.changed:
        print(f"{path}: already applied, nothing changed")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "doctor", help="check this device: screen, touch, pack, fonts, disk, clock, sound, service",
        description="Check whether this device can serve visitors. One line per check, a fix for "
                    "anything not ok, then a summary. Exit 0 when the kiosk can serve visitors "
                    "(warnings allowed), 1 when it cannot (no display, no usable pack, missing "
                    "fonts, full disk). Reads only; run it as the kiosk's user with its data "
                    "directory, e.g. sudo -u lantern LANTERN_DATA=/var/lib/lantern kiosk doctor.")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    form.add_argument("--prometheus", action="store_true",
                      help="print node_exporter textfile gauges (device health only, nothing about visitors)")
    p.add_argument("--out", metavar="FILE", help="with --prometheus: write FILE atomically instead of printing, "
                   "e.g. /var/lib/prometheus/node-exporter/lantern.prom (exit 0 once written)")
    p.add_argument("--boot-file", metavar="FILE", help="the boot partition's configuration to check "
                   "(default /boot/firmware/lantern.toml)")
    p.set_defaults(func=cmd_doctor)

    p = subparsers.add_parser(
        "config", help="the facility's configuration on the boot partition (lantern.toml)",
        description="Check or apply the facility's configuration file from the boot partition "
                    "(docs/fleet.md). `apply` checks the whole file first and applies nothing when "
                    "it has an error (printed as FILE:LINE: error: MESSAGE); running it again changes "
                    "nothing. Run as root: it writes /etc/lantern/*.env, the time zone and the kiosk's "
                    "data directory.")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    for name, text in (("check", "check the file; exit 1 with FILE:LINE: error: lines"),
                       ("apply", "check, then apply what differs (systemd/lantern-firstboot.service)")):
        c = csub.add_parser(name, help=text)
        c.add_argument("--file", default="/boot/firmware/lantern.toml", help="default: %(default)s")
        c.add_argument("--etc", default="/etc", help=argparse.SUPPRESS)  # tests apply into a temp folder
        c.set_defaults(func=cmd_config)
