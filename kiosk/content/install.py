"""Installing signed packs so that a device is never left without a working pack.

Layout under data_dir()/packs/:

    current   -> <slot>        symlinks, each replaced in one step (os.replace)
    last-good -> <slot>
    <slot>/signed/manifest.json, signature    the pack's signed manifest, kept
    <slot>/<pack id>/...                       the pack's files, as signed
    <slot>/directory.sqlite                    its services directory
    state.json                                 highest version seen per pack id,
                                               the last automatic rollback
    .staging-*, .download-*                    work in progress (cleaned up)
    .lock                                      one install at a time

An install verifies the file, unpacks it into a staging folder, checks it
(merged with the built-in pack), builds the directory, fsyncs, renames the
staging folder into a slot, points `last-good` at the old pack and only then
`current` at the new one. A crash at any point leaves `current` at the old or
the new pack, both complete. At start-up `select_pack_for_start()` falls back
from current to last-good to the built-in pack.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from kiosk.content.archive import SIGNATURE_NAME, PackFile, PackRefused, SignedManifest, \
    check_folder, parse_manifest
from kiosk.content.builtin import builtin_root
from kiosk.content.model import Pack
from kiosk.content.phones import country_of
from kiosk.content.problems import Problem, has_errors, sort_problems
from kiosk.content.signing import PublicKey, trusted_keys
from kiosk.system.paths import CURRENT, LAST_GOOD, packs_dir

STATE = "state.json"
SIGNED = "signed"


@dataclass(frozen=True)
class Installed:
    """A pack in a slot, as its signed manifest describes it."""

    slot: Path
    manifest: SignedManifest

    @property
    def root(self) -> Path:
        return self.slot / self.manifest.root_name


@dataclass(frozen=True)
class InstallResult:
    status: str  # "installed" or "unchanged"
    installed: Installed | None
    previous: Installed | None
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # warnings found while checking


class InstallRefused(PackRefused):
    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


# --- small durable file operations --------------------------------------------

def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(Path(dirpath) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


def point(link_name: str, slot: Path, base: Path) -> None:
    """Make base/link_name -> slot in one step: a new symlink renamed over the old one."""
    tmp = base / f".{link_name}.{secrets.token_hex(4)}.tmp"
    os.symlink(slot.name, tmp)
    os.replace(tmp, base / link_name)
    fsync_dir(base)


def write_json_atomic(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def read_state(base: Path | None = None) -> dict:
    path = (base or packs_dir()) / STATE
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextmanager
def install_lock(base: Path) -> Iterator[None]:
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InstallRefused("another pack install is running; try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- reading what is installed ---------------------------------------------------

def read_slot(slot: Path) -> Installed:
    """The pack in a slot; raises PackRefused when its signed manifest is unusable."""
    try:
        raw = (slot / SIGNED / "manifest.json").read_bytes()
    except OSError as exc:
        raise PackRefused(f"{slot.name}: signed manifest unreadable ({exc.strerror})") from None
    return Installed(slot, parse_manifest(raw))


def linked(name: str, base: Path | None = None) -> Installed | None:
    """The pack `current` or `last-good` points at, or None."""
    base = base or packs_dir()
    link = base / name
    if not link.is_symlink():
        return None
    target = base / os.readlink(link)
    if target.parent != base or not target.is_dir():
        return None
    try:
        return read_slot(target)
    except PackRefused:
        return None


def check_installed(inst: Installed, keys: list[PublicKey]) -> list[str]:
    """Is an installed pack intact and still signed by a trusted key? Reasons if not."""
    try:
        signature = (inst.slot / SIGNED / "signature").read_bytes()
    except OSError:
        return ["its signature file is missing"]
    if not any(k.verifies(inst.manifest.raw, signature) for k in keys):
        return ["its signing key is no longer trusted on this device"]
    changed = check_folder(inst.root, inst.manifest)
    return [changed] if changed else []


# --- installing ------------------------------------------------------------------

def _check_against_device(new: SignedManifest, base: Path, force: bool) -> Installed | None:
    """Refuse replays and packs for another region; returns what is installed now."""
    current = linked(CURRENT, base)
    state = read_state(base)
    seen = dict(state.get("versions") or {})
    for inst in (current, linked(LAST_GOOD, base)):
        if inst is not None:
            seen[inst.manifest.pack_id] = max(int(seen.get(inst.manifest.pack_id, 0)), inst.manifest.version)
    highest = int(seen.get(new.pack_id, 0))
    if current is not None and current.manifest.raw == new.raw and not force:
        return current  # the very same signed pack: nothing to do
    if not force and new.version <= highest:
        raise InstallRefused(f"pack '{new.pack_id}' version {new.version} is not newer than version "
                             f"{highest}, already installed on this device (an old pack sent again?); "
                             "use --force to install it anyway")
    if not force:
        if current is not None and current.manifest.region != new.region:
            raise InstallRefused(f"this device runs a pack for region {current.manifest.region}; this pack is "
                                 f"for {new.region}. Use --force to change the device's region")
        if current is None:
            from kiosk.content.load import load_manifest
            builtin = load_manifest(builtin_root(), [])  # its pack.yaml only
            home = country_of(builtin.region) if builtin else None
            if home and country_of(new.region) != home:
                raise InstallRefused(f"this pack is for {new.region}, but this device's built-in pack is for "
                                     f"{home}. Use --force to install it anyway")
    return current


def _check_unpacked(root: Path, signed: SignedManifest, db_path: Path, today: dt.date) -> list[Problem]:
    """Load the unpacked pack merged with the built-in one, check it and its services, and
    build its directory database: one read of every file. Returns the warnings."""
    from kiosk.content.builtin import ui_defaults
    from kiosk.content.directory import build_directory, fingerprint, load_services, pack_layers
    from kiosk.content.overlay import load_any
    from kiosk.content.validate import check_pack

    loaded = load_any(root, ui_defaults)
    problems = list(loaded.problems)
    pack = loaded.pack
    if pack is not None:
        problems.extend(check_pack(pack, today))
    if pack is None or has_errors(problems):
        raise InstallRefused("the pack has errors and was not installed", sort_problems(problems))
    m = pack.manifest
    if (m.id, m.region, m.version) != (signed.pack_id, signed.region, signed.version):
        raise InstallRefused(f"pack.yaml says {m.id} {m.region} version {m.version}, but the signed manifest "
                             f"says {signed.pack_id} {signed.region} version {signed.version}")
    layers = pack_layers(pack)
    print_ = fingerprint(layers)
    if print_ is not None:
        services = load_services(layers, m.region, m.sample, today)
        problems.extend(services.problems)
        if has_errors(services.problems):
            raise InstallRefused("the pack's services have errors and it was not installed",
                                 sort_problems(services.problems))
        build_directory(services, db_path, print_)
    return [p for p in sort_problems(problems) if p.severity == "warning"]


def install_file(path: Path, force: bool = False, keys: list[PublicKey] | None = None,
                 today: dt.date | None = None) -> InstallResult:
    """Verify, unpack, check and switch to the pack in `path`. Raises InstallRefused/PackRefused
    with a message for the administrator; the running pack is untouched then."""
    from kiosk.content.directory import DB_NAME

    today = today or dt.date.today()
    base = packs_dir()
    if keys is None:
        keys, _notes = trusted_keys()
    with install_lock(base):
        cleanup(base)  # leftovers of an install that was cut short
        with PackFile(path) as pf:
            signed = pf.verify_signature(keys)
            current = _check_against_device(signed, base, force)
            if current is not None and current.manifest.raw == signed.raw and not force:
                return InstallResult("unchanged", current, current)
            signature = pf.read_small(SIGNATURE_NAME, 64)
            staging = base / f".staging-{secrets.token_hex(6)}"
            staging.mkdir()
            try:
                _manifest, root = pf.extract(keys, staging)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        try:
            (staging / SIGNED).mkdir()
            (staging / SIGNED / "manifest.json").write_bytes(signed.raw)
            (staging / SIGNED / "signature").write_bytes(signature)
            problems = _check_unpacked(root, signed, staging / DB_NAME, today)
            fsync_tree(staging)
            slot = base / f"{signed.pack_id}-v{signed.version}-{secrets.token_hex(4)}"
            os.rename(staging, slot)
            fsync_dir(base)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        # The switch: last-good first, so that a crash between the two steps leaves
        # current == last-good == the old pack.
        if current is not None:
            point(LAST_GOOD, current.slot, base)
        point(CURRENT, slot, base)
        if current is None:
            point(LAST_GOOD, slot, base)
        state = read_state(base)
        versions = dict(state.get("versions") or {})
        versions[signed.pack_id] = max(int(versions.get(signed.pack_id, 0)), signed.version)
        state["versions"] = versions
        state.pop("rollback", None)
        write_json_atomic(base / STATE, state)
        cleanup(base)
        new = Installed(slot, signed)
        warnings = expiry_warnings(signed, today)
        return InstallResult("installed", new, current, warnings, problems)


def expiry_warnings(signed: SignedManifest, today: dt.date) -> list[str]:
    if signed.expires is None:
        return []
    if signed.expires < today:
        return [f"pack '{signed.pack_id}' version {signed.version} expired on {signed.expires}; "
                "build and install a newer one"]
    if (signed.expires - today).days <= 30:
        return [f"pack '{signed.pack_id}' version {signed.version} expires on {signed.expires}"]
    return []


def cleanup(base: Path | None = None) -> list[Path]:
    """Remove slots nobody points at and leftovers of cut-short installs (call under the lock)."""
    base = base or packs_dir()
    if not base.is_dir():
        return []
    keep = set()
    for name in (CURRENT, LAST_GOOD):
        link = base / name
        if link.is_symlink():
            keep.add(os.readlink(link))
    removed = []
    for entry in base.iterdir():
        if entry.name in (CURRENT, LAST_GOOD, STATE, ".lock") or entry.name in keep:
            continue
        if entry.is_symlink() or entry.is_file():
            if entry.name.startswith("."):  # a temp link or file from a cut-short step
                entry.unlink(missing_ok=True)
                removed.append(entry)
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


# --- start-up --------------------------------------------------------------------

@dataclass(frozen=True)
class StartChoice:
    path: Path | None  # None: the built-in pack
    warnings: list[str]
    installed: Installed | None = None
    pack: Pack | None = None  # the opened pack, so that the caller need not load it twice
    directory: Path | None = None  # its services database, ready to query


def choose_start_pack(today: dt.date | None = None, keys: list[PublicKey] | None = None,
                      persist: bool = True, with_directory: bool = True) -> StartChoice:
    """current -> last-good -> built-in: the first that is intact, trusted, loads and validates.
    When current fails and last-good works, `current` is pointed back at last-good so that
    the rollback sticks (unless `persist` is False, as for `kiosk doctor`)."""
    from kiosk.content.packs import open_pack

    today = today or dt.date.today()
    base = packs_dir()
    if keys is None:
        keys, notes = trusted_keys()
    else:
        notes = []
    warnings = list(notes)
    failed: list[tuple[Installed | None, str]] = []
    for name in (CURRENT, LAST_GOOD):
        if not (base / name).is_symlink():
            continue
        inst = linked(name, base)
        if inst is None:
            failed.append((None, f"the '{name}' pack is unreadable"))
            continue
        if any(f is not None and f.slot == inst.slot for f, _msg in failed):
            continue  # last-good is the pack that just failed
        reasons = check_installed(inst, keys)
        pack = None
        if not reasons:
            opened = open_pack(inst.root)
            pack = opened.pack
            if pack is None:
                errors = [p.format() for p in opened.problems if p.severity == "error"]
                reasons = [f"it has errors: {errors[0] if errors else 'it cannot be read'}"]
        if reasons or pack is None:
            label = f"pack '{inst.manifest.pack_id}' version {inst.manifest.version} ({name})"
            failed.append((inst, f"{label} was not used: {reasons[0]}"))
            continue
        warnings.extend(msg for _i, msg in failed)
        if failed and name == LAST_GOOD and persist:
            _record_rollback(base, failed, inst, today)
        warnings.extend(expiry_warnings(inst.manifest, today))
        directory = _directory(pack, warnings) if with_directory else None
        return StartChoice(inst.root, warnings, inst, _device_view(pack), directory)
    warnings.extend(msg for _i, msg in failed)
    if failed:
        warnings.append("using the built-in pack")
    opened = open_pack(None)
    pack = opened.pack
    directory = _directory(pack, warnings) if with_directory and pack is not None else None
    return StartChoice(None, warnings, None, _device_view(pack) if pack is not None else None, directory)


def _device_view(pack: Pack) -> Pack:
    """The pack with this device's placement and staff phrase (lantern.toml) laid over it."""
    from kiosk.content.device_settings import read_settings, with_settings
    return with_settings(pack, read_settings(packs_dir().parent))


def _directory(pack: Pack, warnings: list[str]) -> Path | None:
    from kiosk.content.directory import ensure_directory
    try:
        status = ensure_directory(pack)
    except OSError as exc:
        warnings.append(f"the services directory cannot be written: {exc}")
        return None
    if has_errors(status.problems):
        warnings.append(f"the services directory is not available: {status.problems[0].format()}")
    return status.path


def _record_rollback(base: Path, failed: list[tuple[Installed | None, str]], good: Installed,
                     today: dt.date) -> None:
    """Make the rollback stick, so that the next start does not try the broken pack first."""
    try:
        with install_lock(base):
            point(CURRENT, good.slot, base)
            state = read_state(base)
            state["rollback"] = {"day": today.isoformat(), "to": good.slot.name,
                                 "reason": failed[0][1]}
            write_json_atomic(base / STATE, state)
    except (OSError, InstallRefused):
        pass  # read-only or busy: the fallback still works on the next start


def select_pack_for_start(today: dt.date | None = None) -> tuple[Path | None, list[str]]:
    """The pack folder to run (None: the built-in pack) and warnings for the admin."""
    choice = choose_start_pack(today)
    return choice.path, choice.warnings
