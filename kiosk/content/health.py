"""Warnings about the device's content, for the administrator (admin mode, `kiosk doctor`,
`kiosk pack status`). Never shown to a visitor: the visitor's screens do not change."""

from __future__ import annotations

import datetime as dt
import sqlite3

from kiosk.content.directory import STALE_AFTER_DAYS, connect, directory_path
from kiosk.content.install import choose_start_pack, read_state


def pack_warnings(today: dt.date | None = None) -> list[str]:
    """Everything an administrator should know about the pack this device would run now:
    fallbacks and rollbacks, expiry, untrusted keys, numbers not checked for a year."""
    today = today or dt.date.today()
    choice = choose_start_pack(today, persist=False, with_directory=False)
    warnings = list(choice.warnings)
    rollback = read_state().get("rollback")
    if isinstance(rollback, dict):
        warnings.append(f"on {rollback.get('day')} the kiosk went back to the previous pack: "
                        f"{rollback.get('reason')}")
    pack = choice.pack
    if pack is None:
        return warnings
    if pack.manifest.sample:
        warnings.append(f"pack '{pack.manifest.id}' is SAMPLE data (fictional local numbers); "
                        "install the facility's own pack before use")
    from kiosk.content.review import review_warnings
    # The same warning `kiosk validate` gives: a language shown to visitors whose
    # safety-critical strings nobody fluent has reviewed.
    warnings += [p.message for p in review_warnings(pack)]
    cutoff = today - dt.timedelta(days=STALE_AFTER_DAYS)
    for contact in sorted(pack.contacts.values(), key=lambda c: c.id):
        if contact.verified is not None and contact.verified < cutoff:
            warnings.append(f"contact '{contact.id}' was last verified on {contact.verified}, more than "
                            "a year ago; check the number at its source and rebuild the pack")
    db_path = directory_path(pack.root)
    if db_path.is_file():
        try:
            conn = connect(db_path)
            try:
                stale = [row[0] for row in conn.execute(
                    "SELECT id FROM services WHERE verified IS NOT NULL AND verified < ? ORDER BY id",
                    [cutoff.isoformat()])]
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            warnings.append(f"the services directory cannot be read: {exc}")
            stale = []
        if stale:
            shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
            warnings.append(f"{len(stale)} local service(s) were last verified more than a year ago: {shown}")
    return warnings
