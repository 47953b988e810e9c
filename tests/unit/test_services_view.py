"""A services screen in the engine and the view: filters, hours in the visitor's words,
cards, read-aloud, and look-ups against a real directory database."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from kiosk.content.directory import Service, ensure_directory, find_services
from kiosk.content.model import SERVICE_CATEGORIES
from kiosk.content.packs import open_pack
from kiosk.content.validate import tap_depths, validate_path
from kiosk.services_view import (SCREENFUL, Filters, categories_present, hours_text, look_up,
                                 service_view, with_results)
from kiosk.session import GoTo, Session, SetLanguage
from kiosk.view import Strings, build_view

ROOT = Path(__file__).resolve().parents[2]
MS = ROOT / "examples" / "packs" / "mississippi"
CA = ROOT / "examples" / "packs" / "california"
MON = dt.date(2026, 11, 23)  # a Monday


def at(day_offset: int, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(MON + dt.timedelta(days=day_offset), dt.time(h, m))


@pytest.fixture(scope="module")
def ms():
    pack = open_pack(MS).pack
    assert pack is not None
    return pack


@pytest.fixture(scope="module")
def builtin():
    pack = open_pack().pack
    assert pack is not None
    return pack


@pytest.fixture(scope="module")
def ms_db(ms, tmp_path_factory) -> Path:
    status = ensure_directory(ms, tmp_path_factory.mktemp("dir") / "directory.sqlite")
    assert status.path is not None, status.problems
    return status.path


def plain(text: str) -> str:
    """Times keep "9:00 AM" together with a no-break space; compare them as plain text."""
    return text.replace("\u00a0", " ")


def service(**kw) -> Service:
    base = dict(id="s1", name="Riverside Legal Aid", categories=("legal",), languages=("en", "es"),
                hours=("mon-fri 09:00-17:00",), free=True, address="200 Main Street", phone="601-555-0103",
                text="601-555-0104", verified=dt.date(2026, 11, 1))
    base.update(kw)
    return Service(**base)  # type: ignore[arg-type]


# --- the engine's view of a services screen -----------------------------------

def test_a_services_screen_starts_with_every_category_and_the_visitors_language(ms) -> None:
    session = Session(ms)
    session.handle(SetLanguage("es"))
    view = session.handle(GoTo("local_services"))
    assert view.kind == "services" and view.services is not None
    panel = view.services
    assert [c.id for c in panel.categories] == list(SERVICE_CATEGORIES)
    # The label is the Spanish locale's own string (the translators' wording), not English.
    assert panel.categories[0].label == ms.locales["es"].strings["ui.cat_shelter"]
    assert panel.categories[0].label.startswith("Lugar seguro") and panel.categories[0].icon == "shelter"
    assert panel.category is None and panel.language == "es" and not panel.open_now
    assert panel.results is None  # the engine never reads the directory
    assert view.title == "Lugares que pueden ayudar (ejemplo)"


def test_a_screen_with_one_category_starts_on_it(ms) -> None:
    node = ms.nodes["local_services"]
    one = build_view(ms, type(node)(id=node.id, kind="services", where=node.where, categories=("legal",)),
                     "en", can_go_back=True)
    assert one.services is not None and one.services.category == "legal"
    assert [c.label for c in one.services.categories] == ["Legal help"]


def test_other_screens_carry_no_services(ms) -> None:
    assert Session(ms).view().services is None


# --- hours in the visitor's words ------------------------------------------------

def test_hours_in_english_and_spanish(builtin) -> None:
    en, es = Strings(builtin, "en"), Strings(builtin, "es")
    assert plain(hours_text(["mon-fri 09:00-17:00", "sat 10:00-14:00"], en)) == \
        "Mon–Fri 9:00 AM–5:00 PM; Sat 10:00 AM–2:00 PM"
    assert plain(hours_text(["mon-fri 09:00-17:00"], es)) == "Lun–vie 9:00–17:00"
    assert plain(hours_text(["always"], en)) == "Open all day and night, every day"
    assert plain(hours_text(["24/7"], es)) == "Abierto día y noche, todos los días"


def test_hours_every_day_lists_and_past_midnight(builtin) -> None:
    en = Strings(builtin, "en")
    assert plain(hours_text(["daily 08:00-12:00, 13:00-17:00"], en)) == "Every day 8:00 AM–12:00 PM, 1:00 PM–5:00 PM"
    assert plain(hours_text(["fri,sat 23:00-02:00"], en)) == "Fri, Sat 11:00 PM–2:00 AM"
    assert plain(hours_text(["sun 00:00-24:00"], en)) == "Sun 12:00 AM–12:00 AM"


def test_hours_use_the_translators_day_names_where_cldr_has_none(builtin) -> None:
    # CLDR gives Haitian Creole French day names; ht.yaml has its own.
    assert plain(hours_text(["mon-fri 09:00-17:00"], Strings(builtin, "ht"))).startswith("Lendi–vandredi")
    assert "오전 9:00" in plain(hours_text(["mon 09:00-17:00"], Strings(builtin, "ko")))
    assert plain(hours_text(["mon 09:00-17:00"], Strings(builtin, "zh-Hans"))).startswith("周一")


# --- one service's card ---------------------------------------------------------------

def test_a_card_says_open_or_closed_at_the_given_moment(builtin) -> None:
    en = Strings(builtin, "en")
    card = service_view(service(), en, "US-MS", at(0, "10:00"))
    assert card.open_now is True and card.status == "Open now"
    closed = service_view(service(), en, "US-MS", at(5, "10:00"))  # Saturday
    assert closed.open_now is False and closed.status == "Closed now"
    unknown = service_view(service(), en, "US-MS", None)
    assert unknown.open_now is None and unknown.status == ""


def test_a_card_in_the_visitors_language(builtin) -> None:
    es = Strings(builtin, "es")
    card = service_view(service(languages=("en", "es", "interpreters"), categories=("legal", "immigration_legal")),
                        es, "US-MS", at(0, "10:00"))
    assert card.categories == "Ayuda legal, Ayuda de inmigración"
    assert card.languages == "Inglés y español"
    assert card.interpreters == "Hay intérpretes"
    assert card.free == "Gratis" and card.status == "Abierto ahora"
    assert card.checked == "Revisado el 1 nov 2026"
    assert card.address == "200 Main Street"


def test_free_fee_or_not_said(builtin) -> None:
    en = Strings(builtin, "en")
    assert service_view(service(free=False), en, "US", None).free == "May cost money"
    assert service_view(service(free=None), en, "US", None).free == ""


def test_the_phone_part_works_like_a_contact(builtin) -> None:
    card = service_view(service(), Strings(builtin, "en"), "US-MS", None)
    contact = card.contact
    assert contact.call_display == "601-555-0103"
    assert contact.call_spoken == "6 0 1, 5 5 5, 0 1 0 3"
    assert contact.tel_uri == "tel:+16015550103"
    assert contact.text_line == "Text: 601-555-0104" and contact.sms_uri == "sms:6015550104"
    no_phone = service_view(service(phone=None, text=None), Strings(builtin, "en"), "US", None).contact
    assert no_phone.call_display is None and no_phone.tel_uri is None and no_phone.sms_uri is None


# --- the screen with results -------------------------------------------------------

def test_results_go_into_the_view_and_its_speech(ms, ms_db) -> None:
    view = Session(ms).handle(GoTo("local_services"))
    query = lambda **kw: find_services(ms_db, **kw)  # noqa: E731
    filters = Filters(category="legal", language="en", open_now=False)
    found = look_up(query, [c.id for c in view.services.categories], False, filters, at(0, "10:00"))
    filled = with_results(view, ms, filters, found, at(0, "10:00"))
    panel = filled.services
    assert panel.category == "legal" and panel.language == "en"
    assert [r.name for r in panel.results] == ["Sample Legal Aid Project", "Sample Workers' Rights Center"]
    speech = filled.speech
    assert speech[0] == view.title and "Legal help" in speech
    assert "Call: 6 0 1, 5 5 5, 0 1 0 3" in speech
    # The results are read before the options, which stay last.
    assert speech.index("Sample Legal Aid Project") < speech.index("Option 1: " + view.options[0].label)
    assert speech[-1].startswith(f"Option {len(view.options)}:")


def test_no_directory_and_no_results_are_said(ms) -> None:
    view = Session(ms).handle(GoTo("local_services"))
    filters = Filters(None, "en", False)
    unavailable = with_results(view, ms, filters, None, at(0, "10:00"))
    assert unavailable.services.results is None
    assert "The list of places is not available right now." in unavailable.speech
    empty = with_results(view, ms, filters, look_up(lambda **kw: [], ["legal"], False, filters, at(0, "10:00")),
                         at(0, "10:00"))
    assert empty.services.results == () and "Nothing matches. Try another choice." in empty.speech


def test_categories_without_services_are_not_offered(ms, ms_db) -> None:
    query = lambda **kw: find_services(ms_db, **kw)  # noqa: E731
    assert categories_present(query, SERVICE_CATEGORIES) == frozenset(SERVICE_CATEGORIES)
    view = Session(ms).handle(GoTo("local_services"))
    filled = with_results(view, ms, Filters(None, "en", False), None, at(0, "10:00"),
                          present=frozenset({"legal", "youth"}))
    assert [c.id for c in filled.services.categories] == ["legal", "youth"]


# --- look-ups against a real directory ------------------------------------------------

def test_language_filter_puts_interpreters_after_speakers(ms_db) -> None:
    query = lambda **kw: find_services(ms_db, **kw)  # noqa: E731
    found = look_up(query, ["immigration_legal"], False, Filters("immigration_legal", "vi", False), at(0, "10:00"))
    assert [s.id for s in found.services] == ["sample_immigrant_help", "sample_legal_aid"]
    anyone = look_up(query, [], False, Filters("immigration_legal", None, False), at(0, "10:00"))
    assert [s.id for s in anyone.services] == ["sample_immigrant_help", "sample_legal_aid"]
    english = look_up(query, [], False, Filters("immigration_legal", "en", False), at(0, "10:00"))
    # Legal Aid speaks English; the Help Desk (Spanish, Vietnamese) has interpreters: it comes after.
    assert [s.id for s in english.services] == ["sample_legal_aid", "sample_immigrant_help"]
    korean = look_up(query, [], False, Filters("immigration_legal", "ko", False), at(0, "10:00"))
    assert [s.id for s in korean.services] == ["sample_immigrant_help", "sample_legal_aid"]  # both by interpreters
    assert look_up(query, [], False, Filters("youth", "ko", False), at(0, "10:00")).services == ()


def test_open_now_filter_uses_the_given_moment(ms_db) -> None:
    query = lambda **kw: find_services(ms_db, **kw)  # noqa: E731
    sunday_night = look_up(query, [], False, Filters(None, None, True), at(6, "22:00"))
    assert [s.id for s in sunday_night.services] == ["sample_shelter_jackson", "sample_youth_drop_in"]
    monday_morning = look_up(query, [], False, Filters(None, None, True), at(0, "09:30"))
    assert {s.id for s in monday_morning.services} == {"sample_shelter_jackson", "sample_legal_aid",
                                                       "sample_clinic_delta"}


def test_a_restricted_screen_merges_its_categories(ms_db) -> None:
    query = lambda **kw: find_services(ms_db, **kw)  # noqa: E731
    found = look_up(query, ["shelter", "immigration_legal"], True, Filters(None, "es", False), at(0, "10:00"))
    # es speakers by name, then the one with interpreters only... here all three speak es.
    assert [s.id for s in found.services] == ["sample_immigrant_help", "sample_legal_aid", "sample_shelter_jackson"]
    vi = look_up(query, ["shelter", "immigration_legal"], True, Filters(None, "vi", False), at(0, "10:00"))
    assert [s.id for s in vi.services] == ["sample_immigrant_help", "sample_legal_aid"]  # speaker, then interpreters


def test_a_screenful_at_most_and_more_is_said(ms, tmp_path) -> None:
    pack_dir = tmp_path / "ms"
    shutil.copytree(MS, pack_dir)
    lines = ["services:"]
    for i in range(SCREENFUL + 3):
        lines += [f"  - id: shelter_{i:02d}", f"    name: Sample Shelter {i:02d}", "    categories: [shelter]",
                  "    languages: [en]", "    hours: always", "    phone: \"601-555-0102\"",
                  "    verified: 2026-11-01"]
    (pack_dir / "services.yaml").write_text("\n".join(lines) + "\n")
    pack = open_pack(pack_dir).pack
    db = ensure_directory(pack, tmp_path / "d.sqlite").path
    query = lambda **kw: find_services(db, **kw)  # noqa: E731
    found = look_up(query, [], False, Filters("shelter", "en", False), at(0, "10:00"))
    assert len(found.services) == SCREENFUL and found.more
    assert found.services[0].name == "Sample Shelter 00"
    merged = look_up(query, ["shelter", "legal"], True, Filters(None, "en", False), at(0, "10:00"))
    assert len(merged.services) == SCREENFUL and merged.more
    exact = look_up(query, [], False, Filters("shelter", "en", False), at(0, "10:00"), limit=SCREENFUL + 3)
    assert not exact.more


# --- sample packs: reachable, valid ----------------------------------------------------

@pytest.mark.parametrize("root", [MS, CA], ids=["mississippi", "california"])
def test_the_services_screen_is_within_three_taps_of_safety(root: Path) -> None:
    pack = open_pack(root).pack
    assert pack is not None
    assert tap_depths(pack, pack.manifest.help_entry)["local_services"] <= 3
    assert not [p for p in validate_path(root) if p.severity == "error"]


# --- the validator ------------------------------------------------------------------

def _ms_with(tmp_path: Path, node_yaml: str, services: bool = True) -> Path:
    """A copy of the Mississippi sample whose `local_services` screen is `node_yaml`."""
    root = tmp_path / "ms"
    shutil.copytree(MS, root)
    if not services:
        (root / "services.yaml").unlink()
    flows = root / "flows" / "local.yaml"
    text = flows.read_text()
    start = text.index("  - id: local_services")
    flows.write_text(text[:start] + node_yaml)
    return root


def _messages(root: Path, severity: str) -> list[str]:
    return [f"{p.where.file}:{p.where.line}: {p.message}" for p in validate_path(root) if p.severity == severity]


def test_unknown_and_repeated_categories_are_errors(tmp_path: Path) -> None:
    root = _ms_with(tmp_path, "  - id: local_services\n    kind: services\n"
                              "    categories: [shelter, legl, shelter]\n")
    errors = _messages(root, "error")
    assert any("local.yaml:" in e and "unknown category 'legl'; did you mean 'legal'?" in e for e in errors)
    assert any("lists category 'shelter' twice" in e for e in errors)


def test_categories_belong_only_on_a_services_screen(tmp_path: Path) -> None:
    root = _ms_with(tmp_path, "  - id: local_services\n    kind: info\n    categories: [shelter]\n")
    assert any("only a services screen (kind: services) takes 'categories'" in e for e in _messages(root, "error"))


def test_a_services_screen_needs_a_directory(tmp_path: Path) -> None:
    root = _ms_with(tmp_path, "  - id: local_services\n    kind: services\n", services=False)
    assert any("needs a services directory, but the pack has no services.yaml" in e
               for e in _messages(root, "error"))


def test_a_services_screen_is_never_neutral(tmp_path: Path) -> None:
    root = _ms_with(tmp_path, "  - id: local_services\n    kind: services\n    neutral: true\n")
    assert any("cannot be neutral" in e for e in _messages(root, "error"))


def test_a_category_nobody_offers_is_a_warning(tmp_path: Path) -> None:
    root = _ms_with(tmp_path, "  - id: local_services\n    kind: services\n    categories: [legal, youth]\n")
    services = root / "services.yaml"
    text = services.read_text()
    services.write_text(text.replace("categories: [youth, shelter]", "categories: [shelter]"))
    assert not _messages(root, "error")
    warnings = _messages(root, "warning")
    assert any("offers 'youth', but no service in the directory has that category" in w for w in warnings)


# --- start-up plumbing: the directory reaches the kiosk -------------------------------------

def test_an_installed_pack_starts_with_the_directory_built_at_install(tmp_path: Path, monkeypatch) -> None:
    from kiosk.content.archive import write_archive
    from kiosk.content.install import choose_start_pack, install_file
    from kiosk.content.overlay import load_any
    from kiosk.content.signing import generate_keypair, read_secret_key, trust_key
    from kiosk.ui.app import prepare  # imports no Kivy

    monkeypatch.setenv("LANTERN_DATA", str(tmp_path / "device"))
    secret, public = generate_keypair(str(tmp_path / "facility"))
    trust_key(public)
    manifest = load_any(MS).pack.manifest
    write_archive(MS, tmp_path / "ms.lantern", manifest, read_secret_key(secret), dt.date.today(), None)
    installed = install_file(tmp_path / "ms.lantern").installed
    db = installed.slot / "directory.sqlite"
    built = db.stat().st_mtime_ns
    choice = choose_start_pack()
    prepared = prepare(choice.path, None)
    assert prepared.directory == db and db.stat().st_mtime_ns == built  # found, not rebuilt
    assert "local_services" in prepared.pack.nodes


def test_a_pack_run_from_a_folder_gets_its_directory_built(tmp_path: Path, monkeypatch) -> None:
    from kiosk.ui.app import prepare
    monkeypatch.setenv("LANTERN_DATA", str(tmp_path / "data"))
    prepared = prepare(MS, "es")
    assert prepared.directory is not None and prepared.directory.is_relative_to(tmp_path / "data")
    assert [s.id for s in find_services(prepared.directory, category="youth")] == ["sample_youth_drop_in"]
    assert prepare(None, None).directory is None  # the built-in pack lists no local services


def test_a_broken_directory_does_not_stop_the_kiosk(tmp_path: Path, monkeypatch) -> None:
    from kiosk.ui.app import prepare
    monkeypatch.setenv("LANTERN_DATA", str(tmp_path / "data"))
    root = tmp_path / "ms"
    shutil.copytree(MS, root)
    services = root / "services.yaml"
    services.write_text(services.read_text().replace("hours: always", "hours: sometimes", 1))
    prepared = prepare(root, None)  # open_pack does not read services.yaml: the pack itself is fine
    assert prepared.pack is not None and prepared.directory is None
