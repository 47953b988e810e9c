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
