"""`kiosk keygen`, `kiosk pack ...` and `kiosk services`: signed regional packs for facilities.

Imports here stay light (no Kivy, no audio); the work is imported inside each command.
Exit codes: 0 done, 1 refused or failed (a `kiosk: ...` line says why), 3 nothing to do
(the pack is already installed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

EXIT_UNCHANGED = 3


def _err(message: str) -> None:
    print(f"kiosk: {message}", file=sys.stderr)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2027-06-30") from None


# --- keys ---------------------------------------------------------------------

def cmd_keygen(args: argparse.Namespace) -> int:
    from kiosk.content.signing import KeyFileError, generate_keypair, key_id, read_public_key
    try:
        secret, public = generate_keypair(args.name)
    except (KeyFileError, OSError) as exc:
        _err(str(exc))
        return 1
    kid = key_id(read_public_key(public).raw)
    print(f"wrote {secret} (SECRET: keep it offline, never copy it to a kiosk)")
    print(f"wrote {public} (public, key id {kid}: install it on devices with `kiosk pack trust {public}`)")
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from kiosk.content.signing import KeyFileError, read_public_key, trust_key
    try:
        target = trust_key(Path(args.pubkey))
        key = read_public_key(target)
    except (KeyFileError, OSError) as exc:
        _err(str(exc))
        return 1
    print(f"this device now trusts key '{key.name}' ({key.key_id}): {target}")
    return 0


def cmd_untrust(args: argparse.Namespace) -> int:
    from kiosk.content.signing import untrust_key
    removed = untrust_key(args.key)
    if not removed:
        _err(f"no trusted key is named '{args.key}' (see `kiosk pack keys`)")
        return 1
    for path in removed:
        print(f"removed {path}")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    from kiosk.content.signing import trust_dir, trusted_keys
    keys, notes = trusted_keys()
    for key in keys:
        print(f"{key.key_id}  {key.name}  {key.path}")
    for note in notes:
        _err(note)
    if not keys:
        print(f"no trusted keys in {trust_dir()}", file=sys.stderr)
    return 0


# --- build and verify ------------------------------------------------------------

def cmd_build(args: argparse.Namespace) -> int:
    from kiosk.content.archive import PackRefused, write_archive
    from kiosk.content.builtin import ui_defaults
    from kiosk.content.overlay import load_any
    from kiosk.content.problems import has_errors
    from kiosk.content.signing import KeyFileError, key_id, read_secret_key
    from kiosk.content.validate import validate_path

    src, out = Path(args.src), Path(args.out)
    today = dt.date.today()
    if args.expires is not None and args.expires <= today:
        _err(f"--expires {args.expires} is not in the future")
        return 1
    if not (src / "pack.yaml").is_file():
        _err(f"{src} is not a pack folder (no pack.yaml)")
        return 1
    if out.resolve().is_relative_to(src.resolve()):
        _err(f"write {out} outside the pack folder {src}")
        return 1
    try:
        secret = read_secret_key(Path(args.key))
    except (KeyFileError, OSError) as exc:
        _err(str(exc))
        return 1
    problems = validate_path(src, today)
    for p in problems:
        print(p.format(), file=sys.stderr)
    if has_errors(problems):
        _err(f"{src} has errors; not building (fix them, see `kiosk validate {src}`)")
        return 1
    pack = load_any(src, ui_defaults).pack
    assert pack is not None
    try:
        signed = write_archive(src, out, pack.manifest, secret, today, args.expires)
    except (PackRefused, OSError) as exc:
        _err(str(exc))
        return 1
    expiry = f", expires {signed.expires}" if signed.expires else ""
    print(f"wrote {out}: pack '{signed.pack_id}' version {signed.version} for {signed.region}, "
          f"{len(signed.files)} files, signed with key {key_id(bytes(secret.verify_key))}{expiry}")
    return 0


def _keys_for(args: argparse.Namespace) -> list | None:
    from kiosk.content.signing import KeyFileError, read_public_key, trusted_keys
    if getattr(args, "pubkey", None):
        try:
            return [read_public_key(Path(p)) for p in args.pubkey]
        except (KeyFileError, OSError) as exc:
            _err(str(exc))
            return None
    keys, notes = trusted_keys()
    for note in notes:
        _err(f"ignoring a trust file: {note}")
    return keys


def cmd_verify(args: argparse.Namespace) -> int:
    from kiosk.content.archive import PackRefused, verify_file
    keys = _keys_for(args)
    if keys is None:
        return 1
    try:
        signed = verify_file(Path(args.file), keys)
    except PackRefused as exc:
        _err(f"{args.file}: REFUSED: {exc}")
        return 1
    expiry = f", expires {signed.expires}" if signed.expires else ""
    print(f"{args.file}: signature good (key {signed.key_id}); pack '{signed.pack_id}' version "
          f"{signed.version} for {signed.region}, created {signed.created}{expiry}, "
          f"{len(signed.files)} files intact")
    return 0


# --- install and update ------------------------------------------------------------

def _report_install(result, source: str) -> int:  # type: ignore[no-untyped-def]
    for p in result.problems:
        print(p.format(), file=sys.stderr)
    for w in result.warnings:
        _err(f"warning: {w}")
    inst = result.installed
    if result.status == "unchanged":
        print(f"{source}: pack '{inst.manifest.pack_id}' version {inst.manifest.version} is already installed")
        return EXIT_UNCHANGED
    before = (f" (was '{result.previous.manifest.pack_id}' version {result.previous.manifest.version})"
              if result.previous else "")
    print(f"installed pack '{inst.manifest.pack_id}' version {inst.manifest.version} for "
          f"{inst.manifest.region}{before}; the kiosk uses it from its next start")
    _err(f"installed into {inst.slot}")  # which data directory (kiosk.system.paths.choose_data_dir)
    return 0


def _refused(exc: Exception, source: str) -> int:
    for p in getattr(exc, "problems", []):
        print(p.format(), file=sys.stderr)
    _err(f"{source}: REFUSED: {exc}")
    return 1


def cmd_install(args: argparse.Namespace) -> int:
    from kiosk.content.archive import PackRefused
    from kiosk.content.install import install_file
    try:
        result = install_file(Path(args.file), force=args.force)
    except PackRefused as exc:
        return _refused(exc, args.file)
    except OSError as exc:  # a full disk, a read-only data directory
        _err(f"{args.file}: install failed: {exc}; the pack in use is unchanged")
        return 1
    return _report_install(result, args.file)


def cmd_update(args: argparse.Namespace) -> int:
    from kiosk.content.archive import PackRefused
    from kiosk.content.update import update_from
    try:
        result = update_from(args.url, force=args.force, timeout=args.timeout, trust_url=args.trust_url,
                             progress=sys.stderr)
    except PackRefused as exc:
        return _refused(exc, args.url)
    except OSError as exc:
        _err(f"{args.url}: update failed: {exc}; the pack in use is unchanged")
        return 1
    return _report_install(result, args.url)


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.content.health import pack_warnings
    from kiosk.content.install import CURRENT, LAST_GOOD, linked
    for name in (CURRENT, LAST_GOOD):
        inst = linked(name)
        if inst is None:
            print(f"{name}: none")
            continue
        m = inst.manifest
        expiry = f", expires {m.expires}" if m.expires else ""
        print(f"{name}: '{m.pack_id}' version {m.version} for {m.region}, created {m.created}{expiry} "
              f"(key {m.key_id}; {inst.slot})")
    for w in pack_warnings():
        print(f"warning: {w}")
    return 0


# --- services ---------------------------------------------------------------------

def cmd_services(args: argparse.Namespace) -> int:
    from kiosk.content.directory import CATEGORIES, ensure_directory, find_services
    from kiosk.content.problems import has_errors
    if args.category and args.category not in CATEGORIES:
        _err(f"unknown category '{args.category}'; use one of {', '.join(CATEGORIES)}")
        return 1
    if args.pack:
        from kiosk.content.packs import open_pack
        opened = open_pack(Path(args.pack))
        if opened.pack is None:
            for p in opened.problems:
                print(p.format(), file=sys.stderr)
            _err("the pack has errors; fix them (see `kiosk validate`)")
            return 1
        status = ensure_directory(opened.pack)
        if has_errors(status.problems):
            for p in status.problems:
                print(p.format(), file=sys.stderr)
            _err("the pack's services have errors")
            return 1
        db_path = status.path
    else:
        from kiosk.content.install import choose_start_pack
        choice = choose_start_pack(persist=False)
        for w in choice.warnings:
            _err(f"warning: {w}")
        db_path = choice.directory
    now = dt.datetime.now()
    at = now if args.open_now else None
    services = find_services(db_path, args.category, args.lang, at) if db_path else []
    if args.json:
        print(json.dumps([{
            "id": s.id, "name": s.name, "categories": list(s.categories), "languages": list(s.languages),
            "hours": list(s.hours), "free": s.free, "address": s.address, "phone": s.phone, "text": s.text,
            "verified": s.verified.isoformat() if s.verified else None} for s in services],
            ensure_ascii=False, indent=1))
        return 0
    if not services:
        print("no services match" if db_path else "this pack lists no local services", file=sys.stderr)
        return 0
    for s in services:
        reach = "  ".join(x for x in (f"call {s.phone}" if s.phone else "", f"text {s.text}" if s.text else "") if x)
        print(f"{s.name}  [{', '.join(s.categories)}]  languages: {', '.join(s.languages) or '-'}")
        print(f"    hours: {'; '.join(s.hours)}  {reach}" + ("  free" if s.free else ""))
        if s.address:
            print(f"    {s.address}")
    return 0


# --- registration ---------------------------------------------------------------------

def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("keygen", help="make a signing key pair: NAME.key (secret) and NAME.pub")
    p.add_argument("name", help="file name without extension, e.g. ms-health-2026")
    p.set_defaults(func=cmd_keygen)

    pack = sub.add_parser("pack", help="signed regional packs: build, verify, install, update, trust",
                          description="Signed regional packs. Exit 0: done; 1: refused (the reason is "
                                      "printed); 3: already installed, nothing to do.")
    psub = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)

    p = psub.add_parser("build", help="check a pack folder and write one signed pack file")
    p.add_argument("src", help="pack folder")
    p.add_argument("out", help="pack file to write, e.g. ms-v3.lantern")
    p.add_argument("--key", required=True, help="secret key NAME.key from `kiosk keygen`")
    p.add_argument("--expires", type=_date, help="date after which devices warn the admin (YYYY-MM-DD)")
    p.set_defaults(func=cmd_build)

    p = psub.add_parser("verify", help="check a pack file's signature and every file in it")
    p.add_argument("file")
    p.add_argument("--pubkey", action="append", help="public key NAME.pub (repeatable; default: the "
                   "keys this device trusts)")
    p.set_defaults(func=cmd_verify)

    p = psub.add_parser("install", help="verify, check and switch to a pack file (keeps the previous one)")
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="accept an older version or another region")
    p.set_defaults(func=cmd_install)

    p = psub.add_parser("update", help="download a newer pack file over http(s) and install it")
    p.add_argument("url")
    p.add_argument("--force", action="store_true", help="accept an older version or another region")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the server (default 60)")
    p.add_argument("--trust-url", help="first apply the signed trust statement (key rotation) at this URL")
    p.set_defaults(func=cmd_update)

    p = psub.add_parser("trust", help="trust packs signed with this public key on this device")
    p.add_argument("pubkey", help="NAME.pub")
    p.set_defaults(func=cmd_trust)

    p = psub.add_parser("untrust", help="stop trusting a key (by key id or name)")
    p.add_argument("key")
    p.set_defaults(func=cmd_untrust)

    p = psub.add_parser("keys", help="list the keys this device trusts")
    p.set_defaults(func=cmd_keys)

    p = psub.add_parser("status", help="the installed packs and warnings for the admin")
    p.set_defaults(func=cmd_status)

    from kiosk.content.trust_commands import register_trust
    register_trust(psub)

    p = sub.add_parser("services", help="list the local services directory of a pack")
    p.add_argument("--pack", help="pack folder (default: the pack this device runs)")
    p.add_argument("--category", help="shelter, legal, medical, mental_health, labour_rights, "
                   "immigration_legal or youth")
    p.add_argument("--lang", help="language tag, e.g. es")
    p.add_argument("--open-now", action="store_true", help="only services open now (device time)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_services)
