"""lantern.toml on the boot partition: checked whole, applied idempotently, never half-applied."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.content.signing import read_public_key, trusted_keys
from kiosk.system import bootconfig
from kiosk.system import doctor as d

ROOT = Path(__file__).resolve().parents[2]
ZONEINFO = Path("/usr/share/zoneinfo")
FLEET_DOC = ROOT / "docs" / "fleet.md"


def documented_example(tmp_path: Path) -> Path:
    """The complete lantern.toml shown in docs/fleet.md, as a file."""
    text = FLEET_DOC.read_text()
    start = text.index("```toml\n# /boot/firmware/lantern.toml") + len("```toml\n")
    path = tmp_path / "lantern.toml"
    path.write_text(text[start:text.index("```", start)])
    return path


def pub_line(keys: dict[str, Path], name: str) -> str:
    return keys[name].with_suffix(".pub").read_text().strip()


def good_file(keys: dict[str, Path]) -> str:
    return f'''# Riverside Health, second floor
[updates]
pack_url = "https://updates.example.org/lantern/stable/riverside.lantern"
trust_url = "https://updates.example.org/lantern/stable/trust.json"

[trust]
keys = [
  "{pub_line(keys, 'A')}",
  "{pub_line(keys, 'B')}",
]

[device]
timezone = "America/Chicago"
placement = "restroom"
rotation = 90

[staff]
phrase = {{ en = "Ask for the blue card", es = "Pida la tarjeta azul" }}
'''


@pytest.fixture
def targets(tmp_path: Path) -> bootconfig.Targets:
    (tmp_path / "etc").mkdir()
    return bootconfig.Targets(etc=tmp_path / "etc", zoneinfo=ZONEINFO, data_dir=tmp_path / "data")


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): (os.readlink(p) if p.is_symlink() else p.read_text())
            for p in sorted(root.rglob("*")) if p.is_file() or p.is_symlink()}


def test_a_good_file_is_applied_then_changes_nothing(tmp_path: Path, keys: dict[str, Path],
                                                     targets: bootconfig.Targets,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    boot = tmp_path / "lantern.toml"
    boot.write_text(good_file(keys))
    first = bootconfig.apply(boot, targets)
    assert first.errors == [] and first.notes == []
    env = (targets.etc / "lantern" / "pack-update.env").read_text()
    assert "LANTERN_PACK_URL=https://updates.example.org/lantern/stable/riverside.lantern\n" in env
    assert "LANTERN_UPDATE_ARGS=--trust-url https://updates.example.org/lantern/stable/trust.json\n" in env
    assert "KCFG_GRAPHICS_ROTATION=90\n" in (targets.etc / "lantern" / "kiosk.env").read_text()
    assert os.readlink(targets.etc / "localtime") == "/usr/share/zoneinfo/America/Chicago"
    assert (targets.etc / "timezone").read_text() == "America/Chicago\n"
    trusted = {k.key_id for k in trusted_keys(targets.data_dir / "trust")[0]}
    assert trusted == {read_public_key(keys[n].with_suffix(".pub")).key_id for n in ("A", "B")}
    assert len(first.changed) == 7  # 2 env files, localtime, timezone, device.json, 2 keys

    before = snapshot(tmp_path)
    second = bootconfig.apply(boot, targets)
    assert second.changed == [] and second.errors == []
    assert snapshot(tmp_path) == before

    # The pack the kiosk starts with carries the device's placement and phrase.
    from kiosk.content.install import choose_start_pack
    monkeypatch.setenv("LANTERN_DATA", str(targets.data_dir))
    pack = choose_start_pack(persist=False, with_directory=False).pack
    assert pack is not None
    assert pack.manifest.mode == "restroom"
    assert pack.manifest.staff_phrase["en"] == "Ask for the blue card"
    assert pack.manifest.staff_phrase["es"] == "Pida la tarjeta azul"


def test_keys_are_only_taken_while_the_device_trusts_none(tmp_path: Path, keys: dict[str, Path],
                                                          targets: bootconfig.Targets) -> None:
    boot = tmp_path / "lantern.toml"
    boot.write_text(f'[trust]\nkeys = ["{pub_line(keys, "A")}"]\n')
    assert bootconfig.apply(boot, targets).changed
    # Someone edits the SD card to add their own key: it is not taken, and the doctor says so.
    boot.write_text(f'[trust]\nkeys = ["{pub_line(keys, "A")}", "{pub_line(keys, "X")}"]\n')
    outcome = bootconfig.apply(boot, targets)
    assert outcome.changed == []
    assert outcome.notes and "signed trust statement" in outcome.notes[0]
    assert {k.key_id for k in trusted_keys(targets.data_dir / "trust")[0]} == {
        read_public_key(keys["A"].with_suffix(".pub")).key_id}


@pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another user needs root")
def test_as_root_data_files_go_to_the_kiosk_user(tmp_path: Path, keys: dict[str, Path]) -> None:
    (tmp_path / "etc").mkdir()
    nobody = (65534, 65534)
    targets = bootconfig.Targets(etc=tmp_path / "etc", zoneinfo=ZONEINFO, data_dir=tmp_path / "data", owner=nobody)
    boot = tmp_path / "lantern.toml"
    boot.write_text(good_file(keys))
    assert bootconfig.apply(boot, targets).errors == []
    data_files = [p for p in targets.data_dir.rglob("*")] + [targets.data_dir]
    assert data_files and all((p.stat().st_uid, p.stat().st_gid) == nobody for p in data_files)
    assert (targets.data_dir / "device.json").stat().st_mode & 0o077 == 0
    assert (targets.etc / "lantern" / "pack-update.env").stat().st_uid == 0


BROKEN = {
    "syntax": ('[device]\ntimezone = "America/Chicago\n', 2, "not valid TOML"),
    "zone": ('[device]\nplacement = "restroom"\ntimezone = "Mars/Olympus"\n', 3, "unknown time zone"),
    "rotation": ('[device]\n\nrotation = 45\n', 3, "rotation is 45"),
    "placement": ('[device]\nplacement = "lobby"\n', 2, "placement is 'lobby'"),
    "url": ('[updates]\npack_url = "ftp://example.org/x.lantern"\n', 2, "http:// or https://"),
    "injection": ('[updates]\npack_url = "https://example.org/x\\nLD_PRELOAD=/tmp/x.so"\n', 2, "without spaces"),
    "section": ('[updates]\npack_url = "https://example.org/x"\n\n[wifi]\nssid = "x"\n', 4, "unknown section [wifi]"),
    "outside a section": ('# comment\n\npack_url = "https://example.org/x"\n', 3, "must be inside one of them"),
    "key name": ('[device]\nrotaton = 90\n', 2, "unknown key 'rotaton'"),
    "phrase": ('[staff]\nphrase = "Ask for Angela"\n', 2, "one text per language"),
    "secret": ('[trust]\nkeys = [\n  "lantern-secret-key-v1 AAAA",\n]\n', 3, "SECRET key"),
    "bad key": ('[trust]\nkeys = ["lantern-public-key-v1 bm90IGEga2V5 name"]\n', 2, "not a Lantern public key"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_is_reported_by_line_and_nothing_is_applied(
        case: str, tmp_path: Path, keys: dict[str, Path], targets: bootconfig.Targets) -> None:
    text, line, message = BROKEN[case]
    # A good first half must not be applied when the rest is wrong.
    boot = tmp_path / "lantern.toml"
    boot.write_text(text)
    outcome = bootconfig.apply(boot, targets)
    assert outcome.changed == []
    assert outcome.errors, case
    first = outcome.errors[0].format()
    assert first.startswith(f"{boot}:{line}: error: ") and message in first, first
    assert snapshot(targets.etc) == {} and not targets.data_dir.exists()


def test_every_mistake_is_reported_at_once(tmp_path: Path, targets: bootconfig.Targets) -> None:
    boot = tmp_path / "lantern.toml"
    boot.write_text('[updates]\npack_url = "nope"\n[device]\nrotation = 7\nplacement = "hall"\n')
    errors = bootconfig.apply(boot, targets).errors
    assert [(e.line, e.message.split()[0]) for e in errors] == [(2, "pack_url"), (4, "rotation"), (5, "placement")]


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    config, errors = bootconfig.read(documented_example(tmp_path), ZONEINFO)
    assert errors == [] and config is not None
    assert config.pack_url and config.keys and config.timezone and config.placement and config.rotation is not None
    assert config.staff_phrase


def test_cli_apply_and_doctor(tmp_path: Path, keys: dict[str, Path], kiosk_cmd: list[str]) -> None:
    etc, data = tmp_path / "etc", tmp_path / "data"
    etc.mkdir()
    boot = tmp_path / "lantern.toml"
    boot.write_text(good_file(keys))
    env = {**os.environ, "LANTERN_DATA": str(data)}
    run = lambda *a: subprocess.run([*kiosk_cmd, *a], capture_output=True, text=True, env=env, timeout=120)  # noqa: E731
    done = run("config", "apply", "--file", str(boot), "--etc", str(etc))
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    again = run("config", "apply", "--file", str(boot), "--etc", str(etc))
    assert again.returncode == 0 and "already applied, nothing changed" in again.stdout

    ctx = d.Context(data_dir=data, boot_file=boot)
    assert d.check_boot_config(ctx).status == "ok"
    broken = good_file(keys).replace("rotation = 90", "rotation = 91")
    boot.write_text(broken)
    line = broken.splitlines().index("rotation = 91") + 1
    done = run("config", "apply", "--file", str(boot), "--etc", str(etc))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{boot}:{line}: error: rotation is 91" in done.stderr
    assert "KCFG_GRAPHICS_ROTATION=90" in (etc / "lantern" / "kiosk.env").read_text()
    check = d.check_boot_config(ctx)
    assert check.status == "warning" and f"{boot}:{line}: error:" in check.message and check.fix
    json_out = subprocess.run([sys.executable, "-m", "kiosk.cli", "doctor", "--json", "--boot-file", str(boot)],
                              capture_output=True, text=True, env=env, timeout=120)
    assert f"{boot}:{line}: error: rotation is 91" in json_out.stdout


def test_a_rotation_is_not_reported_as_a_tampered_file(tmp_path: Path, keys: dict[str, Path],
                                                       targets: bootconfig.Targets) -> None:
    """After A is rotated to B by a signed statement, fifty SD cards still list A: no warning for
    that, but still one for a key the device never trusted (a card edited to add a key)."""
    import datetime as dt

    from kiosk.content.signing import apply_trust_statement, make_trust_statement, read_secret_key
    boot = tmp_path / "lantern.toml"
    boot.write_text(f'[trust]\nkeys = ["{pub_line(keys, "A")}"]\n')
    assert bootconfig.apply(boot, targets).changed
    trust = targets.data_dir / "trust"
    b = read_public_key(keys["B"].with_suffix(".pub"))
    apply_trust_statement(make_trust_statement(read_secret_key(keys["A"]), 1, [b], dt.date.today()), trust)
    assert {k.key_id for k in trusted_keys(trust)[0]} == {b.key_id}
    outcome = bootconfig.apply(boot, targets)
    assert outcome.changed == [] and outcome.notes == []
    assert {k.key_id for k in trusted_keys(trust)[0]} == {b.key_id}  # A is not brought back
    boot.write_text(f'[trust]\nkeys = ["{pub_line(keys, "A")}", "{pub_line(keys, "X")}"]\n')
    assert bootconfig.apply(boot, targets).notes


# Found in review: each of these was accepted and written to the device.
REVIEW_BROKEN = {
    # 90.0 == 90 in Python, but KCFG_GRAPHICS_ROTATION=90.0 is not an int for Kivy.
    "float rotation": ('[device]\nrotation = 90.0\n', 2, "rotation is 90.0"),
    # Files of the zoneinfo folder that are not time zones.
    "not a zone": ('[device]\ntimezone = "leapseconds"\n', 2, "unknown time zone 'leapseconds'"),
    "zone loop": ('[device]\ntimezone = "localtime"\n', 2, "unknown time zone 'localtime'"),
    # A TOML escape puts a control character into the EnvironmentFile.
    "control character": ('[updates]\npack_url = "https://example.org/x\\u0007.lantern"\n', 2, "without spaces"),
}


@pytest.mark.parametrize("case", sorted(REVIEW_BROKEN))
def test_values_that_would_break_the_device_are_refused(case: str, tmp_path: Path,
                                                        targets: bootconfig.Targets) -> None:
    text, line, message = REVIEW_BROKEN[case]
    boot = tmp_path / "lantern.toml"
    boot.write_text(text)
    outcome = bootconfig.apply(boot, targets)
    assert outcome.changed == [] and outcome.errors, case
    first = outcome.errors[0].format()
    assert first.startswith(f"{boot}:{line}: error: ") and message in first, first
    assert snapshot(targets.etc) == {}


def test_what_is_recorded_as_applied_is_what_was_applied(tmp_path: Path, targets: bootconfig.Targets,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The file edited on the SD card while apply runs: the doctor must still see it as pending."""
    boot = tmp_path / "lantern.toml"
    boot.write_text('[device]\nrotation = 90\n')
    real_check = bootconfig.check

    def edited_meanwhile(text: str, path: Path, zoneinfo: Path):  # type: ignore[no-untyped-def]
        found = real_check(text, path, zoneinfo)
        boot.write_text('[device]\nrotation = 180\n')
        return found

    monkeypatch.setattr(bootconfig, "check", edited_meanwhile)
    assert bootconfig.apply(boot, targets).errors == []
    assert "KCFG_GRAPHICS_ROTATION=90\n" in targets.kiosk_env.read_text()
    assert bootconfig.pending(boot, targets)  # rotation = 180 was never applied
    monkeypatch.setattr(bootconfig, "check", real_check)
    assert bootconfig.apply(boot, targets).changed == [targets.kiosk_env]
    assert not bootconfig.pending(boot, targets)


def test_root_never_writes_through_a_link_in_the_data_directory(tmp_path: Path, keys: dict[str, Path],
                                                                targets: bootconfig.Targets,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The data directory belongs to the kiosk's user; `config apply` runs as root at every boot.
    A trust folder swapped for a link (to an empty folder, so that the device seems to trust no
    key) must not make root write key files elsewhere, e.g. into /etc/apt/apt.conf.d."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    targets.data_dir.mkdir()
    (targets.data_dir / "trust").symlink_to(elsewhere)
    boot = tmp_path / "lantern.toml"
    boot.write_text(f'[trust]\nkeys = ["{pub_line(keys, "A")}"]\n')
    with pytest.raises(PermissionError, match="symbolic link"):
        bootconfig.apply(boot, targets)
    assert list(elsewhere.iterdir()) == [] and not bootconfig.status_path(targets.data_dir).exists()
    # Swapped just after that check: the write itself does not follow the link.
    monkeypatch.setattr(bootconfig, "_linked_folder", lambda _targets, _path: None, raising=False)
    with pytest.raises(OSError):
        bootconfig.apply(boot, targets)
    assert list(elsewhere.iterdir()) == []


def test_the_device_start_path_uses_the_placement_before_any_pack_is_installed(
        tmp_path: Path, targets: bootconfig.Targets, monkeypatch: pytest.MonkeyPatch) -> None:
    """First boot: lantern.toml says restroom, no regional pack yet (docs/fleet.md section 2)."""
    boot = tmp_path / "lantern.toml"
    boot.write_text('[device]\nplacement = "restroom"\n')
    assert bootconfig.apply(boot, targets).errors == []
    monkeypatch.setenv("LANTERN_DATA", str(targets.data_dir))
    from kiosk.ui.app import prepare
    from kiosk.ui.device import _choose_pack
    path, chosen = _choose_pack(None)  # exactly what start_device does
    assert prepare(path, None, chosen).pack.manifest.mode == "restroom"
