"""One meaning per control (issue 15), through the real window in all twelve languages: each
overlay (language list, QR warning, QR codes, "Did you mean ...?") closes with ONE control
inside it ("Done", "Not now", "No"); the header shows no Back over an overlay; Close (the
quick exit) is the only control with Close's word or its X; and Close has a clear gap beside it
(in Arabic, Back sits on Close's side)."""

from __future__ import annotations

import pytest

from kiosk.speech import Heard
from tests.kit.speaker import HandListener
from tests.ui.uihelp import GATE_CLEAR, tap, widgets


@pytest.fixture
def voice_kiosk(kivy_env, built_in_pack):  # noqa: ANN201
    from kiosk.session import Session
    from kiosk.ui.kiosk import Kiosk
    listener = HandListener(languages=frozenset(built_in_pack.manifest.languages))
    kiosk = Kiosk(Session(built_in_pack, clock=kivy_env.time), clock=kivy_env.time, listener=listener)
    kiosk.attach()
    kivy_env.step(GATE_CLEAR, frames=3)
    yield kiosk, listener
    kiosk.detach()
    kivy_env.step(1.0)


def tiles(root) -> list:  # noqa: ANN001
    from kiosk.ui.widgets import Tile
    return widgets(root, Tile)


def header_roles(kiosk) -> list[str]:  # noqa: ANN001
    return [getattr(t, "role", None) for t in tiles(kiosk.header.widget)]


def check_one_meaning(kiosk, where: str) -> None:  # noqa: ANN001
    from kiosk.ui.widgets import GLYPH_CLOSE, IconGlyph
    ui = kiosk.view.ui
    assert "back" not in header_roles(kiosk), f"{where}: a Back in the header over the overlay"
    closers = [t for t in tiles(kiosk.stage) if getattr(t, "overlay_role", None) == "done"]
    assert len(closers) == 1, f"{where}: {len(closers)} ways out inside the overlay"
    exit_button = kiosk.header.exit_button
    assert exit_button is not None, f"{where}: Close must stay over an overlay"
    exit_parts = set(map(id, exit_button.walk(restrict=True)))
    for tile in tiles(kiosk.root):
        if tile is exit_button or tile.label_widget is None:
            continue
        word = tile.label_widget.source
        assert word != ui["exit"], f"{where}: {word!r} is Close's word on another control"
        assert word != ui["back"] or getattr(tile, "role", None) == "back", f"{where}: a second Back"
    crosses = [g for g in widgets(kiosk.root, IconGlyph) if g.text == chr(GLYPH_CLOSE) and id(g) not in exit_parts]
    assert not crosses, f"{where}: the X glyph on a control that is not Close"


def open_question(env, kiosk, listener: HandListener) -> None:  # noqa: ANN001
    from kiosk.screen import Speak
    kiosk.send(Speak())
    listener.answer(Heard(text="help me", intent="help", score=0.7, sentence="I need help", margin=0.1))
    env.step(0.0, frames=2)
    env.step(GATE_CLEAR, frames=3)


def test_every_overlay_has_one_way_out_and_close_means_only_quick_exit(kivy_env, voice_kiosk, built_in_pack):
    from kiosk.screen import AskQr, OpenLanguages, ShowQr
    from kiosk.session import GoTo, SetLanguage
    kiosk, listener = voice_kiosk
    for tag in built_in_pack.manifest.languages:
        kiosk.send(SetLanguage(tag))
        kiosk.send(GoTo("safety"))
        kiosk.send(GoTo("hotline"))
        contact = kiosk.view.contacts[0].id
        for kind, opening in (("languages", lambda: kiosk.send(OpenLanguages())),
                              ("qr_warning", lambda: kiosk.send(AskQr(contact))),
                              ("qr", lambda: (kiosk.send(AskQr(contact)), kiosk.send(ShowQr(contact)))),
                              ("did_you_mean", lambda: open_question(kivy_env, kiosk, listener))):
            opening()
            kivy_env.step(GATE_CLEAR, frames=2)
            assert kiosk.overlay == kind, (tag, kind)
            check_one_meaning(kiosk, f"{tag} {kind}")
            done = next(t for t in tiles(kiosk.stage) if getattr(t, "overlay_role", None) == "done")
            tap(kivy_env, done)
            assert kiosk.overlay is None, (tag, kind)
            assert kiosk.view.node_id == "hotline" and kiosk.session.active, (tag, kind)
            assert "back" in header_roles(kiosk)  # the page's Back is back with the page
        kiosk.send(GoTo("home"))


def test_close_over_an_overlay_is_the_quick_exit(kivy_env, make_kiosk):
    from kiosk.screen import OpenLanguages
    from kiosk.session import GoTo
    summaries: list = []
    kiosk = make_kiosk(summaries=summaries)
    kiosk.send(GoTo("safety"))
    kiosk.send(OpenLanguages())
    kivy_env.step(GATE_CLEAR, frames=2)
    tap(kivy_env, kiosk.header.exit_button)
    assert kiosk.view.neutral and kiosk.overlay is None and summaries[-1].reason == "quick_exit"


@pytest.mark.parametrize("tag", ["ar", "en"])
def test_close_has_a_clear_gap_beside_it(kivy_env, make_kiosk, tag):
    from kiosk.session import GoTo, SetLanguage
    from tests.ui.uihelp import widget_box
    kiosk = make_kiosk()
    kiosk.send(SetLanguage(tag))
    kiosk.send(GoTo("safety"))
    kiosk.send(GoTo("hotline"))
    kivy_env.step(GATE_CLEAR, frames=2)
    roles = {getattr(t, "role", None): t for t in tiles(kiosk.header.widget)}
    assert {"back", "home", "language", "exit"} <= set(roles)
    close_x0 = widget_box(roles["exit"])[0]
    nearest = max(widget_box(t)[2] for r, t in roles.items() if r != "exit")
    gap = close_x0 - nearest
    assert gap >= 48, f"{tag}: only {gap} px between Close and the next control"  # was 12 in Arabic
    if tag == "ar":  # Back is on Close's side in Arabic: it is the neighbour the gap protects
        assert widget_box(roles["back"])[2] == nearest
