"""Rotating the signing key without visiting the devices (docs/provisioning.md, section 9).

A device trusting key A accepts a trust statement signed by A that adds B, and
later one signed by B that retires A; a pack signed by the retired key is then
refused. Older statements, statements signed by an unknown or retired key,
and changed ones are refused and change nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from kiosk.content.archive import PackRefused
from kiosk.content.install import CURRENT, install_file, linked
from kiosk.content.signing import (
    TrustRefused, apply_trust_statement, make_trust_statement, read_public_key, read_secret_key,
    read_trust_state, trust_dir, trust_key, trusted_keys, write_trusted,
)
from kiosk.content.update import UpdateFailed, update_from
from tests.fleet.conftest import Served, build_tiny

TODAY = dt.date.today()


def pub(keys: dict[str, Path], name: str):  # type: ignore[no-untyped-def]
    return read_public_key(keys[name].with_suffix(".pub"))


def statement(keys: dict[str, Path], signer: str, version: int, trust: list[str],
              expires: dt.date | None = None) -> bytes:
    return make_trust_statement(read_secret_key(keys[signer]), version, [pub(keys, n) for n in trust], TODAY, expires)


def trusted_ids() -> set[str]:
    return {k.key_id for k in trusted_keys()[0]}


@pytest.fixture
def device(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "device"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    trust_key(keys["A"].with_suffix(".pub"))
    return data


def test_add_b_then_retire_a(device: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    a, b = pub(keys, "A").key_id, pub(keys, "B").key_id
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "a1.lantern").write_bytes(build_tiny(packs, keys["A"], 1))
    assert install_file(packs / "a1.lantern").status == "installed"

    # B is not trusted yet: a pack signed by B is refused.
    (packs / "b2.lantern").write_bytes(build_tiny(packs, keys["B"], 2))
    with pytest.raises(PackRefused, match="does not match any key"):
        install_file(packs / "b2.lantern")

    # Signed by B itself (not yet trusted): refused.
    with pytest.raises(TrustRefused, match="not signed by a key this device trusts"):
        apply_trust_statement(statement(keys, "B", 1, ["A", "B"]))

    # Step 1, signed by A: trust A and B.
    change = apply_trust_statement(statement(keys, "A", 1, ["A", "B"]))
    assert change.status == "applied" and [k.key_id for k in change.added] == [b] and change.retired == []
    assert trusted_ids() == {a, b}
    assert install_file(packs / "b2.lantern").status == "installed"

    # The same statement again: nothing to do.
    assert apply_trust_statement(statement(keys, "A", 1, ["A", "B"])).status == "unchanged"

    # Step 2, signed by B: trust B only; A is retired.
    change = apply_trust_statement(statement(keys, "B", 2, ["B"]))
    assert [k.key_id for k in change.retired] == [a]
    assert trusted_ids() == {b}
    assert read_trust_state().retired == (a,)

    # A pack signed by the retired key is refused, even a newer one.
    (packs / "a9.lantern").write_bytes(build_tiny(packs, keys["A"], 9))
    with pytest.raises(PackRefused, match="does not match any key"):
        install_file(packs / "a9.lantern")
    assert linked(CURRENT).manifest.version == 2

    # A statement signed by the retired key cannot bring it back, nor can an old one (rollback).
    with pytest.raises(TrustRefused, match="not signed by a key this device trusts"):
        apply_trust_statement(statement(keys, "A", 3, ["A"]))
    with pytest.raises(TrustRefused, match="not newer"):
        apply_trust_statement(statement(keys, "B", 1, ["A", "B"]))
    assert trusted_ids() == {b}

    # The retired key's file put back (a backup restored, a copy on the SD card): still refused.
    write_trusted(pub(keys, "A"), trust_dir())
    keys_now, notes = trusted_keys()
    assert {k.key_id for k in keys_now} == {b} and any("retired" in n for n in notes)
    with pytest.raises(PackRefused):
        install_file(packs / "a9.lantern")

    # An administrator at the device may trust it again on purpose.
    trust_key(keys["A"].with_suffix(".pub"))
    assert trusted_ids() == {a, b}


def test_bad_statements_change_nothing(device: Path, keys: dict[str, Path]) -> None:
    before = sorted(p.name for p in trust_dir().iterdir())
    good = statement(keys, "A", 1, ["A", "B"])
    outer = json.loads(good)
    payload = json.loads(base64.b64decode(outer["payload"]))
    payload["keys"].append({"name": "intruder", "public": base64.b64encode(pub(keys, "X").raw).decode()})
    changed = dict(outer, payload=base64.b64encode(json.dumps(payload).encode()).decode())
    cases = {
        "not signed by a key this device trusts": json.dumps(changed).encode(),
        "not a Lantern trust statement": b"hello",
        "expired": statement(keys, "A", 1, ["A", "B"], expires=TODAY - dt.timedelta(days=1)),
    }
    for message, data in cases.items():
        with pytest.raises(TrustRefused, match=message):
            apply_trust_statement(data)
    with pytest.raises(TrustRefused, match="not signed"):
        apply_trust_statement(statement(keys, "X", 5, ["X"]))
    assert sorted(p.name for p in trust_dir().iterdir()) == before


def test_rotation_over_the_update_url(device: Path, keys: dict[str, Path], tmp_path: Path,
                                      server: tuple[str, Served]) -> None:
    """The update timer fetches the trust statement first, then the pack it allows."""
    base, served = server
    packs = tmp_path / "packs"
    packs.mkdir()
    served.put("trust.json", statement(keys, "A", 1, ["A", "B"]), "t1")
    served.put("region.lantern", build_tiny(packs, keys["B"], 2), "b2")
    result = update_from(f"{base}/region.lantern", trust_url=f"{base}/trust.json")
    assert result.status == "installed" and result.installed.manifest.key_id == pub(keys, "B").key_id

    # Unchanged statement and pack: two conditional requests, no bodies.
    served.reset_log()
    assert update_from(f"{base}/region.lantern", trust_url=f"{base}/trust.json").status == "unchanged"
    assert [(name, status) for name, status, _ in served.log] == [("trust.json", 304), ("region.lantern", 304)]

    # Retire A; then an A-signed pack at the URL is refused and the device keeps B's pack.
    served.put("trust.json", statement(keys, "B", 2, ["B"]), "t2")
    served.put("region.lantern", build_tiny(packs, keys["A"], 3), "a3")
    with pytest.raises(PackRefused, match="does not match any key"):
        update_from(f"{base}/region.lantern", trust_url=f"{base}/trust.json")
    assert trusted_ids() == {pub(keys, "B").key_id}
    assert linked(CURRENT).manifest.version == 2

    # A rolled-back statement on the server is refused.
    served.put("trust.json", statement(keys, "A", 1, ["A", "B"]), "t1-again")
    with pytest.raises(UpdateFailed, match="trust statement .* refused"):
        update_from(f"{base}/region.lantern", trust_url=f"{base}/trust.json")


def test_trust_sign_and_apply_commands(device: Path, keys: dict[str, Path], tmp_path: Path,
                                       kiosk_cmd: list[str]) -> None:
    env = {**os.environ, "LANTERN_DATA": str(device)}
    out = tmp_path / "trust-v1.json"
    signed = subprocess.run([*kiosk_cmd, "pack", "trust-sign", "--key", str(keys["A"]), "--trust",
                             str(keys["B"].with_suffix(".pub")), "--version", "1", "--out", str(out)],
                            capture_output=True, text=True, env=env)
    assert signed.returncode == 0, signed.stderr
    assert "will retire it" in signed.stderr
    applied = subprocess.run([*kiosk_cmd, "pack", "trust-apply", str(out)], capture_output=True, text=True, env=env)
    assert applied.returncode == 0, applied.stderr
    assert "retired key" in applied.stdout and "now trusts key" in applied.stdout
    again = subprocess.run([*kiosk_cmd, "pack", "trust-apply", str(out)], capture_output=True, text=True, env=env)
    assert again.returncode == 3
    nowhere = subprocess.run([*kiosk_cmd, "pack", "trust-sign", "--key", str(keys["A"]), "--trust",
                              str(keys["B"].with_suffix(".pub")), "--version", "2", "--out",
                              str(tmp_path / "no-such-folder" / "trust-v2.json")], capture_output=True, text=True, env=env)
    assert nowhere.returncode == 1 and nowhere.stderr.startswith("kiosk: cannot write "), nowhere.stderr
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    bad = subprocess.run([*kiosk_cmd, "pack", "trust-apply", str(junk)], capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("kiosk: ") and "Traceback" not in bad.stderr


def test_a_full_disk_while_retiring_leaves_the_statement_to_apply_again(
        device: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The old key signs the statement that retires it. If the version cannot be recorded, the old
    key must still be trusted: otherwise the statement can never be checked again and the
    retirement is never recorded (a restored A.pub would be trusted again)."""
    import kiosk.content.signing as signing
    a, b = pub(keys, "A").key_id, pub(keys, "B").key_id
    retire_a = statement(keys, "A", 1, ["B"])
    real_write = signing.write_trust_state

    def disk_full(folder: Path, state: signing.TrustState) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(signing, "write_trust_state", disk_full)
    with pytest.raises(OSError):
        apply_trust_statement(retire_a)
    assert trusted_ids() == {a, b} and read_trust_state().version == 0

    monkeypatch.setattr(signing, "write_trust_state", real_write)
    assert apply_trust_statement(retire_a).status == "applied"
    assert trusted_ids() == {b} and read_trust_state().retired == (a,)
    write_trusted(pub(keys, "A"), trust_dir())
    assert trusted_ids() == {b}


def test_a_crash_while_removing_old_key_files_still_retires_them(
        device: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = pub(keys, "A").key_id, pub(keys, "B").key_id
    retire_a = statement(keys, "A", 1, ["B"])
    real_unlink = Path.unlink

    def power_cut(self: Path, missing_ok: bool = False) -> None:
        if self.suffix == ".pub":
            raise OSError(5, "Input/output error")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", power_cut)
    with pytest.raises(OSError):
        apply_trust_statement(retire_a)
    monkeypatch.setattr(Path, "unlink", real_unlink)
    # The version and the retirement were recorded before any file went: A is refused already.
    assert trusted_ids() == {b} and read_trust_state().retired == (a,)
    # Seeing the same statement again finishes the job, quietly.
    assert apply_trust_statement(retire_a).status == "unchanged"
    assert trusted_keys()[1] == [] and len(list(trust_dir().glob("*.pub"))) == 1


def test_a_trust_url_with_no_statement_yet_does_not_stop_pack_updates(
        device: Path, keys: dict[str, Path], tmp_path: Path, server: tuple[str, Served]) -> None:
    """docs/fleet.md sets trust_url from the first boot; until the first rotation it answers 404."""
    base, served = server
    packs = tmp_path / "packs"
    packs.mkdir()
    served.put("region.lantern", build_tiny(packs, keys["A"], 2), "a2")
    result = update_from(f"{base}/region.lantern", trust_url=f"{base}/trust.json")
    assert result.status == "installed" and linked(CURRENT).manifest.version == 2
    assert [(name, status) for name, status, _ in served.log] == [("trust.json", 404), ("region.lantern", 200)]
    # A statement that is there but refused still stops the update (nothing is installed past it).
    served.put("trust.json", statement(keys, "X", 1, ["X"]), "x1")
    served.put("region.lantern", build_tiny(packs, keys["A"], 3), "a3")
    with pytest.raises(UpdateFailed, match="trust statement .* refused"):
        update_from(f"{base}/region.lantern", trust_url=f"{base}/trust.json")
    assert linked(CURRENT).manifest.version == 2
