"""Regional overlay packs: merged over the built-in pack, problems blamed on the right folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.content.builtin import builtin_root
from kiosk.content.packs import open_pack
from kiosk.content.problems import has_errors
from kiosk.content.validate import validate_path
from kiosk.session import Choose, QuickExit, Session

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "examples" / "packs"


def copy_sample(name: str, tmp_path: Path, as_name: str | None = None) -> Path:
    target = tmp_path / (as_name or name)
    shutil.copytree(SAMPLES / name, target)
    return target


def errors(problems: list) -> list[str]:  # type: ignore[type-arg]
    return [p.format() for p in problems if p.severity == "error"]


@pytest.mark.parametrize("name", ["mississippi", "california"])
def test_sample_packs_are_valid_and_marked_sample(name: str) -> None:
    problems = validate_path(SAMPLES / name)
    assert not has_errors(problems), errors(problems)
    assert not problems, [p.format() for p in problems]  # no warnings expected either
    opened = open_pack(SAMPLES / name)
    assert opened.pack is not None
    m = opened.pack.manifest
    assert m.sample is True and m.extends == "us-national"


def test_kiosk_validate_command_checks_the_merged_pack(kiosk_cmd: list[str], tmp_path: Path) -> None:
    ok = subprocess.run([*kiosk_cmd, "validate", str(SAMPLES / "california")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    pack = copy_sample("california", tmp_path, "ca-test")
    flow = pack / "flows" / "california.yaml"
    flow.write_text(flow.read_text().replace("contacts: [cast]\n    options: [hotline, with_you]",
                                             "contacts: [cst]\n    options: [hotline, with_you]"))
    bad = subprocess.run([*kiosk_cmd, "validate", str(pack)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "ca-test/flows/california.yaml:" in bad.stdout
    assert "'cst', which is not in contacts.yaml; did you mean 'cast'?" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_merged_pack_adds_and_replaces() -> None:
    base = open_pack(None).pack
    pack = open_pack(SAMPLES / "mississippi").pack
    assert base is not None and pack is not None
    m = pack.manifest
    assert (m.id, m.region, m.version) == ("us-ms-sample", "US-MS", 1)
    assert m.languages == ("en", "es")
    assert (m.mode, m.idle_timeout) == ("restroom", 45)
    assert m.staff_phrase["es"].startswith("¿Puedo")
    # Inherited as is.
    assert m.neutral == base.manifest.neutral and m.exit_to == base.manifest.exit_to
    assert pack.contacts["nhth"] == base.contacts["nhth"]
    assert pack.nodes["hotline"] == base.nodes["hotline"]
    # Replaced whole, and added.
    assert [o.to for o in pack.nodes["who_help"].options][:2] == ["hotline", "local_help"]
    assert pack.nodes["who_help"].where.file == "mississippi/flows/local.yaml"
    assert "local_help" in pack.nodes and "local_help" not in base.nodes
    # Strings: the overlay's over the base's; languages not offered are left out.
    assert pack.string("es", "local_help.label") == "Ayuda cerca de aquí"
    assert pack.string("es", "hotline.title") == base.string("es", "hotline.title")
    assert set(pack.locales) == {"en", "es"}
    assert pack.layers == (builtin_root(), SAMPLES / "mississippi")
    assert pack.root == SAMPLES / "mississippi"


def test_a_visitor_reaches_the_new_screen_and_quick_exit_still_works() -> None:
    pack = open_pack(SAMPLES / "california").pack
    assert pack is not None
    session = Session(pack, clock=lambda: 0.0, on_end=lambda summary: None)
    for target in ("safety", "who_help", "state_line"):
        view = session.view()
        number = next(o.number for o in view.options if o.target == target)
        session.handle(Choose(number))
    view = session.view()
    assert view.node_id == "state_line"
    assert [c.call_display for c in view.contacts] == ["1-888-539-2373"]
    hotline = pack.nodes["hotline"]
    assert hotline.contacts == ("nhth", "cast")  # Civil Code 52.6: both lines on the hotline screen
    session.handle(QuickExit())
    assert pack.nodes[session.node_id].neutral


def test_problems_point_at_the_overlay_folder(tmp_path: Path) -> None:
    pack = copy_sample("mississippi", tmp_path, "ms-edit")
    (pack / "locales" / "es.yaml").write_text(
        (pack / "locales" / "es.yaml").read_text().replace("  local_help.label: Ayuda cerca de aquí\n", ""))
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text()
                                    .replace("languages: [en, es]", "languages: [en, es, ko]"))
    found = errors(validate_path(pack))
    # A string missing in a language the overlay ships: blamed on its own locale file.
    assert any(e.startswith("ms-edit/locales/es.yaml:") and "'local_help.label'" in e for e in found), found
    # A language the overlay adds but has no file for: the file to create is named.
    assert any(e.startswith("ms-edit/locales/ko.yaml:1:1: error: ko: missing string 'local_help.title'")
               for e in found), found
    # Nothing is blamed on the built-in pack, which is fine.
    assert not any(e.startswith(builtin_root().name + "/") for e in found), found


def test_replacing_a_builtin_contact_warns(tmp_path: Path) -> None:
    pack = copy_sample("california", tmp_path)
    (pack / "contacts.yaml").write_text((pack / "contacts.yaml").read_text() + """
  - id: nhth
    call: "1-888-373-7888"
    verified: 2026-11-01
    source: https://humantraffickinghotline.org
""")
    problems = validate_path(pack)
    assert not has_errors(problems), errors(problems)
    warnings = [p.format() for p in problems]
    assert any(w.startswith("california/contacts.yaml:") and "replaces the built-in contact" in w
               for w in warnings), warnings


def test_extends_must_name_the_builtin_pack(tmp_path: Path) -> None:
    pack = copy_sample("mississippi", tmp_path)
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text()
                                    .replace("extends: us-national", "extends: us-natonal"))
    line = (pack / "pack.yaml").read_text().splitlines().index("extends: us-natonal") + 1
    found = errors(validate_path(pack))
    assert found == [f"mississippi/pack.yaml:{line}:10: error: extends 'us-natonal', but this device's "
                     "built-in pack is 'us-national'"]


def test_overlay_manifest_needs_its_own_identity(tmp_path: Path) -> None:
    pack = copy_sample("mississippi", tmp_path)
    text = (pack / "pack.yaml").read_text().replace("version: 1\n", "").replace("id: us-ms-sample",
                                                                                 "id: us-national")
    (pack / "pack.yaml").write_text(text + "colour: blue\n")
    found = errors(validate_path(pack))
    assert any("the manifest needs 'version'" in e for e in found), found
    assert any("unknown key 'colour'" in e for e in found), found


def test_overriding_exit_screens_is_checked(tmp_path: Path) -> None:
    pack = copy_sample("mississippi", tmp_path)
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text() + "exit_to: [hotline]\n")
    found = errors(validate_path(pack))
    assert any(e.startswith("mississippi/pack.yaml:") and "exit_to 'hotline' must be a neutral screen" in e
               for e in found), found


def test_a_plain_pack_loads_as_before(fixtures: Path) -> None:
    opened = open_pack(fixtures / "packs" / "tiny")
    assert opened.pack is not None
    assert opened.pack.layers == () and opened.pack.manifest.extends is None
