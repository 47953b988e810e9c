"""The local services screen in the real kiosk: touches on chips, a real SQLite directory,
and "open now" against an injected local time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.services_view import SCREENFUL
from tests.ui.conftest import RecordingSpeaker
from tests.ui.uihelp import GATE_CLEAR, option_tile, tap, texts, widgets

ROOT = Path(__file__).resolve().parents[2]
MS = ROOT / "examples" / "packs" / "mississippi"
CA = ROOT / "examples" / "packs" / "california"
MONDAY_0930 = dt.datetime(2026, 11, 23, 9, 30)
SUNDAY_2200 = dt.datetime(2026, 11, 29, 22, 0)


class LocalTime:
    """The device's local time, as the test sets it."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture(scope="module")
def ms_prepared():
    from kiosk.ui.app import prepare
    prepared = prepare(MS, None)
    assert prepared.directory is not None and prepared.directory.is_file()
    return prepared


@pytest.fixture
def services_kiosk(kivy_env, ms_prepared):
    """A kiosk on the Mississippi sample with its directory and a settable local time."""
    from kiosk.session import Session
    from kiosk.ui.kiosk import Kiosk
    from kiosk.services_view import directory_query
    made: list = []

    def make(prepared=None, *, now: LocalTime | None = None, speaker=None, directory: bool = True,
             summaries: list | None = None):
        prepared = prepared or ms_prepared
        session = Session(prepared.pack, clock=kivy_env.time,
                          on_end=summaries.append if summaries is not None else None)
        kiosk = Kiosk(session, clock=kivy_env.time, speaker=speaker,
                      directory=directory_query(prepared.directory) if directory else None,
                      now=now or LocalTime(MONDAY_0930))
        kiosk.attach()
        made.append(kiosk)
        kivy_env.step(GATE_CLEAR, frames=3)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.detach()
    kivy_env.step(1.0)


def go(env, kiosk, *events) -> None:
    for event in events:
        kiosk.send(event)
    env.step(GATE_CLEAR, frames=3)


def cards(kiosk) -> list[str]:
    """The services shown, top to bottom."""
    from kiosk.ui.widgets import Card
    found = widgets(kiosk.page, Card, lambda c: hasattr(c, "service_id"))
    return [c.service_id for c in sorted(found, key=lambda c: -c.to_window(c.x, c.top)[1])]


def chip(kiosk, kind: str, value):
    from kiosk.ui.widgets import Tile
    found = [t for t in widgets(kiosk.page, Tile) if getattr(t, "services_chip", None) == (kind, value)]
    assert found, f"no {kind} chip {value!r}"
    return found[0]


def chosen(kiosk) -> dict[str, list]:
    from kiosk.ui.widgets import Tile
    out: dict[str, list] = {}
    for t in widgets(kiosk.page, Tile):
        if getattr(t, "selected", False) and hasattr(t, "services_chip"):
            out.setdefault(t.services_chip[0], []).append(t.services_chip[1])
    return out


def open_services(env, kiosk, who: str = "Who can help", places: str = "Places near here") -> None:
    """From the neutral screen to the services screen by touch: safety, who can help, places
    (the two labels in the kiosk's language)."""
    from kiosk.session import GoTo
    go(env, kiosk, GoTo("safety"))
    tap(env, option_tile(kiosk, who))
    tap(env, option_tile(kiosk, places))
    assert kiosk.view.node_id == "local_services"


def test_touching_a_category_chip_filters_the_cards(kivy_env, services_kiosk):
    kiosk = services_kiosk()
    open_services(kivy_env, kiosk)
    assert chosen(kiosk) == {"category": [None], "language": ["en"]}
    # Everything speaking English first (a screenful), then a note that there is more.
    assert cards(kiosk) == ["sample_counseling_coast", "sample_clinic_delta", "sample_legal_aid",
                            "sample_shelter_jackson", "sample_worker_center"][:SCREENFUL]
    assert kiosk.view.ui["services_more"] in texts(kiosk.page)
    tap(kivy_env, chip(kiosk, "category", "legal"))
    assert cards(kiosk) == ["sample_legal_aid", "sample_worker_center"]
    assert chosen(kiosk)["category"] == ["legal"]
    assert kiosk.view.ui["services_more"] not in texts(kiosk.page)
    tap(kivy_env, chip(kiosk, "category", "youth"))
    assert cards(kiosk) == ["sample_youth_drop_in"]
    tap(kivy_env, chip(kiosk, "category", None))
    assert len(cards(kiosk)) == SCREENFUL
    # Each card shows the number large, as a contact screen does.
    from kivy.uix.label import Label
    numbers = [w.text for w in widgets(kiosk.page, Label, lambda w: getattr(w, "is_phone_number", False))]
    assert "601-555-0103" in numbers
    assert kiosk.view.node_id == "local_services" and kiosk.session.active


def test_the_language_filter_starts_on_the_visitors_language_and_can_be_any(kivy_env, services_kiosk):
    from kiosk.session import SetLanguage
    kiosk = services_kiosk()
    go(kivy_env, kiosk, SetLanguage("es"))
    open_services(kivy_env, kiosk, "Quién puede ayudar", "Lugares cerca de aquí")
    assert chosen(kiosk)["language"] == ["es"]
    assert "Español" in texts(chip(kiosk, "language", "es"))
    tap(kivy_env, chip(kiosk, "category", "medical"))
    # The only clinic speaks English: nothing for a Spanish speaker, and the screen says so.
    assert cards(kiosk) == []
    assert kiosk.view.ui["no_services"].startswith("No hay resultados")  # Spanish, not English
    assert kiosk.view.ui["no_services"] in texts(kiosk.page)
    tap(kivy_env, chip(kiosk, "language", None))
    assert cards(kiosk) == ["sample_clinic_delta"]
    assert chosen(kiosk) == {"category": ["medical"], "language": [None]}
    tap(kivy_env, chip(kiosk, "language", "es"))
    tap(kivy_env, chip(kiosk, "category", "immigration_legal"))
    assert cards(kiosk) == ["sample_immigrant_help", "sample_legal_aid"]


def test_changing_language_on_the_screen_keeps_the_category(kivy_env, services_kiosk):
    from kiosk.session import SetLanguage
    kiosk = services_kiosk()
    open_services(kivy_env, kiosk)
    tap(kivy_env, chip(kiosk, "category", "medical"))
    assert cards(kiosk) == ["sample_clinic_delta"]
    go(kivy_env, kiosk, SetLanguage("es"))
    assert chosen(kiosk) == {"category": ["medical"], "language": ["es"]}
    assert cards(kiosk) == []


@pytest.mark.parametrize("now, open_ids", [
    (MONDAY_0930, ["sample_clinic_delta", "sample_legal_aid", "sample_shelter_jackson"]),
    (SUNDAY_2200, ["sample_shelter_jackson", "sample_youth_drop_in"]),
], ids=["monday_0930", "sunday_2200"])
def test_open_now_follows_the_local_time(kivy_env, services_kiosk, now, open_ids):
    kiosk = services_kiosk(now=LocalTime(now))
    open_services(kivy_env, kiosk)
    tap(kivy_env, chip(kiosk, "language", None))
    statuses = {r.id: r.open_now for r in kiosk.view.services.results}
    assert sorted(i for i, is_open in statuses.items() if is_open) == [i for i in open_ids if i in statuses]
    tap(kivy_env, chip(kiosk, "open_now", False))
    assert cards(kiosk) == open_ids
    assert chosen(kiosk)["open_now"] == [True]
    words = " ".join(texts(kiosk.page))
    assert words.count("Open now: ") == len(open_ids) and "Closed now" not in words
    tap(kivy_env, chip(kiosk, "open_now", True))  # off again
    assert "open_now" not in chosen(kiosk)
    assert len(cards(kiosk)) == SCREENFUL


def test_choices_are_forgotten_when_the_visitor_leaves(kivy_env, services_kiosk):
    summaries: list = []
    kiosk = services_kiosk(summaries=summaries)
    open_services(kivy_env, kiosk)
    tap(kivy_env, chip(kiosk, "category", "shelter"))
    tap(kivy_env, chip(kiosk, "open_now", False))
    tap(kivy_env, kiosk.header.exit_button)
    assert kiosk.view.neutral and kiosk.services.filters is None
    assert summaries[-1].reason == "quick_exit"
    open_services(kivy_env, kiosk)
    assert chosen(kiosk) == {"category": [None], "language": ["en"]}


def test_read_aloud_reads_the_services_found(kivy_env, services_kiosk):
    speaker = RecordingSpeaker()
    kiosk = services_kiosk(speaker=speaker)
    open_services(kivy_env, kiosk)
    tap(kivy_env, chip(kiosk, "category", "shelter"))
    from kiosk.ui.widgets import Tile
    read = [t for t in widgets(kiosk.header.widget, Tile) if getattr(t, "role", None) == "read_aloud"][0]
    tap(kivy_env, read)
    sentences, language = speaker.said[-1]
    assert language == "en"
    assert "Sample Safe House (Jackson)" in sentences and "Call: 6 0 1, 5 5 5, 0 1 0 2" in sentences
    assert sentences.index("Sample Safe House (Jackson)") < sentences.index("Sample Youth Drop-In")
    # A new choice stops reading the old list.
    tap(kivy_env, chip(kiosk, "category", "legal"))
    assert not speaker.speaking()
    say = option_tile(kiosk, "Say the number again")
    tap(kivy_env, say)
    assert speaker.said[-1] == (("6 0 1, 5 5 5, 0 1 0 3",), "en")


def test_a_service_card_offers_the_qr_code_and_the_page_comes_back(kivy_env, services_kiosk):
    from kivy.uix.image import Image
    kiosk = services_kiosk()
    open_services(kivy_env, kiosk)
    tap(kivy_env, chip(kiosk, "category", "legal"))
    tap(kivy_env, option_tile(kiosk, "Show a code for your phone"))
    assert kiosk.overlay == "qr_warning"
    assert "Sample Legal Aid Project" in texts(kiosk.stage)
    tap(kivy_env, option_tile(kiosk, "Show the code"))
    codes = [i for i in widgets(kiosk.stage, Image) if hasattr(i, "qr_uri")]
    assert [c.qr_uri for c in codes] == ["tel:+16015550103", "sms:6015550104"]
    tap(kivy_env, option_tile(kiosk, "Done"))  # the overlay's one way out (issue 15)
    assert kiosk.overlay is None and cards(kiosk) == ["sample_legal_aid", "sample_worker_center"]


def test_without_a_directory_the_screen_says_so(kivy_env, services_kiosk):
    kiosk = services_kiosk(directory=False)
    open_services(kivy_env, kiosk)
    assert cards(kiosk) == []
    assert "The list of places is not available right now." in texts(kiosk.page)
    assert kiosk.view.options  # the way on (the hotline) is still there


def test_the_directory_is_asked_only_when_a_choice_changes(kivy_env, services_kiosk):
    kiosk = services_kiosk()
    open_services(kivy_env, kiosk)
    asked, rebuilds = kiosk.services.lookups, kiosk.rebuilds
    kivy_env.step(5.0, frames=3)  # the idle timer ticks: same screen, no look-up, no redraw
    kivy_env.step(1.0, frames=3)
    assert kiosk.services.lookups == asked and kiosk.rebuilds == rebuilds
    tap(kivy_env, chip(kiosk, "category", "legal"))
    assert kiosk.services.lookups == asked + 1


def test_a_screen_that_offers_some_categories_shows_only_those(kivy_env, services_kiosk):
    from kiosk.ui.app import prepare
    kiosk = services_kiosk(prepare(CA, "zh-Hans"))
    from kiosk.session import GoTo
    go(kivy_env, kiosk, GoTo("safety"), GoTo("who_help"), GoTo("local_services"))
    labels = [t.label_widget.source for t in widgets(kiosk.page)
              if getattr(t, "services_chip", ("",))[0] == "category"]
    assert labels[:3] == ["全部", "安全住处", "法律帮助"]
    assert chosen(kiosk)["language"] == ["zh-Hans"]
    # Chinese speakers first, then services with interpreters.
    assert cards(kiosk) == ["sample_legal_sf", "sample_immigration_desk"]


def test_the_first_cards_are_on_the_first_frame_and_the_rest_follow(kivy_env, services_kiosk):
    """A chip tap draws the top of the list at once; the cards below the fold come a frame later."""
    from kiosk.ui.services_ui import CARDS_AT_ONCE
    from kiosk.ui.widgets import Card
    from kivy.tests.common import UnitTestTouch
    kiosk = services_kiosk()
    open_services(kivy_env, kiosk)
    tap(kivy_env, chip(kiosk, "category", "legal"))
    generation = kiosk.generation
    all_chip = chip(kiosk, "category", None)
    finger = UnitTestTouch(*all_chip.to_window(*all_chip.center))
    finger.touch_down()
    finger.touch_up()  # the page is built now, before any frame
    assert kiosk.generation == generation + 1
    assert len(widgets(kiosk.page, Card, lambda c: hasattr(c, "service_id"))) == CARDS_AT_ONCE
    kivy_env.step(0.0, frames=2)
    assert len(cards(kiosk)) == SCREENFUL  # the rest, in order, below the first
    assert cards(kiosk)[:CARDS_AT_ONCE] == ["sample_counseling_coast", "sample_clinic_delta"]
