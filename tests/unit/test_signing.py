"""Keys, signed pack files, and every way of tampering with one."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from kiosk.content.archive import (
    MANIFEST_NAME, PREFIX, SIGNATURE_NAME, PackFile, PackRefused, verify_file, write_archive,
)
from kiosk.content.overlay import load_any
from kiosk.content.signing import (
    KeyFileError, generate_keypair, read_public_key, read_secret_key, sign, trust_key, trusted_keys,
    untrust_key,
)

ROOT = Path(__file__).resolve().parents[2]
MS = ROOT / "examples" / "packs" / "mississippi"
TINY = ROOT / "tests" / "fixtures" / "packs" / "tiny"
TODAY = dt.date(2026, 11, 22)


def build(src: Path, out: Path, key: Path, expires: dt.date | None = None) -> Path:
    pack = load_any(src).pack
    assert pack is not None
    write_archive(src, out, pack.manifest, read_secret_key(key), TODAY, expires)
    return out


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    secret, public = generate_keypair(str(folder / "facility"))
    other_secret, other_public = generate_keypair(str(folder / "stranger"))
    return {"key": secret, "pub": public, "other_key": other_secret, "other_pub": other_public}


@pytest.fixture(scope="module")
def signed_ms(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Path]) -> Path:
    return build(MS, tmp_path_factory.mktemp("out") / "ms.lantern", keys["key"], dt.date(2027, 6, 30))


def trusted(keys: dict[str, Path]) -> list:  # type: ignore[type-arg]
    return [read_public_key(keys["pub"])]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rezip(path: Path, content: dict[str, bytes], extra: list[zipfile.ZipInfo] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in content.items():
            zf.writestr(name, data)
        for info in extra or []:
            zf.writestr(info, b"x")
    return path


def refused(path: Path, keys: dict[str, Path], match: str) -> str:
    with pytest.raises(PackRefused, match=match) as caught:
        verify_file(path, trusted(keys))
    return str(caught.value)


# --- keys ----------------------------------------------------------------------

def test_keygen_writes_a_private_secret_and_a_public_key(tmp_path: Path) -> None:
    secret, public = generate_keypair(str(tmp_path / "ms-2026"))
    assert (secret.name, public.name) == ("ms-2026.key", "ms-2026.pub")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert read_public_key(public).raw == bytes(read_secret_key(secret).verify_key)
    with pytest.raises(KeyFileError, match="already exists"):
        generate_keypair(str(tmp_path / "ms-2026"))


def test_key_files_are_not_confused(tmp_path: Path, keys: dict[str, Path]) -> None:
    with pytest.raises(KeyFileError, match="is a public key"):
        read_secret_key(keys["pub"])
    with pytest.raises(KeyFileError, match="is a SECRET key"):
        read_public_key(keys["key"])
    loose = tmp_path / "loose.key"
    shutil.copy(keys["key"], loose)
    os.chmod(loose, 0o644)
    with pytest.raises(KeyFileError, match="can be read by other users"):
        read_secret_key(loose)
    junk = tmp_path / "junk.pub"
    junk.write_text("lantern-public-key-v1 AAAA facility\n")
    with pytest.raises(KeyFileError, match="damaged"):
        read_public_key(junk)


def test_trust_and_untrust(tmp_path: Path, keys: dict[str, Path]) -> None:
    folder = tmp_path / "trust"
    path = trust_key(keys["pub"], folder)
    (folder / "broken.pub").write_text("nonsense")
    found, notes = trusted_keys(folder)
    assert [k.name for k in found] == ["facility"] and len(notes) == 1
    assert untrust_key(found[0].key_id, folder) == [path]
    assert trusted_keys(folder)[0] == []


# --- build and verify -------------------------------------------------------------

def test_a_signed_pack_verifies(signed_ms: Path, keys: dict[str, Path]) -> None:
    signed = verify_file(signed_ms, trusted(keys))
    assert (signed.pack_id, signed.region, signed.version) == ("us-ms-sample", "US-MS", 1)
    assert (signed.created, signed.expires, signed.extends) == (TODAY, dt.date(2027, 6, 30), "us-national")
    assert {"pack.yaml", "services.yaml", "flows/local.yaml", "locales/es.yaml"} <= set(signed.files)
    assert signed.key_id == read_public_key(keys["pub"]).key_id


def test_building_twice_gives_the_same_bytes(tmp_path: Path, keys: dict[str, Path]) -> None:
    a = build(TINY, tmp_path / "a.lantern", keys["key"])
    b = build(TINY, tmp_path / "b.lantern", keys["key"])
    assert a.read_bytes() == b.read_bytes()


def test_another_key_is_not_trusted(signed_ms: Path, keys: dict[str, Path]) -> None:
    with pytest.raises(PackRefused, match="does not match any key this device trusts"):
        verify_file(signed_ms, [read_public_key(keys["other_pub"])])
    with pytest.raises(PackRefused, match="trusts no signing keys yet"):
        verify_file(signed_ms, [])


# --- tampering ----------------------------------------------------------------------

def test_one_byte_changed_in_any_file_is_refused(signed_ms: Path, keys: dict[str, Path],
                                                 tmp_path: Path) -> None:
    original = members(signed_ms)
    files = [n for n in original if n.startswith(PREFIX)]
    assert len(files) >= 6
    for name in files:
        for position in (0, len(original[name]) // 2, len(original[name]) - 1):
            content = dict(original)
            data = bytearray(content[name])
            data[position] ^= 0x01
            content[name] = bytes(data)
            message = refused(rezip(tmp_path / "t.lantern", content), keys, "does not match its signed hash")
            assert repr(name[len(PREFIX):]) in message


def test_a_file_added_is_refused(signed_ms: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    content = members(signed_ms)
    content[PREFIX + "flows/extra.yaml"] = b"nodes: []\n"
    refused(rezip(tmp_path / "t.lantern", content), keys, "'flows/extra.yaml' is in the pack file but not in "
                                                          "its signed manifest")
    outside = members(signed_ms)
    outside["README.txt"] = b"hello"
    refused(rezip(tmp_path / "u.lantern", outside), keys, "not in its signed manifest")


def test_a_file_removed_is_refused(signed_ms: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    content = members(signed_ms)
    del content[PREFIX + "contacts.yaml"]
    refused(rezip(tmp_path / "t.lantern", content), keys, "'contacts.yaml' is in the signed manifest but "
                                                          "missing")


def test_a_replaced_signature_is_refused(signed_ms: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    content = members(signed_ms)
    other = read_secret_key(keys["other_key"])
    for signature in (sign(other, content[MANIFEST_NAME]), b"\0" * 64, b"short", b""):
        content[SIGNATURE_NAME] = signature
        refused(rezip(tmp_path / "t.lantern", content), keys, "signature does not match")
    del content[SIGNATURE_NAME]
    refused(rezip(tmp_path / "t.lantern", content), keys, "has no lantern/signature")


def test_an_edited_manifest_is_refused(signed_ms: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    original = members(signed_ms)
    for old, new in ((b'"version": 1', b'"version": 9'), (b'"region": "US-MS"', b'"region": "US-CA"'),
                     (b'"expires": "2027-06-30"', b'"expires": null')):
        content = dict(original)
        assert old in content[MANIFEST_NAME]
        content[MANIFEST_NAME] = content[MANIFEST_NAME].replace(old, new)
        refused(rezip(tmp_path / "t.lantern", content), keys, "signature does not match")


def test_a_file_and_its_manifest_entry_changed_together_is_refused(signed_ms: Path, keys: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    import hashlib
    content = members(signed_ms)
    evil = content[PREFIX + "contacts.yaml"].replace(b"601-555-0100", b"601-555-0199")
    old_hash = hashlib.sha256(content[PREFIX + "contacts.yaml"]).hexdigest().encode()
    content[MANIFEST_NAME] = content[MANIFEST_NAME].replace(old_hash, hashlib.sha256(evil).hexdigest().encode())
    content[PREFIX + "contacts.yaml"] = evil
    refused(rezip(tmp_path / "t.lantern", content), keys, "signature does not match")


def test_raw_byte_flips_never_pass_changed_content(signed_ms: Path, keys: dict[str, Path],
                                                   tmp_path: Path) -> None:
    """Flip bytes all over the file: each result is refused with a clear reason, or (for a
    flip in zip bookkeeping such as a timestamp) accepted with exactly the signed content."""
    data = signed_ms.read_bytes()
    original = members(signed_ms)
    target = tmp_path / "flip.lantern"
    step = max(1, len(data) // 400)
    outcomes = {"refused": 0, "same": 0}
    for position in range(0, len(data), step):
        flipped = bytearray(data)
        flipped[position] ^= 0x40
        target.write_bytes(bytes(flipped))
        try:
            verify_file(target, trusted(keys))
        except PackRefused as exc:
            assert str(exc)
            outcomes["refused"] += 1
        else:
            got = members(target)
            assert {n: got[n] for n in original} == original
            outcomes["same"] += 1
    assert outcomes["refused"] > outcomes["same"]


# --- hostile containers ----------------------------------------------------------------

def hostile(signed_ms: Path, tmp_path: Path, info: zipfile.ZipInfo) -> Path:
    return rezip(tmp_path / "h.lantern", members(signed_ms), [info])


@pytest.mark.parametrize("name", ["pack/../../etc/passwd", "/etc/passwd", "pack/flows/../../x",
                                  "pack\\..\\x", "pack/.hidden"])
def test_unsafe_names_are_refused(signed_ms: Path, keys: dict[str, Path], tmp_path: Path, name: str) -> None:
    path = hostile(signed_ms, tmp_path, zipfile.ZipInfo(name))
    with pytest.raises(PackRefused):
        verify_file(path, trusted(keys))


def test_symlinks_and_folders_are_refused(signed_ms: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    link = zipfile.ZipInfo("pack/flows/link.yaml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    refused(hostile(signed_ms, tmp_path, link), keys, "is a folder, link or device")
    folder = zipfile.ZipInfo("pack/assets/")
    refused(hostile(signed_ms, tmp_path, folder), keys, "is a folder, link or device")


def test_size_and_count_limits(signed_ms: Path, keys: dict[str, Path], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.content.archive as archive
    # A zip bomb: a tiny file that inflates far beyond its signed size is cut off.
    content = members(signed_ms)
    content[PREFIX + "services.yaml"] = content[PREFIX + "services.yaml"] + b" " * 5_000_000
    bomb = rezip(tmp_path / "bomb.lantern", content)
    assert bomb.stat().st_size < 200_000
    refused(bomb, keys, "larger than it should be")
    monkeypatch.setattr(archive, "MAX_FILES", 3)
    refused(signed_ms, keys, "holds .* entries; the limit is 5")
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 1000)
    refused(signed_ms, keys, "a pack file may be at most 1000")


def test_not_a_zip_at_all(tmp_path: Path, keys: dict[str, Path]) -> None:
    junk = tmp_path / "junk.lantern"
    junk.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    refused(junk, keys, "not a pack file")
    refused(tmp_path / "missing.lantern", keys, "cannot read it")


def test_extract_writes_only_inside_the_new_folder(signed_ms: Path, keys: dict[str, Path],
                                                   tmp_path: Path) -> None:
    dest = tmp_path / "stage"
    with PackFile(signed_ms) as pf:
        manifest, root = pf.extract(trusted(keys), dest)
    assert root == dest / "us-ms-sample"
    written = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert written == set(manifest.files)
    assert (root / "pack.yaml").read_bytes() == (MS / "pack.yaml").read_bytes()


# --- the commands ------------------------------------------------------------------------

def test_build_refuses_a_pack_with_errors_and_a_secret_inside(kiosk_cmd: list[str], tmp_path: Path,
                                                              keys: dict[str, Path]) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(TINY, bad)
    manifest = bad / "pack.yaml"
    manifest.write_text(re.sub(r"(?m)^neutral: .*$", "neutral: nowhere", manifest.read_text()))
    out = tmp_path / "bad.lantern"
    run = subprocess.run([*kiosk_cmd, "pack", "build", str(bad), str(out), "--key", str(keys["key"])],
                         capture_output=True, text=True)
    assert run.returncode == 1 and not out.exists()
    assert "bad/pack.yaml:" in run.stderr and "neutral 'nowhere' is not a node" in run.stderr and "has errors; not building" in run.stderr
    leaky = tmp_path / "leaky"
    shutil.copytree(TINY, leaky)
    shutil.copy(keys["key"], leaky / "notes.txt")
    run = subprocess.run([*kiosk_cmd, "pack", "build", str(leaky), str(out), "--key", str(keys["key"])],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "looks like a SECRET signing key" in run.stderr
    assert "Traceback" not in run.stderr


def test_keygen_build_and_verify_commands(kiosk_cmd: list[str], tmp_path: Path, keys: dict[str, Path]) -> None:
    gen = subprocess.run([*kiosk_cmd, "keygen", str(tmp_path / "admin")], capture_output=True, text=True)
    assert gen.returncode == 0, gen.stderr
    out = tmp_path / "tiny.lantern"
    built = subprocess.run([*kiosk_cmd, "pack", "build", str(TINY), str(out), "--key",
                            str(tmp_path / "admin.key"), "--expires", "2099-01-01"],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    ok = subprocess.run([*kiosk_cmd, "pack", "verify", str(out), "--pubkey", str(tmp_path / "admin.pub")],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "signature good" in ok.stdout, ok.stderr
    wrong = subprocess.run([*kiosk_cmd, "pack", "verify", str(out), "--pubkey", str(keys["pub"])],
                           capture_output=True, text=True)
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("kiosk: ") and "REFUSED" in wrong.stderr and "Traceback" not in wrong.stderr


def test_a_key_name_cannot_escape_the_trust_folder(tmp_path: Path, keys: dict[str, Path]) -> None:
    raw = keys["pub"].read_text().split()[1]
    evil = tmp_path / "evil.pub"
    evil.write_text(f"lantern-public-key-v1 {raw} ../../outside\n")
    target = trust_key(evil, tmp_path / "trust")
    assert target.parent == tmp_path / "trust" and target.name.startswith("key-")
