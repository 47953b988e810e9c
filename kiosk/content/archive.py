"""One signed file per pack: a zip of the pack's files plus a signed manifest.

Layout of the zip:

    lantern/manifest.json   what is signed: pack id, region, version, dates, and
                            every file's size and SHA-256
    lantern/signature       64-byte Ed25519 signature of the manifest (signing.py)
    pack/...                the pack folder's files

Reading treats the file as hostile. Before the signature is checked only the
zip's table of contents is looked at (sizes, counts, kinds of entry) and the
two manifest entries are read with hard size limits; nothing else is parsed.
After it: the set of files must be exactly the signed set, every path must be
a plain relative path, and every file must hash to its signed value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

from kiosk.content.load import PACK_ID_RE
from kiosk.content.model import Manifest
from kiosk.content.overlay import REGION_RE
from kiosk.content.signing import PublicKey, SigningKey, key_id, sign

FORMAT = "lantern-pack/1"
MANIFEST_NAME = "lantern/manifest.json"
SIGNATURE_NAME = "lantern/signature"
PREFIX = "pack/"
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_FILES = 2000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_DEPTH = 8
MAX_PATH = 200
PART_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$")  # no leading dot, no spaces
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 64 * 1024
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # reproducible archives


class PackRefused(Exception):
    """The pack file is not accepted; the message says why, for an administrator."""


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int


@dataclass(frozen=True)
class SignedManifest:
    pack_id: str
    region: str
    version: int
    extends: str | None
    sample: bool
    created: dt.date
    expires: dt.date | None
    key_id: str
    files: dict[str, FileEntry]
    raw: bytes  # the exact signed bytes

    @property
    def root_name(self) -> str:
        """The pack's folder name once unpacked: problems then read `<pack id>/flows/...`."""
        return self.pack_id


# --- paths ------------------------------------------------------------------

def check_relpath(name: str) -> str:
    """A path inside a pack: relative, '/'-separated, plain names, no '..' or hidden parts."""
    if not name or len(name) > MAX_PATH or "\\" in name or name.startswith("/"):
        raise PackRefused(f"unsafe file name {name!r} in the pack")
    parts = name.split("/")
    if len(parts) > MAX_DEPTH:
        raise PackRefused(f"file {name!r} is nested more than {MAX_DEPTH} folders deep")
    for part in parts:
        if part in ("", ".", "..") or not PART_RE.match(part):
            raise PackRefused(f"unsafe file name {name!r} in the pack (use letters, digits, '.', '_', '-'; "
                              "no hidden files, no '..')")
    return name


def collect_files(src: Path) -> list[tuple[str, Path]]:
    """The files a pack folder ships, sorted; refuses anything but plain files."""
    src = Path(src)
    out: list[tuple[str, Path]] = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for d in dirnames:
            if (here / d).is_symlink():
                raise PackRefused(f"{here / d} is a symbolic link; packs hold only plain files")
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(".pyc"):
                continue
            path = here / name
            rel = path.relative_to(src).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
                raise PackRefused(f"{path} is not a plain file (a link or device?); packs hold only plain files")
            if name.endswith(".key") or _looks_secret(path):
                raise PackRefused(f"{path} looks like a SECRET signing key; never put it in a pack folder")
            check_relpath(rel)
            if info.st_size > MAX_FILE_BYTES:
                raise PackRefused(f"{path} is {info.st_size} bytes; the limit is {MAX_FILE_BYTES}")
            total += info.st_size
            out.append((rel, path))
    if len(out) > MAX_FILES:
        raise PackRefused(f"the pack has {len(out)} files; the limit is {MAX_FILES}")
    if total > MAX_TOTAL_BYTES:
        raise PackRefused(f"the pack's files add up to {total} bytes; the limit is {MAX_TOTAL_BYTES}")
    return out


def _looks_secret(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(32).startswith(b"lantern-secret-key")
    except OSError:
        return False


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- building ---------------------------------------------------------------

def manifest_bytes(manifest: Manifest, files: dict[str, FileEntry], created: dt.date,
                   expires: dt.date | None, signer_id: str) -> bytes:
    body = {
        "format": FORMAT,
        "pack_id": manifest.id,
        "region": manifest.region,
        "version": manifest.version,
        "extends": manifest.extends,
        "sample": manifest.sample,
        "created": created.isoformat(),
        "expires": expires.isoformat() if expires else None,
        "key_id": signer_id,
        "files": {name: {"sha256": e.sha256, "size": e.size} for name, e in sorted(files.items())},
    }
    return (json.dumps(body, indent=1, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")


def write_archive(src: Path, out: Path, manifest: Manifest, secret: SigningKey,
                  created: dt.date, expires: dt.date | None) -> SignedManifest:
    """Sign and write the pack file; `out` appears whole or not at all."""
    files = collect_files(src)
    entries = {rel: FileEntry(_sha256_file(path), path.stat().st_size) for rel, path in files}
    signer = key_id(bytes(secret.verify_key))
    raw = manifest_bytes(manifest, entries, created, expires, signer)
    signature = sign(secret, raw)
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in ((MANIFEST_NAME, raw), (SIGNATURE_NAME, signature)):
                zf.writestr(_info(name), data)
            for rel, path in files:
                with open(path, "rb") as src_fh, zf.open(_info(PREFIX + rel), "w") as dst:
                    for chunk in iter(lambda: src_fh.read(_CHUNK), b""):
                        dst.write(chunk)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return parse_manifest(raw)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


# --- reading ----------------------------------------------------------------

def parse_manifest(raw: bytes) -> SignedManifest:
    """The signed manifest's fields, checked (run only on bytes whose signature is good)."""
    try:
        body = json.loads(raw.decode("ascii"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackRefused(f"the signed manifest is not valid JSON ({exc})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise PackRefused(f"not a {FORMAT} pack (made by a different version of Lantern?)")

    def field(key: str, kind: type | tuple[type, ...], optional: bool = False):  # type: ignore[no-untyped-def]
        value = body.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            raise PackRefused(f"the signed manifest has a bad '{key}'")
        return value

    def date(key: str, optional: bool = False) -> dt.date | None:
        value = field(key, str, optional)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PackRefused(f"the signed manifest has a bad '{key}' date") from None

    pack_id = field("pack_id", str)
    region = field("region", str)
    if not PACK_ID_RE.match(pack_id) or not REGION_RE.match(region):
        raise PackRefused("the signed manifest has a bad pack id or region")
    version = field("version", int)
    if version < 1:
        raise PackRefused("the signed manifest has a bad 'version'")
    files_raw = field("files", dict)
    files: dict[str, FileEntry] = {}
    for name, entry in files_raw.items():
        check_relpath(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) \
                or not SHA_RE.match(entry["sha256"]) or not isinstance(entry.get("size"), int) \
                or isinstance(entry.get("size"), bool) or not 0 <= entry["size"] <= MAX_FILE_BYTES:
            raise PackRefused(f"the signed manifest has a bad entry for {name!r}")
        files[name] = FileEntry(entry["sha256"], entry["size"])
    if "pack.yaml" not in files:
        raise PackRefused("the pack has no pack.yaml")
    if len(files) > MAX_FILES or sum(e.size for e in files.values()) > MAX_TOTAL_BYTES:
        raise PackRefused("the pack is larger than a device accepts")
    folded = [n.casefold() for n in files]
    if len(set(folded)) != len(folded):
        raise PackRefused("the pack has two files whose names differ only in upper/lower case")
    extends = field("extends", str, optional=True)
    sample = body.get("sample") is True
    return SignedManifest(pack_id=pack_id, region=region, version=version, extends=extends, sample=sample,
                          created=date("created"), expires=date("expires", optional=True),  # type: ignore[arg-type]
                          key_id=field("key_id", str), files=files, raw=raw)


class PackFile:
    """A pack file opened for checking; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise PackRefused(f"{self.path}: cannot read it: {exc.strerror}") from None
        if size > MAX_ARCHIVE_BYTES:
            raise PackRefused(f"{self.path} is {size} bytes; a pack file may be at most {MAX_ARCHIVE_BYTES}")
        try:
            self.zf = zipfile.ZipFile(self.path)
        except Exception as exc:  # BadZipFile, NotImplementedError, OSError...: never a crash
            raise PackRefused(f"{self.path} is not a pack file (not a readable zip: {exc})") from None
        try:
            self.members = self._members()
        except BaseException:
            self.zf.close()
            raise

    def __enter__(self) -> "PackFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def _members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zf.infolist()
        if len(infos) > MAX_FILES + 2:
            raise PackRefused(f"the pack file holds {len(infos)} entries; the limit is {MAX_FILES + 2}")
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip tool did not say
            if info.is_dir() or kind not in (0, stat.S_IFREG):
                raise PackRefused(f"entry {info.filename!r} is a folder, link or device; a pack holds "
                                  "only plain files")
            if info.flag_bits & 0x1:
                raise PackRefused(f"entry {info.filename!r} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise PackRefused(f"entry {info.filename!r} uses an unsupported compression")
            if info.file_size > MAX_FILE_BYTES:
                raise PackRefused(f"entry {info.filename!r} is larger than {MAX_FILE_BYTES} bytes")
            if info.filename in members:
                raise PackRefused(f"entry {info.filename!r} appears twice")
            members[info.filename] = info
        for needed in (MANIFEST_NAME, SIGNATURE_NAME):
            if needed not in members:
                raise PackRefused(f"the pack file has no {needed} (not signed, or not a Lantern pack)")
        return members

    def _stream(self, name: str, limit: int) -> Iterator[bytes]:
        """A member's bytes in chunks, never more than `limit` in all (zip bombs stop here)."""
        count = 0
        try:
            with self.zf.open(self.members[name]) as fh:
                while chunk := fh.read(_CHUNK):
                    count += len(chunk)
                    if count > limit:
                        raise PackRefused(f"entry {name!r} is larger than it should be ({limit} bytes)")
                    yield chunk
        except PackRefused:
            raise
        except Exception as exc:  # BadZipFile, zlib.error, CRC errors, EOF: damaged, never a crash
            raise PackRefused(f"entry {name!r} is damaged ({type(exc).__name__}: {exc})") from None

    def read_small(self, name: str, limit: int) -> bytes:
        return b"".join(self._stream(name, limit))

    def verify_signature(self, keys: list[PublicKey]) -> SignedManifest:
        """Check the signature first; only then parse the manifest it covers."""
        raw = self.read_small(MANIFEST_NAME, MAX_MANIFEST_BYTES)
        signature = self.read_small(SIGNATURE_NAME, 64)
        if not keys:
            raise PackRefused("this device trusts no signing keys yet; add the facility's public key "
                              "with `kiosk pack trust NAME.pub`")
        if len(signature) != 64 or not any(k.verifies(raw, signature) for k in keys):
            raise PackRefused("the signature does not match any key this device trusts (the pack was "
                              "changed after signing, or signed with another key)")
        manifest = parse_manifest(raw)
        self._check_member_set(manifest)
        return manifest

    def _check_member_set(self, manifest: SignedManifest) -> None:
        signed = {PREFIX + name for name in manifest.files}
        present = set(self.members) - {MANIFEST_NAME, SIGNATURE_NAME}
        extra = sorted(present - signed)
        missing = sorted(signed - present)
        if extra:
            raise PackRefused(f"file {extra[0][len(PREFIX):] if extra[0].startswith(PREFIX) else extra[0]!r} "
                              "is in the pack file but not in its signed manifest (added after signing)")
        if missing:
            raise PackRefused(f"file {missing[0][len(PREFIX):]!r} is in the signed manifest but missing "
                              "from the pack file")

    def copy_checked(self, manifest: SignedManifest, name: str, out: IO[bytes] | None) -> None:
        """Stream one file, checking its size and hash; write it to `out` when given."""
        entry = manifest.files[name]
        digest = hashlib.sha256()
        size = 0
        for chunk in self._stream(PREFIX + name, entry.size):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
        if size != entry.size or digest.hexdigest() != entry.sha256:
            raise PackRefused(f"file {name!r} does not match its signed hash (changed after signing)")

    def verify(self, keys: list[PublicKey]) -> SignedManifest:
        manifest = self.verify_signature(keys)
        for name in sorted(manifest.files):
            self.copy_checked(manifest, name, None)
        return manifest

    def extract(self, keys: list[PublicKey], dest: Path) -> tuple[SignedManifest, Path]:
        """Verify, then write the files under dest/<pack id>/ (dest must be new and empty).
        Every file is hashed again as it is written."""
        manifest = self.verify(keys)
        root = Path(dest) / manifest.root_name
        root.mkdir(parents=True)
        for name in sorted(manifest.files):
            target = root.joinpath(*name.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as fh:
                self.copy_checked(manifest, name, fh)
                fh.flush()
                os.fsync(fh.fileno())
        return manifest, root


def verify_file(path: Path, keys: list[PublicKey]) -> SignedManifest:
    with PackFile(path) as pf:
        return pf.verify(keys)


def check_folder(root: Path, manifest: SignedManifest) -> str | None:
    """Does an unpacked pack folder still hold exactly the signed files? None when it does."""
    root = Path(root)
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            seen.add((Path(dirpath) / name).relative_to(root).as_posix())
    extra = sorted(seen - set(manifest.files))
    if extra:
        return f"{extra[0]} was added after install"
    for name, entry in sorted(manifest.files.items()):
        path = root.joinpath(*name.split("/"))
        try:
            if path.is_symlink() or path.stat().st_size != entry.size or _sha256_file(path) != entry.sha256:
                return f"{name} was changed after install"
        except OSError:
            return f"{name} is missing or unreadable"
    return None
