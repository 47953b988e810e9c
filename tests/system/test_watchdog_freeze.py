"""systemd's watchdog sees a frozen screen: pings come from the UI loop, so they stop when it stops.

The real start-up (`kiosk run` -> start_device) runs in a subprocess, offscreen,
with $NOTIFY_SOCKET bound here and WatchdogSec=2s. The test waits for READY=1
(sent when the first frame is drawn) and steady WATCHDOG=1 pings, then blocks
Kivy's main loop from inside a Clock callback (as a hung callback would), while
the process and its other threads keep running. The pings must stop for as long
as the loop is blocked, and come back when it is released.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.system.devicehelp import NotifySocket, device_env, serve

pytestmark = [pytest.mark.ui, pytest.mark.timeout(180)]

WATCHDOG_USEC = 2_000_000  # WatchdogSec=2s: the kiosk pings every 0.5 s (a quarter)
FREEZE_S = 4.0  # twice the timeout: systemd would have killed it


def pings(messages) -> list[float]:
    return [m.at for m in messages if m.fields.get("WATCHDOG") == "1"]


def test_pings_follow_the_ui_loop_and_stop_while_it_is_frozen(tmp_path: Path) -> None:
    notify = NotifySocket(tmp_path)
    env = device_env(tmp_path / "data", notify, WATCHDOG_USEC)
    device, to_ready = serve(env, notify)
    try:
        ready = notify.messages[-1]
        assert ready.fields == {"READY": "1", "STATUS": "serving"}
        assert not pings(notify.messages[:-1]), "a ping came before READY=1"
        # READY=1 was sent from the first frame's callback, with the screen already built.
        called = device.wait_event("ready_called")
        assert called["on_window"] is True and called["rebuilds"] >= 1 and called["node"] == "home"

        # Steady pings from the running loop.
        warm = [notify.receive(5.0) for _ in range(6)]
        assert all(m is not None and m.fields == {"WATCHDOG": "1"} for m in warm), warm
        before = pings(notify.messages)
        steady_gaps = [b - a for a, b in zip(before, before[1:])]
        assert max(steady_gaps) < 2.0, steady_gaps  # always inside WatchdogSec

        # Block the UI loop. Everything sent before the block began is already queued.
        device.send("freeze")
        frozen = device.wait_event("frozen")
        notify.drain()
        last_before = pings(notify.messages)[-1]
        during = []
        while (m := notify.receive(FREEZE_S)) is not None:  # nothing should arrive for FREEZE_S
            during.append(m)
            if len(during) > 3:
                break
        # The process is not stopped: its other threads answer while the loop is blocked.
        assert device.ask("echo", "echo", timeout=10)["t"] > frozen["t"]
        assert pings(during) == [], f"{len(pings(during))} pings arrived while the UI loop was blocked"
        device.send("thaw")
        thawed = device.wait_event("thawed")

        # Pings come back once the loop runs again, and the screen still works.
        after = [notify.receive(10.0) for _ in range(4)]
        assert all(m is not None and m.fields == {"WATCHDOG": "1"} for m in after), after
        first_after = pings(notify.messages)[-4]
        assert first_after >= thawed["t"] - 0.05
        state = device.ask("state", "state")
        assert state["node"] == "home" and state["neutral"] is True
        visited = device.ask("visit", "visited")
        assert visited["shown"] == "hotline" and visited["neutral"] is True
        assert device.terminate() == 0
        stop = notify.drain()
        assert any(m.fields.get("STOPPING") == "1" for m in stop), [m.text for m in stop]
    finally:
        device.close()
        notify.close()
    silence = first_after - last_before
    print(f"\nwatchdog: READY=1 {to_ready:.2f} s after start; pings every "
          f"{min(steady_gaps):.2f}-{max(steady_gaps):.2f} s while running; UI loop blocked "
          f"{thawed['t'] - frozen['t']:.2f} s; no ping for {silence:.2f} s "
          f"(WatchdogSec {WATCHDOG_USEC / 1e6:.0f} s); first ping {first_after - thawed['t']:.3f} s after release")
    assert silence >= FREEZE_S
