"""Ed25519 keys and signatures for regional packs (PyNaCl).

A facility signs packs on an offline admin machine with NAME.key; devices hold
only public keys (data_dir()/trust/*.pub) and accept a pack only when one of
them verifies its signed manifest. The signature covers a short context string
plus the manifest's exact bytes, so a signature made for anything else can
never pass as a pack signature.

Keys are rotated without a visit by a signed *trust statement* (see
docs/provisioning.md, "Rotating keys"): the complete list of keys a device
should trust, with a version number, signed by a key the device trusts now.
A device applies a statement only when its version is higher than the last
one applied (no rollback to an older key list), adds the keys it lists and
retires every other key. A retired key stays refused, even if its .pub file
comes back (a boot-partition configuration applied again, a backup restored),
until an administrator at the device trusts it again with `kiosk pack trust`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from nacl.exceptions import BadSignatureError, CryptoError
from nacl.signing import SigningKey, VerifyKey

from kiosk.system.paths import data_dir

SECRET_HEADER = "lantern-secret-key-v1"
PUBLIC_HEADER = "lantern-public-key-v1"
SIGNATURE_CONTEXT = b"lantern-pack-signature-v1\x00"
TRUST_FORMAT = "lantern-trust-v1"
TRUST_CONTEXT = b"lantern-trust-statement-v1\x00"
TRUST_STATE = "state.json"
MAX_TRUST_FILE = 64 * 1024
MAX_TRUST_KEYS = 32
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_KEY_FILE = 4096


class KeyFileError(Exception):
    """A key file that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class PublicKey:
    name: str
    raw: bytes  # 32 bytes
    path: Path | None = None

    @property
    def key_id(self) -> str:
        return key_id(self.raw)

    def verifies(self, message: bytes, signature: bytes) -> bool:
        try:
            VerifyKey(self.raw).verify(SIGNATURE_CONTEXT + message, signature)
        except (BadSignatureError, CryptoError, ValueError, TypeError):
            return False
        return True


def key_id(raw: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:16]


def trust_dir() -> Path:
    return data_dir() / "trust"


def _key_paths(name: str) -> tuple[Path, Path]:
    base = Path(name)
    stem = base.name.removesuffix(".key").removesuffix(".pub")
    if not NAME_RE.match(stem):
        raise KeyFileError(f"'{stem}' is not a usable key name; use letters, digits, '.', '_' and '-'")
    return base.with_name(stem + ".key"), base.with_name(stem + ".pub")


def generate_keypair(name: str) -> tuple[Path, Path]:
    """Write NAME.key (secret, mode 0600) and NAME.pub; never overwrite either."""
    secret_path, public_path = _key_paths(name)
    for path in (secret_path, public_path):
        if path.exists() or path.is_symlink():
            raise KeyFileError(f"{path} already exists; choose another name (keys are never overwritten)")
    signing = SigningKey.generate()
    stem = secret_path.name.removesuffix(".key")
    secret_text = f"{SECRET_HEADER}\n{base64.b64encode(bytes(signing)).decode()}\n"
    public_raw = bytes(signing.verify_key)
    public_text = f"{PUBLIC_HEADER} {base64.b64encode(public_raw).decode()} {stem}\n"
    # O_EXCL: a file that appears meanwhile is not followed or replaced.
    fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret_text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(secret_path, 0o600)  # whatever the umask said
    fd = os.open(public_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(public_text)
    return secret_path, public_path


def _read_small(path: Path, what: str) -> str:
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise KeyFileError(f"{path}: too large to be a {what}")
        return path.read_text("ascii")
    except FileNotFoundError:
        raise KeyFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"{path}: cannot read the {what}: {getattr(exc, 'strerror', None) or exc}") from None


def _b64(text: str, size: int, path: Path, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size:
        raise KeyFileError(f"{path}: not a Lantern {what} (damaged or another format)")
    return raw


def read_secret_key(path: Path) -> SigningKey:
    path = Path(path)
    lines = _read_small(path, "secret key").split()
    if len(lines) != 2 or lines[0] != SECRET_HEADER:
        if lines and lines[0] == PUBLIC_HEADER:
            raise KeyFileError(f"{path} is a public key; signing needs the secret NAME.key")
        raise KeyFileError(f"{path}: not a Lantern secret key (made by `kiosk keygen`)")
    mode = path.stat().st_mode & 0o077
    if mode:
        raise KeyFileError(f"{path} can be read by other users (mode {oct(path.stat().st_mode & 0o777)}); "
                        f"run `chmod 600 {path}` first")
    return SigningKey(_b64(lines[1], 32, path, "secret key"))


def read_public_key(path: Path) -> PublicKey:
    path = Path(path)
    parts = _read_small(path, "public key").split()
    if not parts or parts[0] != PUBLIC_HEADER or len(parts) not in (2, 3):
        if parts and parts[0] == SECRET_HEADER:
            raise KeyFileError(f"{path} is a SECRET key; devices need only NAME.pub (keep NAME.key offline)")
        raise KeyFileError(f"{path}: not a Lantern public key (made by `kiosk keygen`)")
    name = parts[2] if len(parts) == 3 else path.stem
    if not NAME_RE.match(name):  # the name becomes part of a file name in the trust folder
        name = "key"
    return PublicKey(name, _b64(parts[1], 32, path, "public key"), path)


def trusted_keys(folder: Path | None = None) -> tuple[list[PublicKey], list[str]]:
    """The public keys this device trusts, and a note for each trust file it cannot use."""
    folder = folder or trust_dir()
    retired = set(read_trust_state(folder).retired)
    keys: list[PublicKey] = []
    notes: list[str] = []
    for path in sorted(folder.glob("*.pub")) if folder.is_dir() else ():
        try:
            key = read_public_key(path)
        except KeyFileError as exc:
            notes.append(str(exc))
            continue
        if key.key_id in retired:
            notes.append(f"{path}: key '{key.name}' ({key.key_id}) was retired by a trust statement and "
                         "is not used; `kiosk pack trust` it again to undo that")
            continue
        keys.append(key)
    return keys, notes


def trust_key(pub_path: Path, folder: Path | None = None) -> Path:
    """Copy a public key into the trust folder (named by its key id: no clashes).

    An administrator trusting a key by hand also takes it off the retired list."""
    key = read_public_key(pub_path)
    folder = folder or trust_dir()
    target = write_trusted(key, folder)
    state = read_trust_state(folder)
    if key.key_id in state.retired:
        write_trust_state(folder, TrustState(state.version, tuple(k for k in state.retired if k != key.key_id),
                                             state.applied))
    return target


def public_key_text(key: PublicKey) -> str:
    return f"{PUBLIC_HEADER} {base64.b64encode(key.raw).decode()} {key.name}\n"


def parse_public_key_text(text: str, where: str) -> PublicKey:
    """A public key given as the one line of a NAME.pub file (as in lantern.toml)."""
    parts = text.split()
    if len(parts) not in (2, 3) or parts[0] != PUBLIC_HEADER:
        if parts and parts[0] == SECRET_HEADER:
            raise KeyFileError(f"{where}: this is a SECRET key; give the public key (NAME.pub) instead")
        raise KeyFileError(f"{where}: not a Lantern public key line ('{PUBLIC_HEADER} BASE64 NAME')")
    name = parts[2] if len(parts) == 3 else "key"
    if not NAME_RE.match(name):
        raise KeyFileError(f"{where}: '{name}' is not a usable key name; use letters, digits, '.', '_' and '-'")
    return PublicKey(name, _b64(parts[1], 32, Path(where), "public key"))


def write_trusted(key: PublicKey, folder: Path) -> Path:
    """Write one key into the trust folder, atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key.name}-{key.key_id}.pub"
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(public_key_text(key), "ascii")
    os.replace(tmp, target)
    return target


def untrust_key(which: str, folder: Path | None = None) -> list[Path]:
    """Remove trust files whose key id, key name or file name is `which`."""
    folder = folder or trust_dir()
    removed = []
    for path in sorted(folder.glob("*.pub")) if folder.is_dir() else ():
        try:
            key = read_public_key(path)
            names = {key.key_id, key.name, path.name, path.stem}
        except KeyFileError:
            names = {path.name, path.stem}
        if which in names:
            path.unlink()
            removed.append(path)
    return removed


def sign(secret: SigningKey, message: bytes) -> bytes:
    return secret.sign(SIGNATURE_CONTEXT + message).signature


# --- trust statements: rotating keys without a visit ----------------------------------------

class TrustRefused(Exception):
    """A trust statement that is not applied; the message says why. Nothing changed."""


@dataclass(frozen=True)
class TrustState:
    """trust/state.json: the version of the last trust statement applied and the retired key ids."""

    version: int = 0
    retired: tuple[str, ...] = ()
    applied: str = ""  # SHA-256 of the applied statement's signed content


@dataclass(frozen=True)
class TrustStatement:
    version: int
    created: dt.date
    expires: dt.date | None
    keys: tuple[PublicKey, ...]
    signer: str  # key id of the key that signed it
    payload: bytes  # the exact signed bytes


@dataclass(frozen=True)
class TrustChange:
    status: str  # "applied" or "unchanged"
    version: int
    added: list[PublicKey] = field(default_factory=list)
    retired: list[PublicKey] = field(default_factory=list)


def read_trust_state(folder: Path | None = None) -> TrustState:
    path = (folder or trust_dir()) / TRUST_STATE
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return TrustState()
    if not isinstance(data, dict):
        return TrustState()
    version = data.get("version")
    retired = data.get("retired")
    applied = data.get("applied")
    return TrustState(version if isinstance(version, int) else 0,
                      tuple(r for r in retired if isinstance(r, str)) if isinstance(retired, list) else (),
                      applied if isinstance(applied, str) else "")


def write_trust_state(folder: Path, state: TrustState) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{TRUST_STATE}.{secrets.token_hex(4)}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"version": state.version, "retired": sorted(state.retired), "applied": state.applied}, fh,
                  indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / TRUST_STATE)


def make_trust_statement(secret: SigningKey, version: int, keys: list[PublicKey], created: dt.date,
                         expires: dt.date | None = None) -> bytes:
    """The statement file's bytes: every key the devices should trust from now on, signed."""
    if version < 1:
        raise TrustRefused("the version of a trust statement must be 1 or more")
    if not keys:
        raise TrustRefused("a trust statement must list at least one key (devices never trust none)")
    payload = json.dumps({
        "format": TRUST_FORMAT,
        "version": version,
        "created": created.isoformat(),
        "expires": expires.isoformat() if expires else None,
        "keys": [{"name": k.name, "public": base64.b64encode(k.raw).decode()} for k in keys],
    }, indent=1, sort_keys=True).encode()
    signature = secret.sign(TRUST_CONTEXT + payload).signature
    return (json.dumps({
        "format": TRUST_FORMAT,
        "key_id": key_id(bytes(secret.verify_key)),
        "signature": base64.b64encode(signature).decode(),
        "payload": base64.b64encode(payload).decode(),
    }, indent=1) + "\n").encode()


def _date_or_none(value: object, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise TrustRefused(f"its '{what}' is not a date like 2027-06-30") from None


def parse_trust_statement(data: bytes, trusted: list[PublicKey]) -> TrustStatement:
    """Check the signature against the keys trusted now, then read what it says."""
    if len(data) > MAX_TRUST_FILE:
        raise TrustRefused(f"it is larger than {MAX_TRUST_FILE} bytes: not a trust statement")
    try:
        outer = json.loads(data)
        if not isinstance(outer, dict) or outer.get("format") != TRUST_FORMAT:
            raise ValueError
        signature = base64.b64decode(str(outer["signature"]), validate=True)
        payload = base64.b64decode(str(outer["payload"]), validate=True)
    except (ValueError, KeyError, binascii.Error):
        raise TrustRefused(f"it is not a Lantern trust statement ({TRUST_FORMAT}, made by "
                           "`kiosk pack trust-sign`)") from None
    if not trusted:
        raise TrustRefused("this device trusts no key yet, so no trust statement can be checked; "
                           "trust the facility's key first (`kiosk pack trust` or lantern.toml)")
    signer = next((k for k in trusted if _verifies_statement(k, payload, signature)), None)
    if signer is None:
        raise TrustRefused("it is not signed by a key this device trusts (changed after signing, "
                           "signed with an unknown key, or with a retired one)")
    try:
        inner = json.loads(payload)
        version = inner["version"]
        entries = inner["keys"]
        created = _date_or_none(inner["created"], "created")
        if inner.get("format") != TRUST_FORMAT or not isinstance(version, int) or isinstance(version, bool) \
                or not isinstance(entries, list) or created is None:
            raise ValueError
        keys = tuple(PublicKey(str(e["name"]), _b64(str(e["public"]), 32, Path("trust statement"),
                                                      "public key")) for e in entries)
    except (ValueError, KeyError, TypeError, KeyFileError):
        raise TrustRefused("its signed content is malformed") from None
    if version < 1 or not keys or len(keys) > MAX_TRUST_KEYS:
        raise TrustRefused(f"it must have a version of 1 or more and list 1 to {MAX_TRUST_KEYS} keys")
    if any(not NAME_RE.match(k.name) for k in keys):
        raise TrustRefused("a key name in it is not usable (letters, digits, '.', '_' and '-')")
    return TrustStatement(version, created, _date_or_none(inner.get("expires"), "expires"), keys,
                          signer.key_id, payload)


def _payload_digest(data: bytes) -> str | None:
    try:
        outer = json.loads(data)
        return hashlib.sha256(base64.b64decode(str(outer["payload"]), validate=True)).hexdigest()
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def _verifies_statement(key: PublicKey, payload: bytes, signature: bytes) -> bool:
    try:
        VerifyKey(key.raw).verify(TRUST_CONTEXT + payload, signature)
    except (BadSignatureError, CryptoError, ValueError, TypeError):
        return False
    return True


def apply_trust_statement(data: bytes, folder: Path | None = None, today: dt.date | None = None) -> TrustChange:
    """Check a trust statement and make the device trust exactly the keys it lists.

    Order matters for a crash or a full disk part-way: (1) the new keys are
    written; (2) the state (version, retired key ids) is written; (3) only then
    are the retired keys' files removed. Before (2) nothing is retired and the
    same statement is applied again next time (its signer is still trusted);
    after (2) the old keys are refused whether or not their files are gone,
    and the leftovers are removed the next time the statement is seen."""
    folder = folder or trust_dir()
    today = today or dt.date.today()
    keys, _notes = trusted_keys(folder)
    state = read_trust_state(folder)
    if state.applied and _payload_digest(data) == state.applied:
        # The statement applied last time, still published: nothing to do, even when it
        # retired the very key that signed it (which can no longer be checked).
        _remove_retired(folder, set(state.retired))
        return TrustChange("unchanged", state.version)
    statement = parse_trust_statement(data, keys)
    wanted = {k.key_id for k in statement.keys}
    current = {k.key_id for k in keys}
    if statement.version == state.version and wanted == current:
        return TrustChange("unchanged", statement.version)
    if statement.version <= state.version:
        raise TrustRefused(f"its version {statement.version} is not newer than version {state.version}, "
                           "already applied on this device (an old statement sent again?)")
    if statement.expires is not None and statement.expires < today:
        raise TrustRefused(f"it expired on {statement.expires}; sign a new one")
    added = [k for k in statement.keys if k.key_id not in current]
    for key in statement.keys:
        write_trusted(key, folder)
    retired = [k for k in keys if k.key_id not in wanted]
    retired_ids = (set(state.retired) | {k.key_id for k in retired}) - wanted
    write_trust_state(folder, TrustState(statement.version, tuple(sorted(retired_ids)),
                                         hashlib.sha256(statement.payload).hexdigest()))
    _remove_retired(folder, wanted, keep=True)
    return TrustChange("applied", statement.version, added, retired)


def _remove_retired(folder: Path, ids: set[str], keep: bool = False) -> None:
    """Remove the .pub files of the keys in `ids` (keep=False) or of every key not in `ids`
    (keep=True). Their ids are already in the state, so a file left behind is refused anyway."""
    for path in sorted(folder.glob("*.pub")) if folder.is_dir() else ():
        try:
            found = read_public_key(path).key_id
        except KeyFileError:
            continue
        if (found in ids) != keep:
            path.unlink(missing_ok=True)
