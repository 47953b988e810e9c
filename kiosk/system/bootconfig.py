"""The facility's configuration on the boot partition: /boot/firmware/lantern.toml.

A facility writes one TOML file on the SD card's FAT partition from any laptop
before the first boot (docs/fleet.md has a complete example). At boot,
systemd/lantern-firstboot.service runs `kiosk config apply`, which:

1. reads and checks the WHOLE file first (tomllib, then every value); any
   mistake is reported as `FILE:LINE: error: MESSAGE` and nothing at all is
   applied: a device is never left half-configured;
2. works out every file the configuration means (`plan`);
3. writes only the ones that differ, each atomically (so running it at every
   boot is harmless: the second run changes nothing).

What it sets:
- [updates] pack_url / trust_url -> /etc/lantern/pack-update.env (read by
  lantern-pack-update.service);
- [trust] keys -> the data directory's trust folder, ONLY while the device
  trusts no key yet. Afterwards keys change only through signed trust
  statements (key rotation), so someone who edits the SD card cannot slip in
  a key of their own, and a key retired by rotation is not brought back;
- [device] timezone -> /etc/localtime and /etc/timezone;
- [device] rotation -> /etc/lantern/kiosk.env (KCFG_GRAPHICS_ROTATION, read by
  lantern-kiosk.service);
- [device] placement and [staff] phrase -> the data directory's device.json,
  laid over the pack at start-up (kiosk.content.device_settings).

Paths are injectable (`Targets`) so the tests apply real files to a temp folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.content.device_settings import SETTINGS_NAME, PLACEMENTS
from kiosk.content.signing import KeyFileError, PublicKey, parse_public_key_text, public_key_text, \
    read_trust_state, trusted_keys

BOOT_FILE = Path("/boot/firmware/lantern.toml")
ROTATIONS = (0, 90, 180, 270)
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TZ_RE = re.compile(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")
MAX_FILE = 64 * 1024
SECTIONS: dict[str, tuple[str, ...]] = {
    "updates": ("pack_url", "trust_url"),
    "trust": ("keys",),
    "device": ("timezone", "placement", "rotation"),
    "staff": ("phrase",),
}


@dataclass(frozen=True)
class Targets:
    """Where the configuration goes; tests point these into a temp folder."""

    etc: Path = Path("/etc")
    zoneinfo: Path = Path("/usr/share/zoneinfo")
    data_dir: Path = Path("/var/lib/lantern")
    owner: tuple[int, int] | None = None  # uid, gid for files in the data directory (root runs this)

    @property
    def pack_update_env(self) -> Path:
        return self.etc / "lantern" / "pack-update.env"

    @property
    def kiosk_env(self) -> Path:
        return self.etc / "lantern" / "kiosk.env"


@dataclass(frozen=True)
class ConfigError:
    file: Path
    line: int
    message: str

    def format(self) -> str:
        return f"{self.file}:{self.line}: error: {self.message}"


@dataclass(frozen=True)
class Config:
    pack_url: str | None = None
    trust_url: str | None = None
    keys: tuple[PublicKey, ...] = ()
    timezone: str | None = None
    placement: str | None = None
    rotation: int | None = None
    staff_phrase: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Write:
    """One file the configuration means: text to write, or a symlink target."""

    path: Path
    text: str | None = None
    link: str | None = None
    in_data_dir: bool = False

    def is_done(self) -> bool:
        if self.link is not None:
            return self.path.is_symlink() and os.readlink(self.path) == self.link
        try:
            return self.path.read_text("utf-8") == self.text
        except (OSError, UnicodeDecodeError):
            return False


@dataclass(frozen=True)
class Outcome:
    errors: list[ConfigError]
    changed: list[Path]
    notes: list[str]


# --- reading and checking ----------------------------------------------------------------

class _Lines:
    """Finds the line a key or value was written on (tomllib gives values, not positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def of(self, section: str | None, key: str | None = None, value: str | None = None) -> int:
        start = 0
        if section is not None:
            header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
            start = next((i for i, line in enumerate(self.lines) if header.match(line)), 0)
        if key is None:
            return start + 1
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*[=.]")
        for i in range(start, len(self.lines)):
            if i > start and section is not None and re.match(r"^\s*\[", self.lines[i]):
                break
            if pattern.match(self.lines[i]):
                if value is None:
                    return i + 1
                for j in range(i, len(self.lines)):
                    if value in self.lines[j]:
                        return j + 1
                return i + 1
        return start + 1


# Printable ASCII without spaces, quotes, backslashes or '$': the address goes into a
# systemd EnvironmentFile (TOML escapes such as "\u0007" would otherwise put control
# characters there).
URL_RE = re.compile(r"https?://(?:(?![/\"'\\$`])[\x21-\x7e])+(/(?:(?![\"'\\$`])[\x21-\x7e])*)?")


def _url(value: object, where: str) -> str:
    if not isinstance(value, str) or len(value) > 2000 or not URL_RE.fullmatch(value):
        raise ValueError(f"{where} must be an http:// or https:// address without spaces or quotes "
                         f"(plain ASCII: %XX for other characters), not {value!r}")
    return value


def _is_zone(path: Path) -> bool:
    """A compiled time zone (TZif), not another file of the zoneinfo folder (leapseconds, zone.tab),
    nor Debian's zoneinfo/localtime, a link back to /etc/localtime (a loop once applied)."""
    if path.name == "localtime":
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"TZif"
    except OSError:
        return False


def check(text: str, path: Path, zoneinfo: Path) -> tuple[Config | None, list[ConfigError]]:
    """Every mistake in the file, each with its line; a Config only when there are none."""
    lines = _Lines(text)
    errors: list[ConfigError] = []

    def err(line: int, message: str) -> None:
        errors.append(ConfigError(path, line, message))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return None, [ConfigError(path, int(found.group(1)) if found else 1, f"not valid TOML: {message}")]
    for section, value in data.items():
        if section not in SECTIONS:
            where = lines.of(section) if isinstance(value, dict) else lines.of(None, section)
            err(where, f"unknown section [{section}]; use {', '.join(f'[{s}]' for s in SECTIONS)}"
                + ("" if isinstance(value, dict) else f" ('{section}' must be inside one of them)"))
        elif not isinstance(value, dict):
            err(lines.of(None, section), f"'{section}' must be a section ([{section}])")
        else:
            for key in value:
                if key not in SECTIONS[section]:
                    err(lines.of(section, key), f"unknown key '{key}' in [{section}]; use "
                        f"{', '.join(SECTIONS[section])}")
    def get(section: str, key: str) -> object:
        table = data.get(section)
        return table.get(key) if isinstance(table, dict) else None

    urls: dict[str, str | None] = {}
    for key in ("pack_url", "trust_url"):
        value = get("updates", key)
        urls[key] = None
        if value is not None:
            try:
                urls[key] = _url(value, key)
            except ValueError as exc:
                err(lines.of("updates", key), str(exc))
    if urls["trust_url"] and not urls["pack_url"]:
        err(lines.of("updates", "trust_url"), "trust_url needs pack_url (trust statements come with pack updates)")

    keys: list[PublicKey] = []
    raw_keys = get("trust", "keys")
    if raw_keys is not None:
        if not isinstance(raw_keys, list) or not raw_keys:
            err(lines.of("trust", "keys"), "keys must be a list of public key lines, "
                "[\"lantern-public-key-v1 BASE64 NAME\", ...]")
        else:
            for item in raw_keys:
                text_item = item if isinstance(item, str) else repr(item)
                line = lines.of("trust", "keys", text_item.split()[1][:20] if len(text_item.split()) > 1 else None)
                try:
                    keys.append(parse_public_key_text(str(item), "key"))
                except KeyFileError as exc:
                    err(line, str(exc).removeprefix("key: "))

    timezone = get("device", "timezone")
    if timezone is not None:
        if not isinstance(timezone, str) or not TZ_RE.match(timezone) or ".." in timezone \
                or not _is_zone(zoneinfo / timezone):
            err(lines.of("device", "timezone"), f"unknown time zone {timezone!r}; use a name like "
                "\"America/Chicago\" (timedatectl list-timezones)")
            timezone = None
    placement = get("device", "placement")
    if placement is not None and placement not in PLACEMENTS:
        err(lines.of("device", "placement"), f"placement is {placement!r}; use one of "
            f"{', '.join(repr(p) for p in PLACEMENTS)}")
    rotation = get("device", "rotation")
    # An int only: 90.0 == 90 in Python, but "90.0" in KCFG_GRAPHICS_ROTATION stops Kivy.
    if rotation is not None and (type(rotation) is not int or rotation not in ROTATIONS):
        err(lines.of("device", "rotation"), f"rotation is {rotation!r}; use 0, 90, 180 or 270")

    phrase = get("staff", "phrase")
    phrases: dict[str, str] = {}
    if phrase is not None:
        if not isinstance(phrase, dict) or not phrase:
            err(lines.of("staff", "phrase"), "phrase must give one text per language, "
                "e.g. phrase = { en = \"...\", es = \"...\" }")
        else:
            for tag, value in phrase.items():
                if not LANG_RE.match(tag) or not isinstance(value, str) or not value.strip() or len(value) > 200:
                    err(lines.of("staff", "phrase"), f"phrase for {tag!r} must be a language tag with "
                        "a short text (at most 200 characters)")
                else:
                    phrases[tag] = value.strip()
    if errors:
        return None, sorted(errors, key=lambda e: e.line)
    return Config(urls["pack_url"], urls["trust_url"], tuple(keys), timezone, placement, rotation, phrases), []


def _load(path: Path) -> tuple[bytes | None, list[ConfigError]]:
    """The file's bytes, read once (what is checked is what is applied and recorded);
    (None, []) when there is no file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE + 1)
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [ConfigError(path, 1, f"cannot read it: {exc.strerror}")]
    if len(raw) > MAX_FILE:
        return None, [ConfigError(path, 1, f"larger than {MAX_FILE // 1024} KB: not a Lantern configuration")]
    return raw, []


def _parse(raw: bytes, path: Path, zoneinfo: Path) -> tuple[Config | None, list[ConfigError]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, [ConfigError(path, 1, "not UTF-8 text; save it as UTF-8")]
    return check(text, path, zoneinfo)


def read(path: Path, zoneinfo: Path) -> tuple[Config | None, list[ConfigError]]:
    """(None, []) when there is no file: a device configured by hand."""
    raw, errors = _load(path)
    return _parse(raw, path, zoneinfo) if raw is not None else (None, errors)


# --- what it means, and applying it ----------------------------------------------------------

def _env_line(name: str, value: str) -> str:
    # systemd EnvironmentFile= quoting: the URL was checked to have no whitespace.
    return f"{name}={value}\n"


def plan(config: Config, targets: Targets) -> tuple[list[Write], list[str]]:
    """Every file the configuration means, and notes about what it leaves alone."""
    writes: list[Write] = []
    notes: list[str] = []
    header = "# Written by `kiosk config apply` from lantern.toml on the boot partition; edit that file.\n"
    if config.pack_url:
        text = header + _env_line("LANTERN_PACK_URL", config.pack_url)
        extra = f"--trust-url {config.trust_url}" if config.trust_url else ""
        text += _env_line("LANTERN_UPDATE_ARGS", extra)
        writes.append(Write(targets.pack_update_env, text))
    if config.rotation is not None:
        writes.append(Write(targets.kiosk_env, header + _env_line("KCFG_GRAPHICS_ROTATION", str(config.rotation))))
    if config.timezone:
        writes.append(Write(targets.etc / "localtime", link=str(targets.zoneinfo / config.timezone)))
        writes.append(Write(targets.etc / "timezone", config.timezone + "\n"))
    settings = {k: v for k, v in (("placement", config.placement), ("staff_phrase", config.staff_phrase)) if v}
    if settings:
        writes.append(Write(targets.data_dir / SETTINGS_NAME, json.dumps(settings, indent=1, sort_keys=True,
                                                                          ensure_ascii=False) + "\n",
                            in_data_dir=True))
    trust = targets.data_dir / "trust"
    if config.keys:
        already, _notes = trusted_keys(trust)
        if not already:
            for key in config.keys:
                writes.append(Write(trust / f"{key.name}-{key.key_id}.pub", public_key_text(key), in_data_dir=True))
        # After a rotation the file still lists the old keys: that is expected (fifty SD cards
        # are not rewritten). Only a key the device has never trusted or retired is worth a
        # warning: someone may have edited the card to slip in a key of their own.
        elif {k.key_id for k in config.keys} - {k.key_id for k in already} - set(read_trust_state(trust).retired):
            notes.append("[trust] lists a key this device has never trusted; it is not used (keys in the "
                         "file are only taken while the device trusts none). Rotate keys with a signed trust "
                         "statement (docs/provisioning.md, section 9)")
    return writes, notes


def _write(item: Write, targets: Targets) -> None:
    if item.in_data_dir:
        _write_data(item, targets)
        return
    item.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = item.path.with_name(f".{item.path.name}.{secrets.token_hex(4)}.tmp")
    if item.link is not None:
        os.symlink(item.link, tmp)
    else:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(item.text or "")
            fh.flush()
            os.fchmod(fh.fileno(), 0o644)
            os.fsync(fh.fileno())
    os.replace(tmp, item.path)  # rename() replaces a link at item.path; it never writes through it


# The data directory belongs to the kiosk's user, and this runs as root: a folder in it
# swapped for a symbolic link (say trust -> /etc/apt/apt.conf.d) must not make root
# create, or hand to that user, files elsewhere. So every folder below the data
# directory is opened with O_NOFOLLOW and files are made and renamed relative to it.

def _linked_folder(targets: Targets, path: Path) -> Path | None:
    """The first folder between the data directory and `path` that is a symbolic link."""
    folder = targets.data_dir
    for part in path.parent.relative_to(targets.data_dir).parts:
        folder = folder / part
        if folder.is_symlink():
            return folder
    return None


def _data_folder(targets: Targets, folder: Path) -> int:
    """A descriptor for `folder` inside the data directory, made (0700, the kiosk's user's) if
    missing, never reached through a symbolic link."""
    fd = os.open(targets.data_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in folder.relative_to(targets.data_dir).parts:
            try:
                os.mkdir(part, 0o700, dir_fd=fd)
                made = True
            except FileExistsError:
                made = False
            sub = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = sub
            if made and targets.owner is not None:
                os.fchown(fd, *targets.owner)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_data(item: Write, targets: Targets) -> None:
    folder = _data_folder(targets, item.path.parent)
    try:
        tmp = f".{item.path.name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(item.text or "")
            fh.flush()
            os.fchmod(fh.fileno(), 0o600)
            if targets.owner is not None:
                os.fchown(fh.fileno(), *targets.owner)
            os.fsync(fh.fileno())
        os.replace(tmp, item.path.name, src_dir_fd=folder, dst_dir_fd=folder)
    finally:
        os.close(folder)


def apply(path: Path, targets: Targets) -> Outcome:
    """Check the whole file, then write what differs. Nothing is written when there is an error."""
    raw, errors = _load(path)
    if raw is None:
        return Outcome(errors, [], [])
    config, errors = _parse(raw, path, targets.zoneinfo)
    if errors or config is None:
        return Outcome(errors, [], [])
    writes, notes = plan(config, targets)
    todo = [item for item in writes if not item.is_done()]
    # Before writing anything: every place must be writable (e.g. run without root).
    for item in todo:
        folder = item.path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not os.access(folder, os.W_OK):
            raise PermissionError(f"cannot write {item.path} ({folder} is not writable; run as root)")
        linked = _linked_folder(targets, item.path) if item.in_data_dir else None
        if linked is not None:
            raise PermissionError(f"{linked} is a symbolic link, not a folder; nothing was applied. Remove it "
                                  "(it is not made by Lantern) and run this again")
    changed: list[Path] = []
    if not targets.data_dir.exists():
        targets.data_dir.mkdir(parents=True, mode=0o700)
        if targets.owner is not None:
            os.chown(targets.data_dir, *targets.owner)
    for item in todo:
        _write(item, targets)
        changed.append(item.path)
    _record(targets, path, hashlib.sha256(raw).hexdigest())
    return Outcome([], changed, notes)


def status_path(data_dir: Path) -> Path:
    return data_dir / "config-status.json"


def _record(targets: Targets, path: Path, digest: str) -> None:
    """What was applied from which file: the doctor compares it with the file on the SD card."""
    item = Write(status_path(targets.data_dir), json.dumps({"file": str(path), "sha256": digest}) + "\n",
                 in_data_dir=True)
    if not item.is_done():
        _write(item, targets)


def pending(path: Path, targets: Targets) -> bool:
    """Is the file on the boot partition newer than what was last applied?"""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        applied = json.loads(status_path(targets.data_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return True
    return not isinstance(applied, dict) or applied.get("sha256") != digest
