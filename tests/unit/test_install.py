"""Installing signed packs: atomic switch, replays, regions, start-up fallback, admin warnings."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.content.archive import PackRefused, write_archive
from kiosk.content.directory import find_services
from kiosk.content.health import pack_warnings
from kiosk.content.install import (
    CURRENT, LAST_GOOD, InstallRefused, choose_start_pack, install_file, install_lock, linked, packs_dir,
    read_state, select_pack_for_start,
)
from kiosk.content.overlay import load_any
from kiosk.content.signing import generate_keypair, read_secret_key, trust_key, untrust_key

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "examples" / "packs"
TINY = ROOT / "tests" / "fixtures" / "packs" / "tiny"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    secret, _public = generate_keypair(str(tmp_path_factory.mktemp("keys") / "facility"))
    return secret


@pytest.fixture
def device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: Path) -> Path:
    """A fresh device data directory that trusts the facility's key."""
    data = tmp_path / "device"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    trust_key(key.with_suffix(".pub"))
    return data


def set_field(text: str, key: str, value: str) -> str:
    return re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", text)


def variant(src: Path, tmp: Path, name: str, **fields: str) -> Path:
    """A copy of a pack with some manifest fields changed (version, region...)."""
    target = tmp / "src" / name
    shutil.copytree(src, target)
    manifest = target / "pack.yaml"
    text = manifest.read_text()
    for k, v in fields.items():
        text = set_field(text, k, v)
    manifest.write_text(text)
    return target


def build(src: Path, out: Path, key: Path, expires: dt.date | None = None,
          created: dt.date | None = None) -> Path:
    pack = load_any(src).pack
    assert pack is not None, src
    out.parent.mkdir(parents=True, exist_ok=True)
    write_archive(src, out, pack.manifest, read_secret_key(key), created or TODAY, expires)
    return out


def tiny(tmp: Path, key: Path, version: int, **fields: str) -> Path:
    src = variant(TINY, tmp, f"tiny-v{version}-{len(fields)}", version=str(version), **fields)
    return build(src, tmp / "out" / f"{src.name}.lantern", key)


def state_of(data: Path) -> tuple[str | None, str | None]:
    packs = data / "packs"
    return tuple(os.readlink(packs / n) if (packs / n).is_symlink() else None  # type: ignore[return-value]
                 for n in (CURRENT, LAST_GOOD))


# --- installing ------------------------------------------------------------------

def test_first_install_then_upgrade_keeps_the_previous_as_last_good(device: Path, tmp_path: Path,
                                                                   key: Path) -> None:
    first = install_file(tiny(tmp_path, key, 1))
    assert first.status == "installed" and first.previous is None
    assert linked(CURRENT).manifest.version == 1 and linked(LAST_GOOD).manifest.version == 1
    path, warnings = select_pack_for_start()
    assert path == linked(CURRENT).root and path.name == "tiny" and warnings == []
    second = install_file(tiny(tmp_path, key, 2))
    assert second.previous is not None and second.previous.manifest.version == 1
    assert (linked(CURRENT).manifest.version, linked(LAST_GOOD).manifest.version) == (2, 1)
    install_file(tiny(tmp_path, key, 3))
    slots = sorted(p.name for p in packs_dir().iterdir() if p.is_dir() and not p.is_symlink())
    assert len(slots) == 2 and all(s.startswith(("tiny-v2-", "tiny-v3-")) for s in slots)
    assert read_state()["versions"] == {"tiny": 3}


def test_the_same_pack_again_changes_nothing(device: Path, tmp_path: Path, key: Path) -> None:
    pack_file = tiny(tmp_path, key, 1)
    install_file(pack_file)
    before = state_of(device)
    assert install_file(pack_file).status == "unchanged"
    assert state_of(device) == before


def test_replayed_older_version_is_refused_unless_forced(device: Path, tmp_path: Path, key: Path) -> None:
    old = tiny(tmp_path, key, 1)
    install_file(old)
    install_file(tiny(tmp_path, key, 2))
    before = state_of(device)
    with pytest.raises(InstallRefused, match="version 1 is not newer than version 2"):
        install_file(old)
    assert state_of(device) == before
    assert install_file(old, force=True).installed.manifest.version == 1


def test_a_version_rolled_back_from_cannot_come_back_silently(device: Path, tmp_path: Path, key: Path) -> None:
    v1, v2 = tiny(tmp_path, key, 1), tiny(tmp_path, key, 2)
    install_file(v1)
    install_file(v2)
    install_file(v1, force=True)
    with pytest.raises(InstallRefused, match="not newer than version 2"):
        install_file(v2)


def test_another_region_is_refused_unless_forced(device: Path, tmp_path: Path, key: Path) -> None:
    ms = build(SAMPLES / "mississippi", tmp_path / "ms.lantern", key)
    ca = build(SAMPLES / "california", tmp_path / "ca.lantern", key)
    install_file(ms)
    before = state_of(device)
    with pytest.raises(InstallRefused, match="region US-MS; this pack is for US-CA"):
        install_file(ca)
    assert state_of(device) == before
    assert install_file(ca, force=True).installed.manifest.region == "US-CA"


def test_a_first_pack_for_another_country_is_refused(device: Path, tmp_path: Path, key: Path) -> None:
    with pytest.raises(InstallRefused, match="this pack is for MX, but this device's built-in pack is for US"):
        install_file(tiny(tmp_path, key, 1, region="MX"))
    assert state_of(device) == (None, None)


def test_a_signed_pack_with_errors_is_refused_and_leaves_nothing(device: Path, tmp_path: Path,
                                                                key: Path) -> None:
    install_file(tiny(tmp_path, key, 1))
    before = state_of(device)
    src = variant(TINY, tmp_path, "broken", version="2", neutral="nowhere")
    secret = read_secret_key(key)
    good = load_any(TINY).pack
    assert good is not None
    manifest = good.manifest.__class__(**{**good.manifest.__dict__, "version": 2})
    out = tmp_path / "broken.lantern"
    write_archive(src, out, manifest, secret, TODAY, None)  # signed without the build's checks
    with pytest.raises(InstallRefused, match="has errors") as caught:
        install_file(out)
    assert any("neutral 'nowhere' is not a node" in p.message for p in caught.value.problems)
    assert state_of(device) == before
    assert not any(p.name.startswith(".staging") for p in packs_dir().iterdir())


def test_an_untrusted_or_tampered_file_changes_nothing(device: Path, tmp_path: Path, key: Path) -> None:
    install_file(tiny(tmp_path, key, 1))
    before = state_of(device)
    stranger, _ = generate_keypair(str(tmp_path / "stranger"))
    with pytest.raises(PackRefused, match="does not match any key"):
        install_file(tiny(tmp_path, stranger, 2))
    broken = tmp_path / "cut.lantern"
    data = tiny(tmp_path, key, 3).read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(PackRefused):
        install_file(broken)
    assert state_of(device) == before


def test_one_install_at_a_time(device: Path, tmp_path: Path, key: Path) -> None:
    pack_file = tiny(tmp_path, key, 1)
    with install_lock(packs_dir()):
        with pytest.raises(InstallRefused, match="another pack install is running"):
            install_file(pack_file)


def test_the_regional_pack_comes_with_its_directory(device: Path, tmp_path: Path, key: Path) -> None:
    result = install_file(build(SAMPLES / "mississippi", tmp_path / "ms.lantern", key))
    db = result.installed.slot / "directory.sqlite"
    assert db.is_file()
    choice = choose_start_pack()
    assert choice.directory == db and choice.pack is not None
    assert choice.pack.manifest.extends == "us-national" and "local_help" in choice.pack.nodes
    assert [s.id for s in find_services(db, category="medical")] == ["sample_clinic_delta"]


# --- start-up -------------------------------------------------------------------------

def test_a_damaged_current_pack_rolls_back_to_last_good(device: Path, tmp_path: Path, key: Path) -> None:
    install_file(tiny(tmp_path, key, 1))
    install_file(tiny(tmp_path, key, 2))
    current = linked(CURRENT)
    contacts = current.root / "contacts.yaml"
    contacts.write_text(contacts.read_text().replace("1-888-373-7888", "1-888-373-7000"))
    path, warnings = select_pack_for_start()
    assert path == linked(LAST_GOOD).root and linked(LAST_GOOD).manifest.version == 1
    assert any("version 2 (current) was not used: contacts.yaml was changed after install" in w
               for w in warnings), warnings
    # The rollback sticks, and the admin hears about it.
    assert linked(CURRENT).manifest.version == 1
    assert read_state()["rollback"]["to"] == linked(LAST_GOOD).slot.name
    assert any("went back to the previous pack" in w for w in pack_warnings())


def test_both_packs_broken_falls_back_to_the_builtin_pack(device: Path, tmp_path: Path, key: Path) -> None:
    install_file(tiny(tmp_path, key, 1))
    install_file(tiny(tmp_path, key, 2))
    for name in (CURRENT, LAST_GOOD):
        (linked(name).root / "pack.yaml").unlink()
    choice = choose_start_pack()
    assert choice.path is None and choice.pack is not None
    assert choice.pack.manifest.id == "us-national"
    assert choice.warnings[-1] == "using the built-in pack"
    assert any("pack.yaml is missing or unreadable" in w for w in choice.warnings), choice.warnings


def test_a_pack_whose_key_is_no_longer_trusted_is_not_used(device: Path, tmp_path: Path, key: Path) -> None:
    install_file(tiny(tmp_path, key, 1))
    assert untrust_key("facility")
    path, warnings = select_pack_for_start()
    assert path is None
    assert any("its signing key is no longer trusted" in w for w in warnings), warnings


def test_no_pack_installed_means_the_builtin_pack(device: Path) -> None:
    assert select_pack_for_start() == (None, [])


# --- admin warnings ------------------------------------------------------------------

def test_expired_and_stale_content_warns_the_admin_only(device: Path, tmp_path: Path, key: Path) -> None:
    pack_file = build(SAMPLES / "mississippi", tmp_path / "ms.lantern", key, expires=TODAY + dt.timedelta(days=10))
    result = install_file(pack_file)
    assert any("expires on" in w for w in result.warnings)
    later = dt.date(2029, 1, 1)
    warnings = pack_warnings(later)
    assert any("expired on" in w for w in warnings), warnings
    assert any("contact 'nhth' was last verified on 2026-11-01" in w for w in warnings), warnings
    assert any("local service(s) were last verified more than a year ago" in w for w in warnings), warnings
    assert any("SAMPLE data" in w for w in warnings)
    # The visitor's pack is the same one, unchanged.
    assert choose_start_pack(later).path == result.installed.root


# --- the command ---------------------------------------------------------------------------

def test_install_command_exit_codes(device: Path, tmp_path: Path, key: Path, kiosk_cmd: list[str]) -> None:
    env = {**os.environ, "LANTERN_DATA": str(device)}
    v1, v2 = tiny(tmp_path, key, 1), tiny(tmp_path, key, 2)
    runs = [subprocess.run([*kiosk_cmd, "pack", "install", str(f)], capture_output=True, text=True, env=env)
            for f in (v2, v2, v1)]
    assert [r.returncode for r in runs] == [0, 3, 1], [r.stderr for r in runs]
    assert "installed pack 'tiny' version 2" in runs[0].stdout
    assert "already installed" in runs[1].stdout
    assert runs[2].stderr.startswith("kiosk: ") and "REFUSED" in runs[2].stderr
    assert "Traceback" not in "".join(r.stderr for r in runs)
    status = subprocess.run([*kiosk_cmd, "pack", "status"], capture_output=True, text=True, env=env)
    assert "current: 'tiny' version 2" in status.stdout


def test_pack_commands_import_nothing_heavy(device: Path) -> None:
    import sys
    code = (
        "import sys, io, contextlib\n"
        "from kiosk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    main(['pack', 'status']); main(['pack', 'keys']); main(['services'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('kivy', 'vosk', 'sounddevice', 'numpy', 'pyttsx3')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "LANTERN_DATA": str(device)})
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
