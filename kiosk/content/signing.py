"""Ed25519 keys and signatures for regional packs (PyNaCl).

A facility signs packs on an offline admin machine with NAME.key; devices hold
only public keys (data_dir()/trust/*.pub) and accept a pack only when one of
them verifies its signed manifest. The signature covers a short context string
plus the manifest's exact bytes, so a signature made for anything else can
never pass as a pack signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import BadSignatureError, CryptoError
from nacl.signing import SigningKey, VerifyKey

from kiosk.system.paths import data_dir

SECRET_HEADER = "lantern-secret-key-v1"
PUBLIC_HEADER = "lantern-public-key-v1"
SIGNATURE_CONTEXT = b"lantern-pack-signature-v1\x00"
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
    keys: list[PublicKey] = []
    notes: list[str] = []
    for path in sorted(folder.glob("*.pub")) if folder.is_dir() else ():
        try:
            keys.append(read_public_key(path))
        except KeyFileError as exc:
            notes.append(str(exc))
    return keys, notes


def trust_key(pub_path: Path, folder: Path | None = None) -> Path:
    """Copy a public key into the trust folder (named by its key id: no clashes)."""
    key = read_public_key(pub_path)
    folder = folder or trust_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key.name}-{key.key_id}.pub"
    tmp = folder / f".{target.name}.tmp"
    tmp.write_text(f"{PUBLIC_HEADER} {base64.b64encode(key.raw).decode()} {key.name}\n", "ascii")
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


def public_of(secret: SigningKey, name: str) -> PublicKey:
    return PublicKey(name, bytes(secret.verify_key))
