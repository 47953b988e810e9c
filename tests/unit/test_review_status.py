"""Review status people can see (issue #16): the `review:` record of a locale, and the
warning for a production pack that shows a language nobody fluent has checked."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.content.builtin import builtin_root
from kiosk.content.load import load_pack
from kiosk.content.packs import open_pack
from kiosk.content.review import language_reviews, review_warnings, safety_critical_keys
from kiosk.content.validate import validate_path

TINY = Path(__file__).resolve().parent.parent / "fixtures" / "packs" / "tiny"
TODAY = dt.date(2026, 11, 22)  # the tiny pack's contacts were verified on 2026-11-01
ES_STRINGS = """strings:
  home.title: Consejos de salud
  tip_water.title: Tome agua
  tip_water.label: Agua
  tip_water.body: Tome un vaso de agua con cada comida.
  safety.title: Su seguridad y sus derechos
  safety.label: Seguridad y derechos
  hotline.title: Línea de ayuda
  hotline.label: Línea de ayuda
  local.title: Un lugar para quedarse
  local.label: Albergue
  contact.nhth.name: National Human Trafficking Hotline
  contact.shelter.name: Albergue de ejemplo (ficticio)
  contact.shelter.hours: Todos los días, de 8 a 20
"""


def make_pack(tmp_path: Path, review: str, sample: bool = False) -> Path:
    """The tiny pack with a Spanish locale whose `review:` is `review` (YAML text)."""
    root = tmp_path / "pack"
    shutil.copytree(TINY, root)
    manifest = (root / "pack.yaml").read_text("utf-8")
    manifest = manifest.replace("sample: true", f"sample: {'true' if sample else 'false'}")
    manifest = manifest.replace("languages: [en]", "languages: [en, es]")
    (root / "pack.yaml").write_text(manifest, "utf-8")
    (root / "locales" / "es.yaml").write_text(f"language: es\nreview: {review}\n{ES_STRINGS}", "utf-8")
    return root


def review_lines(root: Path) -> list[str]:
    return [p.format() for p in validate_path(root, today=TODAY) if "safety-critical" in p.message]


def test_a_bare_word_still_works(tmp_path: Path) -> None:
    result = load_pack(make_pack(tmp_path, "machine"))
    assert result.problems == []
    loc = result.pack.locales["es"]
    assert loc.review == "machine"
    assert loc.reviewed.status == loc.reviewed.safety_status == "machine"
    assert loc.reviewed.by is None and loc.reviewed.date is None


def test_a_review_record_is_read_whole(tmp_path: Path) -> None:
    record = ('{status: machine, by: "fluent reviewer (helper session)", date: 2026-12-03, '
              'safety_critical: reviewed}')
    result = load_pack(make_pack(tmp_path, record))
    assert result.problems == []
    rev = result.pack.locales["es"].reviewed
    assert (rev.status, rev.safety_status) == ("machine", "reviewed")
    assert rev.by == "fluent reviewer (helper session)" and rev.date == dt.date(2026, 12, 3)
    assert result.pack.locales["es"].review == "machine"  # older callers see the file's status


@pytest.mark.parametrize("review, at, message", [
    ("checked", "checked", "'review' is 'checked'; use one of native, machine, draft, reviewed"),
    ("{status: fine}", "fine", "'status' is 'fine'"),
    ("{status: reviewed, safety_critical: yes}", "yes", "'safety_critical' must be text"),
    ("{status: reviewed, when: 2026-12-03}", "when", "unknown key 'when' in the review record"),
    ("{status: reviewed, date: soon}", "soon", "'date' is 'soon'; write a date"),
    ("{by: someone}", "{", "the review record needs 'status'"),
])
def test_a_bad_review_record_says_where_and_what(tmp_path: Path, review: str, at: str, message: str) -> None:
    """One error, pointing at the line and column of the bad part (`at`) of line 2."""
    lines = [p.format() for p in validate_path(make_pack(tmp_path, review), today=TODAY)
             if p.severity == "error"]
    where = f"pack/locales/es.yaml:2:{len('review: ') + review.index(at) + 1}: error: "
    assert len(lines) == 1, lines
    assert lines[0].startswith(where) and message in lines[0], lines[0]


def test_production_pack_warns_about_a_machine_only_language(tmp_path: Path) -> None:
    lines = review_lines(make_pack(tmp_path, "machine"))
    assert len(lines) == 1
    assert lines[0].startswith("pack/locales/es.yaml:2:9: warning: es: the safety-critical strings")
    assert "machine translation" in lines[0]


def test_an_unchecked_draft_warns_too(tmp_path: Path) -> None:
    lines = review_lines(make_pack(tmp_path, "{status: draft, by: volunteer}"))
    assert len(lines) == 1 and "an unchecked draft" in lines[0]


@pytest.mark.parametrize("review", [
    "native", "reviewed",
    '{status: reviewed, by: "fluent reviewer (helper session)", date: 2026-12-03}',
    "{status: machine, safety_critical: reviewed}",  # the rest of the file may be machine-only
])
def test_no_warning_once_the_safety_critical_strings_are_checked(tmp_path: Path, review: str) -> None:
    assert review_lines(make_pack(tmp_path, review)) == []


def test_safety_critical_machine_strings_warn_even_in_a_reviewed_file(tmp_path: Path) -> None:
    assert len(review_lines(make_pack(tmp_path, "{status: reviewed, safety_critical: machine}"))) == 1


def test_a_sample_pack_does_not_warn(tmp_path: Path) -> None:
    assert review_lines(make_pack(tmp_path, "machine", sample=True)) == []


def test_kiosk_validate_prints_the_warning_and_exits_0(tmp_path: Path) -> None:
    root = make_pack(tmp_path, "machine")
    env = {**os.environ, "LANTERN_DATA": str(tmp_path / "data"), "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", str(root)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    warnings = [line for line in proc.stdout.splitlines() if "safety-critical" in line]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(warnings) == 1 and ":2:9: warning: es: " in warnings[0], proc.stdout


def test_the_builtin_pack_warns_for_exactly_its_unchecked_languages() -> None:
    pack = open_pack(builtin_root()).pack
    unchecked = {r.tag for r in language_reviews(pack) if r.unchecked}
    warned = {p.message.split(":", 1)[0] for p in review_warnings(pack)}
    assert warned == unchecked
    assert "en" not in unchecked  # English is written natively


def test_safety_critical_keys_cover_help_screens_and_contacts_not_health_tips() -> None:
    pack = open_pack(builtin_root()).pack
    keys = safety_critical_keys(pack)
    assert {"call_private.body", "young.body", "contact.nhth.about", "ui.interpreters", "ui.exit"} <= keys
    assert not any(k.startswith(("tip_", "home.")) for k in keys)
