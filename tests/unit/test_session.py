"""The flow engine: every event, idle reset and quick exit, with a stepped clock."""

from __future__ import annotations

import pytest

from kiosk.content.packs import open_pack
from tests.kit.clock import FakeTime
from kiosk.content.model import Pack
from kiosk.session import (
    COUNTDOWN_SECONDS, Back, Choose, GoTo, Home, QuickExit, Session, SessionSummary, SetLanguage,
    Tick, Touch,
)


FakeClock = FakeTime  # the test kit's clock (tests/kit/clock.py)


@pytest.fixture(scope="module")
def pack() -> Pack:
    opened = open_pack()
    assert opened.pack is not None, [p.format() for p in opened.problems]
    return opened.pack


@pytest.fixture
def clock() -> FakeClock:
    return FakeTime(1000.0)


@pytest.fixture
def ended() -> list[SessionSummary]:
    return []


@pytest.fixture
def session(pack: Pack, clock: FakeClock, ended: list[SessionSummary]) -> Session:
    return Session(pack, clock=clock, on_end=ended.append)


def option_number(session: Session, target: str) -> int:
    for option in session.view().options:
        if option.target == target:
            return option.number
    raise AssertionError(f"no option to {target} on {session.node_id}")


def go(session: Session, *path: str) -> None:
    for target in path:
        session.handle(Choose(option_number(session, target)))
        assert session.node_id == target


def test_starts_on_the_neutral_screen(session: Session, pack: Pack) -> None:
    view = session.view()
    assert view.node_id == pack.manifest.neutral
    assert view.neutral and not view.can_go_back
    assert view.language == "en"
    assert not session.active


def test_choose_and_back(session: Session) -> None:
    go(session, "safety", "hotline")
    assert session.history == ("home", "safety")
    view = session.handle(Back())
    assert view.node_id == "safety" and view.can_go_back
    assert session.handle(Back()).node_id == "home"
    assert session.handle(Back()).node_id == "home"  # nothing further back


def test_choose_out_of_range_changes_nothing(session: Session) -> None:
    before = session.view()
    assert session.handle(Choose(99)) == before
    assert session.handle(Choose(0)) == before


def test_goto_jumps_and_ignores_unknown(session: Session) -> None:
    assert session.handle(GoTo("hotline")).node_id == "hotline"
    assert session.history == ("home",)
    assert session.handle(GoTo("no_such_node")).node_id == "hotline"


def test_loops_do_not_grow_history(session: Session) -> None:
    go(session, "safety", "hotline", "call_expect", "hotline", "call_expect")
    assert len(session.history) <= 3
    assert session.history[0] == "home"


def test_home_keeps_language_but_clears_history(session: Session) -> None:
    session.handle(SetLanguage("es"))
    go(session, "safety", "hotline")
    view = session.handle(Home())
    assert view.node_id == "home" and not view.can_go_back
    assert view.language == "es"


def test_quick_exit_forgets_everything_and_lands_on_a_tip(session: Session, pack: Pack,
                                                         ended: list[SessionSummary]) -> None:
    session.handle(SetLanguage("es"))
    go(session, "safety", "hotline")
    view = session.handle(QuickExit())
    assert view.node_id in pack.manifest.exit_to
    assert view.neutral and not view.can_go_back
    assert view.language == pack.manifest.default_language
    assert session.history == () and not session.active
    assert len(ended) == 1
    summary = ended[0]
    assert summary.reason == "quick_exit"
    assert summary.help_opened and summary.hotline_shown and summary.contact_shown
    assert summary.languages == frozenset({"es"})


def test_quick_exits_rotate_through_tips(session: Session, pack: Pack) -> None:
    landed = set()
    for _ in pack.manifest.exit_to:
        go(session, "safety") if session.node_id == "home" else session.handle(GoTo("safety"))
        landed.add(session.handle(QuickExit()).node_id)
    assert landed == set(pack.manifest.exit_to)


def test_set_language_keeps_the_screen(session: Session) -> None:
    go(session, "safety", "hotline")
    view = session.handle(SetLanguage("es"))
    assert view.node_id == "hotline" and view.language == "es"
    assert view.title != session.handle(SetLanguage("en")).title


def test_unknown_language_is_ignored(session: Session) -> None:
    assert session.handle(SetLanguage("xx")).language == "en"


def test_idle_timeout_resets_with_countdown(session: Session, clock: FakeClock, pack: Pack,
                                            ended: list[SessionSummary]) -> None:
    go(session, "safety", "signs")
    timeout = session.idle_timeout()  # the pack's idle_timeout, longer for a longer page
    clock.advance(timeout - COUNTDOWN_SECONDS - 1)
    assert session.handle(Tick()).idle_seconds_left is None
    clock.advance(2)
    view = session.handle(Tick())
    assert view.node_id == "signs"
    assert view.idle_seconds_left == COUNTDOWN_SECONDS - 1
    clock.advance(COUNTDOWN_SECONDS)
    view = session.handle(Tick())
    assert view.node_id == pack.manifest.neutral
    assert not view.can_go_back and view.idle_seconds_left is None
    assert [s.reason for s in ended] == ["idle"]


def test_any_activity_restarts_the_idle_timer(session: Session, clock: FakeClock, pack: Pack) -> None:
    go(session, "safety")
    for _ in range(5):
        clock.advance(session.idle_timeout() - 1)
        session.handle(Touch())
        assert session.handle(Tick()).node_id == "safety"


def test_idle_on_the_neutral_face_ends_nothing(session: Session, clock: FakeClock,
                                               ended: list[SessionSummary]) -> None:
    go(session, "tip_water")
    clock.advance(10_000)
    assert session.handle(Tick()).node_id == "tip_water"
    assert ended == [] and not session.active


def test_features_are_counted_once(session: Session, ended: list[SessionSummary]) -> None:
    session.handle(Touch("read_aloud"))
    session.handle(Touch("read_aloud"))
    session.handle(Touch("voice"))
    session.handle(QuickExit())
    assert ended[0].features == frozenset({"read_aloud", "voice"})
    assert not ended[0].help_opened


def test_hotline_within_three_taps_of_neutral(pack: Pack) -> None:
    from kiosk.content.validate import tap_depths
    depths = tap_depths(pack, pack.manifest.neutral)
    assert depths["hotline"] <= 3
    help_depths = tap_depths(pack, pack.manifest.help_entry)
    far = {n: d for n, d in help_depths.items() if d > 3}
    assert not far, f"more than three taps from the help entry: {far}"
    help_nodes = {n for n, node in pack.nodes.items() if not node.neutral}
    assert help_nodes <= set(help_depths)


PACK_LANGUAGES = ["en", "es", "zh-Hans", "zh-Hant", "vi", "tl", "ko", "ar", "ru", "ht", "fr", "pt"]


def test_the_builtin_pack_speaks_twelve_languages(pack: Pack) -> None:
    assert list(pack.manifest.languages) == PACK_LANGUAGES


@pytest.mark.parametrize("lang", PACK_LANGUAGES)
def test_every_node_renders_in_every_language(pack: Pack, lang: str, clock: FakeClock) -> None:
    """Walk to every node and check its view is complete: no raw keys, numbers present."""
    for node_id, node in pack.nodes.items():
        s = Session(pack, clock=clock)
        s.handle(SetLanguage(lang))
        view = s.handle(GoTo(node_id)) if node_id != s.node_id else s.view()
        assert view.node_id == node_id
        assert view.title and not view.title.startswith(f"{node_id}.")
        texts = [view.title, *view.body, *view.items, *(o.label for o in view.options)]
        texts += [c.name for c in view.contacts]
        for text in texts:
            assert "." not in text.split()[0] or not text.split()[0].startswith(node_id), text
            assert "{" not in text, f"unfilled placeholder in {node_id}: {text}"
        if node.kind == "info":
            assert view.body
        for contact in view.contacts:
            assert contact.call_display or contact.text_line
            if contact.call_display:
                assert contact.call_spoken and contact.call_spoken.replace(",", "").replace(" ", "") \
                    == "".join(ch for ch in contact.call_display if ch.isdigit())
        assert view.speech and view.speech[0] == view.title


def test_hotline_view_has_the_facts(pack: Pack) -> None:
    view = Session(pack).handle(GoTo("hotline"))
    nhth = next(c for c in view.contacts if c.id == "nhth")  # 911 is on this screen too
    assert nhth.call_display == "1-888-3737-888"
    assert nhth.call_spoken == "1, 8 8 8, 3 7 3 7, 8 8 8"
    assert nhth.tel_uri == "tel:+18883737888"
    assert nhth.sms_uri == "sms:233733"
    assert "233733" in (nhth.text_line or "")
    assert nhth.tty == "711"
    assert "English" in nhth.languages and "Spanish" in nhth.languages


def test_views_are_immutable(session: Session) -> None:
    view = session.view()
    with pytest.raises(AttributeError):
        view.title = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        view.ui["exit"] = "x"  # type: ignore[index]


def test_forget_ends_the_visit_without_counting_it(session: Session, ended: list[SessionSummary],
                                                   pack: Pack) -> None:
    """Staff opening admin mode: the visitor's session ends as by a quick exit, uncounted."""
    session.handle(SetLanguage("es"))
    session.handle(GoTo("hotline"))
    session.forget()
    assert ended == [] and not session.active and session.history == ()
    assert session.node_id == pack.manifest.neutral and session.language == pack.manifest.default_language
