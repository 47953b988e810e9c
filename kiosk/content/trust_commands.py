"""`kiosk pack trust-sign` and `kiosk pack trust-apply`: rotating signing keys without a visit.

trust-sign runs on the offline admin machine: it writes a trust statement, the
complete list of keys devices should trust, signed with a key they trust now.
Devices pick it up with `kiosk pack update URL --trust-url URL` (the update
timer) or from a USB stick with trust-apply. docs/provisioning.md, section 9.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


from kiosk.content.commands import _date, _err  # noqa: E402 - one of each, shared with `kiosk pack`


def cmd_trust_sign(args: argparse.Namespace) -> int:
    from kiosk.content.signing import (
        KeyFileError, TrustRefused, key_id, make_trust_statement, read_public_key, read_secret_key,
    )
    out = Path(args.out)
    if out.exists():
        _err(f"{out} already exists; choose another name (statements are never overwritten)")
        return 1
    try:
        secret = read_secret_key(Path(args.key))
        keys = [read_public_key(Path(p)) for p in args.trust]
        data = make_trust_statement(secret, args.version, keys, dt.date.today(), args.expires)
    except (KeyFileError, TrustRefused, OSError) as exc:
        _err(str(exc))
        return 1
    try:
        with open(out, "xb") as fh:  # "x": never over a statement written meanwhile
            fh.write(data)
    except OSError as exc:
        _err(f"cannot write {out}: {exc.strerror or exc}")
        return 1
    signer = key_id(bytes(secret.verify_key))
    if signer not in {k.key_id for k in keys}:
        print(f"note: the signing key {signer} is not in the list: devices will retire it", file=sys.stderr)
    names = ", ".join(f"{k.name} ({k.key_id})" for k in keys)
    print(f"wrote {out}: trust statement version {args.version}, signed with key {signer}; devices will "
          f"trust exactly: {names}")
    return 0


def cmd_trust_apply(args: argparse.Namespace) -> int:
    from kiosk.content.signing import MAX_TRUST_FILE, TrustRefused, apply_trust_statement
    path = Path(args.file)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TRUST_FILE + 1)  # bounded: the size is checked on what was read
    except OSError as exc:
        _err(f"{path}: cannot read it: {exc.strerror or exc}")
        return 1
    try:
        change = apply_trust_statement(data)
    except TrustRefused as exc:
        _err(f"{path}: REFUSED: {exc}")
        return 1
    except OSError as exc:  # a full or read-only data partition: safe to run again once fixed
        _err(f"{path}: could not update the trust folder: {exc.strerror or exc}; run it again")
        return 1
    if change.status == "unchanged":
        print(f"{path}: trust statement version {change.version} is already applied")
        return 3
    for key in change.added:
        print(f"now trusts key '{key.name}' ({key.key_id})")
    for key in change.retired:
        print(f"retired key '{key.name}' ({key.key_id}): packs signed with it are refused from now on")
    print(f"applied trust statement version {change.version}")
    return 0


def register_trust(psub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = psub.add_parser("trust-sign", help="write a signed trust statement: the keys devices should trust "
                        "from now on (key rotation)")
    p.add_argument("--key", required=True, help="secret key NAME.key that devices trust now")
    p.add_argument("--trust", action="append", required=True, metavar="NAME.pub",
                   help="a public key devices should trust (repeat for each; keys not listed are retired)")
    p.add_argument("--version", type=int, required=True, help="higher than every statement signed before")
    p.add_argument("--expires", type=_date, help="devices refuse the statement after this date (YYYY-MM-DD)")
    p.add_argument("--out", required=True, help="file to write, e.g. trust-v2.json")
    p.set_defaults(func=cmd_trust_sign)

    p = psub.add_parser("trust-apply", help="apply a signed trust statement from a file")
    p.add_argument("file")
    p.set_defaults(func=cmd_trust_apply)
