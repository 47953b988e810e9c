"""Headphone detection (kiosk.system.jack) from recorded ALSA outputs of real machines."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.system.jack import (JackState, detect, parse_cards, parse_cget, parse_jack_controls,
                               run_command)

# A laptop-class HDA codec (Intel PCH + HDMI), as /proc/asound/cards lists it.
CARDS_HDA = """\
 0 [PCH            ]: HDA-Intel - HDA Intel PCH
                      HDA Intel PCH at 0xf7f10000 irq 30
 1 [HDMI           ]: HDA-Intel - HDA ATI HDMI
                      HDA ATI HDMI at 0xf7e60000 irq 31
"""
# A Raspberry Pi: the 3.5 mm output has no jack detection; HDMI neither.
CARDS_PI = """\
 0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0
                      vc4-hdmi-0
 1 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones
                      bcm2835 Headphones
"""
CARDS_PI_USB_HEADSET = CARDS_PI + """\
 2 [Headset        ]: USB-Audio - USB Headset
                      Logitech USB Headset at usb-0000:01:00.0-1.3, full speed
"""
CONTROLS_PCH = """\
numid=18,iface=CARD,name='Front Headphone Jack'
numid=17,iface=CARD,name='Front Mic Jack'
numid=19,iface=CARD,name='Line Out Jack'
numid=16,iface=CARD,name='Rear Mic Jack'
numid=2,iface=MIXER,name='Master Playback Switch'
numid=1,iface=MIXER,name='Master Playback Volume'
numid=20,iface=PCM,name='Playback Channel Map'
"""
CONTROLS_HDMI = """\
numid=1,iface=CARD,name='HDMI/DP,pcm=3 Jack'
numid=7,iface=PCM,name='ELD',device=3
"""
CONTROLS_PI = """\
numid=3,iface=MIXER,name='PCM Playback Switch'
numid=1,iface=MIXER,name='PCM Playback Volume'
"""


def cget(value: str) -> str:
    return ("numid=18,iface=CARD,name='Front Headphone Jack'\n"
            "  ; type=BOOLEAN,access=r-------,values=1\n"
            f"  : values={value}\n")


def machine(tmp_path: Path, cards: str, outputs: dict[tuple[str, ...], str]):
    """A /proc/asound with `cards`, and amixer answering from recorded `outputs`."""
    (tmp_path / "cards").write_text(cards, "utf-8")
    asked: list[list[str]] = []

    def run(argv: list[str]) -> str | None:
        asked.append(argv)
        return outputs.get(tuple(argv))
    return run, asked


def test_parsing_recorded_outputs() -> None:
    cards = parse_cards(CARDS_PI_USB_HEADSET)
    assert [(c.index, c.id, c.driver, c.name) for c in cards] == [
        (0, "vc4hdmi0", "vc4-hdmi", "vc4-hdmi-0"), (1, "Headphones", "bcm2835_headpho", "bcm2835 Headphones"),
        (2, "Headset", "USB-Audio", "USB Headset")]
    assert parse_jack_controls(CONTROLS_PCH) == ["Front Headphone Jack"]  # not mics, not line out
    assert parse_jack_controls(CONTROLS_HDMI) == parse_jack_controls(CONTROLS_PI) == []
    assert (parse_cget(cget("on")), parse_cget(cget("off")), parse_cget("")) == (True, False, None)


@pytest.mark.parametrize(("value", "plugged"), [("on", "yes"), ("off", "no")])
def test_a_card_that_reports_its_jack(tmp_path: Path, value: str, plugged: str) -> None:
    run, asked = machine(tmp_path, CARDS_HDA, {
        ("amixer", "-c", "0", "controls"): CONTROLS_PCH,
        ("amixer", "-c", "0", "cget", "iface=CARD,name='Front Headphone Jack'"): cget(value),
        ("amixer", "-c", "1", "controls"): CONTROLS_HDMI,
    })
    state = detect(run, tmp_path)
    assert state == JackState(plugged, "card 0 'Front Headphone Jack'")
    assert state.private is (plugged == "yes")
    assert ["amixer", "-c", "1", "controls"] in asked  # every card is asked


def test_the_raspberry_pi_jack_cannot_tell_and_counts_as_a_speaker(tmp_path: Path) -> None:
    run, _ = machine(tmp_path, CARDS_PI, {("amixer", "-c", "1", "controls"): CONTROLS_PI})
    state = detect(run, tmp_path)
    assert state.plugged == "unknown" and not state.private


def test_a_usb_headset_is_headphones(tmp_path: Path) -> None:
    run, _ = machine(tmp_path, CARDS_PI_USB_HEADSET, {})
    assert detect(run, tmp_path) == JackState("yes", "card 2 USB Headset")


def test_no_sound_cards_and_no_amixer(tmp_path: Path) -> None:
    assert detect(lambda argv: None, tmp_path / "nowhere").plugged == "unknown"
    (tmp_path / "cards").write_text("--- no soundcards ---\n", "utf-8")
    assert detect(lambda argv: None, tmp_path) == JackState("unknown", "no sound cards")
    # The real runner: a tool that does not exist, or fails, answers None, never raises.
    assert run_command(["lantern-no-such-tool-xyz"]) is None
    assert run_command(["false"]) is None
    assert run_command(["echo", "values=on"]) == "values=on\n"
